"""`newsarchive merge`: fold another archive into this one, order-free and idempotent.

`Merge.merge_from(source)` copies a `MergeSource` in, in this order, each batch of
`connection.BATCH` rows one write transaction (so a merge killed at any moment leaves the
archive consistent, and the same merge run again completes it):

1. runs: a run is the same run in every archive that holds it (site, start, pid, mode,
   arguments: `merge_source.RUN_IDENTITY`); one new here is copied with ``source`` naming the
   archive it ran in (its own ``source`` when it came through another merge). A run still
   ``running`` there is copied ``interrupted`` (never ``running`` here: no crawl of this
   archive holds it); a later merge of the finished run updates the copy.
2. articles, one (site, site_id) at a time: `merge_plan.plan` says what the article becomes;
   only what differs is written. The row is INSERTed or UPDATEd (never INSERT OR REPLACE,
   which would bypass the full-text index's delete trigger), so the index follows.
3. skips: each distinct skip as many times as the most any one archive holds it, so merging
   the same source twice does not double them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from newsarchive.archive import connection
from newsarchive.archive.connection import Connection
from newsarchive.archive.merge_plan import Held, Page, Plan, plan
from newsarchive.archive.merge_source import (
    RUN_COLUMNS,
    RUN_IDENTITY,
    SKIP_COLUMNS,
    MergeSource,
    run_key,
)

_FIND_RUN = (
    f"SELECT id, {', '.join(RUN_COLUMNS)} FROM runs WHERE "
    + " AND ".join(f"{c} IS :{c}" for c in RUN_IDENTITY)
    + " ORDER BY id LIMIT 1"
)
_INSERT_RUN = (
    f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}, source) "
    f"VALUES ({', '.join(':' + c for c in RUN_COLUMNS)}, :source)"
)
_UPDATE_RUN = (
    "UPDATE runs SET "
    + ", ".join(f"{c} = :{c}" for c in RUN_COLUMNS if c not in RUN_IDENTITY)
    + " WHERE id = :id"
)
_COUNT_SKIP = "SELECT COUNT(*) FROM skips WHERE " + " AND ".join(f"{c} IS ?" for c in SKIP_COLUMNS)
_INSERT_SKIP = (
    f"INSERT INTO skips ({', '.join(SKIP_COLUMNS)}) VALUES ({', '.join('?' * len(SKIP_COLUMNS))})"
)
_INSERT_VERSION = (
    "INSERT INTO article_versions (article_id, version, title, body, tags, content_hash, "
    "seen_from, seen_until, last_seen) VALUES (:article_id, :version, :title, :body, :tags, "
    ":content_hash, :seen_from, :seen_until, :last_seen)"
)
_INSERT_PAGE = (
    "INSERT INTO raw_pages (article_id, version, url, fetched_at, status, html) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass
class MergeCounts:
    """What a merge did: source articles new here, updated (a version this archive did not
    hold, or another one current), unchanged (timestamps aside, as a crawl counts); versions
    the archive did not hold; runs and skips copied in."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    versions: int = 0
    runs: int = 0
    skips: int = 0

    def add(self, other: MergeCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _run_copy(run: dict[str, Any], name: str) -> dict[str, Any]:
    """A source's run as this archive keeps it: marked with where it ran, never running."""
    copy = {c: run[c] for c in RUN_COLUMNS}
    copy["source"] = run["source"] or name
    if copy["status"] == "running":
        copy["status"] = "interrupted"
        copy["error"] = copy["error"] or f"still running in {name} when merged"
    return copy


#: The counts of a run, compared when two copies of one run differ.
_RUN_COUNTS = (
    "requests",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "skipped",
)


def _run_rank(run: Any) -> tuple[Any, ...]:
    """Which of two copies of one run knows more: finished later, counted more."""
    return (
        run["finished"] or "",
        *(run[c] or 0 for c in _RUN_COUNTS),
        run["status"],
        run["error"] or "",
    )


class Merge(Connection):
    """`merge_from`: another archive folded into this one (see the module)."""

    def merge_from(
        self, source: MergeSource, name: str, progress: Callable[[int], None] | None = None
    ) -> MergeCounts:
        """Merge `source` (called `name` in the runs it brings) into this archive; `progress`
        is called with the number of articles of each batch done."""
        counts = MergeCounts()
        with source.snapshot():
            runs = source.runs()
            ids = self._merge_runs(runs, name, counts)
            with self._read("reading runs") as conn:
                keys = {row["id"]: run_key(row) for row in conn.execute("SELECT * FROM runs")}
            for batch in source.articles({run["id"]: run_key(run) for run in runs}):
                done = MergeCounts()
                with self._write(f"merging articles from {name}") as conn:
                    for source_id, held in batch:
                        held.row["run_id"] = ids.get(held.row["run_id"])
                        self._merge_article(conn, source, source_id, held, keys, done)
                counts.add(done)
                if progress:
                    progress(len(batch))
            for skips in source.skips():
                with self._write(f"merging skips from {name}") as conn:
                    counts.skips += self._merge_skips(conn, skips, ids)
        return counts

    def _merge_runs(
        self, runs: list[dict[str, Any]], name: str, counts: MergeCounts
    ) -> dict[int, int]:
        """Copy in the runs this archive lacks (or knows less of); their ids here by the
        source's."""
        ids: dict[int, int] = {}
        for start in range(0, len(runs), connection.BATCH):
            added = 0
            with self._write(f"merging runs from {name}") as conn:
                for run in runs[start : start + connection.BATCH]:
                    copy = _run_copy(run, name)
                    known = conn.execute(_FIND_RUN, copy).fetchone()
                    if known is None:
                        ids[run["id"]] = int(conn.execute(_INSERT_RUN, copy).lastrowid or 0)
                        added += 1
                        continue
                    ids[run["id"]] = int(known["id"])
                    if _run_rank(copy) > _run_rank(known):
                        conn.execute(_UPDATE_RUN, {**copy, "id": known["id"]})
            counts.runs += added
        return ids

    def _merge_article(
        self,
        conn: sqlite3.Connection,
        source: MergeSource,
        source_id: int,
        held: Held,
        keys: dict[int, str],
        counts: MergeCounts,
    ) -> None:
        """Merge one source article (`held`, run id already this archive's) into this one."""
        row = conn.execute(
            "SELECT * FROM articles WHERE site = ? AND site_id = ?",
            (held.row["site"], held.row["site_id"]),
        ).fetchone()
        if row is not None:
            target = _held(conn, row, keys)
            merged = plan(target, held)
            counts.versions += merged.added
            _update(conn, int(row["id"]), target, merged, source, source_id)
            if merged.added or merged.row["content_hash"] != row["content_hash"]:
                counts.updated += 1  # as a crawl counts: a new version (timestamps aside)
            else:
                counts.unchanged += 1
            return
        merged = plan(None, held)
        counts.versions += merged.added
        values = {"site": held.row["site"], "site_id": held.row["site_id"], **merged.row}
        columns = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        cursor = conn.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})", values)
        article_id = int(cursor.lastrowid or 0)
        _insert_versions(conn, article_id, merged.versions)
        _write_pages(conn, article_id, merged.pages, source, source_id, {})
        counts.new += 1

    @staticmethod
    def _merge_skips(
        conn: sqlite3.Connection, skips: Iterable[tuple[Any, ...]], ids: dict[int, int]
    ) -> int:
        """Each distinct skip as many times as the source holds it, at least; how many added."""
        added = 0
        for *columns, times in skips:
            columns[0] = None if columns[0] is None else ids.get(columns[0])
            have = conn.execute(_COUNT_SKIP, columns).fetchone()[0]
            for _ in range(times - have):
                conn.execute(_INSERT_SKIP, columns)
                added += 1
        return added


def _held(conn: sqlite3.Connection, row: sqlite3.Row, keys: dict[int, str]) -> Held:
    """This archive's copy of an article, as `plan` takes it."""
    record = dict(row)
    article_id = record.pop("id")
    held = Held(row=record, run_key=keys.get(record["run_id"], ""))
    for version in conn.execute(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,)
    ):
        record = dict(version)
        del record["article_id"]
        held.versions.append(record)
    for page in conn.execute(
        "SELECT version, url, fetched_at, status, length(html) AS size FROM raw_pages "
        "WHERE article_id = ? ORDER BY version",
        (article_id,),
    ):
        held.pages.append(Page("target", page[0], page[1], page[2], page[3], page[4] or 0))
    return held


def _insert_versions(
    conn: sqlite3.Connection, article_id: int, versions: list[dict[str, Any]]
) -> None:
    for version in versions:
        conn.execute(_INSERT_VERSION, {**version, "article_id": article_id})


def _write_pages(
    conn: sqlite3.Connection,
    article_id: int,
    pages: dict[int, Page],
    source: MergeSource,
    source_id: int,
    own: dict[int, bytes | None],
) -> None:
    """Insert the kept raw pages: the HTML from this archive's own pages (`own`, by their
    old version) or read from the source."""
    for number, page in sorted(pages.items()):
        if page.origin == "target":
            html = own.get(page.version)
        else:
            html = source.page_html(source_id, page.version)
        conn.execute(
            _INSERT_PAGE, (article_id, number, page.url, page.fetched_at, page.status, html)
        )


def _update(
    conn: sqlite3.Connection,
    article_id: int,
    target: Held,
    merged: Plan,
    source: MergeSource,
    source_id: int,
) -> None:
    """Write what `merged` changes of an article this archive holds (nothing when nothing
    does: a merge done before changes nothing, the full-text index included)."""
    changed = [c for c, value in merged.row.items() if target.row[c] != value]
    if changed:
        assignments = ", ".join(f"{c} = :{c}" for c in changed)
        conn.execute(
            f"UPDATE articles SET {assignments} WHERE id = :id", {**merged.row, "id": article_id}
        )
    if merged.versions != target.versions:
        conn.execute("DELETE FROM article_versions WHERE article_id = ?", (article_id,))
        _insert_versions(conn, article_id, merged.versions)
    kept = {n: (p.origin, p.version) for n, p in merged.pages.items()}
    if kept != {p.version: ("target", p.version) for p in target.pages}:
        own = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT version, html FROM raw_pages WHERE article_id = ?", (article_id,)
            )
        }
        conn.execute("DELETE FROM raw_pages WHERE article_id = ?", (article_id,))
        _write_pages(conn, article_id, merged.pages, source, source_id, own)
