"""The date line: ``Section[ » Subsection] | [Author: Name |]Month D, YYYY, Weekday // HH:MM``.

Article pages and listing items carry one; it holds the section, the author and the local
publication time (Sofia wall time, read into an aware time by `parse_site_date`).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from newsarchive.dates import localize
from newsarchive.extract import words
from newsarchive.text import clean_line
from spiders.novinite.site import TZ

#: The site's logger (``spiders.novinite``), as before the module became a package.
logger = logging.getLogger(__package__)

MONTHS = {
    name: number
    for number, month in enumerate(
        words(
            "january february march april may june july august september october november december"
        ),
        start=1,
    )
    for name in (month, month[:3], "sept" if number == 9 else month)
}
WEEKDAYS = {
    name: number
    for number, day in enumerate(words("monday tuesday wednesday thursday friday saturday sunday"))
    for name in (day, day[:3], day[:4])
}
#: ``December 6, 2024, Friday // 11:06`` (%B %-d, %Y, %A // %H:%M), tolerating extra spaces, a
#: missing weekday, ``//`` spacing and a missing time (00:00, as the site prints ``// 00:00``
#: for a time it does not know).
DATE = re.compile(
    r"""^(?P<month>[^\W\d_]+)\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<year>\d{4})
        \s*(?:,\s*(?P<weekday>[^\W\d_]+)\.?)?
        \s*(?:/\s*/\s*(?P<hour>\d{1,2})\s*:\s*(?P<minute>\d{2}))?\s*$""",
    re.VERBOSE,
)
AUTHOR = re.compile(r"^Author\s*:\s*(.*)$", re.IGNORECASE)
VIEWED = re.compile(r"^Viewed\s*:", re.IGNORECASE)
SECTION_SEPARATOR = re.compile(r"\s*»\s*")
HAS_DIGIT = re.compile(r"\d")
#: Years a novinite date can fall in (the agency started in 2001; room on both sides).
YEARS = range(1990, 2101)


def parse_site_date(text: str) -> datetime:
    """``December 6, 2024, Friday // 11:06`` (Sofia wall time) as an aware Europe/Sofia time.

    ValueError when it cannot be read. A weekday that contradicts the date is logged and the
    date wins. An ambiguous autumn time takes its first occurrence (`dates.localize`).
    """
    match = DATE.match(clean_line(text))
    if not match:
        raise ValueError(f"not a novinite date: {text!r}")
    month = MONTHS.get(match["month"].lower())
    if month is None:
        raise ValueError(f"unknown month in {text!r}")
    year = int(match["year"])
    if year not in YEARS:
        raise ValueError(f"year out of range in {text!r}")
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    naive = datetime(year, month, int(match["day"]), hour, minute)  # ValueError if impossible
    weekday = match["weekday"]
    if weekday and WEEKDAYS.get(weekday.lower()) != naive.weekday():
        logger.warning("weekday %r contradicts the date in %r; the date wins", weekday, text)
    return localize(naive, TZ)


def split_section(text: str) -> tuple[str | None, str | None]:
    """``World » Southeast Europe`` → (``World``, ``Southeast Europe``)."""
    names = [n for n in SECTION_SEPARATOR.split(clean_line(text)) if n]
    if not names:
        return None, None
    return names[0], " » ".join(names[1:]) or None


class DateLine:
    """One date line read into its parts; `error` is ``no_date`` or ``bad_date`` when there is
    no usable date. The parts are split on ``|``: ``Author: …`` and ``Viewed: …`` are known by
    their label, the section comes first, the date after it (alone, it is the one with digits).
    """

    __slots__ = ("author", "date_text", "error", "local", "section", "subsection")

    def __init__(self, text: str) -> None:
        self.section: str | None = None
        self.subsection: str | None = None
        self.author: str | None = None
        self.date_text: str | None = None
        self.local: datetime | None = None
        self.error: str | None = None
        rest: list[str] = []
        for part in map(clean_line, text.split("|")):
            author = AUTHOR.match(part)
            if author:
                self.author = author.group(1).strip() or None
            elif part and not VIEWED.match(part):
                rest.append(part)
        if len(rest) == 1 and HAS_DIGIT.search(rest[0]):
            self.date_text = rest[0]
        elif rest:
            self.section, self.subsection = split_section(rest[0])
            self.date_text = rest[1] if len(rest) > 1 else None
        if self.date_text is None:
            self.error = "no_date"
            return
        try:
            self.local = parse_site_date(self.date_text)
        except ValueError:
            self.error = "bad_date"
