"""Generic discovery, pure: robots.txt, home pages, sitemaps (index, urlset, Google News, gzip),
RSS 1.0/2.0 and Atom feeds, URL folding, and the plan of what a run walks and fetches."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime

import pytest

from newsarchive.items import Skip
from spiders.generic import plan
from spiders.generic.discovery import article_links, feed_links, looks_like_article
from spiders.generic.entries import Entry
from spiders.generic.feeds import read_feed
from spiders.generic.robots import robots_sitemaps
from spiders.generic.sitemaps import read_sitemap
from spiders.generic.urls import fold_url, on_root, url_key

NY = "America/New_York"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- URLs ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "folded"),
    [
        ("https://News.example/2026/03/14/a-b/?utm_source=tw&utm_medium=x#top", "https://news.example/2026/03/14/a-b/"),
        ("https://news.example/2026/03/14/a-b/amp/", "https://news.example/2026/03/14/a-b/"),
        ("https://news.example/amp/2026/03/14/a-b/", "https://news.example/2026/03/14/a-b/"),
        ("https://news.example/2026/03/14/a-b/?amp=1&fbclid=Q", "https://news.example/2026/03/14/a-b/"),
        ("https://news.example/story.amp.html", "https://news.example/story.html"),
        ("https://news.example/view.php?id=7&utm_campaign=c", "https://news.example/view.php?id=7"),
        ("https://news.example/view.php?b=2&a=1", "https://news.example/view.php?b=2&a=1"),
    ],
)
def test_tracking_parameters_and_amp_forms_fold_onto_one_url(url, folded):
    assert fold_url(url) == folded


def test_the_key_is_the_path_whatever_the_host_or_the_profiles_id_group():
    assert url_key("http://127.0.0.1:8080/2026/03/14/a-b/amp/") == "2026/03/14/a-b"
    assert url_key("https://news.example/2026/03/14/a-b/?utm_source=x") == "2026/03/14/a-b"
    assert url_key("https://news.example/view.php?id=7&utm_medium=m") == "view.php?id=7"
    pattern = re.compile(r"/articles/(?P<id>\d+)/")
    assert url_key("https://news.example/articles/123/some-title?utm_source=x", pattern) == "123"
    assert url_key("https://news.example/about/", pattern) == "about"
    assert url_key("https://news.example/n/9-x", re.compile(r"/n/\d+")) == "/n/9"
    assert on_root("https://news.example/a/?x=1", "http://127.0.0.1:9/") == "http://127.0.0.1:9/a/?x=1"


# --- robots.txt and the home page ------------------------------------------------------------
def test_robots_sitemap_lines_in_order_absolute_and_once():
    body = (
        b"User-agent: *\nDisallow: /search\n"
        b"Sitemap: https://news.example/sitemap_index.xml\n"
        b"sitemap:/news-sitemap.xml\n"
        b"SITEMAP: https://news.example/sitemap_index.xml\n"
    )
    assert robots_sitemaps(body, "https://news.example/robots.txt") == [
        "https://news.example/sitemap_index.xml",
        "https://news.example/news-sitemap.xml",
    ]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n", "https://news.example/robots.txt") == []


HOME = """<!doctype html><html><head>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">
<link rel="alternate" type="application/atom+xml" href="https://news.example/feed/atom/">
<link rel="alternate" hreflang="es" href="https://news.example/es/">
<link rel="stylesheet" href="/style.css">
</head><body>
<a href="/2026/03/14/mayor-opens-the-new-bridge/">Mayor opens the bridge</a>
<a href="/2026/03/14/mayor-opens-the-new-bridge/?utm_source=home">again, tracked</a>
<a href="/2026/03/14/mayor-opens-the-new-bridge/amp/">AMP</a>
<a href="/section/politics/">Politics</a>
<a href="/tag/city-hall-and-the-mayor/">a tag page</a>
<a href="https://other.example/2026/03/14/elsewhere-is-a-story/">elsewhere</a>
<a href="/2026/03/13/council-votes-on-budget/">Council votes</a>
</body></html>"""


def test_home_page_feeds_are_the_alternate_rss_and_atom_links():
    assert feed_links(HOME, "https://news.example/") == [
        "https://news.example/feed/",
        "https://news.example/feed/atom/",
    ]


def test_home_page_article_links_once_folded_same_site_article_like():
    links = article_links(HOME, "https://news.example/")
    assert [e.url for e in links] == [
        "https://news.example/2026/03/14/mayor-opens-the-new-bridge/",
        "https://news.example/2026/03/13/council-votes-on-budget/",
    ]
    assert links[0].title == "Mayor opens the bridge"
    only_13 = re.compile(r"/2026/03/13/")
    assert [e.url for e in article_links(HOME, "https://news.example/", only_13)] == [
        "https://news.example/2026/03/13/council-votes-on-budget/"
    ]
    assert not looks_like_article("https://news.example/section/politics/")


# --- sitemaps ---------------------------------------------------------------------------------
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-2026-03.xml</loc><lastmod>2026-03-14T09:30:00-04:00</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-2026-02.xml.gz</loc><lastmod>2026-02-28</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-misc.xml</loc></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://news.example/2026/03/14/mayor-opens-the-new-bridge/</loc><lastmod>2026-03-14T10:02:00Z</lastmod></url>
  <url><loc>https://news.example/2026/03/13/council-votes-on-budget/</loc><lastmod>not a date</lastmod></url>
  <url><loc>/relative/is/ignored/</loc></url>
</urlset>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example/2026/03/14/mayor-opens-the-new-bridge/</loc>
    <news:news><news:publication><news:name>The Newsroom</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-03-14T08:15:00-04:00</news:publication_date>
      <news:title>Mayor  opens the new bridge</news:title></news:news></url>
</urlset>"""


def test_a_sitemap_index_lists_sitemaps_with_lastmod_read_in_the_sites_zone():
    page = read_sitemap(INDEX, NY)
    assert page.is_index
    assert [e.url for e in page.entries][0] == "https://news.example/sitemap-2026-03.xml"
    assert [e.lastmod for e in page.entries] == [utc(2026, 3, 14, 13, 30), utc(2026, 2, 28, 5, 0), None]


def test_a_urlset_gives_pages_with_lastmod_and_leaves_an_unreadable_date_out():
    page = read_sitemap(URLSET, NY)
    assert page.kind == "urlset"
    assert [(e.url, e.lastmod) for e in page.entries] == [
        ("https://news.example/2026/03/14/mayor-opens-the-new-bridge/", utc(2026, 3, 14, 10, 2)),
        ("https://news.example/2026/03/13/council-votes-on-budget/", None),
    ]


def test_a_google_news_sitemap_gives_the_publication_date_and_title():
    (entry,) = read_sitemap(NEWS, NY).entries
    assert entry.published == utc(2026, 3, 14, 12, 15)
    assert entry.title == "Mayor opens the new bridge"
    assert entry.lastmod is None and entry.changed == entry.published


def test_a_gzip_sitemap_reads_as_the_plain_one():
    assert read_sitemap(gzip.compress(URLSET), NY) == read_sitemap(URLSET, NY)


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>Maintenance</body></html>", b"\x1f\x8b\x08broken gzip", b'{"json": true}'],
)
def test_what_is_not_a_sitemap_is_a_skip(body):
    with pytest.raises(Skip) as caught:
        read_sitemap(body, NY)
    assert caught.value.reason == "not_listing"


# --- feeds ------------------------------------------------------------------------------------
RSS2 = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>The Newsroom</title>
<item><title>Mayor opens the bridge</title><link>https://news.example/2026/03/14/mayor-opens-the-new-bridge/?utm_source=rss</link>
<pubDate>Sat, 14 Mar 2026 08:15:00 -0400</pubDate></item>
<item><title>No link at all</title><description>x</description></item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/"><title>N</title><link>https://news.example/</link></channel>
<item rdf:about="https://news.example/2026/03/13/council-votes-on-budget/"><title>Council votes</title>
<link>https://news.example/2026/03/13/council-votes-on-budget/</link><dc:date>2026-03-13T17:00:00</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>The Newsroom</title><id>urn:x</id><updated>2026-03-14T14:00:00Z</updated>
<entry><title>Mayor opens the bridge</title><id>urn:uuid:1</id>
<link rel="amphtml" href="https://news.example/2026/03/14/mayor-opens-the-new-bridge/amp/"/>
<link rel="alternate" href="https://news.example/2026/03/14/mayor-opens-the-new-bridge/"/>
<published>2026-03-14T12:15:00Z</published><updated>2026-03-14T13:40:00Z</updated></entry>
</feed>"""


def test_rss2_entries_with_link_and_date_and_none_without_a_link():
    (entry,) = read_feed(RSS2, "https://news.example/feed/", NY)
    assert entry.url.startswith("https://news.example/2026/03/14/mayor-opens-the-new-bridge/")
    assert entry.published == utc(2026, 3, 14, 12, 15)
    assert entry.title == "Mayor opens the bridge"


def test_rss1_date_without_offset_is_the_sites_wall_time():
    (entry,) = read_feed(RSS1, "https://news.example/rdf", NY)
    assert entry.url == "https://news.example/2026/03/13/council-votes-on-budget/"
    assert entry.published == utc(2026, 3, 13, 21, 0)  # EDT, -4 after the March change


def test_atom_entry_takes_the_alternate_link_and_both_dates():
    (entry,) = read_feed(ATOM, "https://news.example/feed/atom/", NY)
    assert entry.url == "https://news.example/2026/03/14/mayor-opens-the-new-bridge/"
    assert (entry.published, entry.lastmod) == (utc(2026, 3, 14, 12, 15), utc(2026, 3, 14, 13, 40))


def test_a_page_that_is_no_feed_is_a_skip():
    with pytest.raises(Skip):
        read_feed(b"<html><head><title>Oops</title></head><body>503</body></html>", "https://n/", NY)


# --- the plan ---------------------------------------------------------------------------------
NOW = utc(2026, 3, 14, 15, 0)
TODAY = date(2026, 3, 14)
CUT = utc(2026, 3, 14, 13, 0)


def walk(child: Entry, last: str | None, **kw) -> bool:
    args = {"full": False, "since": None, "cut": CUT, "today": TODAY, **kw}
    return plan.walk_sitemap(child, last, **args)


def test_a_sitemap_is_walked_again_only_when_its_lastmod_moved():
    march = Entry("https://n/s-03.xml", lastmod=utc(2026, 3, 14, 14, 0))
    assert walk(march, None)  # never walked, changed since the last run
    assert not walk(march, plan.walk_mark(march, TODAY))  # walked at this lastmod
    assert walk(march, "2026-03-14T12:00:00Z")  # walked at an older lastmod
    old = Entry("https://n/s-01.xml", lastmod=utc(2026, 1, 31))
    assert not walk(old, None)  # unchanged since before the last run: a backfill's
    assert walk(old, None, full=True) and walk(old, "2026-01-31T00:00:00Z", full=True)
    assert walk(old, None, since=date(2026, 1, 1)) and not walk(old, None, since=date(2026, 2, 1))


def test_a_sitemap_without_lastmod_is_walked_once_a_day():
    misc = Entry("https://n/misc.xml")
    assert walk(misc, None)
    assert not walk(misc, plan.walk_mark(misc, TODAY))
    assert walk(misc, plan.walk_mark(misc, date(2026, 3, 13)))


def test_an_article_is_fetched_when_new_or_its_lastmod_passed_our_last_fetch():
    def reason(entry, known=None, skipped=None, backfill=False):
        return plan.fetch_reason(entry, known, skipped, NOW, refresh_hours=48, backfill=backfill)

    entry = Entry("https://n/a/", lastmod=utc(2026, 3, 14, 14, 0))
    assert reason(entry) == "new"
    assert reason(entry, {"last_seen": "2026-03-14T13:00:00Z"}) == "lastmod"
    assert reason(entry, {"last_seen": "2026-03-14T14:30:00Z"}) is None
    assert reason(Entry("https://n/a/"), {"last_seen": "2026-03-01T00:00:00Z"}) is None
    gone = {"at": "2026-03-14T14:30:00Z", "reason": "http_404", "count": 1}
    assert reason(Entry("https://n/a/", published=utc(2026, 3, 14, 14, 20)), None, gone) is None
    failed = {"at": "2026-03-14T14:30:00Z", "reason": "http_503", "count": 1}
    assert reason(entry, None, failed) is None and reason(entry, None, failed, backfill=True) == "new"


def test_a_backfill_keeps_the_articles_of_its_days_in_the_sites_zone():
    late = Entry("https://n/a/", published=utc(2026, 3, 14, 2, 0))  # 13 March, 22:00 in New York
    assert plan.in_range(late, date(2026, 3, 13), date(2026, 3, 13), NY)
    assert not plan.in_range(late, date(2026, 3, 14), None, NY)
    assert plan.in_range(Entry("https://n/undated/"), date(2026, 3, 14), None, NY)
