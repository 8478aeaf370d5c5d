"""`make demo` shows the product: after it, the archive holds an edit, `history` prints its
diff, and every stored URL is the site's own, not the replica's temporary address.

The demo's own code (`tests.demo.main`) runs in-process on a small replica (a short backfill);
its crawls and CLI calls are the real subprocesses `make demo` runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from newsarchive.dates import parse_utc
from tests import demo
from tests.helpers import crawl, rows

#: Every column of the archive that holds a URL.
URL_COLUMNS = (
    ("articles", "url"),
    ("articles", "image_url"),
    ("raw_pages", "url"),
    ("skips", "url"),
)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    capture = tmp_path_factory.mktemp("demo-out") / "out.txt"
    # Run in a child so its prints (and its subprocesses') are captured whole, in order.
    code = subprocess.call(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from tests.demo import main; "
            f"sys.exit(main(db=Path({str(db)!r}), articles=80, since='2024-11-20', eras=False))",
        ],
        stdout=capture.open("w"),
        stderr=subprocess.STDOUT,
        env=dict(os.environ, COLUMNS="100"),
    )
    return db, code, capture.read_text()


def test_the_demo_completes_and_stores_an_edit(demo_run: tuple[Path, int, str]) -> None:
    db, code, output = demo_run
    assert code == 0, output
    assert rows(db, "select count(*) n from article_versions")[0]["n"] > 0
    assert rows(db, "select count(*) n from runs where status = 'ok'")[0]["n"] == 2


def test_history_of_an_edited_article_prints_a_diff(demo_run: tuple[Path, int, str]) -> None:
    db, _code, output = demo_run
    edited = rows(db, "select distinct article_id from article_versions")[0]["article_id"]
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive.cli", "history", f"id:{edited}", "--db", str(db)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "edited" in result.stdout and "never edited" not in result.stdout
    assert "\n--- version 1" in result.stdout and "\n+++ version 2" in result.stdout
    assert any(line.startswith("+title: ") for line in result.stdout.splitlines())
    # The demo printed one such diff itself, and the pages to open.
    assert "\n+++ version 2" in output
    for path in (demo.READER_PATH, demo.EDITED_PATH, demo.CHART_PATH):
        assert f"{demo.SERVE}{path}" in output


def test_no_stored_url_is_the_replicas_address(demo_run: tuple[Path, int, str]) -> None:
    db, _code, _output = demo_run
    for table, column in URL_COLUMNS:
        local = rows(
            db, f"select {column} from {table} where {column} like 'http://127.0.0.1%' limit 3"
        )
        assert local == [], f"{table}.{column}"
    urls = [r["url"] for r in rows(db, "select url from articles")]
    assert urls and all(u.startswith("https://www.novinite.com/articles/") for u in urls)
    # The root the runs fetched through is kept in runs.args.
    roots = {r["root"] for r in rows(db, "select json_extract(args, '$.base_url') root from runs")}
    assert len(roots) == 1 and roots.pop().startswith("http://127.0.0.1:")


def test_a_run_lasts_the_real_time_it_took(make_replica, tmp_path: Path) -> None:
    """The replica's clock (`NEWSARCHIVE_NOW`) stands still during a run; `finished` is the
    start plus the real (monotonic) time elapsed: a run that waited 2.5 s for a slow page
    reads at least 2 s, not 0 s as it did."""
    replica = make_replica(articles=60, seed=3, eras=False, faults="slow=1", slow_seconds=2.5)
    db = tmp_path / "archive.db"
    assert crawl(replica, db, "--full", "--since", "2024-11-20").returncode == 0
    run = rows(db, "select started, finished from runs")[0]
    assert run["started"] == replica.now()  # the injected clock still dates the run
    elapsed = parse_utc(run["finished"]) - parse_utc(run["started"])
    assert elapsed >= timedelta(seconds=2)
