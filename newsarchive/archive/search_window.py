"""Which matches a bounded search ranks: the newest `window` by publication, at a bounded cost.

The full-text index reads its matches by id, highest first, and can stop after `window` of
them (`search_sql.recent_sql`): cheap, and the newest matches wherever ids follow publication,
as in an archive kept by hourly runs. A backfill stores its articles newest first, so inside
one the highest ids are its *oldest* articles: an id window there would rank 2011 before last
month. So the id window is used only where ids follow publication, and checked:

- `top_follows_publication`: the archive's highest ids hold its newest articles (one look at
  `BAND` rows each way). If not (a backfill was the last thing stored), or a search has an
  upper date bound (the id window would read every later match first), the window is taken
  by date from the start (`newest_by_date`).
- `follows_publication`: the `BAND` articles just below an id window were published before
  the window's oldest tenth. If not (the window reaches into a backfill), by date.

`newest_by_date` reads the matches among the newest ``K`` articles by publication: the cut is
the publication time of the ``K``-th newest (an index-only walk of ``idx_articles_published``),
the articles since it given to the index as a set of ids within their id range (few
articles) or checked on each match's row (few matches), whichever is cheaper for the cut's depth. ``K`` starts from that density where an id window measured it, else from
`FIRST_SAMPLE` windows, and grows by the density each pass found until a window's worth
matches; the newest `window` of them are ranked. A cut that would take in the whole archive
means few enough matches to rank them all (the caller's exact plan).
"""

from __future__ import annotations

import json
import sqlite3
from operator import itemgetter
from typing import Any

from newsarchive.archive.schema import FTS_BM25

#: Ids just below an id window (and at the archive's top) whose dates tell whether ids follow
#: publication there.
BAND = 200
#: How many windows' worth of matches a cut aims to hold (then the newest are kept).
CUT_MARGIN = 1.5
#: With no density known, the first cut takes this many windows of the newest articles.
FIRST_SAMPLE = 4
#: A cut over at most this share of the archive is shallow: the index reads only the id ranges
#: of the articles since it; past it, matches are few (that is why the cut is so deep) and each
#: match's row is checked instead.
SET_SHARE = 0.2
#: Up to this many windows of matches (before filters), ranking them all is as cheap as a
#: cut: a search that cannot use an id window counts its matches up to `COUNT_WINDOWS` windows.
EXACT_WINDOWS = 4
COUNT_WINDOWS = 30
#: The ids since a shallow cut are read one by one (to find their runs) only when their range
#: is wider than this many times their number; and split into at most `MOST_RUNS` ranges.
TIGHT = 2
MOST_RUNS = 4
#: Passes of `newest_by_date` before the remaining matches are ranked all.
PASSES = 4

_DATES_SQL = "SELECT id, published FROM articles WHERE id IN (SELECT value FROM json_each(:ids))"
_BAND_SQL = "SELECT published FROM articles WHERE id < :below ORDER BY id DESC LIMIT :band"
_TOP_IDS_SQL = "SELECT published FROM articles ORDER BY id DESC LIMIT :band"
_NEWEST_SQL = (
    "SELECT published FROM articles INDEXED BY idx_articles_published{where} "
    "ORDER BY published DESC LIMIT 1 OFFSET :k"
)
#: Two seeks (``min(id), max(id)`` in one SELECT would scan the table).
_ID_RANGE_SQL = "SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)"
#: The ids of the articles published since the cut, as a range (an index-only walk).
_SINCE_IDS_SQL = "SELECT min(id), max(id) FROM articles WHERE published >= :window_cut"
_COUNT_SQL = (
    "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH :query LIMIT :cap)"
)
#: Every match the joins and conditions let through, with its bm25 (no order: few are read).
_MATCHES_SQL = (
    "SELECT articles_fts.rowid AS id, {bm25} AS score FROM articles_fts{join} "
    "WHERE articles_fts MATCH :query{where}"
)
_SINCE_ID_LIST_SQL = "SELECT id FROM articles WHERE published >= :window_cut"
_ARTICLE_JOIN = " CROSS JOIN articles a ON a.id = articles_fts.rowid"
_SINCE_ROW = " AND a.published >= :window_cut"


def dates_of(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """id → published of these articles."""
    return dict(conn.execute(_DATES_SQL, {"ids": json.dumps(ids)}).fetchall())


def _median(values: list[str]) -> str:
    return sorted(values)[len(values) // 2]


def top_follows_publication(conn: sqlite3.Connection) -> bool:
    """Whether the archive's highest ids are its newest articles: the median date of the top
    `BAND` ids is no older than the ``2 × BAND``-th newest article."""
    top = [row[0] for row in conn.execute(_TOP_IDS_SQL, {"band": BAND})]
    if len(top) < BAND:
        return True  # a small archive: an id window is all of it or close
    newest = conn.execute(_NEWEST_SQL.format(where=""), {"k": 2 * BAND}).fetchone()
    return newest is None or _median(top) >= newest[0]


def follows_publication(conn: sqlite3.Connection, recent: list[Any]) -> bool:
    """Whether the id window `recent` ((id, score) rows, a full window) holds the newest
    matches: the `BAND` articles below its lowest id were published before its oldest tenth."""
    sample = [row[0] for row in recent[:: max(1, len(recent) // BAND)]]  # every n-th id
    published = sorted(dates_of(conn, sample).values())
    lowest = min(row[0] for row in recent)
    below = [row[0] for row in conn.execute(_BAND_SQL, {"below": lowest, "band": BAND})]
    if not below or not published:
        return True
    return _median(below) <= published[len(published) // 10]


def first_cut(conn: sqlite3.Connection, params: dict[str, Any], window: int) -> int | None:
    """How deep the first cut of a search without an id window goes (`newest_by_date`'s
    `articles`), from its matches counted up to `COUNT_WINDOWS` windows (before filters);
    None when fewer than `EXACT_WINDOWS` windows match (rank them all)."""
    cap = COUNT_WINDOWS * window
    matches = conn.execute(_COUNT_SQL, {"query": params["query"], "cap": cap}).fetchone()[0]
    if matches < EXACT_WINDOWS * window:
        return None
    low, high = conn.execute(_ID_RANGE_SQL).fetchone()
    return int(CUT_MARGIN * window * (high - low + 1) / matches)


def id_span(recent: list[Any]) -> int:
    """How many ids the window `recent` spans (its matches' density is ``len / span``)."""
    return max(row[0] for row in recent) - min(row[0] for row in recent) + 1


def newest_by_date(
    conn: sqlite3.Connection,
    params: dict[str, Any],
    join: str,
    where: str,
    window: int,
    articles: int | None = None,
) -> tuple[list[Any], bool] | None:
    """The newest `window` matches by publication as (id, score) rows, best first, starting
    from a cut `articles` deep (None: `FIRST_SAMPLE` windows), and False; or, when the
    search's own ``since`` comes before any cut, every match since then, and True (the exact
    answer); None when a cut would take in the whole archive (few enough matches to rank
    all). `params` may bound ``since`` and ``until``."""
    low, high = conn.execute(_ID_RANGE_SQL).fetchone()
    if low is None:
        return None
    archive = high - low + 1
    bounds = [
        f"published {op} :{name}"
        for name, op in (("since", ">="), ("until", "<="))
        if name in params
    ]
    newest = _NEWEST_SQL.format(where=f" WHERE {' AND '.join(bounds)}" if bounds else "")
    articles = articles or FIRST_SAMPLE * window
    for _ in range(PASSES):
        cut = conn.execute(newest, {**params, "k": articles}).fetchone()
        complete = cut is None  # fewer articles than that in the search's dates
        if complete and "since" not in params:  # so few articles: rank every match
            return None
        since = params["since"] if complete else cut[0]
        rows = _matches_since(conn, params, join, where, since, min(articles, archive), archive)
        published = dates_of(conn, [row[0] for row in rows])
        fresh = [row for row in rows if published[row[0]] >= since]
        if complete:
            return sorted(fresh, key=itemgetter(1)), True
        if len(fresh) >= window:
            newest_rows = sorted(rows, key=lambda row: (published[row[0]], row[0]), reverse=True)
            return sorted(newest_rows[:window], key=itemgetter(1)), False
        articles = int(articles * min(CUT_MARGIN * window / max(len(fresh), 1), 16.0))
    return None


def id_runs(ids: list[int], most: int = MOST_RUNS) -> list[tuple[int, int]]:
    """Sorted `ids` as at most `most` (first, last) ranges, split at the widest gaps."""
    gaps = sorted(range(len(ids) - 1), key=lambda i: ids[i + 1] - ids[i], reverse=True)
    splits = sorted(i for i in gaps[: most - 1] if ids[i + 1] - ids[i] > 1)
    starts = [0] + [i + 1 for i in splits]
    ends = splits + [len(ids) - 1]
    return [(ids[a], ids[b]) for a, b in zip(starts, ends, strict=True)]


def _matches_since(
    conn: sqlite3.Connection,
    params: dict[str, Any],
    join: str,
    where: str,
    cut: str,
    articles: int,
    archive: int,
) -> list[Any]:
    """The (id, score) matches published since `cut` (the `articles` newest of `archive`),
    and maybe some older ones between them (ranges of ids hold a few): the caller keeps the
    newest by date."""
    since = {**params, "window_cut": cut}
    if articles > SET_SHARE * archive:  # a deep cut, so few matches: check each match's row
        sql = _MATCHES_SQL.format(
            bm25=FTS_BM25, join=join or _ARTICLE_JOIN, where=where + _SINCE_ROW
        )
        return conn.execute(sql, since).fetchall()
    # A shallow cut: the index reads only the ranges of ids the articles since it hold (one
    # where ids came in runs of dates, a few where a backfill met hourly runs).
    low, high = conn.execute(_SINCE_IDS_SQL, since).fetchone()
    runs = [(low, high)]
    if high - low + 1 > TIGHT * articles:
        runs = id_runs(sorted(row[0] for row in conn.execute(_SINCE_ID_LIST_SQL, since)))
    ranges = []
    for number, (first, last) in enumerate(runs):
        ranges.append(f"articles_fts.rowid BETWEEN :run_{number}_first AND :run_{number}_last")
        since.update({f"run_{number}_first": first, f"run_{number}_last": last})
    sql = _MATCHES_SQL.format(
        bm25=FTS_BM25, join=join, where=f"{where} AND ({' OR '.join(ranges)})"
    )
    return conn.execute(sql, since).fetchall()
