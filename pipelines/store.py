"""Stage 4: hands each fetched page (`Page`) or whole article to the run's worker process,
which stores it in its next group commit (`newsarchive.crawl.worker`), and records every
dropped skip in `skips` the same way. Scrapy holds the item until its group is committed; the
run counts new / updated / unchanged from the worker's answers. The run
(`newsarchive.crawl.run.ArchiveRun`) owns the worker; this stage reaches it through the crawler.

A `Page` passes the first three stages untouched: the worker carries it through the same stage
functions (`newsarchive.crawl.chain`) after extracting it, off Scrapy's process."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newsarchive.crawl.run import ArchiveRun
from newsarchive.items import Article, Page
from pipelines import SkipDrop


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        run = ArchiveRun.of(self.crawler)
        if isinstance(item, Page):
            return run.submit(item) or item
        if isinstance(item, Article):
            return run.store(item) or item
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if isinstance(exception, SkipDrop):
            ArchiveRun.of(self.crawler).skip(exception.skip)
