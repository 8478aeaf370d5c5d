"""Stage 4: hands each article to the run's archive (one short transaction each) and counts
new / updated / unchanged; records every dropped skip in `skips`. The run
(`newsarchive.crawl.run.ArchiveRun`) owns the open archive; this stage reaches it through the
crawler."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newsarchive.crawl.run import ArchiveRun
from newsarchive.items import Article
from pipelines import SkipDrop


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if ArchiveRun.of(self.crawler).store(item) is not None:
            item.html = None  # the page is in raw_pages now; let it go
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if isinstance(exception, SkipDrop):
            ArchiveRun.of(self.crawler).skip(exception.skip)
