"""Charts of the canned queries as inline SVG geometry, computed here, drawn by templates.

No JavaScript and no CDN: the page works offline. `month_charts` gives one chart per site of
the ``articles_per_month`` rows, one bar per month (oldest left); `gap_charts` one per site of
the ``days_without_articles`` rows, one bar per stretch of empty days. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The drawing area of one chart, in SVG units (pixels at 100 %).
WIDTH, HEIGHT = 960, 200
#: Room below the bars for the labels.
LABELS = 40


def _bars(points: list[tuple[str, int, str]]) -> dict[str, Any]:
    """Bars for (label, value, title) points in order, scaled to the chart."""
    top = max((value for _, value, _ in points), default=0) or 1
    slot = WIDTH / max(len(points), 1)
    width = max(slot * 0.8, 1.0)
    every = max(1, len(points) // 24)  # at most ~24 labels under the bars
    bars = []
    for number, (label, value, title) in enumerate(points):
        height = round(HEIGHT * value / top, 1)
        x = round(number * slot + (slot - width) / 2, 1)
        bars.append(
            {
                "x": x,
                "y": round(HEIGHT - height, 1),
                "width": round(width, 1),
                "height": height,
                "label": label if number % every == 0 else "",
                "label_x": round(x + width / 2, 1),
                "title": title,
                "value": value,
            }
        )
    return {"bars": bars, "width": WIDTH, "height": HEIGHT + LABELS, "base": HEIGHT, "top": top}


def month_charts(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One chart per site from (site, month, articles) rows: a bar per month, oldest first."""
    by_site: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append((row["month"], int(row["articles"])))
    charts = []
    for site in sorted(by_site):
        months = sorted(by_site[site])
        points = [(m, n, f"{m}: {n:,} article{'s' if n != 1 else ''}") for m, n in months]
        charts.append({"site": site, **_bars(points)})
    return charts


def gap_charts(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One chart per site from (site, first_empty_day, last_empty_day, days) rows: a bar per
    stretch of days without articles, oldest first, as tall as it is long."""
    by_site: dict[str, list[tuple[str, str, int]]] = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append(
            (row["first_empty_day"], row["last_empty_day"], int(row["days"]))
        )
    charts = []
    for site in sorted(by_site):
        gaps = sorted(by_site[site])
        points = [
            (first, days, f"{first} – {last}: {days:,} day{'s' if days != 1 else ''}")
            for first, last, days in gaps
        ]
        charts.append({"site": site, **_bars(points)})
    return charts
