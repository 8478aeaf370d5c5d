"""The crawl end to end: real HTTP against the replica, a real archive file, real commands."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_FAULTS
from tests.helpers import ROOT, articles, compare_to_truth, crawl, last_run, rows, run_cli
from tests.replica.process import Replica

FAULTS = DEFAULT_FAULTS + ",slow_seconds=5"


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory):
    """A 300-article replica (with its landmark days) and every fault, crawled in full once."""
    replica = Replica(articles=300, seed=7, faults=FAULTS)
    db = tmp_path_factory.mktemp("full") / "archive.db"
    result = crawl(replica, db, "--full", "--since", "2011-01-01")
    yield replica, db, result
    replica.stop()


def test_full_crawl_stores_exactly_truth(full_crawl):
    replica, db, result = full_crawl
    assert result.returncode == 0, result.stderr
    truth = replica.truth()
    assert compare_to_truth(db, truth) == []
    live = [t for t in truth if not t.get("skip")]
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith(f"novinite: {len(live)} new, 0 updated, 0 unchanged, "), line
    run = last_run(db)
    assert run["status"] == "ok"
    assert run["articles_new"] == len(live)


def test_each_fault_page_is_one_skip_with_its_reason(full_crawl):
    replica, db, _ = full_crawl
    truth = replica.truth()
    expected = {t["site_id"]: t["skip"] for t in truth if t.get("skip")}
    assert len(expected) >= 8
    skips = rows(db, "select site_id, reason, stage, url from skips where site_id is not null")
    by_id: dict[str, list[str]] = {}
    for skip in skips:
        by_id.setdefault(skip["site_id"], []).append(skip["reason"])
    for site_id, reason in expected.items():
        assert by_id.get(site_id) == [reason], (site_id, by_id.get(site_id))
    # nowhere else: no other article skipped, and no fault page in articles
    assert set(by_id) == set(expected)
    assert not set(expected) & set(articles(db))


def test_summary_line_and_request_count(full_crawl):
    _, db, result = full_crawl
    line = result.stdout.strip().splitlines()[-1]
    run = last_run(db)
    assert f"{run['articles_new']} new" in line
    assert f"{run['requests']} requests in" in line
    assert "skipped (" in line


def test_same_crawl_again_changes_nothing_but_last_seen(full_crawl):
    replica, db, _ = full_crawl
    before = articles(db)
    versions_before = rows(db, "select count(*) n from article_versions")[0]["n"]
    result = crawl(replica, db, "--full", "--since", "2011-01-01")
    assert result.returncode == 0, result.stderr
    run = last_run(db)
    assert run["articles_new"] == 0 and run["articles_updated"] == 0
    after = articles(db)
    assert set(after) == set(before)
    for site_id, row in before.items():
        other = dict(after[site_id])
        row = dict(row)
        row.pop("last_seen"), other.pop("last_seen")
        assert row == other
    assert rows(db, "select count(*) n from article_versions")[0]["n"] == versions_before
    check = run_cli("check", "--db", str(db))
    assert check.returncode == 0, check.stderr


def test_incremental_run_after_a_day(make_replica, tmp_path):
    replica = make_replica(articles=300, seed=3, eras=False)
    db = tmp_path / "archive.db"
    first = crawl(replica, db, "--full", "--since", "2024-11-01")
    assert first.returncode == 0, first.stderr
    start = replica.now()
    change = replica.advance(hours=24, publish=5, edit=2)
    assert len(change["published"]) == 5 and len(change["edited"]) == 2
    old_bodies = {a["site_id"]: a["body"] for a in replica_truth_at(db, change["edited"])}
    result = crawl(replica, db)  # incremental: no --full
    assert result.returncode == 0, result.stderr
    run = last_run(db)
    assert run["mode"] == "incremental"
    assert (run["articles_new"], run["articles_updated"]) == (5, 2)
    assert compare_to_truth(db, replica.truth()) == []
    for site_id in map(str, change["edited"]):
        versions = rows(
            db,
            "select * from article_versions where article_id = "
            "(select id from articles where site_id = ?)",
            site_id,
        )
        assert [v["version"] for v in versions] == [1]
        assert versions[0]["body"] == old_bodies[site_id]
    # the new text is found by search and the old is not
    edited = articles(db)[str(change["edited"][0])]
    new_words = set(edited["body"].split()) - set(old_bodies[str(change["edited"][0])].split())
    old_words = set(old_bodies[str(change["edited"][0])].split()) - set(edited["body"].split())
    new_word = next(w for w in sorted(new_words) if w.isalpha() and len(w) > 6)
    hits = rows(db, "select rowid from articles_fts where articles_fts match ?", new_word)
    assert edited["id"] in {h["rowid"] for h in hits}
    gone = [w for w in sorted(old_words) if w.isalpha() and len(w) > 6]
    for word in gone[:3]:
        hits = rows(db, "select rowid from articles_fts where articles_fts match ?", word)
        assert edited["id"] not in {h["rowid"] for h in hits}
    # requests: no more than the articles published since 48 h before the previous run + a few
    recent = [t for t in replica.truth() if t["published"] >= iso_minus_hours(start, 48)]
    assert run["requests"] <= len(recent) + 5, (run["requests"], len(recent))


def test_quiet_hour_costs_a_handful_of_requests(make_replica, tmp_path):
    replica = make_replica(articles=200, seed=5, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2024-11-01").returncode == 0
    replica.advance(hours=1, publish=1, edit=0)
    assert crawl(replica, db).returncode == 0
    replica.advance(hours=1, publish=1, edit=0)
    result = crawl(replica, db)
    assert result.returncode == 0, result.stderr
    run = last_run(db)
    assert run["articles_new"] == 1
    assert run["requests"] <= 12, run["requests"]


def test_title_edited_in_a_listing_is_fetched_at_once(make_replica, tmp_path):
    replica = make_replica(articles=200, seed=11, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2024-11-01").returncode == 0
    # a quiet, short hop: next to nothing is due on the back-off schedule ...
    change = replica.advance(hours=0.1, publish=0, edit=3)
    edited = [str(i) for i in change["edited"]]
    result = crawl(replica, db)
    assert result.returncode == 0, result.stderr
    run = last_run(db)
    # ... yet each edited title seen in a listing it reads (the feed, the archive pages of
    # yesterday and today) is fetched at once; older ones wait for their next step.
    truth = {t["site_id"]: t for t in replica.truth()}
    clock_day = replica.now()[:10]
    listed = [i for i in edited if truth[i]["published_local"][:10] >= day_before(clock_day)]
    assert listed, "the replica should edit something published since yesterday"
    assert run["articles_updated"] >= len(listed)
    stored = articles(db)
    for site_id in listed:
        assert stored[site_id]["title"] == truth[site_id]["title"]
        assert stored[site_id]["version"] == 2
    log = (tmp_path / "archive.log").read_text()
    assert f"'newsarchive/fetch/title': {len(listed)}" in log
    assert run["requests"] <= 12


def day_before(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def test_pagination_drift_loses_and_doubles_nothing(make_replica, tmp_path):
    replica = make_replica(articles=200, seed=13, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2024-11-01").returncode == 0
    # more news than the feed holds: the run must walk the section listings ...
    replica.advance(hours=30, publish=60, edit=0)
    published_before_run = {t["site_id"] for t in replica.truth() if not t.get("skip")}
    # ... while every second listing page pushes a new article on top
    replica.set_faults("drift=2")
    result = crawl(replica, db)
    assert result.returncode == 0, result.stderr
    replica.set_faults("")
    stored = articles(db)
    assert published_before_run - set(stored) == set()
    assert len(set(t["site_id"] for t in replica.truth())) > len(published_before_run)
    # the next run picks up what the drift published during the first
    assert crawl(replica, db).returncode == 0
    assert compare_to_truth(db, replica.truth()) == []
    counts = rows(db, "select count(*) n, count(distinct site_id) d from articles")[0]
    assert counts["n"] == counts["d"]


def test_every_url_form_is_one_article(make_replica, tmp_path):
    from newsarchive.archive import Archive
    from newsarchive.dates import parse_utc
    from spiders.novinite import parse_article

    replica = make_replica(articles=60, seed=17, eras=False)
    target = next(t for t in replica.truth() if not t.get("skip"))
    site_id = target["site_id"]
    forms = [
        replica.served(target["url"]),
        f"{replica.url}articles/{site_id}/",
        f"{replica.url}articles/{site_id}/Some+Old+Slug",
        f"{replica.url}view_news.php?id={site_id}",
        f"{replica.url}view_news.php?id={site_id}&disable_mobile=true",
    ]
    db = tmp_path / "archive.db"
    outcomes = []
    with Archive(db) as archive:
        for url in forms:
            article = parse_article(fetch(url), url)
            assert article.site_id == site_id
            outcomes.append(archive.store(article, run_id=None, now=parse_utc(replica.now())))
    assert outcomes == ["new"] + ["unchanged"] * (len(forms) - 1)
    assert rows(db, "select count(*) n from articles")[0]["n"] == 1


def test_scrapy_crawl_and_newsarchive_crawl_write_the_same_archive(make_replica, tmp_path):
    replica = make_replica(articles=120, seed=19, eras=False)
    now = replica.now()
    ours = tmp_path / "ours.db"
    theirs = tmp_path / "theirs.db"
    assert crawl(replica, ours, "--full", "--since", "2024-11-01").returncode == 0
    env = dict(__import__("os").environ, NEWSARCHIVE_NOW=now)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "novinite",
            "-a",
            f"base_url={replica.url}",
            "-a",
            "full=1",
            "-a",
            "since=2024-11-01",
            "-s",
            f"NEWSARCHIVE_DB={theirs}",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    keep = ("site", "site_id", "url", "content_hash", "version") + tuple(
        f
        for f in (
            "title",
            "published",
            "published_local",
            "section",
            "subsection",
            "author",
            "body",
            "tags",
            "sources",
            "image_url",
            "word_count",
        )
    )
    a, b = articles(ours), articles(theirs)
    assert a and set(a) == set(b)
    for site_id in a:
        assert {k: a[site_id][k] for k in keep} == {k: b[site_id][k] for k in keep}


def test_reextract_updates_exactly_the_changed_articles(make_replica, tmp_path):
    from newsarchive.reextract import reextract_archive
    from spiders.novinite import parse_article

    replica = make_replica(articles=80, seed=23, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2024-11-01").returncode == 0
    requests_before = replica.stats()
    stored = articles(db)
    chosen = sorted(stored, key=int)[::7]

    def changed_extractor(html: str, url: str):
        article = parse_article(html, url)
        if article.site_id in chosen:
            article.title = article.title + " (fixed)"
        return article

    dry = reextract_archive(str(db), dry_run=True, parsers={"novinite": changed_extractor})
    assert dry.changed == len(chosen)
    assert articles(db) == stored  # a dry run writes nothing
    counts = reextract_archive(str(db), parsers={"novinite": changed_extractor})
    assert counts.changed == len(chosen)
    assert counts.unchanged == len(stored) - len(chosen)
    after = articles(db)
    for site_id, row in after.items():
        if site_id in chosen:
            assert row["version"] == 2 and row["title"].endswith(" (fixed)")
        else:
            assert row == stored[site_id]
    assert replica.stats() == requests_before  # not one request


def test_reextract_command_with_todays_extractor_changes_nothing(full_crawl):
    _, db, _ = full_crawl
    result = run_cli("reextract", "--db", str(db), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert " 0 would change" in result.stdout


def test_bad_site_and_bad_archive_and_unreachable(tmp_path):
    bad = run_cli("crawl", "nosuchsite", "--db", str(tmp_path / "a.db"))
    assert bad.returncode == 2 and "unknown site" in bad.stderr
    assert "Traceback" not in bad.stderr
    notdb = tmp_path / "notes.db"
    notdb.write_text("these are my notes, not an archive\n" * 20)
    result = run_cli("crawl", "--db", str(notdb), "--base-url", "http://127.0.0.1:9/")
    assert result.returncode == 5 and "not" in result.stderr
    assert notdb.read_text() == "these are my notes, not an archive\n" * 20
    dead = run_cli(
        "crawl",
        "--db",
        str(tmp_path / "b.db"),
        "--base-url",
        f"http://127.0.0.1:{free_port()}/",
        "--delay",
        "0",
        "--timeout",
        "2",
    )
    assert dead.returncode == 4, (dead.stdout, dead.stderr)
    assert "Traceback" not in dead.stderr
    run = last_run(tmp_path / "b.db")
    assert run["status"] == "failed"


# --- helpers ---------------------------------------------------------------------------------
def fetch(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read().decode("utf-8")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def iso_minus_hours(iso: str, hours: float) -> str:
    from datetime import timedelta

    from newsarchive.dates import format_utc, parse_utc

    return format_utc(parse_utc(iso) - timedelta(hours=hours))


def replica_truth_at(db: Path, ids: list[int]) -> list[dict]:
    """The archived (pre-edit) rows of these ids."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        marks = ",".join("?" * len(ids))
        return [
            dict(r)
            for r in conn.execute(
                f"select site_id, body from articles where site_id in ({marks})",
                [str(i) for i in ids],
            )
        ]
    finally:
        conn.close()


def test_log_file_gets_the_full_log_and_summary(full_crawl):
    _, db, _ = full_crawl
    text = db.with_suffix(".log").read_text()
    assert "Spider opened" in text
    assert "novinite: " in text and " requests in " in text


def test_fill_gaps_fetches_ids_never_seen(make_replica, tmp_path):
    replica = make_replica(articles=120, seed=29, eras=False)
    truth = [t for t in replica.truth() if not t.get("skip")]
    days = sorted({t["published_local"][:10] for t in truth})
    first_day, middle_day, last_day = days[1], days[len(days) // 2], days[-1]
    db = tmp_path / "archive.db"
    # two backfills that leave the days in between unseen
    assert crawl(replica, db, "--since", first_day, "--until", first_day).returncode == 0
    assert crawl(replica, db, "--since", last_day, "--until", last_day).returncode == 0
    stored = set(articles(db))
    between = {t["site_id"] for t in truth if first_day < t["published_local"][:10] < last_day}
    assert between and not between & stored
    assert any(t["published_local"][:10] == middle_day for t in truth)
    result = crawl(replica, db, "--since", last_day, "--fill-gaps")
    assert result.returncode == 0, result.stderr
    assert between <= set(articles(db))
    run = last_run(db)
    assert run["articles_new"] == len(between)
    # one request per missing id, plus robots.txt and the day page walked
    assert run["requests"] <= len(between) + 3


@pytest.mark.parametrize("way", ["newsarchive", "scrapy"])
def test_limit_stores_exactly_n_articles_and_the_next_run_the_rest(make_replica, tmp_path, way):
    """DESIGN: `--limit N` stops after N articles stored — not N plus what was already on its
    way when the run was told to close (that was 20-odd more with 16 requests in flight)."""
    replica = make_replica(articles=40, seed=61, eras=False)
    db = tmp_path / "archive.db"
    if way == "newsarchive":
        result = crawl(replica, db, "--full", "--since", "2024-11-01", "--limit", "3")
    else:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "novinite", "-a", f"base_url={replica.url}",
             "-a", "full=1", "-a", "since=2024-11-01", "-a", "limit=3",
             "-s", f"NEWSARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "AUTOTHROTTLE_ENABLED=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
            env={**os.environ, "NEWSARCHIVE_NOW": replica.now()},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(db, "select count(*) n from articles")[0]["n"] == 3
    run = last_run(db)
    assert (run["status"], run["articles_new"]) == ("ok", 3)
    assert crawl(replica, db, "--full", "--since", "2024-11-01").returncode == 0
    assert compare_to_truth(db, replica.truth()) == []
