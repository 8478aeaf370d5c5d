"""`make demo`: the main job end to end on the bundled replica, offline.

Starts the replica (tests/replica) on a free port, crawls it into data/demo.db with
`newsarchive crawl`, prints the summary line, runs a search, says how to browse the archive
with `newsarchive serve`, and stops the replica.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

DB = Path("data/demo.db")
ARTICLES = 300


def start_replica(articles: int = ARTICLES, seed: int = 1) -> tuple[subprocess.Popen[str], str]:
    """The replica as a subprocess; returns it and its URL (its first stdout line)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.replica", "--port", "0", "--articles", str(articles),
         "--seed", str(seed)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("serving "):
        proc.kill()
        raise SystemExit(f"the replica did not start: {line!r}")
    return proc, line.split()[1]


def main() -> int:
    proc, url = start_replica()
    try:
        with urllib.request.urlopen(url + "__replica__/now", timeout=10) as resp:
            now = json.load(resp)["now"]
        print(f"replica of novinite.com: {url} ({ARTICLES} articles, clock {now})")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB}{suffix}").unlink(missing_ok=True)
        env = dict(os.environ, NEWSARCHIVE_NOW=now)
        exe = [sys.executable, "-m", "newsarchive.cli"]
        cmd = exe + ["crawl", "--db", str(DB), "--base-url", url, "--full", "--since",
                     "2011-01-01", "--delay", "0", "--concurrency", "16", "--timeout", "3"]
        print("$ newsarchive crawl --db data/demo.db --base-url", url,
              "--full --since 2011-01-01 --delay 0 --concurrency 16 --timeout 3")
        code = subprocess.call(cmd, env=env)
        if code:
            print(f"crawl exited {code}", file=sys.stderr)
            return code
        query = "homs AND rebels"
        print(f"\n$ newsarchive search '{query}' --db data/demo.db --limit 3")
        subprocess.call(exe + ["search", query, "--db", str(DB), "--limit", "3"], env=env)
        print("\nBrowse it:  .venv/bin/newsarchive serve --db data/demo.db   "
              "(Datasette on http://127.0.0.1:8001/archive/articles)")
        return 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
