"""An archive merged from: opened read-only, read in one snapshot, in batches.

`MergeSource` is a read-only `Connection` (so a file that is not an archive, or one of a newer
schema, is refused before anything is written, and the file is never changed), which also
takes an archive of an older schema: a merge reads only the tables every schema has, so a
node still on an older newsarchive can be merged without upgrading it first.

Everything is read inside one read transaction (`snapshot`): a source that a crawl writes to
meanwhile is merged as it was at the start, each article whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from newsarchive.archive import connection, schema
from newsarchive.archive.connection import Connection
from newsarchive.archive.merge_plan import Held, Page

#: What makes a run the same run in every archive that holds a copy of it.
RUN_IDENTITY = ("site", "started", "pid", "mode", "args")
#: The runs columns a merge copies (``id`` is the archive's own, ``source`` is set apart).
RUN_COLUMNS = (
    *RUN_IDENTITY,
    "finished",
    "status",
    "requests",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "skipped",
    "error",
)
#: The skips columns (``run_id`` in the archive's own ids).
SKIP_COLUMNS = ("run_id", "url", "stage", "reason", "detail", "at", "site", "site_id")


def run_key(run: dict[str, Any] | None) -> str:
    """A run's identity as text, comparable across archives ('' for no run)."""
    return "" if run is None else json.dumps([run[c] for c in RUN_IDENTITY], ensure_ascii=False)


class MergeSource(Connection):
    """A source of `newsarchive merge`, opened read-only (`ArchiveError` if it is not one)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path, readonly=True)

    def _check_schema(self) -> None:
        """As a reader does, except that an older schema is read as it is (see the module)."""
        conn = self.conn
        ours = conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not (ours and 1 <= version < schema.SCHEMA_VERSION):
            super()._check_schema()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: every read inside sees the archive as it was at its start."""
        with self._read("reading"):
            self.conn.execute("BEGIN")
        try:
            self.count_articles()  # a read: the snapshot starts here
            yield
        finally:
            if self._conn is not None and self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def count_articles(self) -> int:
        """How many articles the source holds."""
        with self._read("counting articles") as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def runs(self) -> list[dict[str, Any]]:
        """Every run (with ``id`` and ``source``: NULL before schema 3), in start order."""
        with self._read("reading runs") as conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
            source = "source" if "source" in columns else "NULL AS source"
            order = ", ".join(RUN_IDENTITY)
            sql = f"SELECT id, {', '.join(RUN_COLUMNS)}, {source} FROM runs ORDER BY {order}, id"
            return [dict(row) for row in conn.execute(sql)]

    def articles(self, run_keys: dict[int, str]) -> Iterator[list[tuple[int, Held]]]:
        """Every article as (its id here, `Held` with ``run_id`` as it is here and ``run_key``
        from `run_keys`), in batches of `connection.BATCH`, by id."""
        last_id = -1
        while True:
            with self._read("reading articles") as conn:
                rows = conn.execute(
                    "SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                    (last_id, connection.BATCH),
                ).fetchall()
                if not rows:
                    return
                last_id = rows[-1]["id"]
                helds: dict[int, Held] = {}
                for row in rows:
                    record = dict(row)
                    article_id = record.pop("id")
                    key = run_keys.get(record["run_id"], "")
                    helds[article_id] = Held(row=record, run_key=key)
                self._add_versions(conn, helds)
            yield list(helds.items())

    @staticmethod
    def _add_versions(conn: Any, helds: dict[int, Held]) -> None:
        """Each article's old versions and raw pages (metadata only: the HTML is read when
        it is copied)."""
        marks = ", ".join("?" * len(helds))
        ids = list(helds)
        for row in conn.execute(
            f"SELECT * FROM article_versions WHERE article_id IN ({marks}) "
            "ORDER BY article_id, version",
            ids,
        ):
            helds[row["article_id"]].versions.append(dict(row))
        for row in conn.execute(
            "SELECT article_id, version, url, fetched_at, status, length(html) AS size "
            f"FROM raw_pages WHERE article_id IN ({marks}) ORDER BY article_id, version",
            ids,
        ):
            page = Page(
                "source",
                row["version"],
                row["url"],
                row["fetched_at"],
                row["status"],
                row["size"] or 0,
            )
            helds[row["article_id"]].pages.append(page)

    def page_html(self, article_id: int, version: int) -> bytes | None:
        """A raw page's compressed HTML."""
        with self._read("reading raw pages") as conn:
            row = conn.execute(
                "SELECT html FROM raw_pages WHERE article_id = ? AND version = ?",
                (article_id, version),
            ).fetchone()
        return None if row is None else row[0]

    def skips(self) -> Iterator[list[tuple[Any, ...]]]:
        """Every distinct skip with how many times the source holds it (its columns, then the
        count), in batches of `connection.BATCH`."""
        columns = ", ".join(SKIP_COLUMNS)
        with self._read("reading skips") as conn:
            cursor = conn.execute(
                f"SELECT {columns}, COUNT(*) FROM skips GROUP BY {columns} ORDER BY {columns}"
            )
            while True:
                batch = [tuple(row) for row in cursor.fetchmany(connection.BATCH)]
                if not batch:
                    return
                yield batch
