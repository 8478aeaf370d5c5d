"""One crawl per archive at a time: an exclusive kernel lock on the archive file itself.

The lock is `flock(2)` on the database file, so it belongs to the file (its device and inode),
not to a name: a symlink, a relative path and a hard link to one archive all take one lock. The
kernel drops it when the holding process dies, however it dies, so a killed run never blocks
the next one. `flock` locks and the POSIX locks SQLite takes on the same file are independent.

The descriptor is opened once per archive and process and never closed: closing any descriptor
of a file drops every POSIX lock the process holds on it, SQLite's included (SQLite's "How to
corrupt" page, 2.2.1). Releasing is ``LOCK_UN`` on it.

Readers (search, serve, stats, export) never take it: SQLite's WAL lets them read while a crawl
writes. Inside one process the lock is re-entrant, so the CLI can take it before Scrapy starts
and the crawl's own acquisition is a no-op.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsarchive.archive import Archive, ArchiveError

#: (device, inode) of each archive this process has opened for locking → (fd, depth held).
_files: dict[tuple[int, int], list[int]] = {}


class LockHeld(Exception):  # noqa: N818 - reads better at the call site
    """Another process holds the crawl lock of this archive; the message names it."""


def _open(db_path: str | os.PathLike[str]) -> tuple[tuple[int, int], list[int]]:
    """The (key, [fd, depth]) of the archive file, creating an empty file if there is none."""
    path = Path(db_path)
    try:  # known already: never open (and close) another descriptor (see the module's note)
        known = os.stat(path)
    except OSError:
        pass
    else:
        if (known.st_dev, known.st_ino) in _files:
            return (known.st_dev, known.st_ino), _files[(known.st_dev, known.st_ino)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK, 0o666)
    except OSError as exc:
        raise ArchiveError(
            f"cannot take the crawl lock of {db_path}: {exc.strerror or exc}"
        ) from None
    info = os.fstat(fd)
    key = (info.st_dev, info.st_ino)
    if key in _files:
        os.close(fd)  # this process holds one already: never two (see the module's note)
    else:
        _files[key] = [fd, 0]
    return key, _files[key]


def acquire(db_path: str | os.PathLike[str]) -> None:
    """Take the crawl lock of the archive at `db_path` at once, or raise `LockHeld` with a
    message naming the holder (or `ArchiveError` when the file cannot be opened)."""
    _, entry = _open(db_path)
    if entry[1] == 0:
        try:
            fcntl.flock(entry[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(held_message(db_path)) from None
        except OSError as exc:
            raise ArchiveError(
                f"cannot take the crawl lock of {db_path}: {exc.strerror or exc}"
            ) from None
    entry[1] += 1


def release(db_path: str | os.PathLike[str]) -> None:
    """Give back one acquisition of the crawl lock (the last one unlocks)."""
    try:
        info = os.stat(db_path)
    except OSError:
        return
    entry = _files.get((info.st_dev, info.st_ino))
    if entry is None or entry[1] == 0:
        return
    entry[1] -= 1
    if entry[1] == 0:
        fcntl.flock(entry[0], fcntl.LOCK_UN)


@contextmanager
def held(db_path: str | os.PathLike[str]) -> Iterator[None]:
    """The crawl lock for the duration of a ``with`` block (`LockHeld` if another has it)."""
    acquire(db_path)
    try:
        yield
    finally:
        release(db_path)


def held_message(db_path: str | os.PathLike[str]) -> str:
    """Why a crawl of `db_path` is refused: the holder's pid and start time, from its run row."""
    holder = None
    try:
        with Archive(db_path, readonly=True) as archive:
            holder = archive.running_run()
    except ArchiveError:
        holder = None
    if holder:
        return (
            f"another crawl holds {db_path} (pid {holder['pid']}, started {holder['started']}); "
            "try again when it has finished"
        )
    try:
        names = os.stat(db_path).st_nlink
    except OSError:
        names = 1
    if names > 1:  # its run row is in the WAL file beside the other name, unseen from here
        return (
            f"another crawl holds {db_path} through another name of the same file (it has "
            f"{names} hard links); try again when it has finished"
        )
    return f"another crawl holds {db_path} (it is starting up); try again when it has finished"
