"""Stage 4: hands each article to `newsarchive.archive` (one short transaction each) and counts
new / updated / unchanged; records every dropped skip in `skips`. Works with any `SiteSpider`,
whose run owns the open archive."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from newsarchive import dates
from newsarchive.archive import ArchiveError
from newsarchive.items import Article
from newsarchive.sitespider import EXIT_ARCHIVE
from pipelines import SkipDrop


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stored = 0
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        spider = self.spider
        if spider.archive is None:
            return item
        try:
            outcome = spider.archive.store(item, run_id=spider.run_id, now=dates.now())
        except ArchiveError as exc:
            spider.fail(EXIT_ARCHIVE, str(exc), "archive_error")
            return item
        self.crawler.stats.inc_value(f"newsarchive/{outcome}")
        if outcome != "unchanged":
            self.stored += 1
            if spider.limit is not None and self.stored == spider.limit:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="limit"))
        item.html = None  # the page is in raw_pages now; let it go
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if not isinstance(exception, SkipDrop):
            return
        skip = exception.skip
        stats = self.crawler.stats
        stats.inc_value(f"newsarchive/skipped/{skip.reason}")
        stats.inc_value("newsarchive/skipped")
        archive = getattr(spider, "archive", None)
        if archive is None:
            return
        try:
            archive.record_skip(
                run_id=spider.run_id,
                url=skip.url,
                stage=skip.stage,
                reason=skip.reason,
                detail=skip.detail,
                at=dates.now(),
                site=skip.site,
                site_id=skip.site_id,
            )
        except ArchiveError as exc:
            spider.fail(EXIT_ARCHIVE, str(exc), "archive_error")
