"""Scrapy's downloader, keeping a site's concurrency limit when there is no download delay.

With the asyncio reactor, Scrapy (2.19) starts each download taken off a slot's queue as an
asyncio task, and a task first runs at the event loop's next turn. `_process_queue` counts the
slot's downloads in flight (``transferring``) before any task it has just created has counted
itself, so with no delay between requests (``--delay 0``) it sends everything queued at once:
up to ``CONCURRENT_REQUESTS`` at one host, whatever ``CONCURRENT_REQUESTS_PER_DOMAIN``
(``--concurrency``) says. With a delay it sends one and waits, which is why runs with the
default politeness were never affected. Here a download counts as in flight from the moment it
is taken off the queue (enabled by the ``DOWNLOADER`` setting).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader import Slot
from scrapy.http import Request
from twisted.internet.defer import Deferred


class Downloader(ScrapyDownloader):
    def _wait_for_download(  # type: ignore[override]
        self, slot: Slot, request: Request, queue_dfd: Deferred[Any]
    ) -> Coroutine[Any, Any, None]:
        # In flight now, not when the task starts; Scrapy's `_download` adds it again (a set)
        # and removes it when the download ends.
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
