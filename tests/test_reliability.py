"""Reliability, end to end: one crawl per archive, kill -9 and signals at any moment, and a
resumed run that completes the archive to exactly the replica's truth — nothing lost, nothing
doubled, nothing half-written (DESIGN.md, "Guarantees").

Every crawl here is the real `newsarchive` command against the replica and a real archive
file. Crawls are held open, killed and inspected by polling observable state (the runs and
articles tables, the log) with a bounded loop — never by sleeping.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import (
    ROOT,
    archive_problems,
    cli_env,
    compare_to_truth,
    crawl,
    crawl_args,
    last_run,
    rows,
    run_cli,
    running_run,
    scalar,
    serve_answers,
    start_cli,
    stored_differences,
    wait_for,
)
from tests.replica.process import Replica

BACKFILL = ("--full", "--since", "2024-11-01")


def live(truth: list[dict]) -> list[dict]:
    return [t for t in truth if not t.get("skip")]


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def kill9(proc: subprocess.Popen[str]) -> None:
    """kill -9 the crawl (which must still be running: a missed kill point is a test bug)."""
    assert proc.poll() is None, f"the crawl ended before the kill point: {proc.communicate()}"
    os.kill(proc.pid, signal.SIGKILL)
    assert finish(proc)[0] == -signal.SIGKILL


def log_count(log: Path, needle: str) -> int:
    try:
        return log.read_text("utf-8", "replace").count(needle)
    except FileNotFoundError:
        return 0


#: Groups of at most 10 writes (the default is 100): a backfill of 120 articles commits a dozen
#: of them and a day's news several, so a point counted in statements falls inside the run.
SMALL_GROUPS = "NEWSARCHIVE_COMMIT_ARTICLES=10"


def killpoint(replica: Replica, db: Path, kind: str, target: str, nth: int, *extra: str):
    """A crawl that SIGKILLs itself at the exact point (tests/killpoint.py), in small groups."""
    args = [kind, target, str(nth), SMALL_GROUPS, "--", *crawl_args(replica, db, *extra)]
    return subprocess.run(
        [sys.executable, "-m", "tests.killpoint", *args],
        cwd=ROOT,
        env=cli_env(replica.now()),
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_sound_after_kill(db: Path, truth: list[dict], *, static: bool = True) -> None:
    """Right after a kill: the archive opens, passes check, holds no doubled article, and
    (while the site does not change) every article it holds is exactly the truth's."""
    from newsarchive.archive import SCHEMA_VERSION

    if (scalar(db, "pragma user_version") or 0) < SCHEMA_VERSION:
        return  # killed before the schema was complete: the next run migrates it
    assert archive_problems(db) == []
    if static:
        assert stored_differences(db, truth) == []


def assert_complete(db: Path, truth: list[dict]) -> None:
    assert compare_to_truth(db, truth) == []
    assert archive_problems(db) == []
    check = run_cli("check", "--db", str(db))
    assert check.returncode == 0, check.stdout + check.stderr


# =============================================================================================
# One crawl per archive
# =============================================================================================


@pytest.fixture(scope="module")
def kill_replica():
    """120 articles, no fault: what a complete run must store is exactly truth.jsonl."""
    server = Replica(articles=120, seed=31, eras=False)
    yield server
    server.stop()


def test_second_crawl_is_refused_with_the_holders_pid_and_start_while_readers_work(
    kill_replica, tmp_path
):
    replica = kill_replica
    db = tmp_path / "archive.db"
    truth = replica.truth()
    # Seed the archive so the readers have something to read from the first moment on.
    assert crawl(replica, db, "--full", "--since", "2024-12-04", "--until", "2024-12-04").returncode == 0
    seeded = scalar(db, "select count(*) from articles")
    assert seeded > 0
    # A slow backfill: one request at a time, ~200 ms apart, so it writes for a long while.
    holder = start_cli(
        "crawl", "--db", str(db), "--base-url", replica.url, *BACKFILL, "--delay", "0.2",
        "--concurrency", "1", "--log-file", str(tmp_path / "holder.log"), now=replica.now(),
    )  # fmt: skip
    run = wait_for(lambda: running_run(db), what="the holder's run row")
    assert run["pid"] == holder.pid
    wait_for(
        lambda: scalar(db, "select count(*) from articles") > seeded,
        what="the holder to store articles",
    )
    # A second crawl exits 3 at once, naming the holder.
    started = time.monotonic()
    second = crawl(replica, db)
    assert second.returncode == 3, (second.stdout, second.stderr)
    assert time.monotonic() - started < 15
    message = second.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"pid {holder.pid}" in message and f"started {run['started']}" in message
    assert "Traceback" not in message and second.stdout == ""
    # ... and so does reextract (it writes too); the scrapy way is refused as well.
    reex = run_cli("reextract", "--db", str(db))
    assert reex.returncode == 3 and f"pid {holder.pid}" in reex.stderr
    scrapy_way = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "novinite", "-a", f"base_url={replica.url}",
         "-s", f"NEWSARCHIVE_DB={db}", "-s", "LOG_LEVEL=INFO"],
        cwd=ROOT, env=cli_env(replica.now()), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert f"another crawl holds {db} (pid {holder.pid}" in scrapy_way.stderr
    assert len(rows(db, "select id from runs")) == 2  # the seed run and the holder's: no third
    # Readers never wait: search, stats, history, export, check and serve, while it writes.
    during = scalar(db, "select count(*) from articles")
    seed_article = rows(db, "select site_id, title from articles order by id limit 1")[0]
    word = max(seed_article["title"].split(), key=len).strip(",.:'\"()")
    for args in (
        ("search", word, "--json"),
        ("stats", "--json"),
        ("history", seed_article["site_id"]),
        ("export", "--format", "csv", "-o", str(tmp_path / "export.csv")),
        ("check",),
    ):
        t0 = time.monotonic()
        result = run_cli(*args, "--db", str(db), timeout=60)
        assert result.returncode == 0, (args, result.stderr)
        assert time.monotonic() - t0 < 20, args
        if args == ("check",):  # all but the FTS index, which would hold the crawl up
            assert "index was not checked because another crawl holds" in result.stdout
            assert f"pid {holder.pid}" in result.stdout
    assert json.loads(run_cli("stats", "--json", "--db", str(db)).stdout)["runs"][0]["status"] == "running"
    assert (tmp_path / "export.csv").read_text().count("\n") > seeded
    serve_answers(db)
    assert scalar(db, "select count(*) from articles") > during, "the crawl wrote meanwhile"
    assert holder.poll() is None, "the holder must still be writing"
    # kill -9 the holder: the kernel drops its lock, the next crawl runs and marks it interrupted.
    kill9(holder)
    assert running_run(db)["pid"] == holder.pid  # the dead process could not say so itself
    resumed = crawl(replica, db, *BACKFILL)
    assert resumed.returncode == 0, resumed.stderr
    runs = rows(db, "select status, error, pid from runs order by id")
    assert [r["status"] for r in runs] == ["ok", "interrupted", "ok"]
    assert runs[1]["pid"] == holder.pid and "ended before the run finished" in runs[1]["error"]
    assert_complete(db, truth)


def test_the_lock_is_the_archives_whatever_path_names_it(kill_replica, tmp_path):
    """A symlink or a relative path to the same archive is the same lock."""
    replica = kill_replica
    real = tmp_path / "real" / "archive.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    assert crawl(replica, real, "--full", "--since", "2024-12-06").returncode == 0
    holder = start_cli(
        "crawl", "--db", str(real), "--base-url", replica.url, *BACKFILL, "--delay", "0.2",
        "--concurrency", "1", "--log-file", str(tmp_path / "holder.log"), now=replica.now(),
    )  # fmt: skip
    try:
        wait_for(lambda: running_run(real), what="the holder's run row")
        for other in (link, Path(os.path.relpath(real, ROOT))):
            second = crawl(replica, other)
            assert second.returncode == 3, (other, second.stdout, second.stderr)
            assert f"pid {holder.pid}" in second.stderr
    finally:
        kill9(holder)
    assert crawl(replica, link, *BACKFILL).returncode == 0
    assert [r["status"] for r in rows(real, "select status from runs order by id")] == [
        "ok",
        "interrupted",
        "ok",
    ]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_run_as_interrupted_with_exit_1(kill_replica, tmp_path, sig):
    replica = kill_replica
    db = tmp_path / "archive.db"
    proc = start_cli(
        "crawl", "--db", str(db), "--base-url", replica.url, *BACKFILL, "--delay", "0.05",
        "--concurrency", "1", "-q", "--log-file", str(tmp_path / "a.log"), now=replica.now(),
    )  # fmt: skip
    wait_for(lambda: (scalar(db, "select count(*) from articles") or 0) >= 3, what="3 articles")
    proc.send_signal(sig)
    code, out, err = finish(proc)
    assert code == 1, (code, out, err)
    assert out == ""
    assert "interrupted" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    run = last_run(db)
    assert run["status"] == "interrupted" and run["finished"]
    # an interrupted run never advances the coverage ...
    assert scalar(db, "select value from site_state where key = 'coverage'") is None
    assert archive_problems(db) == []
    # ... and the next run completes the archive
    assert crawl(replica, db, *BACKFILL).returncode == 0
    assert_complete(db, replica.truth())


# =============================================================================================
# kill -9 at any moment: the next run completes the archive, nothing lost, doubled or half-written
# =============================================================================================

#: Exact kill points (tests/killpoint.py) across a backfill's phases, in run order: the schema
#: being created, the run starting, responses arriving (fetch), pages parsed (extract), items in
#: the pipelines, each statement of an article's store transaction (insert, raw page, commit),
#: and the run closing (coverage, finish).
KILL_POINTS = [
    ("sql", r"CREATE TABLE IF NOT EXISTS articles", 1),  # schema migration, first run
    ("sql", r"^PRAGMA user_version = \d", 1),  # a migration done, its COMMIT not yet
    ("sql", r"^INSERT INTO runs", 1),  # the run row, before its COMMIT
    ("call", "newsarchive.crawl.retry:RetryAfterMiddleware.process_response", 23),
    ("call", "newsarchive.crawl.retry:RetryAfterMiddleware.process_response", 97),
    ("call", "newsarchive.crawl.spider:SiteSpider.parse_listing", 5),
    ("call", "spiders.novinite.article:parse_article", 64),
    ("call", "pipelines.validate:ValidatePipeline.process_item", 31),
    ("sql", r"^INSERT INTO articles \(", 1),  # a group's article rows, none of its raw pages
    ("sql", r"^INSERT INTO articles \(", 4),  # the same, a later group
    ("sql", r"^INSERT INTO raw_pages", 77),  # both written, COMMIT not yet
    ("sql", r"^COMMIT", 15),  # just committed
    ("call", "newsarchive.archive:Archive.store", 110),
    ("sql", r"^INSERT INTO site_state", 1),  # closing: the crawl state
    ("sql", r"^UPDATE runs SET status = \?", 1),  # closing: the run's outcome, not committed
]


def kill_point_id(kind: str, target: str, nth: int) -> str:
    name = target.replace(":", ".").rsplit(".", 1)[-1] if kind == "call" else re.sub(r"\W+", "_", target).strip("_")
    return f"{name}#{nth}"


@pytest.mark.parametrize(
    "kind,target,nth", KILL_POINTS, ids=[kill_point_id(*point) for point in KILL_POINTS]
)
def test_kill9_during_a_backfill_then_the_next_run_completes(kill_replica, tmp_path, kind, target, nth):
    replica = kill_replica
    truth = replica.truth()
    db = tmp_path / "archive.db"
    killed = killpoint(replica, db, kind, target, nth, *BACKFILL)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr[-2000:])
    assert_sound_after_kill(db, truth)
    assert coverage(db) is None, "only a run that finished may record what it covered"
    resumed = crawl(replica, db, *BACKFILL)
    assert resumed.returncode == 0, (resumed.stdout, resumed.stderr)
    assert_complete(db, truth)
    statuses = [r["status"] for r in rows(db, "select status from runs order by id")]
    assert statuses in (["ok"], ["interrupted", "ok"]), statuses
    assert scalar(db, "select value from site_state where key = 'coverage'") is not None


#: Kill points of incremental runs, one per simulated day: new articles being stored, an edit
#: being stored (its old version saved, the row updated, the raw page not yet), the section walk
#: after a busy day, the run's closing state; ``None``: a kill -9 from outside at a moment chosen
#: by polling (after N more articles, or N responses in the log).
INCREMENTAL_KILLS = [
    ("sql", r"^INSERT INTO articles \(", 3),
    ("sql", r"^INSERT INTO article_versions", 1),
    ("sql", r"^UPDATE articles SET url", 1),
    ("call", "newsarchive.crawl.spider:SiteSpider.parse_listing", 4),
    ("call", "newsarchive.archive:Archive.store", 17),
    ("sql", r"^INSERT INTO site_state", 1),
    ("outside", "articles", 0),
    ("outside", "responses", 0),
]


def test_kill9_during_incremental_runs_then_the_next_run_completes(make_replica, tmp_path):
    replica = make_replica(articles=120, seed=37, eras=False)
    db = tmp_path / "archive.db"
    log = tmp_path / "archive.log"
    assert crawl(replica, db, *BACKFILL).returncode == 0
    rng = random.Random(37)
    for day, (kind, target, nth) in enumerate(INCREMENTAL_KILLS):
        # A day passes: more or less news than the feed holds, and a few edits.
        change = replica.advance(hours=24, publish=rng.randint(12, 40), edit=rng.randint(2, 4))
        assert change["edited"], change
        before = scalar(db, "select count(*) from articles")
        covered = coverage(db)
        if kind == "outside":
            proc = start_cli(*crawl_args(replica, db, "-v"), now=replica.now())
            n = rng.randint(2, max(2, len(change["published"]) // 2))
            if target == "articles":
                goal = before + n
                wait_for(lambda goal=goal: scalar(db, "select count(*) from articles") >= goal,
                         what=f"{n} new articles")  # fmt: skip
            else:
                goal = log_count(log, "Crawled (") + n
                wait_for(lambda goal=goal: log_count(log, "Crawled (") >= goal, what=f"{n} responses")
            kill9(proc)
        else:
            killed = killpoint(replica, db, kind, target, nth)
            assert killed.returncode == -signal.SIGKILL, (day, killed.stdout, killed.stderr[-2000:])
        truth = replica.truth()
        assert_sound_after_kill(db, truth, static=False)
        assert running_run(db) is not None, "the killed run is left 'running'"
        # what the killed run discovered must not hide older news from the next run
        assert coverage(db) == covered
        resumed = crawl(replica, db)
        assert resumed.returncode == 0, (day, resumed.stdout, resumed.stderr)
        assert compare_to_truth(db, truth) == [], (day, kind, target)
        assert last_run(db)["status"] == "ok"
        assert rows(db, "select status from runs order by id desc limit 2")[1]["status"] == "interrupted"
        for site_id in map(str, change["edited"]):
            versions = rows(
                db,
                "select v.version from article_versions v join articles a on a.id = v.article_id "
                "where a.site_id = ? order by v.version",
                site_id,
            )
            current = rows(db, "select version from articles where site_id = ?", site_id)[0]
            assert [v["version"] for v in versions] == list(range(1, current["version"])), site_id
            assert current["version"] >= 2, site_id
    assert_complete(db, replica.truth())


#: Kill moments of a backfill chosen from outside by polling, drawn from a fixed seed: after N
#: responses in the log (fetch and extract), or after N articles stored.
def outside_kill_moments() -> list[tuple[str, int]]:
    rng = random.Random(41)
    return [("responses", rng.randint(3, 60)), ("articles", rng.randint(1, 40)),
            ("responses", rng.randint(60, 120)), ("articles", rng.randint(40, 100))]  # fmt: skip


@pytest.mark.parametrize("what,n", outside_kill_moments())
def test_kill9_from_outside_during_a_backfill(kill_replica, tmp_path, what, n):
    replica = kill_replica
    truth = replica.truth()
    db = tmp_path / "archive.db"
    log = tmp_path / "archive.log"
    proc = start_cli(*crawl_args(replica, db, *BACKFILL, "-v"), now=replica.now())
    if what == "articles":
        wait_for(lambda: (scalar(db, "select count(*) from articles") or 0) >= n, what=f"{n} articles")
    else:
        wait_for(lambda: log_count(log, "Crawled (") >= n, what=f"{n} responses")
    kill9(proc)
    assert_sound_after_kill(db, truth)
    resumed = crawl(replica, db, *BACKFILL)
    assert resumed.returncode == 0, resumed.stderr
    assert_complete(db, truth)
    assert [r["status"] for r in rows(db, "select status from runs order by id")] == [
        "interrupted",
        "ok",
    ]


# =============================================================================================
# A site that fails: the run says so, and what it could not fetch is fetched later
# =============================================================================================


def coverage(db: Path) -> str | None:
    return scalar(db, "select value from site_state where key = 'coverage'")


def test_a_dead_site_is_exit_4_and_the_next_run_catches_up(make_replica, tmp_path):
    replica = make_replica(articles=80, seed=43, eras=False)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, *BACKFILL).returncode == 0
    covered = coverage(db)
    replica.advance(hours=1, publish=2)
    replica.set_faults("dead=1")
    dead = crawl(replica, db, "-q")
    assert dead.returncode == 4, (dead.stdout, dead.stderr)
    assert dead.stdout == "" and len(dead.stderr.strip().splitlines()) == 1
    assert "could not be reached" in dead.stderr and "Traceback" not in dead.stderr
    run = last_run(db)
    assert run["status"] == "failed" and "could not be reached" in run["error"]
    assert coverage(db) == covered, "a run that reached nothing must not move the coverage"
    replica.set_faults("dead=0")
    replica.advance(hours=1, publish=1)
    again = crawl(replica, db, "-q")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert compare_to_truth(db, replica.truth()) == []
    assert coverage(db) == replica.now()


def test_pages_that_failed_for_a_passing_reason_are_fetched_by_a_later_run(make_replica, tmp_path):
    """A backfill during a bad hour (every article answers 500): the listings were read, the
    articles skipped as http_500. Neither the next incremental run nor a second backfill may
    leave them out — they are not on the feed any more, and long past the refresh schedule."""
    replica = make_replica(articles=80, seed=47, eras=False)
    truth = replica.truth()
    for follow_up in ("incremental", "backfill"):
        db = tmp_path / f"{follow_up}.db"
        replica.set_faults("rate500=1")
        bad = crawl(replica, db, *BACKFILL)
        assert bad.returncode == 0, bad.stderr  # skips are counted, not failures
        assert scalar(db, "select count(*) from articles") == 0
        failed = scalar(db, "select count(distinct site_id) from skips where reason = 'http_500'")
        assert failed == len(live(truth))
        replica.set_faults("rate500=0")
        if follow_up == "incremental":
            result = crawl(replica, db, now=plus_hours(replica.now(), 1))
        else:
            result = crawl(replica, db, *BACKFILL)
        assert result.returncode == 0, result.stderr
        assert compare_to_truth(db, truth) == [], follow_up
        assert archive_problems(db) == []


def test_a_503_asking_to_wait_longer_than_allowed_is_fetched_by_the_next_run(make_replica, tmp_path):
    """Retry-After beyond NEWSARCHIVE_RETRY_AFTER_MAX: the run gives the page up (http_503)
    rather than wait, and the next run fetches it (the replica's retry_after page answers 503
    to its first two requests, then the page)."""
    replica = make_replica(articles=80, seed=53, eras=False, faults="retry_after=1")
    page = next(i for i, kind in replica.faults()["pages"].items() if kind == "retry_after")
    db = tmp_path / "archive.db"
    env = cli_env(replica.now())
    first = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "novinite", "-a", f"base_url={replica.url}",
         "-a", "full=1", "-a", "since=2024-11-01", "-s", f"NEWSARCHIVE_DB={db}",
         "-s", "NEWSARCHIVE_RETRY_AFTER_MAX=0.5", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
         "-s", "LOG_LEVEL=INFO"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr[-2000:]
    assert "'newsarchive/retry_after/too_long': 1" in first.stderr
    assert [r["reason"] for r in rows(db, "select reason from skips where site_id = ?", page)] == [
        "http_503"
    ]
    assert page not in {r["site_id"] for r in rows(db, "select site_id from articles")}
    # An hour later the ordinary command (Retry-After: 1 s is within its default limit).
    second = crawl(replica, db, now=plus_hours(replica.now(), 1))
    assert second.returncode == 0, second.stderr
    assert compare_to_truth(db, replica.truth()) == []


def plus_hours(iso: str, hours: float) -> str:
    from datetime import timedelta

    from newsarchive.dates import format_utc, parse_utc

    return format_utc(parse_utc(iso) + timedelta(hours=hours))


# =============================================================================================
# README: running it from cron, and backing the archive up while a crawl writes
# =============================================================================================

README = (ROOT / "README.md").read_text("utf-8")
CRON = README.split("## Running it from cron\n", 1)[1].split("\n## ", 1)[0]


def test_readme_tells_a_cron_user_the_command_the_exit_codes_the_lock_and_the_logs():
    assert re.search(r"^\d+ \* \* \* \*  cd \S+ && \.venv/bin/newsarchive crawl -q$", CRON, re.M)
    assert "ExecStart=%h/newsarchive/.venv/bin/newsarchive crawl -q" in CRON
    assert "OnCalendar=hourly" in CRON and "WantedBy=timers.target" in CRON
    codes = re.findall(r"^\| (\d) \| ", CRON, re.M)
    assert codes == ["0", "1", "2", "3", "4", "5"]
    for words in ("flock", "interrupted", "data/logs/crawl.log", "rotated", "VACUUM INTO", ".backup"):
        assert words in CRON, words


def readme_backup_commands() -> list[str]:
    block = CRON.split("**Backups while a crawl may be running.**", 1)[1]
    code = block.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in code.splitlines() if line.strip()]


def test_the_readme_backup_commands_work_on_an_archive_being_written(kill_replica, tmp_path):
    replica = kill_replica
    commands = readme_backup_commands()
    assert len(commands) == 3 and any("VACUUM INTO" in c for c in commands)
    data = tmp_path / "data"
    db = data / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2024-12-05", "--until", "2024-12-05").returncode == 0
    holder = start_cli(
        "crawl", "--db", str(db), "--base-url", replica.url, *BACKFILL, "--delay", "0.2",
        "--concurrency", "1", "--log-file", str(tmp_path / "holder.log"), now=replica.now(),
    )  # fmt: skip
    ran = 0
    try:
        wait_for(lambda: running_run(db), what="the crawl's run row")
        for line in commands:
            if line.startswith("sqlite3 ") and shutil.which("sqlite3") is None:
                continue  # no sqlite3 program here; the other lines still run
            before = scalar(db, "select count(*) from articles")
            line = line.replace("python3 ", f"{sys.executable} ", 1)
            done = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, (line, done.stderr)
            [backup] = [p for p in data.glob("backup*.db")]
            check = run_cli("check", "--db", str(backup))
            assert check.returncode == 0, (line, check.stdout, check.stderr)
            held = scalar(backup, "select count(*) from articles")
            assert before <= held <= scalar(db, "select count(*) from articles"), line
            # a snapshot taken mid-run: the crawl is in it as running
            assert rows(backup, "select status from runs order by id")[-1]["status"] == "running"
            assert run_cli("search", "syria OR bulgaria", "--db", str(backup)).returncode == 0
            backup.unlink()
            ran += 1
        assert ran >= 1
        assert holder.poll() is None, "the crawl must have been writing all along"
    finally:
        if holder.poll() is None:
            kill9(holder)


#: A bug on one page (DESIGN: a page function raising anything but Skip is a bug), injected by
#: tests/killpoint.py: in a listing's extraction, an article's, and a pipeline stage.
BUGS = [
    ("spiders.novinite:NoviniteSpider.parse_listing_html", 4),
    ("spiders.novinite.article:parse_article", 17),
    ("pipelines.normalise:NormalisePipeline.process_item", 9),
]


@pytest.mark.parametrize("target,nth", BUGS, ids=[t.replace(":", ".").rsplit(".", 1)[-1] for t, _ in BUGS])
def test_a_bug_on_one_page_fails_the_run_loudly_and_loses_nothing(kill_replica, tmp_path, target, nth):
    replica = kill_replica
    truth = replica.truth()
    db = tmp_path / "archive.db"
    buggy = killpoint(replica, db, "raise", target, nth, *BACKFILL, "-q")
    assert buggy.returncode == 1, (buggy.stdout, buggy.stderr)
    assert buggy.stdout == "" and len(buggy.stderr.strip().splitlines()) == 1, buggy.stderr
    assert "raised an error" in buggy.stderr and "Traceback" not in buggy.stderr
    run = last_run(db)
    assert run["status"] == "failed" and "a bug" in run["error"]
    errors = rows(db, "select reason, detail from skips")
    assert [(e["reason"], e["detail"]) for e in errors] == [("error", "RuntimeError: an injected bug")]
    assert coverage(db) is None, "a run with a bug must not claim what it covered"
    assert archive_problems(db) == [] and stored_differences(db, truth) == []
    fixed = crawl(replica, db, *BACKFILL, "-q")
    assert (fixed.returncode, fixed.stdout, fixed.stderr) == (0, "", "")
    assert_complete(db, truth)
