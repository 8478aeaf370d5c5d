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
    if window is not None:
        recent = conn.execute(recent_sql(join, where), {**params, "window": window}).fetchall()
        if len(recent) < window:  # every match is in the window: the exact ranking
            hits.matches = len(recent)
        else:  # how many more match is not counted: counting costs what ranking would
            hits.ranked_among = window
        top = sorted(recent, key=itemgetter(1))
    else:
        top, every = _best_of_all(conn, best_sql(join, where), params, limit)
        if every:
            hits.matches = len(top)
    top = within_limit(top, limit)
    if len(top) > limit:  # a tie across the limit: its newest articles make the cut
        published = dict(
            conn.execute(
                "SELECT id, published FROM articles WHERE id IN "
                "(SELECT value FROM json_each(:ids))",
                {"ids": json.dumps([row[0] for row in top])},
            ).fetchall()
        )
        top = newest_ties_first(top, published, limit)
    return {row[0]: row[1] for row in top}


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
