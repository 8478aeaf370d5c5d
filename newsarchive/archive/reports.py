"""What users read: statistics, an article's history, exports, runs, raw pages.

Reads only. Long results stream in keyset batches (`connection.BATCH` rows a query), so memory
stays flat for any archive size and a caller may write while iterating.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

from newsarchive.archive import connection
from newsarchive.archive.connection import Connection
from newsarchive.archive.frontier import count_id_gaps
from newsarchive.archive.lookup import find_article
from newsarchive.archive.values import loads_list, published_between

#: The month facet of `newsarchive serve` (Datasette): `{col}` (quoted), `{sql}` (the table
#: view's query) and `{limit}` are filled in; newest month first.
MONTH_FACET_SQL = (
    "SELECT substr({col}, 1, 7) AS value, COUNT(*) AS count FROM ({sql}) "
    "WHERE {col} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' "
    "GROUP BY value ORDER BY value DESC LIMIT {limit}"
)


def dicts(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    """Every row of `sql` as a dict."""
    return [dict(row) for row in conn.execute(sql, params)]


def run_record(row: sqlite3.Row) -> dict[str, Any]:
    """A runs row as a dict, its ``args`` parsed from JSON (left as text when it is not)."""
    record = dict(row)
    if record.get("args"):
        with suppress(ValueError):
            record["args"] = json.loads(record["args"])
    return record


def empty_days(days: set[str], first: str | None, last: str | None) -> list[str]:
    """The dates (``YYYY-MM-DD``) from `first` to `last` that are not in `days`."""
    if not first or not last:
        return []
    try:
        day, end = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
    except ValueError:
        return []
    empty = []
    while day <= end:
        if day.isoformat() not in days:
            empty.append(day.isoformat())
        day += timedelta(days=1)
    return empty


class Reports(Connection):
    """The archive's reads for users (the CLI's stats, history and export; `serve`)."""

    def count_articles(self, site: str | None = None) -> int:
        """Articles archived (of `site`, or all)."""
        with self._read("counting articles") as conn:
            if site is None:
                return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
            return int(
                conn.execute("SELECT COUNT(*) FROM articles WHERE site = ?", (site,)).fetchone()[0]
            )

    def running_run(self) -> dict[str, Any] | None:
        """The latest run still marked ``running`` (id, site, pid, started, mode), or None."""
        with self._read("reading runs") as conn:
            row = conn.execute(
                "SELECT id, site, pid, started, mode FROM runs WHERE status = 'running' "
                "ORDER BY started DESC, id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else dict(row)

    def last_ok_run(self, site: str | None) -> dict[str, Any] | None:
        """The latest run of `site` that finished ``ok`` (every runs column), or None."""
        with self._read("reading runs") as conn:
            row = conn.execute(
                "SELECT * FROM runs WHERE site IS ? AND status = 'ok' "
                "ORDER BY started DESC, id DESC LIMIT 1",
                (site,),
            ).fetchone()
        return None if row is None else run_record(row)

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest `limit` runs, newest first (every runs column, args parsed)."""
        with self._read("reading runs") as conn:
            return [
                run_record(row)
                for row in conn.execute(
                    "SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT ?", (limit,)
                )
            ]

    def raw_pages(self, latest_only: bool = True) -> Iterator[dict[str, Any]]:
        """Stream kept raw pages (article_id, version, url, fetched_at, status, html as text,
        site, site_id), by article id; only each article's current version by default.

        Reads in batches keyed on (article_id, version), so memory stays flat and the caller may
        store new versions while iterating (those of articles already passed are not revisited).
        """
        last_id, last_version = -1, -1
        latest = "AND r.version = a.version" if latest_only else ""
        while True:
            with self._read("reading raw pages") as conn:
                rows = conn.execute(
                    "SELECT r.article_id, r.version, r.url, r.fetched_at, r.status, r.html, "
                    "a.site, a.site_id FROM raw_pages r JOIN articles a ON a.id = r.article_id "
                    f"WHERE (r.article_id, r.version) > (?, ?) {latest} "
                    "ORDER BY r.article_id, r.version LIMIT ?",
                    (last_id, last_version, connection.BATCH),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                record = dict(row)
                blob = record["html"]
                record["html"] = zlib.decompress(blob).decode("utf-8") if blob else None
                yield record
            last_id, last_version = rows[-1]["article_id"], rows[-1]["version"]
            if latest_only:
                last_version = 1 << 62  # next article

    def stats(self, site: str | None = None) -> dict[str, Any]:
        """What the archive holds (of one `site`, or of every site).

        Keys: ``articles``, ``versions`` (superseded rows), ``raw_pages``; ``sites``: per site
        articles, first_published, last_published, empty_days (UTC dates with no article between
        the first and last), id_gaps (count); ``sections``: per site and section articles,
        first_published, last_published; ``months``: per site and ``YYYY-MM`` articles;
        ``runs``: the last 10 runs; ``skips``: per reason count.
        """
        of = "(:site IS NULL OR site = :site)"
        article_of = f"article_id IN (SELECT id FROM articles WHERE {of})"
        p = {"site": site}
        with self._read("computing statistics") as conn:
            result: dict[str, Any] = {
                "articles": conn.execute(f"SELECT COUNT(*) FROM articles WHERE {of}", p).fetchone()[0],
                "versions": conn.execute(f"SELECT COUNT(*) FROM article_versions WHERE {article_of}", p).fetchone()[0],
                "raw_pages": conn.execute(f"SELECT COUNT(*) FROM raw_pages WHERE {article_of}", p).fetchone()[0],
            }  # fmt: skip
            result["sites"] = self._site_stats(conn, site)
            result["sections"] = dicts(
                conn,
                "SELECT site, section, COUNT(*) AS articles, MIN(published) AS "
                f"first_published, MAX(published) AS last_published FROM articles WHERE {of} "
                "GROUP BY site, section ORDER BY site, articles DESC, section",
                p,
            )
            result["months"] = dicts(
                conn,
                "SELECT site, substr(published, 1, 7) AS month, COUNT(*) AS articles "
                f"FROM articles WHERE {of} GROUP BY site, month ORDER BY site, month",
                p,
            )
            result["runs"] = [
                run_record(row)
                for row in conn.execute(
                    f"SELECT * FROM runs WHERE {of} ORDER BY started DESC, id DESC LIMIT 10", p
                )
            ]
            result["skips"] = dicts(
                conn,
                f"SELECT reason, COUNT(*) AS count FROM skips WHERE {of} GROUP BY reason "
                "ORDER BY count DESC, reason",
                p,
            )
        return result

    @staticmethod
    def _site_stats(conn: sqlite3.Connection, site: str | None) -> list[dict[str, Any]]:
        """Per site: articles, first and last published, empty_days, id_gaps (count)."""
        sites = dicts(
            conn,
            "SELECT site, COUNT(*) AS articles, MIN(published) AS first_published, "
            "MAX(published) AS last_published FROM articles "
            "WHERE (:site IS NULL OR site = :site) GROUP BY site ORDER BY site",
            {"site": site},
        )
        for entry in sites:
            days = {
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT substr(published, 1, 10) FROM articles WHERE site = ?",
                    (entry["site"],),
                )
            }
            entry["empty_days"] = empty_days(
                days, entry["first_published"], entry["last_published"]
            )
            entry["id_gaps"] = count_id_gaps(conn, entry["site"])
        return sites

    def history(self, ref: str, aliases: Iterable[str] = ()) -> dict[str, Any]:
        """Every stored version of one article, oldest first.

        `ref` is a site_id (``229777``), ``SITE:site_id``, an archive id (``id:12``, or a
        plain number no site_id matches) or a URL (`lookup.find_article`; `aliases`: the
        ``SITE:ID`` forms of a URL, tried when no stored URL matches). Returns ``article`` (the current row, tags
        and sources as lists) and ``versions``: version, title, body, tags, content_hash,
        seen_from, seen_until (None for the current one) and url (the raw page's, when kept).
        Raises `ArticleNotFound`.
        """
        with self._read("reading history") as conn:
            current = dict(find_article(conn, ref, self._name, aliases))
            urls = {
                row["version"]: row["url"]
                for row in conn.execute(
                    "SELECT version, url FROM raw_pages WHERE article_id = ?", (current["id"],)
                )
            }
            versions = dicts(
                conn,
                "SELECT version, title, body, tags, content_hash, seen_from, seen_until "
                "FROM article_versions WHERE article_id = ? ORDER BY version",
                (current["id"],),
            )
        current["tags"] = loads_list(current["tags"])
        current["sources"] = loads_list(current["sources"])
        for entry in versions:
            entry["tags"] = loads_list(entry["tags"])
            entry["url"] = urls.get(entry["version"])
        versions.append(
            {
                "version": current["version"],
                "title": current["title"],
                "body": current["body"],
                "tags": current["tags"],
                "content_hash": current["content_hash"],
                "seen_from": current["last_changed"],
                "seen_until": None,
                "url": current["url"],
            }
        )
        return {"article": current, "versions": versions}

    def export(
        self,
        *,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
        site: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream articles (every column; tags and sources as lists) by publication time, of
        one `site` or of every site.

        Reads in keyset batches, so memory stays flat for any archive size. A date `until`
        includes its whole day.
        """
        where, params = published_between("published", since, until)
        where.insert(0, "(published, id) > (:after_published, :after_id)")
        if site is not None:
            where.append("site = :site")
            params = {**params, "site": site}
        sql = (
            f"SELECT * FROM articles WHERE {' AND '.join(where)} "
            "ORDER BY published, id LIMIT :batch"
        )
        after: tuple[str, int] = ("", -1)
        while True:
            with self._read("exporting") as conn:
                keyset = {"after_published": after[0], "after_id": after[1]}
                rows = conn.execute(sql, {**params, **keyset, "batch": connection.BATCH}).fetchall()
            if not rows:
                return
            for row in rows:
                record = dict(row)
                record["tags"] = loads_list(record["tags"])
                record["sources"] = loads_list(record["sources"])
                yield record
            after = (rows[-1]["published"], rows[-1]["id"])
