"""newsarchive.archive against real SQLite files: schema, versions, search, safety, checks."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import types
import zlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from newsarchive import archive as archive_module
from newsarchive.archive import (
    SCHEMA_VERSION,
    Archive,
    ArchiveError,
    ArticleNotFound,
    NewerSchemaError,
    QueryError,
)
from newsarchive.archive import connection as connection_module
from newsarchive.archive import schema as schema_module
from newsarchive.archive.errors import archive_error
from newsarchive.items import Article
from newsarchive.text import content_hash

UTC = timezone.utc
SOFIA = timezone(timedelta(hours=2))
T0 = datetime(2024, 12, 7, 12, 0, tzinfo=UTC)
SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")


def make_article(
    site_id: str = "229777",
    *,
    title: str = "Syrian rebels take Homs",
    body: str = "Rebels entered the city.\n\nThe M5 highway is cut.",
    tags: list[str] | None = None,
    published: datetime = datetime(2024, 12, 6, 9, 6, tzinfo=UTC),
    section: str | None = "World",
    site: str = "novinite",
    html: str | None = None,
    url: str | None = None,
) -> Article:
    """An Article as the spider would hand it over."""
    return Article(
        site=site,
        site_id=site_id,
        url=url or f"https://www.novinite.com/articles/{site_id}/story",
        title=title,
        published=published,
        published_local=published.astimezone(SOFIA),
        body=body,
        section=section,
        subsection="Southeast Europe" if section == "World" else None,
        author=None,
        tags=["Syria", "Homs"] if tags is None else tags,
        sources=["Reuters"],
        image_url="https://www.novinite.com/media/images/x.jpg",
        html=html,
        fetched_at=T0 if html is not None else None,
        status=200 if html is not None else None,
    )


def row(path: Path, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
    """One row through a separate plain connection (what a user's SQL sees)."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute(sql, params).fetchone()
    return None if found is None else dict(found)


def raw_sql(path: Path, *statements: str) -> None:
    """Tamper with the file behind the archive's back."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "archive.db"


@pytest.fixture
def archive(db: Path):
    with Archive(db) as opened:
        yield opened


# --- schema and opening -------------------------------------------------------------------

ARTICLE_COLUMNS = [
    "id", "site", "site_id", "url", "title", "section", "subsection", "published",
    "published_local", "author", "body", "tags", "sources", "image_url", "word_count",
    "content_hash", "version", "first_seen", "last_seen", "last_changed", "run_id",
]  # fmt: skip


def test_schema_matches_design(archive: Archive, db: Path) -> None:
    conn = archive.conn
    assert [r["name"] for r in conn.execute("PRAGMA table_info(articles)")] == ARTICLE_COLUMNS
    notnull = {r["name"] for r in conn.execute("PRAGMA table_info(articles)") if r["notnull"]}
    assert notnull == {"site", "site_id", "url", "title", "published", "body"}
    assert [r["name"] for r in conn.execute("PRAGMA table_info(article_versions)")] == [
        "article_id", "version", "title", "body", "tags", "content_hash", "seen_from",
        "seen_until", "last_seen",
    ]  # fmt: skip
    assert [r["name"] for r in conn.execute("PRAGMA table_info(raw_pages)")] == [
        "article_id", "version", "url", "fetched_at", "status", "html",
    ]  # fmt: skip
    assert [r["name"] for r in conn.execute("PRAGMA table_info(runs)")] == [
        "id", "site", "started", "finished", "status", "mode", "requests", "articles_new",
        "articles_updated", "articles_unchanged", "skipped", "error", "pid", "args", "source",
    ]  # fmt: skip
    assert [r["name"] for r in conn.execute("PRAGMA table_info(skips)")] == [
        "run_id", "url", "stage", "reason", "detail", "at", "site", "site_id",
    ]  # fmt: skip
    pks = {
        table: [r["name"] for r in sorted(conn.execute(f"PRAGMA table_info({table})"), key=lambda r: r["pk"]) if r["pk"]]
        for table in ("articles", "article_versions", "raw_pages", "site_state")
    }  # fmt: skip
    assert pks == {
        "articles": ["id"],
        "article_versions": ["article_id", "version"],
        "raw_pages": ["article_id", "version"],
        "site_state": ["site", "key"],
    }
    unique = [
        [c["name"] for c in conn.execute(f"PRAGMA index_info('{i['name']}')")]
        for i in conn.execute("PRAGMA index_list(articles)")
        if i["unique"]
    ]
    assert ["site", "site_id"] in unique
    indexed = [
        [c["name"] for c in conn.execute(f"PRAGMA index_info('{i['name']}')")]
        for i in conn.execute("PRAGMA index_list(articles)")
    ]
    for columns in (["site", "published"], ["section", "published"], ["published"]):
        assert columns in indexed
    fts_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[
        0
    ]
    assert "USING FTS5" in fts_sql
    assert "tokenize='porter unicode61 remove_diacritics 2'" in fts_sql
    assert 'content="articles"' in fts_sql
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert archive.schema_version == SCHEMA_VERSION
    # The view of tags.
    archive.store(make_article(tags=["Syria", "Assad"]), run_id=None, now=T0)
    tags = conn.execute("SELECT tag FROM article_tags ORDER BY tag").fetchall()
    assert [t[0] for t in tags] == ["Assad", "Syria"]


SCHEMA_SQL = (
    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
)


def test_migrations_are_idempotent(db: Path) -> None:
    with Archive(db) as first:
        first.store(make_article(), run_id=None, now=T0)
        schema = [tuple(r) for r in first.conn.execute(SCHEMA_SQL)]
    for _ in range(2):
        with Archive(db) as again:
            assert again.schema_version == SCHEMA_VERSION
            assert [tuple(r) for r in again.conn.execute(SCHEMA_SQL)] == schema
            assert again.count_articles() == 1
            assert again.check() == []


def test_creates_parent_directories_and_empty_file_is_fine(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "archive.db"
    with Archive(nested) as created:
        assert created.count_articles() == 0
    assert nested.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with Archive(empty) as adopted:
        assert adopted.schema_version == SCHEMA_VERSION


def _siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_not_a_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    content = b"these are my notes, not a database\n" * 10
    bogus.write_bytes(content)
    before = _siblings(bogus)
    for readonly in (False, True):
        with pytest.raises(ArchiveError) as info:
            Archive(bogus, readonly=readonly)
        assert (
            str(info.value)
            == f"{bogus} is not a newsarchive archive (file is not a SQLite database)"
        )
    assert bogus.read_bytes() == content
    assert _siblings(bogus) == before


def test_another_programs_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    raw_sql(
        other,
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
        "INSERT INTO notes VALUES (1, 'x')",
    )
    content = other.read_bytes()
    with pytest.raises(ArchiveError, match="not a newsarchive archive .*notes"):
        Archive(other)
    assert other.read_bytes() == content
    assert row(other, "PRAGMA journal_mode")["journal_mode"] == "delete"


def test_newer_schema_is_refused_and_left_alone(db: Path) -> None:
    with Archive(db) as created:
        created.store(make_article(), run_id=None, now=T0)
    raw_sql(db, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    content = db.read_bytes()
    before = _siblings(db)
    for readonly in (False, True):
        with pytest.raises(NewerSchemaError, match="newer than this newsarchive knows"):
            Archive(db, readonly=readonly)
    assert db.read_bytes() == content
    assert _siblings(db) == before
    assert issubclass(NewerSchemaError, ArchiveError)


def test_readonly_archive(db: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        Archive(db, readonly=True)
    assert not db.exists()
    with Archive(db) as created:
        created.store(make_article(), run_id=None, now=T0)
    content = db.read_bytes()
    with Archive(db, readonly=True) as reader:
        assert reader.count_articles() == 1
        assert [hit["site_id"] for hit in reader.search("homs")] == ["229777"]
        assert reader.check() == []
        with pytest.raises(ArchiveError, match="read-only"):
            reader.store(make_article("1"), run_id=None, now=T0)
        with pytest.raises(ArchiveError, match="read-only"):
            reader.set_state("novinite", "k", "v")
    assert db.read_bytes() == content


def test_readonly_connection_error_is_converted(db: Path) -> None:
    """SQLite's own SQLITE_READONLY (not our guard) also becomes an ArchiveError."""
    with Archive(db) as created:
        created.store(make_article(), run_id=None, now=T0)
    with Archive(db, readonly=True) as reader:
        reader.readonly = False  # get past the guard: the mode=ro connection must refuse
        with pytest.raises(ArchiveError, match=r"is read-only \(while storing novinite 1\)"):
            reader.store(make_article("1"), run_id=None, now=T0)
        reader.readonly = True


def test_a_read_overtaken_by_a_writer_says_so_not_that_it_waited(tmp_path: Path) -> None:
    """SQLite refuses at once to turn a read into a write once another process has written
    (SQLITE_BUSY_SNAPSHOT): the message must not claim a wait that never happened."""
    path = tmp_path / "snap.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    other = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT * FROM t").fetchall()
    other.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO t VALUES (2)")
    error = archive_error(raised.value, "a.db", "checking", 30_000)
    assert isinstance(error, ArchiveError)
    assert "gave up" not in str(error) and "written by another process" in str(error)
    assert "while checking" in str(error) and "run it again" in str(error)


def test_locked_archive_gives_archive_error(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 100)
    with Archive(db) as writer:
        other = sqlite3.connect(db, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(ArchiveError, match="locked by another process"):
                writer.store(make_article(), run_id=None, now=T0)
            # Readers never wait on a writer (WAL).
            assert writer.count_articles() == 0
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert writer.store(make_article(), run_id=None, now=T0) == "new"


def test_full_disk_gives_archive_error_and_leaves_archive_consistent(archive: Archive) -> None:
    for i in range(3):
        archive.store(make_article(str(i), html="<p>page</p>"), run_id=None, now=T0)
    before = list(archive.export())
    pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
    archive.conn.execute(f"PRAGMA max_page_count = {pages}")
    huge = " ".join(f"word{i}" for i in range(60_000))
    with pytest.raises(ArchiveError, match=r"^disk full while writing .*archive\.db"):
        archive.store(make_article("99", body=huge, html=huge), run_id=None, now=T0)
    with pytest.raises(ArchiveError, match="disk full"):
        archive.store(make_article("1", body=huge), run_id=None, now=T0 + timedelta(hours=1))
    assert not archive.conn.in_transaction
    archive.conn.execute("PRAGMA max_page_count = 1073741823")
    assert list(archive.export()) == before
    assert archive.check() == []
    assert archive.store(make_article("99", body=huge), run_id=None, now=T0) == "new"
    assert archive.check() == []


# --- store: new / unchanged / updated -------------------------------------------------------


def test_new_article_row(archive: Archive, db: Path) -> None:
    run_id = archive.start_run("novinite", "incremental", {"limit": 5}, 123, T0)
    article = make_article(html="<html><body>Rebels entered the city.</body></html>")
    assert archive.store(article, run_id=run_id, now=T0) == "new"
    stored = row(db, "SELECT * FROM articles")
    assert stored == {
        "id": 1,
        "site": "novinite",
        "site_id": "229777",
        "url": "https://www.novinite.com/articles/229777/story",
        "title": "Syrian rebels take Homs",
        "section": "World",
        "subsection": "Southeast Europe",
        "published": "2024-12-06T09:06:00Z",
        "published_local": "2024-12-06T11:06:00+02:00",
        "author": None,
        "body": "Rebels entered the city.\n\nThe M5 highway is cut.",
        "tags": '["Syria", "Homs"]',
        "sources": '["Reuters"]',
        "image_url": "https://www.novinite.com/media/images/x.jpg",
        "word_count": 9,
        "content_hash": content_hash(article.title, article.body, article.tags),
        "version": 1,
        "first_seen": "2024-12-07T12:00:00Z",
        "last_seen": "2024-12-07T12:00:00Z",
        "last_changed": "2024-12-07T12:00:00Z",
        "run_id": run_id,
    }
    page = row(db, "SELECT * FROM raw_pages")
    assert page is not None
    assert zlib.decompress(page.pop("html")).decode() == article.html
    assert page == {
        "article_id": 1,
        "version": 1,
        "url": article.url,
        "fetched_at": "2024-12-07T12:00:00Z",
        "status": 200,
    }


def test_unchanged_moves_only_last_seen(archive: Archive, db: Path) -> None:
    first_run = archive.start_run("novinite", "incremental", {}, 1, T0)
    archive.store(make_article(html="<p>v1</p>"), run_id=first_run, now=T0)
    before = row(db, "SELECT * FROM articles")
    pages_before = row(db, "SELECT COUNT(*) AS n, MAX(fetched_at) AS f FROM raw_pages")
    later = T0 + timedelta(hours=5)
    second_run = archive.start_run("novinite", "incremental", {}, 2, later)
    # Same content; even another URL form and fresh HTML change nothing but last_seen.
    again = make_article(html="<p>v1 again</p>", url="https://www.novinite.com/articles/229777")
    assert archive.store(again, run_id=second_run, now=later) == "unchanged"
    after = row(db, "SELECT * FROM articles")
    assert after is not None and before is not None
    assert after.pop("last_seen") == "2024-12-07T17:00:00Z"
    before.pop("last_seen")
    assert after == before
    assert row(db, "SELECT COUNT(*) AS n, MAX(fetched_at) AS f FROM raw_pages") == pages_before
    assert row(db, "SELECT COUNT(*) AS n FROM article_versions") == {"n": 0}
    # last_seen never moves backwards (a replay with an older clock).
    archive.store(again, run_id=second_run, now=T0)
    assert row(db, "SELECT last_seen FROM articles") == {"last_seen": "2024-12-07T17:00:00Z"}
    assert archive.check() == []


def test_updated_keeps_old_version_and_search_follows(archive: Archive, db: Path) -> None:
    archive.store(make_article(html="<p>v1</p>"), run_id=None, now=T0)
    first = row(db, "SELECT * FROM articles")
    assert first is not None
    later = T0 + timedelta(hours=3)
    run_id = archive.start_run("novinite", "incremental", {}, 1, later)
    edited = make_article(
        title="Syrian rebels take Hama",
        body="Insurgents entered Hama overnight.\n\nThe M5 highway is cut.",
        tags=["Syria", "Hama"],
        html="<p>v2</p>",
        url="https://www.novinite.com/articles/229777/new-slug",
    )
    assert archive.store(edited, run_id=run_id, now=later) == "updated"
    current = row(db, "SELECT * FROM articles")
    assert current is not None
    assert current["id"] == first["id"]
    assert current["version"] == 2
    assert current["title"] == "Syrian rebels take Hama"
    assert current["url"].endswith("/new-slug")
    assert current["tags"] == '["Syria", "Hama"]'
    assert current["word_count"] == 9
    assert current["first_seen"] == first["first_seen"]
    assert current["last_changed"] == current["last_seen"] == "2024-12-07T15:00:00Z"
    assert current["run_id"] == run_id
    assert current["content_hash"] == content_hash(edited.title, edited.body, edited.tags)
    old = row(db, "SELECT * FROM article_versions")
    assert old == {
        "article_id": first["id"],
        "version": 1,
        "title": first["title"],
        "body": first["body"],
        "tags": first["tags"],
        "content_hash": first["content_hash"],
        "seen_from": "2024-12-07T12:00:00Z",
        "seen_until": "2024-12-07T15:00:00Z",
        "last_seen": None,  # a crawl's old version was current until seen_until (schema 3)
    }
    assert [(p["version"], p["html"]) for p in archive.raw_pages(latest_only=False)] == [
        (1, "<p>v1</p>"),
        (2, "<p>v2</p>"),
    ]
    assert [p["version"] for p in archive.raw_pages()] == [2]
    # The new text is searchable, the old one is not.
    assert [h["site_id"] for h in archive.search("insurgents")] == ["229777"]
    assert [h["site_id"] for h in archive.search("hama")] == ["229777"]
    assert archive.search("homs") == []
    assert archive.search("rebels") != []  # still in the title
    assert archive.check() == []
    # Back to the first text: a third version, not a resurrection of version 1.
    assert (
        archive.store(make_article(html="<p>v3</p>"), run_id=run_id, now=later + timedelta(hours=1))
        == "updated"
    )
    assert row(db, "SELECT version FROM articles") == {"version": 3}
    assert [h["site_id"] for h in archive.search("homs")] == ["229777"]
    assert archive.search("insurgents") == []
    assert archive.check() == []


def test_identity_is_site_and_site_id(archive: Archive) -> None:
    assert archive.store(make_article("1"), run_id=None, now=T0) == "new"
    assert archive.store(make_article("1", site="other"), run_id=None, now=T0) == "new"
    assert archive.store(make_article("1", url="https://x/1/b"), run_id=None, now=T0) == "unchanged"
    assert archive.count_articles() == 2
    assert archive.count_articles("novinite") == 1


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def corpus(archive: Archive) -> Archive:
    stories = [
        ("100", "Ceasefire agreed in Homs", "Talks ended late.", ["Syria"], "World", 1),
        ("101", "Markets calm", "Traders shrugged off the ceasefire news; ceasefire talk was everywhere.", ["Economy"], "Business", 2),
        ("102", "U.S. envoy meets Assad's aides", "The envoy drove along the M5 highway to Damascus.", ["Syria", "USA"], "World", 3),
        ("103", "Iran and Syria sign deal", "The rebels objected to the Syria deal.", ["Iran"], "World", 4),
        ("104", "Rebels advance", "Rebel fighters reached the outskirts of Homs.", ["Syria"], "World", 5),
        ("105", "Café culture in Sofia", "A résumé of Bulgarian coffee habits.", ["Bulgaria"], "Lifestyle", 6),
    ]  # fmt: skip
    for site_id, title, body, tags, section, day in stories:
        published = datetime(2024, 12, day, 10, 0, tzinfo=UTC)
        archive.store(
            make_article(
                site_id, title=title, body=body, tags=tags, section=section, published=published
            ),
            run_id=None,
            now=T0,
        )
    return archive


def ids(hits: list[dict[str, Any]]) -> list[str]:
    return [hit["site_id"] for hit in hits]


def test_search_ranks_title_above_body(corpus: Archive) -> None:
    hits = corpus.search("ceasefire")
    assert ids(hits) == ["100", "101"]
    assert hits[0]["title"] == "Ceasefire agreed in Homs"
    assert set(hits[0]) >= {
        "published",
        "section",
        "title",
        "url",
        "site",
        "site_id",
        "tags",
        "snippet",
    }
    assert hits[0]["tags"] == ["Syria"]
    assert "[ceasefire]" in hits[1]["snippet"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("U.S.", ["102"]),
        ("u.s. envoy", ["102"]),
        ("M5", ["102"]),
        ("Assad's", ["102"]),
        ("M5-highway", ["102"]),
        ("cafe", ["105"]),  # diacritics folded
        ("resume", ["105"]),
        ("advancing", ["104"]),  # porter stemming
        ("Homs, rebels!", ["104"]),
    ],
)
def test_search_plain_words_with_punctuation(
    corpus: Archive, query: str, expected: list[str]
) -> None:
    assert ids(corpus.search(query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("homs AND rebels", ["104"]),
        ('"M5 highway"', ["102"]),
        ("syria NOT iran", {"100", "102", "104"}),
        ("reb*", {"103", "104"}),
        ("title:homs", ["100"]),
        ("homs OR hama", {"100", "104"}),
    ],
)
def test_search_fts5_syntax(corpus: Archive, query: str, expected: list[str] | set[str]) -> None:
    found = ids(corpus.search(query))
    assert (set(found) if isinstance(expected, set) else found) == expected


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("AND (", "unbalanced parenthesis"),
        ('"M5 highway', "unbalanced double quote"),
        ("NEAR(", "unbalanced parenthesis"),
        ("*", '"*" must end a word'),
        ("homs AND", "unexpected end of query"),
        ("nope:homs AND rebels", 'unknown column "nope"'),
        ("", "empty search query"),
        ("&", "no words to search for"),
    ],
)
def test_malformed_queries_raise_query_error(corpus: Archive, query: str, reason: str) -> None:
    with pytest.raises(QueryError) as info:
        corpus.search(query)
    message = str(info.value)
    assert reason in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)
    if query.strip() and query != "&":
        assert message.startswith(f'bad search query "{query}": ')


def test_search_filters(corpus: Archive) -> None:
    assert ids(corpus.search("syria", section="World", tag="iran")) == ["103"]
    assert set(ids(corpus.search("syria", tag="SYRIA"))) == {"100", "102", "104"}
    assert ids(corpus.search("syria", site="elsewhere")) == []
    assert set(ids(corpus.search("syria", since=date(2024, 12, 3)))) == {"102", "103", "104"}
    assert set(ids(corpus.search("syria", until=date(2024, 12, 3)))) == {"100", "102"}
    assert ids(corpus.search("syria", since=date(2024, 12, 4), until=date(2024, 12, 4))) == ["103"]
    assert len(corpus.search("syria", limit=2)) == 2


def test_sqlite_utils_cli_search_agrees(corpus: Archive, db: Path) -> None:
    for query in ("ceasefire", "homs", "syria NOT iran"):
        result = subprocess.run(
            [str(SQLITE_UTILS), "search", str(db), "articles", query, "-c", "site_id"],
            capture_output=True,
            text=True,
            check=True,
        )
        cli = {r["site_id"] for r in json.loads(result.stdout)}
        assert cli == set(ids(corpus.search(query))), query
        assert cli


def test_datasette_search_box(corpus: Archive, db: Path) -> None:
    from datasette.app import Datasette

    async def fetch(query: str) -> tuple[int, list[dict[str, Any]]]:
        ds = Datasette([str(db)])
        await ds.invoke_startup()
        response = await ds.client.get(
            "/archive/articles.json", params={"_search": query, "_shape": "array"}
        )
        return response.status_code, response.json()

    status, rows = asyncio.run(fetch("ceasefire"))
    assert status == 200
    assert {r["site_id"] for r in rows} == {"100", "101"}
    status, rows = asyncio.run(fetch("U.S. envoy"))
    assert status == 200
    assert [r["site_id"] for r in rows] == ["102"]


# --- search at scale: schema 2, plans, ties ---------------------------------------------------


def test_fts_table_has_prefix_indexes_and_bm25_rank(corpus: Archive, db: Path) -> None:
    conn = corpus.conn
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert "prefix='3 4'" in sql
    rank = conn.execute("SELECT v FROM articles_fts_config WHERE k = 'rank'").fetchone()[0]
    assert rank == archive_module.FTS_RANK == "bm25(10.0, 1.0, 5.0)"
    # sqlite-utils orders by the configured rank: the same order as ours, title match first.
    result = subprocess.run(
        [str(SQLITE_UTILS), "search", str(db), "articles", "ceasefire", "-c", "site_id"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [r["site_id"] for r in json.loads(result.stdout)] == ["100", "101"]


MIGRATION_QUERIES = ("homs", "reb*", "rebel*", "syria NOT iran", '"M5 highway"', "title:homs")


def test_schema_1_archive_is_migrated_in_place(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as old_code:  # what the previous release created
        old_code.setattr(schema_module, "MIGRATIONS", schema_module.MIGRATIONS[:1])
        old_code.setattr(schema_module, "SCHEMA_VERSION", 1)
        with Archive(db) as v1:
            for number, title in enumerate(("Rebels take Homs", "Rebellion in Hama", "Calm")):
                v1.store(make_article(str(number), title=title), run_id=None, now=T0)
            assert v1.schema_version == 1
            before = {
                query: [hit["site_id"] for hit in v1.search(query)] for query in MIGRATION_QUERIES
            }
    assert (
        "prefix" not in row(db, "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")["sql"]
    )
    with pytest.raises(ArchiveError, match=f"needs upgrading to {SCHEMA_VERSION}"):
        Archive(db, readonly=True)
    with Archive(db) as v2:
        assert v2.schema_version == SCHEMA_VERSION
        conn = v2.conn
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
        assert "prefix='3 4'" in sql[0]
        assert 'content="articles"' in sql[0]
        assert conn.execute("SELECT v FROM articles_fts_config WHERE k = 'rank'").fetchone()[0]
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
        after = {query: [hit["site_id"] for hit in v2.search(query)] for query in MIGRATION_QUERIES}
        assert after == before
        assert after["reb*"] and after["homs"]
        assert v2.check() == []
        # The schema-1 triggers feed the new index: insert and update.
        v2.store(make_article("9", title="Zebras cross the Danube"), run_id=None, now=T0)
        assert [hit["site_id"] for hit in v2.search("zebr*")] == ["9"]
        v2.store(make_article("9", title="Giraffes cross the Danube"), run_id=None, now=T0)
        assert v2.search("zebr*") == []
        assert [hit["site_id"] for hit in v2.search("gira*")] == ["9"]
        assert v2.check() == []
    with Archive(db, readonly=True) as reader:
        assert [hit["site_id"] for hit in reader.search("gira*")] == ["9"]


@pytest.mark.parametrize("filter_set_max", [20_000, 1])
def test_search_plans_agree(
    corpus: Archive, monkeypatch: pytest.MonkeyPatch, filter_set_max: int
) -> None:
    """The staged plan (ids from the index, then the hits) returns exactly what the one-query
    plan returns, with filters as a set of ids or (broad filters) checked per row."""
    monkeypatch.setattr(Archive, "_FILTER_SET_MAX", filter_set_max)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("syria", {}),
        ("syria", {"section": "WORLD"}),
        ("syria", {"tag": "SYRIA"}),
        ("syria", {"section": "World", "tag": "iran"}),
        ("syria", {"since": date(2024, 12, 3), "until": "2024-12-04"}),
        ("syria", {"site": "novinite"}),
        ("syria", {"site": "elsewhere"}),
        ("syria", {"section": "Nowhere"}),
        ("reb*", {}),
        ("rebe*", {}),
        ("re*", {}),  # a prefix length without its own index
        ('"rebel fig"*', {}),
        ("u.s. envoy", {}),
    ]
    for query, filters in cases:
        whole = corpus.search(query, limit=None, **filters)
        for limit in (1, 2, 10):
            assert corpus.search(query, limit=limit, **filters) == whole[:limit], (query, filters)
    assert len(corpus.search("syria", section="WORLD")) == 4
    assert corpus.search("syria", section="Nowhere") == []


def test_search_tag_without_words(archive: Archive) -> None:
    archive.store(make_article("1", tags=["!!", "Syria"]), run_id=None, now=T0)
    archive.store(make_article("2", tags=['say "hi"']), run_id=None, now=T0)
    assert [hit["site_id"] for hit in archive.search("homs", tag="!!")] == ["1"]
    assert [hit["site_id"] for hit in archive.search("homs", tag='SAY "hi"')] == ["2"]


def test_search_equal_ranks_are_newest_first_across_the_limit(archive: Archive) -> None:
    # 40 identical articles rank alike; their ids do not follow their dates.
    for number in range(40):
        published = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=number * 7 % 40)
        archive.store(
            make_article(str(1000 + number), title="Twin story", published=published),
            run_id=None,
            now=T0,
        )
    newest = [
        r[0]
        for r in archive.conn.execute(
            "SELECT site_id FROM articles ORDER BY published DESC LIMIT 12"
        )
    ]
    for limit in (1, 10, 12):
        hits = archive.search("twin", limit=limit)
        assert [hit["site_id"] for hit in hits] == newest[:limit]
        assert len({hit["rank"] for hit in hits}) == 1
    assert [h["site_id"] for h in archive.search("twin", limit=None)][:12] == newest


# --- runs, skips, state, crawler reads --------------------------------------------------------


def test_runs_lifecycle(archive: Archive) -> None:
    crashed = archive.start_run("novinite", "incremental", {"since": date(2024, 12, 1)}, 111, T0)
    assert archive.running_run() == {
        "id": crashed, "site": "novinite", "pid": 111, "started": "2024-12-07T12:00:00Z",
        "mode": "incremental",
    }  # fmt: skip
    later = T0 + timedelta(hours=1)
    assert archive.mark_interrupted(later) == 1
    assert archive.mark_interrupted(later) == 0
    assert archive.running_run() is None
    run_id = archive.start_run("novinite", "full", {"full": True}, 222, later)
    archive.finish_run(
        run_id, status="ok", finished=later + timedelta(minutes=2), requests=41, new=12,
        updated=3, unchanged=480, skipped=2,
    )  # fmt: skip
    last = archive.last_ok_run("novinite")
    assert last is not None
    assert last["id"] == run_id
    assert last["args"] == {"full": True}
    assert (last["requests"], last["articles_new"], last["articles_updated"]) == (41, 12, 3)
    assert (last["articles_unchanged"], last["skipped"], last["status"]) == (480, 2, "ok")
    assert archive.last_ok_run("other") is None
    runs = archive.runs(10)
    assert [r["id"] for r in runs] == [run_id, crashed]
    assert runs[1]["status"] == "interrupted"
    assert runs[1]["args"] == {"since": "2024-12-01"}
    with pytest.raises(ValueError):
        archive.finish_run(
            run_id,
            status="done",
            finished=later,
            requests=0,
            new=0,
            updated=0,
            unchanged=0,
            skipped=0,
        )


def test_skips_and_state(archive: Archive) -> None:
    run_id = archive.start_run("novinite", "incremental", {}, 1, T0)
    archive.record_skip(
        run_id=run_id,
        url="https://x/5",
        stage="download",
        reason="http_404",
        detail="Not Found",
        at=T0,
        site="novinite",
        site_id="5",
    )
    archive.record_skip(
        run_id=run_id,
        url="https://x/5",
        stage="download",
        reason="http_404",
        detail="Not Found",
        at=T0 + timedelta(hours=2),
        site="novinite",
        site_id="5",
    )
    archive.record_skip(
        run_id=run_id, url="https://x/feed", stage="extract", reason="no_date", detail="", at=T0
    )
    assert {k: v["at"] for k, v in archive.skip_history("novinite", ["5", "6"]).items()} == {
        "5": "2024-12-07T14:00:00Z"
    }
    assert archive.stats()["skips"] == [
        {"reason": "http_404", "count": 2},
        {"reason": "no_date", "count": 1},
    ]
    assert archive.get_state("novinite", "coverage") is None
    archive.set_state("novinite", "coverage", "2024-12-01")
    archive.set_state("novinite", "coverage", "2024-11-01")
    assert archive.get_state("novinite", "coverage") == "2024-11-01"
    assert archive.get_state("other", "coverage") is None


def test_known_and_recent(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "BATCH", 2)  # exercise the chunked IN lists
    for i in range(5):
        published = T0 - timedelta(hours=10 * i)
        archive.store(
            make_article(str(i), title=f"Story {i}", published=published), run_id=None, now=T0
        )
    edited = make_article("0", title="Story 0 edited", published=T0)
    archive.store(edited, run_id=None, now=T0 + timedelta(hours=1))
    known = archive.known("novinite", ["0", "1", "3", "4", "9", "3"])
    assert set(known) == {"0", "1", "3", "4"}
    assert known["0"]["version"] == 2
    assert known["0"]["title"] == "Story 0 edited"
    assert known["3"] == {
        "id": 4, "title": "Story 3", "url": "https://www.novinite.com/articles/3/story",
        "published": "2024-12-06T06:00:00Z", "last_seen": "2024-12-07T12:00:00Z", "version": 1,
        "content_hash": content_hash("Story 3", make_article().body, ["Syria", "Homs"]),
    }  # fmt: skip
    assert archive.known("other", ["1"]) == {}
    recent = archive.recent("novinite", T0 - timedelta(hours=20))
    assert [r["site_id"] for r in recent] == ["0", "1", "2"]
    assert set(recent[0]) == {"site_id", "url", "title", "published", "last_seen"}


def test_id_gaps(archive: Archive) -> None:
    assert archive.id_gaps("novinite") == []
    for site_id in ("100", "101", "104", "110"):
        archive.store(make_article(site_id), run_id=None, now=T0)
    archive.store(make_article("not-a-number"), run_id=None, now=T0)
    archive.store(make_article("103", site="other"), run_id=None, now=T0)
    archive.record_skip(
        run_id=None,
        url="u",
        stage="download",
        reason="http_404",
        detail="",
        at=T0,
        site="novinite",
        site_id="105",
    )
    archive.record_skip(
        run_id=None,
        url="u",
        stage="download",
        reason="http_404",
        detail="",
        at=T0,
        site="novinite",
        site_id="999",
    )
    assert archive.id_gaps("novinite") == [102, 103, 106, 107, 108, 109]
    assert archive.id_gaps("novinite", limit=3) == [102, 103, 106]
    assert archive.id_gaps("novinite", limit=2, newest_first=True) == [109, 108]
    assert archive.id_gaps("other") == []
    site = next(s for s in archive.stats()["sites"] if s["site"] == "novinite")
    assert site["id_gaps"] == 6


# --- users' reads -----------------------------------------------------------------------------


def test_stats(corpus: Archive) -> None:
    corpus.start_run("novinite", "incremental", {}, 1, T0)
    stats = corpus.stats()
    assert stats["articles"] == 6
    assert stats["sites"] == [
        {
            "site": "novinite", "articles": 6, "first_published": "2024-12-01T10:00:00Z",
            "last_published": "2024-12-06T10:00:00Z", "empty_days": [], "id_gaps": 0,
        }
    ]  # fmt: skip
    sections = {(s["site"], s["section"]): s["articles"] for s in stats["sections"]}
    assert sections == {
        ("novinite", "World"): 4,
        ("novinite", "Business"): 1,
        ("novinite", "Lifestyle"): 1,
    }
    assert stats["months"] == [{"site": "novinite", "month": "2024-12", "articles": 6}]
    assert [r["status"] for r in stats["runs"]] == ["running"]
    late = make_article("106", published=datetime(2024, 12, 9, 1, tzinfo=UTC))
    corpus.store(late, run_id=None, now=T0)
    assert corpus.stats()["sites"][0]["empty_days"] == ["2024-12-07", "2024-12-08"]
    json.dumps(corpus.stats())  # JSON-ready for `stats --json`


def test_history(archive: Archive) -> None:
    v1 = make_article(html="<p>1</p>", url="https://www.novinite.com/articles/229777/first-slug")
    archive.store(v1, run_id=None, now=T0)
    v2 = make_article(title="Second title", html="<p>2</p>")
    archive.store(v2, run_id=None, now=T0 + timedelta(hours=1))
    v3 = make_article(title="Third title", body="All new.", html="<p>3</p>")
    archive.store(v3, run_id=None, now=T0 + timedelta(hours=2))
    archive.store(make_article("5"), run_id=None, now=T0)
    history = archive.history("229777")
    assert history["article"]["version"] == 3
    assert history["article"]["tags"] == ["Syria", "Homs"]
    versions = history["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["title"] for v in versions] == [
        "Syrian rebels take Homs",
        "Second title",
        "Third title",
    ]
    assert [(v["seen_from"], v["seen_until"]) for v in versions] == [
        ("2024-12-07T12:00:00Z", "2024-12-07T13:00:00Z"),
        ("2024-12-07T13:00:00Z", "2024-12-07T14:00:00Z"),
        ("2024-12-07T14:00:00Z", None),
    ]
    assert versions[0]["url"].endswith("/first-slug")
    article_id = history["article"]["id"]
    for ref in (v3.url, v1.url, f"id:{article_id}", "novinite:229777", f" {v3.url} "):
        assert archive.history(ref)["article"]["id"] == article_id, ref
    other_id = archive.history("5")["article"]["id"]
    assert archive.history(str(other_id))["article"]["site_id"] == "5"  # no site_id "2": an id
    with pytest.raises(ArticleNotFound, match="no article"):
        archive.history("https://example.com/none")
    with pytest.raises(ArticleNotFound):
        archive.history("424242")


def test_export_streams_in_order(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "BATCH", 3)
    for i in range(10):
        published = datetime(2024, 12, 1, tzinfo=UTC) + timedelta(hours=7 * (9 - i))
        archive.store(make_article(str(i), published=published), run_id=None, now=T0)
    stream = archive.export()
    assert isinstance(stream, types.GeneratorType)
    first = next(stream)
    assert first["site_id"] == "9"
    assert first["tags"] == ["Syria", "Homs"]
    assert first["sources"] == ["Reuters"]
    rest = list(stream)
    assert [r["site_id"] for r in rest] == [str(i) for i in range(8, -1, -1)]
    assert [r["published"] for r in [first, *rest]] == sorted(
        r["published"] for r in [first, *rest]
    )
    window = list(archive.export(since=date(2024, 12, 2), until=date(2024, 12, 2)))
    assert {r["published"][:10] for r in window} == {"2024-12-02"}
    assert len(window) == 3


def test_raw_pages_stream(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "BATCH", 2)
    for i in range(5):
        archive.store(make_article(str(i), html=f"<p>page {i} é</p>"), run_id=None, now=T0)
    archive.store(make_article("6"), run_id=None, now=T0)  # no page kept
    pages = archive.raw_pages()
    assert isinstance(pages, types.GeneratorType)
    records = []
    for page in pages:  # storing new versions while streaming does not revisit them
        records.append(page)
        archive.store(
            make_article(page["site_id"], title="v2", html=page["html"]), run_id=None, now=T0
        )
    assert [(r["site_id"], r["version"], r["html"]) for r in records] == [
        (str(i), 1, f"<p>page {i} é</p>") for i in range(5)
    ]
    assert set(records[0]) == {
        "article_id",
        "version",
        "url",
        "fetched_at",
        "status",
        "html",
        "site",
        "site_id",
    }
    assert len(list(archive.raw_pages(latest_only=False))) == 10
    assert archive.check() == []


# --- check ------------------------------------------------------------------------------------


def test_check_detects_broken_invariants(archive: Archive, db: Path) -> None:
    archive.store(make_article("1", html="<p>1</p>"), run_id=None, now=T0)
    archive.store(make_article("1", title="changed", html="<p>2</p>"), run_id=None, now=T0)
    archive.store(make_article("2", html="<p>x</p>"), run_id=None, now=T0)
    archive.store(make_article("3"), run_id=None, now=T0)
    assert archive.check() == []

    raw_sql(db, "UPDATE articles SET content_hash = 'bad' WHERE site_id = '3'")
    problems = archive.check()
    assert len(problems) == 1
    assert "content_hash does not match" in problems[0] and ": 3" in problems[0]
    raw_sql(
        db,
        "UPDATE articles SET content_hash = ? WHERE site_id = '3'".replace(
            "?",
            repr(content_hash("Syrian rebels take Homs", make_article().body, ["Syria", "Homs"])),
        ),
    )
    assert archive.check() == []

    raw_sql(
        db,
        "DELETE FROM article_versions WHERE article_id = 1",
        "DELETE FROM raw_pages WHERE article_id = 2",
        "INSERT INTO raw_pages (article_id, version, html) VALUES (3, 7, NULL)",
        "UPDATE articles SET published = '2024-12-06 09:06' WHERE site_id = '2'",
    )
    problems = archive.check()
    joined = "\n".join(problems)
    assert "not exactly 1..version-1 (id): 1" in joined
    assert "none for the current version (id): 3" in joined
    assert "not YYYY-MM-DDTHH:MM:SSZ (id): 2" in joined
    assert len(problems) == 3


def test_check_detects_stale_fts(archive: Archive, db: Path) -> None:
    archive.store(make_article("1"), run_id=None, now=T0)
    raw_sql(db, "DROP TRIGGER articles_au", "UPDATE articles SET title = 'zebra' WHERE id = 1")
    problems = archive.check()
    assert any("full-text index" in p for p in problems), problems
    with Archive(db, readonly=True) as reader:  # `newsarchive check` opens read-only
        assert any("full-text index" in p for p in reader.check())
