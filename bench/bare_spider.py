"""A bare Scrapy spider: fetches the URLs of a file and does nothing with them.

The yardstick for `crawl_vs_bare_ratio`: the same URLs, the same concurrency, no extraction,
no pipelines, no SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "ITEM_PIPELINES": {},
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls_file = urls

    async def start(self) -> AsyncIterator[Any]:
        with open(self.urls_file) as handle:
            for line in handle:
                if line.strip():
                    yield scrapy.Request(line.strip(), callback=self.parse, dont_filter=True)

    def parse(self, response: Any, **kwargs: Any) -> None:
        return None
