"""A hostile or broken site: answers of 200 with nothing usable, bombs, loops, pages built to
hurt a parser, base URLs that reach nothing, a hard link around the lock, a log on a full disk,
signals (issue "Reliability, round two", the crawl's side).

Each case is the real `newsarchive crawl` against the replica switched to a hostile answer at
run time (``hostile=KIND``, tests/replica/hostile.py) and a real archive file: what the user
sees (exit code, one line) and what the archive keeps (nothing lost, coverage honest).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    archive_problems,
    compare_to_truth,
    crawl,
    crawl_args,
    last_run,
    rows,
    run_cli,
    running_run,
    scalar,
    start_cli,
    wait_for,
)
from tests.replica.process import Replica

BACKFILL = ("--full", "--since", "2024-11-01")
#: What a crawl may take of memory whatever the site sends (a normal crawl: ~100 MB).
RSS_LIMIT_MB = 300


@pytest.fixture(scope="module")
def hostile_replica() -> Iterator[Replica]:
    server = Replica(articles=60, seed=71, eras=False)
    yield server
    server.stop()


def coverage(db: Path) -> str | None:
    return scalar(db, "select value from site_state where site = 'novinite' and key = 'coverage'")


def swept(db: Path) -> str | None:
    return scalar(db, "select value from site_state where site = 'novinite' and key = 'swept_day'")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- 1. a site that answers 200 with nothing usable -----------------------------------------------
@pytest.mark.parametrize("kind", ["maintenance", "empty", "json"])
def test_a_site_answering_200_with_nothing_usable_moves_no_coverage_and_loses_nothing(
    make_replica, tmp_path, kind
):
    replica = make_replica(articles=60, seed=73, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "-q", *BACKFILL).returncode == 0
    assert crawl(replica, db, "-q").returncode == 0  # an incremental run: coverage and sweep set
    covered, day = coverage(db), swept(db)
    assert covered and day
    # More than the feed holds is published, and two articles are edited, then the site says
    # "maintenance" (or nothing, or JSON) with 200 for two hours.
    change = replica.advance(hours=30, publish=40, edit=2)
    replica.set_faults(f"hostile={kind}")
    try:
        for _ in range(2):
            bad = crawl(replica, db, "-q")
            assert bad.returncode == 1, (bad.stdout, bad.stderr)
            assert "nothing usable from the site" in one_line(bad)
            run = last_run(db)
            assert run["status"] == "failed" and "listing pages" in run["error"]
            assert (coverage(db), swept(db)) == (covered, day)  # nothing covered
            reasons = {r["reason"] for r in rows(db, "select reason from skips where run_id = ?", run["id"])}
            assert "not_listing" in reasons, reasons  # a skip row for each page
            assert scalar(db, "select count(*) from skips where run_id = ?", run["id"]) >= run["skipped"] > 0
    finally:
        replica.set_faults("hostile=")
    good = crawl(replica, db, "-q")
    assert (good.returncode, good.stdout, good.stderr) == (0, "", "")
    truth = replica.truth()
    assert compare_to_truth(db, truth) == []  # all 40 found, both edits caught
    for site_id in map(str, change["edited"]):
        assert scalar(db, "select version from articles where site_id = ?", site_id) == 2
    assert coverage(db) == replica.now()
    assert archive_problems(db) == []


def test_listings_that_show_none_of_the_archived_articles_move_no_coverage(make_replica, tmp_path):
    """Another site at the same address (two replicas with other seeds): its listings parse,
    but show nothing the archive knows — the run has not joined up with what it covered."""
    ours = make_replica(articles=40, seed=75, eras=False)
    other = make_replica(articles=40, seed=76, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(ours, db, "-q", *BACKFILL).returncode == 0
    covered = coverage(db)
    # The other replica's ids are the same sequence: shift what "ours" knows out of the way.
    ids = [r["site_id"] for r in rows(db, "select site_id from articles")]
    conn = sqlite3.connect(db)
    conn.executemany("update articles set site_id = ? where site_id = ?", [(f"9{i}", i) for i in ids])
    conn.commit()
    conn.close()
    result = crawl(other, db, "-q", now=ours.now())
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "none of the articles archived before" in one_line(result)
    assert coverage(db) == covered


# --- 2. a hard link does not slip past the lock -----------------------------------------------------
def test_a_hard_link_to_the_archive_takes_the_same_lock(hostile_replica, tmp_path):
    """Two names of one file are one lock. And since SQLite keeps its write-ahead log beside
    the name a file is opened by, writing through two names can corrupt the archive even one
    after the other (a run killed through one name leaves its log where the other name's
    writer does not look): a writer refuses an archive with more than one name (exit 5)."""
    replica = hostile_replica
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "-q", *BACKFILL).returncode == 0
    other = tmp_path / "elsewhere" / "same.db"
    other.parent.mkdir()
    holder = start_cli(
        *crawl_args(replica, db, *BACKFILL, log=tmp_path / "holder.log"), "--delay", "0.2",
        "--concurrency", "1", now=replica.now(),
    )  # fmt: skip
    try:
        wait_for(lambda: running_run(db), what="the holder's run row")
        os.link(db, other)  # made while a crawl writes through the first name
        second = crawl(replica, other, "-q")
        assert second.returncode == 3, (second.stdout, second.stderr)
        assert "another crawl holds" in one_line(second) and "hard links" in one_line(second)
    finally:
        holder.kill()
        holder.communicate()
    for name in (db, other):
        refused = crawl(replica, name, "-q")
        assert refused.returncode == 5, (refused.stdout, refused.stderr)
        assert "hard link" in one_line(refused)
    other.unlink()
    assert crawl(replica, db, "-q", *BACKFILL).returncode == 0
    assert archive_problems(db) == []
    assert [r["status"] for r in rows(db, "select status from runs order by id")] == [
        "ok", "interrupted", "ok",
    ]  # fmt: skip


# --- 3 and 8. bombs, giant pages, redirect loops and chains, pages too deep ---------------------
def peak_rss_mb(args: list[str], now: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run `newsarchive ARGS` and poll its peak resident memory (VmHWM) until it ends."""
    proc = start_cli(*args, now=now)
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) // 1024)
        except OSError:
            pass
        time.sleep(0.02)  # sampling a process's memory, not waiting for it
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), peak


HOSTILE_ARTICLES = {
    "gzip_bomb": "too_large",
    "big": "too_large",
    "deep": "too_deep",
    "redirect_loop": "redirect_loop",
    "redirect_chain": "redirect_loop",
}


@pytest.mark.parametrize("kind", list(HOSTILE_ARTICLES))
def test_hostile_article_pages_are_counted_skips_in_bounded_memory(make_replica, tmp_path, kind):
    replica = make_replica(articles=40, seed=77, eras=False)
    truth = replica.truth()
    db = tmp_path / "archive.db"
    replica.set_faults(f"hostile={kind}")
    result, peak = peak_rss_mb(crawl_args(replica, db, *BACKFILL), replica.now())
    replica.set_faults("hostile=")
    reason = HOSTILE_ARTICLES[kind]
    assert result.returncode == 0, (result.stdout, result.stderr)  # the site was seen: it ran
    assert peak < RSS_LIMIT_MB, f"{kind}: {peak} MB"
    # every article is a skip with its reason: none dropped in silence, none stored
    skipped = {r["site_id"] for r in rows(db, "select site_id from skips where reason = ?", reason)}
    assert skipped == {t["site_id"] for t in truth}
    assert scalar(db, "select count(*) from articles") == 0
    assert f"skipped ({reason} {len(truth)})" in result.stdout
    # ... and the next hourly run, the site mended, stores them all (a passing fault is
    # retried an hour later)
    replica.advance(hours=1)
    again = crawl(replica, db, "-q")
    assert again.returncode == 0, again.stderr
    assert compare_to_truth(db, truth) == []


# --- 5. base URLs that reach nothing --------------------------------------------------------------
@pytest.mark.parametrize(
    "base",
    ["", "http://", "https://", "http:///p", "http://127.0.0.1:99999/", "http://127.0.0.1:abc/",
     "http://[::1/", "ftp://127.0.0.1/", "http://127.0.0.1/ x", "http://127.0.0.1:0/"],
)  # fmt: skip
def test_a_base_url_that_is_not_one_is_bad_usage(tmp_path, base):
    result = run_cli("crawl", "--db", str(tmp_path / "a.db"), "--base-url", base,
                     "--log-file", str(tmp_path / "c.log"))  # fmt: skip
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "base-url" in one_line(result)
    assert not (tmp_path / "a.db").exists() or scalar(tmp_path / "a.db", "select count(*) from runs") == 0


@pytest.fixture
def not_http() -> Iterator[str]:
    """A server on 127.0.0.1 that speaks something other than HTTP (an SSH banner)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    stop.set()
    thread.join()
    server.close()


def test_roots_that_answer_nothing_usable_are_never_exit_0(hostile_replica, not_http, tmp_path):
    replica = hostile_replica
    https = replica.url.replace("http://", "https://")
    for base, codes in (
        (replica.url + "no/such/path/", {1}),  # 404 everywhere
        (https, {1, 4}),  # TLS against plain HTTP
        (not_http, {1, 4}),  # not HTTP at all
    ):
        db = tmp_path / f"{len(base)}.db"
        result = run_cli(*[a if a != replica.url else base for a in crawl_args(replica, db)], now=replica.now())
        assert result.returncode in codes, (base, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert last_run(db)["status"] == "failed" and last_run(db)["error"]
        assert coverage(db) is None


# --- a log on a full disk ----------------------------------------------------------------------------
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this machine")
def test_a_log_that_cannot_be_written_is_one_warning_not_a_stream_of_tracebacks(hostile_replica, tmp_path):
    replica = hostile_replica
    db = tmp_path / "archive.db"
    args = [a if a != str(db.with_suffix(".log")) else "/dev/full" for a in crawl_args(replica, db, *BACKFILL)]
    result = run_cli(*args, now=replica.now())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    assert result.stderr.count("cannot write the log") == 1, result.stderr
    assert last_run(db)["status"] == "ok"
    assert scalar(db, "select count(*) from articles") == len([t for t in replica.truth() if not t.get("skip")])
    assert Path("/dev/full").is_char_device()


# --- 12. signals ---------------------------------------------------------------------------------------
def test_sighup_ends_a_crawl_as_interrupted_like_sigterm(hostile_replica, tmp_path):
    replica = hostile_replica
    db = tmp_path / "archive.db"
    proc = start_cli(*crawl_args(replica, db, *BACKFILL, "-q"), "--delay", "0.05", "--concurrency", "1",
                     now=replica.now())  # fmt: skip
    wait_for(lambda: (scalar(db, "select count(*) from articles") or 0) >= 3, what="3 articles")
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, (out, err)
    assert "interrupted" in err and "Traceback" not in err
    assert last_run(db)["status"] == "interrupted"
    assert coverage(db) is None


def catches(pid: int, sig: int) -> bool:
    """Whether process `pid` has installed a handler for `sig` (Linux: its ``SigCgt`` mask)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(mask, 16) >> (sig - 1) & 1)


#: The moments of start-up a signal arrives at, each an event the test can see: the command's
#: first line ran (its handler is in: modules still loading), the command took the lock (the
#: archive file exists), Scrapy is being set up or runs (the crawl's log file exists).
START_UP = {
    "loading": lambda proc, sig, tmp: catches(proc.pid, sig),
    "locked": lambda proc, sig, tmp: (tmp / "a.db").exists(),
    "crawling": lambda proc, sig, tmp: (tmp / "c.log").exists(),
}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("moment", list(START_UP))
def test_a_signal_at_start_up_is_one_line_and_exit_1(tmp_path, sig, moment):
    # A site that takes the connection and never answers: the run cannot end by itself before
    # the signal comes (within the 30 s download timeout), whatever the machine's load.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "crawl", "-q", "--db", str(tmp_path / "a.db"),
             "--base-url", f"http://127.0.0.1:{port}/", "--log-file", str(tmp_path / "c.log")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_for(lambda: START_UP[moment](proc, sig, tmp_path) or proc.poll() is not None, what=moment)
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 1, (proc.returncode, out, err)
    assert out == "" and "interrupted" in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


# --- the soak: 48 hourly runs, every fourth one meeting a bad answer ----------------------------------
SITE_WIDE = ["maintenance", "empty", "json", "notfound"]
ARTICLES_ONLY = ["gzip_bomb", "big", "deep", "redirect_loop", "redirect_chain"]


def test_48_hourly_runs_every_fourth_meeting_a_bad_answer_end_equal_to_truth(tmp_path):
    replica = Replica(articles=100, seed=79, eras=False)
    try:
        hostile_soak(replica, tmp_path)
    finally:
        replica.stop()


def hostile_soak(replica: Replica, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "-q", *BACKFILL).returncode == 0
    rng = random.Random(79)
    met: list[str] = []
    for hour in range(1, 49):
        replica.advance(hours=1, publish=rng.choice([0, 1, 1, 2]), edit=int(hour <= 24 and rng.random() < 0.25))
        bad = rng.choice([*SITE_WIDE, *ARTICLES_ONLY, "https"]) if hour % 4 == 0 else None
        args: tuple[str, ...] = ("-q",)
        if bad == "https":
            args = ("-q", "--base-url", replica.url.replace("http://", "https://"))
        elif bad:
            replica.set_faults(f"hostile={bad}")
        result = crawl(replica, db, *args)
        replica.set_faults("hostile=")
        if bad:
            met.append(bad)
        if bad in (*SITE_WIDE, "https"):
            assert result.returncode in (1, 4), (hour, bad, result.stderr)
            assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
        else:
            assert (result.returncode, result.stderr) == (0, ""), (hour, bad, result.stderr)
    assert len(met) == 12 and len(set(met)) >= 6, met
    # the last hour met a bad answer: the next good run recovers what it could not see
    replica.advance(hours=1)
    assert crawl(replica, db, "-q").returncode == 0
    truth = replica.truth()
    assert compare_to_truth(db, truth) == []
    assert archive_problems(db) == []
    assert coverage(db) == replica.now()
