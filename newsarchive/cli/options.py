"""The pieces every `newsarchive` command shares, defined once: the error type, the options
(--db, the day options, --log-file) and option types (text that must be UTF-8, finite
numbers), turning archive failures into exit codes, opening an archive for reading, and the
checks of --since/--until and of the clock.

Bad input is bad usage (exit 2) with one line, found while the options are parsed where it
can be: invalid UTF-8 in an argument (the shell passes bytes; Python gives them as surrogate
escapes, which SQLite cannot take), `inf` or `nan` for a number, an empty archive path, a log
file where no file can be. Defaults come from newsarchive.settings (their one home), exit
codes from newsarchive.exitcodes.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from newsarchive import dates, exitcodes, settings
from newsarchive.archive import Archive, ArchiveError
from newsarchive.text import printable

F = TypeVar("F", bound=Callable[..., Any])

#: The environment variable that names the archive when --db is not given.
DB_ENV = "NEWSARCHIVE_DB"
#: SQLite's largest integer: the bound of every count option (a larger one cannot be bound).
INTEGER_MAX = 2**63 - 1


class Failure(click.ClickException):
    """A one-line error with an exit code: printed as `Error: …`, never a traceback (nor a
    control character from a page's text or an argument)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(printable(message))
        self.exit_code = code


class Text(click.ParamType):
    """Text that must be valid UTF-8: the shell passes bytes, and bytes that are not UTF-8
    reach Python as surrogate escapes, which SQLite (and the network) cannot take."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            str(value).encode("utf-8")
        except UnicodeEncodeError:
            shown = ascii(str(value)[:40])
            self.fail(
                f"{shown} is not valid UTF-8 text (check the terminal's encoding)", param, ctx
            )
        return value


#: The type of every free-text argument and option.
TEXT = Text()


class Finite(click.FloatRange):
    """A finite number in a range: click's FloatRange lets `nan` through every bound and
    `inf` through an open one; a delay or a schedule of either would never end."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return super().convert(number, param, ctx)


class Count(click.IntRange):
    """A whole number from `min` up to SQLite's largest integer (`INTEGER_MAX`): a larger one
    cannot be bound into a query. The upper bound is said when passed, not in --help."""

    def __init__(self, min: int = 1) -> None:  # noqa: A002 - click's name
        super().__init__(min=min)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number > INTEGER_MAX:
            self.fail(f"{number} is more than the largest count, {INTEGER_MAX}", param, ctx)
        return number


def _archive_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--db's value, refused when empty (exit 2) rather than read as the current directory,
    or when the system cannot even look it up (exit 5: a name too long, a directory that
    may not be searched, a loop of symlinks)."""
    if not value:
        raise click.BadParameter(f"give an archive path, e.g. {settings.NEWSARCHIVE_DB}")
    try:
        os.stat(value)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise Failure(f"cannot use {value}: {exc.strerror or exc}", exitcodes.ARCHIVE) from None
    return value


def archive_option(*names: str, help_text: str = "The archive file.") -> Callable[[F], F]:
    """An option naming the archive, by default settings.NEWSARCHIVE_DB or $NEWSARCHIVE_DB (an
    empty $NEWSARCHIVE_DB counts as unset); `names` as click takes them."""
    return click.option(
        *names,
        type=click.Path(dir_okay=False),
        default=lambda: os.environ.get(DB_ENV) or settings.NEWSARCHIVE_DB,
        callback=_archive_path,
        show_default=f"{settings.NEWSARCHIVE_DB}, or ${DB_ENV}",
        help=help_text,
    )


def db_option(f: F) -> F:
    """--db: the archive file every command but merge takes."""
    return archive_option("--db")(f)


def _log_file(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--log-file's value once it is known to hold a file (exit 2 otherwise, before the run
    takes the lock or touches the archive): its directory is made and the file opened for
    appending, as the run will (never blocking: a FIFO without a reader is refused)."""
    if not value:
        raise click.BadParameter("give a file name")
    path = Path(value)
    above = next(p for p in path.absolute().parents if p.exists())
    if not above.is_dir():
        raise click.BadParameter(f"cannot write {value}: {above} is not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666))
    except OSError as exc:
        raise click.BadParameter(f"cannot write {value}: {exc.strerror or exc}") from None
    return value


def log_file_option(f: F) -> F:
    """--log-file: where a crawl writes Scrapy's full log (settings.NEWSARCHIVE_LOG_FILE)."""
    return click.option(
        "--log-file",
        type=click.Path(dir_okay=False),
        default=settings.NEWSARCHIVE_LOG_FILE,
        callback=_log_file,
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


def check_clock() -> None:
    """Bad usage (exit 2) when the one clock cannot be read: `NEWSARCHIVE_NOW` set to what is
    not an ISO 8601 UTC time, or to one outside the years newsarchive.dates allows."""
    try:
        dates.now()
    except ValueError as exc:
        raise Failure(f"${dates.NOW_ENV}: {exc}", exitcodes.USAGE) from None


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


def sites_option(f: F) -> F:
    """--sites: the sites file of profiles (default $NEWSARCHIVE_SITES, else ./sites.toml)."""
    return click.option(
        "--sites",
        "sites_file",
        type=TEXT,
        metavar="FILE",
        default=None,
        help="The sites file of profiles [default: $NEWSARCHIVE_SITES, else ./sites.toml "
        "if there is one].",
    )(f)


def site_option(f: F) -> F:
    """--site: only the articles (runs, skips) of one site, by its name (`newsarchive sites`)."""
    return click.option(
        "--site", type=TEXT, help="Only this site (its name, as `newsarchive sites` lists it)."
    )(f)
