"""`newsarchive search`: full-text search of the archive from the command line.

The archive ranks and highlights (newsarchive.archive); this module prints the hits: a
heading, the URL and a one-line snippet whose matches are bold on a terminal and in
[brackets] otherwise (pipes, files, NO_COLOR). A page's text is printed without its control
characters (`text.printable`: an ESC in a title would drive the terminal); --json keeps it
exact. The archive bounds a search (`QUERY_MAX_CHARS` characters, `SEARCH_SECONDS` of
running): beyond either, a one-line message and exit 2.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from newsarchive import exitcodes
from newsarchive.cli.options import (
    TEXT,
    Count,
    Failure,
    archive_errors,
    check_range,
    day_option,
    db_option,
    open_archive,
)
from newsarchive.text import printable

if TYPE_CHECKING:
    from newsarchive.archive.search_ranks import Hits

#: Snippet markers no article text holds; shown as bold on a terminal, as [brackets] otherwise.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def is_terminal() -> bool:
    """Whether to style the output: stdout is a terminal and NO_COLOR is not set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def mark_snippet(snippet: str, terminal: bool) -> str:
    """A one-line snippet with its matches bold (terminal) or in [brackets]; the text between
    the markers is printed without control characters (the markers are two of them)."""
    text = " ".join(snippet.split())
    out, rest = [], text
    while MARK_OPEN in rest:
        before, _, rest = rest.partition(MARK_OPEN)
        match, _, rest = rest.partition(MARK_CLOSE)
        match = printable(match)
        out += [printable(before), click.style(match, bold=True) if terminal else f"[{match}]"]
    return "".join([*out, printable(rest)])


@click.command()
@click.argument("query", type=TEXT)
@db_option
@click.option(
    "--limit",
    type=Count(),
    default=10,
    show_default=True,
    help="At most N hits.",
)
@click.option("--site", type=TEXT, help="Only articles of this site (the site's spider name).")
@click.option(
    "--section", type=TEXT, help="Only articles of this section (e.g. World; any casing)."
)
@click.option("--tag", type=TEXT, help="Only articles with this tag (any casing).")
@day_option("--since", "Only articles published on or after this day (UTC).")
@day_option("--until", "Only articles published on or before this day (UTC).")
@click.option(
    "--exact",
    is_flag=True,
    help="Rank every match, however many (default: the newest 1,000 when more match).",
)
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
    exact: bool,
    as_json: bool,
) -> None:
    """Full-text search of the archive, best match first.

    Ranked by bm25 with title matches above body matches. When more than 1,000 articles
    match, the newest 1,000 matches (by publication) are ranked, so a search
    answers in milliseconds however common its words; the output then says so ("ranked among
    the newest 1,000 matches; more match: --exact for all") and --exact ranks every match.
    Each hit shows its date, section, title and URL, then a snippet with the matches marked
    (bold on a terminal, [brackets] otherwise). --json prints one JSON object a line instead
    (id, site, site_id, url, title, section, published, tags, snippet, rank, matches,
    ranked_among: null when every match was ranked).

    QUERY is FTS5 syntax: words (all must match; stemmed, any case), "a phrase", AND, OR,
    NOT, prefix*, NEAR(a b). Plain words with punctuation (U.S., M5, Assad's) just work. A
    query FTS5 cannot parse exits 2 with the reason, as do an overlong query and a search
    that runs too long (the message gives the bound); no hits is not an error (exit 0).

    \b
    Example:
        newsarchive search homs
        newsarchive search 'homs AND rebels' --since 2024-12-01
        newsarchive search '"M5 highway"' --section World --limit 3
        newsarchive search 'reb*' --tag Elections --json
        newsarchive search government --exact
    """
    from newsarchive.archive import QueryError

    check_range(since, until)
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
                highlight=("[", "]") if as_json else (MARK_OPEN, MARK_CLOSE),
                exact=exact,
            )
        except QueryError as exc:
            raise Failure(str(exc), exitcodes.USAGE) from None
    if as_json:
        print_json(hits, query)
    else:
        print_hits(hits, query, limit, terminal=is_terminal())


def bounded_notice(hits: Hits) -> str | None:
    """How a bounded result was ranked ("ranked among the newest 1,000 matches; more match:
    --exact for all"); None when every match was ranked."""
    if hits.ranked_among is None:
        return None
    return f"ranked among the newest {hits.ranked_among:,} matches; more match: --exact for all"


def print_json(hits: Hits, query: str) -> None:
    """One JSON object a line, each with how the hits were ranked (``matches``,
    ``ranked_among``); no hits and a bounded ranking are said on stderr, so stdout stays pure
    JSON lines."""
    import json

    for hit in hits:
        row = {**hit, "matches": hits.matches, "ranked_among": hits.ranked_among}
        click.echo(json.dumps(row, ensure_ascii=False))
    if not hits:
        click.echo(f"no article matches {printable(query)}", err=True)
    notice = bounded_notice(hits)
    if notice:
        click.echo(notice, err=True)


def print_hits(hits: Hits, query: str, limit: int, *, terminal: bool) -> None:
    """Each hit as a heading (date, section, title), its URL and its marked snippet, then
    how many were found (and a hint when --limit cut the list), and whether they were ranked
    among the newest matches only (`bounded_notice`)."""
    if not hits:
        click.echo(f"No article matches: {printable(query)}")
        return
    for hit in hits:
        heading = "  ".join(
            printable(part)
            for part in (hit["published"][:10], hit["section"] or "", hit["title"])
            if part
        )
        click.echo(click.style(heading, bold=True) if terminal else heading)
        click.echo(f"    {printable(hit['url'])}")
        click.echo(f"    {mark_snippet(hit['snippet'] or '', terminal)}")
        click.echo()
    more = f" (the best {limit}; --limit for more)" if len(hits) == limit else ""
    click.echo(f"{len(hits)} article{'s' if len(hits) != 1 else ''} found{more}")
    notice = bounded_notice(hits)
    if notice:
        click.echo(notice)
