"""What the crawler asks the archive: which ids it holds, what was skipped, what is recent,
which numeric ids were never seen.

Reads only; each answers one question of a run's planning (the listing walk stops at a page of
known articles, the refresh schedule needs ``last_seen``, a passing failure is retried, gaps in
sequential ids are fetched with ``--fill-gaps``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from newsarchive.archive import connection
from newsarchive.archive.connection import Connection
from newsarchive.dates import format_utc

#: A condition that `{col}` holds a whole non-negative number (a sequential site id).
_NUMERIC = "{col} != '' AND {col} NOT GLOB '*[^0-9]*'"


def known_numeric_ids(conn: sqlite3.Connection, site: str) -> Iterator[int]:
    """Sorted numeric site ids within the articles' min..max, from articles and skips."""
    articles_numeric = _NUMERIC.format(col="site_id")
    bounds = conn.execute(
        "SELECT MIN(CAST(site_id AS INTEGER)), MAX(CAST(site_id AS INTEGER)) FROM articles "
        f"WHERE site = ? AND {articles_numeric}",
        (site,),
    ).fetchone()
    if bounds[0] is None:
        return
    low, high = bounds
    for (number,) in conn.execute(
        "SELECT n FROM ("
        f"SELECT CAST(site_id AS INTEGER) AS n FROM articles WHERE site = ? AND {articles_numeric} "
        "UNION "
        f"SELECT CAST(site_id AS INTEGER) FROM skips WHERE site = ? AND {articles_numeric}"
        ") WHERE n BETWEEN ? AND ? ORDER BY n",
        (site, site, low, high),
    ):
        yield int(number)


def count_id_gaps(conn: sqlite3.Connection, site: str) -> int:
    """How many numeric ids of `site` within its articles' min..max are neither archived nor
    recorded as skipped (what `id_gaps` would list, counted without listing them)."""
    count, low, high = 0, None, None
    for number in known_numeric_ids(conn, site):
        count += 1
        low = number if low is None else low
        high = number
    return 0 if low is None or high is None else (high - low + 1) - count


class Frontier(Connection):
    """The crawler's reads."""

    def _rows_for_ids(
        self, action: str, sql: str, site: str, site_ids: Sequence[str]
    ) -> Iterator[sqlite3.Row]:
        """Rows of `sql` (its ``{marks}`` an ``IN`` list, its first parameter the site) for
        `site_ids`, in batches that stay under SQLite's parameter limit."""
        ids = list(dict.fromkeys(str(s) for s in site_ids))
        batch = connection.BATCH
        with self._read(action) as conn:
            for start in range(0, len(ids), batch):
                chunk = ids[start : start + batch]
                yield from conn.execute(
                    sql.format(marks=", ".join("?" * len(chunk))), (site, *chunk)
                )

    def known(self, site: str, site_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The archived ones among `site_ids`: site_id → {id, title, url, published, last_seen,
        version, content_hash}."""
        sql = (
            "SELECT site_id, id, title, url, published, last_seen, version, content_hash "
            "FROM articles WHERE site = ? AND site_id IN ({marks})"
        )
        found: dict[str, dict[str, Any]] = {}
        for row in self._rows_for_ids("looking up articles", sql, site, site_ids):
            record = dict(row)
            found[record.pop("site_id")] = record
        return found

    def skip_history(self, site: str, site_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """For those of `site_ids` recorded in ``skips``: site_id → {at, reason} of the latest
        skip and ``count``, how many times it was skipped."""
        sql = (
            "SELECT s.site_id, s.at, s.reason, agg.count FROM skips s JOIN ("
            "SELECT site_id, MAX(rowid) AS last, COUNT(*) AS count FROM skips "
            "WHERE site = ? AND site_id IN ({marks}) GROUP BY site_id"
            ") agg ON s.rowid = agg.last"
        )
        return {
            row["site_id"]: {"at": row["at"], "reason": row["reason"], "count": row["count"]}
            for row in self._rows_for_ids("looking up skips", sql, site, site_ids)
        }

    def failed_unarchived(self, site: str, since: datetime) -> list[dict[str, Any]]:
        """Articles of `site` skipped since `since` that the archive does not hold: site_id,
        url, at and reason of the latest skip, and ``count`` (skips since `since`); oldest
        failure first. What a run retries when the reason may pass (a 503, a timeout)."""
        with self._read("looking up failed articles") as conn:
            return [
                dict(row)
                for row in conn.execute(
                    "SELECT s.site_id, s.url, s.at, s.reason, agg.count FROM skips s JOIN ("
                    "SELECT site_id, MAX(rowid) AS last, MIN(at) AS first, COUNT(*) AS count "
                    "FROM skips WHERE site = ? AND site_id IS NOT NULL AND at >= ? "
                    "GROUP BY site_id"
                    ") agg ON s.rowid = agg.last "
                    "WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.site = ? "
                    "AND a.site_id = agg.site_id) ORDER BY agg.first, s.site_id",
                    (site, format_utc(since), site),
                )
            ]

    def recent(self, site: str, since: datetime) -> list[dict[str, Any]]:
        """Articles of `site` published at or after `since`, newest first: site_id, url, title,
        published, last_seen."""
        with self._read("listing recent articles") as conn:
            return [
                dict(row)
                for row in conn.execute(
                    "SELECT site_id, url, title, published, last_seen FROM articles "
                    "WHERE site = ? AND published >= ? ORDER BY published DESC, id DESC",
                    (site, format_utc(since)),
                )
            ]

    def id_gaps(
        self, site: str, limit: int | None = None, *, newest_first: bool = False
    ) -> list[int]:
        """Numeric site ids between the archive's lowest and highest for `site` that are neither
        archived nor recorded as skipped; ascending (or `newest_first`), at most `limit`."""
        with self._read("finding id gaps") as conn:
            known = list(known_numeric_ids(conn, site))
        if newest_first:
            known.reverse()
        gaps: list[int] = []
        step = -1 if newest_first else 1
        for previous, current in zip(known, known[1:], strict=False):
            for number in range(previous + step, current, step):
                if limit is not None and len(gaps) >= limit:
                    return gaps
                gaps.append(number)
        return gaps[:limit] if limit is not None else gaps
