"""What the run stores, through its worker process: the pages and articles the store stage
hands over, the skips, and the answers counted into Scrapy's stats (`ArchiveRun`'s part that
talks to `newsarchive.crawl.handoff`)."""

from __future__ import annotations

import logging
from typing import Any

from newsarchive import dates, exitcodes
from newsarchive.archive import ArchiveError
from newsarchive.crawl.handoff import Committed, Handoff
from newsarchive.crawl.worker import Config
from newsarchive.items import Article, Page, PageSkip

logger = logging.getLogger(__name__)

#: Stats keys the run counts under (DESIGN's summary line is built from them).
STAT_PREFIX = "newsarchive/"
SKIPPED = f"{STAT_PREFIX}skipped"


class Storing:
    """The run's stores and skips, handed to its worker process (a part of `ArchiveRun`)."""

    crawler: Any
    spider: Any
    archive: Any
    outcome: Any
    db_path: str
    run_id: int | None
    handoff: Handoff | None
    stored: int
    errors: int

    def fail(self, exit_code: int, message: str, reason: str) -> None:
        raise NotImplementedError

    def _close(self, reason: str) -> None:
        raise NotImplementedError

    def _worker(self) -> Handoff | None:
        """The run's worker process, started at the first page; None (the run failed and is
        closing) if it cannot be started."""
        if self.handoff is not None:
            return self.handoff if self.handoff.running else None
        settings, spider = self.crawler.settings, self.spider
        limit = getattr(spider, "limit", None)
        config = Config(
            db=self.db_path,
            run_id=self.run_id,
            extraction=spider.extraction(),
            limit=None if limit is None else max(0, limit - self.stored),
            group_writes=max(1, settings.getint("NEWSARCHIVE_COMMIT_ARTICLES")),
            group_seconds=max(0.0, settings.getfloat("NEWSARCHIVE_COMMIT_MS") / 1000),
        )
        self.handoff = Handoff(config, answered=self._answered, broken=self._broken, died=self._died)
        try:
            self.handoff.start()
        except OSError as exc:
            self.fail(exitcodes.FAILED, f"cannot start the crawl's worker process: {exc}", "worker")
            return None
        return self.handoff

    def store(self, article: Article) -> str | None:
        """Store a whole article (a spider that yields articles, through Scrapy's stages
        already) in one transaction of its own, here: ``new``, ``updated`` or ``unchanged``;
        None when the run has no archive or has stored its `limit` already."""
        limit = getattr(self.spider, "limit", None)
        if self.archive is None or (limit is not None and self.stored >= limit):
            return None
        try:
            result = self.archive.store(article, run_id=self.run_id, now=dates.now())
        except ArchiveError as exc:
            self.fail(exitcodes.ARCHIVE, str(exc), "archive_error")
            return None
        self._answered(article, (result,))
        return result

    def submit(self, page: Page) -> Committed | None:
        """Hand a fetched article page to the run's worker process, which extracts, checks and
        stores it (`newsarchive.crawl.chain`); awaited, it is the page once committed. None
        when the run has no archive or has stored its `limit` already."""
        limit = getattr(self.spider, "limit", None)
        if self.archive is None or (limit is not None and self.stored >= limit):
            return None
        handoff = self._worker()
        return None if handoff is None else handoff.submit("page", page, page)

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
        """Count a page that was not stored and record it in the archive's ``skips``: by the
        worker in its next group once it runs (one writer), here before."""
        self._count_skip(skip.reason)
        if self.archive is None:
            return
        if self.handoff is not None and self.handoff.running:
            self.handoff.skip(skip, dates.now())
            return
        try:
            self.archive.record_skip(
                run_id=self.run_id, url=skip.url, stage=skip.stage, reason=skip.reason,
                detail=skip.detail, at=dates.now(), site=skip.site, site_id=skip.site_id,
            )  # fmt: skip
        except ArchiveError as exc:
            self.fail(exitcodes.ARCHIVE, str(exc), "archive_error")
