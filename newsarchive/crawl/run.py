"""The run: a Scrapy extension that owns the archive for one crawl, from open to close.

On ``spider_opened`` it takes the crawl lock, opens the archive, marks runs left ``running`` by
dead processes ``interrupted`` and records this run; on ``spider_closed`` it settles the outcome
(`outcome.settle`), writes it with the crawl's coverage in one transaction, closes the archive
and gives the lock back. In between, the pipelines store and skip through it and the spider
reads the archive through it, all reaching it by `ArchiveRun.of(crawler)` — not through spider
attributes (as scrapy-deltafetch owns its store, and AutoThrottle wires itself in ``__init__``).

The run's articles and skips are written by its worker process (`handoff`, `worker`), which
extracts the pages and commits them in groups; the run's own connection writes only the run row
and the crawl state. The run is closed only once the worker has committed everything it was
given and ended, so the run row and the coverage never claim an article not committed.

Any exception a page function or a pipeline raises (a bug: DESIGN allows only `Skip`) becomes
an ``error`` skip and fails the run (exit 1) without moving its coverage, so the next runs
fetch those pages again.
"""

from __future__ import annotations

import logging
import os
import resource
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newsarchive import dates, exitcodes, lock
from newsarchive.archive import Archive, ArchiveError
from newsarchive.crawl.evidence import Evidence
from newsarchive.crawl.handoff import Committed, Handoff
from newsarchive.crawl.outcome import RunOutcome, settle
from newsarchive.crawl.worker import Config
from newsarchive.items import Article, Page, PageSkip

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from newsarchive.crawl.spider import SiteSpider

logger = logging.getLogger(__name__)

#: Stats keys the run counts under (DESIGN's summary line is built from them).
STAT_PREFIX = "newsarchive/"
SKIPPED = f"{STAT_PREFIX}skipped"
#: The runs open in this process (several sites crawled in one run): not left ``running`` by
#: a dead process, so none of them marks another ``interrupted``.
OPEN_RUNS: set[int] = set()


class ArchiveRun:
    """One crawl run of one site into one archive (enabled in settings' ``EXTENSIONS``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path: str = crawler.settings.get("NEWSARCHIVE_DB")
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.outcome: RunOutcome | None = None
        self.now = dates.now()
        self.coverage = None
        #: Whether everything the run set out to discover was seen (listings, feed, days).
        self.discovery_complete = True
        self.evidence = Evidence()
        #: Whether the archive held articles of the site when the run began.
        self.had_articles = False
        self.unanswered = 0
        self.errors = 0
        self.stored = 0
        self.handoff: Handoff | None = None
        self._clock0 = time.monotonic()
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveRun:
        return cls(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> ArchiveRun:
        """The run of `crawler` (its extension instance)."""
        for extension in crawler.extensions.middlewares:
            if isinstance(extension, cls):
                return extension
        raise RuntimeError(f"{cls.__module__}.{cls.__name__} is not in the EXTENSIONS setting")

    @property
    def spider(self) -> SiteSpider:
        return self.crawler.spider  # type: ignore[return-value]

    # --- open and close ------------------------------------------------------------------
    def opened(self, spider: SiteSpider) -> None:
        self.now = dates.now()
        self._clock0 = time.monotonic()
        self.outcome = RunOutcome(site=spider.site)
        try:
            lock.acquire(self.db_path)
        except lock.LockHeld as exc:
            self._refuse("locked", exitcodes.LOCKED, str(exc))
            return
        except ArchiveError as exc:
            self._refuse("failed", exitcodes.ARCHIVE, str(exc))
            return
        try:
            self.archive = Archive(self.db_path)
            self.archive.mark_interrupted(self.now, keep=OPEN_RUNS)
            self.run_id = self.archive.start_run(
                spider.site, spider.mode, spider.args_record, os.getpid(), self.now
            )
            OPEN_RUNS.add(self.run_id)
        except ArchiveError as exc:
            if self.archive is not None:
                self.archive.close()
                self.archive = None
            lock.release(self.db_path)
            self._refuse("failed", exitcodes.ARCHIVE, str(exc))
            return
        self.outcome.run_id = self.run_id
        if not self._start_worker(spider):
            return
        self.had_articles = self.archive.count_articles(spider.site) > 0
        coverage = self.archive.get_state(spider.site, "coverage")
        self.coverage = dates.parse_utc(coverage) if coverage else None
        logger.info(
            "run %s: %s of %s into %s (coverage %s)",
            self.run_id, spider.mode, spider.base_url, self.db_path, coverage or "none",
        )  # fmt: skip

    def _start_worker(self, spider: SiteSpider) -> bool:
        """Start the run's worker process; False (the run failed and is closing) if it cannot."""
        settings = self.crawler.settings
        config = Config(
            db=self.db_path,
            run_id=self.run_id,
            extraction=spider.extraction(),
            limit=getattr(spider, "limit", None),
            group_writes=max(1, settings.getint("NEWSARCHIVE_COMMIT_ARTICLES")),
            group_seconds=max(0.0, settings.getfloat("NEWSARCHIVE_COMMIT_MS") / 1000),
        )
        self.handoff = Handoff(config, answered=self._answered, broken=self._broken, died=self._died)
        try:
            self.handoff.start()
        except OSError as exc:
            self.handoff = None
            self.fail(exitcodes.FAILED, f"cannot start the crawl's worker process: {exc}", "worker")
            return False
        return True

    def _refuse(self, status: str, exit_code: int, message: str) -> None:
        """The run cannot start (the lock, the archive): the spider requests nothing."""
        assert self.outcome is not None
        self.outcome.fail(status, exit_code, message)
        logger.error("%s", message)

    def closed(self, spider: SiteSpider, reason: str) -> Any:
        """Once the worker has committed all it holds and ended, settle and write the outcome
        (a Deferred Scrapy waits for)."""
        if self.archive is None or self.outcome is None:
            return None
        if self.handoff is None:
            return self._settle(spider, reason)
        ended = self.handoff.stop()
        ended.addCallback(lambda _: self._settle(spider, reason))
        return ended

    def _settle(self, spider: SiteSpider, reason: str) -> None:
        if self.archive is None or self.outcome is None:
            return
        outcome = self._count(self.outcome)
        settle(
            outcome,
            reason,
            responses=self.crawler.stats.get_value("response_received_count", 0),
            unanswered=self.unanswered,
            errors=self.errors,
            root=spider.base_url,
            unseen=self.evidence.problem(
                incremental=not spider.backfill, archive_had_articles=self.had_articles
            ),
        )
        complete = outcome.status == "ok" and reason == "finished" and self.discovery_complete
        self._finish(outcome, self._covered(spider) if complete else None)
        logger.info("%s", outcome.summary())
        usage = resource.getrusage(resource.RUSAGE_SELF)
        logger.info("crawl process: %.2f s CPU", usage.ru_utime + usage.ru_stime)

    def abandon(self, why: str) -> None:
        """Close a run that Scrapy never closed (its engine stopped before the spider did): the
        run row says ``interrupted``, the lock is given back, the coverage stays put."""
        if self.archive is None or self.outcome is None:
            return
        if self.handoff is not None:
            self.handoff.kill()  # its uncommitted group is fetched again by the next run
        outcome = self._count(self.outcome)
        outcome.fail("interrupted", exitcodes.FAILED, why)
        self._finish(outcome, None)

    def _finish(self, outcome: RunOutcome, state: dict[str, str | None] | None) -> None:
        """Write the run's outcome (and `state`, the coverage it earned) in one transaction,
        close the archive and give the lock back."""
        assert self.archive is not None
        try:
            self.archive.finish_run(
                self.run_id,  # type: ignore[arg-type]
                status=outcome.status,
                finished=self.finished(),
                requests=outcome.requests,
                new=outcome.new,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                skipped=sum(outcome.skipped.values()),
                error=outcome.message or None,
                state=state,
            )
        except ArchiveError as exc:
            outcome.status, outcome.exit_code, outcome.message = "failed", exitcodes.ARCHIVE, str(exc)
        finally:
            OPEN_RUNS.discard(self.run_id)  # type: ignore[arg-type]
            self.archive.close()
            self.archive = None
            lock.release(self.db_path)

    def finished(self) -> datetime:
        """When the run ended: its start plus the real time elapsed (a monotonic clock), so a
        24 s run reads 24 s even when `NEWSARCHIVE_NOW` holds "now" still (the replica, tests);
        articles keep the injected clock."""
        return self.now + timedelta(seconds=time.monotonic() - self._clock0)

    def _covered(self, spider: SiteSpider) -> dict[str, str | None]:
        """The crawl state a complete run moves, in the transaction that finishes it: the
        coverage (when the run reached now) and, for an incremental run, the day swept."""
        state: dict[str, str | None] = {}
        if spider.reaches_now():
            state["coverage"] = dates.format_utc(self.now)
        if not spider.backfill:
            state["swept_day"] = spider.today().isoformat()
        state.update(spider.covered_state())
        return state

    def _count(self, outcome: RunOutcome) -> RunOutcome:
        """The run's counts from Scrapy's stats."""
        stats = self.crawler.stats
        outcome.new = stats.get_value(f"{STAT_PREFIX}new", 0)
        outcome.updated = stats.get_value(f"{STAT_PREFIX}updated", 0)
        outcome.unchanged = stats.get_value(f"{STAT_PREFIX}unchanged", 0)
        prefix = f"{SKIPPED}/"
        outcome.skipped = {
            k[len(prefix) :]: v for k, v in stats.get_stats().items() if k.startswith(prefix)
        }
        outcome.requests = stats.get_value("downloader/request_count", 0)
        outcome.seconds = time.monotonic() - self._clock0
        return outcome

    # --- what the pipelines and the spider do through the run ---------------------------
    def store(self, article: Article) -> Committed | Article | None:
        """Hand a whole article (through Scrapy's stages already) to the worker for storing;
        awaited, it is the article once committed. None when the run has no archive or has
        stored its `limit` already."""
        return self._submit("article", article)

    def submit(self, page: Page) -> Committed | Page | None:
        """Hand a fetched article page to the worker, which extracts, checks and stores it
        (`newsarchive.crawl.chain`); awaited, it is the page once committed."""
        return self._submit("page", page)

    def _submit(self, kind: str, item: Any) -> Any:
        limit = getattr(self.spider, "limit", None)
        if self.archive is None or self.handoff is None or (limit is not None and self.stored >= limit):
            return None
        return self.handoff.submit(kind, item, item)

    def _answered(self, item: Any, result: tuple[Any, ...]) -> None:
        """Count what the worker did with a page or an article, once committed. The worker
        stores no more than the spider's ``limit``; reaching it ends the run (pages already on
        their way are let go: the next run fetches them again)."""
        stats, kind = self.crawler.stats, result[0]
        if kind in ("new", "updated", "unchanged"):
            stats.inc_value(f"{STAT_PREFIX}{kind}")
            if kind != "unchanged":
                self.stored += 1
                limit = getattr(self.spider, "limit", None)
                if limit is not None and self.stored == limit:
                    self._close("limit")
        elif kind == "duplicate":
            stats.inc_value(f"{STAT_PREFIX}duplicate")
        elif kind == "skip":
            self._count_skip(result[1])
        elif kind == "error":
            self.errors += 1
            self._count_skip("error")
            logger.error("a bug on %s (%s): %s", result[3], result[1], result[2])

    def _broken(self, message: str) -> None:
        self.fail(exitcodes.ARCHIVE, message, "archive_error")

    def _died(self, message: str) -> None:
        if self.outcome is not None and self.outcome.exit_code == exitcodes.OK:
            self.fail(exitcodes.FAILED, message, "worker_died")

    def _count_skip(self, reason: str) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"{SKIPPED}/{reason}")
        stats.inc_value(SKIPPED)

    def skip(self, skip: PageSkip) -> None:
        """Count a page that was not stored and record it in the archive's ``skips`` (by the
        worker, in its next group)."""
        self._count_skip(skip.reason)
        if self.archive is None or self.handoff is None:
            return
        self.handoff.skip(skip, dates.now())

    def fail(self, exit_code: int, message: str, reason: str) -> None:
        """End the run now with this exit code and message (an archive that cannot be written)."""
        if self.outcome is not None:
            self.outcome.fail("failed", exit_code, message)
        logger.error("%s", message)
        self._close(reason)

    def _close(self, reason: str) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    # --- a bug on a page: counted, recorded, and the run fails ------------------------------
    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """A callback raised (DESIGN: any exception but `Skip` is a bug): the page becomes an
        ``error`` skip, a listing leaves discovery incomplete, and the run fails (exit 1)."""
        meta = getattr(response, "meta", None) or {}
        listing = meta.get("kind") != "article"
        self._error(response.url, "extract", failure, meta.get("site_id"), listing)

    def item_error(self, item: Any, response: Response, spider: Any, failure: Failure) -> None:
        """A pipeline raised on an item (not a drop: a bug): as `spider_error`."""
        url = getattr(item, "url", None) or getattr(response, "url", "") or ""
        self._error(url, "store", failure, getattr(item, "site_id", None), False)

    def _error(self, url: str, stage: str, failure: Failure, site_id: str | None, listing: bool) -> None:
        self.errors += 1
        if listing:
            self.discovery_complete = False
        exc = failure.value
        site = self.outcome.site if self.outcome else None
        detail = f"{type(exc).__name__}: {exc}"[:500]
        self.skip(PageSkip(url=url, stage=stage, reason="error", detail=detail, site=site, site_id=site_id))
