"""The replica's state (timeline, clock, edits, faults, counters) and its URL routes.

`Site.handle(method, target)` answers one request with a `Response`; the HTTP server only
transports it. Everything mutable is changed under one lock; readers take no lock (the arrays
only grow, and a request works on the article count it saw first).
"""

from __future__ import annotations

import json
import random
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone

from newsarchive.dates import format_utc

from . import article_page, feed, listing_pages, render
from .base import BaseSite, Response
from .base import int_param as _int
from .faults import CANDIDATES, Faults, assign, transient
from .generate import Head, Newsroom, Story
from .sections import BY_CAT, SECTIONS, Section
from .seed import PIN_BY_KEY
from .timeline import CLOCK_START, Timeline, sofia_day
from .truth import record

ROBOTS = "User-agent: *\nDisallow: /search_news.php\nDisallow: /__replica__/\n"
GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)
SEARCH_SCAN = 5000
"""Tag and word search look at this many newest articles."""
REFRESH_WINDOW = 48 * 3600
"""Edits touch articles published this long before the clock."""

_ARTICLE = re.compile(r"^/articles/(\d+)(?:/.*)?$")
_CATEGORY = re.compile(r"^/articles/category/(\d+)(?:/.*)?$")
_ARCHIVE_DAY = re.compile(r"^/archives/(\d{4})-(\d{2})-(\d{2})/?$")


class Site(BaseSite):
    """The replica site: state and routes."""

    def __init__(
        self,
        seed: int,
        articles: int,
        eras: bool | None = None,
        faults: Faults | None = None,
        base: str = "http://127.0.0.1:8000",
    ) -> None:
        self.seed = seed
        self.timeline = Timeline(seed, articles, eras)
        self.newsroom = Newsroom(self.timeline)
        super().__init__(faults)
        self.base = base
        self.now = CLOCK_START
        tl = self.timeline
        candidates = [
            i
            for i in range(max(tl.tail_start, len(tl) - CANDIDATES), len(tl))
            if tl.pin_key(i) is None
        ]
        self.page_faults: dict[int, str] = assign(self.faults.pages, seed, candidates)
        self.edits: dict[int, int] = {}
        """Article index → version, for edited articles."""
        self.generation = 0
        """Bumped at every publish or edit: keys the per-clock caches ("More from", sidebar)."""
        self._more_from: dict[tuple[int, int], list[tuple[int, str]]] = {}
        self._sidebar: tuple[int, str] = (-1, "")
        self._path_counts: Counter[str] = Counter()
        self._fault_counts: Counter[int] = Counter()
        self._listing_requests = 0
        self._advances = 0

    # -- articles ------------------------------------------------------------------------------
    def version(self, index: int) -> int:
        """Current version of the article at `index`."""
        return self.edits.get(index, 1)

    def head(self, index: int) -> Head:
        """Current head of the article at `index`."""
        return self.newsroom.head(index, self.edits.get(index, 1))

    def story(self, index: int) -> Story:
        """Current story of the article at `index`."""
        return self.newsroom.story(index, self.edits.get(index, 1))

    def truth(self, index: int, cached: bool = True) -> dict[str, object]:
        """The truth.jsonl record of the article at `index`."""
        version = self.edits.get(index, 1)
        story = (
            self.newsroom.story(index, version)
            if cached
            else self.newsroom.uncached(index, version)
        )
        return record(story, self.base, self.page_faults.get(index))

    def truth_lines(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """truth.jsonl, oldest first, in chunks of lines."""
        stop = len(self.timeline) if stop is None else stop
        for chunk in range(start, stop, 256):
            lines = [
                json.dumps(self.truth(i, cached=False), ensure_ascii=False)
                for i in range(chunk, min(chunk + 256, stop))
            ]
            yield ("\n".join(lines) + "\n").encode()

    # -- clock, publishing, edits ------------------------------------------------------------------
    def now_iso(self) -> str:
        """The clock, ``YYYY-MM-DDTHH:MM:SSZ``."""
        return format_utc(datetime.fromtimestamp(self.now, timezone.utc))

    def advance(self, hours: float, publish: int, edit: int) -> dict[str, object]:
        """Move the clock; publish inside the span; edit articles of the 48 h before the old clock."""
        if hours < 0 or publish < 0 or edit < 0:
            raise ValueError("hours, publish and edit cannot be negative")
        tl = self.timeline
        with self.lock:
            old = self.now
            new = old + round(hours * 3600)
            published = []
            for n in range(publish):
                instant = old + (new - old) * (n + 1) // (publish + 1)
                index = tl.publish(min(new, instant - instant % 60))
                published.append(tl.base_id + index)
            start, end = tl.since(old - REFRESH_WINDOW - 1), tl.since(old)
            candidates = [
                i
                for i in range(start, end)
                if i not in self.page_faults and tl.pin_key(i) != "seed"
            ]
            rng = random.Random(f"{self.seed}:advance:{self._advances}")
            chosen = sorted(rng.sample(candidates, min(edit, len(candidates))))
            for index in chosen:
                self.edits[index] = self.edits.get(index, 1) + 1
            self.now = new
            self._advances += 1
            self.generation += 1
        return {
            "now": self.now_iso(),
            "published": published,
            "edited": [tl.base_id + i for i in chosen],
        }

    def _drift(self, cat_id: int | None) -> None:
        """Count a listing request; every `drift`-th one publishes an article first."""
        with self.lock:
            self._listing_requests += 1
            drift = self.faults.drift
            if drift and self._listing_requests % drift == 0:
                self.timeline.publish(self.now - self.now % 60, cat_id)
                self.generation += 1

    # -- per-clock caches ------------------------------------------------------------------------
    def more_from(self, section: Section, index: int) -> str:
        """ "More from {Section}": the 6 newest of the section at the clock, not `index` itself."""
        key = (self.generation, section.cat_id)  # read before the arrays: never a stale entry
        items = self._more_from.get(key)
        if items is None:
            newest = self.timeline.section_list(section.cat_id)[-7:]
            items = [(i, render.item(self.head(i))) for i in reversed(newest)]
            if len(self._more_from) > 512:
                self._more_from.clear()
            self._more_from[key] = items
        return article_page.more_from(section.name, [html for i, html in items if i != index][:6])

    def sidebar(self) -> str:
        """The right column (most read: five of the 60 newest)."""
        generation = self.generation
        cached = self._sidebar
        if cached[0] != generation:
            n = len(self.timeline)
            picks = sorted({max(0, n - 1 - (k * 11) % 60) for k in range(5)}, reverse=True)
            cached = (generation, render.sidebar([self.head(i) for i in picks]))
            self._sidebar = cached
        return cached[1]

    def related(self, index: int, head: Head) -> list[Head]:
        """Related articles: the previous six of the section (pinned ones for the seed)."""
        tl = self.timeline
        pin = PIN_BY_KEY.get(head.key) if head.key else None
        if pin is not None and pin.related:
            picks = [tl.pinned(key) for key in pin.related]
            return [self.head(i) for i in picks if i is not None]
        same = tl.section_list(head.section.cat_id)
        position = bisect_left(same, index)
        return [self.head(i) for i in reversed(same[max(0, position - 6) : position])]

    # -- routing -------------------------------------------------------------------------------
    def index_of(self, article_id: int) -> int | None:
        """Timeline index of an article id (None when unknown)."""
        return self.timeline.index_of(article_id)

    def first_id(self) -> int:
        """The oldest article's id."""
        return self.timeline.base_id

    def article_count(self) -> int:
        """Articles published at the clock."""
        return len(self.timeline)

    def is_article_path(self, path: str) -> bool:
        """Whether `path` is an article URL (hostile article answers)."""
        return bool(_ARTICLE.match(path))

    def error_response(self) -> Response:
        """The site's bare 500 page."""
        return Response(500, render.error_page(500, "Internal Server Error").encode())

    def _route(self, path: str, query: dict[str, list[str]]) -> Response:
        match = _CATEGORY.match(path)
        if match:
            self._count("listing")
            return self._listing(int(match.group(1)), _int(query, "s"), "path")
        match = _ARTICLE.match(path)
        if match:
            self._count("article")
            return self._article(int(match.group(1)), path, "articles")
        if path == "/view_news.php":
            self._count("article")
            return self._article(
                _int(query, "id", -1), path + "?id=" + query.get("id", [""])[0], "view"
            )
        if path == "/category.php":
            self._count("listing")
            return self._listing(_int(query, "category_id", -1), _int(query, "s"), "php")
        if path == "/":
            self._count("listing")
            return self._front()
        match = _ARCHIVE_DAY.match(path)
        if match:
            self._count("archive")
            try:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return self._not_found()
            return self._archive_day(day)
        if path in ("/archives", "/archives/"):
            self._count("archive")
            return self._calendar(query.get("month", [""])[0])
        if path == "/services/news_rdf.php":
            self._count("feed")
            return self._feed(query)
        self._count("other")
        if path == "/robots.txt":
            return Response(200, ROBOTS.encode(), "text/plain; charset=utf-8")
        if path == "/search_news.php":
            return self._search(query)
        if path.startswith("/images/") and path.endswith(".jpg"):
            return Response(200, GIF, "image/gif")
        if path.startswith("/css/"):
            return Response(200, b"body{font-family:Arial}", "text/css")
        return self._not_found()

    def _html(self, text: str, status: int = 200) -> Response:
        return Response(status, text.encode())

    def _not_found(self) -> Response:
        return self._html(render.not_found_page(), 404)

    # -- articles ----------------------------------------------------------------------------------
    def _article(self, article_id: int, path: str, form: str) -> Response:
        index = self.timeline.index_of(article_id)
        if index is None:
            return self._not_found()
        fault = self.page_faults.get(index)
        if self.faults.rate500 > 0:
            with self.lock:
                self._path_counts[path] += 1
                count = self._path_counts[path]
            if transient(path, count, self.faults.rate500):
                return self._html(render.error_page(500, "Internal Server Error"), 500)
        if fault is not None:
            early = self._article_fault(fault, index, article_id, form)
            if early is not None:
                return early
        story = self.story(index)
        content = article_page.render(
            story,
            self.related(index, story.head),
            self.more_from(story.head.section, index),
            fault,
        )
        html = article_page.full_page(story, content, self.sidebar()).encode()
        if fault == "truncated":
            return Response(200, html[: _truncation_point(html)])
        if fault == "slow":
            return Response(200, html, delay=self.faults.slow_seconds)
        if fault == "dataloss":
            with self.lock:
                self._fault_counts[index] += 1
                first = self._fault_counts[index] == 1
            if first:
                return Response(200, html, declared_length=len(html) + 4096)
        return Response(200, html)

    def _article_fault(self, fault: str, index: int, article_id: int, form: str) -> Response | None:
        """The answer of a fault that replaces the page, or None to render it."""
        if fault == "404":
            return self._not_found()
        if fault == "500":
            return self._html(render.error_page(500, "Internal Server Error"), 500)
        if fault == "block":
            return self._html(render.captcha_page())
        if fault == "redirect" and form == "articles":
            location = f"{self.base}/view_news.php?id={article_id}"
            return Response(301, b"", headers=[("Location", location)])
        if fault == "retry_after":
            with self.lock:
                self._fault_counts[index] += 1
                count = self._fault_counts[index]
            if count <= 2:
                page = render.error_page(503, "Service Unavailable")
                return Response(503, page.encode(), headers=[("Retry-After", "1")])
        return None

    # -- listings ------------------------------------------------------------------------------
    def _listing(self, cat_id: int, offset: int, form: str) -> Response:
        section = BY_CAT.get(cat_id)
        if section is None:
            return self._not_found()
        self._drift(cat_id)
        offset = max(0, offset)
        items = self.timeline.section_list(cat_id)
        total = len(items)
        chosen = items[max(0, total - offset - listing_pages.PAGE_SIZE) : max(0, total - offset)]
        heads = [self.head(i) for i in reversed(chosen)]
        content = listing_pages.section_listing(section, heads, offset, total, form)
        title = (
            section.name
            if section.parent is None
            else f"{SECTIONS[section.parent].name} » {section.name}"
        )
        return self._html(render.page(title, content, self.sidebar()))

    def _front(self) -> Response:
        self._drift(None)
        n = len(self.timeline)
        heads = [self.head(i) for i in range(n - 1, max(-1, n - 1 - listing_pages.PAGE_SIZE), -1)]
        return self._html(
            render.page("Bulgaria News", listing_pages.front_page(heads), self.sidebar())
        )

    def _archive_day(self, day: date) -> Response:
        groups: dict[int, list[Head]] = {}
        for index in reversed(self.timeline.day_range(day)):
            head = self.head(index)
            groups.setdefault(head.section.cat_id, []).append(head)
        ordered = [(BY_CAT[cat], groups[cat]) for cat in sorted(groups)]
        content = listing_pages.archive_day(day, ordered)
        return self._html(render.page(listing_pages.archive_heading(day), content, self.sidebar()))

    def _calendar(self, month_text: str) -> Response:
        today = sofia_day(self.now)
        month = today.replace(day=1)
        if month_text:
            try:
                year, mon = (int(x) for x in month_text.split("-"))
                month = date(year, mon, 1)
            except ValueError:
                return self._not_found()
        content = listing_pages.calendar_page(month, today)
        return self._html(render.page("Archive", content, self.sidebar()))

    def _feed(self, query: dict[str, list[str]]) -> Response:
        n = len(self.timeline)
        cat_id = _int(query, "category_id", 0)
        if cat_id:
            if cat_id not in BY_CAT:
                return self._not_found()
            indexes = list(self.timeline.section_list(cat_id)[-feed.FEED_SIZE :])
        else:
            indexes = list(range(max(0, n - feed.FEED_SIZE), n))
        heads = [self.head(i) for i in reversed(indexes)]
        if query.get("format", [""])[0] == "rss2":
            return Response(
                200, feed.rss2(self.base, heads).encode(), "application/rss+xml; charset=utf-8"
            )
        self_url = f"{self.base}/services/news_rdf.php" + (
            f"?category_id={cat_id}" if cat_id else ""
        )
        return Response(
            200, feed.rdf(self.base, self_url, heads).encode(), "application/rdf+xml; charset=utf-8"
        )

    def _search(self, query: dict[str, list[str]]) -> Response:
        tag = query.get("tag", [""])[0].strip()
        word = query.get("thequery", [""])[0].strip()
        n = len(self.timeline)
        found: list[int] = []
        if tag or word:
            wanted = (tag or word).casefold()
            for i in range(n - 1, max(-1, n - 1 - SEARCH_SCAN), -1):
                head = self.head(i)
                if (
                    tag
                    and any(t.casefold() == wanted for t in head.tags)
                    or word
                    and wanted in head.title.casefold()
                ):
                    found.append(i)
        offset = max(0, _int(query, "s"))
        page = found[offset : offset + listing_pages.SEARCH_PAGE_SIZE]
        param = listing_pages.search_param("tag" if tag else "thequery", tag or word)
        content = listing_pages.tag_search(
            tag or word, param, [self.head(i) for i in page], offset, len(found)
        )
        return self._html(render.page(f"Search: {tag or word}", content, self.sidebar()))


def _truncation_point(html: bytes) -> int:
    """Where a truncated page stops: inside the article body, after its first words."""
    for marker in (b'<div id="textsize">', b'<div class="article__text'):
        start = html.find(marker)
        if start >= 0:
            paragraph = html.find(b"<p", start + len(marker))
            if marker == b'<div id="textsize">' and b"article_pic" in html[start : start + 400]:
                paragraph = html.find(b"<br />", start) + 6  # the 2011 layout has no <p>
            if paragraph > 0:
                return paragraph + 60
    return len(html) // 2
