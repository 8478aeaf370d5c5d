"""Full-text search, run: `Search.search` reads the facts, has `search_sql` build the SQL, runs it.

The plan and its reasons are `search_sql`'s docstring. This half owns the connection's side:
the page cache and memory map a search wants, one read transaction for the staged plan's two
steps, the retry of an unparsable query in its quoted form, the hits as dicts, and the bounds
that keep one search from running for minutes: `QUERY_MAX_CHARS` and `SEARCH_SECONDS`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from newsarchive.archive.connection import Connection
from newsarchive.archive.errors import QueryError
from newsarchive.archive.search_ranks import Hits, best_ranks, read_hits
from newsarchive.archive.search_sql import (
    FILTER_SET_MAX,
    OTHER_SITES_SQL,
    RANK_WINDOW,
    SECTION_SPELLINGS_SQL,
    STAGED_MAX,
    Bound,
    explain_query_error,
    fallback_query,
    filter_clauses,
    filter_conditions,
    is_staged,
    passing_count_sql,
    ranked_sql,
)
from newsarchive.archive.values import loads_list

#: What `search` gives its connection (once): pages of cache (KiB) and bytes of memory map.
SEARCH_CACHE_KIB = 64 * 1024
SEARCH_MMAP_BYTES = 1 << 30
#: The longest query `search` takes, in characters: far more than anyone types (a search is a
#: few words), far less than what made one search run for minutes (36 KB of one word).
QUERY_MAX_CHARS = 1000
#: How long one search may run before it is stopped, in seconds: a search answers in
#: milliseconds; this is of the order of Datasette's own limit (5 s) for its search box.
SEARCH_SECONDS = 10.0


class Search(Connection):
    """`search`: reads the facts the builders need, then runs what they built."""

    _STAGED_MAX = STAGED_MAX
    _RANK_WINDOW = RANK_WINDOW
    _FILTER_SET_MAX = FILTER_SET_MAX
    _SEARCH_SECONDS: float | None = SEARCH_SECONDS

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        section: str | None = None,
        tag: str | None = None,
        since: Bound | None = None,
        until: Bound | None = None,
        limit: int | None = 10,
        highlight: tuple[str, str] = ("[", "]"),
        exact: bool = False,
    ) -> Hits:
        """Full-text search ranked by bm25 (title 10, body 1, tags 5), best first.

        Up to `STAGED_MAX` hits are ranked among the newest `RANK_WINDOW` matches by
        publication (`search_window`), unless `exact`: the returned `Hits` say whether
        (`ranked_among`) and how many articles match (`matches`). More hits, or no limit, rank every match.

        `query` is FTS5 syntax (``homs AND rebels``, ``"M5 highway"``, ``storm NOT flood``,
        ``reb*``); plain words with punctuation (``U.S.``, ``Assad's``) also work. A date
        `until` includes its whole day. Each hit: id, site, site_id, url, title, section,
        published, tags (list), snippet (``[match]`` highlighted, or between the two
        `highlight` markers), rank. Raises `QueryError` for a query FTS5 cannot parse, one
        longer than `QUERY_MAX_CHARS`, or a search still running after `SEARCH_SECONDS`.
        The plan and its reasons: `search_sql`'s docstring.
        """
        if not query or not query.strip():
            raise QueryError("empty search query: give at least one word")
        if len(query) > QUERY_MAX_CHARS:
            raise QueryError(
                f"search query too long: {len(query)} characters (at most {QUERY_MAX_CHARS}); "
                "search for fewer words"
            )
        filters = {"site": site, "section": section, "tag": tag, "since": since, "until": until}
        params: dict[str, Any] = {"mark_open": highlight[0], "mark_close": highlight[1]}
        seconds = self._SEARCH_SECONDS
        with self._time_limit(seconds) as expired:
            try:
                window = None if exact else self._RANK_WINDOW
                return self._search_planned(query, params, filters, limit, window, expired)
            except sqlite3.OperationalError:
                if expired():
                    shown = query if len(query) <= 60 else query[:59] + "…"
                    raise QueryError(
                        f'search "{shown}" stopped after {seconds or 0:g} s: narrow it (fewer '
                        "prefix* words, a phrase, a date range)"
                    ) from None
                raise

    def _search_planned(
        self,
        query: str,
        params: dict[str, Any],
        filters: dict[str, Any],
        limit: int | None,
        window: int | None,
        expired: Callable[[], bool],
    ) -> Hits:
        """Plan the filters, then search for `query`; a query FTS5 cannot parse is tried again
        in its quoted form (`fallback_query`), unless the time ran out, then explained."""
        with self._read("searching") as conn:
            self._tune_for_search(conn)
            join, where = self._search_filters(conn, params, **filters)
        planned = (params, join, where, limit, window)
        try:
            return self._search_once(query, *planned)
        except sqlite3.OperationalError as exc:
            if expired():
                raise
            first_error = str(exc)
        fallback = fallback_query(query)
        if fallback is not None:
            if not fallback:
                raise QueryError(f'bad search query "{query}": no words to search for')
            try:
                return self._search_once(fallback, *planned)
            except sqlite3.OperationalError:
                if expired():
                    raise
        raise QueryError(
            f'bad search query "{query}": {explain_query_error(query, first_error)}'
        ) from None

    def _search_once(
        self,
        fts_query: str,
        params: dict[str, Any],
        join: str,
        where: str,
        limit: int | None,
        window: int | None,
    ) -> Hits:
        """The planned search for `fts_query`, staged or in one query; FTS5's errors (a query
        it cannot parse) come out as they are, for `search` to retry or explain."""
        hits = Hits()
        with self._read("searching") as conn:
            if limit is not None and is_staged(limit, self._STAGED_MAX):
                rows = self._search_staged(conn, fts_query, params, join, where, limit, window, hits)
            else:
                run_params = {**params, "query": fts_query}
                if limit is not None:
                    run_params["limit"] = limit
                rows = conn.execute(ranked_sql(where, limit), run_params).fetchall()
                if limit is None:
                    hits.matches = len(rows)
        hits.extend(dict(row) for row in rows)
        for hit in hits:
            hit["tags"] = loads_list(hit["tags"])
        return hits

    def distinct_terms(self) -> int:
        """How many distinct terms (after stemming) the full-text index holds (fts5vocab)."""
        with self._read("counting terms") as conn:
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.articles_fts_terms "
                "USING fts5vocab(main, articles_fts, row)"
            )
            return int(conn.execute("SELECT count(*) FROM temp.articles_fts_terms").fetchone()[0])

    def _tune_for_search(self, conn: sqlite3.Connection) -> None:
        """Once per connection: a page cache and memory map big enough that a search's pages
        (the terms' doclists, the documents' sizes) stay in memory from one query to the next."""
        if getattr(self, "_search_tuned", False):
            return
        conn.execute(f"PRAGMA cache_size = -{SEARCH_CACHE_KIB}")
        conn.execute(f"PRAGMA mmap_size = {SEARCH_MMAP_BYTES}")
        self._search_tuned = True

    def _search_filters(
        self,
        conn: sqlite3.Connection,
        params: dict[str, Any],
        *,
        site: str | None,
        section: str | None,
        tag: str | None,
        since: Bound | None,
        until: Bound | None,
    ) -> tuple[str, str]:
        """The filters as (join, where) (`filter_clauses`); fills `params`. Reads what the
        builders need: whether other sites exist, the section's spellings, and how many
        articles pass (counted only up to `_FILTER_SET_MAX`)."""
        other_sites = site is not None and bool(
            conn.execute(OTHER_SITES_SQL, {"site": site}).fetchone()[0]
        )
        spellings = []
        if section is not None:
            spellings = [row[0] for row in conn.execute(SECTION_SPELLINGS_SQL, (section,))]
        conditions, filter_params = filter_conditions(
            site=site,
            other_sites=other_sites,
            section=section,
            spellings=spellings,
            tag=tag,
            since=since,
            until=until,
        )
        params.update(filter_params)
        if not conditions:
            return "", ""
        passing = conn.execute(
            passing_count_sql(conditions), {**params, "cap": self._FILTER_SET_MAX}
        ).fetchone()[0]
        return filter_clauses(conditions, passing, self._FILTER_SET_MAX)

    @staticmethod
    def _search_staged(
        conn: sqlite3.Connection,
        fts_query: str,
        params: dict[str, Any],
        join: str,
        where: str,
        limit: int,
        window: int | None,
        hits: Hits,
    ) -> list[dict[str, Any]]:
        """The best `limit` hits (among the newest `window` matches, None: all): ids and bm25
        from the index, then those articles only (both in one read transaction, so they see
        the same archive; `search_ranks`)."""
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            params = {**params, "query": fts_query}
            ranks = best_ranks(conn, params, join, where, limit, window, hits)
            return read_hits(conn, params, ranks) if ranks else []
        finally:
            if own:
                conn.execute("COMMIT")
