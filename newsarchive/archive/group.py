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
(`Store.insert_new_rows`). Only when a write raises is the group's work undone (to the
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
                except _Redo:  # a bug on one write: again, each write in a savepoint
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
        """The group's writes in order; each in a savepoint of its own when `alone`, else a
        write that raises (not `ArchiveError`) raises `_Redo`."""
        results: list[str | BaseException | None] = []
        stored = 0
        new_rows: list[NewRow] = []
        for write in writes:
            if isinstance(write, Article) and limit is not None and stored >= limit:
                results.append(LET_GO)
                continue
            if alone:
                result = self._one(conn, write, run_id=run_id, now=now)
            else:
                try:
                    result = self._write_one(write, run_id=run_id, now=now, new_rows=new_rows)
                except ArchiveError:
                    raise
                except Exception as exc:
                    raise _Redo from exc
            stored += result in ("new", "updated")
            results.append(result)
        try:
            self.insert_new_rows(new_rows)
        except ArchiveError:
            raise
        except Exception as exc:  # e.g. one article twice in the group
            raise _Redo from exc
        return results

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


class _Redo(Exception):
    """A write of a group raised: the group is written again, each write in a savepoint."""
