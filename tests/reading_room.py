"""The reading room under test: a crawled archive with an edit, served by `newsarchive serve`.

`edited_archive` crawls a replica (the seed article included), advances its clock with new and
edited articles and crawls again, once per session (memoised): the HTTP tests
(tests/test_datasette_reading.py) and the browser tests (tests/test_browser.py) read the same
file. `served` runs ``newsarchive serve --port 0`` on it and gives its base URL.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.helpers import crawl, rows, start_cli

SEED_ID = "229777"
REPLICA = {"articles": 60, "seed": 1, "eras": False}

_built: dict[str, dict[str, Any]] = {}


def edited_archive(directory: Path, make_replica: Any) -> dict[str, Any]:
    """The archive and what the tests expect of it: ``db``, ``seed`` (archive id),
    ``seed_paragraphs`` (the replica's truth), ``edited`` (archive id of an article with two
    versions), ``old_body``/``new_body`` of it, ``months`` (per site: months with articles)."""
    if "archive" in _built:
        return _built["archive"]
    replica = make_replica(**REPLICA)
    db = directory / "reading.db"
    first = crawl(replica, db, "--full", "--since", "2024-11-01")
    assert first.returncode == 0, first.stdout + first.stderr
    seed_truth = replica.truth_of(SEED_ID)
    replica.advance(hours=2, publish=3, edit=4)
    second = crawl(replica, db)
    assert second.returncode == 0, second.stdout + second.stderr
    edits = rows(
        db,
        "select v.article_id as id, v.body as old_body, a.body as new_body from article_versions v "
        "join articles a on a.id = v.article_id where a.body != v.body order by v.article_id",
    )
    assert edits, "the second crawl stored no edited body"
    months: dict[str, list[str]] = {}
    for row in rows(db, "select distinct site, substr(published, 1, 7) as m from articles"):
        months.setdefault(row["site"], []).append(row["m"])
    _built["archive"] = {
        "db": db,
        "seed": rows(db, "select id from articles where site_id = ?", SEED_ID)[0]["id"],
        "seed_paragraphs": [p for p in seed_truth["body"].split("\n\n") if p.strip()],
        "edited": edits[0]["id"],
        "old_body": edits[0]["old_body"],
        "new_body": edits[0]["new_body"],
        "months": months,
    }
    return _built["archive"]


@contextmanager
def served(db: Path) -> Iterator[str]:
    """``newsarchive serve --db DB --port 0`` running; yields ``http://127.0.0.1:PORT``."""
    proc = start_cli("serve", "--db", str(db), "--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Serving "), line
        yield line.split(" at ", 1)[1].split("/archive", 1)[0]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err


def get(url: str) -> tuple[int, str, str]:
    """(status, content type, text) of a GET, errors included. The server accepted its socket
    before printing its address, so the first request waits in the backlog, never refused."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["content-type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["content-type"], exc.read().decode()


def get_json(url: str) -> Any:
    status, _, text = get(url)
    assert status == 200, (url, status, text[:300])
    return json.loads(text)
