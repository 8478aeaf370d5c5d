"""What a generic site's run fetches: which sitemaps of an index it walks and which listed
articles it asks for, as pure functions of dates and what the archive knows.

DESIGN's "Incremental runs" for a profile site:
- a sitemap index is read every run; a sitemap it lists is walked on `--full`, when its
  ``lastmod`` is later than at the last complete walk, when it was never walked and changed
  since the last complete run, and (a sitemap without ``lastmod``) once a day;
- a listed article is fetched when the archive does not hold it, or when its ``lastmod``
  (a feed's ``updated``) is later than the archive's last fetch of it; a site whose sitemaps
  give no ``lastmod`` is refreshed on the back-off schedule instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from newsarchive import dates
from newsarchive.crawl import policy
from spiders.generic.entries import Entry

#: The mark a sitemap without ``lastmod`` leaves in the crawl state: the day it was walked.
WALKED_ON = "walked on "


def walk_mark(child: Entry, today: date) -> str:
    """What the crawl state keeps of a sitemap walked completely: its ``lastmod``, or the day."""
    return dates.format_utc(child.lastmod) if child.lastmod else f"{WALKED_ON}{today.isoformat()}"


def walk_sitemap(
    child: Entry,
    last_walk: str | None,
    *,
    full: bool,
    since: date | None,
    cut: datetime,
    today: date,
) -> bool:
    """Whether a run walks the sitemap `child` of an index, whose last complete walk left
    `last_walk` (`walk_mark`; None: never walked)."""
    if full:
        return True
    if since is not None:  # a backfill from `since`: the sitemaps that changed since then
        return child.lastmod is None or child.lastmod.date() >= since
    if child.lastmod is None:
        return last_walk != f"{WALKED_ON}{today.isoformat()}"
    if last_walk is None or last_walk.startswith(WALKED_ON):
        return child.lastmod >= cut
    return dates.format_utc(child.lastmod) > last_walk


def in_range(entry: Entry, since: date | None, until: date | None, tz: str) -> bool:
    """Whether a listed article falls in a backfill's days (by its publication, else its
    ``lastmod``, in the site's zone); an entry without a date always does."""
    when = entry.published or entry.lastmod
    if when is None or (since is None and until is None):
        return True
    day = dates.local_day(when, tz)
    return (since is None or day >= since) and (until is None or day <= until)


def fetch_reason(
    entry: Entry,
    known: dict[str, Any] | None,
    skipped: dict[str, Any] | None,
    now: datetime,
    *,
    refresh_hours: float,
    backfill: bool,
) -> str | None:
    """Why a listed article is fetched now (``new``, ``lastmod``), or None: new unless a skip
    of it is still waiting out its back-off; archived, only when the listing says it changed
    after our last fetch (the back-off refreshes are planned from the archive, not here)."""
    if known is None:
        if policy.skip_waits(
            entry.published, skipped, now, refresh_hours=refresh_hours, backfill=backfill
        ):
            return None
        return "new"
    if entry.lastmod is not None and entry.lastmod > dates.parse_utc(known["last_seen"]):
        return "lastmod"
    return None
