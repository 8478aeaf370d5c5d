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
