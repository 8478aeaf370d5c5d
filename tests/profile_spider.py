"""A profile site's spider for the multi-site tests, until the generic spider is in the tree:
novinite's crawl of another replica, its articles stored under the profile's name.

`newsarchive crawl` is pointed at it by ``NEWSARCHIVE_PROFILE_SPIDER`` (the environment), and
takes the arguments the generic spider takes: ``site=NAME`` and ``profile=Profile``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from newsarchive.items import Article
from spiders.novinite.spider import NoviniteSpider

#: The dotted path to give as $NEWSARCHIVE_PROFILE_SPIDER.
PATH = "tests.profile_spider.ReplicaProfileSpider"


class ReplicaProfileSpider(NoviniteSpider):
    name = "replica-profile"

    def __init__(self, *args: Any, site: str, profile: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.profile = profile

    def parse_article(self, response: Response) -> Iterable[Any]:
        for item in super().parse_article(response):
            if isinstance(item, Article):
                item.site = self.site
            yield item
