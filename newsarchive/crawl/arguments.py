"""The spider arguments of DESIGN (``-a base_url=… -a full=1 …``), read and checked once.

`scrapy crawl SITE -a …`, Scrapyd's ``schedule.json`` and `newsarchive crawl` all pass them as
strings; a value that cannot be used raises ValueError with a one-line message (bad usage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from newsarchive import dates
from newsarchive.crawl.policy import truthy

#: The spider arguments, in DESIGN's order.
NAMES = ("base_url", "full", "since", "until", "limit", "refresh_hours", "fill_gaps")
#: The longest refresh schedule that means anything (ten years), and the shortest.
REFRESH_HOURS_RANGE = (1.0, 24 * 3653.0)
#: The largest --limit (SQLite's largest integer).
LIMIT_MAX = 2**63 - 1


def check_base_url(url: str) -> str:
    """`url` as the root to crawl (``scheme://host[:port]/[path/]``), or ValueError saying
    what is wrong with it: not http(s), no host, a bad port or IPv6 address, spaces."""
    text = url.strip()
    if not text:
        raise ValueError("the base URL is empty")
    if any(c.isspace() for c in text) or not text.isprintable():
        raise ValueError(f"the base URL {url!r} holds spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError for a port out of range or not a number
    except ValueError as exc:
        raise ValueError(f"the base URL {url!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the base URL must start with http:// or https://: {url!r}")
    if not parts.hostname:
        raise ValueError(f"the base URL {url!r} names no host")
    if port == 0:
        raise ValueError(f"the base URL {url!r} has port 0")
    if parts.query or parts.fragment:
        raise ValueError(f"the base URL {url!r} has a query or fragment; give the site's root")
    return text.rstrip("/") + "/"


def check_refresh_hours(value: float) -> float:
    """`value` if it is a usable refresh schedule in hours, else ValueError."""
    low, high = REFRESH_HOURS_RANGE
    if math.isnan(value) or not low <= value <= high:
        raise ValueError(f"refresh hours must be a number from {low:g} to {high:g}, not {value!r}")
    return value


def _given(value: object) -> bool:
    return value not in (None, "")


@dataclass
class CrawlArguments:
    """What a run was asked to do."""

    base_url: str
    full: bool = False
    since: date | None = None
    until: date | None = None
    limit: int | None = None
    refresh_hours: float | None = None
    fill_gaps: bool = False
    #: The arguments as given (for ``runs.args``), empty ones left out.
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def backfill(self) -> bool:
        return self.full or self.since is not None or self.until is not None

    @classmethod
    def take(cls, kwargs: dict[str, Any], default_base_url: str) -> CrawlArguments:
        """Pop the spider arguments out of `kwargs` (the rest are Scrapy's) and check them."""
        raw = {name: kwargs.pop(name, None) for name in NAMES}
        base_url = raw["base_url"]
        args = cls(
            base_url=check_base_url(default_base_url if base_url is None else base_url),
            full=truthy(raw["full"]) if raw["full"] is not None else False,
            since=dates.parse_day(raw["since"]) if raw["since"] else None,
            until=dates.parse_day(raw["until"]) if raw["until"] else None,
            limit=int(raw["limit"]) if _given(raw["limit"]) else None,
            refresh_hours=(
                check_refresh_hours(float(raw["refresh_hours"]))
                if _given(raw["refresh_hours"])
                else None
            ),
            fill_gaps=truthy(raw["fill_gaps"]) if raw["fill_gaps"] is not None else False,
            record={k: v for k, v in raw.items() if _given(v)},
        )
        if args.limit is not None and not 1 <= args.limit <= LIMIT_MAX:
            raise ValueError(f"limit must be a number from 1 to {LIMIT_MAX}, not {raw['limit']!r}")
        for name in ("since", "until"):
            day = getattr(args, name)
            if day is not None and day.year not in dates.CLOCK_YEARS:
                first, last = dates.CLOCK_YEARS[0], dates.CLOCK_YEARS[-1]
                raise ValueError(f"{name} must be a day from {first} to {last}, not {day}")
        dates.check_range(args.since, args.until, flag="")
        return args
