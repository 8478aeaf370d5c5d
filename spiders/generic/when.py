"""The publication instant: from the page's own metadata, read in the site's zone when the page
prints no offset, and never guessed from the clock.

Order: JSON-LD ``datePublished``, ``article:published_time`` and its kin, microdata, the first
``<time datetime>``; htmldate (markup, then the URL and the text) as the last resort, for a
page that states no date at all and has no JSON-LD article. A time without
an offset is wall time in the profile's zone (UTC without one); a date alone is its midnight.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from lxml import etree

from newsarchive.dates import localize, to_utc, zone
from newsarchive.items import Skip
from spiders.generic import jsonld
from spiders.generic.metadata import PageMeta

#: Meta keys that hold the publication time, most trusted first.
PUBLISHED_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "itemprop:datepublished", "datepublished", "article.published", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created",
    "pubdate", "publishdate", "publish-date", "publish_date", "date", "created",
)  # fmt: skip
#: Meta keys of the last modification.
MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "itemprop:datemodified")
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d.%m.%Y %H:%M", "%d.%m.%Y",
            "%B %d, %Y %I:%M %p", "%B %d, %Y", "%b %d, %Y", "%d %B %Y")  # fmt: skip
_SPACE_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")
_UTC_NAME = re.compile(r"\s*(?:GMT|UTC)$", re.IGNORECASE)


def read_time(raw: str, tz: str) -> datetime | None:
    """A date as printed by a page, aware: its own offset, else wall time in `tz`; or None."""
    text = " ".join(raw.split())
    if not text:
        return None
    value = _iso(text)
    if value is None:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            value = next(filter(None, (_strptime(text, f) for f in _FORMATS)), None)
    if value is None or not 1900 < value.year < 2200:
        return None
    try:
        return value if value.tzinfo is not None else localize(value.replace(microsecond=0), tz)
    except (OverflowError, ValueError):
        return None


def _iso(text: str) -> datetime | None:
    text = _UTC_NAME.sub("+00:00", _SPACE_OFFSET.sub(r"\1", text))
    if text[-1:] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def published(page: PageMeta, root: etree._Element, tz: str) -> tuple[datetime, str] | None:
    """(aware instant as the page printed it, the raw text), or None when the page has none.

    `Skip("bad_date")` when the page states an impossible ISO date and nothing readable (no
    guess from elsewhere then); htmldate is not asked for a page whose JSON-LD describes the article and
    leaves the date out (what it would find is the day in the URL, at midnight)."""
    raws = [jsonld.text(page.ld("datePublished")), jsonld.text(page.ld("dateCreated"))]
    raws += [page.first(key) for key in PUBLISHED_KEYS] + page.times[:1]
    found = [(value, raw) for raw in filter(None, raws) if (value := read_time(raw, tz))]
    broken = next((raw for raw in raws if raw and _impossible(raw)), None)
    if not found and broken:
        raise Skip("bad_date", f"cannot read the date {broken!r}")
    if not found and page.article and not any(raws[:2]):
        return None
    if found:
        first = found[0]
        if _date_only(first[1]):  # a later source may give the same day with its time
            same_day = (f for f in found[1:] if not _date_only(f[1]) and f[1][:10] == first[1][:10])
            return next(same_day, first)
        return first
    raw = _htmldate(root)
    value = read_time(raw, tz) if raw else None
    return (value, raw) if value is not None and raw else None


#: An ISO 8601 time as a machine writes it; when its fields are impossible (month 13, hour 25)
#: the page's date is broken, not merely in a format this module does not know.
_ISO_SHAPE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})")


def _impossible(raw: str) -> bool:
    """An ISO-shaped date that no calendar has (``0001-01-01``, a placeholder, is not one: it
    is a date left out)."""
    shape = _ISO_SHAPE.match(raw)
    if not shape or int(shape.group(1)) <= 1:
        return False
    month, day, hour, minute = (int(shape.group(n)) for n in range(2, 6))
    return not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 24 and minute <= 59)


def _date_only(raw: str) -> bool:
    return len(raw.strip()) <= 10


def _htmldate(root: etree._Element) -> str | None:
    """htmldate (markup, then the URL and the text's own dates; never "today"): the last
    resort for a page whose metadata names no date."""
    from htmldate import find_date

    try:
        return find_date(root, extensive_search=False, original_date=True,
                         outputformat="%Y-%m-%dT%H:%M:%S") or find_date(
            root, extensive_search=True, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S"
        )
    except Exception:  # noqa: BLE001 - a library's failure on one page is "no date", not a crash
        return None


def local_and_utc(value: datetime, tz: str | None) -> tuple[datetime, datetime]:
    """(UTC instant, local time): local in the profile's zone, else as the page printed it."""
    utc = to_utc(value)
    local = utc.astimezone(zone(tz)) if tz else value.replace(microsecond=0)
    return utc, local if local.tzinfo is not None else local.replace(tzinfo=timezone.utc)
