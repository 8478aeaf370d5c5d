"""The spider every site module builds on: its arguments, the requests it makes, its callbacks.

A site module (`spiders/<site>/`) subclasses `SiteSpider`, names its site, zone and URLs and
gives its pure page functions; everything here is site-agnostic. What to fetch when is decided
by the pure functions of `newsarchive.crawl.policy`; the archive, the run row and the outcome
belong to the run (`newsarchive.crawl.run.ArchiveRun`), which this spider reads through.

A run, as DESIGN's "Incremental runs" says:
- incremental (default): the feed; if the feed does not reach back to what the last complete run
  covered (a gap: downtime, or more news than the feed holds), the fronts of the section listings,
  paginated until a whole page holds nothing unknown and is older than that coverage; once a
  day, the archive pages of the days since the last sweep (what a feed that omits a section
  would miss); and every archived article due on the back-off schedule or whose title changed.
- backfill (`full`, `since`, `until`): the site's daily archive pages from `until` back to
  `since`, about one request per article.
- `fill_gaps`: when discovery is done, ids never seen between the lowest and highest known.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from newsarchive import dates
from newsarchive.archive import Archive
from newsarchive.crawl import progress, roots
from newsarchive.crawl.arguments import CrawlArguments
from newsarchive.crawl.chain import Extraction, page_only
from newsarchive.crawl.failures import NO_ANSWER, classify_failure, release
from newsarchive.crawl.listings import ListingWalk
from newsarchive.crawl.run import ArchiveRun
from newsarchive.crawl.starts import PRIORITY_ARTICLE, PRIORITY_LISTING, StartRequests
from newsarchive.items import Article, Listing, Page, PageSkip

logger = logging.getLogger(__name__)

class SiteSpider(StartRequests, ListingWalk, scrapy.Spider):
    """Base spider for one news site writing into one archive. Subclasses set the class
    attributes and implement the URL hooks; the page functions are pure (no I/O)."""

    site: ClassVar[str]
    tz: ClassVar[str]
    default_base_url: ClassVar[str]
    #: The oldest day a full backfill walks back to when no `since` is given.
    first_day: ClassVar[date]
    #: The site's page function, ``(html, url) -> Article``; and, for a site whose page function
    #: needs more than the page, `page_function` ``(html, url, context) -> Article`` instead
    #: (`context`: what `page_context` gives; the generic spider's profile). Either must be a
    #: module-level function of the site's page modules: it reaches the run's worker process by
    #: name, and the worker never imports Scrapy.
    parse_article_html: ClassVar[Callable[[str, str], Article]]
    page_function: ClassVar[Callable[[str, str, Any], Article] | None] = None
    parse_listing_html: ClassVar[Callable[[str, str], Listing]]

    # --- site hooks ------------------------------------------------------------------------
    def feed_urls(self) -> list[str]:
        """The feed(s) an hourly run starts from, newest first."""
        raise NotImplementedError

    def section_urls(self) -> list[str]:
        """The fronts of the section listings walked after a gap."""
        raise NotImplementedError

    def archive_day_url(self, day: date) -> str | None:
        """The daily archive page of `day`, or None for a site without one."""
        return None

    def article_url(self, site_id: str) -> str:
        """A URL that answers the article with this id (for `fill_gaps`)."""
        raise NotImplementedError

    def extract(self, html: str, url: str) -> Article:
        """The article on a fetched page, as the run's worker process reads it."""
        return self.extraction().page(html, url, self.page_context())

    def page_context(self) -> Any:
        """What `page_function` needs besides the page (sent to the worker pickled)."""
        return None

    def extraction(self) -> Extraction:
        """What the run's worker process needs to extract this spider's pages."""
        cls = type(self)
        page = cls.page_function or partial(page_only, cls.parse_article_html)
        return Extraction(page, self.page_context(), self.base_url, self.default_base_url)

    def covered_state(self) -> dict[str, str | None]:
        """Crawl state of the site that a complete run keeps besides its coverage (none here)."""
        return {}

    # --- arguments -------------------------------------------------------------------------
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        options = CrawlArguments.take(kwargs, self.default_base_url)
        super().__init__(*args, **kwargs)
        self.options = options
        self.base_url = options.base_url
        self.full, self.since, self.until = options.full, options.since, options.until
        self.limit, self.fill_gaps, self.backfill = options.limit, options.fill_gaps, options.backfill
        #: ``runs.args``: the arguments given, and always the root this run fetched through.
        self.args_record = {**options.record, "base_url": options.base_url}
        self.refresh_hours = options.refresh_hours or 0.0
        self.days_total = 0
        self.requested: set[str] = set()
        self._gaps_done = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.options.refresh_hours:
            spider.refresh_hours = crawler.settings.getfloat("NEWSARCHIVE_REFRESH_HOURS")
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    @property
    def run(self) -> ArchiveRun:
        """The run that owns the archive (`newsarchive.crawl.run`)."""
        return ArchiveRun.of(self.crawler)

    @property
    def archive(self) -> Archive | None:
        """The run's open archive (None when the run could not start)."""
        return self.run.archive

    @property
    def now(self) -> Any:
        return self.run.now

    @property
    def mode(self) -> str:
        return "backfill" if self.backfill else "incremental"

    def today(self) -> date:
        return dates.local_day(self.now, self.tz)

    def reaches_now(self) -> bool:
        """Whether this run, if complete, covered the site up to now (a backfill that stops
        before today did not)."""
        return not self.backfill or self.until is None or self.until >= self.today()

    # --- site URL and fetch URL (`newsarchive.crawl.roots`) -----------------------------------
    def site_url(self, url: str) -> str:
        """The site's own URL of `url` fetched through this run's root: what the archive keeps."""
        return roots.site_url(url, self.base_url, self.default_base_url)

    def fetch_url(self, url: str | None, site_id: str) -> str:
        """Where this run's root serves the stored page `url` (a refresh, a retry); the id's own
        URL when `url` is on neither root (an archive crawled through another mirror)."""
        if url:
            url = roots.fetch_url(url, self.base_url, self.default_base_url)
            if self.on_root(url):
                return url
        return self.article_url(site_id)

    # --- requests --------------------------------------------------------------------------
    def listing_request(self, url: str, kind: str, priority: int = PRIORITY_LISTING) -> Request:
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            priority=priority,
            meta={"kind": kind},
            dont_filter=True,  # see `article_request`
        )

    def article_request(self, url: str, site_id: str, why: str) -> Request | None:
        """A request for the article `site_id`, once per run whatever URL form it comes by."""
        if site_id in self.requested:
            return None
        self.requested.add(site_id)
        self.crawler.stats.inc_value(f"newsarchive/fetch/{why}")
        return Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            priority=PRIORITY_ARTICLE,
            meta={"kind": "article", "site_id": site_id, "why": why},
            # Each page is asked for once by construction (one id once; listings by their own
            # walk). Scrapy's duplicate filter would drop a redirect back to a URL already
            # fetched in silence, with no errback: a redirect loop must become a skip.
            dont_filter=True,
        )

    def page_skip(
        self, url: str, stage: str, reason: str, detail: str = "", site_id: str | None = None
    ) -> PageSkip:
        return PageSkip(
            url=self.site_url(url), stage=stage, reason=reason, detail=detail, site=self.site, site_id=site_id
        )

    # --- callbacks -------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterable[Any]:
        """The fetched page, as it came, for the run's worker process to extract and store
        (`newsarchive.crawl.chain`): Scrapy's process only fetches."""
        site_id = response.meta.get("site_id")
        self.crawler.stats.inc_value(progress.ARTICLES_DONE)
        if not isinstance(response, TextResponse):
            yield self.page_skip(response.url, "extract", "not_article", "not a text page", site_id)
            return
        yield Page(
            site=self.site, site_id=site_id, url=response.url, body=response.body,
            encoding=response.encoding, status=response.status, fetched_at=dates.now(),
        )  # fmt: skip

    def on_error(self, failure: Failure) -> Iterable[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind")
        reason, detail = classify_failure(failure)
        release(failure)
        if kind in ("article", "archive"):  # done, if not well (the progress counts it)
            done = progress.ARTICLES_DONE if kind == "article" else progress.DAYS_DONE
            self.crawler.stats.inc_value(done)
        if reason in NO_ANSWER:
            self.run.unanswered += 1
        if kind != "article":
            self.run.evidence.failed(reason)
        if kind in ("section", "archive", "sweep"):
            self.run.discovery_complete = False
        yield self.page_skip(request.url, "download", reason, detail, request.meta.get("site_id"))
        if kind == "feed":
            if reason in NO_ANSWER:
                # The site does not answer: walking its listings would not either. What the
                # feed would have shown waits for the next run (the coverage stays put).
                self.run.discovery_complete = False
            else:
                yield from self.walk_sections(f"the feed failed ({reason})")

    # --- idle: fill the id gaps once discovery is done ---------------------------------------
    def _on_idle(self, spider: scrapy.Spider) -> None:
        if spider is not self or self.archive is None:
            return
        if self.fill_gaps and not self._gaps_done:
            self._gaps_done = True
            gaps = [str(i) for i in self.archive.id_gaps(self.site) if str(i) not in self.requested]
            logger.info("fill-gaps: %d ids never seen", len(gaps))
            scheduled = 0
            for site_id in gaps:
                req = self.article_request(self.article_url(site_id), site_id, "gap")
                if req is not None:
                    self.crawler.engine.crawl(req)
                    scheduled += 1
            if scheduled:
                raise DontCloseSpider
