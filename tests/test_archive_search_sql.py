"""The search planner without a database: newsarchive.archive.search_sql's pure builders.

What the database would tell (other sites, a section's spellings, how many articles pass a
filter) is given as plain values; the SQL texts are pinned, since the benchmark's figures
depend on them word for word.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from newsarchive.archive.schema import FTS_BM25
from newsarchive.archive.search_sql import (
    FILTER_SET_MAX,
    STAGED_MAX,
    best_sql,
    explain_query_error,
    fallback_query,
    filter_clauses,
    filter_conditions,
    hits_sql,
    is_staged,
    newest_ties_first,
    one_pass,
    passing_count_sql,
    quote_tokens,
    ranked_sql,
    within_limit,
)

UTC = timezone.utc
BM25 = "bm25(articles_fts, 10.0, 1.0, 5.0)"
HIT = "a.id, a.site, a.site_id, a.url, a.title, a.section, a.published, a.tags"
BODY_SNIPPET = "snippet(articles_fts, 1, :mark_open, :mark_close, ' … ', 12)"
#: The body's passage, or the matching column's when the body holds no match (a title hit).
SNIPPET = (
    f"CASE WHEN instr({BODY_SNIPPET}, :mark_open) THEN {BODY_SNIPPET} "
    "ELSE snippet(articles_fts, -1, :mark_open, :mark_close, ' … ', 12) END AS snippet"
)


def test_no_filters_no_conditions() -> None:
    assert filter_conditions() == ([], {})
    assert filter_clauses([], 0) == ("", "")


def test_a_site_filters_only_when_other_sites_exist() -> None:
    assert filter_conditions(site="example", other_sites=False) == ([], {})
    assert filter_conditions(site="example", other_sites=True) == (
        ["a.site = :site"],
        {"site": "example"},
    )


def test_section_is_matched_through_its_spellings() -> None:
    conditions, params = filter_conditions(section="WORLD", spellings=["World", "world"])
    assert conditions == ["a.section IN (:section_0, :section_1)"]
    assert params == {"section_0": "World", "section_1": "world"}
    # No spelling found: the section as given (which matches nothing).
    assert filter_conditions(section="Nowhere") == (
        ["a.section IN (:section_0)"],
        {"section_0": "Nowhere"},
    )


def test_tag_narrows_by_its_indexed_words_then_checks_it_exactly() -> None:
    exact = "EXISTS (SELECT 1 FROM json_each(a.tags) WHERE json_each.value = :tag COLLATE NOCASE)"
    words = "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :tag_words)"
    assert filter_conditions(tag="Tag Words") == (
        [words, exact],
        {"tag_words": 'tags : "Tag Words"', "tag": "Tag Words"},
    )
    # No word character, or something JSON escapes: the exact check alone.
    assert filter_conditions(tag="!!") == ([exact], {"tag": "!!"})
    assert filter_conditions(tag='say "hi"') == ([exact], {"tag": 'say "hi"'})


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (
            date(2024, 12, 3),
            "2024-12-04",
            {"since": "2024-12-03T00:00:00Z", "until": "2024-12-05T00:00:00Z"},
        ),
        (
            datetime(2024, 12, 3, 10, tzinfo=UTC),
            datetime(2024, 12, 4, 10, tzinfo=UTC),
            {"since": "2024-12-03T10:00:00Z", "until": "2024-12-04T10:00:00Z"},
        ),
    ],
)
def test_dates_bound_published(since: object, until: object, expected: dict[str, str]) -> None:
    conditions, params = filter_conditions(since=since, until=until)  # type: ignore[arg-type]
    operator = "<" if isinstance(until, str) else "<="
    assert conditions == ["a.published >= :since", f"a.published {operator} :until"]
    assert params == expected


def test_a_narrow_filter_is_a_set_of_ids_a_broad_one_a_join() -> None:
    conditions = ["a.section IN (:section_0)", "a.published >= :since"]
    passed = "a.section IN (:section_0) AND a.published >= :since"
    assert passing_count_sql(conditions) == (
        f"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {passed} LIMIT :cap)"
    )
    assert filter_clauses(conditions, FILTER_SET_MAX - 1) == (
        "",
        f" AND +articles_fts.rowid IN (SELECT a.id FROM articles a WHERE {passed})",
    )
    assert filter_clauses(conditions, FILTER_SET_MAX) == (
        " CROSS JOIN articles a ON a.id = articles_fts.rowid",
        f" AND {passed}",
    )
    assert filter_clauses(conditions, 5, set_max=5)[0].startswith(" CROSS JOIN")


@pytest.mark.parametrize(
    ("limit", "staged"),
    [(None, False), (0, False), (1, True), (STAGED_MAX, True), (STAGED_MAX + 1, False)],
)
def test_which_plan(limit: int | None, staged: bool) -> None:
    assert is_staged(limit) is staged


def test_the_sql_texts() -> None:
    assert FTS_BM25 == BM25
    where = " AND a.site = :site"
    join = " CROSS JOIN articles a ON a.id = articles_fts.rowid"
    one_query = (
        f"SELECT {HIT}, {SNIPPET}, {BM25} AS rank FROM articles_fts CROSS JOIN articles a "
        f"ON a.id = articles_fts.rowid WHERE articles_fts MATCH :query{where} "
        "ORDER BY rank, a.published DESC"
    )
    assert ranked_sql(where, None) == one_query
    assert ranked_sql(where, 500) == one_query + " LIMIT :limit"
    assert best_sql(join, where) == (
        f"SELECT articles_fts.rowid AS id, {BM25} AS score FROM articles_fts{join} "
        f"WHERE articles_fts MATCH :query{where} ORDER BY score LIMIT :n"
    )
    read = (
        f"SELECT {HIT}, {SNIPPET} FROM articles_fts CROSS JOIN articles a ON a.id = "
        "articles_fts.rowid WHERE articles_fts MATCH :query AND articles_fts.rowid"
    )
    assert hits_sql(False) == f"{read} = :id"
    assert hits_sql(True) == (
        f"{read} BETWEEN :low AND :high AND +articles_fts.rowid IN "
        "(SELECT value FROM json_each(:ids))"
    )


@pytest.mark.parametrize(
    ("query", "in_one_pass"),
    [
        ("syria", False),
        ("reb*", False),  # 3 and 4 characters have their own prefix index
        ("rebe*", False),
        ('"rebel fig"*', False),
        ("re*", True),  # expanded again for each hit: read them in one pass
        ("rebels*", True),
        ("homs AND rebel*", True),
    ],
)
def test_prefixes_without_an_index_read_the_hits_in_one_pass(query: str, in_one_pass: bool) -> None:
    assert one_pass(query) is in_one_pass


def test_ties_across_the_limit_go_to_the_newest() -> None:
    top = [(1, -3.0), (2, -2.0), (3, -2.0), (4, -2.0), (5, -1.0)]
    assert within_limit(top, 2) == top[:4]  # all of the tie at the limit, nothing worse
    assert within_limit(top[:2], 2) == top[:2]
    published = {1: "2024-01-01", 2: "2024-01-02", 3: "2024-01-04", 4: "2024-01-03"}
    assert newest_ties_first(top[:4], published, 3) == [(1, -3.0), (3, -2.0), (4, -2.0)]


def test_the_quoted_token_fallback() -> None:
    assert quote_tokens("U.S. envoy") == '"U.S." "envoy"'
    assert quote_tokens('say "hi" &') == '"say" """hi"""'
    assert fallback_query("Assad's") == '"Assad\'s"'
    assert fallback_query("&") == ""  # no words: nothing to search for
    for syntax in ("homs AND", "reb*", '"M5 highway', "(homs", "NEAR(a b)", "a^b"):
        assert fallback_query(syntax) is None


@pytest.mark.parametrize(
    ("query", "message", "reason"),
    [
        ("AND (", 'fts5: syntax error near ""', "unbalanced parenthesis"),
        ('"M5 highway', "unterminated string", "unbalanced double quote"),
        ("homs)", 'fts5: syntax error near ")"', "unbalanced parenthesis"),
        ("*", "unknown special query: ", '"*" must end a word, as in reb*'),
        ("homs AND", 'fts5: syntax error near ""', "unexpected end of query"),
        ("AND homs", 'fts5: syntax error near "AND"', "AND needs a word on each side"),
        ("homs ,", 'fts5: syntax error near ","', 'unexpected ","'),
        ("nope:homs", "no such column: nope", 'unknown column "nope" (columns: title, body, tags)'),
        ("x", "fts5: something else", "something else"),
    ],
)
def test_parse_errors_are_explained_in_one_line(query: str, message: str, reason: str) -> None:
    assert explain_query_error(query, message).startswith(reason)
