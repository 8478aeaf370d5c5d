"""The newsroom's pages and files that list articles: the home page, section fronts, tag pages,
RSS, Atom, the sitemap index, monthly sitemaps and the news sitemap (routes of `NewsroomSite`)."""

from __future__ import annotations

import re
from datetime import datetime

from ..base import Response
from . import feeds, listings
from .generate import Head, slugify
from .timeline import SECTION_BY_SLUG, SECTIONS, Timeline, local

XML = "application/xml; charset=utf-8"
TAG_SCAN = 2000
"""Tag pages look at this many newest articles."""
MONTH = re.compile(r"^/sitemaps/(\d{4}-\d{2})\.xml$")


class Indexes:
    """Routes of the pages of links and the feeds; the site gives the articles and the clock."""

    timeline: Timeline
    base: str
    now: int

    def head(self, index: int) -> Head:  # pragma: no cover - the site's
        raise NotImplementedError

    def canonical(self, index: int) -> str:  # pragma: no cover - the site's
        raise NotImplementedError

    def modified(self, index: int) -> datetime:  # pragma: no cover - the site's
        raise NotImplementedError

    def _not_found(self) -> Response:  # pragma: no cover - the site's
        raise NotImplementedError

    def _cards(self, indexes: list[int], source: str) -> list[str]:
        return [
            listings.card(
                self.head(i), f"{self.canonical(i)}?utm_source={source}&amp;utm_medium=web"
            )
            for i in indexes
        ]

    def _home(self) -> Response:
        n = len(self.timeline)
        newest = list(range(n - 1, max(-1, n - 1 - listings.HOME_SIZE), -1))
        return Response(
            200,
            listings.front("Latest News", self._cards(newest, "homepage"), None, "home").encode(),
        )

    def _front(self, kind: str, slug: str, number: int) -> Response:
        if kind == "section":
            if slug not in SECTION_BY_SLUG:
                return self._not_found()
            found = self.timeline.by_section[SECTION_BY_SLUG[slug]][::-1]
            title = SECTIONS[SECTION_BY_SLUG[slug]][1]
        else:
            n = len(self.timeline)
            found = [
                i
                for i in range(n - 1, max(-1, n - 1 - TAG_SCAN), -1)
                if any(slugify(t) == slug for t in self.head(i).tags)
            ]
            title = f"Tag: {slug}"
        start = (max(1, number) - 1) * listings.PAGE_SIZE
        chosen = found[start : start + listings.PAGE_SIZE]
        if not chosen and number > 1 or not found:
            return self._not_found()
        more = start + listings.PAGE_SIZE < len(found)
        next_url = f"/{kind}/{slug}/page/{number + 1}/" if more else None
        return Response(
            200,
            listings.front(title, self._cards(chosen, kind), next_url, f"archive {kind}").encode(),
        )

    def _feed(self, atom: bool) -> Response:
        n = len(self.timeline)
        entries = [
            (self.head(i), self.canonical(i), self.modified(i))
            for i in range(n - 1, max(-1, n - 1 - feeds.FEED_SIZE), -1)
        ]
        now = local(self.now)
        if atom:
            return Response(
                200,
                feeds.atom(self.base, entries, now).encode(),
                "application/atom+xml; charset=utf-8",
            )
        return Response(
            200, feeds.rss(self.base, entries, now).encode(), "application/rss+xml; charset=utf-8"
        )

    def _sitemap(self, path: str) -> Response:
        if path == "/news-sitemap.xml":
            tl = self.timeline
            fresh = range(tl.since(self.now - feeds.NEWS_WINDOW), len(tl))
            text = feeds.news_sitemap([(self.head(i), self.canonical(i)) for i in reversed(fresh)])
            return Response(200, text.encode(), XML)
        months = self.timeline.months()
        if path == "/sitemap_index.xml":
            index = [(m, max(self.modified(i) for i in found)) for m, found in months.items()]
            return Response(200, feeds.sitemap_index(self.base, index).encode(), XML)
        month = MONTH.match(path).group(1)  # type: ignore[union-attr]
        if month not in months:
            return self._not_found()
        entries = [(self.canonical(i), self.modified(i)) for i in months[month]]
        return Response(200, feeds.urlset(entries).encode(), XML)
