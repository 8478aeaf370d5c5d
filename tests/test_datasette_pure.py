"""The reading room's pure parts: the word diff, the charts' geometry, the search expression."""

from __future__ import annotations

import pytest

from newsarchive.archive.errors import QueryError
from newsarchive.archive.reading import (
    fts5_parse_error,
    match_expression,
    search_match,
    search_problem,
)
from newsarchive.archive.search_sql import canned_search_sql
from newsarchive.datasette.charts import HEIGHT, gap_charts, month_charts
from newsarchive.datasette.pages import paragraphs, reading_order
from newsarchive.datasette.worddiff import changed, word_diff


def rebuilt(pieces: list[tuple[str, str]], keep: str) -> str:
    return "".join(text for kind, text in pieces if kind in ("same", keep))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("One two three.", "One two three. A new sentence at the end."),
        ("First para.\n\nSecond para here.", "First para.\n\nSecond paragraph here, longer.\n\nThird."),
        ("Remove these words please.", "Remove please."),
        ("", "Only new."),
        ("Only old.", ""),
        ("Same text.", "Same text."),
    ],
)
def test_word_diff_gives_back_both_texts_whole(old: str, new: str) -> None:
    pieces = word_diff(old, new)
    assert rebuilt(pieces, "ins") == new
    assert rebuilt(pieces, "del") == old
    assert changed(pieces) is (old != new)
    kinds = [kind for kind, _ in pieces]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))  # neighbours joined


def test_word_diff_marks_an_added_sentence_and_a_changed_word() -> None:
    old = "The storm hit Varna.\n\nWinds reached 100 km/h."
    new = "The storm hit Varna.\n\nWinds reached 120 km/h. Schools are closed."
    pieces = word_diff(old, new)
    assert ("del", "100 ") in pieces
    assert ("ins", "120 ") in pieces
    assert pieces[-1] == ("ins", " Schools are closed.") or pieces[-1][1].endswith("closed.")
    assert pieces[0] == ("same", "The storm hit Varna.\n\nWinds reached ")


def test_paragraphs_split_on_blank_lines() -> None:
    assert paragraphs("One.\n\nTwo\nlines.\n \nThree.\n\n\n") == ["One.", "Two\nlines.", "Three."]
    assert paragraphs(None) == []


def test_tables_in_reading_order() -> None:
    names = ["article_tags", "article_versions", "articles", "raw_pages", "runs", "skips"]
    ordered = [t["name"] for t in reading_order([{"name": n} for n in names])]
    assert ordered[0] == "articles" and ordered.index("article_versions") > 1


def test_month_charts_one_bar_per_month_per_site() -> None:
    rows = [
        {"site": "novinite", "month": "2024-12", "articles": 40},
        {"site": "novinite", "month": "2024-11", "articles": 10},
        {"site": "other", "month": "2024-12", "articles": 0},
    ]
    charts = month_charts(rows)
    assert [c["site"] for c in charts] == ["novinite", "other"]
    bars = charts[0]["bars"]
    assert [b["label"] for b in bars] == ["2024-11", "2024-12"]  # oldest left
    assert bars[1]["height"] == HEIGHT and bars[0]["height"] == HEIGHT / 4
    assert bars[0]["x"] < bars[1]["x"] and bars[0]["y"] + bars[0]["height"] == HEIGHT
    assert charts[1]["bars"][0]["height"] == 0  # no division by zero
    gaps = gap_charts([{"site": "s", "first_empty_day": "2024-12-02", "last_empty_day": "2024-12-04", "days": 3}])
    assert gaps[0]["bars"][0]["title"] == "2024-12-02 – 2024-12-04: 3 days"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("homs", "homs"),
        ("homs AND rebels", "homs AND rebels"),
        ("reb*", "reb*"),
        ("U.S.", '"U.S."'),
        ("Assad's", '"Assad\'s"'),
        ("EU-Mercosur", '"EU-Mercosur"'),
        ("Pro-Assad", '"Pro-Assad"'),
        ("Conflict:", '"Conflict:"'),
        ("", '""'),
        ("   ", '""'),
    ],
)
def test_match_expression_like_the_cli(words: str, expected: str) -> None:
    assert match_expression(words, fts5_parse_error) == expected
    assert search_match(words) == expected
    assert search_problem(words) is None


def test_a_bad_query_is_explained_in_one_line() -> None:
    with pytest.raises(QueryError, match="unbalanced double quote"):
        match_expression('"homs', fts5_parse_error)
    assert search_problem("homs AND") == 'bad search query "homs AND": unexpected end of query (an operator needs a word after it)'
    assert search_match('"homs') == '"homs'  # FTS5 refuses it; no Python error in SQL
    assert "\n" not in (search_problem("(homs") or "\n")


def test_canned_search_matches_through_search_match() -> None:
    sql = canned_search_sql()
    assert sql.lower().count("articles_fts match search_match(:query)") == 1
    assert "search_best(:query, 10)" in sql


def test_marked_snippets_escape_the_text_and_mark_the_hits() -> None:
    from newsarchive.datasette.pages import marked

    assert str(marked("a <b>[Homs]</b> & [rebels] …")) == (
        "a &lt;b&gt;<mark>Homs</mark>&lt;/b&gt; &amp; <mark>rebels</mark> …"
    )
    assert str(marked("[<script>]")) == "<mark>&lt;script&gt;</mark>"
    assert str(marked(None)) == ""
