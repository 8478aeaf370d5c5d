"""robots.txt is fetched once a run: the generic spider reads its ``Sitemap:`` lines from the
answer Scrapy's robots check already got (`newsarchive.crawl.robots`)."""

from __future__ import annotations

from tests.helpers import rows, run_cli

NEWSROOM_TZ = "America/New_York"


def crawl(replica, tmp_path, *extra: str):
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[sites.newsroom]\nurl = "{replica.url}"\ntimezone = "{NEWSROOM_TZ}"\n', "utf-8")
    db = tmp_path / "archive.db"
    done = run_cli(
        "crawl", "newsroom", "--sites", str(sites), "--db", str(db), "--delay", "0",
        "--concurrency", "16", "--timeout", "3", "--log-file", str(tmp_path / "crawl.log"), *extra,
        now=replica.now(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return db


def test_a_discovery_run_asks_for_robots_txt_once_and_still_finds_the_sitemaps(make_replica, tmp_path):
    replica = make_replica(site="newsroom", articles=30, seed=9)
    before = replica.stats()
    db = crawl(replica, tmp_path, "--full")
    after = replica.stats()
    assert after["robots"] - before["robots"] == 1
    # the sitemaps robots.txt announces were read: every live article is stored
    live = {t["canonical_url"] for t in replica.truth() if not t.get("skip")}
    assert {r["url"] for r in rows(db, "select url from articles")} == live
    assert after["sitemap"] > before["sitemap"]
    run = rows(db, "select requests from runs")[0]
    assert run["requests"] == after["total"] - before["total"]  # what the run counts, it asked
