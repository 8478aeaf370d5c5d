"""Downloader middleware: a run on a site that gives no answer ends at once, not days later.

A backfill asks for every archive day since the site began; against a host that does not
answer (no DNS, refused, timed out, dropped) each of those thousands of requests would be tried
``RETRY_TIMES`` + 1 times before the run could end, and retries go to the back of the queue, so
no cap on given-up requests fires in time. Here every download attempt is watched where it
happens: an attempt that got any response (a 500 too) is an answer; one that failed with no
response at all adds to a streak that an answer resets. When the streak reaches
``NEWSARCHIVE_UNANSWERED_MAX``:

- and the site has not answered once in this run, the run ends as unreachable (exit 4);
- after it had answered, the run ends as failed (exit 1): the site stopped answering.

The requests still waiting in the downloader are let go unasked (``unreachable`` skips). Either
way the run is not complete, so its coverage does not move and the next run resumes;
what was stored stays stored. Each crawler (site) has its own middleware: one dead site of a
multi-site run stops only its own run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from twisted.python.failure import Failure

from newsarchive import exitcodes
from newsarchive.crawl.failures import NO_ANSWER, NotAsked, classify_failure
from newsarchive.crawl.run import ArchiveRun

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

#: Scrapy's close reasons of a run ended here (the run's status and message say the rest).
UNREACHABLE = "unreachable"
STOPPED_ANSWERING = "stopped_answering"
#: Stats key: download attempts that got no answer at all.
STAT_SILENT = "newsarchive/silence/unanswered_attempts"


class SilenceMiddleware:
    """Counts download attempts that got no response; ends the run after too many in a row."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.answered = False
        self.streak = 0
        self.ended = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SilenceMiddleware:
        limit = crawler.settings.getint("NEWSARCHIVE_UNANSWERED_MAX")
        if limit <= 0:
            raise NotConfigured("NEWSARCHIVE_UNANSWERED_MAX is 0: never give up early")
        return cls(crawler, limit)

    def process_response(self, request: Request, response: Response, spider: object = None) -> Response:
        self.answered = True
        self.streak = 0
        return response

    def process_exception(self, request: Request, exception: Exception, spider: object = None) -> None:
        if isinstance(exception, NotAsked):
            return None
        reason, _ = classify_failure(Failure(exception))
        if reason not in NO_ANSWER:
            return None
        self.crawler.stats.inc_value(STAT_SILENT)
        self.streak += 1
        if self.streak >= self.limit and not self.ended:
            self.ended = True
            self._end(request)
        return None  # the retry middleware and the spider's errback go on as before

    def _end(self, request: Request) -> None:
        run = ArchiveRun.of(self.crawler)
        root = getattr(self.crawler.spider, "base_url", None) or request.url
        if self.answered:
            message = (
                f"{root} stopped answering ({self.streak} requests in a row got no answer); "
                "the next run resumes"
            )
            run.fail(exitcodes.FAILED, message, STOPPED_ANSWERING)
        else:
            message = f"{root} could not be reached (no answer to any of {self.streak} requests)"
            run.fail(exitcodes.UNREACHABLE, message, UNREACHABLE)
        self._drop_waiting(f"not asked: {root} gave no answer to {self.streak} requests in a row")

    def _drop_waiting(self, why: str) -> None:
        """Let go of the requests already waiting in the downloader for their turn (up to
        ``CONCURRENT_REQUESTS`` of them, each behind the download delay), which closing the
        spider would otherwise still send one by one: each ends as an ``unreachable`` skip
        (`failures.NotAsked`), so an article among them is fetched again by a later run.
        Requests on the wire finish as they will."""
        downloader = getattr(self.crawler.engine, "downloader", None)
        stats = self.crawler.stats
        for slot in list(getattr(downloader, "slots", {}).values()):
            queue = getattr(slot, "queue", None)
            while queue:
                request, waiting = queue.popleft()
                request.meta["dont_retry"] = True
                # Scrapy counted it when it entered the downloader; it is never sent.
                stats.inc_value("downloader/request_count", -1)
                waiting.errback(Failure(NotAsked(why)))
