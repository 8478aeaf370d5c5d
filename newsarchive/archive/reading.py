"""What the reading room (`newsarchive serve`) reads: an article's versions, the feeds' rows,
and the SQL functions ``search_match`` and ``search_best`` that make Datasette's search
behave like the CLI's.

The functions take a connection Datasette hands out (``db.execute_fn``), so every query of the
reading room has its home here, with the archive's other SQL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from newsarchive.archive.errors import QueryError
from newsarchive.archive.schema import FTS_COLUMNS
from newsarchive.archive.search_ranks import Hits, best_ranks
from newsarchive.archive.search_sql import (
    RANK_WINDOW,
    canned_search_sql,
    explain_query_error,
    fallback_query,
)
from newsarchive.archive.values import loads_list

_probe = threading.local()

VERSIONS_SQL = """
SELECT version, title, body, tags, seen_from, seen_until FROM article_versions
WHERE article_id = :id
UNION ALL
SELECT version, title, body, tags, last_changed, NULL FROM articles WHERE id = :id
ORDER BY version
"""
LATEST_SQL = """
SELECT id, site, url, title, section, published, body, tags, last_changed FROM articles
ORDER BY published DESC, id DESC LIMIT :limit
"""
CHANGES_SQL = """
SELECT v.article_id AS id, v.version AS old_version, v.seen_until AS changed_at,
       v.title AS old_title, a.title, a.url, a.section, a.published
FROM article_versions v JOIN articles a ON a.id = v.article_id
ORDER BY v.seen_until DESC, v.article_id DESC LIMIT :limit
"""


def fts5_parse_error(expression: str) -> str | None:
    """FTS5's message for an expression it cannot parse (on an empty in-memory table with the
    archive's columns), None when it parses."""
    conn = getattr(_probe, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute(f"CREATE VIRTUAL TABLE probe USING fts5({', '.join(FTS_COLUMNS)})")
        _probe.conn = conn
    try:
        conn.execute("SELECT rowid FROM probe WHERE probe MATCH ?", (expression,)).fetchall()
    except sqlite3.OperationalError as exc:
        return str(exc)
    return None


def search_match(words: str | None) -> str:
    """The SQL function ``search_match(words)``: the FTS5 expression `newsarchive search`
    would search for (``U.S.`` and ``Assad's`` quoted, FTS5 syntax kept, no words: ``""``).
    Words that cannot be searched come back as they are, for FTS5 to refuse with its error
    (an exception raised in an SQL function would print a traceback on the server's console);
    `search_problem` says why in one line."""
    try:
        return match_expression(words or "", fts5_parse_error)
    except QueryError:
        return words or ""


def search_best(conn: sqlite3.Connection, words: str | None, limit: int) -> str:
    """The SQL function ``search_best(words, limit)`` on `conn`: the best `limit` ids for
    `words` with their bm25, as JSON ``[[id, score], …]`` best first, chosen exactly as
    `newsarchive search` chooses them (`search_ranks.best_ranks`: among the newest
    `RANK_WINDOW` matches by publication). Words FTS5 cannot parse give ``[]``: the canned
    query's own ``MATCH search_match(:query)`` then reports them (an exception raised in an
    SQL function would print a traceback on the server's console)."""
    try:
        ranks = best_ranks(
            conn, {"query": search_match(words)}, "", "", int(limit), RANK_WINDOW, Hits()
        )
    except sqlite3.Error:
        return "[]"
    return json.dumps(list(ranks.items()))


def register_search_functions(conn: sqlite3.Connection) -> None:
    """Give `conn` the SQL functions the canned search calls: ``search_match(words)`` and
    ``search_best(words, limit)``."""
    conn.create_function("search_match", 1, search_match)
    conn.create_function("search_best", 2, lambda words, limit: search_best(conn, words, limit))


def search_problem(words: str | None) -> str | None:
    """Why `words` cannot be searched, in one line; None when they can."""
    try:
        match_expression(words or "", fts5_parse_error)
    except QueryError as exc:
        return str(exc)
    return None


def _dicts(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def article_versions(conn: sqlite3.Connection, article_id: int) -> list[dict[str, Any]]:
    """Every stored version of an article, oldest first (the current one last, its
    ``seen_until`` None), tags as lists."""
    versions = _dicts(conn, VERSIONS_SQL, {"id": article_id})
    for version in versions:
        version["tags"] = loads_list(version["tags"])
    return versions


def latest_articles(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The `limit` most recently published articles, newest first."""
    return _dicts(conn, LATEST_SQL, {"limit": limit})


def recent_changes(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The `limit` most recent edits (a version replaced), newest first."""
    return _dicts(conn, CHANGES_SQL, {"limit": limit})


def search_hits(conn: sqlite3.Connection, words: str) -> list[dict[str, Any]]:
    """The canned search's hits for `words` (best first); the connection must have the
    search functions (`register_search_functions`, as Datasette's have). Raises `QueryError` for a bad query."""
    problem = search_problem(words)
    if problem:
        raise QueryError(problem)
    return _dicts(conn, canned_search_sql(), {"query": words})


def published_times(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """Each article's full publication instant (UTC, ``YYYY-MM-DDTHH:MM:SSZ``) by archive id:
    the canned search gives only its day."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    found = conn.execute(f"SELECT id, published FROM articles WHERE id IN ({marks})", ids)
    return {row[0]: row[1] for row in found}


def match_expression(words: str, parse_error: Callable[[str], str | None]) -> str:
    """The FTS5 expression `newsarchive search` searches for `words`: the words as typed when
    FTS5 parses them (`parse_error` gives None), else their tokens quoted (`fallback_query`);
    ``""`` (matches nothing) for no words. Raises `QueryError` with `explain_query_error`'s
    reason when neither parses."""
    if not words or not words.strip():
        return '""'
    first = parse_error(words)
    if first is None:
        return words
    fallback = fallback_query(words)
    if fallback is not None:
        if not fallback:
            raise QueryError(f'bad search query "{words}": no words to search for')
        if parse_error(fallback) is None:
            return fallback
    raise QueryError(f'bad search query "{words}": {explain_query_error(words, first)}')
