"""The crawl's worker process and group commit under kill -9 (`newsarchive.crawl.worker`,
`Archive.write_group`): killed with a group half written, with pages fetched but not yet
committed, the worker killed alone, the crawl killed alone, a worker that cannot start. The
archive holds exactly the groups committed before — nothing half-written, nothing doubled —
and the next run fetches the rest (DESIGN.md, "Guarantees").

The exact kill points (tests/killpoint.py) use large fixed groups
(``NEWSARCHIVE_COMMIT_ARTICLES=40`` with a long ``NEWSARCHIVE_COMMIT_MS``), so each point falls
where it says whatever the machine's speed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsarchive.archive import Archive, ArchiveError, SkipRecord
from newsarchive.crawl.frames import Frames, encode
from newsarchive.items import Article, PageSkip
from tests.helpers import (
    ROOT,
    archive_problems,
    cli_env,
    crawl,
    crawl_args,
    rows,
    scalar,
    start_cli,
    wait_for,
)
from tests.replica.process import Replica
from tests.test_reliability import BACKFILL, assert_complete, assert_sound_after_kill, coverage

#: Groups of exactly 40 writes: a group is committed when it holds 40 (the replica below has no
#: faulty page, so every write of a backfill is an article), never by the clock.
LARGE_GROUPS = ("NEWSARCHIVE_COMMIT_ARTICLES=40", "NEWSARCHIVE_COMMIT_MS=600000")
GROUP = 40


@pytest.fixture(scope="module")
def group_replica():
    """120 articles, no fault: three groups of 40."""
    server = Replica(articles=120, seed=31, eras=False)
    yield server
    server.stop()


def killed_crawl(replica: Replica, db: Path, kind: str, target: str, nth: int, *extra: str):
    """A backfill with large groups, killed at the exact point (tests/killpoint.py)."""
    point = [kind, target, str(nth), *LARGE_GROUPS]
    return subprocess.run(
        [sys.executable, "-m", "tests.killpoint", *point, "--", *crawl_args(replica, db, *BACKFILL, *extra)],
        cwd=ROOT, env=cli_env(replica.now()), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def live(truth: list[dict]) -> int:
    return len([t for t in truth if not t.get("skip")])


def resumes(replica: Replica, db: Path, truth: list[dict]) -> None:
    """The next run completes the archive; the killed run is left interrupted."""
    resumed = crawl(replica, db, *BACKFILL)
    assert resumed.returncode == 0, (resumed.stdout, resumed.stderr)
    assert_complete(db, truth)
    assert scalar(db, "select count(*) from articles") == live(truth)
    assert [r["status"] for r in rows(db, "select status from runs order by id")][-1] == "ok"


#: (kill point, articles the archive holds right after the kill): inside the second group's
#: transaction with its article rows and FTS index written (one many-row INSERT) and 3 of its
#: raw pages; right after that INSERT, no raw page written; on entry to the second group's
#: write (its 40 pages fetched, extracted and waiting, nothing written); right after the
#: second group's COMMIT.
GROUP_KILLS = [
    (("sql", r"^INSERT INTO raw_pages", GROUP + 3), GROUP),
    (("sql", r"^INSERT INTO articles \(", 2), GROUP),
    (("call", "newsarchive.archive:Archive.write_group", 2), GROUP),
    (("call", "newsarchive.archive:Archive.write_group", 3), 2 * GROUP),
]


@pytest.mark.parametrize(
    "point,held", GROUP_KILLS, ids=["half-written", "rows-no-page", "fetched-not-committed", "third"]
)
def test_kill9_inside_a_group_keeps_exactly_the_committed_groups(group_replica, tmp_path, point, held):
    replica = group_replica
    truth = replica.truth()
    db = tmp_path / "archive.db"
    killed = killed_crawl(replica, db, *point, "-v")
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr[-2000:])
    assert_sound_after_kill(db, truth)
    # Exactly the committed groups: nothing of the group being written, none doubled.
    assert scalar(db, "select count(*) from articles") == held
    assert scalar(db, "select count(*) from raw_pages") == held
    assert scalar(db, "select count(*) from articles_fts") == held
    assert coverage(db) is None, "only a run that finished may record what it covered"
    assert rows(db, "select status from runs") == [{"status": "running"}]
    # The articles lost were fetched: the kill took them between fetch and commit.
    log = (tmp_path / "archive.log").read_text("utf-8", "replace")
    fetched = {line.split("<GET ", 1)[1].split(">", 1)[0] for line in log.splitlines()
               if "Crawled (200)" in line and "/articles/" in line}  # fmt: skip
    assert len(fetched) > held, "the kill came after pages were fetched but not committed"
    resumes(replica, db, truth)
    assert [r["status"] for r in rows(db, "select status from runs order by id")] == ["interrupted", "ok"]


def worker_of(pid: int) -> int | None:
    """The crawl's worker: the child process of `pid` running the worker, once it is there."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"newsarchive.crawl.worker" in command:
            return int(child)
    return None


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # a zombie: dead, waiting for its parent to read its end


def started_crawl(replica: Replica, db: Path, tmp_path: Path, held: int) -> tuple[subprocess.Popen[str], int]:
    """A backfill (slowed down a little) that has committed at least `held` articles; its
    worker process."""
    proc = start_cli(*crawl_args(replica, db, *BACKFILL, "-v", "--delay", "0.05"), now=replica.now())
    worker = wait_for(lambda: worker_of(proc.pid), what="the crawl's worker")
    wait_for(lambda: (scalar(db, "select count(*) from articles") or 0) >= held, what=f"{held} articles")
    return proc, worker


def test_the_worker_killed_alone_fails_the_run_with_one_line_and_the_next_run_completes(group_replica, tmp_path):
    replica = group_replica
    truth = replica.truth()
    db = tmp_path / "archive.db"
    proc, worker = started_crawl(replica, db, tmp_path, 10)
    os.kill(worker, signal.SIGKILL)
    out, err = proc.communicate(timeout=60)  # never hangs
    assert proc.returncode == 1, (out, err)
    assert "worker process ended unexpectedly (killed by signal 9)" in out + err
    assert "Traceback" not in out + err
    run = rows(db, "select status, error from runs")[-1]
    assert run["status"] == "failed" and "worker process" in run["error"], run
    assert coverage(db) is None, "a run whose worker died must not claim what it covered"
    assert_sound_after_kill(db, truth)
    resumes(replica, db, truth)


def test_the_crawl_killed_alone_takes_its_worker_with_it(group_replica, tmp_path):
    replica = group_replica
    truth = replica.truth()
    db = tmp_path / "archive.db"
    proc, worker = started_crawl(replica, db, tmp_path, 10)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    wait_for(lambda: gone(worker), what="the worker to end with its parent")
    held = scalar(db, "select count(*) from articles")
    assert_sound_after_kill(db, truth)
    assert rows(db, "select status from runs") == [{"status": "running"}]
    assert scalar(db, "select count(*) from articles") == held, "nothing is written after the kill"
    resumes(replica, db, truth)
    assert [r["status"] for r in rows(db, "select status from runs order by id")] == ["interrupted", "ok"]


def test_a_worker_that_cannot_start_fails_the_run_with_one_line(group_replica, tmp_path):
    replica = group_replica
    db = tmp_path / "archive.db"
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive.cli", *crawl_args(replica, db, *BACKFILL, "-q")],
        cwd=ROOT, env={**cli_env(replica.now()), "NEWSARCHIVE_WORKER_HOOK": "tests.killpoint:bug"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "worker process ended unexpectedly (exit code 1)" in result.stderr
    assert scalar(db, "select count(*) from articles") == 0
    assert rows(db, "select status from runs") == [{"status": "failed"}]
    assert archive_problems(db) == []


# --- the pipe: messages whole whatever the chunks --------------------------------------------
def test_frames_come_out_whole_whatever_the_chunks():
    messages = [("page", 1, b"x" * 70_000), ("skip", None), ("stop",)]
    data = b"".join(encode(m) for m in messages)
    rng = random.Random(3)
    frames, out, at = Frames(), [], 0
    while at < len(data):
        step = rng.choice([1, 3, 4, 5, 100, 65_536])
        out += frames.feed(data[at : at + step])
        at += step
    assert out == messages


# --- the archive's side: one transaction per group, a savepoint per write --------------------
T0 = datetime(2024, 12, 6, 9, 0, tzinfo=UTC)


def article(site_id: str, *, html: str | None = "<html>page</html>") -> Article:
    return Article(
        site="example", site_id=site_id, url=f"http://127.0.0.1:9/a/{site_id}",
        title=f"Title {site_id}", published=T0, published_local=T0, body=f"Body of {site_id}.",
        section="World", tags=["EU"], html=html,
    )  # fmt: skip


def test_a_write_our_code_raises_on_is_undone_and_the_rest_of_its_group_kept(tmp_path):
    skip = SkipRecord(PageSkip(url="u", stage="extract", reason="no_date", site="example", site_id="9"), T0)
    broken = article("2", html="\ud800")  # cannot be encoded: raises after its row is written
    with Archive(tmp_path / "a.db") as archive:
        results = archive.write_group([article("1"), broken, skip, article("3")], run_id=None, now=T0)
        assert results[0] == "new" and results[2] == "skip" and results[3] == "new"
        assert isinstance(results[1], UnicodeEncodeError)
        assert archive.write_group([article("1")], run_id=None, now=T0) == ["unchanged"]
    assert archive_problems(tmp_path / "a.db") == []
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("select site_id from articles order by site_id").fetchall() == [("1",), ("3",)]
    assert conn.execute("select count(*) from raw_pages").fetchone()[0] == 2
    assert conn.execute("select count(*) from articles_fts where articles_fts match 'body'").fetchone()[0] == 2
    assert conn.execute("select reason from skips").fetchall() == [("no_date",)]


def test_one_article_twice_in_a_group_is_new_then_unchanged(tmp_path):
    """The group's new rows go in together at its end: the second copy of a new article is not
    seen as stored yet, the INSERT fails, and the group is written again write by write."""
    with Archive(tmp_path / "a.db") as archive:
        results = archive.write_group([article("1"), article("2"), article("1")], run_id=None, now=T0)
    assert results == ["new", "new", "unchanged"]
    assert archive_problems(tmp_path / "a.db") == []
    assert scalar(tmp_path / "a.db", "select count(*) from raw_pages") == 2


def test_a_group_indexes_its_new_articles_in_one_segment_not_one_each(tmp_path):
    """FTS5 writes its pending index at every statement that may need undoing: an INSERT an
    article wrote a segment an article (12 rows of articles_fts_idx for these 40, against 4)."""
    with Archive(tmp_path / "a.db") as archive:
        archive.write_group([article(str(n)) for n in range(40)], run_id=None, now=T0)
    assert scalar(tmp_path / "a.db", "select count(*) from articles_fts") == 40
    assert scalar(tmp_path / "a.db", "select count(*) from articles_fts_idx") <= 6


def test_a_group_stores_no_article_past_the_limit(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        archive.write_group([article("1")], run_id=None, now=T0)
        results = archive.write_group(
            [article("1"), article("2"), article("3")], run_id=None, now=T0, limit=1
        )
    assert results == ["unchanged", "new", None]
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("select count(*) from articles").fetchone()[0] == 2


def test_a_full_disk_leaves_nothing_of_the_group(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.write_group([article("0")], run_id=None, now=T0)
        pages = archive.conn.execute("pragma page_count").fetchone()[0]
        archive.conn.execute(f"pragma max_page_count = {pages + 2}")
        rng = random.Random(7)  # pages that do not compress: the group needs many new pages
        big = [article(str(n), html=f"{rng.getrandbits(80_000):x}") for n in range(1, 30)]
        with pytest.raises(ArchiveError, match="disk full"):
            archive.write_group(big, run_id=None, now=T0)
    conn = sqlite3.connect(db)
    assert conn.execute("select site_id from articles").fetchall() == [("0",)]
    assert conn.execute("select count(*) from raw_pages").fetchone()[0] == 1


#: A process that commits one group, then writes a second whose third article raises (its page
#: cannot be encoded) and SIGKILLs itself inside the redo, right after the Nth per-write
#: savepoint: the fast path has been rolled back, the redo is half done, nothing is committed.
_KILLED_IN_REDO = """
import os, signal, sys
from datetime import UTC, datetime
from newsarchive.archive import Archive
from tests.test_reliability_worker import article
T0 = datetime(2024, 12, 6, 9, 0, tzinfo=UTC)
nth = int(sys.argv[2])
with Archive(sys.argv[1]) as archive:
    archive.write_group([article(str(n)) for n in range(5)], run_id=None, now=T0)
    seen = []
    def trace(sql):
        if sql.startswith("SAVEPOINT one_write"):
            seen.append(sql)
            if len(seen) == nth:
                os.kill(os.getpid(), signal.SIGKILL)
    archive.conn.set_trace_callback(trace)
    group = [article(str(n)) for n in range(5, 10)]
    group[2] = article("7", html="\\ud800")
    archive.write_group(group, run_id=None, now=T0)
"""


@pytest.mark.parametrize("nth", [1, 3, 5])
def test_kill9_inside_the_redo_of_a_group_keeps_exactly_the_committed_groups(tmp_path, nth):
    db = tmp_path / "a.db"
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_IN_REDO, str(db), str(nth)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert archive_problems(db) == []
    assert [r["site_id"] for r in rows(db, "select site_id from articles order by id")] == list("01234")
    assert scalar(db, "select count(*) from raw_pages") == 5
    assert scalar(db, "select count(*) from articles_fts") == 5
    with Archive(db) as archive:  # the next writer finds the file whole and goes on
        results = archive.write_group([article(str(n)) for n in range(5, 10)], run_id=None, now=T0)
    assert results == ["new"] * 5
    assert archive_problems(db) == []
