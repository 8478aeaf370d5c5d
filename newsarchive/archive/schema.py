"""The archive's schema: its constants, DDL and numbered, named migrations.

The schema is DESIGN.md's "Archive schema"; `PRAGMA user_version` is the schema version and
numbered, named migrations bring an older file up to date (add a function and one
`Migration(...)` line to `MIGRATIONS` to make the next version), kept apart from the code that uses
the tables, as sqlite-utils keeps its migrations.

Migrations are frozen history: a migration's DDL is written out literally and never edited,
even when a constant here changes (a change is a new migration). tests/test_schema.py checks
that migration 1's list of run statuses is still `RUN_STATUSES`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

__all__ = [
    "APPLICATION_ID",
    "FTS_BM25",
    "FTS_COLUMNS",
    "FTS_PREFIX",
    "FTS_RANK",
    "FTS_TOKENIZE",
    "FTS_WEIGHTS",
    "MIGRATIONS",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "Migration",
]

#: ``PRAGMA application_id`` of a newsarchive archive ("NwsA"): tells our files from others.
APPLICATION_ID = int.from_bytes(b"NwsA", "big")
#: FTS5 tokenizer of `articles_fts` (DESIGN: stemming, case and diacritics folded).
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
#: The columns `articles_fts` indexes, in order (bm25 weights and snippet() refer to them).
FTS_COLUMNS = ("title", "body", "tags")
#: bm25 weights of title, body and tags (a title match counts ten body matches): `search`
#: orders by them, and `FTS_RANK` is `articles_fts`'s configured rank (sqlite-utils and Datasette
#: order by ``rank``), so all three rank alike.
FTS_WEIGHTS = (10.0, 1.0, 5.0)
FTS_RANK = "bm25(" + ", ".join(str(w) for w in FTS_WEIGHTS) + ")"
#: The same ranking as an SQL expression over `articles_fts` (what `search` and the Datasette
#: canned search query order by): ``bm25(articles_fts, 10.0, 1.0, 5.0)``.
FTS_BM25 = "bm25(articles_fts, " + ", ".join(str(w) for w in FTS_WEIGHTS) + ")"
#: Prefix lengths (characters) with their own FTS5 index since schema 2: ``reb*`` or ``syri*``
#: reads one doclist instead of merging those of every word that starts so. (What migration 2
#: creates; `search` reads it to plan. Changing it takes a new migration.)
FTS_PREFIX = (3, 4)
#: What ``runs.status`` may hold: a run is ``running`` until it finishes with one of the others.
RUN_STATUSES = ("running", "ok", "failed", "interrupted")


@dataclass(frozen=True)
class Migration:
    """One numbered, named schema step. `apply` runs inside the migration's transaction."""

    version: int
    name: str
    apply: Callable[[sqlite3.Connection, sqlite_utils.Database], None]


_SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    site TEXT,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    mode TEXT,
    requests INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    articles_updated INTEGER NOT NULL DEFAULT 0,
    articles_unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    pid INTEGER,
    args TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    section TEXT,
    subsection TEXT,
    published TEXT NOT NULL,
    published_local TEXT,
    author TEXT,
    body TEXT NOT NULL,
    tags TEXT,
    sources TEXT,
    image_url TEXT,
    word_count INTEGER,
    content_hash TEXT,
    version INTEGER,
    first_seen TEXT,
    last_seen TEXT,
    last_changed TEXT,
    run_id INTEGER REFERENCES runs(id),
    UNIQUE (site, site_id)
);
CREATE INDEX IF NOT EXISTS idx_articles_site_published ON articles (site, published);
CREATE INDEX IF NOT EXISTS idx_articles_section_published ON articles (section, published);
CREATE INDEX IF NOT EXISTS idx_articles_published ON articles (published);
CREATE TABLE IF NOT EXISTS article_versions (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT,
    content_hash TEXT,
    seen_from TEXT,
    seen_until TEXT,
    PRIMARY KEY (article_id, version)
);
CREATE TABLE IF NOT EXISTS raw_pages (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    version INTEGER NOT NULL,
    url TEXT,
    fetched_at TEXT,
    status INTEGER,
    html BLOB,
    PRIMARY KEY (article_id, version)
);
CREATE TABLE IF NOT EXISTS skips (
    run_id INTEGER REFERENCES runs(id),
    url TEXT,
    stage TEXT,
    reason TEXT,
    detail TEXT,
    at TEXT,
    site TEXT,
    site_id TEXT
);
CREATE INDEX IF NOT EXISTS idx_skips_run_id ON skips (run_id);
CREATE INDEX IF NOT EXISTS idx_skips_site_site_id ON skips (site, site_id);
CREATE INDEX IF NOT EXISTS idx_skips_reason ON skips (reason);
CREATE TABLE IF NOT EXISTS site_state (
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (site, key)
);
CREATE VIEW IF NOT EXISTS article_tags AS
    SELECT articles.id AS article_id, json_each.value AS tag
    FROM articles, json_each(articles.tags);
"""

# sqlite-utils' update trigger fires on every UPDATE; ours only when an indexed column is set,
# so the common "unchanged" write (last_seen only) does not rewrite the FTS index.
_FTS_UPDATE_TRIGGER = """
DROP TRIGGER IF EXISTS "articles_au";
CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "body", "tags" ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body", "tags")
    VALUES('delete', old.rowid, old."title", old."body", old."tags");
  INSERT INTO "articles_fts" (rowid, "title", "body", "tags")
    VALUES (new.rowid, new."title", new."body", new."tags");
END;
"""


def _migration_1_initial(conn: sqlite3.Connection, db: sqlite_utils.Database) -> None:
    """Tables, indexes and view of DESIGN's schema; FTS5 the sqlite-utils way."""
    db.executescript(_SCHEMA_1)  # statement by statement: stays inside our transaction
    db["articles"].enable_fts(
        list(FTS_COLUMNS), tokenize=FTS_TOKENIZE, create_triggers=True, replace=True
    )
    db.executescript(_FTS_UPDATE_TRIGGER)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


# Schema 2's articles_fts: the table sqlite-utils' enable_fts makes, word for word (so
# `sqlite-utils search`, Datasette and `newsarchive check` find and use it as before: same
# name, columns, tokenizer, external content, triggers), plus what enable_fts cannot give:
# the prefix indexes of `FTS_PREFIX`. Frozen, like every migration: a change is a new one.
_FTS_CREATE_2 = """
CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "body", "tags",
    tokenize='porter unicode61 remove_diacritics 2',
    content="articles",
    prefix='3 4'
)
"""


def _migration_2_fts_prefix_rank(conn: sqlite3.Connection, db: sqlite_utils.Database) -> None:
    """`articles_fts` again with prefix indexes, and `FTS_RANK` as its rank.

    FTS5 options are fixed when the table is created, so the index is dropped, created again
    and rebuilt from the articles (the external content; nothing else changes, the triggers
    of schema 1 name the table and keep working). About 40 s for 230,000 articles.
    """
    conn.execute('DROP TABLE "articles_fts"')
    conn.execute(_FTS_CREATE_2)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', ?)", (FTS_RANK,))


# Schema 3's additions for `newsarchive merge`: the archive a merged run came from (NULL for
# the archive's own runs); the index a merge looks runs up by (a run's identity across
# archives is its site, start, pid, mode and arguments); and when a superseded version was
# last seen as some archive's current one (NULL for a crawl's own: it was current until
# seen_until), which orders versions in later merges. Frozen, like every migration.
_MERGE_3 = """
ALTER TABLE runs ADD COLUMN source TEXT;
CREATE INDEX IF NOT EXISTS idx_runs_site_started ON runs (site, started);
ALTER TABLE article_versions ADD COLUMN last_seen TEXT;
"""


def _migration_3_merge(conn: sqlite3.Connection, db: sqlite_utils.Database) -> None:
    """`runs.source`, the index on runs (site, started), `article_versions.last_seen`."""
    db.executescript(_MERGE_3)  # statement by statement: stays inside our transaction


#: Every schema step, oldest first; `SCHEMA_VERSION` is the last one's number.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _migration_1_initial),
    Migration(2, "full-text prefix indexes and bm25 rank", _migration_2_fts_prefix_rank),
    Migration(3, "what merges keep: runs.source, article_versions.last_seen", _migration_3_merge),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
