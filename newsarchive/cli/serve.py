"""`newsarchive serve`: the command that browses the archive in Datasette.

Only the command lives here (its options, the port check, the message); the Datasette app
with its bundled metadata is newsarchive.serve.
"""

from __future__ import annotations

import click

from newsarchive import exitcodes
from newsarchive.cli.options import TEXT, Failure, archive_errors, db_option, open_archive


@click.command()
@db_option
@click.option(
    "--host", type=TEXT, default="127.0.0.1", show_default=True, help="Address to listen on."
)
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

    The archive is the database "archive" whatever its file is called, set up as a reading
    room: each article opens in a reader (/archive/articles/ID: the text in paragraphs, its
    versions with the words inserted and deleted), lists show date, section, title and opening
    (every column one click away), the search (/archive/search?query=...) takes what
    `newsarchive search` takes, articles per month and days without articles are drawn as
    charts, and Atom feeds follow the latest articles, the edits and any search
    (/-/newsarchive/feed.atom?query=WORDS). Facets on site, section, subsection, tags and month;
    canned queries for runs and skips. It is opened read-only, so a crawl may write to it
    meanwhile. Exit 1 if the port is taken, 5 if the file is not an archive or a quick check
    finds it damaged.

    \b
    Example:
        newsarchive serve                    # then open http://127.0.0.1:8001/archive
        newsarchive serve --db data/demo.db --port 8002
    """
    from newsarchive import serve as serving

    # Exit 5 now, not at every request, if the file is no archive or is damaged (a quick
    # check of its pages, bounded in time: inconclusive on a large archive on a slow disk).
    with open_archive(db) as archive:
        archive.verify()
    try:
        sock = serving.bind(host, port)
    except serving.PortInUse as exc:
        raise Failure(str(exc), exitcodes.FAILED) from None
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
