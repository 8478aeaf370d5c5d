"""The newsroom replica: state (timeline, clock, edits, faults) and its URL routes.

Request handling and the control URLs are the novinite replica's (`tests/replica/base.py`).
"""

from __future__ import annotations

import json
import random
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone

from ..base import BaseSite, Response, int_param
from ..faults import CANDIDATES, Faults, assign, transient
from ..site import GIF
from ..timeline import CLOCK_START
from . import dates, feeds, page
from .articles import Articles
from .generate import Head, Story
from .indexes import MONTH, Indexes
from .timeline import (
    LANDMARK_TIMES,
    Timeline,
)

REFRESH_WINDOW = 48 * 3600
"""Edits touch articles published this long before the clock."""
_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)/?(amp/?)?$")
_SECTION = re.compile(r"^/section/([a-z]+)/(?:page/(\d+)/?)?$")
_TAG = re.compile(r"^/tag/([a-z0-9-]+)/(?:page/(\d+)/?)?$")
_SHORT = re.compile(r"^/p/(\d+)/?$")


class NewsroomSite(Indexes, BaseSite):
    """The newsroom site: state and routes."""

    STAT_KINDS = ("article", "listing", "sitemap", "feed", "other")
    #: robots.txt requests (counted in ``other`` too): a run should ask for it once.
    EXTRA_STATS = ("robots",)

    def __init__(
        self,
        seed: int,
        articles: int,
        faults: Faults | None = None,
        base: str = "http://127.0.0.1:8000",
    ) -> None:
        super().__init__(faults)
        self.seed = seed
        self.timeline = Timeline(seed, articles)
        self.base = base
        self.now = CLOCK_START
        tl = self.timeline
        candidates = [
            i
            for i in range(max(0, len(tl) - CANDIDATES), len(tl))
            if tl.times[i] not in LANDMARK_TIMES
        ]
        self.page_faults = assign(self.faults.pages, seed, candidates)
        self.articles = Articles(seed, self.timeline)
        self.edits = self.articles.edits
        self._path_counts: Counter[str] = Counter()
        self._fault_counts: Counter[int] = Counter()
        self._advances = 0

    # -- articles ------------------------------------------------------------------------------
    def head(self, index: int) -> Head:
        return self.articles.head(index)

    def story(self, index: int) -> Story:
        return self.articles.story(index)

    def modified(self, index: int) -> datetime:
        return self.articles.modified(index)

    def canonical(self, index: int) -> str:
        return self.base + self.articles.path(index)

    def truth(self, index: int) -> dict[str, object]:
        """The truth.jsonl record of the article at `index`."""
        return self.articles.truth(index, self.base, self.page_faults.get(index))

    def truth_lines(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        stop = len(self.timeline) if stop is None else stop
        for chunk in range(start, stop, 256):
            lines = [
                json.dumps(self.truth(i), ensure_ascii=False)
                for i in range(chunk, min(chunk + 256, stop))
            ]
            yield ("\n".join(lines) + "\n").encode()

    # -- clock ---------------------------------------------------------------------------------
    def now_iso(self) -> str:
        return dates.utc(datetime.fromtimestamp(self.now, timezone.utc))

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
                published.append(tl.base_id + tl.publish(min(new, instant - instant % 60)))
            candidates = [
                i
                for i in range(tl.since(old - REFRESH_WINDOW - 1), tl.since(old))
                if i not in self.page_faults
            ]
            rng = random.Random(f"{self.seed}:newsroom:advance:{self._advances}")
            chosen = sorted(rng.sample(candidates, min(edit, len(candidates))))
            for index in chosen:
                self.edits.setdefault(index, []).append(new)
            self.now = new
            self._advances += 1
        return {
            "now": self.now_iso(),
            "published": published,
            "edited": [tl.base_id + i for i in chosen],
        }

    # -- what the base needs -------------------------------------------------------------------
    def index_of(self, article_id: int) -> int | None:
        return self.timeline.index_of(article_id)

    def first_id(self) -> int:
        return self.timeline.base_id

    def article_count(self) -> int:
        return len(self.timeline)

    def is_article_path(self, path: str) -> bool:
        return bool(_ARTICLE.match(path))

    def error_response(self) -> Response:
        return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")

    # -- routes --------------------------------------------------------------------------------
    def _route(self, path: str, query: dict[str, list[str]]) -> Response:
        match = _ARTICLE.match(path)
        if match:
            self._count("article")
            return self._article(match, path)
        if path == "/" and "p" in query or _SHORT.match(path):
            self._count("article")
            short = _SHORT.match(path)
            return self._shortlink(
                int(short.group(1)) if short else int_param(query, "p", -1), path
            )
        for pattern, kind in ((_SECTION, "section"), (_TAG, "tag")):
            match = pattern.match(path)
            if match:
                self._count("listing")
                return self._front(kind, match.group(1), int(match.group(2) or 1))
        if path == "/":
            self._count("listing")
            return self._home()
        if path in ("/feed/", "/feed", "/feed/atom/", "/feed/atom"):
            self._count("feed")
            return self._feed(path.startswith("/feed/atom"))
        if path in ("/sitemap_index.xml", "/news-sitemap.xml") or MONTH.match(path):
            self._count("sitemap")
            return self._sitemap(path)
        self._count("other")
        if path == "/robots.txt":
            self._count("robots")
            return Response(200, feeds.robots(self.base).encode(), "text/plain; charset=utf-8")
        if path.startswith("/images/") and path.endswith(".jpg"):
            return Response(200, GIF, "image/gif")
        return self._not_found()

    def _not_found(self) -> Response:
        body = '<main id="main"><h1 class="page-title">Page not found</h1><p>Nothing was found at this location.</p></main>'
        return Response(
            404, page.document("Page not found | The Newsroom", "", body, "error404").encode()
        )

    def _lookup(self, match: re.Match[str]) -> int | None:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
        return self.articles.slug_map(day).get(match.group(4))

    def _article(self, match: re.Match[str], path: str) -> Response:
        index = self._lookup(match)
        if index is None:
            return self._not_found()
        amp = bool(match.group(5))
        fault = self.page_faults.get(index)
        if fault == "redirect" and not amp:
            location = f"{self.base}/?p={self.timeline.base_id + index}"
            return Response(301, b"", headers=[("Location", location)])
        return self._serve(index, path, amp)

    def _shortlink(self, article_id: int, path: str) -> Response:
        index = self.timeline.index_of(article_id)
        if index is None:
            return self._not_found()
        if self.page_faults.get(index) == "redirect":
            return self._serve(index, f"{path}?p={article_id}", False)
        return Response(301, b"", headers=[("Location", self.canonical(index))])

    def _serve(self, index: int, path: str, amp: bool) -> Response:
        fault = self.page_faults.get(index)
        if self.faults.rate500 > 0:
            with self.lock:
                self._path_counts[path] += 1
                count = self._path_counts[path]
            if transient(path, count, self.faults.rate500):
                return self.error_response()
        if fault == "404":
            return self._not_found()
        if fault == "500":
            return self.error_response()
        if fault == "block":
            return Response(200, page.block_page().encode())
        if fault == "retry_after":
            with self.lock:
                self._fault_counts[index] += 1
                count = self._fault_counts[index]
            if count <= 2:
                return Response(
                    503,
                    b"<html><body>Service Unavailable</body></html>",
                    headers=[("Retry-After", "1")],
                )
        story = self.story(index)
        links = self._links(index, story.head)
        render = page.render_amp if amp else page.render
        html = render(story, links, self.modified(index), fault).encode()
        if fault == "truncated":
            start = html.find(b"<p", html.find(b'<div class="entry-content">'))
            return Response(200, html[: start + 60])
        if fault == "slow":
            return Response(200, html, delay=self.faults.slow_seconds)
        if fault == "dataloss":
            with self.lock:
                self._fault_counts[index] += 1
                first = self._fault_counts[index] == 1
            if first:
                return Response(200, html, declared_length=len(html) + 4096)
        return Response(200, html)

    def _links(self, index: int, head: Head) -> page.Links:
        canonical = self.canonical(index)
        same = self.timeline.by_section[head.section]
        at = bisect_left(same, index)
        related = [
            (self.head(i).title, self.canonical(i) + "?utm_source=related&utm_medium=article")
            for i in reversed(same[max(0, at - 4) : at])
        ]
        n = len(self.timeline)
        popular = [
            (self.head(i).title, self.canonical(i) + "?utm_source=popular&utm_medium=sidebar")
            for i in range(n - 1, max(-1, n - 6), -1)
        ]
        return page.Links(self.base, canonical, canonical + "amp/", related, popular)
