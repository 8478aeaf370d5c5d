"""RSS 1.0 (RDF), RSS 2.0 and Atom feeds read by feedparser: each entry's link and dates."""

from __future__ import annotations

import io
from datetime import datetime

import feedparser

from newsarchive.dates import parse_feed_time
from newsarchive.items import Skip
from newsarchive.text import clean_line
from spiders.generic.entries import Entry


def read_feed(body: bytes, url: str, tz: str) -> list[Entry]:
    """The feed's entries in its order: the article's link (``link``, else an alternate
    ``<link>``, else a URL ``id``), its ``updated`` and ``published`` dates (without an offset:
    the site's zone `tz`) and title. Raises `Skip("not_listing")` for a page that is no feed."""
    # A stream, never a string: feedparser fetches a string that looks like a URL.
    feed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    if not feed.get("version") and not feed.entries:
        raise Skip("not_listing", "not an RSS or Atom feed")
    atom = str(feed.get("version", "")).startswith("atom")
    entries = []
    for item in feed.entries:
        link = _link(item)
        if link is None:
            continue
        updated = _date(item, "updated", tz)
        published = _date(item, "published", tz)
        entries.append(
            Entry(
                url=link,
                # RSS has one date (pubDate, dc:date): its publication; Atom's updated is an edit.
                lastmod=updated if atom else None,
                published=published or (None if atom else updated),
                title=clean_line(item.get("title") or "") or None,
            )
        )
    return entries


def _link(item: feedparser.FeedParserDict) -> str | None:
    candidates = [item.get("link")]
    candidates += [
        link.get("href") for link in item.get("links", []) if link.get("rel", "alternate") == "alternate"
    ]
    candidates.append(item.get("id"))
    return next(
        (c.strip() for c in candidates if isinstance(c, str) and c.strip().startswith(("http://", "https://"))),
        None,
    )


def _date(item: feedparser.FeedParserDict, key: str, tz: str) -> datetime | None:
    raw = dict.get(item, key)  # not feedparser's own get: it maps a missing updated to published
    return parse_feed_time(raw.strip(), tz) if isinstance(raw, str) and raw.strip() else None
