"""Python's cyclic garbage collector, tuned for the crawl's process while a spider runs.

A crawl keeps thousands of requests queued (a day page yields its articles at once) and a page
waits for its group commit, so many young objects live past two collections. With Python's
default thresholds (700, 10, 10) they are promoted and make full collections frequent and slow:
2 of the 11 s of CPU a 5,000-article crawl cost went to the collector, which found about 6,000
objects of cyclic garbage in all (nearly everything a crawl makes is freed by reference
counting). Scrapy with nothing to store queues little and paid 0.13 s.

So, from the spider's opening to its closing, the objects of the start-up (Scrapy, Twisted, the
catalogue: some 50,000) are frozen out of every collection (`gc.freeze`), and a young
collection waits for ``NEWSARCHIVE_GC_THRESHOLD`` more container objects than were freed: a
crawl's collector runs a few times instead of 1,400, and the cyclic garbage it may hold meanwhile
is bounded by that number. The previous thresholds come back when the spider closes.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


def collections() -> int:
    """Collections Python's collector has made in this process, all generations."""
    return sum(generation["collections"] for generation in gc.get_stats())


class GarbageCollection:
    """The Scrapy extension (``EXTENSIONS``); ``NEWSARCHIVE_GC_THRESHOLD = 0`` leaves Python's."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.saved: tuple[int, int, int] | None = None
        self.at_open = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GarbageCollection:
        threshold = crawler.settings.getint("NEWSARCHIVE_GC_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured
        ext = cls(threshold)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        if self.saved is None:
            self.saved = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(self.threshold, *self.saved[1:])
        self.at_open = collections()

    def closed(self, spider: Any, reason: str) -> None:
        logger.info("garbage collector: %d collections in the run", collections() - self.at_open)
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None
        gc.unfreeze()
