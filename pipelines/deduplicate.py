"""Stage 3: one item per (site, site_id) within a run — the same article reached by two URL
forms, or pushed onto the next listing page while the run paged through, is stored once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsarchive.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class Seen:
    """The articles a run has carried, by (site, site_id)."""

    def __init__(self) -> None:
        self.keys: set[tuple[str, str]] = set()

    def first(self, article: Article) -> bool:
        """Whether `article` is the first of its (site, site_id) in this run (it is noted)."""
        key = (article.site, article.site_id)
        if key in self.keys:
            return False
        self.keys.add(key)
        return True


class DeduplicatePipeline:
    """The stage for articles that reach Scrapy's pipelines whole; fetched pages (`Page`) are
    deduplicated by the crawl's worker with the same `Seen` (`newsarchive.crawl.chain`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen = Seen()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if not self.seen.first(item):
            from scrapy.exceptions import DropItem  # here, not above: the worker imports `Seen`

            self.crawler.stats.inc_value("newsarchive/duplicate")
            raise DropItem(f"duplicate of {item.site} {item.site_id} in this run", log_level="DEBUG")
        return item
