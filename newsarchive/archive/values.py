"""How values go into the archive's columns and come back out: JSON lists, date bounds.

Tags and sources are stored as JSON arrays of strings; timestamps as UTC text
``YYYY-MM-DDTHH:MM:SSZ`` (`dates.format_utc`), so a ``published`` bound is a string compare.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from newsarchive.dates import format_utc


def json_list(value: Sequence[str] | None) -> str:
    """`value` as the JSON array text a tags or sources column holds (``[]`` for None)."""
    return json.dumps(list(value or []), ensure_ascii=False)


def loads_list(value: str | None) -> list[str]:
    """A tags or sources column back as a list; text that is not a JSON list is one item."""
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return [value]
    return loaded if isinstance(loaded, list) else [loaded]


def lower_bound(value: date | datetime | str) -> str:
    """A ``published >= …`` bound: a date means from its start (UTC)."""
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return value


def upper_bound(value: date | datetime | str) -> tuple[str, str]:
    """A ``published`` upper bound as (operator, value): a date includes its whole day."""
    if isinstance(value, datetime):
        return "<=", format_utc(value)
    if isinstance(value, date):
        return whole_day(value)
    if len(value) == 10:  # YYYY-MM-DD
        return whole_day(date.fromisoformat(value))
    return "<=", value


def whole_day(day: date) -> tuple[str, str]:
    """The bound that includes all of `day`: before the next day's start, or up to the last
    second of the last day there is (9999-12-31 has no next day)."""
    if day == date.max:
        return "<=", f"{day.isoformat()}T23:59:59Z"
    return "<", f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z"


def published_between(
    column: str, since: date | datetime | str | None, until: date | datetime | str | None
) -> tuple[list[str], dict[str, Any]]:
    """Conditions (and their parameters ``:since``, ``:until``) that keep `column` between
    `since` and `until`, either optional; a date `until` includes its whole day."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if since is not None:
        conditions.append(f"{column} >= :since")
        params["since"] = lower_bound(since)
    if until is not None:
        operator, params["until"] = upper_bound(until)
        conditions.append(f"{column} {operator} :until")
    return conditions, params
