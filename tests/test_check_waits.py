"""`check` right after a crawl is killed: the crawl's worker dies a few milliseconds after its
parent and may still hold the archive's write lock when `check` starts. The FTS checks need a
write transaction; they must wait for that lock (busy_timeout), not fail with "locked"."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from newsarchive.archive import Archive
from tests.test_archive import T0, make_article

#: Another process holding the write lock until it reads a line: a worker mid-group.
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE articles SET title = title")
print("held", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_check_waits_for_a_writer_instead_of_failing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.store(make_article("1"), run_id=None, now=T0)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    outcome: list[object] = []

    def check() -> None:
        try:
            with Archive(db, readonly=True) as reader:
                outcome.append(reader.check())
        except Exception as exc:  # noqa: BLE001 - the failure under test
            outcome.append(exc)

    thread = threading.Thread(target=check)
    thread.start()
    thread.join(timeout=1.5)  # bounded: the check must still be waiting for the lock
    still_waiting = thread.is_alive()
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.wait(timeout=30) == 0
    thread.join(timeout=30)
    assert still_waiting, f"check did not wait for the writer: {outcome}"
    assert outcome == [[]]
