"""Bad input everywhere: a clear one-line message and DESIGN's exit code, never a traceback.

Unreachable site (4); an archive that is missing, not SQLite, another program's, from a newer
newsarchive, read-only, or on a full disk (5, the archive left sound or untouched); bad dates,
bad options, a bad query or a bad clock (2); and the logs a cron user relies on: nothing on
stdout or stderr with -q unless the run failed, one summary line per run in data/logs/.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsarchive.archive import Archive
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
    scalar,
    serve_answers,
    stored_differences,
)
from tests.replica.process import Replica

COMMANDS = ("crawl", "search", "serve", "stats", "history", "export", "reextract", "check")
BACKFILL = ("--full", "--since", "2024-11-01")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(name: str, db: Path, tmp_path: Path) -> list[str]:
    """`name` with what it needs to run against `db` (a crawl would go nowhere: a closed port)."""
    extra = {
        "crawl": ["--base-url", f"http://127.0.0.1:{free_port()}/", "--log-file", str(tmp_path / "c.log")],
        "search": ["homs"],
        "serve": ["--port", "0"],
        "history": ["229777"],
        "export": ["-o", str(tmp_path / "out.jsonl")],
    }.get(name, [])
    if name in ("search", "history"):
        return [name, *extra, "--db", str(db)]
    return [name, "--db", str(db), *extra]


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """Exit `code`, one `Error: …` line on stderr naming the problem, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], (word, errors[0])
    return errors[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


# =============================================================================================
# The archive: missing, foreign, newer, read-only, full
# =============================================================================================


def newer_archive(path: Path) -> Path:
    with Archive(path) as archive:
        archive.conn.execute("PRAGMA user_version = 99")
    assert not Path(f"{path}-wal").exists()
    return path


def foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, text text)")
    conn.execute("insert into notes (text) values ('my notes')")
    conn.commit()
    conn.close()
    return path


def not_sqlite(path: Path) -> Path:
    path.write_text("these are my notes, not an archive\n" * 40)
    return path


ARCHIVES = {
    "newer": (newer_archive, ("schema version 99", "newer")),
    "other program's": (foreign_sqlite, ("not a newsarchive archive", "notes")),
    "not SQLite": (not_sqlite, ("not a newsarchive archive",)),
}


@pytest.mark.parametrize("kind", list(ARCHIVES))
def test_every_command_refuses_an_archive_it_cannot_use_and_leaves_it_untouched(tmp_path, kind):
    make, words = ARCHIVES[kind]
    db = make(tmp_path / "archive.db")
    before, files = digest(db), siblings(db)
    mtime = db.stat().st_mtime_ns
    for name in COMMANDS:
        result = run_cli(*command(name, db, tmp_path), timeout=60)
        assert_one_line_error(result, 5, *words)
        assert digest(db) == before and db.stat().st_mtime_ns == mtime, name
        # no -wal, -shm or journal appeared next to it (a crawl lock file may: it is ours)
        assert siblings(db) - files <= {"archive.db.lock", "c.log"}, (name, siblings(db) - files)
    assert not (tmp_path / "out.jsonl").exists()


def test_every_reader_refuses_a_missing_archive_and_crawl_an_impossible_place(tmp_path):
    missing = tmp_path / "nowhere" / "archive.db"
    for name in COMMANDS:
        if name == "crawl":
            continue  # a crawl creates the archive it is given
        result = run_cli(*command(name, missing, tmp_path), timeout=60)
        assert_one_line_error(result, 5, str(missing))
        assert not missing.parent.exists(), name
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_cli(*command("crawl", blocker / "archive.db", tmp_path))
    assert_one_line_error(result, 5, "cannot create the directory")
    result = run_cli(*command("crawl", tmp_path, tmp_path))  # --db names a directory: usage
    assert_one_line_error(result, 2, "is a directory")


def mounted(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only(db: Path) -> Iterator[str]:
    """The archive made read-only as its owner sees it: file modes for a user; for root, who
    ignores them, a read-only bind mount of its directory, else the immutable attribute."""
    directory = db.parent
    if os.geteuid() != 0:
        os.chmod(db, 0o444)
        os.chmod(directory, 0o555)
        try:
            yield "file modes"
        finally:
            os.chmod(directory, 0o755)
            os.chmod(db, 0o644)
        return
    if mounted("--bind", str(directory), str(directory)):
        try:
            assert mounted("-o", "remount,ro,bind", str(directory)), "cannot remount read-only"
            yield "a read-only bind mount"
        finally:
            subprocess.run(["umount", str(directory)], check=True)
        return
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode == 0:
        try:
            yield "the immutable attribute (chattr +i)"
        finally:
            subprocess.run(["chattr", "-i", str(db)], check=True)
        return
    pytest.fail("neither a bind mount nor chattr +i works here: cannot make a read-only archive")


def test_a_read_only_archive_refuses_crawls_and_answers_readers(tmp_path):
    replica = Replica(articles=60, seed=67, eras=False)
    try:
        home = tmp_path / "ro"
        home.mkdir()
        db = home / "archive.db"
        assert crawl(replica, db, *BACKFILL, log=tmp_path / "a.log").returncode == 0
        before = digest(db)
        with read_only(db) as how:
            result = crawl(replica, db, log=tmp_path / "b.log")
            assert_one_line_error(result, 5, "read-only")
            reex = run_cli("reextract", "--db", str(db))
            assert_one_line_error(reex, 5)
            # every reader still works on it (a backup disk, a read-only share)
            for args in (
                ("search", "tobacco OR syria", "--db", str(db)),
                ("stats", "--db", str(db)),
                ("history", "229777", "--db", str(db)),
                ("export", "--db", str(db), "-o", str(tmp_path / "out.csv"), "--format", "csv"),
            ):
                answer = run_cli(*args)
                assert answer.returncode == 0, (how, args, answer.stderr)
            serve_answers(db)
            checked = run_cli("check", "--db", str(db))
            assert checked.returncode == 0, (how, checked.stderr)
            assert "passes integrity" in checked.stdout and "read-only" in checked.stdout
            with Archive(db, readonly=True) as archive:  # as the readers open it
                assert archive.count_articles() == len(replica.truth())
        assert digest(db) == before
        assert last_run(db)["status"] == "ok" and len(rows(db, "select id from runs")) == 1
    finally:
        replica.stop()


@contextmanager
def small_disk(directory: Path, kib: int, *settings: str) -> Iterator[tuple[str, list[str]]]:
    """A file system of `kib` KiB at `directory` (tmpfs, as root); yields its name and the
    command prefix that runs newsarchive there (with `settings`, NAME=VALUE of
    newsarchive.settings). Without mount rights: SQLite's max_page_count on every archive
    connection stands for the full disk."""
    directory.mkdir()
    if os.geteuid() == 0 and mounted("-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(directory)):
        try:
            yield "a small tmpfs", ["-m", "tests.killpoint", "none", "-", "0", *settings, "--"]
        finally:
            subprocess.run(["umount", str(directory)], check=True)
        return
    yield "max_page_count", ["-m", "tests.killpoint", "pages", "-", str(kib // 4), *settings, "--"]


def test_a_full_disk_fails_the_run_with_exit_5_and_nothing_half_written(tmp_path):
    replica = Replica(articles=120, seed=61, eras=False)
    try:
        truth = replica.truth()
        # Groups of 10: some are committed before the disk is full.
        with small_disk(tmp_path / "disk", 400, "NEWSARCHIVE_COMMIT_ARTICLES=10") as (how, prefix):
            db = tmp_path / "disk" / "archive.db"
            args = crawl_args(replica, db, *BACKFILL, "-q", log=tmp_path / "crawl.log")
            full = subprocess.run(
                [sys.executable, *prefix, *args], cwd=ROOT, env=cli_env(replica.now()),
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert full.returncode == 5, (how, full.stdout, full.stderr)
            assert full.stdout == "" and "Traceback" not in full.stderr
            assert len(full.stderr.strip().splitlines()) == 1, full.stderr
            assert "disk full" in full.stderr and "nothing half-written" in full.stderr
            stored = scalar(db, "select count(*) from articles")
            assert 0 < stored < len(truth), how
            assert archive_problems(db) == []
            assert stored_differences(db, truth) == []
            assert last_run(db)["status"] in ("failed", "running")
            db_copy = tmp_path / "archive.db"
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{db}{suffix}").exists():
                    shutil.copy(f"{db}{suffix}", f"{db_copy}{suffix}")
        # Space is freed (here: the archive moved to a roomy disk); the next run completes it.
        done = crawl(replica, db_copy, *BACKFILL, "-q", log=tmp_path / "crawl.log")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
        assert compare_to_truth(db_copy, truth) == []
        assert archive_problems(db_copy) == []
    finally:
        replica.stop()


# =============================================================================================
# The site, the command line, the clock
# =============================================================================================


def test_an_unreachable_site_is_exit_4_in_one_line(tmp_path):
    db = tmp_path / "archive.db"
    args = ["crawl", "--db", str(db), "--base-url", f"http://127.0.0.1:{free_port()}/",
            "--delay", "0", "--timeout", "1", "-q", "--log-file", str(tmp_path / "c.log")]  # fmt: skip
    result = run_cli(*args)
    assert result.returncode == 4 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "could not be reached" in result.stderr
    assert last_run(db)["status"] == "failed"
    unresolvable = run_cli(*args[:4], "http://no-such-host.invalid/", *args[5:])
    assert unresolvable.returncode == 4, unresolvable.stderr
    assert "Traceback" not in unresolvable.stderr


BAD_USAGE = [
    (("crawl", "--since", "2024-13-01"), "--since"),
    (("crawl", "--since", "yesterday"), "YYYY-MM-DD"),
    (("crawl", "--since", "2024-12-05", "--until", "2024-12-01"), "after"),
    (("crawl", "--limit", "0"), "--limit"),
    (("crawl", "--concurrency", "0"), "--concurrency"),
    (("crawl", "--delay", "-1"), "--delay"),
    (("crawl", "--refresh-hours", "abc"), "--refresh-hours"),
    (("crawl", "--base-url", "ftp://example.com/"), "--base-url"),
    (("crawl", "nosuchsite"), "unknown site"),
    (("crawl", "--bogus"), "--bogus"),
    (("search", "homs AND"), "bad search query"),
    (("search", '"M5 highway'), "unbalanced double quote"),
    (("search", "(homs"), "unbalanced parenthesis"),
    (("search", ""), "empty search query"),
    (("search", "homs", "--since", "2024-02-30"), "--since"),
    (("search", "homs", "--limit", "0"), "--limit"),
    (("export", "--format", "xml"), "--format"),
    (("export", "--since", "2024-12-05", "--until", "2024-12-01"), "after"),
    (("stats", "--jsonn"), "--jsonn"),
    (("serve", "--port", "70000"), "--port"),
]


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    replica = Replica(articles=60, seed=71, eras=False)
    db = tmp_path_factory.mktemp("small") / "archive.db"
    assert crawl(replica, db, *BACKFILL).returncode == 0
    replica.stop()
    return db


@pytest.mark.parametrize("args,words", BAD_USAGE, ids=[" ".join(a) for a, _ in BAD_USAGE])
def test_bad_usage_is_exit_2_with_one_error_line(small_archive, tmp_path, args, words):
    db = small_archive
    before = digest(db)
    result = run_cli(*args, "--db", str(db), "--log-file", str(tmp_path / "c.log")) if args[
        0
    ] == "crawl" else run_cli(*args, "--db", str(db))
    assert_one_line_error(result, 2, words)
    assert digest(db) == before


def test_a_bad_clock_is_exit_2_not_a_silent_success(small_archive, tmp_path):
    result = run_cli(
        "crawl", "--db", str(small_archive), "--base-url", "http://127.0.0.1:9/",
        "--log-file", str(tmp_path / "c.log"), now="yesterday",
    )  # fmt: skip
    assert_one_line_error(result, 2, "NEWSARCHIVE_NOW", "yesterday")


# =============================================================================================
# Logs: what cron sees, what the log file keeps
# =============================================================================================

SUMMARY = re.compile(r"novinite: \d+ new, \d+ updated, \d+ unchanged, \d+ skipped.*; \d+ requests in ")


def test_quiet_runs_print_nothing_and_log_one_summary_line_each_under_data_logs(tmp_path):
    """Run the way cron does, from a working directory: `newsarchive crawl -q` with the defaults
    (data/archive.db, data/logs/crawl.log); only a failure reaches stdout or stderr."""
    replica = Replica(articles=60, seed=73, eras=False)
    try:
        env = cli_env(replica.now())
        env["PYTHONPATH"] = str(ROOT)

        def cron(*extra: str, now: str | None = None) -> subprocess.CompletedProcess[str]:
            if now:
                env["NEWSARCHIVE_NOW"] = now
            return subprocess.run(
                [sys.executable, "-m", "newsarchive.cli", "crawl", "-q", "--base-url", replica.url,
                 "--delay", "0", "--concurrency", "16", "--timeout", "2", *extra],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip

        first = cron(*BACKFILL)
        assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
        replica.advance(hours=1, publish=2)
        second = cron(now=replica.now())
        assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
        replica.set_faults("dead=1")
        replica.advance(hours=1, publish=1)
        failed = cron(now=replica.now())
        replica.set_faults("dead=0")
        assert failed.returncode == 4 and failed.stdout == ""
        assert len(failed.stderr.strip().splitlines()) == 1 and SUMMARY.search(failed.stderr)
        db = tmp_path / "data" / "archive.db"
        assert [r["status"] for r in rows(db, "select status from runs order by id")] == [
            "ok",
            "ok",
            "failed",
        ]
        log = (tmp_path / "data" / "logs" / "crawl.log").read_text("utf-8")
        summaries = [line for line in log.splitlines() if SUMMARY.search(line)]
        assert len(summaries) == 3, summaries
        assert "could not be reached" in summaries[2]
        assert "Spider opened" in log  # Scrapy's full log goes there, not to the terminal
    finally:
        replica.stop()


def test_the_log_file_is_rotated(tmp_path, monkeypatch):
    from newsarchive import logs

    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = tmp_path / "data" / "logs" / "crawl.log"
    handler = logs.log_to_file(path)
    try:
        log = logging.getLogger("newsarchive.test_rotation")
        for i in range(400):
            log.info("line %d of a long crawl log %s", i, "x" * 40)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["crawl.log", *(f"crawl.log.{i}" for i in range(1, logs.BACKUPS + 1))]
    assert all(p.stat().st_size <= 2000 + 200 for p in path.parent.iterdir())
    assert "line 399 " in path.read_text()
