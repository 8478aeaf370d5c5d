"""The second replica site, newsroom, answers as tests/replica/README.md promises (real HTTP)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from calendar import timegm
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from newsarchive.text import clean_block
from tests.replica.process import ROOT, Replica

SM = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) without following redirects."""
    try:
        with _OPENER.open(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def page(url: str) -> lxml_html.HtmlElement:
    status, _headers, body = fetch(url)
    assert status == 200, url
    return lxml_html.fromstring(body)


def xml(url: str) -> etree._Element:
    status, headers, body = fetch(url)
    assert status == 200 and "xml" in headers["Content-Type"], url
    return etree.fromstring(body)


def meta(doc: lxml_html.HtmlElement, prop: str) -> list[str]:
    return doc.xpath(f'//meta[@property="{prop}"]/@content')


def json_ld(doc: lxml_html.HtmlElement) -> dict[str, Any]:
    (text,) = doc.xpath('//script[@type="application/ld+json"]/text()')
    data = json.loads(text)
    return data["@graph"][0] if "@graph" in data else data


def body_of(doc: lxml_html.HtmlElement, where: str = "entry-content") -> str:
    """The text of `div.{where} > p`: source newlines are spaces, a <br> a line break."""
    texts = []
    for p in doc.xpath(f'//div[@class="{where}"]/p'):
        for el in p.iter():
            el.text = el.text.replace("\n", " ") if el.text else el.text
            el.tail = el.tail.replace("\n", " ") if el.tail else el.tail
            if el.tag == "br":
                el.tail = "\n" + (el.tail or "")
        texts.append(clean_block(p.text_content()))
    return "\n\n".join(t for t in texts if t)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def truth(newsroom: Replica) -> list[dict[str, Any]]:
    return newsroom.truth()


def test_every_page_kind_answers(newsroom: Replica, truth: list[dict[str, Any]]):
    robots = fetch(newsroom.url + "robots.txt")[2].decode()
    assert f"Sitemap: {newsroom.base}/sitemap_index.xml" in robots.splitlines()
    assert f"Sitemap: {newsroom.base}/news-sitemap.xml" in robots.splitlines()
    for path, kind in (
        ("sitemap_index.xml", "xml"),
        ("news-sitemap.xml", "xml"),
        ("feed/", "rss+xml"),
        ("feed/atom/", "atom+xml"),
        ("", "html"),
        ("section/world/", "html"),
        ("section/world/page/2/", "html"),
        ("images/1001.jpg", "image/gif"),
    ):
        status, headers, _body = fetch(newsroom.url + path)
        assert (status, kind in headers["Content-Type"]) == (200, True), path
    for path in ("section/nothing/", "2024/12/06/no-such-story/", "2024/02/30/x/", "articles/1/"):
        assert fetch(newsroom.url + path)[0] == 404, path
    tag = truth[-1]["tags"][0]
    tag_page = page(newsroom.url + "tag/" + re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-") + "/")
    assert truth[-1]["title"] in tag_page.xpath("//h2/a/text()")
    # Fronts and tag pages are pages of links, not articles: no article metadata.
    front = page(newsroom.url + "section/world/")
    assert meta(front, "og:type") == [] and front.xpath("//script[@type='application/ld+json']") == []


def test_truth_matches_every_page(newsroom: Replica, truth: list[dict[str, Any]]):
    assert len(truth) == 300 and [int(t["site_id"]) for t in truth] == list(range(1001, 1301))
    for record in truth:
        url = record["canonical_url"]
        assert url == record["url"] and url.startswith(newsroom.base + "/")
        assert re.fullmatch(r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/", urlsplit(url).path)
        assert urlsplit(url).path[1:11].replace("/", "-") == record["published_local"][:10]
        doc = page(url)
        ld = json_ld(doc)
        assert doc.xpath('//link[@rel="canonical"]/@href') == [url] == meta(doc, "og:url")
        assert ld["@type"] == "NewsArticle" and ld["headline"] == record["title"]
        assert doc.xpath("string(//h1)") == record["title"] == meta(doc, "og:title")[0]
        assert instant(ld["datePublished"]) == instant(record["published"])
        assert ld["datePublished"] == record["published_local"] == meta(doc, "article:published_time")[0]
        assert instant(ld["dateModified"]) == instant(record["modified"]) >= instant(record["published"])
        assert meta(doc, "article:modified_time") == [record["modified_local"]]
        assert [a["name"] for a in ld["author"]] == record["authors"]
        assert {a["@type"] for a in ld["author"]} == {"Person"}
        assert ld["articleSection"] == record["section"] == meta(doc, "article:section")[0]
        keywords = ld["keywords"] if isinstance(ld["keywords"], list) else ld["keywords"].split(", ")
        assert keywords == record["tags"] == meta(doc, "article:tag")
        assert body_of(doc) == record["body"] and record["body"]


def test_the_page_holds_what_an_extractor_must_leave_out(newsroom: Replica, truth: list[dict[str, Any]]):
    seen: dict[str, int] = {}
    for record in truth[-40:]:
        doc = page(record["url"])
        content = doc.xpath('//div[@class="entry-content"]')[0]
        for name, path in (
            ("pull quote", './/aside[@class="pullquote"]//p'),
            ("embedded post", './/blockquote[@class="twitter-tweet"]'),
            ("ad", './/div[contains(@class, "ad-inline")]'),
            ("newsletter", './/aside[@class="newsletter-signup"]'),
            ("related", './/aside[@class="related-stories"]//a'),
        ):
            seen[name] = seen.get(name, 0) + bool(content.xpath(path))
        seen["caption"] = seen.get("caption", 0) + bool(doc.xpath("//figure/figcaption"))
        seen["comments"] = seen.get("comments", 0) + bool(doc.xpath('//section[@id="comments"]//li'))
        seen["time element"] = seen.get("time element", 0) + bool(doc.xpath('//div[@class="dateline"]/time'))
        for quote in content.xpath('.//aside[@class="pullquote"]//p/text()'):
            assert quote.rstrip(".") in record["body"]  # the pull quote repeats the body
        others = './/aside[@class!="pullquote"]//text() | .//blockquote[@class="twitter-tweet"]//text()'
        for text in content.xpath(others):
            assert text.strip() == "" or text.strip() not in record["body"].split("\n\n")
    assert all(count > 0 for count in seen.values()) and len(seen) == 8, seen
    assert seen["time element"] < 40  # some datelines are plain text without an offset


def test_visible_dateline_has_no_offset_the_time_element_has(newsroom: Replica, truth: list[dict[str, Any]]):
    forms = set()
    for record in truth[-30:]:
        doc = page(record["url"])
        line = doc.xpath('string(//div[@class="dateline"])')
        local = datetime.fromisoformat(record["published_local"])
        hour = local.hour % 12 or 12
        assert f"{local.year}, {hour}:{local.minute:02d} {'a.m.' if local.hour < 12 else 'p.m.'}" in line
        assert not re.search(r"[+-]\d\d:?\d\d", line)
        times = doc.xpath('//div[@class="dateline"]/time/@datetime')
        forms.add(bool(times))
        assert times in ([], [record["published_local"]])
    assert forms == {True, False}


def test_sitemaps_list_every_article_once_with_lastmod(newsroom: Replica, truth: list[dict[str, Any]]):
    index = xml(newsroom.url + "sitemap_index.xml")
    locs: list[str] = []
    modified = {t["url"]: instant(t["modified"]) for t in truth}
    for entry in index.iterfind("sm:sitemap", SM):
        month_url = entry.findtext("sm:loc", namespaces=SM)
        assert re.fullmatch(re.escape(newsroom.base) + r"/sitemaps/\d{4}-\d{2}\.xml", month_url)
        urlset = xml(month_url)
        month_locs = [u.findtext("sm:loc", namespaces=SM) for u in urlset.iterfind("sm:url", SM)]
        lastmods = [instant(u.findtext("sm:lastmod", namespaces=SM)) for u in urlset.iterfind("sm:url", SM)]
        assert lastmods == [modified[u] for u in month_locs]
        assert instant(entry.findtext("sm:lastmod", namespaces=SM)) == max(lastmods)
        locs += month_locs
    assert sorted(locs) == sorted(modified) and len(locs) == len(set(locs)) == 300
    news = xml(newsroom.url + "news-sitemap.xml")
    now = instant(newsroom.now()).timestamp()
    fresh = {t["url"] for t in truth if now - instant(t["published"]).timestamp() < 48 * 3600}
    news_locs = [u.findtext("sm:loc", namespaces=SM) for u in news.iterfind("sm:url", SM)]
    assert sorted(news_locs) == sorted(fresh) and 8 <= len(fresh) < 40
    dates = news.xpath("//news:publication_date/text()", namespaces=SM)
    assert {instant(d) for d in dates} == {instant(t["published"]) for t in truth if t["url"] in fresh}


def test_feeds_list_the_newest_30_with_tracking_links(newsroom: Replica, truth: list[dict[str, Any]]):
    newest = truth[::-1][:30]
    doc = page(truth[-1]["url"])
    feeds = doc.xpath('//link[@rel="alternate"]/@href')
    assert feeds == [newsroom.base + "/feed/", newsroom.base + "/feed/atom/"]
    for url, kind in zip(feeds, ("rss20", "atom10"), strict=True):
        parsed = feedparser.parse(fetch(url)[2])
        assert parsed.version == kind and not parsed.bozo
        assert len(parsed.entries) == 30
        for entry, record in zip(parsed.entries, newest, strict=True):
            link = urlsplit(entry.link)
            assert "utm_source=" in link.query and "utm_medium=" in link.query
            assert link._replace(query="").geturl() == record["url"]
            assert entry.title == record["title"]
            assert timegm(entry.published_parsed) == instant(record["published"]).timestamp()
            assert [a["name"] for a in entry.authors] == record["authors"]
        if kind == "atom10":
            updated = [timegm(e.updated_parsed) for e in parsed.entries]
            assert updated == [instant(r["modified"]).timestamp() for r in newest]


def test_amp_utm_and_shortlink_variants_point_to_the_canonical(newsroom: Replica, truth: list[dict[str, Any]]):
    for record in truth[-5:]:
        url = record["url"]
        doc = page(url)
        (amp_url,) = doc.xpath('//link[@rel="amphtml"]/@href')
        assert amp_url == url + "amp/"
        amp = page(amp_url)
        assert amp.xpath('//link[@rel="canonical"]/@href') == [url]
        assert body_of(amp, "amp-content") == record["body"]
        tracked = page(url + "?utm_source=homepage&utm_medium=web")
        assert tracked.xpath('//link[@rel="canonical"]/@href') == [url]
        status, headers, _ = fetch(f"{newsroom.base}/?p={record['site_id']}")
        assert (status, headers["Location"]) == (301, url)
    home = page(newsroom.url)
    hrefs = home.xpath("//h2/a/@href")
    assert len(hrefs) == 30 and all("utm_source=homepage&utm_medium=web" in h for h in hrefs)
    assert [h.split("?")[0] for h in hrefs] == [t["url"] for t in truth[::-1][:30]]


def test_dst_both_sides(newsroom: Replica, truth: list[dict[str, Any]]):
    by_local = {t["published_local"]: t for t in truth}
    assert by_local["2024-03-10T03:05:00-04:00"]["published"] == "2024-03-10T07:05:00Z"
    assert by_local["2024-11-03T01:30:00-04:00"]["published"] == "2024-11-03T05:30:00Z"
    assert by_local["2024-11-03T01:30:00-05:00"]["published"] == "2024-11-03T06:30:00Z"
    offsets = {t["published_local"][-6:] for t in truth}
    assert offsets == {"-04:00", "-05:00"}
    for record in (by_local["2024-11-03T01:30:00-04:00"], by_local["2024-11-03T01:30:00-05:00"]):
        doc = page(record["url"])
        assert "Nov. 3, 2024, 1:30 a.m." in doc.xpath('string(//div[@class="dateline"])')
        assert json_ld(doc)["datePublished"] == record["published_local"]


def test_advance_publishes_and_edits_change_modified_and_lastmod(make_replica: Any):
    site = make_replica(site="newsroom", articles=120)
    before = {t["site_id"]: t for t in site.truth()}
    index_before = xml(site.url + "sitemap_index.xml")
    result = site.advance(hours=2, publish=3, edit=2)
    assert result["now"] == "2024-12-07T14:00:00Z" and len(result["published"]) == 3
    after = {t["site_id"]: t for t in site.truth()}
    assert len(after) == 123
    for site_id in map(str, result["edited"]):
        old, new = before[site_id], after[site_id]
        assert new["version"] == 2 and new["modified"] == result["now"] and new["url"] == old["url"]
        assert new["body"] != old["body"] and new["published"] == old["published"]
        doc = page(new["url"])
        assert instant(json_ld(doc)["dateModified"]) == instant(result["now"])
        assert instant(meta(doc, "article:modified_time")[0]) == instant(result["now"])
        assert body_of(doc) == new["body"]
    index_after = xml(site.url + "sitemap_index.xml")
    lastmods = [instant(x) for x in index_after.xpath("//sm:lastmod/text()", namespaces=SM)]
    assert max(lastmods) == instant(result["now"])
    assert lastmods != [instant(x) for x in index_before.xpath("//sm:lastmod/text()", namespaces=SM)]
    news = xml(site.url + "news-sitemap.xml").xpath("//sm:loc/text()", namespaces=SM)
    assert {after[str(i)]["url"] for i in result["published"]} <= set(news)


def test_deterministic_per_seed(make_replica: Any, newsroom: Replica, truth: list[dict[str, Any]]):
    again = make_replica(site="newsroom", articles=300, seed=1)
    other = make_replica(site="newsroom", articles=300, seed=2)

    def strip(records: list[dict[str, Any]], base: str) -> str:
        return json.dumps(records).replace(base, "BASE")

    assert strip(again.truth(), again.base) == strip(truth, newsroom.base)
    assert strip(other.truth(), other.base) != strip(truth, newsroom.base)
    path = urlsplit(truth[-1]["url"]).path
    assert fetch(again.base + path)[2].replace(again.base.encode(), b"B") == fetch(
        newsroom.base + path
    )[2].replace(newsroom.base.encode(), b"B")


def test_faults_and_stats(make_replica: Any):
    site = make_replica(
        site="newsroom",
        articles=100,
        faults="404=1,500=1,truncated=1,no_date=1,bad_date=1,empty_body=1,block=1,redirect=1,"
        "retry_after=1,dataloss=1",
    )
    faults = site.faults()["pages"]
    records = {t["site_id"]: t for t in site.truth()}
    site.stats(reset=True)
    for site_id, kind in faults.items():
        record = records[site_id]
        if kind == "dataloss":  # the first answer promises 4096 bytes more than it sends
            with pytest.raises(http.client.IncompleteRead):
                fetch(record["url"])
        status, headers, body = fetch(record["url"])
        if kind in ("404", "500"):
            assert status == int(kind) and record["skip"] == f"http_{kind}"
        elif kind == "redirect":
            assert (status, headers["Location"]) == (301, f"{site.base}/?p={site_id}")
            assert page(headers["Location"]).xpath('//link[@rel="canonical"]/@href') == [record["url"]]
            assert "skip" not in record
        elif kind == "retry_after":
            assert (status, headers["Retry-After"]) == (503, "1")
            assert "skip" not in record
        elif kind == "truncated":
            assert status == 200 and b"</html>" not in body and record["skip"] == "truncated"
        elif kind == "no_date":
            doc = lxml_html.fromstring(body)
            assert "datePublished" not in json_ld(doc) and meta(doc, "article:published_time") == []
        elif kind == "empty_body":
            assert body_of(lxml_html.fromstring(body)) == "" == record["body"]
        elif kind == "block":
            assert status == 200 and b"entry-content" not in body and record["skip"] == "not_article"
        elif kind == "dataloss":
            assert status == 200 and body_of(lxml_html.fromstring(body)) == record["body"]
        elif kind == "bad_date":
            assert json_ld(lxml_html.fromstring(body))["datePublished"].startswith("2024-13-")
    stats = site.stats()
    assert stats["article"] == len(faults) + 2 and stats["total"] == stats["article"]
    site.set_faults("dead=1")
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        fetch(site.url + "feed/")
    site.set_faults("hostile=maintenance")
    assert b"maintenance" in fetch(site.url + "sitemap_index.xml")[2]
    site.set_faults("")
    assert fetch(site.url + "sitemap_index.xml")[0] == 200
    assert site.stats()["dropped"] == 1 and site.stats()["sitemap"] == 1


def test_bad_site_arguments_exit_2_with_one_line():
    for args, message in (
        (["--site", "nowhere"], "invalid choice"),
        (["--site", "newsroom", "--articles", "5"], "replica: the newsroom needs at least 10 articles"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "tests.replica", "--port", "0", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (done.returncode, done.stdout) == (2, "") and message in done.stderr
