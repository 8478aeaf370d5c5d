"""What a crawl writes: articles with their versions and raw pages, and skips (the runs and
the crawl state: `newsarchive.archive.runs`).

Each write is one short transaction of its own (`Connection._write`), so a crawl killed at any
moment loses nothing already stored; an edited article's old text goes to ``article_versions``
in the same transaction that updates its row.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsarchive.archive.connection import Connection
from newsarchive.archive.values import json_list
from newsarchive.dates import format_utc
from newsarchive.items import Article
from newsarchive.text import content_hash, word_count

#: zlib level of the kept raw pages (a fixed extractor re-reads them; size matters more).
RAW_PAGE_ZLIB_LEVEL = 6


@dataclass(frozen=True)
class NewRow:
    """A new article set aside by `Store.store` for a group's many-row INSERT
    (`GroupStore.insert_new_rows`): its row's values."""

    article: Article
    values: dict[str, Any]


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
    """The archive's article writes: rows, versions, raw pages and skips."""

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
        `GroupStore.insert_new_rows` to insert with the others in one statement.
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
                if new_rows is None:
                    self._insert_article(conn, article, fields, run_id=run_id, stamp=stamp)
                else:
                    new_rows.append(NewRow(article, self._new_values(article, fields, run_id, stamp)))
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
