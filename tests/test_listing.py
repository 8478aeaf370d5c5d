"""parse_listing on golden section listings, archive days and feeds (RDF and RSS 2.0)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newsarchive.dates import format_utc
from newsarchive.items import LISTING_SKIP_REASONS, Skip
from spiders.novinite import listing_kind, parse_listing
from tests.golden import (
    diff_fields,
    listing_result,
    load_manifest,
    read_expected,
    read_page,
)
from tests.golden.replica_client import ReplicaClient, replica_for_tests

SITE = "novinite"
MANIFEST = load_manifest(SITE)
LISTINGS = sorted(name for name, case in MANIFEST.items() if case["kind"] == "listing")


def page(name: str) -> tuple[str, str]:
    case = MANIFEST[name]
    return read_page(SITE, case), case["url"]


@pytest.mark.parametrize("name", LISTINGS)
def test_golden_listing(name: str) -> None:
    html, url = page(name)
    expected = read_expected(SITE, name)
    actual = listing_result(parse_listing, html, url)
    want_entries, got_entries = expected.pop("entries", []), actual.pop("entries", [])
    differences = diff_fields(expected, actual)
    if len(want_entries) != len(got_entries):
        differences.append(f"entries: expected {len(want_entries)}, got {len(got_entries)}")
    for i, (want, got) in enumerate(zip(want_entries, got_entries, strict=False)):
        differences += [f"entry {i}: {line}" for line in diff_fields(want, got)]
    assert not differences, f"{name} ({MANIFEST[name]['note']}):\n" + "\n".join(differences)


def test_goldens_cover_every_kind_and_skip_reason() -> None:
    results = [read_expected(SITE, n) for n in LISTINGS]
    kinds = {r["kind"] for r in results if "kind" in r}
    assert kinds == {"section", "archive", "feed"}
    assert {r["skip"] for r in results if "skip" in r} == set(LISTING_SKIP_REASONS)
    feeds = [page(n)[0] for n in LISTINGS if read_expected(SITE, n).get("kind") == "feed"]
    assert any("<rdf:RDF" in f for f in feeds) and any('<rss version="2.0"' in f for f in feeds)


def test_section_listing_entries_and_next_page() -> None:
    listing = parse_listing(*page("listing_world_page2"))
    assert listing.kind == "section"
    assert listing.next_url == "https://www.novinite.com/articles/category/30/World/?&s=40"
    ids = [e.site_id for e in listing.entries]
    assert ids == ["229801", "229790", "229786", "120077", "229700"]  # not the ad, not #right
    first = listing.entries[0]
    assert (
        first.published is not None and first.published.isoformat() == "2024-12-07T08:40:00+00:00"
    )
    assert (first.section, first.subsection) == ("World", "Southeast Europe")
    viewed = listing.entries[2]  # "| Viewed: 3287" after the date
    assert (
        viewed.published is not None and viewed.published.isoformat() == "2024-12-06T14:45:00+00:00"
    )
    assert listing.entries[3].published is None  # empty div.date
    assert listing.entries[4].published is None  # unreadable date
    assert all(e.url.startswith("https://www.novinite.com/") for e in listing.entries)
    assert listing.entries[1].url.startswith("https://www.novinite.com/articles/229790/")


def test_last_listing_page_has_no_next() -> None:
    assert parse_listing(*page("listing_category_php_last")).next_url is None


def test_archive_day_keeps_page_order_and_sections() -> None:
    listing = parse_listing(*page("archive_2014_10_12"))
    assert listing.kind == "archive" and listing.next_url is None
    assert [(e.site_id, e.section, e.subsection) for e in listing.entries] == [
        ("164020", "Politics", None),
        ("164031", "Politics", None),
        ("164022", "Business", None),
        ("164025", "Business", None),
        ("164027", "World", "Ukraine"),
    ]


@pytest.mark.parametrize("name", ["feed_rdf", "feed_rss2"])
def test_feeds(name: str) -> None:
    listing = parse_listing(*page(name))
    assert listing.kind == "feed" and listing.next_url is None
    assert [e.site_id for e in listing.entries][:2] == ["229801", "229790"]
    first = listing.entries[0]
    assert (
        first.published is not None and first.published.isoformat() == "2024-12-07T08:40:00+00:00"
    )
    assert first.title is not None and first.title.startswith("Nationalist Candidate Georgescu")


@pytest.mark.parametrize(
    ("url", "html", "kind"),
    [
        ("https://www.novinite.com/services/news_rdf.php", "", "feed"),
        ("https://www.novinite.com/services/news_rdf.php?category_id=30", "", "feed"),
        ("https://www.novinite.com/whatever", "<?xml version='1.0'?>\n<rss version='2.0'>", "feed"),
        ("https://www.novinite.com/archives/2025-09-04", "<html>", "archive"),
        ("https://www.novinite.com/articles/category/30/World", "<html>", "section"),
        ("https://www.novinite.com/category.php?category_id=30&s=20", "<html>", "section"),
    ],
)
def test_listing_kind(url: str, html: str, kind: str) -> None:
    assert listing_kind(html, url) == kind


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        '{"error": 1}',
        "\x00\x01garbage",
        "<rss><channel><item>",
        "<div class=item>",
        "<" * 5000,
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "https://www.novinite.com/articles/category/30/World",
        "https://www.novinite.com/archives/2024-12-06",
        "https://www.novinite.com/services/news_rdf.php",
    ],
)
def test_garbage_listing_is_a_counted_skip_or_empty_never_an_error(html: str, url: str) -> None:
    """Garbage is not the site's listing (Skip "not_listing": the run counts it against its
    evidence); what parses as a listing of the site may be empty. Nothing else is raised."""
    try:
        listing = parse_listing(html, url)
    except Skip as skip:
        assert skip.reason == "not_listing", skip
        return
    assert html.startswith("<rss") or "item" in html, "garbage read as a listing"
    assert listing.entries == [] and listing.next_url is None


@pytest.mark.parametrize("html", ["", "   ", '{"error": 1}', "\x00\x01garbage"])
@pytest.mark.parametrize(
    "url",
    [
        "https://www.novinite.com/articles/category/30/World",
        "https://www.novinite.com/archives/2024-12-06",
        "https://www.novinite.com/services/news_rdf.php",
    ],
)
def test_an_empty_or_non_html_answer_is_not_a_listing(html: str, url: str) -> None:
    with pytest.raises(Skip) as skipped:
        parse_listing(html, url)
    assert skipped.value.reason == "not_listing"


# --- the replica: listings, archive days and feeds against truth.jsonl ----------------------


@pytest.fixture(scope="module")
def own_replica(request: pytest.FixtureRequest) -> Iterator[ReplicaClient]:
    yield from replica_for_tests(request, articles=300, seed=1)


def test_replica_archive_days_list_every_article_of_their_day(own_replica: ReplicaClient) -> None:
    truth = [t for t in own_replica.truth() if not t.get("skip")]
    by_day: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in truth:
        by_day.setdefault(entry["published_local"][:10], {})[entry["site_id"]] = entry
    assert len(by_day) >= 5
    for day, articles in by_day.items():
        url = f"{own_replica.url}archives/{day}"
        listing = parse_listing(own_replica.get(url)[1], url)
        assert listing.kind == "archive"
        assert {e.site_id for e in listing.entries} == set(articles), day
        for e in listing.entries:
            want = articles[e.site_id]
            assert e.title == want["title"]
            assert e.section == want["section"]
            if e.published is not None:
                assert format_utc(e.published) == want["published"]


@pytest.mark.parametrize("start", ["articles/category/30/World", "category.php?category_id=30"])
def test_replica_section_listing_pages_reach_every_article(
    own_replica: ReplicaClient, start: str
) -> None:
    truth = {t["site_id"]: t for t in own_replica.truth() if not t.get("skip")}
    world = {i for i, t in truth.items() if t["section"] == "World"}
    seen: list[str] = []
    url: str | None = own_replica.url + start
    pages = 0
    while url and pages < 100:
        listing = parse_listing(own_replica.get(url)[1], url)
        assert listing.kind == "section"
        for e in listing.entries:
            seen.append(e.site_id)
            want = truth[e.site_id]
            assert e.title == want["title"]
            if e.published is None:  # an old item with an empty date line
                assert want["published"] < "2012" and e.section == "World"
                continue
            assert (e.section, e.subsection) == (want["section"], want["subsection"])
            assert format_utc(e.published) == want["published"]
        url, pages = listing.next_url, pages + 1
    assert pages > 1 and url is None
    assert len(seen) == len(set(seen)) and set(seen) == world


@pytest.mark.parametrize("query", ["", "?format=rss2", "?category_id=30"])
def test_replica_feed_holds_the_newest_articles(own_replica: ReplicaClient, query: str) -> None:
    truth = [t for t in own_replica.truth() if not t.get("skip")]
    if "category_id=30" in query:
        truth = [t for t in truth if t["section"] == "World"]
    newest = sorted(truth, key=lambda t: (t["published"], int(t["site_id"])), reverse=True)
    url = f"{own_replica.url}services/news_rdf.php{query}"
    listing = parse_listing(own_replica.get(url)[1], url)
    assert listing.kind == "feed" and listing.entries
    by_id = {t["site_id"]: t for t in truth}
    assert {e.site_id for e in listing.entries} == {
        t["site_id"] for t in newest[: len(listing.entries)]
    }
    for e in listing.entries:
        assert e.title == by_id[e.site_id]["title"]
        assert e.published is not None and format_utc(e.published) == by_id[e.site_id]["published"]
