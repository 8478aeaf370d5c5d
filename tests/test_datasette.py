"""`newsarchive serve`: Datasette over a real archive, in-process and as a real server.

In-process through `Datasette.client` (the same `make_datasette` the command uses); once as a
`newsarchive serve` subprocess on a free port, fetched over HTTP. Expectations come from plain
SQL on the same file.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsarchive import cli
from newsarchive.serve import make_datasette, metadata
from tests.helpers import ROOT, rows
from tests.test_cli_read import (
    EDITED_ID,
    EDITED_TITLES,
    EMPTY_DAY,
    SCRIPT_BODY,
    SEED_ID,
    SEED_TITLE,
    build_archive,
)

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW_SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory, make_replica_module: Any) -> Path:
    """A crawl of the replica plus the fixture articles (tests/test_cli_read.py), in a file
    whose name is neither "archive" nor URI-safe: the database is still /archive."""
    return build_archive(tmp_path_factory.mktemp("serve") / "crawl-2024 #1.db", make_replica_module)


class Client:
    """Datasette's in-process client on one event loop."""

    def __init__(self, db: Path) -> None:
        self.ds = make_datasette(db)
        self.loop = asyncio.new_event_loop()

    def get(self, path: str) -> Any:
        return self.loop.run_until_complete(self.ds.client.get(path))

    def json(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)


@pytest.fixture(scope="module")
def client(archive_db: Path) -> Iterator[Client]:
    made = Client(archive_db)
    yield made
    for database in made.ds.databases.values():
        database.close()
    made.loop.close()


def count(db: Path, sql: str, *params: Any) -> int:
    return rows(db, sql, *params)[0]["n"]


# ----------------------------------------------------------------------------------------------
# The database and its metadata


def test_the_database_is_named_archive_whatever_the_file(client: Client, archive_db: Path) -> None:
    databases = client.json("/-/databases.json")
    assert [d["name"] for d in databases] == ["archive"]
    assert databases[0]["path"] == str(archive_db.resolve())
    assert databases[0]["is_mutable"] is True  # mode=ro, never immutable: a crawl may write
    assert client.get("/archive/articles.json").status_code == 200
    assert client.get("/crawl-2024~20~231/articles.json").status_code == 404  # not the stem


def test_metadata_describes_the_archive(client: Client) -> None:
    meta = client.json("/-/metadata.json")
    assert meta["title"] == "newsarchive"
    assert meta["description"] and meta["source"] and meta["source_url"].startswith("https://")
    page = client.get("/archive/articles").text
    table = meta["databases"]["archive"]["tables"]["articles"]
    assert table["description"][:40] in page
    assert table["columns"]["published"] in page  # column descriptions are shown


def test_every_table_and_column_is_described(archive_db: Path) -> None:
    tables = metadata()["databases"]["archive"]["tables"]
    schema = rows(
        archive_db,
        "select m.name as tbl, p.name as col from sqlite_master m, pragma_table_info(m.name) p "
        "where m.type in ('table', 'view') and m.name not like 'articles_fts%' "
        "and m.name not like 'sqlite_%'",
    )
    assert schema
    for entry in schema:
        described = tables.get(entry["tbl"], {})
        assert described.get("description"), entry["tbl"]
        assert described.get("columns", {}).get(entry["col"]), (entry["tbl"], entry["col"])


def test_raw_html_is_hidden(client: Client) -> None:
    tables = {t["name"]: t for t in client.json("/archive.json")["tables"]}
    assert tables["raw_pages"]["hidden"] is True
    assert tables["site_state"]["hidden"] is True
    assert tables["articles"]["hidden"] is False
    kept = client.json("/archive/raw_pages.json?_shape=objects")  # the canned query
    assert kept["rows"] and "html" not in kept["columns"]
    assert all(row["compressed_bytes"] > 0 for row in kept["rows"])


def test_articles_are_newest_first(client: Client, archive_db: Path) -> None:
    data = client.json("/archive/articles.json?_shape=objects&_col=published&_size=1000")
    published = [row["published"] for row in data["rows"]]
    assert len(published) == count(archive_db, "select count(*) as n from articles")
    assert published == sorted(published, reverse=True)
    assert "sorted by published descending" in client.get("/archive/articles").text


# ----------------------------------------------------------------------------------------------
# Search and facets


def test_search_box_uses_the_fts_index(client: Client, archive_db: Path) -> None:
    found = client.json("/archive/articles.json?_search=homs&_shape=objects&_col=site_id")
    ids = {row["site_id"] for row in found["rows"]}
    assert SEED_ID in ids
    cli_hits = CliRunner().invoke(
        cli.main, ["search", "--db", str(archive_db), "homs", "--json", "--limit", "100"]
    )
    assert ids == {json.loads(line)["site_id"] for line in cli_hits.stdout.splitlines()}
    punctuated = client.json("/archive/articles.json?_search=Assad%27s&_shape=objects&_col=title")
    assert SEED_TITLE in [row["title"] for row in punctuated["rows"]]
    raw = client.json(
        "/archive/articles.json?_searchmode=raw&_search=homs+AND+rebels&_shape=objects&_col=id"
    )
    assert raw["rows"] and len(raw["rows"]) < len(found["rows"]) + 1


def test_facets_on_section_subsection_tags_and_month(client: Client, archive_db: Path) -> None:
    shown = client.json("/archive/articles.json?_size=1")["facet_results"]
    assert max(len(f["results"]) for f in shown.values()) == 8  # facet_size: rows stay in view
    facets = client.json("/archive/articles.json?_size=1&_facet_size=30")["facet_results"]
    assert {"site", "section", "subsection", "tags", "published"} <= set(facets)
    conn = sqlite3.connect(archive_db)
    sites = dict(conn.execute("SELECT site, COUNT(*) FROM articles GROUP BY site").fetchall())
    conn.close()
    assert {r["value"]: r["count"] for r in facets["site"]["results"]} == sites

    sections = {r["value"]: r["count"] for r in facets["section"]["results"]}
    assert sections == {
        r["section"]: r["n"]
        for r in rows(archive_db, "select section, count(*) as n from articles group by section")
    }
    assert facets["tags"]["type"] == "array"
    tags = {r["value"]: r["count"] for r in facets["tags"]["results"]}
    expected_tags = Counter(r["tag"] for r in rows(archive_db, "select tag from article_tags"))
    assert tags and all(expected_tags[tag] == n for tag, n in tags.items())
    assert len(tags) == min(len(expected_tags), 30)
    assert min(tags.values()) >= max([n for t, n in expected_tags.items() if t not in tags] or [0])
    assert facets["published"]["type"] == "month"
    months = [(r["value"], r["count"]) for r in facets["published"]["results"]]
    assert months == [
        (r["month"], r["n"])
        for r in rows(
            archive_db,
            "select substr(published, 1, 7) as month, count(*) as n from articles "
            "group by month order by month desc",
        )
    ]
    # A month's toggle filters the table on it.
    november = next(r for r in facets["published"]["results"] if r["value"] == "2024-11")
    path = november["toggle_url"].removeprefix("http://localhost")
    filtered = client.json(path.replace("_size=1", "_size=100") + "&_shape=objects")
    assert len(filtered["rows"]) == november["count"]
    assert all(row["published"].startswith("2024-11") for row in filtered["rows"])


# ----------------------------------------------------------------------------------------------
# Canned queries


def canned(client: Client, name: str, query: str = "") -> list[dict[str, Any]]:
    return client.json(f"/archive/{name}.json?_shape=array&{query}")


def test_canned_search_ranks_like_the_cli(client: Client) -> None:
    hits = canned(client, "search", "query=homs")
    assert hits[0]["title"] == SEED_TITLE
    assert "[Homs]" in hits[0]["snippet"]


def test_canned_latest_and_by_tag(client: Client, archive_db: Path) -> None:
    latest = canned(client, "latest_articles")
    newest = rows(archive_db, "select max(published) as p from articles")[0]["p"]
    assert latest[0]["published"] == newest
    assert [r["published"] for r in latest] == sorted(
        (r["published"] for r in latest), reverse=True
    )
    tagged = canned(client, "articles_by_tag", "tag=SYRIA")
    expected = rows(
        archive_db,
        "select distinct article_id from article_tags where tag = 'Syria' collate nocase",
    )
    assert tagged and {r["id"] for r in tagged} == {r["article_id"] for r in expected}


def test_canned_edited_articles_side_by_side(client: Client) -> None:
    changes = [r for r in canned(client, "edited_articles") if r["site_id"] == EDITED_ID]
    assert [(r["old_version"], r["new_version"]) for r in changes] == [(2, 3), (1, 2)]
    latest = changes[0]
    assert (latest["old_title"], latest["new_title"]) == EDITED_TITLES
    assert json.loads(latest["old_tags"]) == ["storm"]
    assert json.loads(latest["new_tags"]) == ["storm", "Varna"]
    assert "100 km/h" in changes[1]["old_body"] and "120 km/h" in changes[1]["new_body"]


def test_canned_runs_skips_months_and_empty_days(client: Client, archive_db: Path) -> None:
    runs = canned(client, "runs")
    assert len(runs) == count(archive_db, "select count(*) as n from runs")
    assert {r["status"] for r in runs} == {"ok"}
    skips = {(r["reason"], r["stage"]): r["pages"] for r in canned(client, "skips_by_reason")}
    assert skips[("http_404", "download")] == count(
        archive_db, "select count(*) as n from skips where reason = 'http_404'"
    )
    assert sum(skips.values()) == count(archive_db, "select count(*) as n from skips")
    months = canned(client, "articles_per_month")
    assert sum(r["articles"] for r in months) == count(
        archive_db, "select count(*) as n from articles"
    )
    gaps = canned(client, "days_without_articles")
    assert {
        "site": "example",
        "first_empty_day": EMPTY_DAY,
        "last_empty_day": EMPTY_DAY,
        "days": 1,
    } in gaps


# ----------------------------------------------------------------------------------------------
# Safety: nothing rendered as HTML, nothing written


def test_page_text_is_escaped_never_rendered(client: Client, archive_db: Path) -> None:
    article_id = rows(archive_db, "select id from articles where body = ?", SCRIPT_BODY)[0]["id"]
    plugins = client.json("/-/plugins.json")
    assert [p["name"] for p in plugins] == ["newsarchive.datasette"]  # no render_cell of others
    assert "render_cell" not in plugins[0]["hooks"]
    for path in (
        f"/archive/articles/{article_id}",
        "/archive/articles?_search=comment",
        "/archive?sql=select+body+from+articles+where+id+%3D+" + str(article_id),
    ):
        page = client.get(path).text
        assert ESCAPED_SCRIPT in page, path
        assert RAW_SCRIPT not in page, path


def test_served_read_only(client: Client, archive_db: Path) -> None:
    before = count(archive_db, "select count(*) as n from articles")
    database = client.ds.get_database("archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        client.run(database.execute_write("delete from articles"))
    refused = client.get("/archive.json?sql=delete+from+articles")
    assert refused.status_code == 400
    assert count(archive_db, "select count(*) as n from articles") == before


def test_served_while_a_crawl_writes(client: Client, archive_db: Path) -> None:
    writer = sqlite3.connect(archive_db, isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE articles SET title = 'half-written' WHERE site_id = ?", (SEED_ID,))
        started = time.monotonic()
        found = client.json("/archive/articles.json?_search=homs&_shape=objects&_col=title")
        assert SEED_TITLE in [row["title"] for row in found["rows"]]
        assert time.monotonic() - started < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# ----------------------------------------------------------------------------------------------
# The real command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited {process.returncode}: {process.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"serve did not listen on {port} within {timeout} s")


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def test_newsarchive_serve_over_http(archive_db: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsarchive.cli",
            "serve",
            "--db",
            str(archive_db),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        base = f"http://127.0.0.1:{port}"
        status, text = fetch(f"{base}/archive/articles.json?_search=homs&_shape=array&_col=title")
        assert status == 200
        assert SEED_TITLE in [row["title"] for row in json.loads(text)]
        status, page = fetch(f"{base}/archive/articles?_search=comment")
        assert status == 200 and ESCAPED_SCRIPT in page and RAW_SCRIPT not in page
        status, text = fetch(f"{base}/archive/edited_articles.json?_shape=array")
        assert any(row["site_id"] == EDITED_ID for row in json.loads(text))
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(f"{base}/archive/no_such_table")
        assert missing.value.code == 404
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert (
        out.splitlines()[0]
        == f"Serving {archive_db} at http://127.0.0.1:{port}/archive (Ctrl-C to stop)"
    )
    assert "Traceback" not in out + err  # a 404 is not dumped on the console


def test_serve_port_in_use_is_one_line_exit_1(archive_db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli.main, ["serve", "--db", str(archive_db), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: port {port} on 127.0.0.1 is already in use (choose another with --port)"
    )


def test_serve_refuses_what_is_not_an_archive(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table notes (x)")
    conn.close()
    for db in (tmp_path / "missing.db", other):
        result = CliRunner().invoke(cli.main, ["serve", "--db", str(db), "--port", "0"])
        assert result.exit_code == 5, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert str(db) in result.output
