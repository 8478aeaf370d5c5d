"""`newsarchive export`: stream the articles out as JSON lines or CSV.

The archive yields the rows in batches and they are written as they come, so memory stays
flat for any archive size. A regular file named with -o (or a new one) is written beside its
target and renamed into place only when complete, with the usual permissions (0o666 less the
umask, or those of the file it replaces); anything else -o names — a device, a FIFO, a
terminal — is written through, never replaced, and a symlink is followed to what it names.
Standard output tolerates a reader that stops early (`newsarchive export | head`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from newsarchive import exitcodes
from newsarchive.cli.options import (
    Failure,
    archive_errors,
    check_range,
    day_option,
    db_option,
    open_archive,
)

#: CSV columns, in order; lists (tags, sources) are written as JSON arrays.
EXPORT_COLUMNS = (
    "id", "site", "site_id", "url", "title", "section", "subsection", "published",
    "published_local", "author", "body", "tags", "sources", "image_url", "word_count",
    "content_hash", "version", "first_seen", "last_seen", "last_changed", "run_id",
)  # fmt: skip


@click.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON lines (one article a line) or CSV with a header row.",
)
@day_option("--since", "Only articles published on or after this day (UTC).")
@day_option("--until", "Only articles published on or before this day (UTC).")
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    callback=lambda _ctx, _param, value: _output(value),
    help="Write to FILE (replaced only once complete) instead of standard output.",
)
@archive_errors
def export(db: str, fmt: str, since: str | None, until: str | None, output: str) -> None:
    """Stream articles out, oldest first, as JSON lines or CSV.

    Every column of the articles table; tags and sources are JSON arrays (in CSV too).
    Articles are read and written in batches, so memory stays flat for any archive size.
    With -o the file appears only when the export is complete.

    \b
    Example:
        newsarchive export > articles.jsonl
        newsarchive export --format csv --since 2024-12-01 -o december.csv
        newsarchive export | jq -r .title | head
    """
    check_range(since, until)
    if output != "-" and same_file(output, db):
        raise Failure(f"-o {output} is the archive itself: give another file", exitcodes.USAGE)
    with open_archive(db) as archive:  # exit 5 before anything is written if it is no archive
        records = archive.export(since=since, until=until)
        if output == "-":
            write_stdout(records, fmt)
            return
        count = write_file(records, fmt, output)
    click.echo(f"exported {count} article{'s' if count != 1 else ''} to {output}", err=True)


def write_all(records: Iterator[dict[str, Any]], stream: IO[str], fmt: str) -> int:
    """Write `records` to `stream` as JSON lines or CSV (`fmt`); returns how many."""
    import csv
    import json

    count = 0
    writer = None
    if fmt == "csv":
        writer = csv.writer(stream)
        writer.writerow(EXPORT_COLUMNS)
    for record in records:
        if writer is None:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            for key in ("tags", "sources"):
                record[key] = json.dumps(record[key], ensure_ascii=False)
            writer.writerow([record.get(c) for c in EXPORT_COLUMNS])
        count += 1
    return count


def write_stdout(records: Iterator[dict[str, Any]], fmt: str) -> None:
    """Write to standard output; a reader that has had enough (a broken pipe) ends it
    quietly, its remaining output sent to /dev/null so the interpreter's exit stays quiet."""
    stdout = sys.stdout
    try:
        write_all(records, stdout, fmt)
        stdout.flush()
    except BrokenPipeError:  # `newsarchive export | head`: the reader has had enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, stdout.fileno())


def _output(value: str) -> str:
    """-o's value, refused when empty (exit 2) rather than read as the current directory."""
    if not value:
        raise click.BadParameter("give a file name, or - for standard output")
    return value


def same_file(a: str, b: str) -> bool:
    """Whether paths `a` and `b` name one existing file."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def failure(output: str, exc: OSError) -> Failure:
    """Exit 1: `output` cannot be written, and why."""
    return Failure(f"cannot write {output}: {exc.strerror or exc}", exitcodes.FAILED)


def write_file(records: Iterator[dict[str, Any]], fmt: str, output: str) -> int:
    """Write to `output` (exit 1 with the reason if it cannot be written); returns how many
    articles were written. A regular file or a new one is replaced only once complete
    (`write_replacing`); anything else (a device, a FIFO) is written through: a device must
    stay a device and a FIFO's reader must get the data."""
    try:
        found = os.stat(output)  # follows symlinks: what they name decides
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise failure(output, exc) from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        try:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                return write_all(records, handle, fmt)
        except OSError as exc:  # /dev/full, a FIFO whose reader went away …
            raise failure(output, exc) from None
    return write_replacing(records, fmt, output, found)


def write_replacing(
    records: Iterator[dict[str, Any]], fmt: str, output: str, found: os.stat_result | None
) -> int:
    """Write to a `.part` file beside the file `output` names (through symlinks), renamed over
    it only when complete. The new file has the permissions of the one it replaces (`found`),
    or 0o666 less the umask, as any program's new file."""
    target = Path(os.path.realpath(output))
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise failure(output, exc) from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            if found is not None:
                os.fchmod(handle.fileno(), stat.S_IMODE(found.st_mode))
            count = write_all(records, handle, fmt)
        os.replace(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise failure(output, exc) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return count
