"""Group commit: many of a crawl's writes (articles with their raw pages, skips) in one
transaction, for the crawl's worker process (`newsarchive.crawl.worker`).

Each write is what `Store.store` or `Store.record_skip` does on its own, in the group's one
transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): an article on which our code raises (a bug)
leaves nothing of itself and the others stand; a failure of the file (a full disk, a read-only
or damaged file) rolls the whole group back and raises `ArchiveError`. So a group is written
entirely or not at all, and a process killed at any moment loses only writes not yet committed
— which the next run makes again (DESIGN, "Guarantees").

FTS5 writes its pending index to disk at every savepoint and every statement that may need
undoing (the index trigger's INSERT runs inside the article's): an article a statement wrote an
index segment an article, twice the cost of indexing it. So the writes go in with no savepoint
of their own, and the group's new articles in a few many-row INSERTs at its end
(`GroupStore.insert_new_rows`). Only when a write raises is the group's work undone (to the
savepoint taken before its first write) and the group written again, each write in a
savepoint of its own, so that the one that raises is undone alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsarchive.archive.errors import ArchiveError
from newsarchive.archive.store import NewRow, Store
from newsarchive.items import Article, PageSkip

#: Bound variables an SQLite statement may hold before 3.32 (the smallest limit we may meet).
MAX_VARIABLES = 999
#: What `write_group` says of an article it did not store: the run's limit was reached.
LET_GO = None


@dataclass(frozen=True)
class SkipRecord:
    """A skip to record: the page and when it was met."""

    skip: PageSkip
    at: datetime


class GroupStore(Store):
    """Writes of a crawl committed in groups."""

    def write_group(
        self,
        writes: Sequence[Article | SkipRecord],
        *,
        run_id: int | None,
        now: datetime,
        limit: int | None = None,
    ) -> list[str | BaseException | None]:
        """Store each article and record each skip of `writes` in one transaction.

        Returns, for each write in order: ``new``, ``updated`` or ``unchanged`` for an article,
        ``skip`` for a skip, the exception a write raised (its own writes undone, the others
        kept), or `LET_GO` (None) for an article after `limit` articles were stored new or
        updated by this group. Raises `ArchiveError` when the file fails: nothing of the group
        is written then.
        """
        with self._write(f"storing a group of {len(writes)} pages") as conn:
            self._bulk = True
            try:
                conn.execute("SAVEPOINT group_writes")
                try:
                    results = self._writes(conn, writes, run_id=run_id, now=now, limit=limit)
                except ArchiveError:
                    raise  # the file failed: the whole group rolls back
                except Exception:  # a bug on one write: again, each write in a savepoint
                    conn.execute("ROLLBACK TO group_writes")
                    results = self._writes(
                        conn, writes, run_id=run_id, now=now, limit=limit, alone=True
                    )
                conn.execute("RELEASE group_writes")
            finally:
                self._bulk = False
        return results

    def _writes(
        self,
        conn: sqlite3.Connection,
        writes: Sequence[Article | SkipRecord],
        *,
        run_id: int | None,
        now: datetime,
        limit: int | None,
        alone: bool = False,
    ) -> list[str | BaseException | None]:
        """The group's writes in order: each in a savepoint of its own when `alone` (a write
        that raises is undone and its exception is its result), else the new articles set
        aside and inserted together at the end (a write that raises raises)."""
        results: list[str | BaseException | None] = []
        stored = 0
        new_rows: list[NewRow] | None = None if alone else []
        for write in writes:
            if isinstance(write, Article) and limit is not None and stored >= limit:
                results.append(LET_GO)
                continue
            if alone:
                result = self._one(conn, write, run_id=run_id, now=now)
            else:
                result = self._write_one(write, run_id=run_id, now=now, new_rows=new_rows)
            stored += result in ("new", "updated")
            results.append(result)
        if new_rows:
            self.insert_new_rows(new_rows)  # raises on one article twice in the group
        return results

    def insert_new_rows(self, new_rows: Sequence[NewRow]) -> None:
        """Insert the new articles a group's `store` calls set aside, with their raw pages: many
        rows an INSERT statement. (FTS5 writes its pending index to disk at every statement
        that may need undoing, and the index trigger runs inside the article's INSERT: one
        INSERT an article wrote one index segment an article, twice the cost of indexing.)"""
        if not new_rows:
            return
        columns = list(new_rows[0].values)
        per_statement = max(1, MAX_VARIABLES // len(columns))
        with self._write(f"storing {len(new_rows)} new articles") as conn:
            ids: dict[tuple[str, str], int] = {}
            for at in range(0, len(new_rows), per_statement):
                chunk = new_rows[at : at + per_statement]
                rows = ", ".join(["(" + ", ".join("?" * len(columns)) + ")"] * len(chunk))
                conn.execute(
                    f"INSERT INTO articles ({', '.join(columns)}) VALUES {rows}",
                    [row.values[c] for row in chunk for c in columns],
                )
                pairs = ", ".join(["(?, ?)"] * len(chunk))
                found = conn.execute(
                    f"SELECT id, site, site_id FROM articles WHERE (site, site_id) IN (VALUES {pairs})",
                    [v for row in chunk for v in (row.article.site, row.article.site_id)],
                )
                ids.update(((site, site_id), article_id) for article_id, site, site_id in found)
            for row in new_rows:
                article_id = ids[(row.article.site, row.article.site_id)]
                self._store_raw_page(conn, article_id, 1, row.article, row.values["first_seen"])

    def _write_one(
        self,
        write: Article | SkipRecord,
        *,
        run_id: int | None,
        now: datetime,
        new_rows: list[NewRow] | None = None,
    ) -> str:
        if isinstance(write, SkipRecord):
            skip = write.skip
            self.record_skip(
                run_id=run_id, url=skip.url, stage=skip.stage, reason=skip.reason,
                detail=skip.detail, at=write.at, site=skip.site, site_id=skip.site_id,
            )  # fmt: skip
            return "skip"
        return self.store(write, run_id=run_id, now=now, new_rows=new_rows)

    def _one(
        self,
        conn: sqlite3.Connection,
        write: Article | SkipRecord,
        *,
        run_id: int | None,
        now: datetime,
    ) -> str | BaseException:
        """One write in its own savepoint: its result, or the exception it raised (undone)."""
        conn.execute("SAVEPOINT one_write")
        try:
            result: str | BaseException = self._write_one(write, run_id=run_id, now=now)
        except ArchiveError:
            raise  # the file failed: the whole group rolls back
        except Exception as exc:  # a bug on this page: undo it, keep the others
            conn.execute("ROLLBACK TO one_write")
            result = exc
        conn.execute("RELEASE one_write")
        return result

