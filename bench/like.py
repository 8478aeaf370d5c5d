"""The naive baseline that the search benchmark measures `Archive.search` against.

The only SQL outside newsarchive/archive/: it is no part of the product, only a yardstick
(`make bench` prints how many times faster the full-text search is).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


def like_scan(
    conn: sqlite3.Connection,
    words: Sequence[str],
    *,
    section: str | None = None,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """Every word a ``LIKE '%word%'`` over title and body, the `limit` newest matches, no
    full-text index: id, site_id, title, published of each.

    It does the same job as `search`: find *every* matching article, then keep the best
    `limit`. Hence ``ORDER BY +published``: the unary ``+`` stops SQLite from walking the
    published index newest first and stopping after `limit` matches (which, for a common
    word, reads a few dozen rows and is no baseline for a ranked search that must consider
    every match); every candidate row is tested and the matches sorted.
    """
    where, params = [], []
    for word in words:
        where.append("(title LIKE ? OR body LIKE ?)")
        params += [f"%{word}%", f"%{word}%"]
    if section:
        where.append("section = ?")
        params.append(section)
    sql = (
        "SELECT id, site_id, title, published FROM articles "
        f"WHERE {' AND '.join(where) or '1'} ORDER BY +published DESC LIMIT ?"
    )
    cursor = conn.execute(sql, (*params, limit))
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]
