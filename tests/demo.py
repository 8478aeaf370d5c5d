"""`make demo` (`python -m tests.demo`): the product end to end on the bundled replica, offline.

1. starts the replica (tests/replica) on a free port and backfills it into data/demo.db with
   `newsarchive crawl --full`;
2. moves the replica's clock on (its control URL ``advance``): new articles are published and
   recent ones edited (text, title and slug), as a real site does between two cron runs;
3. runs the hourly crawl, which fetches the new ones and catches the edits;
4. prints the runs, a search, the `history` diff of one edited article and the pages to open in
   `newsarchive serve`.

The archive keeps the site's own URLs (``https://www.novinite.com/articles/…``), not the
replica's temporary port; the root each run fetched through is in ``runs.args``. It lives under
tests/ because it needs the replica, which is no part of the installed package; `main` takes
its sizes as arguments so tests/test_demo.py runs it on a small replica.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from newsarchive.archive import Archive, ArticleNotFound
from tests.replica.process import Replica

DB = Path("data/demo.db")
ARTICLES = 300
#: The backfill's first day: the replica's landmark days (2011, 2019) are older than its tail.
SINCE = "2011-01-01"
#: A mirror or the replica takes no politeness: no delay, many requests at once.
FAST = ["--delay", "0", "--concurrency", "16", "--timeout", "3"]
#: Between the backfill and the hourly run: hours on the replica's clock, articles published
#: in them, recent articles edited.
HOURS, PUBLISH, EDIT = 6, 12, 4
QUERY = "homs AND rebels"
#: Datasette pages of `newsarchive serve` (port 8001): the reader page of an article (its
#: archive id appended), the edited articles with their versions, and the chart of articles
#: per month.
SERVE = "http://127.0.0.1:8001"
READER_PATH = "/archive/articles/"
EDITED_PATH = "/archive/edited_articles"
CHART_PATH = "/archive/articles_per_month"


def main(
    db: Path = DB,
    articles: int = ARTICLES,
    since: str = SINCE,
    eras: bool | None = None,
    python: str = sys.executable,
) -> int:
    """Backfill, advance the clock, crawl again, show what changed; the first failing exit code."""
    with Replica(articles=articles, seed=1, eras=eras, python=python) as replica:
        print(f"A replica of novinite.com is serving {articles} articles at {replica.url}")
        print(f"(its clock stands at {replica.now()}; the archive is {db})")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.parent.mkdir(parents=True, exist_ok=True)

        step(1, f"backfill: every archive day from {since} to today")
        code = crawl(python, replica, db, ["--full", "--since", since])
        if code:
            return code

        step(2, f"{HOURS} hours pass on the site: {PUBLISH} articles published, {EDIT} edited")
        change = replica.advance(hours=HOURS, publish=PUBLISH, edit=EDIT)
        print(f"replica clock now {change['now']}; edited ids: {', '.join(map(str, change['edited']))}")

        step(3, "the hourly crawl (what cron runs): new articles, and the edits caught")
        code = crawl(python, replica, db, [])
        if code:
            return code

        step(4, "what the archive shows")
        show(python, replica, db, [str(i) for i in change["edited"]])
        return 0


def step(number: int, what: str) -> None:
    print(f"\n== {number}. {what}", flush=True)


def crawl(python: str, replica: Replica, db: Path, args: Sequence[str]) -> int:
    """One `newsarchive crawl` through the replica's root, at the replica's clock."""
    shown = " ".join([*args, *FAST])
    print(f"$ newsarchive crawl --db {db} --base-url {replica.url} {shown}", flush=True)
    command = [*cli(python), "crawl", "--db", str(db), "--base-url", replica.url, *args, *FAST]
    code = subprocess.call(command, env=clock(replica))
    if code:
        print(f"crawl exited {code}", file=sys.stderr)
    return code


def show(python: str, replica: Replica, db: Path, edited: Sequence[str]) -> None:
    """The runs, a search, one edited article's history, the pages to open."""
    with Archive(db, readonly=True) as archive:
        runs = list(reversed(archive.runs(limit=2)))
        versions = {}
        for site_id in edited:
            try:
                found = archive.history(f"novinite:{site_id}")
            except ArticleNotFound:
                continue
            if len(found["versions"]) > 1:
                versions[site_id] = found["article"]
    print("runs (started → finished, real time; the root fetched through is in runs.args):")
    for run in runs:
        print(
            f"  run {run['id']} {run['mode']:<11} {run['started']} → {run['finished']}  "
            f"{run['requests']} requests: {run['articles_new']} new, "
            f"{run['articles_updated']} updated, {run['articles_unchanged']} unchanged  "
            f"(root {run['args'].get('base_url')})"
        )
    print(
        f"{len(versions)} of the {len(edited)} edits caught by this run (an edit the feed does "
        "not show waits for the article's next refresh step: 1, 3, 6, 12, 24, 48 h)"
    )
    run_cli(python, replica, ["search", QUERY, "--db", str(db), "--limit", "3"])
    article = next(iter(versions.values()), None)
    if article is None:
        print("\n(no edit was caught by the hourly run)")
    else:
        run_cli(python, replica, ["history", article["site_id"], "--db", str(db)])
    print("\nBrowse it:  .venv/bin/newsarchive serve --db", db)
    if article is not None:
        print(f"  {SERVE}{READER_PATH}{article['id']}   the edited article, with its versions")
    print(f"  {SERVE}{EDITED_PATH}   every edit caught, old and new side by side")
    print(f"  {SERVE}{CHART_PATH}   articles per month, as a chart")


def run_cli(python: str, replica: Replica, args: Sequence[str]) -> None:
    shown = " ".join(f"'{a}'" if " " in a else a for a in args)
    print(f"\n$ newsarchive {shown}", flush=True)
    subprocess.call([*cli(python), *args], env=clock(replica))


def cli(python: str) -> list[str]:
    return [python, "-m", "newsarchive.cli"]


def clock(replica: Replica) -> dict[str, str]:
    """The environment of a command: "now" is the replica's clock (`NEWSARCHIVE_NOW`)."""
    return dict(os.environ, NEWSARCHIVE_NOW=replica.now())


if __name__ == "__main__":
    raise SystemExit(main())
