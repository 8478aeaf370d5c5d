"""The spider arguments of DESIGN (``-a base_url=… -a full=1 …``), read and checked once.

`scrapy crawl SITE -a …`, Scrapyd's ``schedule.json`` and `newsarchive crawl` all pass them as
strings; a value that cannot be used raises ValueError with a one-line message (bad usage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newsarchive import dates
from newsarchive.crawl.policy import truthy

#: The spider arguments, in DESIGN's order.
NAMES = ("base_url", "full", "since", "until", "limit", "refresh_hours", "fill_gaps")


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
        args = cls(
            base_url=(raw["base_url"] or default_base_url).rstrip("/") + "/",
            full=truthy(raw["full"]) if raw["full"] is not None else False,
            since=dates.parse_day(raw["since"]) if raw["since"] else None,
            until=dates.parse_day(raw["until"]) if raw["until"] else None,
            limit=int(raw["limit"]) if _given(raw["limit"]) else None,
            refresh_hours=float(raw["refresh_hours"]) if _given(raw["refresh_hours"]) else None,
            fill_gaps=truthy(raw["fill_gaps"]) if raw["fill_gaps"] is not None else False,
            record={k: v for k, v in raw.items() if _given(v)},
        )
        if args.limit is not None and args.limit < 1:
            raise ValueError(f"limit must be a positive number, not {raw['limit']!r}")
        dates.check_range(args.since, args.until, flag="")
        return args
