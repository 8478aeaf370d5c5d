"""Sitemaps: an index of sitemaps, a urlset, a Google News sitemap; gzip or plain.

Scrapy's `Sitemap` reads the XML (lxml, no entities, no network); it keeps only the direct
children of each ``<url>``, so `NewsSitemap` also keeps the ``<news:news>`` block's
``publication_date`` and ``title`` before Scrapy clears it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from newsarchive.dates import parse_feed_time
from newsarchive.items import Skip
from newsarchive.text import clean_line
from spiders.generic.entries import Entry

#: The largest sitemap read once unzipped (the protocol's limit is 50 MB).
MAX_UNZIPPED = 50 * 1024 * 1024


@dataclass
class SitemapPage:
    """A sitemap read: an ``index`` lists sitemaps, a ``urlset`` lists pages."""

    kind: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def is_index(self) -> bool:
        return self.kind == "index"


class NewsSitemap(Sitemap):
    """Scrapy's reader, also keeping a Google News entry's publication date and title."""

    def _process_sitemap_element(self, elem: etree._Element) -> dict[str, Any] | None:
        news: dict[str, str] = {}
        for child in elem:
            if self._get_tag_name(child) == "news":
                for part in child:
                    name = self._get_tag_name(part)
                    if name in ("publication_date", "title") and part.text:
                        news[name] = part.text.strip()
        found = super()._process_sitemap_element(elem)
        if found is not None and news:
            found["news"] = news
        return found


def unzip(body: bytes) -> bytes:
    """A gzip body unzipped (``sitemap.xml.gz``, or served gzip without saying so); another as it is."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return gunzip(body, max_size=MAX_UNZIPPED)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise Skip("not_listing", f"a gzip sitemap that does not unzip ({exc})") from None


def read_sitemap(body: bytes, tz: str) -> SitemapPage:
    """The sitemap's entries: for an index, each sitemap with its ``lastmod``; for a urlset,
    each page with its ``lastmod`` and, in a Google News sitemap, its publication date and
    title. Dates without an offset are read in the site's zone `tz`; a date that cannot be
    read is left out (never guessed). Raises `Skip("not_listing")` for anything else."""
    data = unzip(body)
    try:
        sitemap = NewsSitemap(data)
    except (etree.XMLSyntaxError, StopIteration) as exc:
        raise Skip("not_listing", f"not a sitemap ({exc or 'empty'})") from None
    if sitemap.type not in ("sitemapindex", "urlset"):
        raise Skip("not_listing", f"not a sitemap (its root is <{sitemap.type}>)")
    entries = []
    for item in sitemap:
        loc = item.get("loc", "")
        if not loc.startswith(("http://", "https://")):
            continue
        news = item.get("news") or {}
        entries.append(
            Entry(
                url=loc,
                lastmod=_when(item.get("lastmod"), tz),
                published=_when(news.get("publication_date"), tz),
                title=clean_line(news["title"]) if news.get("title") else None,
            )
        )
    return SitemapPage("index" if sitemap.type == "sitemapindex" else "urlset", entries)


def _when(raw: str | None, tz: str) -> datetime | None:
    return parse_feed_time(raw.strip(), tz) if raw and raw.strip() else None
