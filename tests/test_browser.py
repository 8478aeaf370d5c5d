"""The reading room in headless Chromium at 1400x1600 (what a person sees), on a real
`newsarchive serve` of a crawled archive with an edit (tests/reading_room.py).

Skipped, with the reason, where no ``chromium`` is installed; `make test-browser` installs
Debian's and runs these. The same pages over plain HTTP: tests/test_datasette_reading.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import NO_BROWSER, WINDOW, chromium_path, page
from tests.reading_room import edited_archive, served

pytestmark = pytest.mark.skipif(chromium_path() is None, reason=NO_BROWSER)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, make_replica_module: Any) -> Iterator[dict[str, Any]]:
    facts = edited_archive(tmp_path_factory.mktemp("browser"), make_replica_module)
    with served(facts["db"]) as base:
        yield {**facts, "base": base}


@pytest.fixture(scope="module")
def tab() -> Iterator[Any]:
    with page() as opened:
        yield opened


def visit(tab: Any, room: dict[str, Any], path: str, status: int = 200) -> Any:
    response = tab.goto(room["base"] + path)
    assert response.status == status, (path, response.status)
    return tab


def test_reader_shows_the_seed_articles_six_paragraphs_in_order(tab: Any, room: dict[str, Any]) -> None:
    visit(tab, room, f"/archive/articles/{room['seed']}")
    shown = tab.locator("article.reader .body p").all_inner_texts()
    assert shown == room["seed_paragraphs"] and len(shown) == 6
    column = tab.locator("article.reader .body").bounding_box()
    assert 450 < column["width"] < 800  # a readable column (~70 characters), not 2 words wide


def test_first_article_is_in_the_first_screen(tab: Any, room: dict[str, Any]) -> None:
    visit(tab, room, "/archive/articles")
    first = tab.locator("ol.article-list li").first
    box = first.bounding_box()
    assert box["y"] + box["height"] <= WINDOW["height"], box
    assert first.locator(".title a").inner_text()  # a title, linking to the reader
    assert not tab.locator("dl.glossary-columns").is_visible()  # the glossary is folded away


def test_edited_articles_mark_the_inserted_words(tab: Any, room: dict[str, Any]) -> None:
    visit(tab, room, "/archive/edited_articles")
    change = tab.locator(
        f'ol.changes li:has(a[href="/archive/articles/{room["edited"]}#version-2"])'
    )
    inserted = change.locator("ins").all_inner_texts()
    added = [t for t in inserted if len(t.split()) >= 3 and t.strip() not in room["old_body"]]
    assert added and all(t in room["new_body"] for t in added)
    style = change.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert style not in ("rgba(0, 0, 0, 0)", "transparent")  # marked, visibly


def test_chart_has_one_mark_per_month(tab: Any, room: dict[str, Any]) -> None:
    visit(tab, room, "/archive/articles_per_month")
    for site, months in room["months"].items():
        chart = tab.locator(f'figure.chart[data-site="{site}"] svg')
        assert chart.is_visible()
        marks = chart.locator("rect.mark")
        assert marks.count() == len(months)
        assert all(marks.nth(i).bounding_box()["height"] > 0 for i in range(marks.count()))


@pytest.mark.parametrize("query", ["U.S.", ""])
def test_search_answers_without_an_error(tab: Any, room: dict[str, Any], query: str) -> None:
    visit(tab, room, f"/archive/search?query={query}")
    assert tab.locator(".message-error").count() == 0
    assert tab.locator('input[name="query"]').input_value() == query
    if not query:
        assert tab.locator("p.search-help").is_visible()
