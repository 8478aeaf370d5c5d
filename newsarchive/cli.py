"""The `newsarchive` command: crawl news sites into one SQLite archive, and read it back.

Exit codes (for cron): 0 the run completed; 1 it failed or was interrupted; 2 bad usage or a
bad query; 3 another crawl holds the archive's lock; 4 the site could not be reached at all;
5 the archive cannot be opened or written.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from newsarchive import __version__, dates, lock
from newsarchive.archive import Archive, ArchiveError

EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_UNREACHABLE, EXIT_ARCHIVE = 1, 2, 3, 4, 5
DEFAULT_DB = "data/archive.db"
DEFAULT_LOG = "data/logs/crawl.log"

F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger("newsarchive.cli")


class Failure(click.ClickException):
    """A one-line error with an exit code: printed as `Error: …`, never a traceback."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def db_option(f: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=lambda: os.environ.get("NEWSARCHIVE_DB", DEFAULT_DB),
        show_default="data/archive.db, or $NEWSARCHIVE_DB",
        help="The archive file.",
    )(f)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dates.parse_day(value).isoformat()
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def day_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, callback=_day, metavar="YYYY-MM-DD", help=help_text)


def archive_errors(f: F) -> F:
    """Turn archive failures into exit 5 with their one-line message."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except ArchiveError as exc:
            raise Failure(str(exc), EXIT_ARCHIVE) from None

    return wrapper  # type: ignore[return-value]


def open_archive(db: str, *, readonly: bool = True) -> Archive:
    """An existing archive for reading (exit 5 with a clear message if it is not one)."""
    if readonly and not Path(db).exists():
        raise Failure(f"no archive at {db} (run `newsarchive crawl --db {db}` first)", EXIT_ARCHIVE)
    return Archive(db, readonly=readonly)


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


# --- crawl -------------------------------------------------------------------------------
@main.command()
@click.argument("sites", nargs=-1, metavar="[SITE]...")
@db_option
@click.option("--base-url", metavar="URL", help="Crawl this root instead (a mirror, the replica).")
@click.option("--full", is_flag=True, help="Backfill: walk the daily archives back to --since.")
@day_option("--since", "Backfill from this day (implies a backfill).")
@day_option("--until", "Backfill up to this day (default: today).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N articles stored.")
@click.option(
    "--refresh-hours",
    type=click.FloatRange(min=1),
    help="Re-fetch articles younger than this on the 1-3-6-12-24-H back-off (default 48).",
)
@click.option("--fill-gaps", is_flag=True, help="Also fetch article ids never seen.")
@click.option(
    "--delay", type=click.FloatRange(min=0), help="Seconds between requests (default about 1)."
)
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Parallel requests to the site (default 1)."
)
@click.option("--timeout", type=click.FloatRange(min=0.5), help="Download timeout in seconds.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless the run failed (cron).")
@click.option("-v", "--verbose", is_flag=True, help="Debug detail in the log file.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    default=DEFAULT_LOG,
    show_default=True,
    help="Scrapy's full log (rotated: 5 MB × 5).",
)
def crawl(
    sites: tuple[str, ...],
    db: str,
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

    Incremental by default: the feed, the section listings after a gap, and a re-fetch of
    recent articles on the back-off schedule. --full, --since or --until backfill through
    the site's daily archives instead (about one request per article).

    Prints one summary line at the end (nothing with -q unless the run failed); Scrapy's
    full log goes to --log-file. Exit codes: 0 done, 1 failed or interrupted, 2 bad usage,
    3 another crawl holds the archive, 4 site unreachable, 5 archive not writable.

    \b
    Example:
        newsarchive crawl -q                                # hourly, from cron
        newsarchive crawl --full --since 2024-12-01
        newsarchive crawl --base-url http://127.0.0.1:8000 --delay 0 --concurrency 16
    """
    from newsarchive.crawl import CrawlOptions, run_crawl

    options = CrawlOptions(
        sites=list(sites),
        db=db,
        base_url=base_url,
        full=full,
        since=since,
        until=until,
        limit=limit,
        refresh_hours=refresh_hours,
        fill_gaps=fill_gaps,
        delay=delay,
        concurrency=concurrency,
        timeout=timeout,
        quiet=quiet,
        verbose=verbose,
        log_file=log_file,
    )
    try:
        code, lines, errors = run_crawl(options)
    except KeyboardInterrupt:  # Ctrl-C while Scrapy did not hold the signals (start, end)
        code, lines, errors = EXIT_FAILED, [], ["interrupted (Ctrl-C)"]
    if not quiet or code:
        for line in lines:
            click.echo(line, err=bool(code) and quiet)
    for message in errors:
        click.echo(f"Error: {message}", err=True)
    sys.exit(code)


# --- reextract ---------------------------------------------------------------------------
@main.command()
@db_option
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@archive_errors
def reextract(db: str, dry_run: bool) -> None:
    """Re-run today's extractor over the raw pages kept in the archive; no request is made.

    What the extractor now reads differently is stored as a new version (the old one kept in
    article_versions), so an extractor fix repairs years of archive without a fetch.

    \b
    Example:
        newsarchive reextract --dry-run
        newsarchive reextract --db data/archive.db
    """
    from newsarchive.reextract import reextract_archive

    if not Path(db).exists():
        raise Failure(f"no archive at {db}", EXIT_ARCHIVE)
    try:
        lock.acquire(db)
    except lock.LockHeld:
        from newsarchive.sitespider import lock_message

        raise Failure(lock_message(db), EXIT_LOCKED) from None
    try:
        counts = reextract_archive(db, dry_run=dry_run)
    finally:
        lock.release(db)
    verb = "would change" if dry_run else "updated"
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(counts.skipped.items())) or "none"
    click.echo(
        f"{counts.pages} pages re-extracted: {counts.changed} {verb}, "
        f"{counts.unchanged} unchanged, {sum(counts.skipped.values())} skipped ({skipped})"
    )


# --- check -------------------------------------------------------------------------------
@main.command()
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
    with open_archive(db) as archive:
        # The FTS checks need a write transaction: not while a crawl writes (it would wait on
        # us); holding the crawl lock meanwhile keeps a crawl from starting in the middle.
        busy, locked = None, False
        try:
            lock.acquire(db)
            locked = True
        except lock.LockHeld:
            from newsarchive.sitespider import lock_message

            busy = lock_message(db)
        except ArchiveError:
            pass  # read-only storage: no crawl can write there either
        try:
            problems = archive.check(fts=busy is None)
            count = archive.count_articles()
        finally:
            if locked:
                lock.release(db)
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        raise Failure(f"{len(problems)} problem(s) in {db}", EXIT_FAILED)
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


# --- shared by the read-side commands ------------------------------------------------------
#: Snippet markers no article text holds; shown as bold on a terminal, as [brackets] otherwise.
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"


def _check_range(since: str | None, until: str | None) -> None:
    if since and until and since > until:
        raise Failure(f"--since {since} is after --until {until}", EXIT_USAGE)


def _is_terminal() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _mark(snippet: str, terminal: bool) -> str:
    """A one-line snippet with its matches bold (terminal) or in [brackets]."""
    text = " ".join(snippet.split())
    if not terminal:
        return text.replace(_MARK_OPEN, "[").replace(_MARK_CLOSE, "]")
    out, rest = [], text
    while _MARK_OPEN in rest:
        before, _, rest = rest.partition(_MARK_OPEN)
        match, _, rest = rest.partition(_MARK_CLOSE)
        out += [before, click.style(match, bold=True)]
    return "".join([*out, rest])


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """Rows as aligned text columns (numbers right-aligned), headers underlined."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(isinstance(r[i], int) or r[i] is None for r in rows)
        for i in range(len(headers))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)]


def _day_ranges(days: list[str]) -> list[tuple[str, str, int]]:
    """Sorted ISO days as stretches of consecutive days: (first, last, count)."""
    from datetime import date, timedelta

    stretches: list[tuple[str, str, int]] = []
    for text in sorted(days):
        day = date.fromisoformat(text)
        if stretches and date.fromisoformat(stretches[-1][1]) + timedelta(days=1) == day:
            first, _, count = stretches[-1]
            stretches[-1] = (first, text, count + 1)
        else:
            stretches.append((text, text, 1))
    return stretches


# --- search ------------------------------------------------------------------------------
@main.command()
@click.argument("query")
@db_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="At most N hits."
)
@click.option("--site", help="Only articles of this site (e.g. novinite).")
@click.option("--section", help="Only articles of this section (e.g. World; any casing).")
@click.option("--tag", help="Only articles with this tag (any casing).")
@day_option("--since", "Only articles published on or after this day (UTC).")
@day_option("--until", "Only articles published on or before this day (UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line, for scripts.")
@archive_errors
def search(
    query: str,
    db: str,
    limit: int,
    site: str | None,
    section: str | None,
    tag: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    """Full-text search of the archive, best match first.

    Ranked by bm25 with title matches above body matches. Each hit shows its date, section,
    title and URL, then a snippet with the matches marked (bold on a terminal, [brackets]
    otherwise). --json prints one JSON object a line instead (id, site, site_id, url, title,
    section, published, tags, snippet, rank).

    QUERY is FTS5 syntax: words (all must match; stemmed, any case), "a phrase", AND, OR,
    NOT, prefix*, NEAR(a b). Plain words with punctuation (U.S., M5, Assad's) just work. A
    query FTS5 cannot parse exits 2 with the reason; no hits is not an error (exit 0).

    \b
    Example:
        newsarchive search homs
        newsarchive search 'homs AND rebels' --since 2024-12-01
        newsarchive search '"M5 highway"' --section World --limit 3
        newsarchive search 'reb*' --tag Syria --json
    """
    import json

    from newsarchive.archive import QueryError

    _check_range(since, until)
    terminal = not as_json and _is_terminal()
    with open_archive(db) as archive:
        try:
            hits = archive.search(
                query,
                site=site,
                section=section,
                tag=tag,
                since=since,
                until=until,
                limit=limit,
                highlight=("[", "]") if as_json else (_MARK_OPEN, _MARK_CLOSE),
            )
        except QueryError as exc:
            raise Failure(str(exc), EXIT_USAGE) from None
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit, ensure_ascii=False))
        if not hits:
            click.echo(f"no article matches {query}", err=True)
        return
    if not hits:
        click.echo(f"No article matches {query}.")
        return
    for hit in hits:
        heading = "  ".join(
            part for part in (hit["published"][:10], hit["section"] or "", hit["title"]) if part
        )
        click.echo(click.style(heading, bold=True) if terminal else heading)
        click.echo(f"    {hit['url']}")
        click.echo(f"    {_mark(hit['snippet'] or '', terminal)}")
        click.echo()
    more = f" (the best {limit}; --limit for more)" if len(hits) == limit else ""
    click.echo(f"{len(hits)} article{'s' if len(hits) != 1 else ''} found{more}")


# --- serve -------------------------------------------------------------------------------
@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@archive_errors
def serve(db: str, host: str, port: int) -> None:
    """Browse the archive in Datasette, read-only, at http://HOST:PORT/archive.

    The archive is the database "archive" whatever its file is called, with the bundled
    metadata: descriptions of every table and column, a search box on articles, facets on
    section, subsection, tags and month, and canned queries (search ranked like
    `newsarchive search`, latest articles, articles by tag, articles per month, edited
    articles with their versions side by side, runs, skips by reason, days without
    articles). It is opened read-only, so a crawl may write to it meanwhile. Exit 1 if the
    port is taken, 5 if the file is not an archive.

    \b
    Example:
        newsarchive serve                    # then open http://127.0.0.1:8001/archive
        newsarchive serve --db data/demo.db --port 8002
    """
    from newsarchive import serve as serving

    with open_archive(db):  # exit 5 now, not at the first request, if it is no archive
        pass
    try:
        sock = serving.bind(host, port)
    except serving.PortInUse as exc:
        raise Failure(str(exc), EXIT_FAILED) from None
    shown = f"[{host}]" if ":" in host else host
    try:
        click.echo(
            f"Serving {db} at http://{shown}:{sock.getsockname()[1]}/archive (Ctrl-C to stop)"
        )
        serving.run(db, sock)
    except KeyboardInterrupt:  # pragma: no cover - uvicorn handles Ctrl-C itself
        pass
    finally:
        sock.close()


# --- stats -------------------------------------------------------------------------------
@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Everything as one JSON object.")
@archive_errors
def stats(db: str, as_json: bool) -> None:
    """What the archive holds: sites, sections, months, gaps, runs and skips.

    Articles per site (first and last published, days with no article between them, site
    ids never seen), per section and per month (UTC); the last 10 runs and their outcomes;
    skipped pages by reason. --json prints it all as one JSON object (every empty day listed).

    \b
    Example:
        newsarchive stats
        newsarchive stats --json | jq '.sites[0].empty_days | length'
    """
    import json

    with open_archive(db) as archive:
        data = archive.stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    echo = click.echo
    echo(
        f"{db}: {data['articles']} articles, {data['versions']} earlier versions, "
        f"{data['raw_pages']} raw pages"
    )
    echo()
    echo(click.style("Sites", bold=True))
    for line in _table(
        ["site", "articles", "first published", "last published", "empty days", "id gaps"],
        [
            [
                s["site"],
                s["articles"],
                s["first_published"],
                s["last_published"],
                len(s["empty_days"]),
                s["id_gaps"],
            ]
            for s in data["sites"]
        ],
    ):
        echo(line)
    echo()
    echo(click.style("Sections", bold=True))
    for line in _table(
        ["site", "section", "articles", "first published", "last published"],
        [
            [
                s["site"],
                s["section"] or "(none)",
                s["articles"],
                s["first_published"],
                s["last_published"],
            ]
            for s in data["sections"]
        ],
    ):
        echo(line)
    echo()
    echo(click.style("Articles per month", bold=True))
    for line in _table(
        ["site", "month", "articles"],
        [[m["site"], m["month"], m["articles"]] for m in data["months"]],
    ):
        echo(line)
    for site in data["sites"]:
        stretches = _day_ranges(site["empty_days"])
        echo()
        if not stretches:
            summary = "none"
        else:
            plural = "es" if len(stretches) != 1 else ""
            summary = f"{len(site['empty_days'])} in {len(stretches)} stretch{plural}"
        echo(click.style(f"Days without articles ({site['site']})", bold=True) + f": {summary}")
        shown = 20
        for first, last, count in stretches[-shown:]:
            days = f"{count} day{'s' if count != 1 else ''}"
            echo(f"  {first}  ({days})" if first == last else f"  {first} … {last}  ({days})")
        if len(stretches) > shown:
            echo(f"  … and {len(stretches) - shown} earlier stretches (--json lists every day)")
    echo()
    echo(click.style("Last runs", bold=True))
    if data["runs"]:
        for line in _table(
            [
                "id",
                "started",
                "finished",
                "status",
                "mode",
                "requests",
                "new",
                "updated",
                "unchanged",
                "skipped",
                "error",
            ],
            [
                [
                    r["id"],
                    r["started"],
                    r["finished"],
                    r["status"],
                    r["mode"],
                    r["requests"],
                    r["articles_new"],
                    r["articles_updated"],
                    r["articles_unchanged"],
                    r["skipped"],
                    (r["error"] or "")[:60],
                ]
                for r in data["runs"]
            ],
        ):
            echo(line)
    else:
        echo("  no runs yet")
    echo()
    echo(click.style("Skipped pages by reason", bold=True))
    if data["skips"]:
        for line in _table(["reason", "pages"], [[s["reason"], s["count"]] for s in data["skips"]]):
            echo(line)
    else:
        echo("  none")


# --- history -----------------------------------------------------------------------------
def _version_lines(version: dict[str, Any]) -> list[str]:
    """The text a version's diff compares: title, tags, then the body's lines."""
    return [
        f"title: {version['title']}",
        f"tags: {', '.join(version['tags'])}",
        "",
        *(version["body"] or "").split("\n"),
    ]


@main.command()
@click.argument("article")
@db_option
@archive_errors
def history(article: str, db: str) -> None:
    """Every stored version of one article, with a unified diff between consecutive ones.

    ARTICLE is the site's article id (229777), SITE:ID (novinite:229777), the archive's id
    (id:12) or a URL of the article (its current one or an earlier one). The diff compares
    title, tags and body. An article not in the archive exits 1.

    \b
    Example:
        newsarchive history 229777
        newsarchive history novinite:229777 --db data/archive.db
        newsarchive history "$(newsarchive search homs --json --limit 1 | jq -r .url)"
    """
    import difflib

    from newsarchive.archive import ArticleNotFound

    with open_archive(db) as archive:
        try:
            found = archive.history(article)
        except ArticleNotFound as exc:
            raise Failure(str(exc), EXIT_FAILED) from None
    current, versions = found["article"], found["versions"]
    echo = click.echo
    echo(click.style(current["title"], bold=True))
    echo(f"{current['site']} {current['site_id']} (id {current['id']})  {current['url']}")
    count = len(versions)
    edited = "never edited" if count == 1 else "edited"
    echo(f"published {current['published']}; {count} version{'s' if count != 1 else ''}, {edited}")
    echo()
    for v in versions:
        until = v["seen_until"] or "now (current)"
        echo(f"version {v['version']}  {v['seen_from'] or '?'} – {until}  {v['title']}")
    for old, new in zip(versions, versions[1:], strict=False):
        echo()
        diff = difflib.unified_diff(
            _version_lines(old),
            _version_lines(new),
            fromfile=f"version {old['version']} ({old['seen_from'] or '?'})",
            tofile=f"version {new['version']} ({new['seen_from'] or '?'})",
            lineterm="",
        )
        for line in diff:
            if line.startswith(("+++", "---")):
                echo(click.style(line, bold=True))
            elif line.startswith("@@"):
                echo(click.style(line, fg="cyan"))
            elif line.startswith("+"):
                echo(click.style(line, fg="green"))
            elif line.startswith("-"):
                echo(click.style(line, fg="red"))
            else:
                echo(line)


# --- export ------------------------------------------------------------------------------
#: CSV columns, in order; lists (tags, sources) are written as JSON arrays.
EXPORT_COLUMNS = (
    "id", "site", "site_id", "url", "title", "section", "subsection", "published",
    "published_local", "author", "body", "tags", "sources", "image_url", "word_count",
    "content_hash", "version", "first_seen", "last_seen", "last_changed", "run_id",
)  # fmt: skip


@main.command()
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
    import contextlib
    import csv
    import json
    import tempfile
    from collections.abc import Iterator

    _check_range(since, until)

    def write_all(records: Iterator[dict[str, Any]], stream: Any) -> int:
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

    with open_archive(db) as archive:  # exit 5 before anything is written if it is no archive
        records = archive.export(since=since, until=until)
        if output == "-":
            stdout = sys.stdout
            try:
                write_all(records, stdout)
                stdout.flush()
            except BrokenPipeError:  # `newsarchive export | head`: the reader has had enough
                devnull = os.open(os.devnull, os.O_WRONLY)
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(devnull, stdout.fileno())
            return
        target = Path(output)
        try:
            fd, part = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".part"
            )
        except OSError as exc:
            raise Failure(f"cannot write {output}: {exc.strerror or exc}", EXIT_FAILED) from None
        try:
            with open(fd, "w", encoding="utf-8", newline="") as handle:
                count = write_all(records, handle)
            os.replace(part, target)
        except OSError as exc:
            Path(part).unlink(missing_ok=True)
            raise Failure(f"cannot write {output}: {exc.strerror or exc}", EXIT_FAILED) from None
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise
    click.echo(f"exported {count} article{'s' if count != 1 else ''} to {output}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
