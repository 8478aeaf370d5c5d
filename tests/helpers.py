"""Shared test helpers: run the real `newsarchive` / `scrapy` commands, read the archive file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIELDS = (
    "title",
    "published",
    "published_local",
    "section",
    "subsection",
    "author",
    "tags",
    "sources",
    "body",
)


def run_cli(*args: str, now: str | None = None, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    """`newsarchive ARGS…` as a subprocess (a new user's command line), from the repo root."""
    environ = dict(os.environ, **env)
    environ.pop("NEWSARCHIVE_DB", None)
    if now:
        environ["NEWSARCHIVE_NOW"] = now
    return subprocess.run(
        [sys.executable, "-m", "newsarchive.cli", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def crawl(replica: Any, db: Path, *extra: str, now: str | None = None, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A crawl of the replica into `db` with politeness off, at the replica's clock."""
    log = log or db.with_suffix(".log")
    return run_cli(
        "crawl",
        "--db",
        str(db),
        "--base-url",
        replica.url,
        "--delay",
        "0",
        "--concurrency",
        "16",
        "--timeout",
        "3",
        "--log-file",
        str(log),
        *extra,
        now=now or replica.now(),
    )


def rows(db: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Query the archive file directly (plain SQL, as a user would)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def articles(db: Path) -> dict[str, dict[str, Any]]:
    """Every archived article by site_id, tags and sources decoded."""
    out = {}
    for row in rows(db, "select * from articles"):
        row["tags"] = json.loads(row["tags"] or "[]")
        row["sources"] = json.loads(row["sources"] or "[]")
        out[row["site_id"]] = row
    return out


def last_run(db: Path) -> dict[str, Any]:
    return rows(db, "select * from runs order by id desc limit 1")[0]


def compare_to_truth(db: Path, truth: list[dict[str, Any]]) -> list[str]:
    """Differences between the archive and the replica's truth (empty when equal)."""
    stored = articles(db)
    live = {t["site_id"]: t for t in truth if not t.get("skip")}
    problems = []
    missing = sorted(set(live) - set(stored), key=int)
    extra = sorted(set(stored) - set(live), key=int)
    if missing:
        problems.append(f"missing {len(missing)}: {missing[:10]}")
    if extra:
        problems.append(f"extra {len(extra)}: {extra[:10]}")
    for site_id, expected in live.items():
        got = stored.get(site_id)
        if got is None:
            continue
        for name in FIELDS:
            if got[name] != expected.get(name):
                problems.append(f"{site_id} {name}: {got[name]!r} != {expected.get(name)!r}")
    return problems


# --- for the reliability tests: crawls held open, killed, polled -----------------------------
def cli_env(now: str | None = None, **env: str) -> dict[str, str]:
    """The environment `run_cli` gives a command (no $NEWSARCHIVE_DB; NEWSARCHIVE_NOW if given)."""
    environ = dict(os.environ, **env)
    environ.pop("NEWSARCHIVE_DB", None)
    if now:
        environ["NEWSARCHIVE_NOW"] = now
    return environ


def start_cli(*args: str, now: str | None = None, module: str = "newsarchive.cli", **env: str) -> subprocess.Popen[str]:
    """`newsarchive ARGS…` started in the background (stdout and stderr captured)."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=cli_env(now, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def crawl_args(replica: Any, db: Path, *extra: str, log: Path | None = None) -> list[str]:
    """`crawl` arguments for the replica with politeness off (as `crawl` uses)."""
    return [
        "crawl",
        "--db",
        str(db),
        "--base-url",
        replica.url,
        "--delay",
        "0",
        "--concurrency",
        "16",
        "--timeout",
        "3",
        "--log-file",
        str(log or db.with_suffix(".log")),
        *extra,
    ]


def wait_for(predicate: Any, timeout: float = 60, what: str = "a condition", interval: float = 0.005) -> Any:
    """Poll `predicate()` until it returns something truthy (returned), at most `timeout` s.

    Bounded polling of observable state: the only way these tests synchronise.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def scalar(db: Path, sql: str, *params: Any) -> Any:
    """One value from the archive, or None when the file or table is not there (yet)."""
    if not Path(db).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(sql, params).fetchone()
        return None if row is None else row[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def running_run(db: Path) -> dict[str, Any] | None:
    """The run marked 'running' in the archive, or None."""
    try:
        found = rows(db, "select * from runs where status = 'running' order by id desc limit 1")
    except sqlite3.Error:
        return None
    return found[0] if found else None


def archive_problems(db: Path) -> list[str]:
    """`Archive.check()` plus what must never be: a doubled article, an article without its
    raw page or with versions out of step. Empty when the archive is sound."""
    from newsarchive.archive import Archive

    with Archive(db, readonly=True) as archive:
        problems = archive.check()
    doubled = rows(db, "select site, site_id from articles group by site, site_id having count(*) > 1")
    if doubled:
        problems.append(f"doubled: {doubled[:5]}")
    unpaged = rows(
        db,
        "select a.site_id from articles a where not exists (select 1 from raw_pages r "
        "where r.article_id = a.id and r.version = a.version)",
    )
    if unpaged:
        problems.append(f"articles without the raw page of their version: {unpaged[:5]}")
    return problems


def stored_differences(db: Path, truth: list[dict[str, Any]]) -> list[str]:
    """What the archive holds that is not the truth (missing articles are not counted): a
    half-written or wrong article shows here."""
    return [p for p in compare_to_truth(db, truth) if not p.startswith("missing ")]


def serve_answers(db: Path) -> None:
    """`newsarchive serve --port 0` on `db` answers a SQL query over HTTP; then it is stopped."""
    import json
    import urllib.request

    proc = start_cli("serve", "--db", str(db), "--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving "), (line, proc.stderr and proc.stderr.read())
        base = line.split(" at ", 1)[1].split("/archive", 1)[0]
        url = f"{base}/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array"

        def answer() -> Any:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    return json.loads(resp.read())
            except OSError:
                return None

        data = wait_for(answer, timeout=30, what="datasette to answer", interval=0.05)
        assert data[0]["n"] > 0
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def drain_terminal(main: int) -> bytes:
    """Everything a child wrote to the pseudo-terminal whose main side is `main`, until it
    closed its side; `main` is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return b"".join(chunks)
