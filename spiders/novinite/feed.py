"""The RSS feed's entries: RSS 1.0 (RDF, ``services/news_rdf.php``) and RSS 2.0 items."""

from __future__ import annotations

import io
from datetime import datetime

import feedparser

from newsarchive.dates import parse_feed_time
from newsarchive.items import ListingEntry, Skip
from newsarchive.text import clean_line
from spiders.novinite.site import TZ
from spiders.novinite.urls import absolute_url, site_id_from_url


def feed_entries(text: str, url: str) -> list[ListingEntry]:
    """RSS 1.0 (RDF) and RSS 2.0 items: link (``view_news.php?id=N``), title, date if any."""
    # A stream, never a string: feedparser fetches a string that looks like a URL.
    feed = feedparser.parse(io.BytesIO(text.encode("utf-8", "replace")))
    if not feed.get("version") and not feed.entries:
        title = clean_line(feed.feed.get("title") or "")[:80]
        shown = f" (page title {title!r})" if title else ""
        raise Skip("not_listing", f"not an RSS or Atom feed{shown}")
    entries = []
    for item in feed.entries:
        candidates = [item.get("link"), item.get("id"), item.get("guid")]
        candidates += [link.get("href") for link in item.get("links", [])]
        link = next((c for c in candidates if isinstance(c, str) and site_id_from_url(c)), None)
        if link is None:
            continue
        entries.append(
            ListingEntry(
                site_id=site_id_from_url(link) or "",
                url=absolute_url(link, url) or link,
                title=clean_line(item.get("title") or "") or None,
                published=feed_date(item),
            )
        )
    return entries


def feed_date(item: feedparser.FeedParserDict) -> datetime | None:
    """dc:date (W3CDTF) or pubDate (RFC 822); a time without an offset is the site's wall time."""
    for key in ("published", "updated", "dc_date", "date"):
        raw = item.get(key)
        value = parse_feed_time(raw.strip(), TZ) if isinstance(raw, str) and raw.strip() else None
        if value is not None:
            return value
    return None
