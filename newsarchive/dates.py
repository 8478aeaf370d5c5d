"""Shared, pure date helpers: one clock, site-local wall time to UTC, ISO formats.

Sites print local wall time without an offset. `localize` turns it into an aware instant,
right on both sides of every DST change: an ambiguous time (the repeated hour of the autumn
change) takes its first occurrence; a time inside the spring gap, which no correct clock shows,
is read with the offset in force before the gap (as `zoneinfo` does with ``fold=0``).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import cache
from zoneinfo import ZoneInfo

UTC = timezone.utc
NOW_ENV = "NEWSARCHIVE_NOW"


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (cached)."""
    return ZoneInfo(name)


def localize(naive: datetime, tz: str) -> datetime:
    """Wall time `naive` in zone `tz` as an aware datetime; ambiguous → first occurrence."""
    if naive.tzinfo is not None:
        raise ValueError("localize() takes a naive wall time")
    tzinfo = zone(tz)
    # Round-trip through UTC so a time inside the spring gap comes back as the wall time the
    # clock really showed (03:30 EET → 04:30 EEST); an ambiguous time keeps fold=0.
    return naive.replace(tzinfo=tzinfo, fold=0).astimezone(UTC).astimezone(tzinfo)


def to_utc(value: datetime) -> datetime:
    """An aware datetime in UTC (seconds kept, microseconds dropped)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: an instant must be aware")
    return value.astimezone(UTC).replace(microsecond=0)


def format_utc(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for an aware datetime."""
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """Parse ISO 8601 (``…Z`` or with an offset) into an aware UTC datetime.

    Raises ValueError with a readable message for anything else, naive times included.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise ValueError(f"time without an offset: {text!r} (write it in UTC with a Z)")
    return to_utc(value)


#: Years the clock may show: a forced clock outside them is a typo, and dates near the ends of
#: what Python can hold would overflow in the schedule's arithmetic.
CLOCK_YEARS = range(1970, 3000)


def now() -> datetime:
    """The one clock: UTC now, or ``NEWSARCHIVE_NOW`` (ISO 8601 UTC) when it is set.

    ValueError with a readable message for a forced clock that cannot be read or lies outside
    `CLOCK_YEARS`."""
    forced = os.environ.get(NOW_ENV)
    if forced:
        value = parse_utc(forced)
        if value.year not in CLOCK_YEARS:
            first, last = CLOCK_YEARS[0], CLOCK_YEARS[-1]
            raise ValueError(f"{forced!r} is not a time from {first} to {last}")
        return value
    return datetime.now(UTC).replace(microsecond=0)


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` command-line date; ValueError with a readable message otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def check_range(since: date | str | None, until: date | str | None, flag: str = "--") -> None:
    """ValueError when `since` is after `until` (both optional, dates or ``YYYY-MM-DD``)."""
    if since and until and str(since) > str(until):
        raise ValueError(f"{flag}since {since} is after {flag}until {until}")


def local_day(instant: datetime, tz: str) -> date:
    """The calendar day in zone `tz` at `instant`."""
    return instant.astimezone(zone(tz)).date()


def days_back(first: date, last: date) -> list[date]:
    """Every day from `last` back to `first`, newest first (empty if first > last)."""
    span = (last - first).days
    return [last - timedelta(days=i) for i in range(span + 1)]


def parse_feed_time(raw: str, tz: str) -> datetime | None:
    """A feed's date as an aware UTC datetime, or None when it cannot be read.

    W3CDTF (``dc:date``, ISO 8601; ``Z`` for UTC) or RFC 822 (``pubDate``). A W3CDTF time
    without an offset is wall time in the site's zone `tz`; RFC 822's ``-0000`` (source
    unknown) is UTC.
    """
    try:
        value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if value.tzinfo is None:  # RFC 822 "-0000": UTC, source unknown
            value = value.replace(tzinfo=UTC)
    try:
        if value.tzinfo is None:  # W3CDTF without an offset: the site's wall time
            return to_utc(localize(value.replace(microsecond=0), tz))
        return to_utc(value)
    except (OverflowError, ValueError):
        return None
