"""`make demo` (`python -m tests.demo`): the main job end to end on the bundled replica, offline.

Starts the replica (tests/replica) on a free port, crawls it into data/demo.db with
`newsarchive crawl`, prints the summary line, runs a search, says how to browse the archive
with `newsarchive serve`, and stops the replica. It lives under tests/ because it needs the
replica, which is no part of the installed package.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.replica.process import Replica

DB = Path("data/demo.db")
ARTICLES = 300
CRAWL = ["--full", "--since", "2011-01-01", "--delay", "0", "--concurrency", "16", "--timeout", "3"]
QUERY = "homs AND rebels"


def main() -> int:
    """Crawl a fresh replica into data/demo.db and search it; the crawl's exit code."""
    with Replica(articles=ARTICLES, seed=1) as replica:
        now = replica.now()
        print(f"replica of novinite.com: {replica.url} ({ARTICLES} articles, clock {now})")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB}{suffix}").unlink(missing_ok=True)
        env = dict(os.environ, NEWSARCHIVE_NOW=now)
        exe = [sys.executable, "-m", "newsarchive.cli"]
        print(f"$ newsarchive crawl --db {DB} --base-url {replica.url} {' '.join(CRAWL)}")
        code = subprocess.call(
            [*exe, "crawl", "--db", str(DB), "--base-url", replica.url, *CRAWL], env=env
        )
        if code:
            print(f"crawl exited {code}", file=sys.stderr)
            return code
        print(f"\n$ newsarchive search '{QUERY}' --db {DB} --limit 3")
        subprocess.call([*exe, "search", QUERY, "--db", str(DB), "--limit", "3"], env=env)
        print(
            f"\nBrowse it:  .venv/bin/newsarchive serve --db {DB}   "
            "(Datasette on http://127.0.0.1:8001/archive/articles)"
        )
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
