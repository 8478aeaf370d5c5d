"""One crawl per archive at a time: an exclusive kernel lock next to the database.

The lock is `flock(2)` on ``<archive>.lock`` (next to the real file, symlinks resolved) through
the `filelock` library: the kernel drops it when the holding process dies, however it dies, so
a killed run never blocks the next one.
Readers (search, serve, stats, export) never take it: SQLite's WAL lets them read while a crawl
writes. Inside one process the lock is re-entrant, so the CLI can take it before Scrapy starts
and the spider's own acquisition is a no-op.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

_held: dict[str, tuple[FileLock, int]] = {}


class LockHeld(Exception):  # noqa: N818
    """Another process holds the crawl lock of this archive."""


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    """The lock file that guards the archive at `db_path`: next to the real file, so every path
    that names the archive (a symlink, a relative path) names the same lock."""
    return Path(f"{os.path.realpath(os.fspath(db_path))}.lock")


def acquire(db_path: str | os.PathLike[str]) -> None:
    """Take the crawl lock of the archive at `db_path` at once, or raise LockHeld (or
    ArchiveError when the lock file cannot be created: a read-only directory)."""
    key = str(Path(db_path).resolve())
    if key in _held:
        lock, depth = _held[key]
        _held[key] = (lock, depth + 1)
        return
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path), timeout=0)
        lock.acquire()
    except Timeout:
        raise LockHeld(str(db_path)) from None
    except OSError as exc:
        from newsarchive.archive import ArchiveError

        raise ArchiveError(
            f"cannot take the crawl lock {path}: {exc.strerror or exc} "
            "(the archive's directory must be writable)"
        ) from None
    _held[key] = (lock, 1)


def release(db_path: str | os.PathLike[str]) -> None:
    """Give back one acquisition of the crawl lock (the last one unlocks)."""
    key = str(Path(db_path).resolve())
    if key not in _held:
        return
    lock, depth = _held[key]
    if depth > 1:
        _held[key] = (lock, depth - 1)
        return
    del _held[key]
    lock.release()


def is_held_here(db_path: str | os.PathLike[str]) -> bool:
    """Whether this process holds the crawl lock of `db_path`."""
    return str(Path(db_path).resolve()) in _held
