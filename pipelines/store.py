"""Stage 4: hands each fetched page (`Page`) to the run's worker process, which stores it in
its next group commit (`newsarchive.crawl.worker`) — Scrapy holds the page until then — and
stores a whole article (a spider that yields articles) in a transaction of its own; counts
new / updated / unchanged and records every dropped skip in `skips`. The run
(`newsarchive.crawl.run.ArchiveRun`) owns the worker; this stage reaches it through the crawler.

A `Page` passes the first three stages untouched: the worker carries it through the same stage
functions (`newsarchive.crawl.chain`) after extracting it, off Scrapy's process."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newsarchive.crawl.run import ArchiveRun
from newsarchive.items import Article, Page
from pipelines.drops import SkipDrop


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
        if isinstance(item, Article) and run.store(item) is not None:
            item.html = None  # the page is in raw_pages now; let it go
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if isinstance(exception, SkipDrop):
            ArchiveRun.of(self.crawler).skip(exception.skip)
