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

A site that has not answered once ends the run sooner when its attempts are slow to fail (a
host that accepts connections and never answers: each attempt costs a whole download timeout,
and the first requests of a run go one after the other): after ``NEWSARCHIVE_SILENT_TIMEOUTS``
download timeouts of silence, once at least `FEW_ATTEMPTS` attempts went unanswered — two
minutes at the default 30 s timeout, instead of ten.

The requests still waiting in the downloader are let go unasked (``unreachable`` skips). Either
way the run is not complete, so its coverage does not move and the next run resumes;
what was stored stays stored. Each crawler (site) has its own middleware: one dead site of a
multi-site run stops only its own run.
"""

from __future__ import annotations

import logging
import time
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
#: Unanswered attempts the time rule waits for, however long the silence (one slow attempt and
#: its retries are not yet a dead site).
FEW_ATTEMPTS = 3


class SilenceMiddleware:
    """Counts download attempts that got no response; ends the run after too many in a row."""

    def __init__(self, crawler: Crawler, limit: int, silent_seconds: float = 0.0) -> None:
        self.crawler = crawler
        self.limit = limit
        #: Silence (seconds since the first attempt) that ends a run the site never answered.
        self.silent_seconds = silent_seconds
        self.answered = False
        self.streak = 0
        self.ended = False
        self.started: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SilenceMiddleware:
        settings = crawler.settings
        limit = settings.getint("NEWSARCHIVE_UNANSWERED_MAX")
        if limit <= 0:
            raise NotConfigured("NEWSARCHIVE_UNANSWERED_MAX is 0: never give up early")
        timeouts = max(0.0, settings.getfloat("NEWSARCHIVE_SILENT_TIMEOUTS"))
        return cls(crawler, limit, timeouts * settings.getfloat("DOWNLOAD_TIMEOUT"))

    def process_request(self, request: Request, spider: object = None) -> None:
        if self.started is None:
            self.started = time.monotonic()
        return None

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
        if (self.streak >= self.limit or self._silent_too_long()) and not self.ended:
            self.ended = True
            self._end(request)
        return None  # the retry middleware and the spider's errback go on as before

    def _silent_too_long(self) -> bool:
        """The site never answered in this run, a few attempts went unanswered, and the run
        has waited `silent_seconds` for an answer."""
        if self.answered or not self.silent_seconds or self.started is None:
            return False
        waited = time.monotonic() - self.started
        return self.streak >= FEW_ATTEMPTS and waited >= self.silent_seconds

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
