"""The `newsarchive` command: crawl news sites into one SQLite archive, and read it back.

One module per command (crawl, search, serve, stats, history, export; reextract and check
in maintenance), the pieces they share in options. The exit codes, for cron, are
newsarchive.exitcodes: 0 the run completed; 1 it failed or was interrupted; 2 bad usage or a
bad query; 3 another crawl holds the archive's lock; 4 the site could not be reached at all;
5 the archive cannot be opened or written.
"""

from __future__ import annotations

import click

from newsarchive import __version__
from newsarchive.cli import crawl, export, history, maintenance, search, serve, stats

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    maintenance.reextract,
    maintenance.check,
    search.search,
    serve.serve,
    stats.stats,
    history.history,
    export.export,
):
    main.add_command(_command)
