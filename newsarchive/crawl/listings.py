"""The listing walk of `SiteSpider`: a feed, a section listing or an archive day read, and what
it leads to — the articles to fetch, the next page, the section walk after a gap.

A mixin of the spider (it needs the spider's requests and its run); the decisions themselves
are `newsarchive.crawl.policy`'s pure functions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response, TextResponse

from newsarchive import dates
from newsarchive.crawl import policy
from newsarchive.items import ListingEntry, Skip

if TYPE_CHECKING:
    from newsarchive.crawl.spider import SiteSpider

logger = logging.getLogger(__name__)

#: Listing kinds that always list articles on a live site (a day or a small section may not).
LISTS_ALWAYS = frozenset({"feed"})


class ListingWalk:
    """Listing callbacks for `SiteSpider` (``self`` is the spider)."""

    _sections_walked = False

    def on_root(self: SiteSpider, url: str) -> bool:
        """Whether `url` is on the root this run crawls (not the site's own host while we crawl
        a mirror or the replica)."""
        return urlsplit(url).netloc == urlsplit(self.base_url).netloc

    def parse_listing(self: SiteSpider, response: Response) -> Iterable[Any]:
        kind = response.meta.get("kind", "section")
        if not isinstance(response, TextResponse):
            yield from self.listing_failed(response.url, kind, "not_listing", "not a text page")
            return
        try:
            listing = type(self).parse_listing_html(response.text, response.url)
        except Skip as skip:
            yield from self.listing_failed(response.url, kind, skip.reason, skip.detail)
            return
        entries = listing.entries
        if not entries and kind in LISTS_ALWAYS:
            why = f"no article link on the {kind} page"
            yield from self.listing_failed(response.url, kind, "empty_listing", why)
            return
        if kind == "archive":
            self.crawler.stats.inc_value("newsarchive/days_done")
        ids = [e.site_id for e in entries]
        known = self.archive.known(self.site, ids) if self.archive else {}
        skipped = self.archive.skip_history(self.site, ids) if self.archive else {}
        self.run.evidence.page(len(entries), len(known))
        for entry in entries:
            req = self.entry_request(entry, known.get(entry.site_id), skipped.get(entry.site_id))
            if req is not None:
                yield req
        cut = policy.coverage_cut(self.run.coverage, self.now, self.refresh_hours)
        if kind == "feed":
            if policy.feed_has_gap(entries, known, cut):
                yield from self.walk_sections("the feed does not reach back to the last run")
        elif kind == "section" and listing.next_url and policy.keep_paging(entries, known, cut):
            yield self.listing_request(listing.next_url, "section")

    def listing_failed(
        self: SiteSpider, url: str, kind: str, reason: str, detail: str
    ) -> Iterable[Any]:
        """A listing page that gave nothing usable: a counted skip and a mark against the
        run's evidence; the feed's place is taken by the section walk, any other page leaves
        this run's discovery incomplete (its coverage stays put)."""
        yield self.page_skip(url, "extract", reason, detail)
        self.run.evidence.failed(reason)
        if kind == "archive":
            self.crawler.stats.inc_value("newsarchive/days_done")
        if kind == "feed":
            yield from self.walk_sections(f"the feed gave nothing usable ({reason})")
        else:
            self.run.discovery_complete = False

    def entry_request(
        self: SiteSpider,
        entry: ListingEntry,
        known: dict[str, Any] | None,
        skipped: dict[str, Any] | None,
    ) -> Request | None:
        """The request a listed article calls for now, if any: a new one, a title that changed,
        a refresh step that passed, or a skipped page whose wait is over."""
        if entry.site_id in self.requested:
            return None
        if not self.on_root(entry.url):
            # A feed or page that links the site's own host while we crawl a mirror or the
            # replica: fetch the same article from the root we were given.
            entry = replace(entry, url=self.article_url(entry.site_id))
        if known is None:
            if policy.skip_waits(
                entry.published,
                skipped,
                self.now,
                refresh_hours=self.refresh_hours,
                backfill=self.backfill,
            ):
                return None
            return self.article_request(entry.url, entry.site_id, "new")
        url = self.fetch_url(known.get("url") or entry.url, entry.site_id)
        if not policy.same_title(entry.title, known.get("title")):
            return self.article_request(url, entry.site_id, "title")
        published, last_seen = dates.parse_utc(known["published"]), dates.parse_utc(known["last_seen"])
        if policy.due_for_refresh(published, last_seen, self.now, self.refresh_hours):
            return self.article_request(url, entry.site_id, "refresh")
        return None

    def walk_sections(self: SiteSpider, why: str) -> Iterable[Request]:
        """The fronts of the section listings, once per run."""
        if self._sections_walked:
            return
        self._sections_walked = True
        logger.info("walking the section listings: %s", why)
        self.crawler.stats.inc_value("newsarchive/section_walks")
        for url in self.section_urls():
            yield self.listing_request(url, "section")
