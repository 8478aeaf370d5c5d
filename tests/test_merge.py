"""`newsarchive merge` (issue 16): archives crawled apart fold into the archive one crawl makes.

Real crawls of the replica into real files, the real command; the merge rules themselves
(newsarchive.archive.merge_plan) on archives built through `Archive.store`.
"""

from __future__ import annotations

import itertools
import os
import pty
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from newsarchive import exitcodes
from newsarchive.archive import SCHEMA_VERSION, Archive, MergeSource, schema
from newsarchive.archive.merge_plan import Held, plan
from newsarchive.text import content_hash
from tests.helpers import (
    ROOT,
    archive_problems,
    cli_env,
    crawl,
    crawl_args,
    drain_terminal,
    rows,
    run_cli,
    running_run,
    start_cli,
    wait_for,
)
from tests.replica.process import Replica
from tests.test_reliability_cli import article

#: Page faults that fail the same way on every request (so both halves skip what one crawl does).
FAULTS = "404=1,no_date=1,bad_date=1,empty_body=1,truncated=1"
#: Words searched in the archives compared.
WORDS = ("government", "bulgaria", "minister", "sofia", "parliament", "rebel*", "energy")
T0 = datetime(2024, 12, 7, 12, 0, tzinfo=timezone.utc)


# --- reading archives: every table, the archive's own ids replaced by what they stand for ----
def dump(db: Path) -> dict[str, list[Any]]:
    """Every row of every table, sorted, with ids replaced: articles by (site, site_id), runs by
    their identity (site, started, pid, mode, args)."""
    conn = sqlite3.connect(db)
    try:
        runs = {
            r[0]: r[1:] for r in conn.execute("SELECT id, site, started, pid, mode, args FROM runs")
        }
        names = {r[0]: r[1:] for r in conn.execute("SELECT id, site, site_id FROM articles")}

        def table(
            sql: str, run_column: int | None = None, article_column: int | None = None
        ) -> list[Any]:
            out = []
            for row in conn.execute(sql):
                row = list(row)
                if run_column is not None:
                    row[run_column] = runs.get(row[run_column])
                if article_column is not None:
                    row[article_column] = names[row[article_column]]
                out.append(tuple(row))
            return sorted(out, key=repr)

        columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] != "id"]
        return {
            "articles": table(f"SELECT {', '.join(columns)} FROM articles", columns.index("run_id")),
            "article_versions": table("SELECT * FROM article_versions", article_column=0),
            "raw_pages": table("SELECT * FROM raw_pages", article_column=0),
            "runs": table("SELECT site, started, finished, status, mode, requests, articles_new, "
                          "articles_updated, articles_unchanged, skipped, error, pid, args, source FROM runs"),
            "skips": table("SELECT * FROM skips", run_column=0),
        }  # fmt: skip
    finally:
        conn.close()


def found(db: Path) -> dict[str, set[str]]:
    """The site_ids each of `WORDS` finds (the full-text index answers for every article)."""
    with Archive(db, readonly=True) as archive:
        return {w: {hit["site_id"] for hit in archive.search(w, limit=None)} for w in WORDS}


def merge(*sources: Path, into: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("merge", *map(str, sources), "--into", str(into))


def without(data: dict[str, list[Any]], table: str, *columns: int) -> list[Any]:
    return sorted(
        (tuple(v for i, v in enumerate(row) if i not in columns) for row in data[table]), key=repr
    )


# --- the halves: a replica crawled in two halves of its days, and whole --------------------------
@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(replica, dir) with whole.db (one crawl of every day), a.db (the first half of the days),
    b.db (the second half), c.db (`merge a b`), d.db (`merge b a`) and the merges' results."""
    replica = Replica(articles=300, seed=3, faults=FAULTS)
    where = tmp_path_factory.mktemp("merge")
    days = sorted({t["published_local"][:10] for t in replica.truth()})
    middle = len(days) // 2
    for name, span in (
        ("whole", ("--since", days[0])),
        ("a", ("--since", days[0], "--until", days[middle - 1])),
        ("b", ("--since", days[middle])),
    ):
        result = crawl(replica, where / f"{name}.db", "--full", *span)
        assert result.returncode == 0, result.stderr
    results = {
        "c": merge(where / "a.db", where / "b.db", into=where / "c.db"),
        "d": merge(where / "b.db", where / "a.db", into=where / "d.db"),
    }
    yield replica, where, results
    replica.stop()


def test_the_halves_hold_different_articles(halves: Any) -> None:
    _, where, _ = halves
    a = {r["site_id"] for r in rows(where / "a.db", "select site_id from articles")}
    b = {r["site_id"] for r in rows(where / "b.db", "select site_id from articles")}
    assert (
        len(a) > 50
        and len(b) > 50
        and len(a | b) == len(rows(where / "whole.db", "select id from articles"))
    )


def test_merging_the_halves_gives_the_whole_crawl(halves: Any) -> None:
    _, where, results = halves
    assert results["c"].returncode == 0, results["c"].stderr
    whole, merged = dump(where / "whole.db"), dump(where / "c.db")
    run_id = [r["name"] for r in rows(where / "c.db", "pragma table_info(articles)")][1:].index(
        "run_id"
    )
    # every field of every article, its versions and raw pages; the runs that wrote them aside
    assert without(merged, "articles", run_id) == without(whole, "articles", run_id)
    assert len(merged["articles"]) == 295
    for table in ("article_versions", "raw_pages"):
        assert merged[table] == whole[table], table
    assert found(where / "c.db") == found(where / "whole.db")
    assert all(found(where / "c.db").values())
    # the article pages skipped: the same, each once
    page_skips = (
        "select url, stage, reason, site_id from skips where site_id is not null order by url"
    )
    assert rows(where / "c.db", page_skips) == rows(where / "whole.db", page_skips)
    assert len(rows(where / "c.db", page_skips)) == 5
    assert archive_problems(where / "c.db") == []
    assert run_cli("check", "--db", str(where / "c.db")).returncode == 0


def test_the_order_of_the_sources_does_not_matter(halves: Any) -> None:
    _, where, results = halves
    assert results["d"].returncode == 0, results["d"].stderr
    assert dump(where / "d.db") == dump(where / "c.db")
    assert found(where / "d.db") == found(where / "c.db")


def test_runs_come_along_marked_with_their_archive(halves: Any) -> None:
    _, where, _ = halves
    merged = rows(
        where / "c.db", "select site, status, mode, articles_new, source from runs order by source"
    )
    own = [
        rows(where / f"{n}.db", "select site, status, mode, articles_new from runs")[0]
        for n in "ab"
    ]
    assert merged == [
        {**own[0], "source": str((where / "a.db").resolve())},
        {**own[1], "source": str((where / "b.db").resolve())},
    ]
    assert rows(where / "a.db", "select source from runs") == [{"source": None}]


def test_the_summary_is_one_line_and_nothing_else_off_a_terminal(halves: Any) -> None:
    _, where, results = halves
    result = results["c"]
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    a, b = (len(rows(where / f"{n}.db", "select id from articles")) for n in "ab")
    skips = len(rows(where / "c.db", "select rowid from skips"))
    assert len(lines) == 1
    assert lines[0].startswith(
        f"{where / 'c.db'}: {a + b} new, 0 updated, 0 unchanged; {a + b} versions added; "
        f"2 runs, {skips} skips added; 2 archives in "
    ), lines[0]
    assert lines[0].endswith(" s")


def test_merging_a_source_again_changes_nothing(halves: Any, tmp_path: Path) -> None:
    _, where, _ = halves
    again = tmp_path / "again.db"
    shutil.copy(where / "c.db", again)
    before = dump(again)
    result = merge(where / "a.db", where / "b.db", into=again)
    assert result.returncode == 0, result.stderr
    a, b = (len(rows(where / f"{n}.db", "select id from articles")) for n in "ab")
    assert (
        f": 0 new, 0 updated, {a + b} unchanged; 0 versions added; 0 runs, 0 skips added;"
        in result.stdout
    )
    assert dump(again) == before
    # and a merged archive merged into one holding its sources: nothing new either
    assert merge(where / "d.db", into=again).returncode == 0
    assert dump(again) == before


def test_the_progress_bar_shows_on_a_terminal(halves: Any, tmp_path: Path) -> None:
    _, where, _ = halves
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", "merge", str(where / "a.db"), "--into", str(tmp_path / "t.db")],
        cwd=ROOT, env=cli_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=child,
    )  # fmt: skip
    os.close(child)
    chunks = [drain_terminal(main)]
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "merging" in b"".join(chunks).decode("utf-8", "replace")
    assert len(out.splitlines()) == 1


# --- an edited article crawled before and after the edit, into two archives ---------------------
def test_two_versions_from_two_archives_merge_in_order(make_replica: Any, tmp_path: Path) -> None:
    replica = make_replica(articles=60, seed=5)
    day = (datetime.fromisoformat(replica.now()[:10]) - timedelta(days=3)).date().isoformat()
    before, after = tmp_path / "before.db", tmp_path / "after.db"
    assert crawl(replica, before, "--full", "--since", day).returncode == 0
    edited = replica.advance(hours=3, edit=2)["edited"]
    assert edited
    assert crawl(replica, after, "--full", "--since", day).returncode == 0
    old = {r["site_id"]: r for r in rows(before, "select * from articles")}
    new = {r["site_id"]: r for r in rows(after, "select * from articles")}
    for order, name in (((before, after), "ab.db"), ((after, before), "ba.db")):
        assert merge(*order, into=tmp_path / name).returncode == 0
        merged = {r["site_id"]: r for r in rows(tmp_path / name, "select * from articles")}
        for site_id in map(str, edited):
            assert old[site_id]["title"] != new[site_id]["title"]
            current = merged[site_id]
            assert (current["version"], current["title"], current["body"]) == (
                2,
                new[site_id]["title"],
                new[site_id]["body"],
            )
            assert current["url"] == new[site_id]["url"]
            assert current["first_seen"] == old[site_id]["first_seen"]
            assert current["last_changed"] == current["last_seen"] == new[site_id]["last_seen"]
            versions = rows(
                tmp_path / name,
                "select * from article_versions where article_id = ?",
                current["id"],
            )
            assert [(v["version"], v["title"], v["seen_from"]) for v in versions] == [
                (1, old[site_id]["title"], old[site_id]["first_seen"])
            ]
        unedited = next(s for s in old if s in new and int(s) not in edited)
        assert merged[unedited]["version"] == 1
        assert (
            merged[unedited]["last_seen"] == new[unedited]["last_seen"] > old[unedited]["last_seen"]
        )
        assert archive_problems(tmp_path / name) == []
    assert dump(tmp_path / "ab.db") == dump(tmp_path / "ba.db")
    assert found(tmp_path / "ab.db") == found(tmp_path / "ba.db")
    with Archive(tmp_path / "ab.db", readonly=True) as archive:  # the edit says "(UPDATED)"
        assert set(map(str, edited)) <= {
            hit["site_id"] for hit in archive.search("updated", limit=None)
        }


# --- the rules, on archives stored directly --------------------------------------------------
def store_history(db: Path, steps: list[tuple[int, int, str]], args: str) -> None:
    """An archive that stored, at minute m, article n with title t, for each (m, n, t)."""
    with Archive(db) as archive:
        run = archive.start_run("example", "full", {"name": args}, 1, T0)
        for minutes, n, title in steps:
            when = T0 + timedelta(minutes=minutes)
            item = article(
                n, title=title, url=f"https://news.example.org/{1000 + n}/{title}", fetched_at=when
            )
            archive.store(item, run_id=run, now=when)
        archive.finish_run(run, status="ok", finished=T0 + timedelta(days=1), requests=1, new=1,
                           updated=0, unchanged=0, skipped=0)  # fmt: skip


def merged_in(db: Path, *sources: Path) -> dict[str, list[Any]]:
    with Archive(db) as target:
        for source in sources:
            with MergeSource(source) as opened:
                target.merge_from(opened, str(source))
        assert target.check() == []
    return dump(db)


def held(current: str, seen: tuple[int, int], *old: tuple[str, int, int]) -> Held:
    """An archive's copy of one article: current title seen from hour a to hour b, old titles
    each seen from its hour until the next one's (hours after T0)."""

    def at(hour: int) -> str:
        return (T0 + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def text(title: str) -> dict[str, Any]:
        return {
            "title": title,
            "body": "Body.",
            "tags": "[]",
            "content_hash": content_hash(title, "Body.", []),
        }

    row = {**text(current), "version": len(old) + 1, "first_seen": at(old[0][1] if old else seen[0]),
           "last_changed": at(seen[0]), "last_seen": at(seen[1]), "run_id": None,
           **dict.fromkeys(("url", "section", "subsection", "published", "published_local", "author",
                            "sources", "image_url", "word_count"))}  # fmt: skip
    versions = [
        {
            **text(title),
            "version": n,
            "seen_from": at(start),
            "seen_until": at(until),
            "last_seen": None,
        }
        for n, (title, start, until) in enumerate(old, 1)
    ]
    return Held(row=row, versions=versions)


def test_the_plan_of_one_archive_is_that_archive() -> None:
    one = held("C", (5, 9), ("A", 1, 3), ("B", 3, 5))
    merged = plan(None, one)
    assert merged.versions == one.versions and merged.added == 3
    assert {
        k: merged.row[k] for k in ("title", "version", "first_seen", "last_changed", "last_seen")
    } == {k: one.row[k] for k in ("title", "version", "first_seen", "last_changed", "last_seen")}


def test_the_version_current_somewhere_at_the_last_second_stays_current() -> None:
    """G seen at hour 1 by one archive; H then G again (at hour 5) by another: G is current,
    though H was first seen after G: an old version's seen_until ranks below a sighting."""
    early, late = held("G", (1, 1)), held("G", (5, 5), ("H", 3, 5))
    for first, second in ((early, late), (late, early)):
        merged = plan(first, second)
        assert (merged.row["title"], merged.row["version"]) == ("G", 2)
        assert [(v["title"], v["seen_from"], v["seen_until"]) for v in merged.versions] == [
            ("H", "2024-12-07T15:00:00Z", "2024-12-07T17:00:00Z")
        ]
        assert merged.row["first_seen"] == merged.row["last_changed"] == "2024-12-07T13:00:00Z"
        assert merged.row["last_seen"] == "2024-12-07T17:00:00Z"


def test_an_undone_edit_keeps_the_text_seen_last_current(tmp_path: Path) -> None:
    """X, then Y, then X again: equal text is one version, and X, seen last, stays current."""
    store_history(tmp_path / "s.db", [(0, 1, "Calm"), (60, 1, "Storm"), (120, 1, "Calm")], "s")
    merged = merged_in(tmp_path / "m.db", tmp_path / "s.db")
    [row] = rows(tmp_path / "m.db", "select * from articles")
    assert (row["title"], row["version"], row["last_seen"]) == ("Calm", 2, "2024-12-07T14:00:00Z")
    assert [(v[1], v[2]) for v in merged["article_versions"]] == [(1, "Storm")]


def test_random_histories_merge_alike_in_any_order_and_again(tmp_path: Path) -> None:
    """Three archives seeing four articles change (and change back) at shared minutes: every
    order of merging, a merge of a merge, and a merge repeated give one archive."""
    for seed in range(6):
        rng = random.Random(seed)
        where = tmp_path / str(seed)
        where.mkdir()
        sources = []
        for name in "abc":
            steps = [(m, n, f"T{rng.randrange(3)}") for m in sorted(rng.sample(range(0, 600, 30), 6))
                     for n in rng.sample(range(4), 3)]  # fmt: skip
            store_history(where / f"{name}.db", steps, name)
            sources.append(where / f"{name}.db")
        results = [merged_in(where / f"{''.join(p.stem for p in order)}.db", *order)
                   for order in itertools.permutations(sources)]  # fmt: skip
        merged_in(where / "bc.db", sources[1], sources[2])
        results.append(merged_in(where / "a_bc.db", sources[0], where / "bc.db"))
        results.append(merged_in(where / "abc.db", *sources))
        assert all(result == results[0] for result in results), seed
        assert any(v[1] > 1 for v in results[0]["article_versions"])


# --- refusals ------------------------------------------------------------------------------
def other_program(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()


def newer_archive(path: Path) -> None:
    store_history(path, [(0, 1, "Calm")], "n")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.commit()
    conn.close()


def bad_files(where: Path) -> dict[str, bytes | None]:
    """The bad source and whatever lies beside it (a -wal, a -shm), byte for byte."""
    return {p.name: p.read_bytes() if p.is_file() else None for p in where.glob("bad*")}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("hello, not a database\n"), "not a newsarchive archive"),
        (other_program, "not a newsarchive archive"),
        (newer_archive, "newer than this newsarchive knows"),
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
    ids=["text", "other-program", "newer", "missing", "directory"],
)
def test_a_source_that_is_no_archive_is_refused_and_left_alone(
    tmp_path: Path, make: Any, message: str
) -> None:
    good, bad, target = tmp_path / "good.db", tmp_path / "bad.db", tmp_path / "target.db"
    store_history(good, [(0, 1, "Calm")], "g")
    make(bad)
    before = bad_files(tmp_path)
    result = merge(good, bad, into=target)
    assert result.returncode == exitcodes.ARCHIVE, (result.stdout, result.stderr)
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert bad_files(tmp_path) == before
    assert not target.exists()  # refused before anything was written


def test_a_target_that_is_no_archive_is_refused_and_left_alone(tmp_path: Path) -> None:
    store_history(tmp_path / "a.db", [(0, 1, "Calm")], "a")
    (tmp_path / "notes.txt").write_text("my notes\n")
    result = merge(tmp_path / "a.db", into=tmp_path / "notes.txt")
    assert result.returncode == exitcodes.ARCHIVE and "not a newsarchive archive" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "my notes\n"
    assert [p.name for p in tmp_path.glob("notes*")] == ["notes.txt"]


def test_a_target_that_is_a_source_is_bad_usage(tmp_path: Path) -> None:
    store_history(tmp_path / "a.db", [(0, 1, "Calm")], "a")
    (tmp_path / "link.db").symlink_to(tmp_path / "a.db")
    before = (tmp_path / "a.db").read_bytes()
    for target in ("a.db", "link.db"):
        result = merge(tmp_path / "a.db", into=tmp_path / target)
        assert result.returncode == exitcodes.USAGE and "is also a source" in result.stderr
    assert (tmp_path / "a.db").read_bytes() == before


def test_a_target_a_crawl_holds_is_refused(make_replica: Any, tmp_path: Path) -> None:
    replica = make_replica(articles=60, seed=5)
    source, target = tmp_path / "source.db", tmp_path / "target.db"
    store_history(source, [(0, 1, "Calm")], "s")
    holder = start_cli(*crawl_args(replica, target, "--full", "--since", "2011-01-01"), "--delay", "0.2",
                       "--concurrency", "1", now=replica.now())  # fmt: skip
    try:
        wait_for(lambda: running_run(target), what="the crawl's run row")
        result = merge(source, into=target)
        assert result.returncode == exitcodes.LOCKED, (result.stdout, result.stderr)
        assert f"pid {holder.pid}" in result.stderr
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert not rows(target, "select id from articles where site = 'example'")


def test_a_source_of_an_older_schema_is_merged_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old.db"
    with monkeypatch.context() as older:  # what the previous release created
        older.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        older.setattr(schema, "SCHEMA_VERSION", 2)
        store_history(old, [(0, 1, "Calm"), (60, 1, "Storm")], "old")
    before = old.read_bytes()
    result = merge(old, into=tmp_path / "new.db")
    assert result.returncode == 0, result.stderr
    assert old.read_bytes() == before
    assert rows(old, "pragma user_version") == [{"user_version": 2}]
    assert [
        r["title"] for r in rows(tmp_path / "new.db", "select title from article_versions")
    ] == ["Calm"]
    assert rows(tmp_path / "new.db", "select source from runs") == [{"source": str(old.resolve())}]
    # and an archive of schema 2 opened for writing gains what merges keep
    with Archive(old) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION == 3
        columns = {r[1] for r in upgraded.conn.execute("PRAGMA table_info(runs)")}
        assert "source" in columns
