"""Plain-text tables for the terminal: aligned columns, titled sections, stretches of days.

`newsarchive stats` prints through these; they write nothing but text (bold titles through
click.style, which click drops when the output is not a terminal), and a cell's text without
its control characters (a section name or a run's error comes from a site).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import click

from newsarchive.text import printable


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """Rows as aligned text columns (numbers right-aligned), headers underlined."""
    cells = [["" if v is None else printable(str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(isinstance(r[i], int) or r[i] is None for r in rows)
        for i in range(len(headers))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)]


def section(title: str, after: str = "") -> None:
    """A blank line, then `title` in bold (followed by `after`, not bold)."""
    click.echo()
    click.echo(click.style(title, bold=True) + after)


def titled_table(
    title: str, headers: list[str], rows: list[list[Any]], empty: str | None = None
) -> None:
    """A titled section holding a table; `empty` is printed instead of it when there are no
    rows (None: the table's headers are printed anyway)."""
    section(title)
    if not rows and empty is not None:
        click.echo(empty)
        return
    for line in table(headers, rows):
        click.echo(line)


def day_ranges(days: list[str]) -> list[tuple[str, str, int]]:
    """Sorted ISO days as stretches of consecutive days: (first, last, count)."""
    stretches: list[tuple[str, str, int]] = []
    for text in sorted(days):
        day = date.fromisoformat(text)
        if stretches and date.fromisoformat(stretches[-1][1]) + timedelta(days=1) == day:
            first, _, count = stretches[-1]
            stretches[-1] = (first, text, count + 1)
        else:
            stretches.append((text, text, 1))
    return stretches


def day_stretches(title: str, days: list[str], shown: int = 20) -> None:
    """A titled section of days as stretches of consecutive days, the latest `shown` of
    them, with how many there are in the title line."""
    stretches = day_ranges(days)
    if not stretches:
        summary = "none"
    else:
        plural = "es" if len(stretches) != 1 else ""
        summary = f"{len(days)} in {len(stretches)} stretch{plural}"
    section(title, f": {summary}")
    for first, last, count in stretches[-shown:]:
        length = f"{count} day{'s' if count != 1 else ''}"
        click.echo(f"  {first}  ({length})" if first == last else f"  {first} … {last}  ({length})")
    if len(stretches) > shown:
        click.echo(f"  … and {len(stretches) - shown} earlier stretches (--json lists every day)")
