"""`newsarchive merge SOURCE... --into ARCHIVE`: archives from several machines, folded into one.

Every source is opened read-only and checked before anything is written (one that is not an
archive, or of a newer schema, is exit 5 and left as it was); then the target's crawl lock is
taken (exit 3 while a crawl holds it) and the sources are merged one after the other, each in
short transactions (newsarchive.archive.merge says what a merge keeps). A progress bar on a
terminal; always one summary line at the end.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from newsarchive import dates, exitcodes, lock
from newsarchive.archive import Archive, MergeCounts, MergeSource
from newsarchive.cli.options import Failure, archive_errors, archive_option, check_clock
from newsarchive.cli.progressbar import progress_bar


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (a symlink, a relative path, a hard link)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


@click.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...", type=click.Path())
@archive_option(
    "--into", "--db", "target", help_text="The archive to merge into (created when it does not exist)."
)
@archive_errors
def merge(sources: tuple[str, ...], target: str) -> None:
    """Fold archives (e.g. one per crawling machine) into one.

    An article is one (site, site_id) whichever archives hold it; its versions from all of
    them are put in order by when each was seen, equal text is one version, the one seen
    last is current. Raw pages, runs (marked with the archive they ran in) and skips come
    along. Merging the same archive again changes nothing, and the order of the sources does
    not matter. The sources are only read; a source that is not an archive, or was written
    by a newer newsarchive, is exit 5. Exit 3 while a crawl holds the target.

    \b
    Example:
        newsarchive merge nodes/node1.db nodes/node2.db --into data/archive.db
    """
    check_clock()
    for source in sources:
        if _same_file(source, target):
            raise Failure(f"{target} is also a source: merge into another archive", exitcodes.USAGE)
    total = 0
    for source in sources:  # every source checked before anything is written
        with MergeSource(source) as archive:
            total += archive.count_articles()
    started = time.monotonic()
    counts = MergeCounts()
    try:
        with lock.held(target), Archive(target) as archive, progress_bar(total, "merging") as advance:
            archive.verify()  # a damaged target: exit 5 with what to do, before any write
            archive.mark_interrupted(dates.now())
            for source in sources:
                with MergeSource(source) as opened:
                    counts.add(archive.merge_from(opened, str(Path(source).resolve()), advance))
    except lock.LockHeld as exc:
        raise Failure(str(exc), exitcodes.LOCKED) from None
    seconds = time.monotonic() - started
    click.echo(
        f"{target}: {counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged; "
        f"{counts.versions} versions added; {counts.runs} runs, {counts.skips} skips added; "
        f"{len(sources)} archive{'s' if len(sources) > 1 else ''} in {seconds:.1f} s"
    )
