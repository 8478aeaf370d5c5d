"""The pieces every `newsarchive` command shares, defined once: the error type, the options
(--db, the day options, --log-file), turning archive failures into exit codes, opening an
archive for reading and the --since/--until check.

Defaults come from newsarchive.settings (their one home), exit codes from
newsarchive.exitcodes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from newsarchive import dates, exitcodes, settings
from newsarchive.archive import Archive, ArchiveError

F = TypeVar("F", bound=Callable[..., Any])

#: The environment variable that names the archive when --db is not given.
DB_ENV = "NEWSARCHIVE_DB"


class Failure(click.ClickException):
    """A one-line error with an exit code: printed as `Error: …`, never a traceback."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def db_option(f: F) -> F:
    """--db: the archive file, by default settings.NEWSARCHIVE_DB or $NEWSARCHIVE_DB."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=lambda: os.environ.get(DB_ENV, settings.NEWSARCHIVE_DB),
        show_default=f"{settings.NEWSARCHIVE_DB}, or ${DB_ENV}",
        help="The archive file.",
    )(f)


def log_file_option(f: F) -> F:
    """--log-file: where a crawl writes Scrapy's full log (settings.NEWSARCHIVE_LOG_FILE)."""
    return click.option(
        "--log-file",
        type=click.Path(dir_okay=False),
        default=settings.NEWSARCHIVE_LOG_FILE,
        show_default=True,
        help="Scrapy's full log (rotated: 5 MB × 5).",
    )(f)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A YYYY-MM-DD option's value as an ISO day, or click's bad-parameter error (exit 2)."""
    if value is None:
        return None
    try:
        return dates.parse_day(value).isoformat()
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def day_option(name: str, help_text: str) -> Callable[[F], F]:
    """An option taking one day, YYYY-MM-DD, checked as it is parsed."""
    return click.option(name, callback=_day, metavar="YYYY-MM-DD", help=help_text)


def check_range(since: str | None, until: str | None) -> None:
    """Bad usage (exit 2) when --since is after --until."""
    try:
        dates.check_range(since, until)
    except ValueError as exc:
        raise Failure(str(exc), exitcodes.USAGE) from None


def archive_errors(f: F) -> F:
    """Turn archive failures into exit 5 with their one-line message."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except ArchiveError as exc:
            raise Failure(str(exc), exitcodes.ARCHIVE) from None

    return wrapper  # type: ignore[return-value]


def open_archive(db: str, *, readonly: bool = True) -> Archive:
    """An existing archive for reading (exit 5 with a clear message if it is not one)."""
    if readonly and not Path(db).exists():
        raise Failure(
            f"no archive at {db} (run `newsarchive crawl --db {db}` first)", exitcodes.ARCHIVE
        )
    return Archive(db, readonly=readonly)
