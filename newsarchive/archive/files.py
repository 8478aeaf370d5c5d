"""What the file on disk is, told before SQLite touches it.

An archive path may name a directory, another program's database, a file that is not SQLite
at all, a file of a newer schema, or a file on read-only storage. Each is refused (or, on
read-only storage, read as immutable) with a one-line `ArchiveError` before SQLite could create
``-wal``/``-shm`` files beside it or change it.
"""

from __future__ import annotations

import os
from pathlib import Path

from newsarchive.archive import schema
from newsarchive.archive.errors import ArchiveError, NewerSchemaError

_SQLITE_HEADER = b"SQLite format 3\x00"


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


def newer_schema(name: str, user_version: int) -> NewerSchemaError:
    """The error for an archive `name` whose schema is newer than `schema.SCHEMA_VERSION`."""
    return NewerSchemaError(
        f"{name} has schema version {user_version}, newer than this newsarchive "
        f"knows ({schema.SCHEMA_VERSION}); upgrade newsarchive to use it"
    )


def check_file(path: Path, name: str, *, readonly: bool) -> None:
    """Refuse what is not a SQLite file before SQLite touches it (`name`: the path as given)."""
    if path.is_dir():
        raise ArchiveError(f"{name} is a directory, not a newsarchive archive")
    if readonly:
        if not path.exists():
            raise ArchiveError(f"{name} does not exist (run a crawl first)")
    else:
        check_writable(path, name)
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if header and header[: len(_SQLITE_HEADER)] != _SQLITE_HEADER:
        raise ArchiveError(f"{name} is not a newsarchive archive (file is not a SQLite database)")
    if not header and readonly:
        raise ArchiveError(f"{name} is empty: not a newsarchive archive yet")
    if len(header) == 100:
        # Refuse what the header already tells, before SQLite creates -wal/-shm files. (A
        # WAL may hold a newer header; `Connection._check_schema` looks again once connected.)
        user_version = int.from_bytes(header[60:64], "big")
        application_id = int.from_bytes(header[68:72], "big")
        if application_id not in (0, schema.APPLICATION_ID):
            raise ArchiveError(
                f"{name} is not a newsarchive archive (it belongs to another program)"
            )
        if application_id == schema.APPLICATION_ID and user_version > schema.SCHEMA_VERSION:
            raise newer_schema(name, user_version)


def check_writable(path: Path, name: str) -> None:
    """The directory exists (made if need be) and the file and directory can be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(
            f"cannot create the directory {path.parent}: {exc.strerror or exc}"
        ) from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise ArchiveError(f"{name} is read-only (no permission to write it)")
    links = path.stat().st_nlink if path.is_file() else 1
    if links > 1:
        # SQLite keeps its write-ahead log beside the name a file is opened by: writes through
        # two names (a run killed through one, the next through the other) corrupt the archive.
        raise ArchiveError(
            f"{name} has {links} names (hard links); writing through more than one name can "
            "corrupt it, since SQLite keeps its log beside the name used: remove the other "
            "links (a symlink is safe)"
        )
    if not os.access(path.parent, os.W_OK):
        raise ArchiveError(f"{name} is read-only (no permission to write in {path.parent or '.'})")
