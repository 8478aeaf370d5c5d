"""Stage 3: one item per (site, site_id) within a run — the same article reached by two URL
forms, or pushed onto the next listing page while the run paged through, is stored once."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.items import Article


class DeduplicatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        key = (item.site, item.site_id)
        if key in self.seen:
            self.crawler.stats.inc_value("newsarchive/duplicate")
            raise DropItem(f"duplicate of {item.site} {item.site_id} in this run", log_level="DEBUG")
        self.seen.add(key)
        return item
