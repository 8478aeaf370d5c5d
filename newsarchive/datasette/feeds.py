"""Atom feeds of the reading room: the latest articles, the latest edits, any search.

Served by Datasette routes (`ROUTES`, registered by the plugin) at ``/-/newsarchive/latest.atom``,
``/-/newsarchive/edits.atom`` and ``/-/newsarchive/feed.atom?query=WORDS``; built with feedgen
(valid Atom, escaped text) from rows read by `newsarchive.archive.reading`.
"""

from __future__ import annotations

from typing import Any

from feedgen.feed import FeedGenerator

from newsarchive.archive import reading
from newsarchive.archive.errors import QueryError

DATABASE = "archive"
#: Entries in one feed.
FEED_SIZE = 50
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def atom(
    feed_id: str, title: str, link: str, entries: list[dict[str, Any]], updated: str | None
) -> bytes:
    """An Atom document of `entries` (dicts: id, title, link, updated, summary)."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.author({"name": "newsarchive"})
    fg.link(href=link, rel="self")
    fg.updated(updated or "1970-01-01T00:00:00Z")
    for entry in reversed(entries):  # feedgen prepends: the newest ends first
        item = fg.add_entry()
        item.id(entry["id"])
        item.title(entry["title"] or "(untitled)")
        item.link(href=entry["link"])
        item.updated(entry["updated"])
        item.summary(entry["summary"] or "")
    return bytes(fg.atom_str(pretty=True))


def _article_entry(base: str, row: dict[str, Any], summary: str) -> dict[str, Any]:
    return {
        "id": row["url"],
        "title": row["title"],
        "link": f"{base}/archive/articles/{row['id']}",
        "updated": row.get("last_changed") or row["published"],
        "summary": summary,
    }


async def _run(datasette: Any, fn: Any) -> Any:
    return await datasette.get_database(DATABASE).execute_fn(fn)


async def latest_feed(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    base = request.scheme + "://" + request.host
    rows = await _run(datasette, lambda conn: reading.latest_articles(conn, FEED_SIZE))
    entries = [_article_entry(base, r, (r["body"] or "")[:400]) for r in rows]
    updated = max((e["updated"] for e in entries), default=None)
    body = atom(f"{base}/-/newsarchive/latest.atom", "newsarchive: latest articles",
                request.url, entries, updated)
    return Response(body, content_type=MEDIA_TYPE)


async def edits_feed(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    base = request.scheme + "://" + request.host
    rows = await _run(datasette, lambda conn: reading.recent_changes(conn, FEED_SIZE))
    entries = [
        {
            "id": f"{r['url']}#version-{r['old_version'] + 1}",
            "title": r["title"],
            "link": f"{base}/archive/articles/{r['id']}#version-{r['old_version'] + 1}",
            "updated": r["changed_at"],
            "summary": f"Edited: version {r['old_version'] + 1} replaced version "
            f"{r['old_version']} (was titled: {r['old_title']}).",
        }
        for r in rows
    ]
    updated = max((e["updated"] for e in entries), default=None)
    body = atom(f"{base}/-/newsarchive/edits.atom", "newsarchive: edited articles",
                request.url, entries, updated)
    return Response(body, content_type=MEDIA_TYPE)


async def search_feed(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    words = (request.args.get("query") or "").strip()
    if not words:
        return Response.text("Give the words to follow: feed.atom?query=WORDS", status=400)
    base = request.scheme + "://" + request.host
    try:
        rows, times = await _run(datasette, lambda conn: _hits_and_times(conn, words))
    except QueryError as exc:
        return Response.text(str(exc), status=400)
    entries = [
        {
            "id": r["url"],
            "title": r["title"],
            "link": f"{base}/archive/articles/{r['id']}",
            # the full publication instant; only the day if the archive had none (it always has)
            "updated": times.get(r["id"]) or r["date"] + "T00:00:00Z",
            "summary": r["snippet"],
        }
        for r in rows
    ]
    entries = sorted(entries, key=lambda e: e["updated"], reverse=True)[:FEED_SIZE]
    updated = max((e["updated"] for e in entries), default=None)
    body = atom(request.url, f"newsarchive: articles matching {words}", request.url,
                entries, updated)
    return Response(body, content_type=MEDIA_TYPE)


def _hits_and_times(conn: Any, words: str) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The canned search's hits for `words` and each hit's publication instant."""
    rows = reading.search_hits(conn, words)
    return rows, reading.published_times(conn, [r["id"] for r in rows])


ROUTES = [
    (r"^/-/newsarchive/latest\.atom$", latest_feed),
    (r"^/-/newsarchive/edits\.atom$", edits_feed),
    (r"^/-/newsarchive/feed\.atom$", search_feed),
]
