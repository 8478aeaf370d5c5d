"""A site that gives no answer ends the run at once (`newsarchive.crawl.silence`), not after
every archive day since 2011 was tried three times: a dead host is exit 4 after a few requests,
a site that dies in the middle of a backfill fails the run (exit 1) with what it stored kept and
the coverage unmoved, and one dead site of a multi-site backfill does not hold up the others."""

from __future__ import annotations

import re
import socket

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsarchive import exitcodes, settings
from newsarchive.crawl.silence import FEW_ATTEMPTS, SilenceMiddleware
from tests.helpers import (
    archive_problems,
    compare_to_truth,
    crawl,
    crawl_args,
    last_run,
    rows,
    run_cli,
    scalar,
    start_cli,
    stored_differences,
    wait_for,
)

SINCE = ("--full", "--since", "2011-01-01")
#: Attempts in a row without an answer that end a run; the runs it ends ask for little more
#: (the requests already on the wire when it ends), against thousands of archive days.
LIMIT = settings.NEWSARCHIVE_UNANSWERED_MAX
FEW = 2 * LIMIT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_backfill_of_a_host_that_does_not_answer_ends_after_a_few_requests(tmp_path):
    db = tmp_path / "archive.db"
    dead = run_cli(
        "crawl", "novinite", "-q", "--db", str(db), "--base-url", f"http://127.0.0.1:{free_port()}/",
        "--delay", "0", "--timeout", "2", "--log-file", str(tmp_path / "crawl.log"), *SINCE,
        timeout=120,
    )  # fmt: skip
    assert dead.returncode == exitcodes.UNREACHABLE, (dead.stdout, dead.stderr)
    assert dead.stdout == "" and len(dead.stderr.strip().splitlines()) == 1
    assert "could not be reached" in dead.stderr and "Traceback" not in dead.stderr
    run = last_run(db)
    assert run["status"] == "failed" and "could not be reached" in run["error"]
    assert LIMIT <= run["requests"] <= FEW, run
    assert scalar(db, "select count(*) from site_state where key = 'coverage'") == 0


def test_a_host_that_accepts_and_never_answers_ends_after_a_few_download_timeouts(tmp_path):
    """Each attempt costs a whole download timeout there: the run ends after
    NEWSARCHIVE_SILENT_TIMEOUTS of them with a few attempts unanswered, not after LIMIT."""
    db = tmp_path / "archive.db"
    with socket.socket() as hang:
        hang.bind(("127.0.0.1", 0))
        hang.listen(64)  # the kernel completes the connections; nothing ever answers
        port = hang.getsockname()[1]
        dead = run_cli(
            "crawl", "novinite", "-q", "--db", str(db), "--base-url", f"http://127.0.0.1:{port}/",
            "--delay", "0", "--concurrency", "1", "--timeout", "1",
            "--log-file", str(tmp_path / "crawl.log"), *SINCE, timeout=120,
        )  # fmt: skip
    assert dead.returncode == exitcodes.UNREACHABLE, (dead.stdout, dead.stderr)
    assert "could not be reached" in dead.stderr and "Traceback" not in dead.stderr
    attempts = int(re.search(r"no answer to any of (\d+) requests", dead.stderr).group(1))
    assert FEW_ATTEMPTS <= attempts <= settings.NEWSARCHIVE_SILENT_TIMEOUTS + 1 < LIMIT, dead.stderr
    assert last_run(db)["status"] == "failed"
    assert scalar(db, "select count(*) from site_state where key = 'coverage'") == 0


def test_a_site_that_dies_during_a_backfill_fails_the_run_soon_and_the_next_run_completes(
    make_replica, tmp_path
):
    replica = make_replica(articles=80, seed=61, eras=False)
    db = tmp_path / "archive.db"
    proc = start_cli(*crawl_args(replica, db, *SINCE), now=replica.now())
    try:
        # The walk goes from today back to 2011; the articles are on the last days.
        wait_for(lambda: (scalar(db, "select count(*) from articles") or 0) >= 20, what="20 articles stored")
        replica.set_faults("dead=1")
        stored_when_dead = {r["site_id"] for r in rows(db, "select site_id from articles")}
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == exitcodes.FAILED, (out, err)
    assert "stopped answering" in out and "Traceback" not in err
    run = last_run(db)
    assert run["status"] == "failed" and "stopped answering" in run["error"]
    days = int(scalar(db, "select julianday(?) - julianday('2011-01-01')", replica.now()[:10]))
    assert run["requests"] < days / 2, run  # not every day since 2011, three times
    kept = {r["site_id"] for r in rows(db, "select site_id from articles")}
    assert stored_when_dead <= kept
    assert stored_differences(db, replica.truth()) == [] and archive_problems(db) == []
    assert scalar(db, "select count(*) from site_state where key = 'coverage'") == 0
    replica.set_faults("dead=0")
    again = crawl(replica, db, *SINCE)
    assert again.returncode == 0, again.stdout + again.stderr
    assert compare_to_truth(db, replica.truth()) == []
    assert archive_problems(db) == []


def test_one_dead_site_of_a_multi_site_backfill_ends_soon_and_the_other_is_stored(make_replica, tmp_path):
    newsroom = make_replica(site="newsroom", articles=40, seed=5)
    sites = tmp_path / "sites.toml"
    sites.write_text(
        f'[sites.novinite]\nurl = "http://127.0.0.1:{free_port()}/"\n\n'
        f'[sites.newsroom]\nurl = "{newsroom.url}"\ntimezone = "America/New_York"\n',
        "utf-8",
    )
    db = tmp_path / "archive.db"
    done = run_cli(
        "crawl", "--sites", str(sites), "--db", str(db), "--delay", "0", "--concurrency", "16",
        "--timeout", "2", "--log-file", str(tmp_path / "crawl.log"), *SINCE,
        now=newsroom.now(), timeout=120,
    )  # fmt: skip
    assert done.returncode == exitcodes.FAILED, done.stdout + done.stderr
    runs = {r["site"]: r for r in rows(db, "select * from runs")}
    assert runs["newsroom"]["status"] == "ok"
    assert runs["novinite"]["status"] == "failed" and "could not be reached" in runs["novinite"]["error"]
    assert runs["novinite"]["requests"] <= FEW
    live = {t["canonical_url"] for t in newsroom.truth() if not t.get("skip")}
    assert {r["url"] for r in rows(db, "select url from articles where site = 'newsroom'")} == live
    assert scalar(db, "select count(*) from articles where site = 'novinite'") == 0


def test_the_limit_is_a_setting_and_zero_switches_it_off():
    with pytest.raises(NotConfigured):
        SilenceMiddleware.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_UNANSWERED_MAX": 0}))
    assert SilenceMiddleware.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_UNANSWERED_MAX": 7})).limit == 7


def test_pages_slower_than_the_timeout_are_timeout_skips_and_a_later_run_stores_them(make_replica, tmp_path):
    """The newsroom's ``slow`` fault: two articles answer only after 3 s. A crawl with a 1 s
    download timeout completes without them (each tried three times, a ``timeout`` skip: no
    answer, but not a dead site); once they answer in time, the next hourly run fetches them
    again by itself, though no sitemap changed."""
    replica = make_replica(site="newsroom", articles=40, seed=11, faults="slow=2", slow_seconds=3)
    truth = replica.truth()
    slow = {t["canonical_url"] for t in truth if t.get("skip") == "timeout"}
    assert len(slow) == 2
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[sites.newsroom]\nurl = "{replica.url}"\ntimezone = "America/New_York"\n', "utf-8")
    db = tmp_path / "archive.db"

    def cron(*extra: str):
        return run_cli(
            "crawl", "newsroom", "-q", "--sites", str(sites), "--db", str(db), "--delay", "0",
            "--concurrency", "16", "--timeout", "1", "--log-file", str(tmp_path / "crawl.log"),
            *extra, now=replica.now(),
        )  # fmt: skip

    first = cron("--full")
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    stored = {r["url"] for r in rows(db, "select url from articles")}
    everything = {t["canonical_url"] for t in truth}
    assert stored == everything - slow
    skipped = rows(db, "select url, reason, stage from skips")
    assert {(s["url"], s["reason"], s["stage"]) for s in skipped} == {(u, "timeout", "download") for u in slow}
    assert last_run(db)["status"] == "ok"
    replica.set_faults("slow_seconds=0")
    replica.advance(hours=2)
    second = cron()
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert {r["url"] for r in rows(db, "select url from articles")} == everything
    assert last_run(db)["articles_new"] == len(slow)
