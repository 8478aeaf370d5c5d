"""How the newsroom prints times: ISO 8601 with the New York offset, RFC 822, a visible dateline."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from newsarchive.dates import format_utc


def iso(value: datetime) -> str:
    """``2024-12-06T11:06:00-05:00``."""
    return value.isoformat(timespec="seconds")


def utc(value: datetime) -> str:
    """``2024-12-06T16:06:00Z``."""
    return format_utc(value)


def rfc822(value: datetime) -> str:
    """``Fri, 06 Dec 2024 11:06:00 -0500`` (RSS pubDate)."""
    return format_datetime(value)


def dateline(value: datetime) -> str:
    """The visible dateline, no offset: ``Dec. 6, 2024, 11:06 a.m.``."""
    month = value.strftime("%b") + "." if value.month not in (5, 6, 7) else value.strftime("%B")
    hour = value.hour % 12 or 12
    half = "a.m." if value.hour < 12 else "p.m."
    return f"{month} {value.day}, {value.year}, {hour}:{value.minute:02d} {half}"
