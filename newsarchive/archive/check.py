"""`newsarchive check`: SQLite's own checks, the full-text index's, and the archive's invariants.

The invariants are data: `INVARIANTS` is a list of (message, SQL) pairs, the SQL selecting what
breaks the invariant (one row each, its columns joined by ``:`` in the report); `Check.check`
runs them in a loop. A new invariant is one line.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from newsarchive.archive import connection
from newsarchive.archive.connection import Connection
from newsarchive.archive.errors import damaged, error_code
from newsarchive.archive.schema import RUN_STATUSES
from newsarchive.archive.values import loads_list
from newsarchive.text import content_hash

#: The content-hash invariant: computed in Python (`Check._bad_hashes`), not SQL.
CONTENT_HASH = "articles whose content_hash does not match their title, body and tags (id)"

#: (message, SQL selecting the offenders); SQL None is `CONTENT_HASH`'s place in the order.
INVARIANTS: tuple[tuple[str, str | None], ...] = (
    (
        "articles whose article_versions are not exactly 1..version-1 (id)",
        "SELECT a.id FROM articles a LEFT JOIN article_versions v "
        "ON v.article_id = a.id GROUP BY a.id "
        "HAVING a.version IS NULL OR a.version < 1 "
        "OR COUNT(v.version) != a.version - 1 "
        "OR (COUNT(v.version) > 0 AND (MIN(v.version) != 1 "
        "OR MAX(v.version) != a.version - 1)) ORDER BY a.id",
    ),
    (
        "article_versions of no article (article_id)",
        "SELECT DISTINCT article_id FROM article_versions "
        "WHERE article_id NOT IN (SELECT id FROM articles)",
    ),
    (CONTENT_HASH, None),
    (
        "articles with raw pages but none for the current version (id)",
        "SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM raw_pages r "
        "WHERE r.article_id = a.id) AND NOT EXISTS (SELECT 1 FROM raw_pages r "
        "WHERE r.article_id = a.id AND r.version = a.version) ORDER BY a.id",
    ),
    (
        "duplicate (site, site_id)",
        "SELECT site, site_id FROM articles GROUP BY site, site_id HAVING COUNT(*) > 1",
    ),
    (
        "articles whose published is not YYYY-MM-DDTHH:MM:SSZ (id)",
        "SELECT id FROM articles WHERE "
        "strftime('%Y-%m-%dT%H:%M:%SZ', published) IS NOT published ORDER BY id",
    ),
    (
        "runs with an unknown status (id)",
        "SELECT id FROM runs WHERE status NOT IN "
        "(" + ", ".join(f"'{status}'" for status in RUN_STATUSES) + ")",
    ),
)

#: How long `Check.verify` looks for damaged pages before it gives up, inconclusive (seconds).
VERIFY_SECONDS = 2.0

#: FTS5's own checks, (command, what it checks): the index, then (rank 1) its agreement with
#: the articles table.
_FTS_CHECKS = (
    ("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')", "index"),
    (
        "INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)",
        "index against the articles",
    ),
)


def _report(what: str, ids: list[Any]) -> list[str]:
    """One problem line naming the first ten offenders, or none."""
    if not ids:
        return []
    shown = ", ".join(str(i) for i in ids[:10])
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    return [f"{what}: {shown}{more}"]


class Check(Connection):
    """`check`: what is wrong with the archive, one line a problem; `verify`: a quick look for
    damaged pages, bounded in time, for commands that open an archive to use it."""

    def verify(self, seconds: float = VERIFY_SECONDS) -> bool:
        """SQLite's ``quick_check`` (every page and index read, no cross-checks), stopped after
        `seconds`: True when it found nothing, False when it ran out of time (inconclusive: a
        large archive on a slow disk). Raises `DamagedArchive`, whose message says what to do
        (restore the backup or recover), when pages are damaged.

        A file damaged in the middle opens and answers until a query reaches the damaged
        pages; `serve` (and a crawl) call this at start, so that the damage is found out then
        rather than as an error in every request. Older SQLite (3.40 here) walks the b-trees
        in one uninterruptible step, stopped only after it: that walk reads the file once
        (the benchmark's 111 MB archive: 0.06 s from the page cache, 0.5 s from disk)."""
        with self._time_limit(seconds) as expired:
            try:
                rows = [row[0] for row in self.conn.execute("PRAGMA quick_check")]
            except sqlite3.Error as exc:
                if expired():
                    return False
                raise self._archive_error(exc, "checking") from exc
        if rows != ["ok"]:
            more = f" and {len(rows) - 1} more problems" if len(rows) > 1 else ""
            raise damaged(self._name, f"{rows[0]}{more}")
        return True

    def check(self, *, fts: bool = True) -> list[str]:
        """Problems found, one line each; empty when all is well.

        SQLite's integrity_check and foreign_key_check, the FTS index's own integrity check and
        its agreement with the articles, and the archive's invariants: versions 1..version-1 in
        article_versions, content_hash matches the stored text, a raw page for the current
        version wherever raw pages are kept, one row per (site, site_id), published format.

        FTS5 runs its integrity checks only inside a write transaction, which would hold up a
        crawl writing meanwhile: ``fts=False`` leaves them out (everything else only reads).

        A file whose pages are damaged is one problem more, saying what to do (restore the
        backup or recover: `errors.recovery_advice`); the checks stop at the first damaged page
        they meet.
        """
        problems: list[str] = []
        with self._read("checking") as conn:
            try:
                self._check_sqlite(conn, problems)
                if fts:
                    problems.extend(self._check_fts(conn))
                for message, sql in INVARIANTS:
                    if sql is None:
                        offenders: list[Any] = self._bad_hashes(conn)
                    else:
                        offenders = [":".join(str(v) for v in row) for row in conn.execute(sql)]
                    problems += _report(message, offenders)
            except sqlite3.DatabaseError as exc:
                if error_code(exc) != "SQLITE_CORRUPT":
                    raise
                problems.append(str(damaged(self._name, f"{exc}; the checks stopped there")))
        return problems

    def _check_sqlite(self, conn: sqlite3.Connection, problems: list[str]) -> None:
        """SQLite's integrity_check (a damaged file is one problem more, with what to do) and
        foreign_key_check, their problems added to `problems`."""
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems.extend(f"integrity_check: {row}" for row in rows)
            problems.append(str(damaged(self._name, f"integrity_check found {len(rows)} problems")))
        bad_keys = conn.execute("PRAGMA foreign_key_check").fetchall()
        problems += _report(
            "rows pointing to a missing parent (table, rowid)",
            [f"{row[0]} {row[1]}" for row in bad_keys],
        )

    def _check_fts(self, conn: sqlite3.Connection) -> list[str]:
        """FTS5's integrity check, then (rank 1) its agreement with the articles table.

        Both are ``INSERT`` commands that SQLite refuses on a read-only connection, although
        they write nothing: a read-only archive is checked through a short-lived read-write
        connection whose transaction is rolled back (skipped when the file is not writable).
        """
        own: sqlite3.Connection | None = conn
        if self.readonly:
            own = self._side_writer()
            if own is None:
                return []
        # The write lock is taken first, with BEGIN IMMEDIATE: SQLite waits for a busy writer
        # (busy_timeout) only when a transaction starts, never when a read turns into a write,
        # which is what the INSERTs would do. A crawl's worker killed with its parent lets go
        # of the lock a few milliseconds after the parent is gone.
        try:
            own.execute("BEGIN IMMEDIATE")
            try:
                for sql, what in _FTS_CHECKS:
                    try:
                        own.execute(sql)
                    except sqlite3.Error as exc:
                        if error_code(exc) in ("SQLITE_CORRUPT", "SQLITE_ERROR", ""):
                            return [f"full-text index ({what}) is inconsistent: {exc}"]
                        raise
            finally:
                if own.in_transaction:
                    own.execute("ROLLBACK")
        finally:
            if own is not conn:
                own.close()
        return []

    @staticmethod
    def _bad_hashes(conn: sqlite3.Connection) -> list[int]:
        """Ids of the articles whose content_hash is not that of their title, body and tags."""
        bad: list[int] = []
        last_id = -1
        while True:
            rows = conn.execute(
                "SELECT id, title, body, tags, content_hash FROM articles WHERE id > ? "
                "ORDER BY id LIMIT ?",
                (last_id, connection.BATCH),
            ).fetchall()
            if not rows:
                return bad
            for row in rows:
                digest = content_hash(
                    row["title"] or "", row["body"] or "", loads_list(row["tags"])
                )
                if digest != row["content_hash"]:
                    bad.append(row["id"])
            last_id = rows[-1]["id"]
