"""Full-text search, the pure half: SQL text and query text from plain values.

As sqlite-utils' ``search_sql()``: the builders take plain values and return SQL (and
parameters), so the planner can be tested without a database; what needs the database (whether
other sites exist, a section's spellings, how many articles a filter passes) is read first by
`search.Search` and handed to them.

The plan, and why. Exact ranking has to score every match (bm25 cannot be bounded in advance),
about a microsecond each: a word found in most of the archive would cost a second. So a search
ranks the newest `RANK_WINDOW` matches by publication (`search_window` says how they are found
at a bounded cost: mostly the highest ids, which the full-text index reads first and stops,
`recent_sql`) and says so (how many more match is not counted:
counting reads every match, which is what the window avoids); when fewer match, every one is
ranked and the result is the exact one. ``exact`` ranks them all (`best_sql`). Either way that part reads only
the full-text index: ids and their bm25, with the filters applied inside the query. Only those few articles are then read and given a
snippet (`hits_sql`: a second read per hit, through the index's rowid seek). Equal ranks are
ordered newest first, also across the limit. More than `STAGED_MAX` hits (or no limit) take
the one-query plan (`ranked_sql`): every match joined, ordered, then cut.

A query FTS5 cannot parse that uses no FTS5 operator (``U.S.``, ``Assad's``, ``M5-highway``)
is searched again with each token quoted as a phrase (`fallback_query`); one that still fails
(or that uses an operator) gets a one-line reason (`explain_query_error`) instead of FTS5's
message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from newsarchive.archive.schema import FTS_BM25, FTS_COLUMNS, FTS_PREFIX
from newsarchive.archive.values import published_between

#: Up to this many hits, a search picks its hits from the full-text index first and reads only
#: those articles; a longer list is one query.
STAGED_MAX = 100
#: A search ranks at most this many matches, the newest by publication, unless asked to be exact.
RANK_WINDOW = 1000
#: A filter passed by fewer articles than this restricts the full-text matches as a set of ids;
#: a broader one is checked on each match's article row instead.
FILTER_SET_MAX = 20_000

_FTS_OPERATOR = re.compile(r'["()*^]|\b(?:AND|OR|NOT|NEAR)\b')
_WORDISH = re.compile(r"\w", re.UNICODE)
#: A prefix term (``reb*``, ``"rebel fig"*``): the word before the star.
_PREFIX_TERM = re.compile(r'(\w+)"?\s*\*', re.UNICODE)
#: A tag whose words FTS5 finds in the tags column as typed: a word character, and nothing
#: that JSON escapes (quotes, backslashes, control characters).
_TAG_WORDS = re.compile(r'^(?=.*[^\W_])[^"\\\x00-\x1f]*$', re.UNICODE | re.DOTALL)
#: The body's passage around the matches; when the body holds none (a hit by its title or tags
#: alone), the passage of the column that matched, so a snippet always shows its match marked.
_BODY_SNIPPET = "snippet(articles_fts, 1, :mark_open, :mark_close, ' … ', 12)"
_SNIPPET = (
    f"CASE WHEN instr({_BODY_SNIPPET}, :mark_open) THEN {_BODY_SNIPPET} "
    "ELSE snippet(articles_fts, -1, :mark_open, :mark_close, ' … ', 12) END AS snippet"
)
_HIT_COLUMNS = "a.id, a.site, a.site_id, a.url, a.title, a.section, a.published, a.tags"
# The section's spellings, any casing: a skip-scan of idx_articles_section_published, one seek
# per distinct section (the index is BINARY; ``section = ? COLLATE NOCASE`` would scan it all).
SECTION_SPELLINGS_SQL = """
WITH RECURSIVE spelling(name) AS (
    SELECT min(section) FROM articles
    UNION ALL
    SELECT (SELECT min(section) FROM articles WHERE section > spelling.name)
    FROM spelling WHERE spelling.name IS NOT NULL
)
SELECT name FROM spelling WHERE name = ? COLLATE NOCASE
"""
#: Whether any article is of another site than ``:site`` (two index seeks).
OTHER_SITES_SQL = (
    "SELECT EXISTS (SELECT 1 FROM articles WHERE site < :site) "
    "OR EXISTS (SELECT 1 FROM articles WHERE site > :site)"
)

Bound = date | datetime | str


# ---- the query text


def quote_tokens(query: str) -> str:
    """Each whitespace-separated token as an FTS5 string (a phrase of its words)."""
    tokens = [t for t in query.split() if _WORDISH.search(t)]
    return " ".join('"' + t.replace('"', '""') + '"' for t in tokens)


def fallback_query(query: str) -> str | None:
    """What to search for when FTS5 cannot parse `query`: its tokens quoted (``""`` when it
    has no word at all), or None when it uses FTS5 syntax (the error is the user's to fix)."""
    if _FTS_OPERATOR.search(query):
        return None
    return quote_tokens(query)


def explain_query_error(query: str, message: str) -> str:
    """A one-line reason for an FTS5 parse error."""
    depth, in_string = 0, False
    for char in query:
        if char == '"':
            in_string = not in_string
        elif not in_string and char == "(":
            depth += 1
        elif not in_string and char == ")":
            depth -= 1
            if depth < 0:
                break
    if in_string or "unterminated string" in message:
        return "unbalanced double quote"
    if depth != 0:
        return "unbalanced parenthesis"
    if message.startswith("unknown special query"):
        return '"*" must end a word, as in reb*'
    if message.startswith("no such column"):
        column = message.split(":", 1)[1].strip()
        return f'unknown column "{column}" (columns: {", ".join(FTS_COLUMNS)})'
    near = re.search(r'syntax error near "(.*)"', message)
    if near:
        token = near.group(1)
        if token == "":
            return "unexpected end of query (an operator needs a word after it)"
        if token in ("AND", "OR", "NOT"):
            return f"{token} needs a word on each side"
        return f'unexpected "{token}"'
    return message.removeprefix("fts5: ")


# ---- the SQL


def filter_conditions(
    *,
    site: str | None = None,
    other_sites: bool = False,
    section: str | None = None,
    spellings: Sequence[str] = (),
    tag: str | None = None,
    since: Bound | None = None,
    until: Bound | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """The filters as conditions on the article ``a``, and their parameters.

    Each is written so an index serves it: a `site` is no condition at all unless
    `other_sites` (some article is of another site); a `section` is matched in any casing
    through its `spellings` (as read by `SECTION_SPELLINGS_SQL`; none found: the section as
    given, which matches nothing); a tag narrows to the articles whose indexed tags hold its
    words, then checks it exactly.
    """
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if site is not None and other_sites:
        conditions.append("a.site = :site")
        params["site"] = site
    if section is not None:
        names = []
        for number, spelling in enumerate(spellings or [section]):
            names.append(f":section_{number}")
            params[f"section_{number}"] = spelling
        conditions.append(f"a.section IN ({', '.join(names)})")
    if tag is not None:
        if _TAG_WORDS.match(tag):  # only articles with the tag's words (a superset)
            conditions.append(
                "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :tag_words)"
            )
            params["tag_words"] = 'tags : "' + tag.replace('"', '""') + '"'
        conditions.append(
            "EXISTS (SELECT 1 FROM json_each(a.tags) WHERE json_each.value = :tag COLLATE NOCASE)"
        )
        params["tag"] = tag
    dated, bounds = published_between("a.published", since, until)
    return conditions + dated, {**params, **bounds}


def passing_count_sql(conditions: Sequence[str]) -> str:
    """How many articles pass `conditions`, counted up to ``:cap`` (a capped index scan)."""
    return f"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {' AND '.join(conditions)} LIMIT :cap)"


def filter_clauses(
    conditions: Sequence[str], passing: int, set_max: int = FILTER_SET_MAX
) -> tuple[str, str]:
    """The filters as (join, where) for a query on articles_fts.

    A filter few articles pass (`passing` under `set_max`) becomes a set of ids tested on each
    full-text match, without touching the article rows; a broad one is checked on each match's
    article row (cheaper than listing most of the archive).
    """
    if not conditions:
        return "", ""
    passed = " AND ".join(conditions)
    if passing < set_max:
        return "", f" AND +articles_fts.rowid IN (SELECT a.id FROM articles a WHERE {passed})"
    return " CROSS JOIN articles a ON a.id = articles_fts.rowid", f" AND {passed}"


def is_staged(limit: int | None, staged_max: int = STAGED_MAX) -> bool:
    """Whether a search of `limit` hits takes the staged plan (ids first, then the hits)."""
    return limit is not None and 0 < limit <= staged_max


def ranked_sql(where: str, limit: int | None) -> str:
    """The one-query plan: every match with its article, snippet and rank, best first."""
    sql = (
        f"SELECT {_HIT_COLUMNS}, {_SNIPPET}, {FTS_BM25} AS rank "
        f"FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH :query{where} ORDER BY rank, a.published DESC"
    )
    if limit is not None:
        sql += " LIMIT :limit"
    return sql


def best_sql(join: str, where: str) -> str:
    """The staged plan's first step: the best ``:n`` ids and their bm25, from the index."""
    return (
        f"SELECT articles_fts.rowid AS id, {FTS_BM25} AS score FROM articles_fts{join} "
        f"WHERE articles_fts MATCH :query{where} ORDER BY score LIMIT :n"
    )


def recent_sql(join: str, where: str) -> str:
    """The bounded plan's first step: the newest ``:window`` matches (highest ids, read from
    the index newest first, nothing older) and their bm25."""
    return (
        f"SELECT articles_fts.rowid AS id, {FTS_BM25} AS score FROM articles_fts{join} "
        f"WHERE articles_fts MATCH :query{where} ORDER BY articles_fts.rowid DESC LIMIT :window"
    )


def canned_search_sql(limit: int = 10) -> str:
    """Datasette's canned search: `newsarchive search`'s ranking in one query.

    ``search_best(:query, limit)`` (an SQL function, `reading.search_best`) picks the best
    `limit` ids as the CLI does (bm25 `FTS_BM25` among the newest `RANK_WINDOW` matches by
    publication, newest first among equals); ``search_match(:query)`` turns what the reader
    typed into the CLI's FTS5 expression, and FTS5 reports a query it cannot parse. The
    snippets are read in one pass over the best ids' range (as `hits_sql` does for a prefix
    without an index of its own: read hit by hit, it would be expanded again for each).
    """
    return (
        "with best as (select key as place, json_extract(value, '$[0]') as id, "
        "json_extract(value, '$[1]') as score "
        f"from json_each(search_best(:query, {int(limit)}))) "
        "select a.id, substr(a.published, 1, 10) as date, a.section, a.title, a.url, "
        "snippet(articles_fts, 1, '[', ']', ' … ', 12) as snippet "
        "from articles_fts cross join best on best.id = articles_fts.rowid "
        "cross join articles a on a.id = best.id "
        "where articles_fts match search_match(:query) "
        "and articles_fts.rowid between (select min(id) from best) and (select max(id) from best) "
        "order by best.place"
    )


def one_pass(fts_query: str) -> bool:
    """Whether the hits are read in one pass over the ids (`hits_sql`): when a prefix term has
    no index of its own, it would be expanded again for every hit read one by one."""
    return any(len(m.group(1)) not in FTS_PREFIX for m in _PREFIX_TERM.finditer(fts_query))


def hits_sql(in_one_pass: bool) -> str:
    """The staged plan's second step: the chosen articles with their snippets, either all at
    once (``:low``/``:high`` bound the ids of the JSON list ``:ids``) or one ``:id`` a read."""
    read = (
        f"SELECT {_HIT_COLUMNS}, {_SNIPPET} "
        "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH :query AND articles_fts.rowid"
    )
    if in_one_pass:
        return (
            f"{read} BETWEEN :low AND :high AND +articles_fts.rowid IN "
            "(SELECT value FROM json_each(:ids))"
        )
    return f"{read} = :id"


def within_limit(top: list[Any], limit: int) -> list[Any]:
    """The (id, score) rows of `top` (best first) that rank no worse than the `limit`-th."""
    if len(top) > limit:
        cut = top[limit - 1][1]
        top = [row for row in top if row[1] <= cut]
    return top


def newest_ties_first(top: list[Any], published: dict[int, str], limit: int) -> list[Any]:
    """`limit` of the (id, score) rows `top`, best score first and, among equal scores, the
    most recently `published` (a tie across the limit: its newest articles make the cut)."""
    top = sorted(top, key=lambda row: published[row[0]], reverse=True)
    return sorted(top, key=lambda row: row[1])[:limit]
