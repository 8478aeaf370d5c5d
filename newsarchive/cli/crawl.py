"""`newsarchive crawl`: one crawl run, from cron or by hand.

The command only turns its options into a `CrawlOptions` and prints the outcome; the run
itself (settings, the lock, Scrapy, the exit code) is newsarchive.crawl.process, imported
when the command runs so that the read-side commands never load Scrapy.
"""

from __future__ import annotations

import sys

import click

from newsarchive import exitcodes, settings
from newsarchive.cli.options import (
    TEXT,
    Count,
    Failure,
    Finite,
    check_clock,
    day_option,
    db_option,
    log_file_option,
    sites_option,
)

#: The longest --delay (seconds): a polite crawl waits about one; a run of an hourly cron
#: waiting longer between two requests would hold the archive's lock into the next.
DELAY_MAX = 60
#: The longest --timeout (seconds): Scrapy's own default is 180.
TIMEOUT_MAX = 600


@click.command()
@click.argument("sites", nargs=-1, metavar="[SITE]...", type=TEXT)
@db_option
@sites_option
@click.option(
    "--base-url",
    type=TEXT,
    metavar="URL",
    help="Crawl this root instead (a mirror, the replica); with one SITE only.",
)
@click.option("--full", is_flag=True, help="Backfill: walk the daily archives back to --since.")
@day_option("--since", "Backfill from this day (implies a backfill).")
@day_option("--until", "Backfill up to this day (default: today).")
@click.option("--limit", type=Count(), help="Stop after N articles stored.")
@click.option(
    "--refresh-hours",
    type=Finite(min=1),
    help="Re-fetch articles younger than this on the 1-3-6-12-24-H back-off "
    f"(default {settings.NEWSARCHIVE_REFRESH_HOURS}).",
)
@click.option("--fill-gaps", is_flag=True, help="Also fetch article ids never seen.")
@click.option(
    "--delay", type=Finite(0, DELAY_MAX), help="Seconds between requests (default about 1)."
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    help=f"Parallel requests to the site (default {settings.CONCURRENT_REQUESTS_PER_DOMAIN}).",
)
@click.option("--timeout", type=Finite(0.5, TIMEOUT_MAX), help="Download timeout in seconds.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless the run failed (cron).")
@click.option("-v", "--verbose", is_flag=True, help="Debug detail in the log file.")
@log_file_option
def crawl(
    sites: tuple[str, ...],
    db: str,
    sites_file: str | None,
    base_url: str | None,
    full: bool,
    since: str | None,
    until: str | None,
    limit: int | None,
    refresh_hours: float | None,
    fill_gaps: bool,
    delay: float | None,
    concurrency: int | None,
    timeout: float | None,
    quiet: bool,
    verbose: bool,
    log_file: str,
) -> None:
    """One crawl run: what is new or changed since the last run, into the archive.

    SITE defaults to every known site (the modules in spiders/ and the profiles of the
    sites file, see `newsarchive sites`), crawled concurrently in one process, each at its
    own polite rate, with one summary line each. Exit 0 when every site completed, 1 when
    some failed (the others are stored), 4 when none could be reached.

    Incremental by default: the feed, the section listings after a gap, and a re-fetch of
    recent articles on the back-off schedule. --full, --since or --until backfill through
    the site's daily archives instead (about one request per article).

    Prints the summary lines at the end (nothing with -q unless the run failed); Scrapy's
    full log goes to --log-file. Exit codes: 0 done, 1 failed or interrupted, 2 bad usage,
    3 another crawl holds the archive, 4 site unreachable, 5 archive not writable.

    \b
    Example:
        newsarchive crawl -q                                # hourly, every site, from cron
        newsarchive crawl examplenews --sites my-sites.toml
        newsarchive crawl --full --since 2024-12-01
        newsarchive crawl examplenews --base-url http://127.0.0.1:8000 --delay 0 --concurrency 16
    """
    from newsarchive.crawl.process import CrawlOptions, run_crawl

    check_before_run(refresh_hours)
    given = click.get_current_context().params  # every option by CrawlOptions' names
    options = CrawlOptions(**{**given, "sites": list(sites)})
    try:
        code, lines, errors = run_crawl(options)
    except KeyboardInterrupt:  # Ctrl-C while Scrapy did not hold the signals (start, end)
        code, lines, errors = exitcodes.FAILED, [], ["interrupted (Ctrl-C)"]
    report(code, lines, errors, quiet=quiet)
    sys.exit(code)


def check_before_run(refresh_hours: float | None) -> None:
    """Bad usage (exit 2) found before the run takes the lock or touches the archive: a clock
    that cannot be read, a refresh schedule out of the spider's range (its one home is the
    spider arguments' check)."""
    from newsarchive.crawl.arguments import check_refresh_hours

    check_clock()
    if refresh_hours is not None:
        try:
            check_refresh_hours(refresh_hours)
        except ValueError as exc:
            raise Failure(f"--refresh-hours: {exc}", exitcodes.USAGE) from None


def report(code: int, lines: list[str], errors: list[str], *, quiet: bool) -> None:
    """Print a run's summary lines (to stderr under -q, and then only if it failed) and its
    errors as `Error: …` lines on stderr."""
    if not quiet or code:
        for line in lines:
            click.echo(line, err=bool(code) and quiet)
    for message in errors:
        click.echo(f"Error: {message}", err=True)
