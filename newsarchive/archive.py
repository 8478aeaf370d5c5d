"""The archive: the only module that speaks SQL.

One SQLite file (WAL) holds every article once, its earlier versions, the raw pages it was
extracted from, the runs and the skipped pages. The schema is DESIGN.md's "Archive schema";
`PRAGMA user_version` is the schema version and numbered, named migrations bring an older file up
to date (add a function and one `Migration(...)` line to `MIGRATIONS` to make version 3).

Every write is one short transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a killed process
loses nothing already stored. SQLite failures that concern the file rather than the code (disk
full, read-only, not a database, locked, damaged) become `ArchiveError` with a one-line message;
a search query FTS5 cannot parse becomes `QueryError`.

All timestamps are stored as UTC text ``YYYY-MM-DDTHH:MM:SSZ`` (`dates.format_utc`) and
returned as such; `dates.parse_utc` turns them back into datetimes.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from newsarchive.dates import format_utc
from newsarchive.items import Article
from newsarchive.text import content_hash, word_count

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Archive",
    "ArchiveError",
    "ArticleNotFound",
    "Migration",
    "NewerSchemaError",
    "QueryError",
]

#: ``PRAGMA application_id`` of a newsarchive archive ("NwsA"): tells our files from others.
APPLICATION_ID = int.from_bytes(b"NwsA", "big")
#: How long a writer waits for another writer before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000
#: FTS5 tokenizer of `articles_fts` (DESIGN: stemming, case and diacritics folded).
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
#: The columns `articles_fts` indexes, in order (bm25 weights and snippet() refer to them).
FTS_COLUMNS = ("title", "body", "tags")
#: bm25 weights of title, body and tags (a title match counts ten body matches): `search`
#: orders by them, and `FTS_RANK` is `articles_fts`'s configured rank (sqlite-utils and Datasette
#: order by ``rank``), so all three rank alike.
FTS_WEIGHTS = (10.0, 1.0, 5.0)
FTS_RANK = "bm25(" + ", ".join(str(w) for w in FTS_WEIGHTS) + ")"
#: Prefix lengths (characters) with their own FTS5 index since schema 2: ``reb*`` or ``syri*``
#: reads one doclist instead of merging those of every word that starts so. (What migration 2
#: creates; `search` reads it to plan. Changing it takes a new migration.)
FTS_PREFIX = (3, 4)
#: Rows per batch when streaming (export, raw pages) and per IN (...) list.
BATCH = 500
RAW_PAGE_ZLIB_LEVEL = 6
RUN_STATUSES = ("running", "ok", "failed", "interrupted")
SKIP_STAGES = ("download", "extract", "validate", "store")

#: The month facet of `newsarchive serve` (Datasette): `{col}` (quoted), `{sql}` (the table
#: view's query) and `{limit}` are filled in; newest month first.
MONTH_FACET_SQL = (
    "SELECT substr({col}, 1, 7) AS value, COUNT(*) AS count FROM ({sql}) "
    "WHERE {col} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' "
    "GROUP BY value ORDER BY value DESC LIMIT {limit}"
)

_SQLITE_HEADER = b"SQLite format 3\x00"
_NUMERIC = "{col} != '' AND {col} NOT GLOB '*[^0-9]*'"


# --------------------------------------------------------------------------------------------
# Errors


class ArchiveError(Exception):
    """The archive cannot be opened or written (exit code 5); the message is one clear line."""


class NewerSchemaError(ArchiveError):
    """The file's schema is newer than this newsarchive knows; it is left untouched."""


class QueryError(ValueError):
    """A search query FTS5 cannot parse; the message explains it in one line (exit code 2)."""


class ArticleNotFound(LookupError):  # noqa: N818 - reads better at the call site
    """`history()` was given a reference that matches no article."""


# --------------------------------------------------------------------------------------------
# Migrations


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


#: Every schema step, oldest first; `SCHEMA_VERSION` is the last one's number.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _migration_1_initial),
    Migration(2, "full-text prefix indexes and bm25 rank", _migration_2_fts_prefix_rank),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


# --------------------------------------------------------------------------------------------
# Helpers


def _json_list(value: Sequence[str] | None) -> str:
    return json.dumps(list(value or []), ensure_ascii=False)


def _loads_list(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return [value]
    return loaded if isinstance(loaded, list) else [loaded]


def _lower_bound(value: date | datetime | str) -> str:
    """A ``published >= …`` bound: a date means from its start (UTC)."""
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return value


def _upper_bound(value: date | datetime | str) -> tuple[str, str]:
    """A ``published`` upper bound as (operator, value): a date includes its whole day."""
    if isinstance(value, datetime):
        return "<=", format_utc(value)
    if isinstance(value, date):
        return "<", f"{(value + timedelta(days=1)).isoformat()}T00:00:00Z"
    if len(value) == 10:  # YYYY-MM-DD
        return "<", f"{(date.fromisoformat(value) + timedelta(days=1)).isoformat()}T00:00:00Z"
    return "<=", value


def _error_code(exc: sqlite3.Error) -> str:
    """The primary SQLite result code name of `exc` (``SQLITE_FULL``, …), or ``""``."""
    name = getattr(exc, "sqlite_errorname", None)  # Python 3.11+
    if name:
        for primary in (
            "SQLITE_FULL",
            "SQLITE_READONLY",
            "SQLITE_NOTADB",
            "SQLITE_BUSY",
            "SQLITE_LOCKED",
            "SQLITE_CANTOPEN",
            "SQLITE_CORRUPT",
            "SQLITE_IOERR",
            "SQLITE_PERM",
            "SQLITE_NOMEM",
        ):
            if name == primary or name.startswith(primary + "_"):
                return primary
        return name
    text = str(exc).lower()  # Python 3.10: go by SQLite's messages
    for needle, code in (
        ("database or disk is full", "SQLITE_FULL"),
        ("readonly database", "SQLITE_READONLY"),
        ("file is not a database", "SQLITE_NOTADB"),
        ("database is locked", "SQLITE_BUSY"),
        ("database table is locked", "SQLITE_LOCKED"),
        ("unable to open database", "SQLITE_CANTOPEN"),
        ("malformed", "SQLITE_CORRUPT"),
        ("disk i/o error", "SQLITE_IOERR"),
    ):
        if needle in text:
            return code
    return ""


def read_only_storage(path: str | os.PathLike[str]) -> bool:
    """Whether the archive at `path` lies where nothing can write it (its directory is not
    writable: a read-only mount, a backup medium) with no ``-wal`` file left beside it, so that
    it can only be read as immutable — SQLite cannot create the ``-shm`` file a WAL reader
    needs there, and nothing can change the file meanwhile."""
    where = Path(path)
    wal = Path(f"{where}-wal")
    if os.access(where.parent, os.W_OK):
        return False
    return not (wal.exists() and wal.stat().st_size > 0)


# --------------------------------------------------------------------------------------------
# FTS5 queries

_FTS_OPERATOR = re.compile(r'["()*^]|\b(?:AND|OR|NOT|NEAR)\b')
_WORDISH = re.compile(r"\w", re.UNICODE)
#: A prefix term (``reb*``, ``"rebel fig"*``): the word before the star.
_PREFIX_TERM = re.compile(r'(\w+)"?\s*\*', re.UNICODE)
#: A tag whose words FTS5 finds in the tags column as typed: a word character, and nothing
#: that JSON escapes (quotes, backslashes, control characters).
_TAG_WORDS = re.compile(r'^(?=.*[^\W_])[^"\\\x00-\x1f]*$', re.UNICODE | re.DOTALL)

#: What `search` gives its connection (once): pages of cache (KiB) and bytes of memory map.
SEARCH_CACHE_KIB = 64 * 1024
SEARCH_MMAP_BYTES = 1 << 30
_BM25 = "bm25(articles_fts, " + ", ".join(str(w) for w in FTS_WEIGHTS) + ")"
_SNIPPET = "snippet(articles_fts, 1, :mark_open, :mark_close, ' … ', 12) AS snippet"
_HIT_COLUMNS = "a.id, a.site, a.site_id, a.url, a.title, a.section, a.published, a.tags"
# The section's spellings, any casing: a skip-scan of idx_articles_section_published, one seek
# per distinct section (the index is BINARY; ``section = ? COLLATE NOCASE`` would scan it all).
_SECTION_SPELLINGS = """
WITH RECURSIVE spelling(name) AS (
    SELECT min(section) FROM articles
    UNION ALL
    SELECT (SELECT min(section) FROM articles WHERE section > spelling.name)
    FROM spelling WHERE spelling.name IS NOT NULL
)
SELECT name FROM spelling WHERE name = ? COLLATE NOCASE
"""


def _quote_tokens(query: str) -> str:
    """Each whitespace-separated token as an FTS5 string (a phrase of its words)."""
    tokens = [t for t in query.split() if _WORDISH.search(t)]
    return " ".join('"' + t.replace('"', '""') + '"' for t in tokens)


def _explain_query_error(query: str, message: str) -> str:
    """A one-line reason for an FTS5 parse error."""
    depth, in_string = 0, False
    for char in query:
        if char == '"':
            in_string = not in_string
        elif not in_string and char == "(":
            depth += 1
        elif not in_string and char == ")":
            depth -= 1
            if depth < 0:
                break
    if in_string or "unterminated string" in message:
        return "unbalanced double quote"
    if depth != 0:
        return "unbalanced parenthesis"
    if message.startswith("unknown special query"):
        return '"*" must end a word, as in reb*'
    if message.startswith("no such column"):
        column = message.split(":", 1)[1].strip()
        return f'unknown column "{column}" (columns: {", ".join(FTS_COLUMNS)})'
    near = re.search(r'syntax error near "(.*)"', message)
    if near:
        token = near.group(1)
        if token == "":
            return "unexpected end of query (an operator needs a word after it)"
        if token in ("AND", "OR", "NOT"):
            return f"{token} needs a word on each side"
        return f'unexpected "{token}"'
    return message.removeprefix("fts5: ")


# --------------------------------------------------------------------------------------------
# The archive


class Archive:
    """A newsarchive SQLite archive.

    ``Archive(path)`` creates the parent directories and the file if needed, checks it is a
    newsarchive archive (or empty), brings its schema up to `SCHEMA_VERSION` and switches it to
    WAL. ``Archive(path, readonly=True)`` opens an existing archive with ``mode=ro`` and never
    migrates. Use as a context manager or call `close()`.

    Raises `ArchiveError` (or `NewerSchemaError`) when the file cannot be used.
    """

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._name = str(path)
        self._conn: sqlite3.Connection | None = None
        memory = self._name == ":memory:"
        if not memory:
            self._check_file()
        try:
            try:
                self._conn = self._connect(memory)
                self._check_schema()
            except sqlite3.Error as exc:
                if not (readonly and _error_code(exc) == "SQLITE_CANTOPEN"):
                    raise
                self.close()
                self._conn = self._connect_read_only_media(exc)
                self._check_schema()
            if not readonly:
                if not memory:
                    self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
        except sqlite3.Error as exc:
            self.close()
            raise self._archive_error(exc, "opening") from exc
        except BaseException:
            self.close()
            raise

    # ---- opening

    def _check_file(self) -> None:
        """Refuse what is not a SQLite file before SQLite touches it."""
        path, name = self.path, self._name
        if path.is_dir():
            raise ArchiveError(f"{name} is a directory, not a newsarchive archive")
        if self.readonly:
            if not path.exists():
                raise ArchiveError(f"{name} does not exist (run a crawl first)")
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(
                    f"cannot create the directory {path.parent}: {exc.strerror or exc}"
                ) from exc
            if path.exists() and not os.access(path, os.W_OK):
                raise ArchiveError(f"{name} is read-only (no permission to write it)")
            if not os.access(path.parent, os.W_OK):
                raise ArchiveError(
                    f"{name} is read-only (no permission to write in {path.parent or '.'})"
                )
        try:
            with path.open("rb") as handle:
                header = handle.read(100)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ArchiveError(f"cannot read {name}: {exc.strerror or exc}") from exc
        if header and header[: len(_SQLITE_HEADER)] != _SQLITE_HEADER:
            raise ArchiveError(
                f"{name} is not a newsarchive archive (file is not a SQLite database)"
            )
        if not header and self.readonly:
            raise ArchiveError(f"{name} is empty: not a newsarchive archive yet")
        if len(header) == 100:
            # Refuse what the header already tells, before SQLite creates -wal/-shm files. (A
            # WAL may hold a newer header; `_check_schema` looks again once connected.)
            user_version = int.from_bytes(header[60:64], "big")
            application_id = int.from_bytes(header[68:72], "big")
            if application_id not in (0, APPLICATION_ID):
                raise ArchiveError(
                    f"{name} is not a newsarchive archive (it belongs to another program)"
                )
            if application_id == APPLICATION_ID and user_version > SCHEMA_VERSION:
                raise self._newer(user_version)

    def _newer(self, user_version: int) -> NewerSchemaError:
        return NewerSchemaError(
            f"{self._name} has schema version {user_version}, newer than this newsarchive "
            f"knows ({SCHEMA_VERSION}); upgrade newsarchive to use it"
        )

    def _connect_read_only_media(self, exc: sqlite3.Error) -> sqlite3.Connection:
        """A WAL archive on read-only media (a read-only mount, a backup disk): SQLite cannot
        create the ``-shm`` file it reads through, so the file is opened as immutable — safe
        because nothing can write it there. Not when a ``-wal`` file is left beside it: part
        of the archive would be in that file, which an immutable reader ignores."""
        if os.access(self.path.parent, os.W_OK):
            raise exc
        if not read_only_storage(self.path):
            raise ArchiveError(
                f"cannot read {self._name}: it is on read-only storage and its last writes are "
                f"still in {self.path.name}-wal; copy both files to writable storage and open the copy"
            ) from exc
        return self._connect(False, immutable=True)

    def _connect(self, memory: bool, *, immutable: bool = False) -> sqlite3.Connection:
        if memory:
            target, uri = ":memory:", False
        elif self.readonly:
            target, uri = self.path.resolve().as_uri() + "?mode=ro", True
            if immutable:
                target += "&immutable=1"
        else:
            target, uri = str(self.path), False
        conn = sqlite3.connect(
            target, uri=uri, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _check_schema(self) -> None:
        """Ours, empty, or refuse; a newer schema is refused before anything is written."""
        conn = self.conn
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
        ours = application_id == APPLICATION_ID
        if not ours and (application_id != 0 or tables or user_version != 0):
            shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
            why = f"it holds other tables: {shown}" if tables else "it belongs to another program"
            raise ArchiveError(f"{self._name} is not a newsarchive archive ({why})")
        if user_version > SCHEMA_VERSION:
            raise self._newer(user_version)
        if self.readonly and not ours:
            raise ArchiveError(f"{self._name} is empty: not a newsarchive archive yet")
        if self.readonly and user_version < SCHEMA_VERSION:
            raise ArchiveError(
                f"{self._name} has schema version {user_version} and needs upgrading to "
                f"{SCHEMA_VERSION}: open it for writing once (e.g. run a crawl)"
            )

    def _migrate(self) -> None:
        """Apply each missing migration in its own transaction, bumping user_version with it."""
        conn = self.conn
        db = sqlite_utils.Database(conn, execute_plugins=False)
        for migration in MIGRATIONS:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= migration.version:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while we waited for the write lock.
                if conn.execute("PRAGMA user_version").fetchone()[0] < migration.version:
                    migration.apply(conn, db)
                    conn.execute(f"PRAGMA user_version = {migration.version}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    # ---- plumbing

    @property
    def conn(self) -> sqlite3.Connection:
        """The open SQLite connection (rows are `sqlite3.Row`)."""
        if self._conn is None:
            raise ArchiveError(f"{self._name} is closed")
        return self._conn

    @property
    def schema_version(self) -> int:
        """``PRAGMA user_version`` of the open file."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (idempotent)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if not self.readonly:
            with suppress(sqlite3.Error):
                conn.execute("PRAGMA busy_timeout = 0")  # never wait for a writer just for this
                conn.execute("PRAGMA optimize")
        with suppress(sqlite3.Error):
            conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "readonly" if self.readonly else "readwrite"
        return f"<Archive {self._name} {mode}>"

    def _archive_error(self, exc: sqlite3.Error, action: str) -> BaseException:
        """`exc` as an ArchiveError when it concerns the file, else `exc` itself."""
        code, name = _error_code(exc), self._name
        if code == "SQLITE_FULL":
            return ArchiveError(f"disk full while writing {name} ({action}); nothing half-written")
        if code == "SQLITE_READONLY":
            return ArchiveError(f"{name} is read-only (while {action})")
        if code == "SQLITE_NOTADB":
            return ArchiveError(
                f"{name} is not a newsarchive archive (file is not a SQLite database)"
            )
        if code in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return ArchiveError(
                f"{name} is locked by another process (gave up after "
                f"{BUSY_TIMEOUT_MS // 1000} s while {action})"
            )
        if code == "SQLITE_CANTOPEN":
            return ArchiveError(f"cannot open {name} ({exc})")
        if code == "SQLITE_CORRUPT":
            return ArchiveError(f"{name} is damaged ({exc}); run `newsarchive check`")
        if code in ("SQLITE_IOERR", "SQLITE_PERM", "SQLITE_NOMEM"):
            return ArchiveError(f"cannot use {name}: {exc} (while {action})")
        return exc

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One short write transaction; rolled back on any error, file errors converted."""
        if self.readonly:
            raise ArchiveError(f"{self._name} is opened read-only (while {action})")
        conn = self.conn
        if getattr(self, "_bulk", False):  # inside bulk(): the outer transaction commits
            try:
                yield conn
            except sqlite3.Error as exc:
                raise self._archive_error(exc, action) from exc
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._archive_error(exc, action) from exc

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many writes in one transaction (bulk loads and benchmarks, not crawls: a crawl
        commits each article on its own so a kill loses nothing already stored)."""
        with self._write("a bulk load"):
            self._bulk = True
            try:
                yield
            finally:
                self._bulk = False

    @contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        """Reads with file errors converted."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise self._archive_error(exc, action) from exc

    # ---- writes

    def store(self, article: Article, *, run_id: int | None, now: datetime) -> str:
        """Store one article in one transaction; returns ``new``, ``updated`` or ``unchanged``.

        The content hash (title, body, tags) decides. Unchanged: only ``last_seen`` moves.
        Updated: the old text goes to ``article_versions``, the row takes every new field,
        ``version`` + 1. A raw page is kept for each stored version when ``article.html`` is set.
        """
        digest = content_hash(article.title, article.body, article.tags)
        stamp = format_utc(now)
        fields: dict[str, Any] = {
            "url": article.url,
            "title": article.title,
            "section": article.section,
            "subsection": article.subsection,
            "published": format_utc(article.published),
            "published_local": (
                article.published_local.isoformat() if article.published_local else None
            ),
            "author": article.author,
            "body": article.body,
            "tags": _json_list(article.tags),
            "sources": _json_list(article.sources),
            "image_url": article.image_url,
            "word_count": word_count(article.body),
            "content_hash": digest,
        }
        action = f"storing {article.site} {article.site_id}"
        with self._write(action) as conn:
            row = conn.execute(
                "SELECT id, version, content_hash, last_changed, title, body, tags "
                "FROM articles WHERE site = ? AND site_id = ?",
                (article.site, article.site_id),
            ).fetchone()
            if row is None:
                values = {
                    "site": article.site,
                    "site_id": article.site_id,
                    **fields,
                    "version": 1,
                    "first_seen": stamp,
                    "last_seen": stamp,
                    "last_changed": stamp,
                    "run_id": run_id,
                }
                columns = ", ".join(values)
                marks = ", ".join(f":{c}" for c in values)
                cursor = conn.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})", values)
                self._store_raw_page(conn, int(cursor.lastrowid or 0), 1, article, stamp)
                return "new"
            article_id = int(row["id"])
            if row["content_hash"] == digest:
                conn.execute(
                    "UPDATE articles SET last_seen = MAX(COALESCE(last_seen, ''), ?) WHERE id = ?",
                    (stamp, article_id),
                )
                return "unchanged"
            old_version = int(row["version"])
            conn.execute(
                "INSERT INTO article_versions (article_id, version, title, body, tags, "
                "content_hash, seen_from, seen_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    old_version,
                    row["title"],
                    row["body"],
                    row["tags"],
                    row["content_hash"],
                    row["last_changed"],
                    stamp,
                ),
            )
            # Never INSERT OR REPLACE here: it would bypass the FTS delete trigger.
            values = {
                **fields,
                "version": old_version + 1,
                "last_seen": stamp,
                "last_changed": stamp,
                "run_id": run_id,
                "id": article_id,
            }
            assignments = ", ".join(f"{c} = :{c}" for c in values if c != "id")
            conn.execute(f"UPDATE articles SET {assignments} WHERE id = :id", values)
            self._store_raw_page(conn, article_id, old_version + 1, article, stamp)
            return "updated"

    @staticmethod
    def _store_raw_page(
        conn: sqlite3.Connection, article_id: int, version: int, article: Article, stamp: str
    ) -> None:
        if article.html is None:
            return
        conn.execute(
            "INSERT INTO raw_pages (article_id, version, url, fetched_at, status, html) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, version) DO UPDATE SET "
            "url = excluded.url, fetched_at = excluded.fetched_at, status = excluded.status, "
            "html = excluded.html",
            (
                article_id,
                version,
                article.url,
                format_utc(article.fetched_at) if article.fetched_at else stamp,
                article.status,
                zlib.compress(article.html.encode("utf-8"), RAW_PAGE_ZLIB_LEVEL),
            ),
        )

    def start_run(
        self, site: str | None, mode: str, args: dict[str, Any], pid: int, started: datetime
    ) -> int:
        """Record a run as ``running``; returns its id. Call `mark_interrupted` before this."""
        with self._write("starting a run") as conn:
            cursor = conn.execute(
                "INSERT INTO runs (site, started, status, mode, pid, args) "
                "VALUES (?, ?, 'running', ?, ?, ?)",
                (
                    site,
                    format_utc(started),
                    mode,
                    pid,
                    json.dumps(args, ensure_ascii=False, sort_keys=True, default=str),
                ),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        finished: datetime,
        requests: int,
        new: int,
        updated: int,
        unchanged: int,
        skipped: int,
        error: str | None = None,
        state: dict[str, str | None] | None = None,
    ) -> None:
        """Close a run with its outcome (``ok``, ``failed`` or ``interrupted``) and counts.

        `state` (key → value) is crawl bookkeeping of the run's site written in the same
        transaction, so it never says more than the runs table (a run killed while closing
        leaves neither, and the next run marks it interrupted).
        """
        if status not in RUN_STATUSES or status == "running":
            raise ValueError(
                f"a finished run's status is ok, failed or interrupted, not {status!r}"
            )
        with self._write("finishing a run") as conn:
            if state:
                site = conn.execute("SELECT site FROM runs WHERE id = ?", (run_id,)).fetchone()
                for key, value in state.items():
                    self._set_state(conn, site[0] if site else None, key, value)
            conn.execute(
                "UPDATE runs SET status = ?, finished = ?, requests = ?, articles_new = ?, "
                "articles_updated = ?, articles_unchanged = ?, skipped = ?, error = ? "
                "WHERE id = ?",
                (
                    status,
                    format_utc(finished),
                    requests,
                    new,
                    updated,
                    unchanged,
                    skipped,
                    error,
                    run_id,
                ),
            )

    def mark_interrupted(self, now: datetime) -> int:
        """Every run still ``running`` becomes ``interrupted`` (its process died); returns how many.

        Call it while holding the crawl lock and before `start_run` of the new run.
        """
        with self._write("marking interrupted runs") as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = 'interrupted', finished = ?, "
                "error = COALESCE(error, 'the process ended before the run finished') "
                "WHERE status = 'running'",
                (format_utc(now),),
            )
            return cursor.rowcount

    def record_skip(
        self,
        *,
        run_id: int | None,
        url: str,
        stage: str,
        reason: str,
        detail: str,
        at: datetime,
        site: str | None = None,
        site_id: str | None = None,
    ) -> None:
        """Record a page that was not stored (``stage``: download/extract/validate/store)."""
        with self._write("recording a skip") as conn:
            conn.execute(
                "INSERT INTO skips (run_id, url, stage, reason, detail, at, site, site_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, url, stage, reason, detail, format_utc(at), site, site_id),
            )

    def get_state(self, site: str, key: str) -> str | None:
        """A crawl bookkeeping value of `site`, or None."""
        with self._read("reading crawl state") as conn:
            row = conn.execute(
                "SELECT value FROM site_state WHERE site = ? AND key = ?", (site, key)
            ).fetchone()
        return None if row is None else row[0]

    def set_state(self, site: str, key: str, value: str | None) -> None:
        """Set a crawl bookkeeping value of `site`."""
        with self._write("writing crawl state") as conn:
            self._set_state(conn, site, key, value)

    @staticmethod
    def _set_state(conn: sqlite3.Connection, site: str | None, key: str, value: str | None) -> None:
        conn.execute(
            "INSERT INTO site_state (site, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (site, key) DO UPDATE SET value = excluded.value",
            (site, key, value),
        )

    # ---- reads for the crawler

    def _rows_for_ids(
        self, action: str, sql: str, site: str, site_ids: Sequence[str]
    ) -> Iterator[sqlite3.Row]:
        """Rows of `sql` (its ``{marks}`` an ``IN`` list, its first parameter the site) for
        `site_ids`, in batches that stay under SQLite's parameter limit."""
        ids = list(dict.fromkeys(str(s) for s in site_ids))
        with self._read(action) as conn:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                yield from conn.execute(sql.format(marks=", ".join("?" * len(chunk))), (site, *chunk))

    def known(self, site: str, site_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The archived ones among `site_ids`: site_id → {id, title, url, published, last_seen,
        version, content_hash}."""
        sql = (
            "SELECT site_id, id, title, url, published, last_seen, version, content_hash "
            "FROM articles WHERE site = ? AND site_id IN ({marks})"
        )
        found: dict[str, dict[str, Any]] = {}
        for row in self._rows_for_ids("looking up articles", sql, site, site_ids):
            record = dict(row)
            found[record.pop("site_id")] = record
        return found

    def skip_history(self, site: str, site_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """For those of `site_ids` recorded in ``skips``: site_id → {at, reason} of the latest
        skip and ``count``, how many times it was skipped."""
        sql = (
            "SELECT s.site_id, s.at, s.reason, agg.count FROM skips s JOIN ("
            "SELECT site_id, MAX(rowid) AS last, COUNT(*) AS count FROM skips "
            "WHERE site = ? AND site_id IN ({marks}) GROUP BY site_id"
            ") agg ON s.rowid = agg.last"
        )
        return {
            row["site_id"]: {"at": row["at"], "reason": row["reason"], "count": row["count"]}
            for row in self._rows_for_ids("looking up skips", sql, site, site_ids)
        }

    def failed_unarchived(self, site: str, since: datetime) -> list[dict[str, Any]]:
        """Articles of `site` skipped since `since` that the archive does not hold: site_id,
        url, at and reason of the latest skip, and ``count`` (skips since `since`); oldest
        failure first. What a run retries when the reason may pass (a 503, a timeout)."""
        with self._read("looking up failed articles") as conn:
            return [
                dict(row)
                for row in conn.execute(
                    "SELECT s.site_id, s.url, s.at, s.reason, agg.count FROM skips s JOIN ("
                    "SELECT site_id, MAX(rowid) AS last, MIN(at) AS first, COUNT(*) AS count "
                    "FROM skips WHERE site = ? AND site_id IS NOT NULL AND at >= ? "
                    "GROUP BY site_id"
                    ") agg ON s.rowid = agg.last "
                    "WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.site = ? "
                    "AND a.site_id = agg.site_id) ORDER BY agg.first, s.site_id",
                    (site, format_utc(since), site),
                )
            ]

    def recent(self, site: str, since: datetime) -> list[dict[str, Any]]:
        """Articles of `site` published at or after `since`, newest first: site_id, url, title,
        published, last_seen."""
        with self._read("listing recent articles") as conn:
            return [
                dict(row)
                for row in conn.execute(
                    "SELECT site_id, url, title, published, last_seen FROM articles "
                    "WHERE site = ? AND published >= ? ORDER BY published DESC, id DESC",
                    (site, format_utc(since)),
                )
            ]

    def _known_numeric_ids(self, conn: sqlite3.Connection, site: str) -> Iterator[int]:
        """Sorted numeric site ids within the articles' min..max, from articles and skips."""
        articles_numeric = _NUMERIC.format(col="site_id")
        bounds = conn.execute(
            "SELECT MIN(CAST(site_id AS INTEGER)), MAX(CAST(site_id AS INTEGER)) FROM articles "
            f"WHERE site = ? AND {articles_numeric}",
            (site,),
        ).fetchone()
        if bounds[0] is None:
            return
        low, high = bounds
        for (number,) in conn.execute(
            "SELECT n FROM ("
            f"SELECT CAST(site_id AS INTEGER) AS n FROM articles WHERE site = ? AND {articles_numeric} "
            "UNION "
            f"SELECT CAST(site_id AS INTEGER) FROM skips WHERE site = ? AND {articles_numeric}"
            ") WHERE n BETWEEN ? AND ? ORDER BY n",
            (site, site, low, high),
        ):
            yield int(number)

    def id_gaps(
        self, site: str, limit: int | None = None, *, newest_first: bool = False
    ) -> list[int]:
        """Numeric site ids between the archive's lowest and highest for `site` that are neither
        archived nor recorded as skipped; ascending (or `newest_first`), at most `limit`."""
        with self._read("finding id gaps") as conn:
            known = list(self._known_numeric_ids(conn, site))
        if newest_first:
            known.reverse()
        gaps: list[int] = []
        step = -1 if newest_first else 1
        for previous, current in zip(known, known[1:], strict=False):
            for number in range(previous + step, current, step):
                if limit is not None and len(gaps) >= limit:
                    return gaps
                gaps.append(number)
        return gaps[:limit] if limit is not None else gaps

    def _count_id_gaps(self, conn: sqlite3.Connection, site: str) -> int:
        count, low, high = 0, None, None
        for number in self._known_numeric_ids(conn, site):
            count += 1
            low = number if low is None else low
            high = number
        return 0 if low is None or high is None else (high - low + 1) - count

    def count_articles(self, site: str | None = None) -> int:
        """Articles archived (of `site`, or all)."""
        with self._read("counting articles") as conn:
            if site is None:
                return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
            return int(
                conn.execute("SELECT COUNT(*) FROM articles WHERE site = ?", (site,)).fetchone()[0]
            )

    @staticmethod
    def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
        record = dict(row)
        if record.get("args"):
            with suppress(ValueError):
                record["args"] = json.loads(record["args"])
        return record

    def running_run(self) -> dict[str, Any] | None:
        """The latest run still marked ``running`` (id, site, pid, started, mode), or None."""
        with self._read("reading runs") as conn:
            row = conn.execute(
                "SELECT id, site, pid, started, mode FROM runs WHERE status = 'running' "
                "ORDER BY started DESC, id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else dict(row)

    def last_ok_run(self, site: str | None) -> dict[str, Any] | None:
        """The latest run of `site` that finished ``ok`` (every runs column), or None."""
        with self._read("reading runs") as conn:
            row = conn.execute(
                "SELECT * FROM runs WHERE site IS ? AND status = 'ok' "
                "ORDER BY started DESC, id DESC LIMIT 1",
                (site,),
            ).fetchone()
        return None if row is None else self._run_dict(row)

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest `limit` runs, newest first (every runs column, args parsed)."""
        with self._read("reading runs") as conn:
            return [
                self._run_dict(row)
                for row in conn.execute(
                    "SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT ?", (limit,)
                )
            ]

    def raw_pages(self, latest_only: bool = True) -> Iterator[dict[str, Any]]:
        """Stream kept raw pages (article_id, version, url, fetched_at, status, html as text,
        site, site_id), by article id; only each article's current version by default.

        Reads in batches keyed on (article_id, version), so memory stays flat and the caller may
        store new versions while iterating (those of articles already passed are not revisited).
        """
        last_id, last_version = -1, -1
        latest = "AND r.version = a.version" if latest_only else ""
        while True:
            with self._read("reading raw pages") as conn:
                rows = conn.execute(
                    "SELECT r.article_id, r.version, r.url, r.fetched_at, r.status, r.html, "
                    "a.site, a.site_id FROM raw_pages r JOIN articles a ON a.id = r.article_id "
                    f"WHERE (r.article_id, r.version) > (?, ?) {latest} "
                    "ORDER BY r.article_id, r.version LIMIT ?",
                    (last_id, last_version, BATCH),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                record = dict(row)
                blob = record["html"]
                record["html"] = zlib.decompress(blob).decode("utf-8") if blob else None
                yield record
            last_id, last_version = rows[-1]["article_id"], rows[-1]["version"]
            if latest_only:
                last_version = 1 << 62  # next article

    # ---- reads for users

    # ---- search

    #: Up to this many hits, a search picks its hits from the full-text index first and
    #: reads only those articles; a longer list is one query (see `search`).
    _STAGED_MAX = 100
    #: A filter passed by fewer articles than this restricts the full-text matches as a set
    #: of ids; a broader one is checked on each match's article row instead.
    _FILTER_SET_MAX = 20_000

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        section: str | None = None,
        tag: str | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
        limit: int | None = 10,
        highlight: tuple[str, str] = ("[", "]"),
    ) -> list[dict[str, Any]]:
        """Full-text search ranked by bm25 (title 10, body 1, tags 5), best first.

        `query` is FTS5 syntax (``homs AND rebels``, ``"M5 highway"``, ``syria NOT iran``,
        ``reb*``); plain words with punctuation (``U.S.``, ``Assad's``) also work. A date
        `until` includes its whole day. Each hit: id, site, site_id, url, title, section,
        published, tags (list), snippet (``[match]`` highlighted, or between the two
        `highlight` markers), rank. Raises `QueryError` for a query FTS5 cannot parse.

        Ranking has to score every match (bm25 cannot be bounded in advance), so that part
        reads only the full-text index: the best `limit` ids and their bm25, with the filters
        applied inside that query. Only those few articles are then read and given a snippet
        (a second read per hit, through the index's rowid seek). Equal ranks are ordered newest
        first, also across the limit. More than `_STAGED_MAX` hits (or no limit) take the
        one-query plan: every match joined, ordered, then cut.
        """
        if not query or not query.strip():
            raise QueryError("empty search query: give at least one word")
        params: dict[str, Any] = {"mark_open": highlight[0], "mark_close": highlight[1]}
        with self._read("searching") as conn:
            self._tune_for_search(conn)
            join, where = self._search_filters(
                conn, params, site=site, section=section, tag=tag, since=since, until=until
            )
        staged = limit is not None and 0 < limit <= self._STAGED_MAX

        def run(fts_query: str) -> list[dict[str, Any]]:
            with self._read("searching") as conn:
                if staged:
                    assert limit is not None
                    rows = self._search_staged(conn, fts_query, params, join, where, limit)
                else:
                    sql = (
                        f"SELECT {_HIT_COLUMNS}, {_SNIPPET}, {_BM25} AS rank "
                        f"FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
                        f"WHERE articles_fts MATCH :query{where} ORDER BY rank, a.published DESC"
                    )
                    run_params = {**params, "query": fts_query}
                    if limit is not None:
                        sql += " LIMIT :limit"
                        run_params["limit"] = limit
                    rows = conn.execute(sql, run_params).fetchall()
            hits = [dict(row) for row in rows]
            for hit in hits:
                hit["tags"] = _loads_list(hit["tags"])
            return hits

        try:
            return run(query)
        except sqlite3.OperationalError as exc:
            first_error = str(exc)
        if not _FTS_OPERATOR.search(query):
            quoted = _quote_tokens(query)
            if not quoted:
                raise QueryError(f'bad search query "{query}": no words to search for')
            try:
                return run(quoted)
            except sqlite3.OperationalError:
                pass
        raise QueryError(
            f'bad search query "{query}": {_explain_query_error(query, first_error)}'
        ) from None

    def _tune_for_search(self, conn: sqlite3.Connection) -> None:
        """Once per connection: a page cache and memory map big enough that a search's pages
        (the terms' doclists, the documents' sizes) stay in memory from one query to the next."""
        if getattr(self, "_search_tuned", False):
            return
        conn.execute(f"PRAGMA cache_size = -{SEARCH_CACHE_KIB}")
        conn.execute(f"PRAGMA mmap_size = {SEARCH_MMAP_BYTES}")
        self._search_tuned = True

    def _search_filters(
        self,
        conn: sqlite3.Connection,
        params: dict[str, Any],
        *,
        site: str | None,
        section: str | None,
        tag: str | None,
        since: date | datetime | str | None,
        until: date | datetime | str | None,
    ) -> tuple[str, str]:
        """The filters as (join, where) for a query on articles_fts; fills `params`.

        Each filter is a condition on the article ``a``, written so an index serves it: a site
        every article has is no filter at all; a section is matched in any casing by first
        finding its spellings (one index seek per distinct section); a tag narrows to the
        articles whose indexed tags hold its words, then checks it exactly. A filter few
        articles pass (under `_FILTER_SET_MAX`, counted with a capped index scan) becomes a set
        of ids tested on each full-text match, without touching the article rows; a broad one
        is checked on each match's article row (cheaper than listing most of the archive).
        """
        conditions: list[str] = []
        if site is not None:
            others = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM articles WHERE site < :site) "
                "OR EXISTS (SELECT 1 FROM articles WHERE site > :site)",
                {"site": site},
            ).fetchone()[0]
            if others:
                conditions.append("a.site = :site")
                params["site"] = site
        if section is not None:
            spellings = [row[0] for row in conn.execute(_SECTION_SPELLINGS, (section,))]
            names = []
            for number, spelling in enumerate(spellings or [section]):
                names.append(f":section_{number}")
                params[f"section_{number}"] = spelling
            conditions.append(f"a.section IN ({', '.join(names)})")
        if tag is not None:
            if _TAG_WORDS.match(tag):  # only articles with the tag's words (a superset)
                conditions.append(
                    "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :tag_words)"
                )
                params["tag_words"] = 'tags : "' + tag.replace('"', '""') + '"'
            conditions.append(
                "EXISTS (SELECT 1 FROM json_each(a.tags) WHERE json_each.value = :tag "
                "COLLATE NOCASE)"
            )
            params["tag"] = tag
        if since is not None:
            conditions.append("a.published >= :since")
            params["since"] = _lower_bound(since)
        if until is not None:
            operator, params["until"] = _upper_bound(until)
            conditions.append(f"a.published {operator} :until")
        if not conditions:
            return "", ""
        passed = " AND ".join(conditions)
        count = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {passed} LIMIT :cap)",
            {**params, "cap": self._FILTER_SET_MAX},
        ).fetchone()[0]
        if count < self._FILTER_SET_MAX:
            return "", f" AND +articles_fts.rowid IN (SELECT a.id FROM articles a WHERE {passed})"
        return " CROSS JOIN articles a ON a.id = articles_fts.rowid", f" AND {passed}"

    @staticmethod
    def _search_staged(
        conn: sqlite3.Connection,
        fts_query: str,
        params: dict[str, Any],
        join: str,
        where: str,
        limit: int,
    ) -> list[dict[str, Any]]:
        """The best `limit` hits: ids and bm25 from the index, then those articles only
        (both in one read transaction, so they see the same archive)."""
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            return Archive._search_two_steps(conn, fts_query, params, join, where, limit)
        finally:
            if own:
                conn.execute("COMMIT")

    @staticmethod
    def _search_two_steps(
        conn: sqlite3.Connection,
        fts_query: str,
        params: dict[str, Any],
        join: str,
        where: str,
        limit: int,
    ) -> list[dict[str, Any]]:
        params = {**params, "query": fts_query}
        best = (
            f"SELECT articles_fts.rowid AS id, {_BM25} AS score FROM articles_fts{join} "
            f"WHERE articles_fts MATCH :query{where} ORDER BY score LIMIT :n"
        )
        # More than asked shows whether a tie crosses the limit (ties are common: equal term
        # counts in equally long articles), and holds it unless it is long.
        wanted = 2 * limit + 10
        while True:
            top = conn.execute(best, {**params, "n": wanted}).fetchall()
            if len(top) < wanted or top[-1][1] != top[limit - 1][1]:
                break
            wanted *= 4
        if len(top) > limit:
            cut = top[limit - 1][1]
            top = [row for row in top if row[1] <= cut]
        if len(top) > limit:  # a tie across the limit: its newest articles make the cut
            published = dict(
                conn.execute(
                    "SELECT id, published FROM articles WHERE id IN "
                    "(SELECT value FROM json_each(:ids))",
                    {"ids": json.dumps([row[0] for row in top])},
                ).fetchall()
            )
            top = sorted(top, key=lambda row: published[row[0]], reverse=True)
            top = sorted(top, key=lambda row: row[1])[:limit]
        if not top:
            return []
        ranks = {row[0]: row[1] for row in top}
        read = (
            f"SELECT {_HIT_COLUMNS}, {_SNIPPET} "
            "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH :query AND articles_fts.rowid"
        )
        if any(len(m.group(1)) not in FTS_PREFIX for m in _PREFIX_TERM.finditer(fts_query)):
            # A prefix without its own index would be expanded again for every hit: one pass.
            rows = conn.execute(
                f"{read} BETWEEN :low AND :high AND +articles_fts.rowid IN "
                "(SELECT value FROM json_each(:ids))",
                {**params, "low": min(ranks), "high": max(ranks), "ids": json.dumps(list(ranks))},
            ).fetchall()
        else:
            rows = [
                hit
                for article_id in ranks
                for hit in conn.execute(f"{read} = :id", {**params, "id": article_id})
            ]
        rows.sort(key=lambda row: row["published"], reverse=True)
        rows.sort(key=lambda row: ranks[row["id"]])
        return [{**dict(row), "rank": ranks[row["id"]]} for row in rows]

    def like_scan(
        self, words: Sequence[str], *, section: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]:
        """The naive baseline that `make bench` measures search against: every word a
        ``LIKE '%word%'`` over title and body, the `limit` newest matches, no full-text index.

        It does the same job as `search`: find *every* matching article, then keep the best
        `limit`. Hence ``ORDER BY +published``: the unary ``+`` stops SQLite from walking the
        published index newest first and stopping after `limit` matches (which, for a common
        word, reads a few dozen rows and is no baseline for a ranked search that must consider
        every match); every candidate row is tested and the matches sorted.
        """
        where, params = [], []
        for word in words:
            where.append("(title LIKE ? OR body LIKE ?)")
            params += [f"%{word}%", f"%{word}%"]
        if section:
            where.append("section = ?")
            params.append(section)
        sql = (
            "SELECT id, site_id, title, published FROM articles "
            f"WHERE {' AND '.join(where) or '1'} ORDER BY +published DESC LIMIT ?"
        )
        with self._read("scanning articles") as conn:
            return [dict(r) for r in conn.execute(sql, (*params, limit))]

    def stats(self) -> dict[str, Any]:
        """What the archive holds.

        Keys: ``articles``, ``versions`` (superseded rows), ``raw_pages``; ``sites``: per site
        articles, first_published, last_published, empty_days (UTC dates with no article between
        the first and last), id_gaps (count); ``sections``: per site and section articles,
        first_published, last_published; ``months``: per site and ``YYYY-MM`` articles;
        ``runs``: the last 10 runs; ``skips``: per reason count.
        """
        with self._read("computing statistics") as conn:
            result: dict[str, Any] = {
                "articles": conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
                "versions": conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0],
                "raw_pages": conn.execute("SELECT COUNT(*) FROM raw_pages").fetchone()[0],
            }
            sites = [
                dict(row)
                for row in conn.execute(
                    "SELECT site, COUNT(*) AS articles, MIN(published) AS first_published, "
                    "MAX(published) AS last_published FROM articles GROUP BY site ORDER BY site"
                )
            ]
            for entry in sites:
                days = {
                    row[0]
                    for row in conn.execute(
                        "SELECT DISTINCT substr(published, 1, 10) FROM articles WHERE site = ?",
                        (entry["site"],),
                    )
                }
                entry["empty_days"] = self._empty_days(
                    days, entry["first_published"], entry["last_published"]
                )
                entry["id_gaps"] = self._count_id_gaps(conn, entry["site"])
            result["sites"] = sites
            result["sections"] = [
                dict(row)
                for row in conn.execute(
                    "SELECT site, section, COUNT(*) AS articles, MIN(published) AS "
                    "first_published, MAX(published) AS last_published FROM articles "
                    "GROUP BY site, section ORDER BY site, articles DESC, section"
                )
            ]
            result["months"] = [
                dict(row)
                for row in conn.execute(
                    "SELECT site, substr(published, 1, 7) AS month, COUNT(*) AS articles "
                    "FROM articles GROUP BY site, month ORDER BY site, month"
                )
            ]
            result["runs"] = [
                self._run_dict(row)
                for row in conn.execute(
                    "SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT 10"
                )
            ]
            result["skips"] = [
                dict(row)
                for row in conn.execute(
                    "SELECT reason, COUNT(*) AS count FROM skips GROUP BY reason "
                    "ORDER BY count DESC, reason"
                )
            ]
        return result

    @staticmethod
    def _empty_days(days: set[str], first: str | None, last: str | None) -> list[str]:
        if not first or not last:
            return []
        try:
            day, end = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
        except ValueError:
            return []
        empty = []
        while day <= end:
            if day.isoformat() not in days:
                empty.append(day.isoformat())
            day += timedelta(days=1)
        return empty

    def _resolve(self, conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
        """The articles row `ref` names: ``id:N``, ``site:site_id``, a site_id, an archive id
        or a URL (current or any stored version's)."""
        ref = ref.strip()
        columns = "SELECT * FROM articles WHERE "
        if ref.startswith(("http://", "https://")):
            row = conn.execute(columns + "url = ?", (ref,)).fetchone()
            if row is None:
                row = conn.execute(
                    columns + "id = (SELECT article_id FROM raw_pages WHERE url = ? "
                    "ORDER BY version DESC LIMIT 1)",
                    (ref,),
                ).fetchone()
        elif ref.lower().startswith("id:"):
            row = conn.execute(columns + "id = ?", (ref[3:].strip(),)).fetchone()
        elif ":" in ref:
            site, _, site_id = ref.partition(":")
            row = conn.execute(columns + "site = ? AND site_id = ?", (site, site_id)).fetchone()
        else:
            rows = conn.execute(columns + "site_id = ? LIMIT 2", (ref,)).fetchall()
            if len(rows) > 1:
                raise ArticleNotFound(f'"{ref}" is an id on several sites: write SITE:{ref}')
            row = rows[0] if rows else None
            if row is None and ref.isdigit():
                row = conn.execute(columns + "id = ?", (int(ref),)).fetchone()
        if row is None:
            raise ArticleNotFound(f'no article "{ref}" in {self._name}')
        return row

    def history(self, ref: str) -> dict[str, Any]:
        """Every stored version of one article, oldest first.

        `ref` is a site_id (``229777``), ``SITE:site_id``, an archive id (``id:12``, or a
        plain number no site_id matches) or a URL. Returns ``article`` (the current row, tags
        and sources as lists) and ``versions``: version, title, body, tags, content_hash,
        seen_from, seen_until (None for the current one) and url (the raw page's, when kept).
        Raises `ArticleNotFound`.
        """
        with self._read("reading history") as conn:
            current = dict(self._resolve(conn, ref))
            urls = {
                row["version"]: row["url"]
                for row in conn.execute(
                    "SELECT version, url FROM raw_pages WHERE article_id = ?", (current["id"],)
                )
            }
            versions = [
                dict(row)
                for row in conn.execute(
                    "SELECT version, title, body, tags, content_hash, seen_from, seen_until "
                    "FROM article_versions WHERE article_id = ? ORDER BY version",
                    (current["id"],),
                )
            ]
        current["tags"] = _loads_list(current["tags"])
        current["sources"] = _loads_list(current["sources"])
        for entry in versions:
            entry["tags"] = _loads_list(entry["tags"])
            entry["url"] = urls.get(entry["version"])
        versions.append(
            {
                "version": current["version"],
                "title": current["title"],
                "body": current["body"],
                "tags": current["tags"],
                "content_hash": current["content_hash"],
                "seen_from": current["last_changed"],
                "seen_until": None,
                "url": current["url"],
            }
        )
        return {"article": current, "versions": versions}

    def export(
        self,
        *,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream articles (every column; tags and sources as lists) by publication time.

        Reads in keyset batches, so memory stays flat for any archive size. A date `until`
        includes its whole day.
        """
        where, params = ["(published, id) > (:after_published, :after_id)"], {}
        if since is not None:
            where.append("published >= :since")
            params["since"] = _lower_bound(since)
        if until is not None:
            operator, params["until"] = _upper_bound(until)
            where.append(f"published {operator} :until")
        sql = (
            f"SELECT * FROM articles WHERE {' AND '.join(where)} "
            "ORDER BY published, id LIMIT :batch"
        )
        after: tuple[str, int] = ("", -1)
        while True:
            with self._read("exporting") as conn:
                rows = conn.execute(
                    sql,
                    {**params, "after_published": after[0], "after_id": after[1], "batch": BATCH},
                ).fetchall()
            if not rows:
                return
            for row in rows:
                record = dict(row)
                record["tags"] = _loads_list(record["tags"])
                record["sources"] = _loads_list(record["sources"])
                yield record
            after = (rows[-1]["published"], rows[-1]["id"])

    # ---- check

    def check(self, *, fts: bool = True) -> list[str]:
        """Problems found, one line each; empty when all is well.

        SQLite's integrity_check and foreign_key_check, the FTS index's own integrity check and
        its agreement with the articles, and the archive's invariants: versions 1..version-1 in
        article_versions, content_hash matches the stored text, a raw page for the current
        version wherever raw pages are kept, one row per (site, site_id), published format.

        FTS5 runs its integrity checks only inside a write transaction, which would hold up a
        crawl writing meanwhile: ``fts=False`` leaves them out (everything else only reads).
        """
        problems: list[str] = []

        def report(what: str, ids: list[Any]) -> None:
            if ids:
                shown = ", ".join(str(i) for i in ids[:10])
                more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
                problems.append(f"{what}: {shown}{more}")

        with self._read("checking") as conn:
            rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if rows != ["ok"]:
                problems.extend(f"integrity_check: {row}" for row in rows)
            bad_keys = conn.execute("PRAGMA foreign_key_check").fetchall()
            report(
                "rows pointing to a missing parent (table, rowid)",
                [f"{row[0]} {row[1]}" for row in bad_keys],
            )
            if fts:
                problems.extend(self._check_fts(conn))
            report(
                "articles whose article_versions are not exactly 1..version-1 (id)",
                [
                    row[0]
                    for row in conn.execute(
                        "SELECT a.id FROM articles a LEFT JOIN article_versions v "
                        "ON v.article_id = a.id GROUP BY a.id "
                        "HAVING a.version IS NULL OR a.version < 1 "
                        "OR COUNT(v.version) != a.version - 1 "
                        "OR (COUNT(v.version) > 0 AND (MIN(v.version) != 1 "
                        "OR MAX(v.version) != a.version - 1)) ORDER BY a.id"
                    )
                ],
            )
            report(
                "article_versions of no article (article_id)",
                [
                    row[0]
                    for row in conn.execute(
                        "SELECT DISTINCT article_id FROM article_versions "
                        "WHERE article_id NOT IN (SELECT id FROM articles)"
                    )
                ],
            )
            report(
                "articles whose content_hash does not match their title, body and tags (id)",
                self._bad_hashes(conn),
            )
            report(
                "articles with raw pages but none for the current version (id)",
                [
                    row[0]
                    for row in conn.execute(
                        "SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM raw_pages r "
                        "WHERE r.article_id = a.id) AND NOT EXISTS (SELECT 1 FROM raw_pages r "
                        "WHERE r.article_id = a.id AND r.version = a.version) ORDER BY a.id"
                    )
                ],
            )
            report(
                "duplicate (site, site_id)",
                [
                    f"{row[0]}:{row[1]}"
                    for row in conn.execute(
                        "SELECT site, site_id FROM articles GROUP BY site, site_id "
                        "HAVING COUNT(*) > 1"
                    )
                ],
            )
            report(
                "articles whose published is not YYYY-MM-DDTHH:MM:SSZ (id)",
                [
                    row[0]
                    for row in conn.execute(
                        "SELECT id FROM articles WHERE "
                        "strftime('%Y-%m-%dT%H:%M:%SZ', published) IS NOT published ORDER BY id"
                    )
                ],
            )
            report(
                "runs with an unknown status (id)",
                [
                    row[0]
                    for row in conn.execute(
                        "SELECT id FROM runs WHERE status NOT IN "
                        "('running', 'ok', 'failed', 'interrupted')"
                    )
                ],
            )
        return problems

    def _check_fts(self, conn: sqlite3.Connection) -> list[str]:
        """FTS5's integrity check, then (rank 1) its agreement with the articles table.

        Both are ``INSERT`` commands that SQLite refuses on a read-only connection, although
        they write nothing: a read-only archive is checked through a short-lived read-write
        connection whose transaction is rolled back (skipped when the file is not writable).
        """
        checks = (
            ("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')", "index"),
            (
                "INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)",
                "index against the articles",
            ),
        )
        own = conn
        if self.readonly:
            if self._name == ":memory:" or not os.access(self.path, os.W_OK):
                return []
            own = sqlite3.connect(
                str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
            )
        try:
            own.execute("SAVEPOINT fts_check")
            try:
                for sql, what in checks:
                    try:
                        own.execute(sql)
                    except sqlite3.Error as exc:
                        if _error_code(exc) in ("SQLITE_CORRUPT", "SQLITE_ERROR", ""):
                            return [f"full-text index ({what}) is inconsistent: {exc}"]
                        raise
            finally:
                if own.in_transaction:
                    own.execute("ROLLBACK TO fts_check")
                    own.execute("RELEASE fts_check")
        finally:
            if own is not conn:
                own.close()
        return []

    @staticmethod
    def _bad_hashes(conn: sqlite3.Connection) -> list[int]:
        bad: list[int] = []
        last_id = -1
        while True:
            rows = conn.execute(
                "SELECT id, title, body, tags, content_hash FROM articles WHERE id > ? "
                "ORDER BY id LIMIT ?",
                (last_id, BATCH),
            ).fetchall()
            if not rows:
                return bad
            for row in rows:
                digest = content_hash(
                    row["title"] or "", row["body"] or "", _loads_list(row["tags"])
                )
                if digest != row["content_hash"]:
                    bad.append(row["id"])
            last_id = rows[-1]["id"]
