"""`newsarchive merge` of two 20,000-article archives, as a collector merges two nodes.

The two archives are built straight through `Archive.store` (as bench/search.py builds its
archive), each article with its raw page as a crawl keeps it: the replica's first 20,000
articles into one, the next 20,000 into the other. Then the command a user runs, timed from
the outside: both merged into a new archive, and one of them merged again into the result
(every article already there: the idempotent path, which reads and compares each one).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.common import PY, ROOT, WORK, Result, fresh
from bench.search import article_of
from newsarchive.archive import SCHEMA_VERSION, Archive
from newsarchive.dates import parse_utc
from tests.replica.site import Site

ARTICLES = 20_000


def build(db: Path, site: Site, start: int, stop: int) -> float:
    """Fill `db` with the replica's articles start … stop-1 and their raw pages, as one run;
    returns seconds (0 when a file built alike is reused)."""
    marker = db.with_suffix(".built")
    key = f"{start}:{stop}:{SCHEMA_VERSION}"
    if db.exists() and marker.exists() and marker.read_text() == key:
        return 0.0
    fresh(db)
    started = time.monotonic()
    with Archive(db) as archive:
        now = parse_utc(site.now_iso())
        run = archive.start_run("novinite", "full", {"bench": db.name}, 1, now)
        for first in range(start, stop, 2000):
            with archive.bulk():
                for index in range(first, min(first + 2000, stop)):
                    record = site.truth(index, cached=False)
                    html = site.handle("GET", f"/articles/{record['site_id']}/").body.decode()
                    archive.store(article_of(record, html), run_id=run, now=now)
        archive.finish_run(run, status="ok", finished=now, requests=stop - start,
                           new=stop - start, updated=0, unchanged=0, skipped=0)  # fmt: skip
    marker.write_text(key)
    return time.monotonic() - started


def timed_merge(*args: str) -> tuple[float, str]:
    """`newsarchive merge ARGS…` as a user runs it: (wall seconds, its summary line)."""
    started = time.monotonic()
    done = subprocess.run(
        [PY, "-m", "newsarchive.cli", "merge", *args],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.monotonic() - started, done.stdout.strip()


def run(articles: int = ARTICLES) -> list[Result]:
    WORK.mkdir(parents=True, exist_ok=True)
    site = Site(seed=1, articles=2 * articles, eras=True)
    a, b, c = WORK / "merge-a.db", WORK / "merge-b.db", WORK / "merge-c.db"
    for db, start in ((a, 0), (b, articles)):
        seconds = build(db, site, start, start + articles)
        if seconds:
            print(f"  built {db.name}: {articles} articles with raw pages in {seconds:.0f} s")
    fresh(c)
    both, line = timed_merge(str(a), str(b), "--into", str(c))
    print(f"  {line}")
    again, line = timed_merge(str(a), "--into", str(c))
    print(f"  again: {line}")
    count = Archive(c, readonly=True)
    try:
        assert count.count_articles() == 2 * articles
    finally:
        count.close()
    return [
        Result(f"merge_two_{articles // 1000}k_archives_seconds", both, "s"),
        Result("merge_articles_per_s", 2 * articles / both, "articles/s"),
        Result(f"merge_again_{articles // 1000}k_unchanged_seconds", again, "s"),
    ]
