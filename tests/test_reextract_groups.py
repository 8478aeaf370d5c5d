"""`newsarchive reextract` stores what changed `GROUP` articles a transaction: killed inside a
group, it keeps every group committed before and none of that one, the archive passes `check`,
and the next reextract finishes the rest. On a terminal it shows a progress bar."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.reextract import GROUP
from newsarchive.text import content_hash
from tests.helpers import ROOT, archive_problems, cli_env, crawl, drain_terminal, rows, run_cli

#: More than two groups, so that a kill can fall inside the second.
ARTICLES = 2 * GROUP + 50


@pytest.fixture(scope="module")
def spoilt_once(make_replica_module, tmp_path_factory) -> tuple[Path, int]:
    """An archive whose every body reads differently from its raw page (content hashes kept
    right, so the archive itself is sound): what an extractor fix finds to repair."""
    replica = make_replica_module(articles=ARTICLES, seed=23, eras=False)
    db = tmp_path_factory.mktemp("spoilt") / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2000-01-01").returncode == 0
    conn = sqlite3.connect(db)
    with conn:
        for id_, title, body, tags in conn.execute("select id, title, body, tags from articles").fetchall():
            body += " (spoilt)"
            digest = content_hash(title, body, json.loads(tags or "[]"))
            conn.execute("update articles set body = ?, content_hash = ? where id = ?", (body, digest, id_))
    conn.execute("pragma wal_checkpoint(truncate)")  # all in the file: the tests copy it alone
    count = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    assert count > 2 * GROUP and archive_problems(db) == []
    return db, count


@pytest.fixture
def spoilt(spoilt_once, tmp_path) -> tuple[Path, int]:
    """A copy of the spoilt archive for one test."""
    source, count = spoilt_once
    db = tmp_path / "archive.db"
    shutil.copyfile(source, db)
    return db, count


def repaired(db: Path) -> int:
    return rows(db, "select count(*) as n from articles where version = 2")[0]["n"]


def test_a_reextract_killed_inside_a_group_keeps_the_groups_before_and_the_next_finishes(spoilt):
    db, count = spoilt
    killed = subprocess.run(
        [sys.executable, "-m", "tests.killpoint", "sql", "^INSERT INTO article_versions",
         str(GROUP + GROUP // 2), "--", "reextract", "--db", str(db)],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert repaired(db) == GROUP  # the first group, nothing of the second
    assert archive_problems(db) == []
    again = run_cli("reextract", "--db", str(db))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{count} pages re-extracted: {count - GROUP} updated, {GROUP} unchanged" in again.stdout
    assert repaired(db) == count
    assert rows(db, "select count(*) as n from articles where body like '%(spoilt)'")[0]["n"] == 0
    assert archive_problems(db) == []


def test_reextract_shows_a_progress_bar_on_a_terminal(spoilt):
    db, count = spoilt
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", "reextract", "--db", str(db)],
        cwd=ROOT, env=cli_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=child,
    )  # fmt: skip
    os.close(child)
    terminal = drain_terminal(main).decode("utf-8", "replace")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert "re-extracting" in terminal
    assert out.decode().splitlines() == [f"{count} pages re-extracted: {count} updated, 0 unchanged, 0 skipped (none)"]
