"""The reading room over HTTP, without a browser: a real `newsarchive serve` on a crawled archive
with an edit (tests/reading_room.py). The same pages in Chromium: tests/test_browser.py."""

from __future__ import annotations

import html
import re
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import feedparser
import pytest

from tests.helpers import rows
from tests.reading_room import edited_archive, get, get_json, served


def count(db: Any, sql: str) -> int:
    return int(rows(db, sql)[0]["n"])


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, make_replica_module: Any) -> Iterator[dict[str, Any]]:
    facts = edited_archive(tmp_path_factory.mktemp("reading"), make_replica_module)
    with served(facts["db"]) as base:
        yield {**facts, "base": base}


def page(room: dict[str, Any], path: str, status: int = 200) -> str:
    got, kind, text = get(room["base"] + path)
    assert got == status, (path, got, text[:500])
    assert kind.startswith("text/html")
    return text


def texts(markup: str, tag: str) -> list[str]:
    """The unescaped text of each <tag> element (no nesting of the same tag)."""
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", markup, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", f)) for f in found]


def test_reader_shows_the_article_in_paragraphs(room: dict[str, Any]) -> None:
    text = page(room, f"/archive/articles/{room['seed']}")
    body = text.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert texts(body, "p") == room["seed_paragraphs"]
    assert len(room["seed_paragraphs"]) == 6
    assert "Syrian Opposition Forces Make Gains in Homs" in texts(text, "h1")[0]
    assert "11:06 local (+02:00)" in text and "09:06 UTC" in text
    assert 'href="/archive/articles?tags__arraycontains=Homs"' in text
    assert "Never edited" in text


def test_reader_lists_versions_with_the_words_that_changed(room: dict[str, Any]) -> None:
    text = page(room, f"/archive/articles/{room['edited']}")
    assert 'id="version-2"' in text and 'id="version-1"' in text
    inserted = [t for t in texts(text, "ins") if len(t.split()) >= 3]
    assert inserted, "no inserted words marked"
    for words in inserted:
        assert words in room["new_body"] or words.strip().startswith(("+",)), words
    assert any(words.strip() not in room["old_body"] for words in inserted)


def test_articles_list_is_readable_with_every_column_a_click_away(room: dict[str, Any]) -> None:
    text = page(room, "/archive/articles")
    assert "<details class=\"glossary\">" in text
    listed = re.findall(r'<div class="title"><a href="/archive/articles/(\d+)">', text)
    newest = rows(room["db"], "select id from articles order by published desc limit 3")
    assert [int(i) for i in listed[:3]] == [r["id"] for r in newest]
    assert "_view=table" in text
    full = page(room, "/archive/articles?_view=table")
    assert re.search(r'<th [^>]*class="col-body', full) and '<ol class="article-list">' not in full


def test_home_lists_articles_first_and_says_how_words_match(room: dict[str, Any]) -> None:
    text = page(room, "/archive")
    order = re.findall(r'<h3><a href="/archive/([a-z_]+)">', text)
    assert order[0] == "articles" and "article_versions" in order[1:]
    for shown in (text, page(room, "/")):
        assert "stemmed" in shown and "matched as typed" not in shown
        assert "/-/newsarchive/feed.atom?query=WORDS" in shown


@pytest.mark.parametrize("words", ["U.S.", "Assad's", "EU-Mercosur", "Pro-Assad", "Conflict:", "homs"])
def test_canned_search_takes_what_the_cli_takes(room: dict[str, Any], words: str) -> None:
    query = urllib.parse.quote(words)
    text = page(room, f"/archive/search?query={query}")
    assert "message-error" not in text
    hits = get_json(room["base"] + f"/archive/search.json?query={query}&_shape=array")
    if words == "homs":
        assert hits[0]["id"] == room["seed"]
        assert f'href="/archive/articles/{room["seed"]}"' in text
        assert "<mark>Homs</mark>" in text and 'type="application/atom+xml"' in text


def test_empty_search_shows_the_form_and_a_bad_one_a_line(room: dict[str, Any]) -> None:
    for path in ("/archive/search", "/archive/search?query="):
        text = page(room, path)
        assert 'name="query"' in text and "message-error" not in text
        assert "Type words to search for" in text
    bad = page(room, "/archive/search?query=%22homs", status=400)
    errors = re.findall(r'<p class="message-error">(.*?)</p>', bad, re.S)
    assert [html.unescape(e) for e in errors] == ['bad search query ""homs": unbalanced double quote']
    raw = page(room, "/archive/articles?_search=%22homs&_searchmode=raw", status=400)
    assert "Invalid SQL" not in raw and "unbalanced double quote" in raw


def test_edited_articles_show_the_diff_whole(room: dict[str, Any]) -> None:
    text = page(room, "/archive/edited_articles")
    assert f'href="/archive/articles/{room["edited"]}#version-2"' in text
    assert any(len(t.split()) >= 3 and t in room["new_body"] for t in texts(text, "ins"))
    assert "…" not in "".join(texts(text, "ins"))


def test_charts_have_one_mark_per_month_per_site(room: dict[str, Any]) -> None:
    text = page(room, "/archive/articles_per_month")
    figures = re.findall(r'<figure class="chart" data-site="([^"]+)">(.*?)</figure>', text, re.S)
    assert {site for site, _ in figures} == set(room["months"])
    for site, figure in figures:
        assert figure.count('<rect class="mark"') == len(room["months"][site])
    loaded = re.findall(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"', text)
    assert loaded and all(u.startswith(("/", room["base"])) for u in loaded)  # works offline
    gaps = rows(room["db"], "select count(*) as n from articles")  # a dense crawl: no gap
    assert gaps[0]["n"] and "Nothing found" in page(room, "/archive/days_without_articles")


def feed(room: dict[str, Any], path: str) -> Any:
    status, kind, text = get(room["base"] + path)
    assert status == 200 and kind.startswith("application/atom+xml"), (status, kind, text[:300])
    parsed = feedparser.parse(text)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_atom_feed_of_a_search_holds_its_hits(room: dict[str, Any]) -> None:
    parsed = feed(room, "/-/newsarchive/feed.atom?query=homs")
    hits = get_json(room["base"] + "/archive/search.json?query=homs&_shape=array")
    assert {e.link for e in parsed.entries} == {
        f"{room['base']}/archive/articles/{h['id']}" for h in hits
    }
    # each entry's time is the article's publication instant, not its day at midnight
    published = {
        f"{room['base']}/archive/articles/{r['id']}": r["published"]
        for r in rows(room["db"], "select id, published from articles")
    }
    times = {e.link: time.strftime("%Y-%m-%dT%H:%M:%SZ", e.updated_parsed) for e in parsed.entries}
    assert times == {link: published[link] for link in times}
    assert any(not t.endswith("T00:00:00Z") for t in times.values())
    assert [e.link for e in parsed.entries] == sorted(times, key=lambda link: times[link], reverse=True)
    punctuated = feed(room, "/-/newsarchive/feed.atom?query=U.S.")
    assert punctuated.feed.title == "newsarchive: articles matching U.S."
    status, _, text = get(room["base"] + "/-/newsarchive/feed.atom?query=%22homs")
    assert status == 400 and "unbalanced double quote" in text


def test_atom_feeds_of_latest_articles_and_edits(room: dict[str, Any]) -> None:
    latest = feed(room, "/-/newsarchive/latest.atom")
    newest = rows(room["db"], "select id, title from articles order by published desc, id desc limit 1")[0]
    assert latest.entries[0].title == newest["title"]
    edits = feed(room, "/-/newsarchive/edits.atom")
    links = {e.link for e in edits.entries}
    assert f"{room['base']}/archive/articles/{room['edited']}#version-2" in links
    assert len(links) == count(room["db"], "select count(*) as n from article_versions")
