"""What a run asks for first (`SiteSpider.start`), as DESIGN's "Incremental runs" says: a
backfill's archive days (with the refreshes and retries that are due); an incremental run's
feed, due refreshes and retries, and once a day the archive pages since the last sweep.

A mixin of `newsarchive.crawl.spider.SiteSpider` (as `listings.ListingWalk` is): it uses the
spider's arguments, its archive and its `listing_request` / `article_request`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.http import Request

from newsarchive import dates
from newsarchive.crawl import policy

#: Priorities: articles first (memory stays flat), then listings, then archive days.
PRIORITY_ARTICLE, PRIORITY_LISTING, PRIORITY_DAY = 30, 20, 10


class StartRequests:
    """The start requests of a `SiteSpider` run."""

    async def start(self) -> AsyncIterator[Any]:
        if self.archive is None:
            return
        if self.backfill:
            for req in (*self._due_refreshes(), *self._due_retries()):
                yield req
            for req in self._archive_days():
                yield req
            return
        for url in self.feed_urls():
            yield self.listing_request(url, "feed")
        for req in (*self._due_refreshes(), *self._due_retries(), *self._sweep_requests()):
            yield req

    def _archive_days(self) -> Iterable[Request]:
        """A backfill's daily archive pages, from `until` (or today) back to `since`."""
        first = self.since or self.first_day
        last = min(self.until or self.today(), self.today())
        self.days_total = (last - first).days + 1
        for day in dates.days_back(first, last):
            url = self.archive_day_url(day)
            if url:
                yield self.listing_request(url, "archive", priority=PRIORITY_DAY)

    def _due_refreshes(self) -> Iterable[Request]:
        assert self.archive is not None
        since = policy.refresh_window(self.run.coverage, self.now, self.refresh_hours)
        for row in self.archive.recent(self.site, since):
            published, last_seen = dates.parse_utc(row["published"]), dates.parse_utc(row["last_seen"])
            if policy.due_for_refresh(published, last_seen, self.now, self.refresh_hours):
                url = self.fetch_url(row["url"], row["site_id"])
                req = self.article_request(url, row["site_id"], "refresh")
                if req is not None:
                    yield req

    def _due_retries(self) -> Iterable[Request]:
        """Articles never stored because their fetch failed for a passing reason (a 503, a
        timeout, a dead site mid-run): fetched again on a back-off, whether or not a listing
        shows them again (DESIGN: nothing lost)."""
        assert self.archive is not None
        for row in self.archive.failed_unarchived(self.site, self.now - policy.REFRESH_LOOKBACK):
            if not policy.transient(row["reason"]):
                continue
            last = dates.parse_utc(row["at"])
            if not self.backfill and not policy.retry_due(last, row["count"], self.now):
                continue
            url = self.fetch_url(row["url"], row["site_id"])
            req = self.article_request(url, row["site_id"], "retry")
            if req is not None:
                yield req

    def _sweep_requests(self) -> Iterable[Request]:
        """Once a day, the archive pages since the last sweep: what the feed may not carry."""
        assert self.archive is not None
        today = self.today()
        swept = self.archive.get_state(self.site, "swept_day")
        first = policy.sweep_first_day(dates.parse_day(swept) if swept else None, today)
        if first is None:
            return
        for day in dates.days_back(first, today):
            url = self.archive_day_url(day)
            if url:
                yield self.listing_request(url, "sweep", priority=PRIORITY_DAY)

