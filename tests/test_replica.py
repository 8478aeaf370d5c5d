"""The replica of novinite.com answers as its README promises (real HTTP, urllib)."""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import html as lxml_html

from newsarchive.text import php_urlencode
from tests.replica.process import Replica
from tests.replica.visible import normalise_lines, visible_lines

SEED_ID = 229777
SEED_TITLE = "Syrian Opposition Forces Make Gains in Homs, Threatening Regime's Control"
SEED_TEXT = Path(__file__).parent / "replica" / "seed-article.txt"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) without following redirects; errors are answers too."""
    try:
        with _OPENER.open(url, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def page(url: str) -> lxml_html.HtmlElement:
    status, _headers, body = fetch(url)
    assert status == 200, url
    return lxml_html.fromstring(body)


def item_ids(doc: lxml_html.HtmlElement) -> list[int]:
    """Article ids of a listing's items, in page order."""
    hrefs = doc.xpath('//div[@id="content"]//div[@class="item"]//h2/a/@href')
    return [int(re.match(r"/articles/(\d+)/", href).group(1)) for href in hrefs]


def h1(doc: lxml_html.HtmlElement) -> str:
    return doc.xpath('string(//div[@id="content"]/h1)')


@pytest.fixture(scope="module")
def truth(replica: Replica) -> list[dict[str, Any]]:
    return replica.truth()


@pytest.fixture(scope="module")
def page_faults(replica: Replica) -> dict[str, str]:
    """Fault kind → site_id on the session replica."""
    return {kind: site_id for site_id, kind in replica.faults()["pages"].items()}


def clean(records: list[dict[str, Any]], base: str) -> list[dict[str, Any]]:
    return [
        {k: (v.replace(base, "") if isinstance(v, str) else v) for k, v in r.items()}
        for r in records
    ]


# -- the seed page ------------------------------------------------------------------------------
def test_seed_page_reads_as_the_real_page(replica: Replica) -> None:
    status, _headers, body = fetch(f"{replica.base}/articles/{SEED_ID}/{php_urlencode(SEED_TITLE)}")
    assert status == 200
    doc = lxml_html.fromstring(body)
    assert h1(doc) == SEED_TITLE
    expected = normalise_lines(SEED_TEXT.read_text(encoding="utf-8"))[1:]  # from its 3rd line
    lines = visible_lines(body)
    assert lines[-len(expected) :] == expected
    assert lines[-len(expected) - 1] == SEED_TITLE  # the h1 precedes the date line


def test_seed_truth(replica: Replica) -> None:
    seed = replica.truth_of(SEED_ID)
    paragraphs = SEED_TEXT.read_text(encoding="utf-8").split("\n\n")
    assert seed["title"] == SEED_TITLE
    assert seed["published"] == "2024-12-06T09:06:00Z"
    assert seed["published_local"] == "2024-12-06T11:06:00+02:00"
    assert (seed["section"], seed["subsection"], seed["author"]) == ("World", None, None)
    assert seed["body"] == "\n\n".join(p.strip() for p in paragraphs[2:8])
    assert seed["sources"] == [
        '"X"',
        "Telegram",
        "Syrian Observatory for Human Rights",
        "Anadolu Agency",
        "DW",
    ]
    assert seed["tags"] == ["Syria", "rebels", "Homs", "regime"]
    assert seed["image_url"] == f"https://www.novinite.com/images/{SEED_ID}.jpg"
    # The site's own address, as the archive keeps it (the page is served at replica.base).
    assert seed["url"] == f"https://www.novinite.com/articles/{SEED_ID}/{php_urlencode(SEED_TITLE)}"
    assert seed["version"] == 1 and "skip" not in seed


# -- URL forms ----------------------------------------------------------------------------------
def test_every_url_form_answers_the_same_article(
    replica: Replica, truth: list[dict[str, Any]]
) -> None:
    punctuated = next(
        r for r in truth if re.search(r"%(3A|2C|27|E2%80%99|28)", r["url"]) and "skip" not in r
    )
    for record in (replica.truth_of(SEED_ID), punctuated):
        site_id = record["site_id"]
        canonical = replica.served(record["url"])
        raw = canonical.replace("%3A", ":").replace("%2C", ",")
        forms = [
            canonical,
            raw,
            f"{replica.base}/articles/{site_id}/",
            f"{replica.base}/articles/{site_id}/Some+Old+Slug",
            f"{replica.base}/view_news.php?id={site_id}",
            f"{replica.base}/view_news.php?id={site_id}&disable_mobile=true",
        ]
        bodies = {fetch(url)[2] for url in forms}
        assert len(bodies) == 1, record["url"]
        assert h1(lxml_html.fromstring(bodies.pop())) == record["title"]


def test_unknown_ids_and_paths_answer_404(replica: Replica, truth: list[dict[str, Any]]) -> None:
    newest = int(truth[-1]["site_id"])
    for path in (
        f"/articles/{newest + 1}/",
        "/articles/1/",
        "/view_news.php?id=abc",
        "/nowhere.html",
        "/articles/category/99/Nothing",
        "/archives/2024-02-30",
    ):
        assert fetch(replica.base + path)[0] == 404, path


# -- listings -----------------------------------------------------------------------------------
def walk_listing(url: str) -> tuple[list[int], int]:
    """Ids on every page, following li.btn.next > a; and how many pages."""
    ids: list[int] = []
    pages = 0
    while url:
        doc = page(url)
        pages += 1
        ids += item_ids(doc)
        nxt = doc.xpath('//li[contains(@class, "btn") and contains(@class, "next")]/a/@href')
        url = urljoin(url, nxt[0]) if nxt else ""
    return ids, pages


def test_listing_pagination_loses_nothing(replica: Replica, truth: list[dict[str, Any]]) -> None:
    world = [int(r["site_id"]) for r in reversed(truth) if r["section"] == "World"]
    ids, pages = walk_listing(f"{replica.base}/articles/category/30/World")
    assert ids == world  # every World article (subsections too), newest first, once
    assert pages == -(-len(world) // 20) > 2
    php_ids, _ = walk_listing(f"{replica.base}/category.php?category_id=30&s=0")
    assert php_ids == world
    ukraine = [int(r["site_id"]) for r in reversed(truth) if r["subsection"] == "Ukraine"]
    assert walk_listing(f"{replica.base}/articles/category/131/Ukraine")[0] == ukraine


def test_listing_offset_forms_agree(replica: Replica, truth: list[dict[str, Any]]) -> None:
    world = [int(r["site_id"]) for r in reversed(truth) if r["section"] == "World"]
    forms = [
        "/articles/category/30/World?s=20",
        "/articles/category/30/World/?&s=20",
        "/category.php?category_id=30&s=20",
    ]
    for form in forms:
        assert item_ids(page(replica.base + form)) == world[20:40], form
    doc = page(f"{replica.base}/articles/category/30/World")
    nxt = doc.xpath('//li[@class="btn next"]/a/@href')[0]
    assert not nxt.startswith("http")  # relative


def test_listing_items_have_titles_teasers_and_dates(
    replica: Replica, truth: list[dict[str, Any]]
) -> None:
    doc = page(f"{replica.base}/articles/category/30/World")
    first = doc.xpath('//div[@id="content"]//div[@class="item"]')[0]
    newest = next(r for r in reversed(truth) if r["section"] == "World")
    assert first.xpath("string(.//h2/a)") == newest["title"]
    assert first.xpath("string(.//div[@class='text']/p)") and newest["body"].startswith(
        first.xpath("string(.//div[@class='text']/p)")
    )
    local = datetime.fromisoformat(newest["published_local"])
    assert first.xpath("string(.//div[@class='date'])").endswith(f"// {local:%H:%M}")
    raw = doc.xpath('//div[@class="item"]//h2/a[contains(@href, ":") or contains(@href, ",")]')
    hrefs = " ".join(doc.xpath('//div[@class="item"]//h2/a/@href'))
    assert raw or ("%3A" not in hrefs and "%2C" not in hrefs)


def test_old_listing_items_show_views(replica: Replica, truth: list[dict[str, Any]]) -> None:
    doc = page(f"{replica.base}/archives/2019-10-27")
    dates = doc.xpath('//div[@class="item"]/div[@class="date"]')
    assert dates and all(
        re.search(r"\| Viewed: \d+$", d.text_content()) for d in dates if d.text_content()
    )


# -- archives -----------------------------------------------------------------------------------
def test_archive_day_lists_exactly_that_day(replica: Replica, truth: list[dict[str, Any]]) -> None:
    for day in ("2024-12-06", "2024-12-01", "2011-02-03", "2019-03-31"):
        expected = {int(r["site_id"]) for r in truth if r["published_local"].startswith(day)}
        doc = page(f"{replica.base}/archives/{day}")
        ids = item_ids(doc)
        assert len(ids) == len(set(ids)) and set(ids) == expected and len(ids) >= 14, day
    doc = page(f"{replica.base}/archives/2024-12-06")
    assert SEED_ID in item_ids(doc)
    assert h1(doc) == "ARCHIVE - 6 December 2024"
    assert doc.xpath('//div[@id="content"]//a[@href="/archives/"]/text()') == ["» Back to calendar"]
    sections = [h.text_content() for h in doc.xpath('//div[@class="archive_section"]/h2')]
    assert "World" in sections and len(sections) == len(set(sections))


def test_gap_days_and_calendar(replica: Replica) -> None:
    assert item_ids(page(f"{replica.base}/archives/2015-06-15")) == []
    calendar = page(f"{replica.base}/archives/")
    assert "/archives/2024-12-06" in calendar.xpath("//table//a/@href")


def test_dst_edges_and_unknown_times(truth: list[dict[str, Any]]) -> None:
    by_local = {r["published_local"]: r for r in truth}
    assert by_local["2011-10-30T03:30:00+03:00"]["published"] == "2011-10-30T00:30:00Z"
    assert by_local["2019-03-31T04:05:00+03:00"]["published"] == "2019-03-31T01:05:00Z"
    assert by_local["2019-10-27T03:20:00+03:00"]["published"] == "2019-10-27T00:20:00Z"
    midnight = [r for r in truth if r["published_local"].startswith("2011-02-03T00:00:00+02:00")]
    assert midnight and all(r["published"] == "2011-02-02T22:00:00Z" for r in midnight)
    special = [
        r
        for r in truth
        if r["subsection"] == "SPECIAL REPORT" and r["published"].startswith("2011")
    ]
    assert special and special[0]["author"] == "Maria Guineva"


def test_truth_ids_are_sequential_in_publication_order(truth: list[dict[str, Any]]) -> None:
    ids = [int(r["site_id"]) for r in truth]
    assert ids == list(range(ids[0], ids[0] + 300))
    assert [r["published"] for r in truth] == sorted(r["published"] for r in truth)
    assert max(r["published"] for r in truth) <= "2024-12-07T12:00:00Z"
    assert len({r["title"] for r in truth}) > 290  # unique-ish
    assert sum(bool(r["tags"]) for r in truth) > 150 and any(not r["tags"] for r in truth)
    assert any(r["sources"] for r in truth) and any(r["author"] for r in truth)
    assert any("\n" in p for r in truth for p in r["body"].split("\n\n"))  # a <br> in a paragraph
    assert any(re.search("[а-я]", r["body"]) for r in truth)


# -- layouts ------------------------------------------------------------------------------------
def test_every_layout_appears(
    replica: Replica, truth: list[dict[str, Any]], page_faults: dict[str, str]
) -> None:
    faulty = set(page_faults.values())
    years = {"2011": [], "2019": [], "2025": []}
    for r in truth:
        if r["site_id"] in faulty:
            continue
        year = int(r["published"][:4])
        years["2011" if year < 2014 else "2019" if year < 2023 else "2025"].append(r)
    old, middle, new = (years[k][0] for k in ("2011", "2019", "2025"))
    doc = page(replica.served(old["url"]))
    assert doc.xpath('//div[@id="textsize"]/img[starts-with(@alt, "Bulgaria: ")]')
    assert not doc.xpath('//div[@id="textsize"]//p')
    text = doc.xpath('string(//div[@id="textsize"])')
    assert "Follow Novinite.com on Twitter and Facebook" in text and "Novinite.bg" in text
    assert "Be a reporter" not in doc.xpath('string(//div[@id="content"])')
    doc = page(replica.served(middle["url"]))
    assert doc.xpath('//div[@class="article__text text text--bigger"]/p')
    assert doc.xpath('//span[@class="article__caption"]') and not doc.xpath('//div[@id="textsize"]')
    doc = page(replica.served(new["url"]))
    assert doc.xpath('//div[@id="textsize"]/p') and doc.xpath('//div[@class="caption"]')
    assert not doc.xpath('//div[@class="donate"]')  # the appeal is on pages from 2025 only


def test_author_in_2011_date_lines(replica: Replica, truth: list[dict[str, Any]]) -> None:
    lines = []
    for r in truth:
        if r["author"] and r["published"] < "2012":
            doc = page(replica.served(r["url"]))
            lines.append(doc.xpath('string(//div[@id="content"]/div[@class="date"])'))
    assert any(re.search(r"\|[A-Z][a-z]+ \d+, 2011", line) for line in lines)  # `|February 3, 2011`
    assert all(re.search(r"Author: [^|]+ \|", line) for line in lines)


# -- feed ---------------------------------------------------------------------------------------
def test_feed_rdf_and_rss2(replica: Replica, truth: list[dict[str, Any]]) -> None:
    newest = [int(r["site_id"]) for r in reversed(truth)][:24]
    rdf = feedparser.parse(fetch(f"{replica.base}/services/news_rdf.php")[2])
    assert rdf.version == "rss10" and not rdf.bozo
    assert [int(e.link.rsplit("=", 1)[1]) for e in rdf.entries] == newest
    assert all(e.link.startswith(f"{replica.base}/view_news.php?id=") for e in rdf.entries)
    assert all(e.get("updated_parsed") for e in rdf.entries)
    rss = feedparser.parse(fetch(f"{replica.base}/services/news_rdf.php?format=rss2")[2])
    assert (
        rss.version == "rss20"
        and len(rss.entries) == 24
        and all(e.published_parsed for e in rss.entries)
    )
    world = feedparser.parse(
        fetch(f"{replica.base}/services/news_rdf.php?category_id=30&format=rss2")[2]
    )
    titles = {r["title"] for r in truth if r["section"] == "World"}
    assert len(world.entries) == 24 and all(e.title in titles for e in world.entries)


# -- other pages --------------------------------------------------------------------------------
def test_robots_tags_and_stats(replica: Replica) -> None:
    status, headers, robots = fetch(f"{replica.base}/robots.txt")
    assert (
        status == 200
        and b"Disallow: /search_news.php" in robots
        and b"Disallow: /__replica__/" in robots
    )
    before = replica.stats()
    doc = page(f"{replica.base}/search_news.php?tag=Homs")
    assert SEED_ID in item_ids(doc)
    after = replica.stats()
    assert after["other"] == before["other"] + 1 and after["article"] == before["article"]


def test_keep_alive_and_content_length(replica: Replica) -> None:
    parts = urlsplit(replica.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.connect()
    sock = connection.sock
    for path in (f"/articles/{SEED_ID}/", "/articles/category/30/World", "/robots.txt"):
        connection.request("GET", path)
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status == 200 and int(answer.headers["Content-Length"]) == len(body)
        assert connection.sock is sock  # the same connection
    connection.close()


# -- faults -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("404", "http_404"),
        ("500", "http_500"),
        ("no_date", "no_date"),
        ("bad_date", "bad_date"),
        ("empty_body", "no_body"),
        ("block", "not_article"),
        ("truncated", "truncated"),
        ("slow", "timeout"),
    ],
)
def test_page_faults(replica: Replica, page_faults: dict[str, str], kind: str, reason: str) -> None:
    site_id = page_faults[kind]
    record = replica.truth_of(site_id)
    assert record["skip"] == reason
    url = f"{replica.base}/articles/{site_id}/"
    if kind == "slow":
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            fetch(url, timeout=1)
        return
    status, headers, body = fetch(url)
    doc = lxml_html.fromstring(body)
    content = doc.xpath('//div[@id="content"]')
    if kind in ("404", "500"):
        assert status == int(kind)
        assert fetch(url)[0] == int(kind)  # for good
    elif kind == "no_date":
        assert (
            status == 200 and content and not doc.xpath('//div[@id="content"]/div[@class="date"]')
        )
    elif kind == "bad_date":
        assert "// 25:61" in doc.xpath('string(//div[@id="content"]/div[@class="date"])')
    elif kind == "empty_body":
        assert status == 200 and h1(doc) == record["title"]
        assert not doc.xpath('//div[@id="textsize"]/p | //div[contains(@class, "article__text")]/p')
    elif kind == "block":
        assert status == 200 and not content
    elif kind == "truncated":
        assert status == 200 and int(headers["Content-Length"]) == len(body)
        assert b"</html>" not in body and b'id="footer"' not in body and h1(doc) == record["title"]


def test_redirect_fault(replica: Replica, page_faults: dict[str, str]) -> None:
    site_id = page_faults["redirect"]
    record = replica.truth_of(site_id)
    assert "skip" not in record
    status, headers, _body = fetch(replica.served(record["url"]))
    assert status == 301 and headers["Location"] == f"{replica.base}/view_news.php?id={site_id}"
    assert h1(page(headers["Location"])) == record["title"]


def test_slow_fault_answers_after_its_delay(make_replica: Callable[..., Replica]) -> None:
    server = make_replica(articles=120, faults="slow=1", slow_seconds=1)
    site_id = next(iter(server.faults()["pages"]))
    started = time.monotonic()
    status, _headers, _body = fetch(f"{server.base}/articles/{site_id}/", timeout=10)
    assert status == 200 and time.monotonic() - started >= 1


def test_retry_after_and_dataloss(make_replica: Callable[..., Replica]) -> None:
    server = make_replica(articles=120, faults="retry_after=1,dataloss=1")
    kinds = {kind: site_id for site_id, kind in server.faults()["pages"].items()}
    url = f"{server.base}/articles/{kinds['retry_after']}/"
    for _ in range(2):
        status, headers, _body = fetch(url)
        assert status == 503 and headers["Retry-After"] == "1"
    assert fetch(url)[0] == 200
    parts = urlsplit(server.url)
    path = f"/articles/{kinds['dataloss']}/"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    answer = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        answer.read()
    connection.close()
    assert fetch(server.base + path)[0] == 200
    for record in server.truth():
        assert "skip" not in record


def test_transient_500_and_dead_site(make_replica: Callable[..., Replica]) -> None:
    server = make_replica(articles=120, faults="rate500=0.5")
    url = f"{server.base}/articles/{SEED_ID}/"
    statuses = [fetch(url)[0] for _ in range(20)]
    assert 500 in statuses and 200 in statuses  # a retry can succeed
    assert fetch(f"{server.base}/robots.txt")[0] == 200  # only articles
    server.set_faults("rate500=0,dead=1")
    with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError)):
        fetch(url)
    assert server.now() == "2024-12-07T12:00:00Z"  # control still answers
    assert server.stats()["dropped"] == 1
    server.set_faults("rate500=0")  # replaces the rate faults: dead back to 0 as at start
    assert [fetch(url)[0] for _ in range(5)] == [200] * 5
    server.set_faults("")  # back to the start's rate500=0.5
    assert 500 in [fetch(url)[0] for _ in range(20)]


def test_drift_pushes_items_to_the_next_page(make_replica: Callable[..., Replica]) -> None:
    server = make_replica(articles=300, faults="drift=2")
    before = len(server.truth())
    first = item_ids(page(f"{server.base}/articles/category/30/World"))
    second = item_ids(page(f"{server.base}/articles/category/30/World?s=20"))  # publishes first
    assert second[0] == first[-1]  # pushed one place down
    truth = server.truth()
    assert len(truth) == before + 1 and truth[-1]["section"] == "World"


# -- the clock ----------------------------------------------------------------------------------
def test_advance_publishes_and_edits(make_replica: Callable[..., Replica]) -> None:
    server = make_replica(articles=300)
    assert server.now() == "2024-12-07T12:00:00Z"
    before = {r["site_id"]: r for r in server.truth()}
    newest = max(int(i) for i in before)
    answer = server.advance(hours=2, publish=3, edit=2)
    assert answer["now"] == server.now() == "2024-12-07T14:00:00Z"
    assert answer["published"] == [newest + 1, newest + 2, newest + 3]
    after = {r["site_id"]: r for r in server.truth()}
    for site_id in answer["published"]:
        assert "2024-12-07T12:00:00Z" < after[str(site_id)]["published"] <= "2024-12-07T14:00:00Z"
    assert len(answer["edited"]) == 2
    for site_id in map(str, answer["edited"]):
        old, new = before[site_id], after[site_id]
        assert old["published"] >= "2024-12-05T12:00:00Z"
        assert new["version"] == 2 and new["title"] != old["title"] and new["url"] != old["url"]
        assert new["body"] != old["body"] and len(new["tags"]) == len(old["tags"]) + 1
        assert h1(page(server.served(old["url"]))) == new["title"]  # the old slug still answers
        assert h1(page(server.served(new["url"]))) == new["title"]
        section = {"World": 30, "Politics": 2}.get(new["section"])
        if section:
            listing = page(f"{server.base}/articles/category/{section}/x")
            assert new["title"] in listing.xpath('//div[@class="item"]//h2/a/text()')
    archive = page(f"{server.base}/archives/2024-12-07")
    assert set(answer["published"]) <= set(item_ids(archive))


def test_determinism(make_replica: Callable[..., Replica]) -> None:
    one, two, other = (make_replica(articles=150, seed=s) for s in (5, 5, 6))
    first, second = clean(one.truth(), one.base), clean(two.truth(), two.base)
    assert first == second and len(first) == 150
    assert [r["title"] for r in clean(other.truth(), other.base)] != [r["title"] for r in first]
    path = f"/articles/{first[40]['site_id']}/"
    assert fetch(one.base + path)[2] == fetch(two.base + path)[2]


def test_pages_from_2025_carry_the_appeal(make_replica: Callable[..., Replica]) -> None:
    server = make_replica(articles=120)
    server.advance(hours=24 * 26)  # into January 2025
    answer = server.advance(hours=1, publish=1)
    newest = server.truth_of(answer["published"][-1])
    assert newest["published"] >= "2025-01-01"
    doc = page(server.served(newest["url"]))
    assert "Bulgaria!" in doc.xpath('string(//div[@id="textsize"]/div[@class="donate"])')
    share = doc.xpath('string(//div[@id="textsize"]/div[@class="share"])')
    assert "Share" in share and "Send to Kindle" in share
    assert "We need your support" not in newest["body"]


def test_static_export_matches_the_live_replica(
    make_replica: Callable[..., Replica], tmp_path: Path
) -> None:
    from tests.replica.static import main as static_main

    assert static_main([str(tmp_path), "--articles", "120", "--seed", "2", "--no-eras"]) == 0
    server = make_replica(articles=120, seed=2, eras=False)
    truth = server.truth()
    some = truth[::17]
    for record in some:
        site_id = record["site_id"]
        served = fetch(server.served(record["url"]))[2]
        assert (tmp_path / "articles" / f"{site_id}.html").read_bytes() == served
    listing = (tmp_path / "category" / "30" / "20.html").read_bytes()
    assert listing == fetch(f"{server.base}/articles/category/30/World?s=20")[2]
    assert (tmp_path / "archives" / "2024-12-06.html").read_bytes() == fetch(
        f"{server.base}/archives/2024-12-06"
    )[2]
    exported = (tmp_path / "__replica__" / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(exported) == len(truth) and "nginx.conf" in {p.name for p in tmp_path.iterdir()}


def test_too_few_articles_serves_the_fewest_that_hold_the_seed_page() -> None:
    server = Replica(articles=20, seed=1)
    try:
        truth = server.truth()
        assert len(truth) > 20
        assert any(t["site_id"] == "229777" for t in truth)
    finally:
        server.stop()
