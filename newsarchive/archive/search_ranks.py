"""Full-text search, the staged plan's two steps: the best ids from the index, then their hits.

`best_ranks` picks the best `limit` ids and their bm25 from the full-text index alone, either
among the newest `RANK_WINDOW` matches (bounded: the work is that of the window, not of the
number of matches) or among all of them (``exact``); `read_hits` reads those few articles with
their snippets. `Hits` is the list of hits with how it was ranked, for the CLI to say.
"""

from __future__ import annotations

import json
import sqlite3
from operator import itemgetter
from typing import Any

from newsarchive.archive.search_sql import (
    best_sql,
    hits_sql,
    newest_ties_first,
    one_pass,
    recent_sql,
    within_limit,
)
from newsarchive.archive.search_window import (
    CUT_MARGIN,
    dates_of,
    first_cut,
    follows_publication,
    id_span,
    newest_by_date,
    top_follows_publication,
)


class Hits(list):  # type: ignore[type-arg]
    """The hits, best first, and how they were ranked.

    `matches`: how many articles match (with the filters), or None when they were not all
    counted (more than were ranked). `ranked_among`: None when every match was ranked; else
    how many (the newest ones) were.
    """

    matches: int | None = None
    ranked_among: int | None = None

    @property
    def bounded(self) -> bool:
        return self.ranked_among is not None


def best_ranks(
    conn: sqlite3.Connection,
    params: dict[str, Any],
    join: str,
    where: str,
    limit: int,
    window: int | None,
    hits: Hits,
) -> dict[int, float]:
    """id → bm25 of the best `limit` matches, best first, newest first among equals; among
    the newest `window` matches (None: all). Sets `hits.matches` and `hits.ranked_among`."""
    top = None
    if window is not None:
        top = _bounded(conn, params, join, where, window, hits)
    if top is None:
        top, every = _best_of_all(conn, best_sql(join, where), params, limit)
        if every:
            hits.matches = len(top)
    top = within_limit(top, limit)
    if len(top) > limit:  # a tie across the limit: its newest articles make the cut
        published = dates_of(conn, [row[0] for row in top])
        top = newest_ties_first(top, published, limit)
    return {row[0]: row[1] for row in top}


def _bounded(
    conn: sqlite3.Connection,
    params: dict[str, Any],
    join: str,
    where: str,
    window: int,
    hits: Hits,
) -> list[Any] | None:
    """The (id, score) rows to rank among the newest `window` matches (`search_window`), best
    first; None when every match is to be ranked. Sets `hits.matches` or `hits.ranked_among`."""
    if "until" in params or not top_follows_publication(conn):
        first = first_cut(conn, params, window)
        by_date = (
            None if first is None else newest_by_date(conn, params, join, where, window, first)
        )
    else:
        recent = conn.execute(recent_sql(join, where), {**params, "window": window}).fetchall()
        if len(recent) < window:  # every match is in the window: the exact ranking
            hits.matches = len(recent)
            return sorted(recent, key=itemgetter(1))
        if follows_publication(conn, recent):
            hits.ranked_among = window
            return sorted(recent, key=itemgetter(1))
        # The id window reaches into a backfill: by date, from the window's density.
        first = int(CUT_MARGIN * id_span(recent))
        by_date = newest_by_date(conn, params, join, where, window, first)
    if by_date is None:
        return None
    top, every = by_date
    if every:  # every match since the search's own date: the exact answer
        hits.matches = len(top)
    else:
        hits.ranked_among = window
    return top


def _best_of_all(
    conn: sqlite3.Connection, best: str, params: dict[str, Any], limit: int
) -> tuple[list[Any], bool]:
    """The best matches of all, ranked by the index: `limit` and any tied with the last, and
    whether that is every match."""
    # More than asked shows whether a tie crosses the limit (ties are common: equal term
    # counts in equally long articles), and holds it unless it is long.
    wanted = 2 * limit + 10
    while True:
        top = conn.execute(best, {**params, "n": wanted}).fetchall()
        if len(top) < wanted or top[-1][1] != top[limit - 1][1]:
            return list(top), len(top) < wanted
        wanted *= 4


def read_hits(
    conn: sqlite3.Connection, params: dict[str, Any], ranks: dict[int, float]
) -> list[dict[str, Any]]:
    """The articles of `ranks` with their snippets, best first, newest first among equals."""
    if one_pass(params["query"]):
        rows = conn.execute(
            hits_sql(True),
            {**params, "low": min(ranks), "high": max(ranks), "ids": json.dumps(list(ranks))},
        ).fetchall()
    else:
        sql = hits_sql(False)
        rows = [
            hit for article_id in ranks for hit in conn.execute(sql, {**params, "id": article_id})
        ]
    rows.sort(key=lambda row: row["published"], reverse=True)
    rows.sort(key=lambda row: ranks[row["id"]])
    return [{**dict(row), "rank": ranks[row["id"]]} for row in rows]
