"""spiders.generic.parse_article on pages made for it (tests/golden/generic/), and its parts:
identity (canonical URL, tracking parameters, AMP), dates in a profile's zone, JSON-LD shapes,
titles without the site's name, and hostile input that must give `Skip` and nothing else."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from newsarchive.items import SKIP_REASONS, Skip
from spiders.generic import parse_article
from spiders.generic.identity import canonical_url, clean_url, site_id
from spiders.generic.jsonld import article_object, names, strings
from spiders.generic.when import read_time
from tests.golden import article_result, diff_fields, site_dir

GOLDEN = site_dir("generic")
CASES: dict[str, dict[str, Any]] = json.loads((GOLDEN / "cases.json").read_text("utf-8"))


def case(name: str) -> tuple[str, str, Any]:
    """(html, url, profile) of a golden case; the profile is a plain object, as any will do."""
    spec = CASES[name]
    profile = SimpleNamespace(**spec["profile"]) if spec["profile"] else None
    return (GOLDEN / f"{name}.html").read_text("utf-8"), spec["url"], profile


def result(name: str) -> dict[str, Any]:
    html, url, profile = case(name)
    return article_result(lambda h, u: parse_article(h, u, profile), html, url)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_page(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    differences = diff_fields(expected, result(name))
    assert not differences, f"{name} ({CASES[name]['note']}):\n" + "\n".join(differences)


def test_goldens_cover_articles_and_each_generic_skip() -> None:
    outcomes = {json.loads((GOLDEN / f"{n}.json").read_text("utf-8")).get("skip") for n in CASES}
    assert outcomes >= {None, "not_article", "paywall", "no_date"}
    assert outcomes - {None} <= set(SKIP_REASONS)


def test_every_golden_file_has_a_case() -> None:
    files = {p.stem for p in GOLDEN.glob("*.html")} | {p.stem for p in GOLDEN.glob("*.json")}
    assert files - {"cases"} == set(CASES)


def test_body_follows_our_conventions() -> None:
    for name in CASES:
        body = json.loads((GOLDEN / f"{name}.json").read_text("utf-8")).get("body")
        if body is None:
            continue
        assert body == body.strip() and "\n\n\n" not in body, name
        assert all(p and p == p.strip() for p in body.split("\n\n")), name


@pytest.mark.parametrize(
    "noise", ["Advertisement", "Sign up", "Share on", "Photo:", "Related", "comments", "Most read",
              "remember swimming", "Great day on the reef", "cookies", "© 2024"],
)  # fmt: skip
def test_noisy_page_body_has_no_furniture(noise: str) -> None:
    body = result("noisy")["body"]
    assert noise not in body
    assert body.count("Now we see the reef from the boat.") == 1  # the pull quote's sentence


def test_profile_is_any_object_and_missing_attributes_take_defaults() -> None:
    html, url, _profile = case("modern_jsonld")
    bare = parse_article(html, url, object())
    assert bare.site == "harbortimes.example"
    assert parse_article(html, url).record() == bare.record()
    zoned = parse_article(html, url, SimpleNamespace(timezone="Asia/Tokyo"))
    assert zoned.published == bare.published
    assert zoned.published_local.isoformat() == "2024-06-13T03:05:00+09:00"


def test_a_date_without_offset_is_read_in_the_profile_zone_never_the_clock() -> None:
    html, url, _profile = case("no_offset")
    utc = parse_article(html, url)
    chicago = parse_article(html, url, SimpleNamespace(timezone="America/Chicago"))
    assert utc.published.isoformat() == "2024-07-04T09:15:00+00:00"
    assert chicago.published.isoformat() == "2024-07-04T14:15:00+00:00"
    assert parse_article(html, url, SimpleNamespace(timezone="Not/AZone")).published == utc.published


def test_article_url_pattern_that_does_not_match_is_not_an_article() -> None:
    html, url, _profile = case("modern_jsonld")
    with pytest.raises(Skip) as raised:
        parse_article(html, url, SimpleNamespace(article_url=r"/story/(?P<id>\d+)"))
    assert raised.value.reason == "not_article"


# --- identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://ex.example/a/b/?utm_source=x&utm_medium=y", "https://ex.example/a/b/"),
        ("https://ex.example/a?fbclid=1&gclid=2&id=7", "https://ex.example/a?id=7"),
        ("https://ex.example/2024/01/02/slug/amp/", "https://ex.example/2024/01/02/slug/"),
        ("https://ex.example/2024/01/02/slug/?amp=1", "https://ex.example/2024/01/02/slug/"),
        ("https://ex.example/news/slug?outputType=amp", "https://ex.example/news/slug"),
        ("https://amp.ex.example/news/slug", "https://ex.example/news/slug"),
        ("https://EX.example/news/slug#comments", "https://ex.example/news/slug"),
        ("https://ex.example/campaign/amplifier", "https://ex.example/campaign/amplifier"),
    ],
)
def test_clean_url_drops_tracking_and_folds_amp(url: str, clean: str) -> None:
    assert clean_url(url) == clean


def test_canonical_url_is_absolute_and_a_front_page_canonical_is_a_mistake() -> None:
    fetched = "https://ex.example/2024/01/02/slug/amp/?utm_source=x"
    assert canonical_url(fetched, "/2024/01/02/slug/", None) == "https://ex.example/2024/01/02/slug/"
    assert canonical_url(fetched, "https://ex.example/", None) == "https://ex.example/2024/01/02/slug/"
    assert canonical_url(fetched, None, "https://ex.example/s?utm_campaign=a") == "https://ex.example/s"
    assert canonical_url(fetched, "javascript:void(0)", None) == "https://ex.example/2024/01/02/slug/"


def test_site_id_from_pattern_or_path() -> None:
    assert site_id("https://ex.example/a/123-slug", "", r"/a/(?P<id>\d+)") == "123"
    assert site_id("https://ex.example/other", "https://ex.example/a/9", r"/a/(?P<id>\d+)") == "9"
    assert site_id("https://ex.example/x", "", r"/a/(?P<id>\d+)") is None
    assert site_id("https://ex.example/2024/01/02/slug/", "", None) == "2024/01/02/slug"
    assert site_id("https://ex.example/story.php?id=5", "", None) == "story.php?id=5"


# --- dates ------------------------------------------------------------------------------------

UTC = timezone.utc


@pytest.mark.parametrize(
    ("raw", "tz", "instant"),
    [
        ("2024-06-12T14:05:00-04:00", "UTC", datetime(2024, 6, 12, 18, 5, tzinfo=UTC)),
        ("2024-06-12T18:05:00Z", "Europe/Berlin", datetime(2024, 6, 12, 18, 5, tzinfo=UTC)),
        ("2024-06-12 14:05:00 +0200", "UTC", datetime(2024, 6, 12, 12, 5, tzinfo=UTC)),
        ("2024-06-12T14:05:00", "America/New_York", datetime(2024, 6, 12, 18, 5, tzinfo=UTC)),
        ("2024-01-12T14:05", "America/New_York", datetime(2024, 1, 12, 19, 5, tzinfo=UTC)),
        # the repeated hour of the autumn change: its first occurrence (EDT)
        ("2024-11-03T01:30:00", "America/New_York", datetime(2024, 11, 3, 5, 30, tzinfo=UTC)),
        # inside the spring gap: read with the offset before it (EST)
        ("2024-03-10T02:30:00", "America/New_York", datetime(2024, 3, 10, 7, 30, tzinfo=UTC)),
        ("Wed, 12 Jun 2024 18:05:00 GMT", "Asia/Tokyo", datetime(2024, 6, 12, 18, 5, tzinfo=UTC)),
        ("2024-06-12", "America/New_York", datetime(2024, 6, 12, 4, 0, tzinfo=UTC)),
        ("27.10.2024 14:45", "Europe/Berlin", datetime(2024, 10, 27, 13, 45, tzinfo=UTC)),
        ("June 12, 2024", "UTC", datetime(2024, 6, 12, tzinfo=UTC)),
    ],
)
def test_read_time(raw: str, tz: str, instant: datetime) -> None:
    value = read_time(raw, tz)
    assert value is not None and value.tzinfo is not None
    assert value.astimezone(UTC) == instant


@pytest.mark.parametrize("raw", ["", "yesterday", "soon", "0000-00-00", "9999-99-99T99:99", "3 hours ago"])
def test_read_time_gives_none_for_what_is_no_date(raw: str) -> None:
    assert read_time(raw, "UTC") is None


# --- JSON-LD ----------------------------------------------------------------------------------


def test_jsonld_article_in_graph_list_or_main_entity() -> None:
    article = {"@type": ["NewsArticle", "Thing"], "headline": "H"}
    assert article_object([{"@graph": [{"@type": "WebSite"}, article]}]) == article
    assert article_object([[{"@type": "BreadcrumbList"}], article]) == article
    assert article_object([{"@type": "WebPage", "mainEntity": article}]) == article
    assert article_object([{"@type": "schema:ReportageNewsArticle", "headline": "R"}])["headline"] == "R"
    assert article_object([{"@type": "WebPage"}]) == {}


def test_jsonld_author_and_keyword_shapes() -> None:
    assert names("Ana Ruiz") == ["Ana Ruiz"]
    assert names({"@type": "Person", "name": "Ana Ruiz"}) == ["Ana Ruiz"]
    assert names([{"name": "Ana Ruiz"}, "Tom Becker", {"name": "Ana Ruiz"}, {"url": "/x"}]) == [
        "Ana Ruiz", "Tom Becker"]  # fmt: skip
    assert names(None) == [] and names([]) == []
    assert strings("a, b ,, c") == ["a", "b", "c"]
    assert strings(["a", "b", "a"]) == ["a", "b"]


def test_a_broken_jsonld_block_is_passed_over() -> None:
    html, url, profile = case("modern_jsonld")
    broken = html.replace("<head>", '<head><script type="application/ld+json">{"@type": </script>', 1)
    assert parse_article(broken, url, profile).record() == parse_article(html, url, profile).record()


# --- titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "site", "want"),
    [
        ("Bridge approved | Harbor Times", "Harbor Times", "Bridge approved"),
        ("Harbor Times - Bridge approved", "Harbor Times", "Bridge approved"),
        ("Bridge approved — the vote - Harbor Times", "Harbor Times", "Bridge approved — the vote"),
        ("Q&A - what the vote means", "Harbor Times", "Q&A - what the vote means"),
    ],
)
def test_title_without_the_site_name(title: str, site: str, want: str) -> None:
    html, url, profile = case("og_only")
    html = html.replace("Ferry service resumes after storm - Coastal Ledger", title)
    html = html.replace('content="Coastal Ledger"', f'content="{site}"')
    html = html.replace("<h1>Ferry service resumes after storm</h1>", "")
    assert parse_article(html, url, profile).title == want


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    ["", "   ", "not html at all", "{\"json\": true}", "<html></html>", "<html><body><p>Hi</p></body></html>",
     "\x00\x01\x02<html>", "<html>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</html>",
     "<html><head><title>x</title></head><body>" + "<p>word </p>" * 3 + "</body></html>"],
)  # fmt: skip
def test_garbage_is_a_skip(html: str) -> None:
    with pytest.raises(Skip) as raised:
        parse_article(html, "https://ex.example/a/b")
    assert raised.value.reason in SKIP_REASONS


def test_cut_pages_give_an_article_or_a_skip_and_nothing_else() -> None:
    rng = random.Random(13)
    for name in sorted(CASES):
        html, url, profile = case(name)
        for cut in sorted(rng.sample(range(len(html)), 12)):
            try:
                article = parse_article(html[:cut], url, profile)
            except Skip as skip:
                assert skip.reason in SKIP_REASONS
            else:
                assert article.title and article.body and article.published.tzinfo is not None


def test_pure_same_input_same_output() -> None:
    html, url, profile = case("noisy")
    first = parse_article(html, url, profile)
    assert parse_article(html, url, profile) == first
    assert first.published - first.published_local == timedelta(0)


def test_jsonld_entities_are_text_and_a_bare_date_takes_the_time_another_source_gives() -> None:
    html, url, profile = case("no_offset")
    html = html.replace('"headline": "Fireworks move to the river this year"',
                        '"headline": "Fireworks &#8220;move&#8221; to the&nbsp;river"')  # fmt: skip
    html = html.replace('"datePublished": "2024-07-04T09:15:00"', '"datePublished": "2024-07-04"')
    html = html.replace("<h1>Fireworks move to the river this year</h1>", "")
    article = parse_article(html, url, profile)
    assert article.title == "Fireworks \u201cmove\u201d to the river"
    assert article.published_local.isoformat() == "2024-07-04T09:15:00-05:00"  # from <time>


def test_printed_headline_wins_over_a_different_seo_headline() -> None:
    html, url, profile = case("modern_jsonld")
    html = html.replace('"headline": "City council approves new harbor bridge"',
                        '"headline": "Harbor bridge vote: council says yes 7-2"')  # fmt: skip
    assert parse_article(html, url, profile).title == "City council approves new harbor bridge"


# --- the replica's fault pages, by rule -------------------------------------------------------


def skip_reason(html: str, url: str, profile: Any = None) -> str | None:
    try:
        parse_article(html, url, profile)
    except Skip as skip:
        return skip.reason
    return None


def test_an_impossible_date_is_bad_date_not_the_day_in_the_url() -> None:
    html, url, profile = case("modern_jsonld")
    broken = html.replace("2024-06-12T14:05:00-04:00", "2024-13-45T25:61:00-04:00")
    assert skip_reason(broken, url, profile) == "bad_date"
    placeholder = html.replace("2024-06-12T14:05:00-04:00", "0001-01-01T00:00:00Z")
    assert skip_reason(placeholder, url, profile) is None  # left out: htmldate finds the day


def test_a_jsonld_article_without_a_date_is_no_date_even_with_a_dated_url() -> None:
    html, url, profile = case("no_offset")
    undated = html.replace('"datePublished": "2024-07-04T09:15:00",', "")
    undated = undated.replace('<time datetime="2024-07-04 09:15">July 4, 9:15 a.m.</time>', "")
    assert "2024/07/04" in url and skip_reason(undated, url, profile) == "no_date"


def test_a_page_cut_before_its_end_is_truncated() -> None:
    html, url, profile = case("noisy")
    assert skip_reason(html[: len(html) // 2], url, profile) == "truncated"
    assert skip_reason(html[: html.index("</body>")], url, profile) == "truncated"


def test_an_article_page_with_no_paragraphs_is_no_body_not_its_header() -> None:
    html, url, profile = case("noisy")
    start, end = html.index('<div class="article-body">'), html.index('<div class="tags">')
    empty = html[:start] + '<header class="entry-header"><p class="dek">Oyster beds in the inner harbor have grown by a third in two years.</p></header>' + html[end:]
    assert skip_reason(empty, url, profile) == "no_body"


def test_repeated_lines_of_an_article_are_kept() -> None:
    html, url, profile = case("og_only")
    line = "<p>Portion: one cup of rice and two eggs.</p>"
    html = html.replace('<div class="entry">', f'<div class="entry">{line}').replace(
        "</div>\n</div>\n<div class=\"foot\">", f"{line}</div>\n</div>\n<div class=\"foot\">"
    )
    assert parse_article(html, url, profile).body.count("Portion: one cup of rice and two eggs.") == 2
