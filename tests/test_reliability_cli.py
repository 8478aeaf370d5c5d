"""Reliability, round two, on the command line and the read side (issue 12, items 6, 7, 10, 11).

Bad input that still reached the user as a traceback, a search without bounds, numbers without
bounds, damaged archives. Each case runs the real command in a subprocess (`run_cli`) against
a real archive file and wants one `Error: …` line, DESIGN's exit code and never a traceback.
The archive is stored the way a crawl ends (`Archive.store`, raw pages kept), so its file has
pages of every table in the middle, where `damage` overwrites them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsarchive import cli
from newsarchive.archive import Archive, ArchiveError, QueryError, connection
from newsarchive.archive.errors import archive_error
from newsarchive.archive.search import Search
from newsarchive.items import Article
from tests.helpers import ROOT, cli_env, run_cli, start_cli

UTC = timezone.utc
T0 = datetime(2024, 12, 7, 12, 0, tzinfo=UTC)
#: What the shell passes for the byte 0xff (not UTF-8): Python's surrogate escape, which
#: subprocess turns back into that byte for the child.
NOT_UTF8 = "\udcff"
#: What a damaged archive's messages must tell the user to do.
ADVICE = ("restore it from a backup", '".recover" | sqlite3 recovered.db')
#: A port nothing listens on (the crawl cases must fail before any request anyway).
NOWHERE = "http://127.0.0.1:9/"


def article(n: int, **fields: Any) -> Article:
    """Article `n` of site "example", a fetched page (raw HTML) kept with it."""
    published = datetime(2024, 11, 1, 8, 0, tzinfo=UTC) + timedelta(hours=5 * n)
    values: dict[str, Any] = {
        "site": "example",
        "site_id": str(1000 + n),
        "url": f"https://news.example.org/{1000 + n}",
        "title": f"Story {n} about the storm on the coast",
        "published": published,
        "published_local": published,
        "body": f"Paragraph one of story {n}: wind, rain and rebels.\n\n" + "More text. " * 40,
        "section": ("World", "Business", "Society")[n % 3],
        "tags": ["storm", f"tag{n % 7}"],
        "html": f"<html><h1>Story {n}</h1>{'<p>page text</p>' * 60}</html>",
        "fetched_at": published + timedelta(minutes=10),
        "status": 200,
    }
    values.update(fields)
    return Article(**values)


def store_archive(db: Path, count: int = 300, extra: list[Article] | None = None) -> Path:
    """An archive of `count` stored articles (and `extra`, stored in order: a repeat is an
    edit), as one finished run."""
    with Archive(db) as archive:
        run_id = archive.start_run("example", "incremental", {}, os.getpid(), T0)
        for n in range(count):
            archive.store(article(n), run_id=run_id, now=T0)
        for step, item in enumerate(extra or []):
            archive.store(item, run_id=run_id, now=T0 + timedelta(hours=step + 1))
        archive.finish_run(
            run_id, status="ok", finished=T0, requests=count, new=count, updated=0,
            unchanged=0, skipped=0,
        )  # fmt: skip
    return db


def damage(db: Path) -> None:
    """Overwrite 64 KB in the middle of the archive file (every write checkpointed into it
    first), as a failing disk would: SQLite's quick_check must now find it damaged."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(bytes(range(256)) * 256)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        found = [str(exc)]
    finally:
        conn.close()
    assert found != ["ok"], "the test's damage did not damage the archive"


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_archive(tmp_path_factory.mktemp("rel2cli") / "archive.db")


def one_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """Exit `code`, exactly one `Error: …` line on stderr (holding `words`), no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr[-3000:])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr[-3000:]
    for word in words:
        assert word in errors[0], (word, errors[0][:500])
    return errors[0]


def crawl_args(tmp_path: Path, *extra: str) -> list[str]:
    """`crawl` of a site nothing answers for, into an archive under `tmp_path`."""
    return [
        "crawl", "--db", str(tmp_path / "crawl.db"), "--base-url", NOWHERE,
        "--log-file", str(tmp_path / "crawl.log"), *extra,
    ]  # fmt: skip


# ---- item 6: invalid UTF-8, numbers SQLite cannot hold, ids too long: one line, no traceback


@pytest.mark.parametrize(
    "args",
    [
        ("search", NOT_UTF8),
        ("search", f"storm {NOT_UTF8}"),
        ("search", "storm", "--section", NOT_UTF8),
        ("search", "storm", "--tag", NOT_UTF8),
        ("search", "storm", "--site", NOT_UTF8),
        ("history", NOT_UTF8),
        ("history", f"https://news.example.org/{NOT_UTF8}"),
    ],
)
def test_invalid_utf8_in_an_argument_is_bad_usage(archive_db: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, "--db", str(archive_db))
    one_error(result, 2, "not valid UTF-8")


def test_invalid_utf8_in_serve_and_crawl_options(archive_db: Path, tmp_path: Path) -> None:
    result = run_cli("serve", "--host", NOT_UTF8, "--port", "0", "--db", str(archive_db))
    one_error(result, 2, "not valid UTF-8")
    crawl = crawl_args(tmp_path)
    crawl[crawl.index(NOWHERE)] = f"http://{NOT_UTF8}/"
    one_error(run_cli(*crawl), 2, "not valid UTF-8")
    assert not (tmp_path / "crawl.db").exists()


def test_a_host_name_that_cannot_be_one_is_one_line(archive_db: Path) -> None:
    result = run_cli("serve", "--db", str(archive_db), "--host", "a" * 300, "--port", "0")
    one_error(result, 1, "not a host name")


@pytest.mark.parametrize("limit", [str(2**63), str(10**30), "9" * 400])
def test_a_limit_beyond_sqlite_integers_is_bad_usage(archive_db: Path, limit: str) -> None:
    one_error(run_cli("search", "storm", "--limit", limit, "--db", str(archive_db)), 2, "--limit")
    result = run_cli("search", "storm", "--limit", str(2**63 - 1), "--db", str(archive_db))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("ref", ["1" * 30, "9" * 100_000, "²", "id:" + "7" * 40, "١٢٣٤٥٦٧٨٩٠" * 3])
def test_history_of_an_id_no_article_can_have_is_exit_1(archive_db: Path, ref: str) -> None:
    line = one_error(run_cli("history", ref, "--db", str(archive_db)), 1, "no article")
    assert len(line) < 300, "the message names the reference, shortened"


def test_history_of_a_plain_archive_id_still_works(archive_db: Path) -> None:
    result = run_cli("history", "1", "--db", str(archive_db))
    assert result.returncode == 0 and "Story 0 about the storm" in result.stdout, result.stderr


@pytest.mark.parametrize("until", ["9999-12-31"])
def test_the_last_day_there_is_as_until(archive_db: Path, tmp_path: Path, until: str) -> None:
    result = run_cli("search", "storm", "--until", until, "--json", "--db", str(archive_db))
    assert result.returncode == 0 and result.stdout.count("\n") == 10, result.stderr[-2000:]
    out = tmp_path / "all.jsonl"
    result = run_cli("export", "--until", until, "-o", str(out), "--db", str(archive_db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(out.read_text("utf-8").splitlines()) == 300


@pytest.mark.parametrize(
    "now", ["garbage", "0001-01-01T00:00:00Z", "9999-06-01T00:00:00Z", "2024-12-07T12:00:00"]
)
def test_a_clock_that_cannot_be_read_is_bad_usage_for_reextract_and_crawl(
    archive_db: Path, tmp_path: Path, now: str
) -> None:
    before = archive_db.read_bytes()
    result = run_cli("reextract", "--db", str(archive_db), NEWSARCHIVE_NOW=now)
    one_error(result, 2, "NEWSARCHIVE_NOW")
    assert archive_db.read_bytes() == before
    one_error(run_cli(*crawl_args(tmp_path), NEWSARCHIVE_NOW=now), 2, "NEWSARCHIVE_NOW")
    assert not (tmp_path / "crawl.db").exists(), "refused before the archive is made"


def log_places(tmp_path: Path) -> list[Path]:
    """Places no log file can be: under a regular file, under /etc/hostname, in /proc."""
    regular = tmp_path / "regular"
    regular.write_text("a file, not a directory\n")
    places = [regular / "c.log", regular / "deeper" / "c.log"]
    if Path("/etc/hostname").is_file():
        places.append(Path("/etc/hostname/c.log"))
    if Path("/proc/self").exists():
        places.append(Path("/proc/c.log"))
    return places


def test_a_log_file_where_no_file_can_be_is_refused_before_the_crawl(tmp_path: Path) -> None:
    for place in log_places(tmp_path):
        args = crawl_args(tmp_path)
        args[args.index("--log-file") + 1] = str(place)
        one_error(run_cli(*args, timeout=120), 2, str(place))
        assert not (tmp_path / "crawl.db").exists(), f"{place}: refused before the crawl starts"
        assert not place.exists()


def test_a_path_the_system_cannot_look_up_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    for db in (str(tmp_path / ("x" * 300 + ".db")), str(tmp_path / "loop1")):
        for command in ("search", "stats", "history", "export", "check", "reextract", "serve"):
            args = ["storm"] if command == "search" else ["1"] if command == "history" else []
            one_error(run_cli(command, *args, "--db", db), 5, "cannot use")


# ---- item 7: a search bounded in length and in time


def test_an_overlong_query_is_bad_usage_at_once(archive_db: Path) -> None:
    query = " ".join(["storm"] * 200)  # 1,199 characters
    one_error(run_cli("search", query, "--db", str(archive_db), timeout=60), 2, "too long")
    fine = " ".join(["storm"] * 160)  # 959 characters: still a search
    assert run_cli("search", fine, "--db", str(archive_db)).returncode == 0


def test_a_search_that_runs_too_long_is_stopped_with_one_line(
    archive_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound is `SEARCH_SECONDS` (10 s), looked at every `PROGRESS_STEPS` steps of SQLite's
    machine; here 0 s, looked at every 100 steps, stops a search of this small archive as 10 s
    stops a pathological one (200 prefix terms took 11 s on the benchmark's archive of
    229,790 articles, and stop at 10.0 s)."""
    monkeypatch.setattr(Search, "_SEARCH_SECONDS", 0.0)
    monkeypatch.setattr(connection, "PROGRESS_STEPS", 100)
    with Archive(archive_db, readonly=True) as archive, pytest.raises(QueryError, match="stopped"):
        archive.search("storm")
    result = CliRunner().invoke(cli.main, ["search", "storm", "--db", str(archive_db)])
    assert result.exit_code == 2, result.output
    assert result.output.count("Error: ") == 1 and "stopped after 0 s" in result.output


# ---- item 10: numbers that never end, and an empty archive path


@pytest.mark.parametrize(
    "option, value",
    [
        ("--delay", "inf"),
        ("--delay", "nan"),
        ("--delay", "1e308"),
        ("--refresh-hours", "inf"),
        ("--refresh-hours", "nan"),
        ("--refresh-hours", "1e308"),
        ("--timeout", "inf"),
        ("--timeout", "nan"),
        ("--timeout", "-inf"),
        ("--limit", str(2**63)),
    ],
)
def test_numbers_that_never_end_are_bad_usage(tmp_path: Path, option: str, value: str) -> None:
    result = run_cli(*crawl_args(tmp_path, option, value), timeout=120)
    one_error(result, 2, option)
    assert not (tmp_path / "crawl.db").exists(), "refused before the archive is made"


@pytest.mark.parametrize(
    "command", ["crawl", "search", "serve", "stats", "history", "export", "reextract", "check"]
)
def test_an_empty_archive_path_is_bad_usage(tmp_path: Path, command: str) -> None:
    args = {"search": ["storm"], "history": ["1"], "crawl": crawl_args(tmp_path)[1:]}.get(
        command, []
    )
    if command == "crawl":
        args[args.index("--db") + 1] = ""
        result = run_cli(command, *args)
    else:
        result = run_cli(command, *args, "--db", "")
    one_error(result, 2, "give an archive path")


# ---- item 11: damaged archives


#: Queries that read every page of every table: each meets the damage.
EVERY_PAGE = (
    "select (select sum(length(body)) from articles) + (select sum(length(html)) from raw_pages)"
    " + (select sum(length(block)) from articles_fts_data)"
)


@pytest.fixture
def damaged_db(tmp_path: Path) -> Path:
    db = store_archive(tmp_path / "damaged.db")
    damage(db)
    return db


def test_check_reports_a_damaged_archive_and_what_to_do(damaged_db: Path) -> None:
    result = run_cli("check", "--db", str(damaged_db))
    one_error(result, 1, "problem(s)")
    problems = [line for line in result.stderr.splitlines() if line.startswith("problem: ")]
    assert problems and any(all(a in p for a in ADVICE) for p in problems), result.stderr
    assert "newsarchive check" not in result.stderr


def test_serve_refuses_a_damaged_archive_at_start(damaged_db: Path) -> None:
    result = run_cli("serve", "--db", str(damaged_db), "--port", "0", timeout=120)
    one_error(result, 5, "is damaged", *ADVICE)


def test_verify_tells_sound_damaged_and_inconclusive(archive_db: Path, damaged_db: Path) -> None:
    with Archive(archive_db, readonly=True) as archive:
        assert archive.verify() is True
        assert archive.verify(seconds=0.0) is False  # out of time: inconclusive
    with Archive(damaged_db, readonly=True) as archive, pytest.raises(ArchiveError) as raised:
        archive.verify()
    assert all(a in str(raised.value) for a in ADVICE)


def damage_error(db: Path, sql: str) -> sqlite3.DatabaseError:
    """The error SQLite raises when `sql` meets the damage in `db` (failing if it does not)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute(sql).fetchall()
    except sqlite3.DatabaseError as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError(f"{sql!r} did not meet the damage")


def test_a_damaged_page_says_restore_or_recover_not_run_check(damaged_db: Path) -> None:
    error = archive_error(damage_error(damaged_db, EVERY_PAGE), str(damaged_db), "reading", 1000)
    assert isinstance(error, ArchiveError)
    assert all(a in str(error) for a in ADVICE) and "newsarchive check" not in str(error)


def test_serve_answers_a_request_meeting_damage_with_an_error_page_and_one_line(
    tmp_path: Path,
) -> None:
    """Damage that appears while serving (a failing disk): each request that meets it gets an
    error page (HTTP 500, saying what to do) and one line in the server's log, no traceback."""
    db = store_archive(tmp_path / "served.db")
    proc = start_cli("serve", "--db", str(db), "--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving "), line
        base = line.split(" at ", 1)[1].split("/archive", 1)[0]
        damage(db)
        damage_error(db, EVERY_PAGE)
        query = urllib.request.quote(EVERY_PAGE)
        pages = [
            f"/archive.json?sql={query}",
            f"/archive?sql={query}",
            f"/archive.json?sql={query}",
        ]
        for page in pages:
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(base + page, timeout=30)
            assert answer.value.code == 500
            body = answer.value.read().decode("utf-8", "replace")
            assert "is damaged" in body and "recover" in body
            if page.startswith("/archive.json"):
                assert all(a in json.loads(body)["error"] for a in ADVICE)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err[-3000:]
    logged = [line for line in err.splitlines() if "is damaged" in line]
    assert len(logged) == len(pages), err[-3000:]
    assert all(line.startswith("Error: ") and all(a in line for a in ADVICE) for line in logged)


# ---- more of the same kind: the output itself cannot be written


@pytest.mark.parametrize(
    "args",
    [
        ("search", "storm"),
        ("stats",),
        ("stats", "--json"),
        ("history", "1"),
        ("export",),
        ("check",),
    ],
)
def test_output_to_a_full_disk_is_one_line_and_exit_1(
    archive_db: Path, args: tuple[str, ...]
) -> None:
    """Standard output on a full disk (`> /dev/full`, a cron redirect to a full disk)."""
    full = Path("/dev/full")
    if not full.is_char_device():
        pytest.skip("no /dev/full here")
    with full.open("w") as sink:
        result = subprocess.run(
            [sys.executable, "-m", "newsarchive.cli", *args, "--db", str(archive_db)],
            cwd=ROOT, env=cli_env(), stdout=sink, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    result.stdout = ""
    one_error(result, 1, "cannot write standard output", "No space left on device")
    assert "Exception ignored" not in result.stderr
