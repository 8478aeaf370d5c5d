"""`newsarchive merge` killed (kill -9) at exact points: the archive stays sound, and the same
merge run again gives what one uninterrupted merge gives (tests/killpoint.py)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, archive_problems, cli_env, crawl, rows
from tests.replica.process import Replica
from tests.test_merge import FAULTS, dump, merge, store_history

#: Where a merge of the two halves is killed: runs, article rows (first source, second source),
#: raw pages, skips, and just after a commit.
KILL_POINTS = [
    (r"^INSERT INTO runs", 2),  # the second source's run, not committed
    (r"^INSERT INTO articles \(", 1),
    (r"^INSERT INTO articles \(", 30),
    (r"^INSERT INTO raw_pages", 200),  # in the second source
    (r"^INSERT INTO skips", 3),
    (r"^COMMIT", 4),  # just committed
]


def killed_merge(pattern: str, nth: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`newsarchive merge ARGS…` that SIGKILLs itself after the nth statement matching pattern."""
    return subprocess.run(
        [sys.executable, "-m", "tests.killpoint", "sql", pattern, str(nth), "--", "merge", *args],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(dir) with a.db and b.db (the replica's days in two halves) and c.db, their merge."""
    replica = Replica(articles=300, seed=3, faults=FAULTS)
    where = tmp_path_factory.mktemp("mergekill")
    days = sorted({t["published_local"][:10] for t in replica.truth()})
    middle = len(days) // 2
    spans = {"a": ("--since", days[0], "--until", days[middle - 1]), "b": ("--since", days[middle])}
    for name, span in spans.items():
        assert crawl(replica, where / f"{name}.db", "--full", *span).returncode == 0
    replica.stop()
    assert merge(where / "a.db", where / "b.db", into=where / "c.db").returncode == 0
    return where


@pytest.mark.parametrize(("pattern", "nth"), KILL_POINTS, ids=[f"{p}#{n}" for p, n in KILL_POINTS])
def test_kill9_during_a_merge_then_the_same_merge_completes(
    halves: Path, tmp_path: Path, pattern: str, nth: int
) -> None:
    target = tmp_path / "k.db"
    sources = (str(halves / "a.db"), str(halves / "b.db"))
    killed = killed_merge(pattern, nth, *sources, "--into", str(target))
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr[-2000:])
    assert archive_problems(target) == []
    resumed = merge(*map(Path, sources), into=target)
    assert resumed.returncode == 0, (resumed.stdout, resumed.stderr)
    assert dump(target) == dump(halves / "c.db")
    assert archive_problems(target) == []


def test_kill9_while_versions_are_renumbered(tmp_path: Path) -> None:
    """Merging into an archive that holds other versions of the same articles (rows updated,
    versions and raw pages rewritten), killed at each of those writes: the rerun completes it."""
    rng = random.Random(7)
    for name in "ab":
        steps = [(m, n, f"T{rng.randrange(3)}") for m in sorted(rng.sample(range(0, 600, 30), 6))
                 for n in rng.sample(range(4), 3)]  # fmt: skip
        store_history(tmp_path / f"{name}.db", steps, name)
    whole = tmp_path / "whole.db"
    assert merge(tmp_path / "a.db", tmp_path / "b.db", into=whole).returncode == 0
    for pattern in (
        r"^UPDATE articles SET",
        r"^DELETE FROM article_versions",
        r"^INSERT INTO raw_pages",
    ):
        target = tmp_path / "target.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        assert merge(tmp_path / "a.db", into=target).returncode == 0
        before = rows(target, "select count(*) as n from article_versions")
        killed = killed_merge(pattern, 2, str(tmp_path / "b.db"), "--into", str(target))
        assert killed.returncode == -signal.SIGKILL, (pattern, killed.stdout, killed.stderr[-2000:])
        assert archive_problems(target) == []
        assert rows(target, "select count(*) as n from article_versions") == before  # rolled back
        assert merge(tmp_path / "b.db", into=target).returncode == 0
        assert dump(target) == dump(whole), pattern
