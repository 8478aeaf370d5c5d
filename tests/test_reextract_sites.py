"""`newsarchive reextract` reads a profile site's raw pages with the generic extractor and the
site's profile from the sites file, as its crawl did: the newsroom replica crawled, then
re-extracted (nothing changes; a body spoilt in the archive is repaired as a new version)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import rows, run_cli

NEWSROOM_TZ = "America/New_York"
COUNTS = re.compile(r"(\d+) pages re-extracted: (\d+) (?:updated|would change), (\d+) unchanged, (\d+) skipped")


@pytest.fixture
def crawled(make_replica, tmp_path):
    replica = make_replica(site="newsroom", articles=30, seed=7)
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[sites.newsroom]\nurl = "{replica.url}"\ntimezone = "{NEWSROOM_TZ}"\n', "utf-8")
    db = tmp_path / "archive.db"
    done = run_cli(
        "crawl", "newsroom", "--sites", str(sites), "--db", str(db), "--delay", "0", "--concurrency", "16",
        "--timeout", "3", "--log-file", str(tmp_path / "crawl.log"), now=replica.now(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return replica, sites, db


def reextract(db: Path, sites: Path, *extra: str, now: str) -> tuple[int, int, int, int]:
    result = run_cli("reextract", "--db", str(db), "--sites", str(sites), *extra, now=now)
    assert result.returncode == 0, result.stdout + result.stderr
    found = COUNTS.search(result.stdout)
    assert found, result.stdout
    return tuple(int(n) for n in found.groups())  # type: ignore[return-value]


def test_a_profile_sites_pages_are_reextracted_with_its_profile(crawled):
    replica, sites, db = crawled
    stored = rows(db, "select count(*) as n from articles where site = 'newsroom'")[0]["n"]
    assert stored > 0
    before = replica.stats()
    assert reextract(db, sites, "--dry-run", now=replica.now()) == (stored, 0, stored, 0)
    # An older extractor's mistake: one body and its hash as a bad extraction left them.
    victim = rows(db, "select id, body from articles where site = 'newsroom' order by id limit 1")[0]
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute(
            "update articles set body = 'wrongly extracted', content_hash = 'old' where id = ?",
            (victim["id"],),
        )
    assert reextract(db, sites, now=replica.now()) == (stored, 1, stored - 1, 0)
    repaired = rows(db, "select body, version from articles where id = ?", victim["id"])[0]
    assert repaired == {"body": victim["body"], "version": 2}
    assert replica.stats()["total"] == before["total"]  # not one request


def test_without_its_profile_a_profile_sites_pages_are_counted_not_guessed(crawled, tmp_path):
    replica, _, db = crawled
    stored = rows(db, "select count(*) as n from articles")[0]["n"]
    empty = tmp_path / "none.toml"
    empty.write_text("", "utf-8")
    assert reextract(db, empty, now=replica.now()) == (stored, 0, 0, stored)
