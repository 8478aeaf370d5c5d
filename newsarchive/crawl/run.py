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
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from newsarchive import dates, exitcodes, lock
from newsarchive.archive import Archive, ArchiveError
from newsarchive.crawl.evidence import Evidence
from newsarchive.crawl.handoff import Handoff
from newsarchive.crawl.outcome import RunOutcome, settle
from newsarchive.crawl.storing import SKIPPED, STAT_PREFIX, Storing
from newsarchive.items import PageSkip

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from newsarchive.crawl.spider import SiteSpider

logger = logging.getLogger(__name__)

#: The runs open in this process (several sites crawled in one run): not left ``running`` by
#: a dead process, so none of them marks another ``interrupted``.
OPEN_RUNS: set[int] = set()


class ArchiveRun(Storing):
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
            # Another site's run of this process has the file open: no file checks (they would
            # drop its SQLite locks while the workers write).
            self.archive = Archive(self.db_path, again=bool(OPEN_RUNS))
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
        self.had_articles = self.archive.count_articles(spider.site) > 0
        coverage = self.archive.get_state(spider.site, "coverage")
        self.coverage = dates.parse_utc(coverage) if coverage else None
        logger.info(
            "run %s: %s of %s into %s (coverage %s)",
            self.run_id, spider.mode, spider.base_url, self.db_path, coverage or "none",
        )  # fmt: skip

    def _refuse(self, status: str, exit_code: int, message: str) -> None:
        """The run cannot start (the lock, the archive): the spider requests nothing."""
        assert self.outcome is not None
        self.outcome.fail(status, exit_code, message)
        logger.error("%s", message)

    def closed(self, spider: SiteSpider, reason: str) -> Any:
        """Settle and write the outcome — once the worker, if one was started, has committed all
        it holds and ended (then a coroutine Scrapy waits for)."""
        if self.archive is None or self.outcome is None:
            return None
        if self.handoff is None:
            return self._settle(spider, reason)
        return self._drained(spider, reason)

    async def _drained(self, spider: SiteSpider, reason: str) -> None:
        assert self.handoff is not None
        await maybe_deferred_to_future(self.handoff.stop())
        self._settle(spider, reason)

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
