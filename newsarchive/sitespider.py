"""The crawl logic every site shares: arguments, the run, incremental rules, refresh, skips.

A site module (`spiders/<site>.py`) subclasses `SiteSpider`, names its site, zone and URLs and
gives its pure page functions; everything here is site-agnostic (DESIGN: nothing in
`newsarchive/` names a site).

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
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DontCloseSpider,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from newsarchive import dates, lock
from newsarchive.archive import Archive, ArchiveError
from newsarchive.items import Article, Listing, ListingEntry, PageSkip, Skip
from newsarchive.text import clean_line

logger = logging.getLogger(__name__)

#: The back-off schedule (hours after publication); the last step is `refresh_hours`.
REFRESH_STEPS = (1, 3, 6, 12, 24)
#: Listing dates are minute-precise and editors back-date: how far behind the last complete
#: run's start a listing walk still looks.
COVERAGE_MARGIN = timedelta(hours=1)
#: How far back the refresh schedule looks after downtime; also how long an article whose
#: fetch failed for a passing reason is retried by every run (a backfill retries it any time).
REFRESH_LOOKBACK = timedelta(days=14)
#: The retries of such an article wait 1, 2, 4 … hours after its last failure, at most a day;
#: an hourly run that starts a little less than an hour later counts as an hour later.
RETRY_WAIT_MAX = timedelta(hours=24)
RETRY_SLACK = timedelta(minutes=15)
#: Priorities: articles first (memory stays flat), then listings, then archive days.
PRIORITY_ARTICLE, PRIORITY_LISTING, PRIORITY_DAY = 30, 20, 10

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_UNREACHABLE, EXIT_ARCHIVE = 0, 1, 2, 3, 4, 5

_UNREACHABLE = (
    net_error.DNSLookupError,
    net_error.ConnectionRefusedError,
    net_error.ConnectError,
    net_error.NoRouteError,
    DownloadConnectionRefusedError,
    CannotResolveHostError,
)
_TIMEOUT = (net_error.TimeoutError, net_error.TCPTimedOutError, DownloadTimeoutError)
#: Skip reasons of a download that got no answer at all (a dead or unreachable site).
NO_ANSWER = frozenset({"unreachable", "no_answer", "timeout"})
#: Skip reasons that may pass by themselves: the page is fetched again by a later run. An
#: ``error`` (our code raised on the page: a bug) passes once the bug is fixed.
TRANSIENT = frozenset({*NO_ANSWER, "dataloss", "download_error", "error"})


def truthy(value: object) -> bool:
    """A spider argument read as a flag: ``1``, ``true``, ``yes``, ``on`` (any case)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "y"}


def due_for_refresh(
    published: datetime, last_fetched: datetime, now: datetime, refresh_hours: float
) -> bool:
    """Whether a step of the back-off schedule has passed since the article was last fetched.

    Steps are 1, 3, 6, 12, 24 hours after publication and `refresh_hours` (48 by default); an
    article is due when some step lies after its last fetch and at or before now.
    """
    steps = sorted({s for s in REFRESH_STEPS if s < refresh_hours} | {refresh_hours})
    fetched_age = (last_fetched - published).total_seconds() / 3600
    age = (now - published).total_seconds() / 3600
    return any(fetched_age < step <= age for step in steps)


def transient(reason: str) -> bool:
    """Whether a skip's reason may pass by itself (a 5xx, 408 or 429, a timeout, a dropped or
    refused connection), so that the page is worth fetching again; a 404, an unparseable page
    or a bad date are the page's own and wait for the back-off schedule."""
    if reason.startswith("http_"):
        code = reason[5:]
        return code.startswith("5") or code in ("408", "429")
    return reason in TRANSIENT


def retry_due(last_failure: datetime, failures: int, now: datetime) -> bool:
    """Whether an article whose fetch failed `failures` times for a passing reason, the last
    time at `last_failure`, is due again: 1, 2, 4 … hours later, then daily."""
    wait = min(timedelta(hours=2 ** min(max(failures, 1) - 1, 10)), RETRY_WAIT_MAX)
    return now - last_failure >= wait - RETRY_SLACK


def same_title(listed: str | None, archived: str | None) -> bool:
    """Whether a listing's title is the archived one (case, spacing and a cut ``…`` forgiven)."""
    if not listed or not archived:
        return True
    a, b = clean_line(listed).casefold(), clean_line(archived).casefold()
    if a == b:
        return True
    cut = a.rstrip("…. ")
    return len(cut) >= 20 and b.startswith(cut)


@dataclass
class RunOutcome:
    """How a run ended, for the CLI's summary line and exit code."""

    site: str
    status: str = "ok"
    exit_code: int = EXIT_OK
    message: str = ""
    run_id: int | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """DESIGN's one summary line."""
        total = sum(self.skipped.values())
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(self.skipped.items(), key=lambda x: -x[1]))
        skipped = f"{total} skipped" + (f" ({reasons})" if reasons else "")
        line = (
            f"{self.site}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{skipped}; {self.requests} requests in {self.seconds:.1f} s"
        )
        if self.status != "ok":
            line += f" — {self.status}: {self.message}"
        return line


class SiteSpider(scrapy.Spider):
    """Base spider for one news site writing into one archive. Subclasses set the class
    attributes and implement the URL hooks; the page functions are pure (no I/O)."""

    site: ClassVar[str]
    tz: ClassVar[str]
    default_base_url: ClassVar[str]
    #: The oldest day a full backfill walks back to when no `since` is given.
    first_day: ClassVar[date]
    parse_article_html: ClassVar[Callable[[str, str], Article]]
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

    # --- arguments -------------------------------------------------------------------------
    def __init__(
        self,
        base_url: str | None = None,
        full: object = None,
        since: str | None = None,
        until: str | None = None,
        limit: object = None,
        refresh_hours: object = None,
        fill_gaps: object = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.default_base_url).rstrip("/") + "/"
        self.full = truthy(full) if full is not None else False
        self.since = dates.parse_day(since) if since else None
        self.until = dates.parse_day(until) if until else None
        self.limit = int(limit) if limit not in (None, "") else None  # type: ignore[arg-type]
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be a positive number, not {limit!r}")
        self._refresh_arg = float(refresh_hours) if refresh_hours not in (None, "") else None  # type: ignore[arg-type]
        self.fill_gaps = truthy(fill_gaps) if fill_gaps is not None else False
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        self.backfill = self.full or self.since is not None or self.until is not None
        self.args_record = {
            k: v
            for k, v in {
                "base_url": base_url,
                "full": full,
                "since": since,
                "until": until,
                "limit": limit,
                "refresh_hours": refresh_hours,
                "fill_gaps": fill_gaps,
            }.items()
            if v not in (None, "")
        }
        self.archive: Archive | None = None
        self.days_total = 0
        self.outcome = RunOutcome(site=self.site)
        self.requested: set[str] = set()
        self._gaps_done = False
        self._discovery_complete = True
        self._unanswered = 0
        self._errors = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.db_path = os.environ.get("NEWSARCHIVE_DB_OVERRIDE") or settings.get(
            "NEWSARCHIVE_DB", "data/archive.db"
        )
        spider.refresh_hours = spider._refresh_arg or settings.getfloat(
            "NEWSARCHIVE_REFRESH_HOURS", 48
        )
        crawler.signals.connect(spider._open_run, signal=signals.spider_opened)
        crawler.signals.connect(spider._close_run, signal=signals.spider_closed)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider._on_item_error, signal=signals.item_error)
        return spider

    # --- the run ---------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return "backfill" if self.backfill else "incremental"

    def _open_run(self, spider: scrapy.Spider) -> None:
        if spider is not self:
            return
        self.now = dates.now()
        self._clock0 = time.monotonic()
        try:
            lock.acquire(self.db_path)
        except lock.LockHeld:
            self.outcome.status, self.outcome.exit_code = "locked", EXIT_LOCKED
            self.outcome.message = lock_message(self.db_path)
            logger.error(self.outcome.message)
            raise CloseSpider("archive_locked") from None
        except ArchiveError as exc:
            self.outcome.status, self.outcome.exit_code = "failed", EXIT_ARCHIVE
            self.outcome.message = str(exc)
            logger.error("%s", exc)
            raise CloseSpider("archive_error") from None
        try:
            self.archive = Archive(self.db_path)
            self.archive.mark_interrupted(self.now)
            self.run_id = self.archive.start_run(
                self.site, self.mode, self.args_record, os.getpid(), self.now
            )
        except ArchiveError as exc:
            lock.release(self.db_path)
            self.archive = None
            self.outcome.status, self.outcome.exit_code = "failed", EXIT_ARCHIVE
            self.outcome.message = str(exc)
            logger.error("%s", exc)
            raise CloseSpider("archive_error") from None
        self.outcome.run_id = self.run_id
        coverage = self.archive.get_state(self.site, "coverage")
        self.coverage = dates.parse_utc(coverage) if coverage else None
        logger.info(
            "run %s: %s of %s into %s (coverage %s)",
            self.run_id,
            self.mode,
            self.base_url,
            self.db_path,
            coverage or "none",
        )

    def _close_run(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self or self.archive is None:
            return
        stats = self.crawler.stats
        o = self.outcome
        o.new = stats.get_value("newsarchive/new", 0)
        o.updated = stats.get_value("newsarchive/updated", 0)
        o.unchanged = stats.get_value("newsarchive/unchanged", 0)
        prefix = "newsarchive/skipped/"
        o.skipped = {
            k[len(prefix) :]: v for k, v in stats.get_stats().items() if k.startswith(prefix)
        }
        o.requests = stats.get_value("downloader/request_count", 0)
        o.seconds = time.monotonic() - self._clock0
        responses = stats.get_value("response_received_count", 0)
        if o.exit_code == EXIT_OK:
            if reason in ("finished", "limit"):
                if responses == 0 and self._unanswered:
                    o.status, o.exit_code = "failed", EXIT_UNREACHABLE
                    o.message = f"{self.base_url} could not be reached (no answer to any request)"
                elif self._errors:
                    o.status, o.exit_code = "failed", EXIT_FAILED
                    o.message = (
                        f"{self._errors} page(s) raised an error in the crawler (a bug: see the "
                        "log); the next runs fetch them again"
                    )
            elif reason == "shutdown":
                o.status, o.exit_code, o.message = "interrupted", EXIT_FAILED, "stopped by a signal"
            elif reason == "archive_error":
                o.status, o.exit_code = "failed", EXIT_ARCHIVE
            else:
                o.status, o.exit_code, o.message = "failed", EXIT_FAILED, f"closed: {reason}"
        try:
            # The coverage moves only with a complete run, in the transaction that says so.
            reaches_today = not self.backfill or self.until is None or self.until >= self.today()
            state = None
            if o.status == "ok" and reason == "finished" and self._discovery_complete and reaches_today:
                state = {"coverage": dates.format_utc(self.now)}
            self.archive.finish_run(
                self.run_id,
                status=o.status,
                finished=dates.now(),
                requests=o.requests,
                new=o.new,
                updated=o.updated,
                unchanged=o.unchanged,
                skipped=sum(o.skipped.values()),
                error=o.message or None,
                state=state,
            )
        except ArchiveError as exc:
            o.status, o.exit_code, o.message = "failed", EXIT_ARCHIVE, str(exc)
        finally:
            self.archive.close()
            self.archive = None
            lock.release(self.db_path)
        logger.info("%s", o.summary())

    def fail(self, exit_code: int, message: str, reason: str) -> None:
        """End the run now with this exit code and message (an archive that cannot be written)."""
        if self.outcome.exit_code == EXIT_OK:
            self.outcome.status, self.outcome.exit_code, self.outcome.message = (
                "failed",
                exit_code,
                message,
            )
        logger.error("%s", message)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def today(self) -> date:
        return dates.local_day(self.now, self.tz)

    # --- start -----------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if self.archive is None:
            return
        if self.backfill:
            first = self.since or self.first_day
            last = min(self.until or self.today(), self.today())
            for req in self._due_refreshes():
                yield req
            for req in self._due_retries():
                yield req
            self.days_total = (last - first).days + 1
            for day in dates.days_back(first, last):
                url = self.archive_day_url(day)
                if url:
                    yield self.listing_request(url, "archive", priority=PRIORITY_DAY)
            return
        for url in self.feed_urls():
            yield self.listing_request(url, "feed")
        for req in self._due_refreshes():
            yield req
        for req in self._due_retries():
            yield req
        for req in self._sweep_requests():
            yield req

    def _due_refreshes(self) -> Iterable[Request]:
        assert self.archive is not None
        # Everything young enough at the last complete run to have a step still ahead of it
        # (after downtime too, but never more than REFRESH_LOOKBACK back).
        last = min(self.coverage or self.now, self.now)
        since = max(last, self.now - REFRESH_LOOKBACK) - timedelta(hours=self.refresh_hours + 1)
        for row in self.archive.recent(self.site, since):
            if due_for_refresh(
                dates.parse_utc(row["published"]),
                dates.parse_utc(row["last_seen"]),
                self.now,
                self.refresh_hours,
            ):
                req = self.article_request(row["url"], row["site_id"], "refresh")
                if req is not None:
                    yield req

    def _due_retries(self) -> Iterable[Request]:
        """Articles never stored because their fetch failed for a passing reason (a 503, a
        timeout, a dead site mid-run): fetched again on a back-off, whether or not a listing
        shows them again (DESIGN: nothing lost)."""
        assert self.archive is not None
        for row in self.archive.failed_unarchived(self.site, self.now - REFRESH_LOOKBACK):
            if not transient(row["reason"]):
                continue
            if not self.backfill and not retry_due(
                dates.parse_utc(row["at"]), row["count"], self.now
            ):
                continue
            url = row["url"]
            if not url or urlsplit(url).netloc != urlsplit(self.base_url).netloc:
                url = self.article_url(row["site_id"])
            req = self.article_request(url, row["site_id"], "retry")
            if req is not None:
                yield req

    def _sweep_requests(self) -> Iterable[Request]:
        """Once a day, the archive pages since the last sweep: what the feed may not carry."""
        assert self.archive is not None
        today = self.today()
        swept = self.archive.get_state(self.site, "swept_day")
        if swept and dates.parse_day(swept) >= today:
            return
        first = dates.parse_day(swept) if swept else today - timedelta(days=1)
        first = max(first, today - timedelta(days=7))
        for day in dates.days_back(first, today):
            url = self.archive_day_url(day)
            if url:
                yield self.listing_request(url, "sweep", priority=PRIORITY_DAY)

    def progress_estimate(self) -> int | None:
        """Requests a backfill will make in all (days walked so far tell the articles per
        day); None for an incremental run, whose size is not known in advance."""
        if not self.backfill or not self.days_total:
            return None
        stats = self.crawler.stats
        days_done = stats.get_value("newsarchive/days_done", 0)
        per_day = len(self.requested) / days_done if days_done else 18
        return int(self.days_total * (1 + per_day))

    # --- requests --------------------------------------------------------------------------
    def listing_request(self, url: str, kind: str, priority: int = PRIORITY_LISTING) -> Request:
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            priority=priority,
            meta={"kind": kind},
            dont_filter=kind == "feed",
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
        )

    # --- callbacks -------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Any:  # pragma: no cover - unused
        return self.parse_listing(response)

    def parse_listing(self, response: Response) -> Iterable[Any]:
        kind = response.meta.get("kind", "section")
        if not isinstance(response, TextResponse):
            yield self.page_skip(response.url, "extract", "not_listing", "not a text page")
            if kind == "feed":
                yield from self._walk_sections("the feed is not a text page")
            else:
                self._discovery_complete = False
            return
        try:
            listing = type(self).parse_listing_html(response.text, response.url)
        except Skip as skip:
            yield self.page_skip(response.url, "extract", skip.reason, skip.detail)
            if kind == "feed":
                yield from self._walk_sections("the feed could not be read")
            else:
                self._discovery_complete = False
            return
        if kind == "archive":
            self.crawler.stats.inc_value("newsarchive/days_done")
        entries = listing.entries
        known = self.archive.known(self.site, [e.site_id for e in entries]) if self.archive else {}
        skipped = (
            self.archive.skip_history(self.site, [e.site_id for e in entries])
            if self.archive
            else {}
        )
        for entry in entries:
            req = self._entry_request(entry, known.get(entry.site_id), skipped.get(entry.site_id))
            if req is not None:
                yield req
        if kind == "feed":
            if self._feed_has_gap(entries, known):
                yield from self._walk_sections("the feed does not reach back to the last run")
        elif kind == "section" and listing.next_url and self._keep_paging(entries, known):
            yield self.listing_request(listing.next_url, "section")

    def _entry_request(
        self, entry: ListingEntry, known: dict[str, Any] | None, skipped: dict[str, Any] | None
    ) -> Request | None:
        if entry.site_id in self.requested:
            return None
        if urlsplit(entry.url).netloc != urlsplit(self.base_url).netloc:
            # A feed or page that links the site's own host while we crawl a mirror or the
            # replica: fetch the same article from the root we were given.
            entry = replace(entry, url=self.article_url(entry.site_id))
        if known is None:
            if skipped and not self._skipped_due(entry, skipped):
                return None
            return self.article_request(entry.url, entry.site_id, "new")
        if not same_title(entry.title, known.get("title")):
            return self.article_request(known.get("url") or entry.url, entry.site_id, "title")
        if due_for_refresh(
            dates.parse_utc(known["published"]),
            dates.parse_utc(known["last_seen"]),
            self.now,
            self.refresh_hours,
        ):
            return self.article_request(known.get("url") or entry.url, entry.site_id, "refresh")
        return None

    def _skipped_due(self, entry: ListingEntry, skipped: dict[str, Any]) -> bool:
        """Whether a listed article that was skipped before is fetched again now: after a
        passing failure on the retry back-off (a backfill: always); after a failure of the
        page itself (404, no date, …) on the back-off schedule, or daily without a date."""
        last = dates.parse_utc(skipped["at"])
        if transient(skipped["reason"]):
            return self.backfill or retry_due(last, skipped["count"], self.now)
        if entry.published is not None:
            return due_for_refresh(entry.published, last, self.now, self.refresh_hours)
        return self.backfill or self.now - last >= timedelta(hours=24)

    def coverage_cut(self) -> datetime:
        """Listings are walked back at least to this instant."""
        if self.coverage is not None:
            return self.coverage - COVERAGE_MARGIN
        return self.now - timedelta(hours=self.refresh_hours)

    def _feed_has_gap(self, entries: list[ListingEntry], known: dict[str, Any]) -> bool:
        if not entries:
            return True
        stamps = [e.published for e in entries if e.published is not None]
        if stamps:
            return min(stamps) > self.coverage_cut()
        # A feed without dates: a gap unless its oldest item is already archived.
        return entries[-1].site_id not in known

    def _keep_paging(self, entries: list[ListingEntry], known: dict[str, Any]) -> bool:
        """DESIGN: stop when a whole page holds nothing unknown — and (against a run killed
        half-way) only once the page is older than what the last complete run covered."""
        if not entries:
            return False
        if any(e.site_id not in known for e in entries):
            return True
        stamps = [e.published for e in entries if e.published is not None]
        return not stamps or min(stamps) > self.coverage_cut()

    def _walk_sections(self, why: str) -> Iterable[Request]:
        if getattr(self, "_sections_walked", False):
            return
        self._sections_walked = True
        logger.info("walking the section listings: %s", why)
        self.crawler.stats.inc_value("newsarchive/section_walks")
        for url in self.section_urls():
            yield self.listing_request(url, "section")

    def parse_article(self, response: Response) -> Iterable[Any]:
        site_id = response.meta.get("site_id")
        if not isinstance(response, TextResponse):
            yield self.page_skip(response.url, "extract", "not_article", "not a text page", site_id)
            return
        try:
            article = type(self).parse_article_html(response.text, response.url)
        except Skip as skip:
            yield self.page_skip(response.url, "extract", skip.reason, skip.detail, site_id)
            return
        article.html = response.text
        article.fetched_at = dates.now()
        article.status = response.status
        yield article

    def page_skip(
        self, url: str, stage: str, reason: str, detail: str = "", site_id: str | None = None
    ) -> PageSkip:
        return PageSkip(
            url=url, stage=stage, reason=reason, detail=detail, site=self.site, site_id=site_id
        )

    def on_error(self, failure: Failure) -> Iterable[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind")
        reason, detail = classify_failure(failure)
        if reason in NO_ANSWER:
            self._unanswered += 1
        if kind in ("section", "archive", "sweep"):
            self._discovery_complete = False
        yield self.page_skip(request.url, "download", reason, detail, request.meta.get("site_id"))
        if kind == "feed":
            if reason in NO_ANSWER:
                # The site does not answer: walking its listings would not either. What the
                # feed would have shown waits for the next run (the coverage stays put).
                self._discovery_complete = False
            else:
                yield from self._walk_sections(f"the feed failed ({reason})")

    # --- a bug on a page: counted, recorded, and the run fails ----------------------------------
    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """A callback raised (DESIGN: any exception but `Skip` is a bug): the page becomes an
        ``error`` skip, a listing leaves discovery incomplete, and the run fails (exit 1)."""
        if spider is not self:
            return
        try:
            meta = response.meta
        except AttributeError:
            meta = {}
        kind = meta.get("kind")
        self._record_error(response.url, "extract", failure, meta.get("site_id"), kind != "article")

    def _on_item_error(
        self, item: Any, response: Response, spider: scrapy.Spider, failure: Failure
    ) -> None:
        """A pipeline raised on an item (not a drop: a bug): as `_on_spider_error`."""
        if spider is not self:
            return
        url = getattr(item, "url", None) or getattr(response, "url", "") or ""
        self._record_error(url, "store", failure, getattr(item, "site_id", None), False)

    def _record_error(
        self, url: str, stage: str, failure: Failure, site_id: str | None, listing: bool
    ) -> None:
        self._errors += 1
        if listing:
            self._discovery_complete = False
        exc = failure.value
        detail = f"{type(exc).__name__}: {exc}"[:500]
        stats = self.crawler.stats
        stats.inc_value("newsarchive/skipped/error")
        stats.inc_value("newsarchive/skipped")
        if self.archive is None:
            return
        try:
            self.archive.record_skip(
                run_id=self.run_id,
                url=url,
                stage=stage,
                reason="error",
                detail=detail,
                at=dates.now(),
                site=self.site,
                site_id=site_id,
            )
        except ArchiveError as error:
            self.fail(EXIT_ARCHIVE, str(error), "archive_error")

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
        if self.archive is not None and self._discovery_complete and not self.backfill:
            self.archive.set_state(self.site, "swept_day", self.today().isoformat())


def classify_failure(failure: Failure) -> tuple[str, str]:
    """A download failure as a skip reason (``http_404``, ``timeout``, ``unreachable``,
    ``no_answer``, ``dataloss``, …)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} after retries"
    if isinstance(exc, _TIMEOUT):
        return "timeout", "no answer within the download timeout"
    if isinstance(exc, _UNREACHABLE):
        return "unreachable", f"{type(exc).__name__}: {exc}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "ignored"
        return ("robots" if "robots" in text.lower() else "ignored"), text
    name = type(exc).__name__
    if isinstance(exc, ResponseDataLossError) or "DataLoss" in name:
        return "dataloss", f"{name}: the answer was cut off"
    text = f"{name}: {exc}"
    if any(
        marker in text
        for marker in ("ResponseNeverReceived", "ConnectionDone", "ConnectionLost", "ConnectionAborted")
    ):
        return "no_answer", f"the connection was closed without an answer ({text[:300]})"
    return "download_error", text


def lock_message(db_path: str) -> str:
    """The message for a crawl refused because another holds the lock: its pid and start."""
    holder = None
    try:
        with Archive(db_path, readonly=True) as archive:
            holder = archive.running_run()
    except ArchiveError:
        holder = None
    if holder:
        return (
            f"another crawl holds {db_path} (pid {holder['pid']}, started {holder['started']}); "
            "try again when it has finished"
        )
    return f"another crawl holds {db_path} (it is starting up); try again when it has finished"
