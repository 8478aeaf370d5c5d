"""Stage 1: required fields and sane values. A skip found by the spider (a page that failed to
download or to extract) is turned into a counted drop here, so all skips take one road."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsarchive import dates
from newsarchive.items import Article, PageSkip

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: No news site in the archive predates this; a date before it is a parsing error.
EARLIEST = datetime(1990, 1, 1, tzinfo=dates.UTC)


def problems(article: Article, now: datetime) -> list[str]:
    """What is wrong with an article, as short reasons; empty when it may be stored."""
    found = []
    for name in ("site", "site_id", "url", "title", "body"):
        value = getattr(article, name)
        if not isinstance(value, str) or not value.strip():
            found.append(f"missing_{name}")
    for name in ("published", "published_local"):
        value = getattr(article, name)
        if not isinstance(value, datetime) or value.tzinfo is None:
            found.append(f"missing_{name}")
    if not found:
        too_early = article.published < EARLIEST
        in_future = article.published > now + timedelta(days=2)
        # Compare as UTC: Python never calls an ambiguous (fold) local time equal to another zone's.
        same_instant = dates.to_utc(article.published) == dates.to_utc(article.published_local)
        if too_early or in_future or not same_instant:
            found.append("bad_date")
    for name in ("tags", "sources"):
        value = getattr(article, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            found.append(f"bad_{name}")
    return found


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        from pipelines.drops import SkipDrop  # here, not above: the worker imports `problems`

        if isinstance(item, PageSkip):
            raise SkipDrop(item)
        if not isinstance(item, Article):
            return item
        found = problems(item, dates.now())
        if found:
            raise SkipDrop(
                PageSkip(
                    url=item.url or "",
                    stage="validate",
                    reason=found[0],
                    detail=", ".join(found),
                    site=item.site,
                    site_id=item.site_id,
                )
            )
        return item
