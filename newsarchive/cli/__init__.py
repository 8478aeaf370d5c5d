"""The `newsarchive` command: crawl news sites into one SQLite archive, and read it back.

One module per command (crawl, merge, search, serve, stats, history, export; reextract and
check in maintenance), the pieces they share in options. The exit codes, for cron, are
newsarchive.exitcodes: 0 the run completed; 1 it failed or was interrupted; 2 bad usage or a
bad query; 3 another crawl holds the archive's lock; 4 the site could not be reached at all;
5 the archive cannot be opened or written.
"""

from __future__ import annotations

from newsarchive import interrupts

interrupts.install(starting=True)  # first: SIGTERM or SIGHUP from here on is one line, exit 1

import contextlib
import errno
import os
import sys
from typing import Any

import click

from newsarchive import __version__, exitcodes
from newsarchive.cli import (
    crawl,
    export,
    history,
    maintenance,
    merge,
    search,
    serve,
    sites,
    stats,
)
from newsarchive.cli.options import Failure

__all__ = ["main"]


class Commands(click.Group):
    """The command group, which turns a failed write of the output (standard output on a full
    disk, `> /dev/full`) into one line and exit 1 instead of a traceback. A reader that stops
    early (a broken pipe: `| head`) is click's to end quietly, as before."""

    def invoke(self, ctx: click.Context) -> Any:
        interrupts.install()  # the command runs: a signal unwinds it (archives closed, locks given back)
        try:
            return super().invoke(ctx)
        except interrupts.Interrupted as exc:
            raise Failure(str(exc), exitcodes.FAILED) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            where = exc.filename or "standard output"
            with contextlib.suppress(OSError, ValueError):  # the exit's flush must not fail again
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise Failure(
                f"cannot write {where}: {exc.strerror or exc}", exitcodes.FAILED
            ) from None


@click.group(
    cls=Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Crawl news sites into one searchable SQLite archive, every article once, edits kept.

    Run `newsarchive crawl -q` hourly from cron; search the archive with `newsarchive search`,
    browse it with `newsarchive serve` (Datasette), or query it with sqlite-utils or SQL.

    \b
    Example:
        newsarchive crawl --full --since 2024-12-01
        newsarchive search '"M5 highway"'
    """


for _command in (
    crawl.crawl,
    sites.sites,
    merge.merge,
    maintenance.reextract,
    maintenance.check,
    search.search,
    serve.serve,
    stats.stats,
    history.history,
    export.export,
):
    main.add_command(_command)
