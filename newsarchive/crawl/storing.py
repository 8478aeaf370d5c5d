"""What the run stores, through its worker process: the pages and articles the store stage
hands over, the skips, and the answers counted into Scrapy's stats (`ArchiveRun`'s part that
talks to `newsarchive.crawl.handoff`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from newsarchive import dates, exitcodes
from newsarchive.crawl.handoff import Committed, Handoff
from newsarchive.crawl.worker import Config
from newsarchive.items import Article, Page, PageSkip

if TYPE_CHECKING:
    from newsarchive.crawl.spider import SiteSpider

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
