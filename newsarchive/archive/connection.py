"""Opening an archive file, and the transactions every other part of the archive goes through.

One SQLite file (WAL) holds the archive. `Connection` refuses what is not ours (the file before
SQLite touches it: `files`; then its schema), brings an older schema up to date through
`schema.MIGRATIONS`, and hands out the connection inside `_read` or `_write`.

Every write is one short transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a killed process
loses nothing already stored. SQLite failures that concern the file rather than the code become
`ArchiveError` with a one-line message (see `errors.archive_error`).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import sqlite_utils

from newsarchive.archive import schema
from newsarchive.archive.errors import ArchiveError, archive_error, error_code
from newsarchive.archive.files import check_file, newer_schema, read_only_storage

#: How long a writer waits for another writer before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000
#: Rows per batch when streaming (export, raw pages, checks) and per IN (...) list. Read as
#: ``connection.BATCH`` where used, so that one setting (or a test's patch) governs them all.
BATCH = 500
#: SQLite virtual-machine steps between two looks at the clock under `_time_limit`: rare enough
#: to cost nothing measurable, often enough to stop within milliseconds of the deadline.
PROGRESS_STEPS = 10_000

_Self = TypeVar("_Self", bound="Connection")



@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), rolled back on any exception
    — a signal or Ctrl-C included — so a half-done write never stays."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


class Connection:
    """An open newsarchive SQLite archive: the file checks, migrations and transactions.

    ``Connection(path)`` creates the parent directories and the file if needed, checks it is a
    newsarchive archive (or empty), brings its schema up to `SCHEMA_VERSION` and switches it to
    WAL. ``Connection(path, readonly=True)`` opens an existing archive with ``mode=ro`` and
    never migrates. Use as a context manager or call `close()`.

    ``again=True``: another connection to an archive this process has open already (the second
    site of a multi-site crawl): the file checks are skipped, since they open and close the file,
    and closing any descriptor of a file drops every POSIX lock this process holds on it —
    SQLite's among them, after which another process (a crawl's worker) may take the WAL away
    from under the open connection.

    Raises `ArchiveError` (or `NewerSchemaError`) when the file cannot be used.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, readonly: bool = False, again: bool = False
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._name = str(path)
        self._conn: sqlite3.Connection | None = None
        self._bulk = False
        memory = self._name == ":memory:"
        if not memory and not again:
            check_file(self.path, self._name, readonly=readonly)
        try:
            try:
                self._conn = self._connect(memory)
                self._check_schema()
            except sqlite3.Error as exc:
                if not (readonly and error_code(exc) == "SQLITE_CANTOPEN"):
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

    def _side_writer(self) -> sqlite3.Connection | None:
        """A short-lived plain read-write connection to the file, for a read-only archive's
        FTS checks (which SQLite refuses on ``mode=ro``); None when the file cannot be written.
        The caller closes it."""
        if self._name == ":memory:" or not os.access(self.path, os.W_OK):
            return None
        return sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)

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
        ours = application_id == schema.APPLICATION_ID
        if not ours and (application_id != 0 or tables or user_version != 0):
            shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
            why = f"it holds other tables: {shown}" if tables else "it belongs to another program"
            raise ArchiveError(f"{self._name} is not a newsarchive archive ({why})")
        if user_version > schema.SCHEMA_VERSION:
            raise newer_schema(self._name, user_version)
        if self.readonly and not ours:
            raise ArchiveError(f"{self._name} is empty: not a newsarchive archive yet")
        if self.readonly and user_version < schema.SCHEMA_VERSION:
            raise ArchiveError(
                f"{self._name} has schema version {user_version} and needs upgrading to "
                f"{schema.SCHEMA_VERSION}: open it for writing once (e.g. run a crawl)"
            )

    def _migrate(self) -> None:
        """Apply each missing migration in its own transaction, bumping user_version with it."""
        conn = self.conn
        db = sqlite_utils.Database(conn, execute_plugins=False)
        for migration in schema.MIGRATIONS:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= migration.version:
                continue
            with immediate(conn):
                # Another process may have migrated while we waited for the write lock.
                if conn.execute("PRAGMA user_version").fetchone()[0] < migration.version:
                    migration.apply(conn, db)
                    conn.execute(f"PRAGMA user_version = {migration.version}")

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

    def __enter__(self: _Self) -> _Self:
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
        return f"<{type(self).__name__} {self._name} {mode}>"

    def _archive_error(self, exc: sqlite3.Error, action: str) -> BaseException:
        """`exc` as an ArchiveError when it concerns the file, else `exc` itself."""
        return archive_error(exc, self._name, action, BUSY_TIMEOUT_MS)

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One short write transaction; rolled back on any error, file errors converted."""
        if self.readonly:
            raise ArchiveError(f"{self._name} is opened read-only (while {action})")
        conn = self.conn
        if self._bulk:  # inside bulk(): the outer transaction commits
            try:
                yield conn
            except sqlite3.Error as exc:
                raise self._archive_error(exc, action) from exc
            return
        try:
            with immediate(conn):
                yield conn
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
    def _time_limit(self, seconds: float | None) -> Iterator[Callable[[], bool]]:
        """Statements run inside stop with SQLite's ``interrupted`` error (an OperationalError)
        once `seconds` have passed (SQLite's progress handler); yields a function telling
        whether the time ran out, so the caller can tell that error from any other. None: no
        limit."""
        if seconds is None:
            yield lambda: False
            return
        conn = self.conn
        deadline = time.monotonic() + seconds
        expired = False

        def look() -> bool:
            nonlocal expired
            expired = expired or time.monotonic() > deadline
            return expired

        conn.set_progress_handler(look, PROGRESS_STEPS)
        try:
            yield lambda: expired
        finally:
            conn.set_progress_handler(None, 0)

    @contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        """Reads with file errors converted."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise self._archive_error(exc, action) from exc
