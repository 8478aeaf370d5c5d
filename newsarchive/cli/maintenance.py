"""`newsarchive reextract` and `newsarchive check`: looking after an archive, no request made.

Both take the crawl lock (newsarchive.lock) while they work, so no crawl starts in the
middle: reextract because it writes versions, check because the FTS index is only checked
in a write transaction. The lock's own message (`lock.LockHeld`) names the crawl holding it.
A damaged file is what `check` is for: it reports the damage (exit 1, with what to do) even
when the damage stops the archive from opening.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from newsarchive import exitcodes, lock
from newsarchive.archive import ArchiveError
from newsarchive.archive.errors import DamagedArchive
from newsarchive.cli.options import (
    Failure,
    archive_errors,
    check_clock,
    db_option,
    open_archive,
    sites_option,
)
from newsarchive.text import printable


@click.command()
@db_option
@sites_option
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@archive_errors
def reextract(db: str, sites_file: str | None, dry_run: bool) -> None:
    """Re-run today's extractor over the raw pages kept in the archive; no request is made.

    What the extractor now reads differently is stored as a new version (the old one kept in
    article_versions), so an extractor fix repairs years of archive without a fetch. A
    profile site's pages are read with its profile from the sites file (a site it does not
    name is counted as no_extractor).

    \b
    Example:
        newsarchive reextract --dry-run
        newsarchive reextract --db data/archive.db --sites my-sites.toml
    """
    from newsarchive.cli.progressbar import progress_bar
    from newsarchive.reextract import reextract_archive, total_pages
    from newsarchive.sites import SitesError
    from newsarchive.sites import sites_file as find_sites_file

    if not Path(db).exists():
        raise Failure(f"no archive at {db}", exitcodes.ARCHIVE)
    check_clock()
    try:
        with lock.held(db), progress_bar(total_pages(db), "re-extracting") as advance:
            counts = reextract_archive(
                db, dry_run=dry_run, sites=find_sites_file(sites_file), advance=advance
            )
    except lock.LockHeld as exc:
        raise Failure(str(exc), exitcodes.LOCKED) from None
    except SitesError as exc:
        raise Failure(str(exc), exitcodes.USAGE) from None
    verb = "would change" if dry_run else "updated"
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(counts.skipped.items())) or "none"
    click.echo(
        f"{counts.pages} pages re-extracted: {counts.changed} {verb}, "
        f"{counts.unchanged} unchanged, {sum(counts.skipped.values())} skipped ({skipped})"
    )


@click.command()
@db_option
@archive_errors
def check(db: str) -> None:
    """Check the archive: SQLite integrity, the FTS index, and the archive's own invariants.

    Exit 0 when all is well; exit 1 with a line per problem otherwise. While a crawl writes
    to the archive everything but the full-text index is checked (its check would hold the
    crawl up), and the output says so.

    \b
    Example:
        newsarchive check --db data/archive.db
    """
    try:
        busy, problems, count = run_checks(db)
    except DamagedArchive as exc:  # too damaged to open: that is the finding
        busy, problems, count = None, [str(exc)], 0
    if problems:
        for problem in problems:
            click.echo(f"problem: {printable(problem)}", err=True)
        raise Failure(f"{len(problems)} problem(s) in {db}", exitcodes.FAILED)
    if busy or not os.access(db, os.W_OK):
        why = (
            busy.replace("try again", "check again")
            if busy
            else "the archive is read-only (FTS5 checks it only in a write transaction)"
        )
        click.echo(
            f"ok: {db} ({count} articles) passes integrity and invariant checks; the full-text "
            f"index was not checked because {why}"
        )
        return
    click.echo(f"ok: {db} ({count} articles) passes integrity, FTS and invariant checks")


def run_checks(db: str) -> tuple[str | None, list[str], int]:
    """Check the archive at `db` under the crawl lock: (why the FTS index was left out, or
    None; the problems; how many articles)."""
    with open_archive(db) as archive:
        # The FTS checks need a write transaction: not while a crawl writes (it would wait on
        # us); holding the crawl lock meanwhile keeps a crawl from starting in the middle.
        busy, locked = None, False
        try:
            lock.acquire(db)
            locked = True
        except lock.LockHeld as exc:
            busy = str(exc)
        except ArchiveError:
            pass  # read-only storage: no crawl can write there either
        try:
            problems = archive.check(fts=busy is None)
            count = 0 if problems else archive.count_articles()
        finally:
            if locked:
                lock.release(db)
    return busy, problems, count
