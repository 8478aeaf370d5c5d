"""`newsarchive export`: stream the articles out as JSON lines or CSV.

The archive yields the rows in batches and they are written as they come, so memory stays
flat for any archive size. A file named with -o is written beside its target and renamed
into place only when complete; standard output tolerates a reader that stops early
(`newsarchive export | head`).
"""

from __future__ import annotations

import contextlib
import os
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


def write_file(records: Iterator[dict[str, Any]], fmt: str, output: str) -> int:
    """Write to a `.part` file beside `output`, renamed into place only when complete (exit 1
    with the reason if it cannot be written); returns how many articles were written."""
    import tempfile

    target = Path(output)
    try:
        fd, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise Failure(f"cannot write {output}: {exc.strerror or exc}", exitcodes.FAILED) from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            count = write_all(records, handle, fmt)
        os.replace(part, target)
    except OSError as exc:
        Path(part).unlink(missing_ok=True)
        raise Failure(f"cannot write {output}: {exc.strerror or exc}", exitcodes.FAILED) from None
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    return count
