"""What a crawl writes: articles with their versions and raw pages, runs, skips, crawl state.

Each write is one short transaction of its own (`Connection._write`), so a crawl killed at any
moment loses nothing already stored; an edited article's old text goes to ``article_versions``
in the same transaction that updates its row.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsarchive.archive.connection import Connection
from newsarchive.archive.schema import RUN_STATUSES
from newsarchive.archive.values import json_list
from newsarchive.dates import format_utc
from newsarchive.items import Article
from newsarchive.text import content_hash, word_count

#: zlib level of the kept raw pages (a fixed extractor re-reads them; size matters more).
RAW_PAGE_ZLIB_LEVEL = 6
#: Bound variables an SQLite statement may hold before 3.32 (the smallest limit we may meet).
MAX_VARIABLES = 999


@dataclass(frozen=True)
class NewRow:
    """A new article set aside by `Store.store` for `Store.insert_new_rows`: its row's values."""

    article: Article
    values: dict[str, Any]
    stamp: str


def article_fields(article: Article, digest: str) -> dict[str, Any]:
    """The articles columns an article sets each time it is stored (identity, version and
    timestamps aside), `digest` its content hash."""
    return {
        "url": article.url,
        "title": article.title,
        "section": article.section,
        "subsection": article.subsection,
        "published": format_utc(article.published),
        "published_local": (
            article.published_local.isoformat() if article.published_local else None
        ),
        "author": article.author,
        "body": article.body,
        "tags": json_list(article.tags),
        "sources": json_list(article.sources),
        "image_url": article.image_url,
        "word_count": word_count(article.body),
        "content_hash": digest,
    }


class Store(Connection):
    """The archive's writes (and the crawl state read back with `get_state`)."""

    def store(
        self,
        article: Article,
        *,
        run_id: int | None,
        now: datetime,
        new_rows: list[NewRow] | None = None,
    ) -> str:
        """Store one article in one transaction; returns ``new``, ``updated`` or ``unchanged``.

        The content hash (title, body, tags) decides. Unchanged: only ``last_seen`` moves.
        Updated: the old text goes to ``article_versions``, the row takes every new field,
        ``version`` + 1. A raw page is kept for each stored version when ``article.html`` is set.
        With `new_rows` (a group's), a new article is not inserted but added to it, for
        `insert_new_rows` to insert with the others in one statement.
        """
        digest = content_hash(article.title, article.body, article.tags)
        stamp = format_utc(now)
        fields = article_fields(article, digest)
        action = f"storing {article.site} {article.site_id}"
        with self._write(action) as conn:
            row = conn.execute(
                "SELECT id, version, content_hash, last_changed, title, body, tags "
                "FROM articles WHERE site = ? AND site_id = ?",
                (article.site, article.site_id),
            ).fetchone()
            if row is None:
                if new_rows is not None:
                    new_rows.append(NewRow(article, self._new_values(article, fields, run_id, stamp), stamp))
                    return "new"
                self._insert_article(conn, article, fields, run_id=run_id, stamp=stamp)
                return "new"
            if row["content_hash"] == digest:
                conn.execute(
                    "UPDATE articles SET last_seen = MAX(COALESCE(last_seen, ''), ?) WHERE id = ?",
                    (stamp, int(row["id"])),
                )
                return "unchanged"
            self._update_article(conn, row, article, fields, run_id=run_id, stamp=stamp)
            return "updated"

    @classmethod
    def _insert_article(
        cls,
        conn: sqlite3.Connection,
        article: Article,
        fields: dict[str, Any],
        *,
        run_id: int | None,
        stamp: str,
    ) -> None:
        """A new article: its row as version 1, and its raw page."""
        values = cls._new_values(article, fields, run_id, stamp)
        columns = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        cursor = conn.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})", values)
        cls._store_raw_page(conn, int(cursor.lastrowid or 0), 1, article, stamp)

    @staticmethod
    def _new_values(
        article: Article, fields: dict[str, Any], run_id: int | None, stamp: str
    ) -> dict[str, Any]:
        """A new article's row, as version 1."""
        return {
            "site": article.site,
            "site_id": article.site_id,
            **fields,
            "version": 1,
            "first_seen": stamp,
            "last_seen": stamp,
            "last_changed": stamp,
            "run_id": run_id,
        }

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
                self._store_raw_page(conn, article_id, 1, row.article, row.stamp)

    @classmethod
    def _update_article(
        cls,
        conn: sqlite3.Connection,
        row: sqlite3.Row,
        article: Article,
        fields: dict[str, Any],
        *,
        run_id: int | None,
        stamp: str,
    ) -> None:
        """A changed article: the old text to article_versions, the row to the new version."""
        article_id, old_version = int(row["id"]), int(row["version"])
        conn.execute(
            "INSERT INTO article_versions (article_id, version, title, body, tags, "
            "content_hash, seen_from, seen_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                old_version,
                row["title"],
                row["body"],
                row["tags"],
                row["content_hash"],
                row["last_changed"],
                stamp,
            ),
        )
        # Never INSERT OR REPLACE here: it would bypass the FTS delete trigger.
        values = {
            **fields,
            "version": old_version + 1,
            "last_seen": stamp,
            "last_changed": stamp,
            "run_id": run_id,
            "id": article_id,
        }
        assignments = ", ".join(f"{c} = :{c}" for c in values if c != "id")
        conn.execute(f"UPDATE articles SET {assignments} WHERE id = :id", values)
        cls._store_raw_page(conn, article_id, old_version + 1, article, stamp)

    @staticmethod
    def _store_raw_page(
        conn: sqlite3.Connection, article_id: int, version: int, article: Article, stamp: str
    ) -> None:
        if article.html is None:
            return
        conn.execute(
            "INSERT INTO raw_pages (article_id, version, url, fetched_at, status, html) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, version) DO UPDATE SET "
            "url = excluded.url, fetched_at = excluded.fetched_at, status = excluded.status, "
            "html = excluded.html",
            (
                article_id,
                version,
                article.url,
                format_utc(article.fetched_at) if article.fetched_at else stamp,
                article.status,
                zlib.compress(article.html.encode("utf-8"), RAW_PAGE_ZLIB_LEVEL),
            ),
        )

    def start_run(
        self, site: str | None, mode: str, args: dict[str, Any], pid: int, started: datetime
    ) -> int:
        """Record a run as ``running``; returns its id. Call `mark_interrupted` before this."""
        with self._write("starting a run") as conn:
            cursor = conn.execute(
                "INSERT INTO runs (site, started, status, mode, pid, args) "
                "VALUES (?, ?, 'running', ?, ?, ?)",
                (
                    site,
                    format_utc(started),
                    mode,
                    pid,
                    json.dumps(args, ensure_ascii=False, sort_keys=True, default=str),
                ),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        finished: datetime,
        requests: int,
        new: int,
        updated: int,
        unchanged: int,
        skipped: int,
        error: str | None = None,
        state: dict[str, str | None] | None = None,
    ) -> None:
        """Close a run with its outcome (``ok``, ``failed`` or ``interrupted``) and counts.

        `state` (key → value) is crawl bookkeeping of the run's site written in the same
        transaction, so it never says more than the runs table (a run killed while closing
        leaves neither, and the next run marks it interrupted).
        """
        if status not in RUN_STATUSES or status == "running":
            raise ValueError(
                f"a finished run's status is ok, failed or interrupted, not {status!r}"
            )
        with self._write("finishing a run") as conn:
            if state:
                site = conn.execute("SELECT site FROM runs WHERE id = ?", (run_id,)).fetchone()
                for key, value in state.items():
                    self._set_state(conn, site[0] if site else None, key, value)
            conn.execute(
                "UPDATE runs SET status = ?, finished = ?, requests = ?, articles_new = ?, "
                "articles_updated = ?, articles_unchanged = ?, skipped = ?, error = ? "
                "WHERE id = ?",
                (
                    status,
                    format_utc(finished),
                    requests,
                    new,
                    updated,
                    unchanged,
                    skipped,
                    error,
                    run_id,
                ),
            )

    def mark_interrupted(self, now: datetime, keep: Collection[int] = ()) -> int:
        """Every run still ``running`` becomes ``interrupted`` (its process died); returns how many.
        `keep`: the runs this process has open (the other sites of one multi-site run).

        Call it while holding the crawl lock and before `start_run` of the new run.
        """
        live = sorted(keep)
        with self._write("marking interrupted runs") as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = 'interrupted', finished = ?, "
                "error = COALESCE(error, 'the process ended before the run finished') "
                f"WHERE status = 'running' AND id NOT IN ({', '.join('?' * len(live))})",
                (format_utc(now), *live),
            )
            return cursor.rowcount

    def record_skip(
        self,
        *,
        run_id: int | None,
        url: str,
        stage: str,
        reason: str,
        detail: str,
        at: datetime,
        site: str | None = None,
        site_id: str | None = None,
    ) -> None:
        """Record a page that was not stored (``stage``: download/extract/validate/store)."""
        with self._write("recording a skip") as conn:
            conn.execute(
                "INSERT INTO skips (run_id, url, stage, reason, detail, at, site, site_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, url, stage, reason, detail, format_utc(at), site, site_id),
            )

    def get_state(self, site: str, key: str) -> str | None:
        """A crawl bookkeeping value of `site`, or None."""
        with self._read("reading crawl state") as conn:
            row = conn.execute(
                "SELECT value FROM site_state WHERE site = ? AND key = ?", (site, key)
            ).fetchone()
        return None if row is None else row[0]

    def set_state(self, site: str, key: str, value: str | None) -> None:
        """Set a crawl bookkeeping value of `site`."""
        with self._write("writing crawl state") as conn:
            self._set_state(conn, site, key, value)

    @staticmethod
    def _set_state(conn: sqlite3.Connection, site: str | None, key: str, value: str | None) -> None:
        conn.execute(
            "INSERT INTO site_state (site, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (site, key) DO UPDATE SET value = excluded.value",
            (site, key, value),
        )
