"""A live progress bar for `newsarchive crawl` on a terminal (rich, on stderr).

A Scrapy extension, switched on by the CLI only when stderr is a terminal: requests, new and
updated articles, skips, the rate, and on a backfill an ETA over the day pages still to walk.
Several sites crawled in one process share one display, a line per site (rich allows one live
display at a time).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

#: The display the crawlers of this process share, and how many of them have it open.
_shared: dict[str, Any] = {"progress": None, "users": 0}


def _open_display() -> Progress:
    if _shared["progress"] is None:
        _shared["progress"] = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        _shared["progress"].start()
    _shared["users"] += 1
    return _shared["progress"]


def _close_display() -> None:
    _shared["users"] -= 1
    if _shared["users"] <= 0 and _shared["progress"] is not None:
        _shared["progress"].stop()
        _shared["progress"], _shared["users"] = None, 0


class ProgressBar:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.progress: Progress | None = None
        self.task_id: Any = None
        self.loop = task.LoopingCall(self.update)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressBar:
        if not crawler.settings.getbool("NEWSARCHIVE_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        self.progress = _open_display()
        name = getattr(spider, "site", None) or spider.name
        self.task_id = self.progress.add_task(name, total=None, counts="")
        self.loop.start(0.5, now=True)

    def update(self) -> None:
        if self.progress is None:
            return
        stats = self.crawler.stats
        get = stats.get_value
        pending = get("scheduler/enqueued", 0) - get("scheduler/dequeued", 0)
        done = get("response_received_count", 0) + get("downloader/exception_count", 0)
        estimate = getattr(self.crawler.spider, "progress_estimate", lambda: None)()
        total = max(estimate, done + pending) if estimate else None
        counts = (
            f"{get('downloader/request_count', 0)} req · {get('newsarchive/new', 0)} new · "
            f"{get('newsarchive/updated', 0)} upd · {get('newsarchive/skipped', 0)} skip"
        )
        self.progress.update(self.task_id, completed=done, total=total, counts=counts)

    def closed(self, spider: Any, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.progress is not None:
            self.progress.remove_task(self.task_id)
            self.progress = None
            _close_display()
