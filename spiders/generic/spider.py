"""The generic Spider: any news site from its profile (root, zone, feeds, sitemaps, pattern).

A run starts from what the site announces: robots.txt's ``Sitemap:`` lines and the home page's
``<link rel="alternate">`` feeds, found once a day (and on every backfill) and kept in the
crawl state, plus whatever the profile names. With sitemaps, the run reads them (an index
every run, the sitemaps it lists as `plan.walk_sitemap` says); without, the feeds and the
home page's article links. Each listed article is fetched as `plan.fetch_reason` says, once
per run under its folded URL (`urls.url_key`: no AMP or tracking doubles). DESIGN's
"Incremental runs" describes the rules; the decisions are `spiders.generic.plan`'s.

Discovery is pure (text in, entries out, no I/O), one module per source of links: `entries`
(`Entry`, one link with the dates its source gives), `urls` (folding AMP and tracking forms onto
one key), `robots` (``Sitemap:`` lines), `discovery` (a page's feed links and article links),
`sitemaps` (indexes, urlsets, Google News; gzip or not), `feeds` (RSS 1.0/2.0 and Atom), `plan`
(which sitemap to walk, which entry to fetch) and `profile` (the profile a run crawls).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Request, Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from twisted.python.failure import Failure

from newsarchive.crawl import policy
from newsarchive.crawl.failures import release
from newsarchive.crawl.spider import SiteSpider
from newsarchive.items import Skip
from spiders.generic import plan
from spiders.generic.article import extract_page
from spiders.generic.discovery import article_links, feed_links, looks_like_article
from spiders.generic.entries import Entry
from spiders.generic.feeds import read_feed
from spiders.generic.profile import find_profile
from spiders.generic.robots import robots_sitemaps
from spiders.generic.sitemaps import read_sitemap
from spiders.generic.sources import LASTMOD, WALKED, SourceRequests
from spiders.generic.urls import fold_url, same_site, url_key

logger = logging.getLogger(__name__)

class GenericSpider(SourceRequests, SiteSpider):
    """A site from its profile: discovery by robots.txt, sitemaps and feeds; the generic
    extractor `spiders.generic.parse_article` for the pages."""

    name = "generic"
    site = "generic"
    tz = "UTC"
    default_base_url = "http://localhost/"
    first_day = date(1990, 1, 1)

    def __init__(self, *args: Any, site: str | None = None, url: str | None = None,
                 profile: Any = None, **kwargs: Any) -> None:  # fmt: skip
        found = find_profile(site, url or kwargs.get("base_url"), profile)
        if url and not kwargs.get("base_url"):
            kwargs["base_url"] = url
        self.default_base_url = found.url
        super().__init__(*args, **kwargs)
        self.profile = found
        self.site, self.tz = found.name, found.timezone or "UTC"
        self.pattern = re.compile(found.article_url) if found.article_url else None
        self.walk_marks: dict[str, str] = {}
        #: Sitemaps asked for in this run (an index that lists itself, or two that list each
        #: other, is read once).
        self.sitemaps_asked: set[str] = set()
        self.saw_lastmod = False
        self.trust_lastmod = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        """As `SiteSpider`'s; the profile's ``delay`` is the site's pace unless the site
        catalogue or the command line set one (``scrapy crawl generic -a site=NAME``)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        delay = getattr(spider.profile, "delay", None)
        given = crawler.settings.getpriority("DOWNLOAD_DELAY") or 0
        if delay is not None and given < SETTINGS_PRIORITIES["spider"]:
            spider.download_delay = float(delay)
        return spider  # type: ignore[return-value]

    # --- hooks of SiteSpider ---------------------------------------------------------------
    def feed_urls(self) -> list[str]:
        return [self._on_root(urljoin(self.base_url, u)) for u in self.profile.feeds or ()]

    def section_urls(self) -> list[str]:
        return []

    def article_url(self, site_id: str) -> str:
        return urljoin(self.base_url, site_id) if site_id.startswith("/") else self.base_url

    page_function = staticmethod(extract_page)

    def page_context(self) -> tuple[str, Any]:
        return self.site, self.profile


    def covered_state(self) -> dict[str, str | None]:
        """Whether the site gives ``lastmod``, and the sitemaps this run walked completely (a
        backfill of some days only fetched a part of each: it marks none)."""
        whole = self.since is None and self.until is None
        state: dict[str, str | None] = dict(self.walk_marks) if whole else {}
        state[LASTMOD] = "yes" if self.saw_lastmod else "no"
        return state

    def progress_estimate(self) -> int | None:
        return None

    def article_request(self, url: str, site_id: str, why: str) -> Request | None:
        """As `SiteSpider`'s, on this run's root (an archived URL names the site's own host)."""
        return super().article_request(self._on_root(url), site_id, why)

    # --- callbacks -------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterable[Any]:
        kind = response.meta.get("kind")
        if kind == "robots":
            sitemaps = robots_sitemaps(response.body, response.url)
            yield self._discovery_request(self.base_url, "home", sitemaps=sitemaps)
            return
        try:
            if kind == "home":
                yield from self._read_home(response)
            elif kind == "sitemap":
                yield from self._read_sitemap(response)
            else:
                yield from self._read_page(response, kind)
        except Skip as skip:
            yield from self.listing_failed(response.url, kind, skip.reason, skip.detail)

    def _read_home(self, response: Response) -> Iterable[Any]:
        """The home page read for discovery: its feeds and (without sitemaps) its article
        links, read from this answer rather than asked for again."""
        sitemaps = response.meta.get("sitemaps") or []
        feeds = feed_links(self._text(response), response.url)
        yield from self._found(sitemaps, feeds)
        if not self.profile.sitemaps and not sitemaps:
            yield from self._read_page(response, "page")

    def _read_page(self, response: Response, kind: str) -> Iterable[Any]:
        if kind == "feed":
            entries = read_feed(response.body, response.url, self.tz)
        else:
            entries = article_links(self._text(response), response.url, self.pattern)
        yield from self._entries(entries, articles_only=True)

    def _read_sitemap(self, response: Response) -> Iterable[Any]:
        page = read_sitemap(response.body, self.tz)
        if page.is_index:
            yield from self._walk_index(page.entries)
        else:
            self.saw_lastmod |= any(e.lastmod is not None for e in page.entries)
            yield from self._entries(page.entries, articles_only=self.pattern is not None)
        mark = response.meta.get("mark")
        if mark:
            self.walk_marks[response.meta["mark_key"]] = mark

    def _walk_index(self, children: list[Entry]) -> Iterable[Request]:
        """The sitemaps of an index that this run walks (`plan.walk_sitemap`)."""
        assert self.archive is not None
        cut = policy.coverage_cut(self.run.coverage, self.now, self.refresh_hours)
        # The run's evidence counts as known a sitemap walked before or unchanged since the
        # last run: an index of a quiet site is not "none of the articles archived before".
        known = 0
        for child in children:
            self.saw_lastmod |= child.lastmod is not None
            key = WALKED + url_key(child.url)
            last = self.archive.get_state(self.site, key)
            walk = plan.walk_sitemap(child, last, full=self.full, since=self.since, cut=cut, today=self.today())
            known += last is not None or not walk
            if walk:
                req = self._sitemap_request(child.url)
                if req is not None:
                    req.meta.update(mark_key=key, mark=plan.walk_mark(child, self.today()))
                    yield req
        self.run.evidence.page(len(children), known)

    def _entries(self, entries: list[Entry], *, articles_only: bool) -> Iterable[Request]:
        """The articles a listing leads to (`plan.fetch_reason`), each once, on this run's root."""
        chosen: dict[str, tuple[str, Entry]] = {}
        for entry in entries:
            url = fold_url(entry.url)
            if not same_site(url, self.profile.url) and not self.on_root(url):
                continue
            if articles_only and not looks_like_article(url, self.pattern):
                continue
            if not plan.in_range(entry, self.since, self.until, self.tz):
                continue
            chosen.setdefault(url_key(url, self.pattern), (url, entry))
        assert self.archive is not None
        keys = list(chosen)
        known = self.archive.known(self.site, keys)
        skipped = self.archive.skip_history(self.site, keys)
        self.run.evidence.page(len(keys), len(known))
        for key, (url, entry) in chosen.items():
            why = plan.fetch_reason(entry, known.get(key), skipped.get(key), self.now,
                                    refresh_hours=self.refresh_hours, backfill=self.backfill)  # fmt: skip
            if why is not None:
                req = self.article_request(url, key, why)
                if req is not None:
                    yield req

    @staticmethod
    def _text(response: Response) -> str:
        if not isinstance(response, TextResponse):
            raise Skip("not_listing", "not a text page")
        return response.text

    def on_error(self, failure: Failure) -> Iterable[Any]:
        """A robots.txt that is missing or fails is no robots.txt (discovery goes on with the
        home page); a sitemap, feed or page that fails leaves discovery incomplete."""
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind")
        if kind == "robots":
            release(failure)
            yield self._discovery_request(self.base_url, "home", sitemaps=[])
            return
        if kind == "home":  # what robots.txt gave still counts; nothing is kept for today
            self.run.discovery_complete = False
            yield from super().on_error(failure)
            yield from self._source_requests(request.meta.get("sitemaps") or [], [], home=False)
            return
        yield from super().on_error(failure)
        if kind in ("sitemap", "feed", "page"):
            self.run.discovery_complete = False
