"""Downloader middleware: Scrapy's retries, honouring ``Retry-After``.

A 503 or 429 that says ``Retry-After: N`` (seconds or an HTTP date) is retried after N seconds
rather than at once; a wait longer than ``NEWSARCHIVE_RETRY_AFTER_MAX`` gives the page up (it
becomes an ``http_503`` skip) instead of holding the run. Everything else is RetryMiddleware.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from newsarchive import dates

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds to wait from a Retry-After header value, or None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - dates.now()).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that waits as long as the server's Retry-After asks (up to a cap)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        mw = super().from_crawler(crawler)
        mw.retry_after_max = crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")
        return mw

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: object = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = None
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None and wait > self.retry_after_max:
                self.crawler.stats.inc_value("newsarchive/retry_after/too_long")
                return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            self.crawler.stats.inc_value("newsarchive/retry_after/waited")
            await sleep(wait)
        return retry
