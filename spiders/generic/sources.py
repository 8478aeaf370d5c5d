"""Where a generic site's run starts (`GenericSpider.start`): the due retries (and refreshes,
when the site gives no ``lastmod``), then discovery — robots.txt, then the home page — once a
day and on every backfill, kept in the crawl state for the day's other runs; then the sources
it found: the sitemaps (the profile's and the site's), else the feeds and the home page.

A mixin of `spiders.generic.spider.GenericSpider` (as `newsarchive.crawl.starts` is of
`SiteSpider`): it uses the spider's profile, archive, run and request makers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Request

from newsarchive import exitcodes
from newsarchive.archive import ArchiveError
from spiders.generic.urls import on_root, same_site

logger = logging.getLogger(__name__)

#: The crawl state's keys: what discovery found (and on which day), whether the site's sitemaps
#: give ``lastmod``, and (prefix) the mark of each sitemap's last complete walk.
DISCOVERY, LASTMOD, WALKED = "discovery", "lastmod", "sitemap "


class SourceRequests:
    """The start requests of a `GenericSpider` run."""

    async def start(self) -> AsyncIterator[Any]:
        if self.archive is None:
            return
        self.trust_lastmod = self.archive.get_state(self.site, LASTMOD) == "yes"
        for req in self._due_retries():
            yield req
        if not self.trust_lastmod:  # no lastmod to tell an edit: the back-off schedule
            for req in self._due_refreshes():
                yield req
        cached = self._cached_discovery()
        if cached is None:
            yield self._discovery_request(urljoin(self.base_url, "/robots.txt"), "robots")
            return
        for req in self._source_requests(*cached):
            yield req

    def _cached_discovery(self) -> tuple[list[str], list[str]] | None:
        """What today's discovery found (None: discover now; a backfill always does)."""
        assert self.archive is not None
        raw = self.archive.get_state(self.site, DISCOVERY)
        try:
            found = json.loads(raw) if raw and not self.backfill else None
        except ValueError:
            found = None
        if not isinstance(found, dict) or found.get("day") != self.today().isoformat():
            return None
        return list(found.get("sitemaps") or []), list(found.get("feeds") or [])

    def _discovery_request(self, url: str, kind: str, **meta: Any) -> Request:
        return Request(url, callback=self.parse_listing, errback=self.on_error, priority=50,
                       meta={"kind": kind, **meta}, dont_filter=True)  # fmt: skip

    def _found(self, sitemaps: list[str], feeds: list[str]) -> Iterable[Request]:
        """Discovery is done: keep what it found for today's runs, then read the sources."""
        assert self.archive is not None
        record = {"day": self.today().isoformat(), "sitemaps": [self._portable(u) for u in sitemaps],
                  "feeds": [self._portable(u) for u in feeds]}  # fmt: skip
        try:
            self.archive.set_state(self.site, DISCOVERY, json.dumps(record))
        except ArchiveError as exc:
            self.run.fail(exitcodes.ARCHIVE, str(exc), "archive_error")
            return []
        logger.info("%s: %d sitemaps, %d feeds", self.site, len(sitemaps), len(feeds))
        return self._source_requests(sitemaps, feeds, home=False)

    def _source_requests(
        self, sitemaps: list[str], feeds: list[str], *, home: bool = True
    ) -> Iterable[Request]:
        """The sitemaps (the profile's and the site's); without any, the feeds and (unless the
        home page was just read for discovery) the home page."""
        named = [*(self.profile.sitemaps or ()), *sitemaps]
        sitemaps = list(dict.fromkeys(self._on_root(urljoin(self.base_url, u)) for u in named))
        if sitemaps:
            return [r for r in map(self._sitemap_request, sitemaps) if r is not None]
        feeds = list(dict.fromkeys([*self.feed_urls(), *(self._on_root(urljoin(self.base_url, u)) for u in feeds)]))
        pages = [self.listing_request(self.base_url, "page")] if home else []
        return [*(self.listing_request(u, "feed") for u in feeds), *pages]

    def _sitemap_request(self, url: str) -> Request | None:
        url = self._on_root(url)
        if url in self.sitemaps_asked:
            return None
        self.sitemaps_asked.add(url)
        return self.listing_request(url, "sitemap")

    def _portable(self, url: str) -> str:
        """A URL of the site as its path (the crawl state outlives this run's root)."""
        if not (self.on_root(url) or same_site(url, self.profile.url)):
            return url
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _on_root(self, url: str) -> str:
        return url if self.on_root(url) or not same_site(url, self.profile.url) else on_root(url, self.base_url)

