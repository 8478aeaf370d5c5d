"""The generic spider end to end against the newsroom replica (issue 13's "Must hold"): a full
crawl stores exactly the truth, an advance with edits gives new versions, a repeat run changes
nothing, a quiet hour costs at most six requests; newsroom and novinite in one run into one
archive; the read side across both sites."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.extract import token_f1
from tests.helpers import ROOT, cli_env, rows, run_cli
from tests.replica.process import Replica

NEWSROOM_TZ = "America/New_York"
#: issue 13: the most requests an hourly run may make on an hour with nothing new.
QUIET_HOUR_REQUESTS = 6


def sites_file(path: Path, **roots: str) -> Path:
    """A sites file naming each replica's root (newsroom as a profile, novinite as its module)."""
    lines = []
    for name, url in roots.items():
        lines += [f"[sites.{name}]", f'url = "{url}"']
        if name == "newsroom":
            lines.append(f'timezone = "{NEWSROOM_TZ}"')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def crawl_sites(sites: Path, db: Path, replica_now: str, *extra: str) -> Any:
    return run_cli(
        "crawl", *extra, "--sites", str(sites), "--db", str(db), "--delay", "0",
        "--concurrency", "16", "--timeout", "3", "--log-file", str(db.with_suffix(".log")),
        now=replica_now,
    )  # fmt: skip


def requests_of(replica: Replica, before: dict[str, Any], kind: str = "total") -> int:
    """Requests the replica answered since `before` (its stats), in all or of one kind."""
    return int(replica.stats()[kind]) - int(before[kind])


def stored(db: Path, site: str = "newsroom") -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in rows(db, "select * from articles where site = ?", site)}


def differences(got: dict[str, dict[str, Any]], truth: list[dict[str, Any]]) -> list[str]:
    """How stored articles (by URL) differ from the newsroom's truth: URLs, titles, instants,
    bodies."""
    live = {t["canonical_url"]: t for t in truth if not t.get("skip")}
    problems = [f"missing {u}" for u in sorted(set(live) - set(got))]
    problems += [f"extra {u}" for u in sorted(set(got) - set(live))]
    for url in sorted(set(live) & set(got)):
        want, have = live[url], got[url]
        if have["title"] != want["title"]:
            problems.append(f"{url} title {have['title']!r} != {want['title']!r}")
        if have["published"] != want["published"]:
            problems.append(f"{url} published {have['published']} != {want['published']}")
        f1 = token_f1(have["body"], want["body"])
        if f1 < 0.98:
            problems.append(f"{url} body F1 {f1:.3f}")
    return problems


@pytest.fixture(scope="module")
def newsroom_runs(make_replica_module: Any, tmp_path_factory: Any) -> dict[str, Any]:
    """One newsroom archive through its life: a full backfill, a repeat, a quiet hour, a quiet
    hour on the next day, then an hour with new and edited articles (each run's outcome kept)."""
    replica = make_replica_module(site="newsroom", articles=300, seed=1)
    tmp = tmp_path_factory.mktemp("generic")
    sites, db = sites_file(tmp / "sites.toml", newsroom=replica.url), tmp / "archive.db"
    runs: dict[str, Any] = {"replica": replica, "db": db}

    def run(name: str, *extra: str) -> None:
        before = replica.stats()
        result = crawl_sites(sites, db, replica.now(), "newsroom", *extra)
        runs[name] = {"result": result, "requests": requests_of(replica, before),
                      "article_requests": requests_of(replica, before, "article"),
                      "run": rows(db, "select * from runs order by id desc limit 1")[0],
                      "articles": stored(db), "truth": replica.truth()}  # fmt: skip

    run("full", "--full")
    run("repeat")
    replica.advance(hours=1)
    run("quiet")
    replica.advance(hours=24)
    run("quiet_next_day")
    runs["advanced"] = replica.advance(hours=1, publish=3, edit=4)
    run("edits")
    return runs


def test_a_full_crawl_stores_exactly_the_truth(newsroom_runs):
    full = newsroom_runs["full"]
    assert full["result"].returncode == 0, full["result"].stderr
    assert len(full["truth"]) == 300
    assert differences(full["articles"], full["truth"]) == []
    assert full["run"]["status"] == "ok" and full["run"]["articles_new"] == 300
    # No AMP, shortlink or tracking double was even fetched: one request per article, and
    # robots.txt, the home page and the sitemaps besides.
    assert full["article_requests"] == 300
    assert full["requests"] <= 300 + 12, full["requests"]


def test_a_repeat_run_changes_nothing(newsroom_runs):
    repeat, full = newsroom_runs["repeat"], newsroom_runs["full"]
    assert repeat["result"].returncode == 0, repeat["result"].stderr
    run = repeat["run"]
    assert (run["status"], run["articles_new"], run["articles_updated"]) == ("ok", 0, 0)
    assert repeat["articles"] == full["articles"]


@pytest.mark.parametrize("hour", ["quiet", "quiet_next_day"])
def test_a_quiet_hour_costs_at_most_six_requests(newsroom_runs, hour):
    quiet = newsroom_runs[hour]
    assert quiet["result"].returncode == 0, quiet["result"].stderr
    assert quiet["run"]["status"] == "ok"
    assert quiet["requests"] <= QUIET_HOUR_REQUESTS, quiet["requests"]
    assert quiet["run"]["requests"] == quiet["requests"]  # Scrapy's count is the site's
    assert quiet["articles"] == newsroom_runs["full"]["articles"]


def test_an_advance_with_edits_gives_new_articles_and_new_versions(newsroom_runs):
    edits, advanced, db = newsroom_runs["edits"], newsroom_runs["advanced"], newsroom_runs["db"]
    assert edits["result"].returncode == 0, edits["result"].stderr
    assert (edits["run"]["articles_new"], edits["run"]["articles_updated"]) == (3, 4)
    assert differences(edits["articles"], edits["truth"]) == []
    truth = {t["canonical_url"]: t for t in edits["truth"]}
    edited = [t for t in truth.values() if int(t["site_id"]) in advanced["edited"]]
    assert len(edited) == 4
    for t in edited:
        article = edits["articles"][t["canonical_url"]]
        assert article["version"] == t["version"] == 2
        old = rows(db, "select * from article_versions where article_id = ?", article["id"])
        assert [v["version"] for v in old] == [1] and old[0]["body"] != article["body"]
    # The hour cost what changed and the sitemaps that say so, not a walk of everything.
    assert edits["article_requests"] == 3 + 4
    assert edits["requests"] <= 3 + 4 + 8, edits["requests"]


def test_a_site_without_sitemaps_is_read_from_its_feed_and_home_page(make_replica, tmp_path):
    """novinite's replica as a profile site: no sitemaps, a feed, article links on its home
    page that the profile's `article_url` picks out."""
    replica = make_replica(articles=60, seed=2, eras=False)
    sites = tmp_path / "sites.toml"
    sites.write_text(
        f'[sites.plain]\nurl = "{replica.url}"\ntimezone = "Europe/Sofia"\n'
        f'feeds = ["{replica.url}services/news_rdf.php"]\n'
        "article_url = '/articles/(?P<id>\\d+)/'\n",
        "utf-8",
    )
    db = tmp_path / "archive.db"
    before = replica.stats()
    first = crawl_sites(sites, db, replica.now(), "plain")
    assert first.returncode == 0, first.stdout + first.stderr
    ids = {r["site_id"] for r in rows(db, "select site_id from articles where site = 'plain'")}
    live = {str(t["site_id"]) for t in replica.truth() if not t.get("skip")}
    assert ids and ids <= live  # under the pattern's id group
    skipped = rows(db, "select count(*) as n from skips")[0]["n"]
    fetched = replica.stats()["article"] - before["article"]
    # The home page's newest articles (20 and more), each fetched once: stored, or a counted
    # skip where the generic extractor does not read novinite's markup.
    assert fetched >= 20 and fetched == len(ids) + skipped
    before = replica.stats()
    again = crawl_sites(sites, db, replica.now(), "plain")
    assert again.returncode == 0, again.stdout + again.stderr
    assert requests_of(replica, before) <= QUIET_HOUR_REQUESTS


def test_scrapy_crawl_generic_with_a_bare_root(make_replica, tmp_path):
    """`scrapy crawl generic -a url=ROOT`: a site tried with no profile (UTC, all discovered)."""
    replica = make_replica(site="newsroom", articles=30, seed=4)
    db = tmp_path / "archive.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"url={replica.url}",
         "-a", "full=1", "-s", f"NEWSARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, env=cli_env(replica.now()), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    got = {r["url"]: r for r in rows(db, "select * from articles")}
    assert differences(got, replica.truth()) == []
    assert {r["site"] for r in got.values()} == {"127.0.0.1"}


def test_a_quiet_site_after_a_backfill_of_some_days_is_a_quiet_hour_not_a_failure(make_replica, tmp_path):
    """A backfill of some days marks no sitemap as walked (nor, ending before today, moves the
    coverage); three days later nothing is new (the news sitemap is empty, no sitemap changed
    since): the run is ok and costs a few requests."""
    replica = make_replica(site="newsroom", articles=30, seed=5)
    sites, db = sites_file(tmp_path / "sites.toml", newsroom=replica.url), tmp_path / "archive.db"
    days = sorted({t["published_local"][:10] for t in replica.truth()})
    backfill = crawl_sites(sites, db, replica.now(), "newsroom", "--since", days[0], "--until", days[-2])
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    replica.advance(hours=72)
    before = replica.stats()
    quiet = crawl_sites(sites, db, replica.now(), "newsroom")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert rows(db, "select status from runs order by id desc limit 1")[0]["status"] == "ok"
    assert requests_of(replica, before) <= QUIET_HOUR_REQUESTS


# --- two sites in one run -----------------------------------------------------------------------
def first_day(replica: Replica) -> str:
    return min(t["published"][:10] for t in replica.truth())


@pytest.fixture(scope="module")
def both(make_replica_module: Any, tmp_path_factory: Any) -> dict[str, Any]:
    """novinite and newsroom backfilled in one run into one archive."""
    novinite = make_replica_module(articles=60, seed=2, eras=False)
    newsroom = make_replica_module(site="newsroom", articles=60, seed=2)
    tmp = tmp_path_factory.mktemp("both")
    sites = sites_file(tmp / "sites.toml", novinite=novinite.url, newsroom=newsroom.url)
    db = tmp / "archive.db"
    since = min(first_day(novinite), first_day(newsroom))
    result = crawl_sites(sites, db, newsroom.now(), "--since", since)
    return {"novinite": novinite, "newsroom": newsroom, "db": db, "result": result}


def test_novinite_and_newsroom_in_one_run_into_one_archive(both):
    novinite, newsroom, db = both["novinite"], both["newsroom"], both["db"]
    assert both["result"].returncode == 0, both["result"].stderr
    runs = rows(db, "select site, status, articles_new from runs order by site")
    assert [(r["site"], r["status"]) for r in runs] == [("newsroom", "ok"), ("novinite", "ok")]
    assert differences(stored(db), newsroom.truth()) == []
    novinite_ids = {r["site_id"] for r in rows(db, "select site_id from articles where site = 'novinite'")}
    assert novinite_ids == {str(t["site_id"]) for t in novinite.truth() if not t.get("skip")}
    assert [r["articles_new"] for r in runs] == [len(newsroom.truth()), len(novinite_ids)]
    assert len(both["result"].stdout.strip().splitlines()) == 2  # one summary line a site


def test_one_site_dead_the_other_is_stored_and_the_exit_is_1(make_replica, tmp_path):
    novinite = make_replica(articles=60, seed=3, eras=False)
    newsroom = make_replica(site="newsroom", articles=40, seed=3)
    sites = sites_file(tmp_path / "sites.toml", novinite=novinite.url, newsroom=newsroom.url)
    db = tmp_path / "archive.db"
    novinite.set_faults("dead=1")
    result = crawl_sites(sites, db, newsroom.now(), "--since", first_day(newsroom))
    assert result.returncode == 1, result.stdout + result.stderr
    assert differences(stored(db), newsroom.truth()) == []
    runs = {r["site"]: r for r in rows(db, "select * from runs")}
    assert runs["newsroom"]["status"] == "ok" and runs["novinite"]["status"] == "failed"
    assert rows(db, "select count(*) as n from articles where site = 'novinite'")[0]["n"] == 0


# --- the read side across sites -----------------------------------------------------------------
def test_search_stats_and_export_filter_by_site(both, tmp_path):
    db = str(both["db"])
    counts = {r["site"]: r["n"] for r in rows(both["db"], "select site, count(*) as n from articles group by site")}
    assert set(counts) == {"novinite", "newsroom"}
    for site in counts:
        title = rows(both["db"], "select title from articles where site = ? limit 1", site)[0]["title"]
        word = max(title.split(), key=len).strip(".,:;'\"()")
        found = run_cli("search", word, "--site", site, "--json", "--limit", "1000", "--db", db)
        assert found.returncode == 0, found.stderr
        hits = [json.loads(line) for line in found.stdout.splitlines()]
        assert hits and {h["site"] for h in hits} == {site}
        out = tmp_path / f"{site}.jsonl"
        exported = run_cli("export", "--site", site, "--output", str(out), "--db", db)
        assert exported.returncode == 0, exported.stderr
        assert len(out.read_text("utf-8").splitlines()) == counts[site]
    everything = run_cli("search", "the", "--json", "--limit", "1000", "--db", db)
    assert {json.loads(line)["site"] for line in everything.stdout.splitlines()} == set(counts)
    stats = json.loads(run_cli("stats", "--json", "--db", db).stdout)
    assert {s["site"]: s["articles"] for s in stats["sites"]} == counts


def test_history_of_a_profile_sites_edited_article(newsroom_runs):
    db, edits = newsroom_runs["db"], newsroom_runs["edits"]
    article = next(a for a in edits["articles"].values() if a["version"] == 2)
    history = run_cli("history", f"newsroom:{article['site_id']}", "--db", str(db))
    assert history.returncode == 0 and "2 versions" in history.stdout, history.stdout
    assert "\n+" in history.stdout  # the added or rewritten paragraph
    assert run_cli("history", article["url"], "--db", str(db)).stdout == history.stdout


def test_datasette_filters_by_site(both):
    import asyncio

    from newsarchive.serve import make_datasette

    counts = {r["site"]: r["n"] for r in rows(both["db"], "select site, count(*) as n from articles group by site")}

    async def fetch(site: str) -> Any:
        ds = make_datasette(str(both["db"]))
        path = f"/archive/articles.json?site={site}&_shape=array&_size=max&_col=site"
        response = await ds.client.get(path)
        return response.status_code, response.json()

    for site, count in counts.items():
        status, data = asyncio.run(fetch(site))
        assert status == 200 and len(data) == count and {r["site"] for r in data} == {site}


# --- what the replica does not serve: no robots.txt, an Atom-only site, a self-listing index ----
ARTICLE = """<!doctype html><html><head><title>{title}</title>
<link rel="canonical" href="{root}{path}"><meta property="og:type" content="article">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}",
"datePublished": "{published}"}}</script></head>
<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"""


class SmallSite:
    """A few pages served over HTTP on 127.0.0.1, each request's path logged."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]) -> None:
        import http.server
        import threading

        self.pages, self.log = pages, []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.log.append(self.path)
                kind, body = site.pages.get(self.path.split("?")[0], ("text/html", b""))
                self.send_response(200 if self.path.split("?")[0] in site.pages else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def article(self, path: str, title: str, published: str = "2024-12-06T09:00:00-05:00") -> None:
        text = " ".join(f"Sentence {i} of the story about {title.lower()} goes on." for i in range(12))
        paragraphs = "".join(f"<p>{text}</p>" for _ in range(4))
        root = self.url.rstrip("/")
        html = ARTICLE.format(title=title, root=root, path=path, paragraphs=paragraphs, published=published)
        self.pages[path] = ("text/html; charset=utf-8", html.encode())

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def small_site() -> Any:
    site = SmallSite({})
    yield site
    site.stop()


def crawl_small(site: SmallSite, tmp_path: Path, now: str = "2024-12-07T12:00:00Z") -> Any:
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[sites.small]\nurl = "{site.url}"\ntimezone = "{NEWSROOM_TZ}"\n', "utf-8")
    return crawl_sites(sites, tmp_path / "archive.db", now, "small")


def test_without_robots_txt_the_home_pages_atom_feed_is_read(small_site, tmp_path):
    first, second = "/2024/12/06/first-story-of-the-day/", "/2024/12/05/second-story-of-the-day/"
    small_site.article(first, "First story")
    small_site.article(second, "Second story")
    small_site.pages["/"] = ("text/html", (
        '<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head>'
        f'<body><a href="{first}?utm_source=home">First</a><a href="{first}amp/">AMP</a></body></html>'
    ).encode())  # fmt: skip
    small_site.pages["/atom.xml"] = ("application/atom+xml", (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>S</title><id>s</id>'
        f'<entry><title>First</title><id>1</id><link href="{small_site.url}amp{first}"/>'
        "<updated>2024-12-06T14:00:00Z</updated></entry>"
        f'<entry><title>Second</title><id>2</id><link href="{small_site.url[:-1]}{second}?utm_medium=feed"/>'
        "<updated>2024-12-05T14:00:00Z</updated></entry></feed>"
    ).encode())  # fmt: skip
    result = crawl_small(small_site, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    fetched = [p.split("?")[0] for p in small_site.log]
    assert fetched.count("/robots.txt") >= 1 and fetched.count("/") == 1
    assert fetched.count("/atom.xml") == 1
    assert sorted(p for p in fetched if p.startswith("/2024/")) == [second, first]  # once each
    urls = {r["url"] for r in rows(tmp_path / "archive.db", "select url from articles")}
    assert urls == {small_site.url[:-1] + first, small_site.url[:-1] + second}


def test_a_gzip_sitemap_and_an_index_that_lists_itself(small_site, tmp_path):
    import gzip

    paths = ["/2024/12/06/first-story-of-the-day/", "/2024/12/05/second-story-of-the-day/"]
    for n, path in enumerate(paths):
        small_site.article(path, f"Story number {n}")
    root = small_site.url[:-1]
    small_site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nSitemap: /index.xml\n")
    small_site.pages["/index.xml"] = ("application/xml", (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{root}/index.xml</loc></sitemap>"
        f"<sitemap><loc>{root}/s1.xml.gz</loc><lastmod>2024-12-06T14:00:00Z</lastmod></sitemap>"
        "</sitemapindex>"
    ).encode())  # fmt: skip
    urlset = "".join(f"<url><loc>{root}{p}</loc><lastmod>2024-12-06T14:00:00Z</lastmod></url>" for p in paths)
    small_site.pages["/s1.xml.gz"] = ("application/gzip", gzip.compress((
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
    ).encode()))  # fmt: skip
    result = crawl_small(small_site, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    fetched = [p.split("?")[0] for p in small_site.log]
    assert fetched.count("/index.xml") == 1 and fetched.count("/s1.xml.gz") == 1
    assert sorted(p for p in fetched if p.startswith("/2024/")) == sorted(paths)
    assert len(rows(tmp_path / "archive.db", "select id from articles")) == 2


def test_a_site_without_lastmod_is_refreshed_on_the_back_off_schedule(small_site, tmp_path):
    path = "/2024/12/07/a-story-published-at-half-past-eleven/"
    small_site.article(path, "Half past eleven", published="2024-12-07T11:30:00Z")
    small_site.pages["/feed/"] = ("application/rss+xml", (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>S</title>'
        f"<item><title>Half past eleven</title><link>{small_site.url[:-1]}{path}</link>"
        "<pubDate>Sat, 07 Dec 2024 11:30:00 +0000</pubDate></item></channel></rss>"
    ).encode())  # fmt: skip
    small_site.pages["/"] = ("text/html", b'<link rel="alternate" type="application/rss+xml" href="/feed/">')
    fetches = []
    for now in ("2024-12-07T12:00:00Z", "2024-12-07T12:10:00Z", "2024-12-07T12:45:00Z"):
        result = crawl_small(small_site, tmp_path, now)
        assert result.returncode == 0, result.stdout + result.stderr
        fetches.append(sum(p.split("?")[0] == path for p in small_site.log))
    # New at 12:00; not due at 12:10; the one-hour step (12:30) passed by 12:45.
    assert fetches == [1, 1, 2]
