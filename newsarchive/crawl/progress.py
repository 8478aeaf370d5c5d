"""The live progress of `newsarchive crawl` on a terminal (rich, on stderr): what it tells is true.

`ProgressModel` is pure logic (counts and a clock reading in, a `View` out), so its rules are
unit-tested without a crawl or a timer:

- a **phase** with its **unit**: sweeping archive days (days), fetching articles or refreshing
  them (articles), reading the feed and listings (pages);
- a **total** that only grows when new work is found: the days to walk are known at the start;
  articles are counted as they are found (a listing or a day page adds what it lists), never
  guessed, so the total never jumps down or up by thousands;
- **no ETA until the rate settles**: the rate over the last `window` seconds must agree with
  the one before it (within `tolerance`) before a time left is shown.

A backfill walks every day of the range: the site's calendar links every day whether or not it
has articles, so empty days cost a request each; the phase label says so.

`ProgressBar` is the Scrapy extension, switched on by the CLI only when stderr is a terminal.
Several sites crawled in one process share one display, a line per site.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

#: Stats keys the spider counts under for the progress (newsarchive.crawl.spider).
DAYS_DONE = "newsarchive/days_done"
ARTICLES_DONE = "newsarchive/articles_done"

DAYS = "sweeping archive days, empty ones too"
ARTICLES = "fetching articles"
REFRESHES = "refreshing archived articles"
LISTINGS = "reading the feed and listings"


@dataclass(frozen=True)
class Counts:
    """What the crawl has done so far (Scrapy's stats and the spider's request set)."""

    days_total: int = 0
    days_done: int = 0
    articles_found: int = 0
    articles_done: int = 0
    refreshes_found: int = 0
    pages_done: int = 0
    requests: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class View:
    """What the bar shows: the phase, its unit, done of total (None: not known), the seconds
    left (None until the rate settles) and the run's counts."""

    phase: str
    unit: str
    done: int
    total: int | None
    eta: float | None
    counts: str


class ProgressModel:
    """Turns successive `Counts` (with a monotonic clock reading) into honest `View`s."""

    def __init__(self, window: float = 10.0, tolerance: float = 0.5) -> None:
        self.window = window
        self.tolerance = tolerance
        self.phase = ""
        self.total = 0
        self.samples: deque[tuple[float, int]] = deque()

    def update(self, counts: Counts, now: float) -> View:
        phase, unit, done, total = self._phase(counts)
        if phase != self.phase:  # a new phase measures its own rate and keeps its own total
            self.phase, self.total = phase, 0
            self.samples.clear()
        if total is not None:
            self.total = max(self.total, total, done)
        self.samples.append((now, done))
        while self.samples and now - self.samples[0][0] > 2 * self.window:
            self.samples.popleft()
        return View(
            phase=phase,
            unit=unit,
            done=done,
            total=self.total if total is not None else None,
            eta=self._eta(done, now) if total is not None else None,
            counts=(
                f"{counts.requests} requests · {counts.new} new · {counts.updated} updated · "
                f"{counts.skipped} skipped"
            ),
        )

    @staticmethod
    def _phase(c: Counts) -> tuple[str, str, int, int | None]:
        if c.days_total and c.days_done < c.days_total:
            return DAYS, "days", c.days_done, c.days_total
        if c.articles_done < c.articles_found:
            only_refreshes = c.refreshes_found >= c.articles_found
            return (REFRESHES if only_refreshes else ARTICLES), "articles", c.articles_done, c.articles_found
        return LISTINGS, "pages", c.pages_done, None

    def _eta(self, done: int, now: float) -> float | None:
        """Seconds left at the recent rate, once the last two windows agree on it."""
        if not self.samples or now - self.samples[0][0] < 2 * self.window:
            return None
        middle = next(s for s in self.samples if now - s[0] <= self.window)
        first = self.samples[0]
        older = (middle[1] - first[1]) / max(middle[0] - first[0], 1e-9)
        recent = (done - middle[1]) / max(now - middle[0], 1e-9)
        if older <= 0 or recent <= 0 or abs(recent - older) > self.tolerance * max(recent, older):
            return None
        return (self.total - done) / recent


def format_eta(seconds: float | None) -> str:
    """``about 1:05 left``; ``rate settling`` before an estimate is honest."""
    if seconds is None:
        return "rate settling"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"about {hours}:{minutes:02d}:{secs:02d} left" if hours else f"about {minutes}:{secs:02d} left"


def counts_of(crawler: Crawler) -> Counts:
    """The `Counts` of a running crawl."""
    get = crawler.stats.get_value
    spider = crawler.spider
    fetched = {
        why: get(f"newsarchive/fetch/{why}", 0) for why in ("new", "title", "refresh", "retry", "gap")
    }
    answered = get("response_received_count", 0) + get("downloader/exception_count", 0)
    articles_done = get(ARTICLES_DONE, 0)
    return Counts(
        days_total=getattr(spider, "days_total", 0),
        days_done=get(DAYS_DONE, 0),
        articles_found=sum(fetched.values()),
        articles_done=articles_done,
        refreshes_found=fetched["refresh"] + fetched["retry"],
        pages_done=max(answered - articles_done, 0),
        requests=get("downloader/request_count", 0),
        new=get("newsarchive/new", 0),
        updated=get("newsarchive/updated", 0),
        skipped=get("newsarchive/skipped", 0),
    )


#: The display the crawlers of this process share, and how many of them have it open: several
#: sites crawled in one process show a line each (rich allows one live display at a time).
_shared: dict[str, Any] = {"progress": None, "users": 0}


def _open_display() -> Progress:
    if _shared["progress"] is None:
        _shared["progress"] = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[site]}[/] {task.description}"),
            BarColumn(),
            TextColumn("{task.fields[amount]}"),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[eta]}"),
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
    """The Scrapy extension: a rich bar redrawn twice a second from `ProgressModel`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.model = ProgressModel()
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
        site = getattr(spider, "site", None) or spider.name
        self.task_id = self.progress.add_task(
            LISTINGS, total=None, site=site, amount="", counts="", eta=""
        )
        self.loop.start(0.5, now=True)

    def update(self) -> None:
        if self.progress is None:
            return
        import time

        view = self.model.update(counts_of(self.crawler), time.monotonic())
        amount = f"{view.done:,}/{view.total:,} {view.unit}" if view.total else f"{view.done:,} {view.unit}"
        self.progress.update(
            self.task_id,
            description=view.phase,
            completed=view.done,
            total=view.total,
            amount=amount,
            counts=view.counts,
            eta=format_eta(view.eta) if view.total else "",
        )

    def closed(self, spider: Any, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.progress is not None:
            self.progress.remove_task(self.task_id)
            self.progress = None
            _close_display()
