"""What can go wrong with an archive, as exceptions that carry a one-line message.

SQLite failures that concern the file rather than the code (disk full, read-only, not a
database, locked, damaged) become `ArchiveError` (exit code 5); a search query FTS5 cannot
parse becomes `QueryError` (exit code 2). `archive_error` does the mapping; anything else is
left as it is (a bug, to be seen as one).
"""

from __future__ import annotations

import shlex
import sqlite3

__all__ = [
    "ArchiveError",
    "ArticleNotFound",
    "DamagedArchive",
    "NewerSchemaError",
    "QueryError",
    "archive_error",
    "damaged",
    "error_code",
    "recovery_advice",
]


class ArchiveError(Exception):
    """The archive cannot be opened or written (exit code 5); the message is one clear line."""


class NewerSchemaError(ArchiveError):
    """The file's schema is newer than this newsarchive knows; it is left untouched."""


class DamagedArchive(ArchiveError):
    """The file's pages are damaged (SQLite's ``SQLITE_CORRUPT``): nothing newsarchive can do
    repairs it; the message says what the user can (`recovery_advice`)."""


class QueryError(ValueError):
    """A search query FTS5 cannot parse; the message explains it in one line (exit code 2)."""


class ArticleNotFound(LookupError):  # noqa: N818 - reads better at the call site
    """`history()` was given a reference that matches no article."""


#: The primary result codes `error_code` tells apart (an extended code maps to its primary).
_PRIMARY_CODES = (
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
)
#: Python 3.10 has no ``sqlite_errorname``: SQLite's messages tell the code instead.
_MESSAGE_CODES = (
    ("database or disk is full", "SQLITE_FULL"),
    ("readonly database", "SQLITE_READONLY"),
    ("file is not a database", "SQLITE_NOTADB"),
    ("database is locked", "SQLITE_BUSY"),
    ("database table is locked", "SQLITE_LOCKED"),
    ("unable to open database", "SQLITE_CANTOPEN"),
    ("malformed", "SQLITE_CORRUPT"),
    ("disk i/o error", "SQLITE_IOERR"),
)


def error_code(exc: sqlite3.Error) -> str:
    """The primary SQLite result code name of `exc` (``SQLITE_FULL``, …), or ``""``."""
    name = getattr(exc, "sqlite_errorname", None)  # Python 3.11+
    if name:
        for primary in _PRIMARY_CODES:
            if name == primary or name.startswith(primary + "_"):
                return primary
        return name
    text = str(exc).lower()  # Python 3.10: go by SQLite's messages
    for needle, code in _MESSAGE_CODES:
        if needle in text:
            return code
    return ""


def archive_error(
    exc: sqlite3.Error, name: str, action: str, busy_timeout_ms: int
) -> BaseException:
    """`exc` as an ArchiveError when it concerns the file `name`, else `exc` itself.

    `action` says what was being done (``storing SITE ID``, ``searching`` …, as the caller
    words it); `busy_timeout_ms` is how long the connection waited before a lock error.
    """
    code = error_code(exc)
    if code == "SQLITE_FULL":
        return ArchiveError(f"disk full while writing {name} ({action}); nothing half-written")
    if code == "SQLITE_READONLY":
        return ArchiveError(f"{name} is read-only (while {action})")
    if code == "SQLITE_NOTADB":
        return ArchiveError(f"{name} is not a newsarchive archive (file is not a SQLite database)")
    if getattr(exc, "sqlite_errorname", None) == "SQLITE_BUSY_SNAPSHOT":
        # A read that could not become a write: another process wrote since it began. SQLite
        # refuses at once (waiting could not help), so no "gave up after".
        return ArchiveError(
            f"{name} was written by another process during a read that then had to write "
            f"(while {action}); nothing was written: run it again"
        )
    if code in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return ArchiveError(
            f"{name} is locked by another process (gave up after "
            f"{busy_timeout_ms // 1000} s while {action})"
        )
    if code == "SQLITE_CANTOPEN":
        return ArchiveError(f"cannot open {name} ({exc})")
    if code == "SQLITE_CORRUPT":
        return damaged(name, str(exc))
    if code in ("SQLITE_IOERR", "SQLITE_PERM", "SQLITE_NOMEM"):
        return ArchiveError(f"cannot use {name}: {exc} (while {action})")
    return exc


def recovery_advice(name: str) -> str:
    """What to do with a damaged archive `name`: restore the backup, or let SQLite's
    ``.recover`` copy out what can still be read (a new file; the damaged one is left alone)."""
    return (
        f"restore it from a backup, or recover what can still be read with "
        f'`sqlite3 {shlex.quote(name)} ".recover" | sqlite3 recovered.db`'
    )


def damaged(name: str, what: str) -> DamagedArchive:
    """The error for an archive `name` whose pages are damaged (`what`: SQLite's words)."""
    return DamagedArchive(f"{name} is damaged ({what}): {recovery_advice(name)}")
