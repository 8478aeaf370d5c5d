"""The newsroom's articles: heads and stories from (seed, id) and edits, modification times,
URL slugs, truth records. LRU caches make repeated use cheap."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from ..faults import PAGE_FAULTS
from ..timeline import CLOCK_START
from . import dates
from .generate import Head, Story, body_text, edit_head, edit_story, make_head, make_story, slugify
from .timeline import SECTIONS, Timeline, local, modified_offset, ny_day

SITE = "newsroom"


class Articles:
    """Every article of the timeline at its current version."""

    def __init__(self, seed: int, timeline: Timeline) -> None:
        self.seed = seed
        self.timeline = timeline
        self.edits: dict[int, list[int]] = {}
        """Article index → the instants of its edits."""
        self._head = lru_cache(maxsize=16384)(self._make_head)
        self._story = lru_cache(maxsize=1024)(self._make_story)
        self._slugs = lru_cache(maxsize=4096)(self._day_slugs)

    def version(self, index: int) -> int:
        return len(self.edits.get(index, ())) + 1

    def _make_head(self, index: int, version: int) -> Head:
        if version > 1:
            return edit_head(self.seed, self._head(index, version - 1), version)
        tl = self.timeline
        return make_head(self.seed, tl.base_id + index, tl.times[index], tl.sections[index])

    def _make_story(self, index: int, version: int) -> Story:
        if version > 1:
            return edit_story(
                self.seed, self._story(index, version - 1), self._head(index, version)
            )
        return make_story(self.seed, self._head(index, 1))

    def head(self, index: int) -> Head:
        return self._head(index, self.version(index))

    def story(self, index: int) -> Story:
        return self._story(index, self.version(index))

    def modified(self, index: int) -> datetime:
        """`dateModified`: the last edit, else publication plus a per-article offset."""
        edits = self.edits.get(index)
        if edits:
            return local(edits[-1])
        published = self.timeline.times[index]
        later = published + modified_offset(self.seed, self.timeline.base_id + index)
        return local(later if later <= CLOCK_START else published)

    def _day_slugs(self, day: date, count: int) -> dict[str, int]:
        """Slug → index of a New York day's first `count` articles (a repeated slug gets -2, -3…)."""
        out: dict[str, int] = {}
        for index in self.timeline.by_day.get(day, [])[:count]:
            slug = base_slug = slugify(self._head(index, 1).title)
            n = 1
            while slug in out:
                n += 1
                slug = f"{base_slug}-{n}"
            out[slug] = index
        return out

    def slug_map(self, day: date) -> dict[str, int]:
        return self._slugs(day, len(self.timeline.by_day.get(day, [])))

    def path(self, index: int) -> str:
        """``/YYYY/MM/DD/slug/``: the slug comes from the first title and never changes."""
        day = ny_day(self.timeline.times[index])
        slug = next(s for s, i in self.slug_map(day).items() if i == index)
        return f"/{day:%Y/%m/%d}/{slug}/"

    def truth(self, index: int, base: str, fault: str | None) -> dict[str, object]:
        """The truth.jsonl record of the article at `index` served at `base`."""
        story = self.story(index)
        head = story.head
        url = base + self.path(index)
        out: dict[str, object] = {
            "site": SITE,
            "site_id": str(head.article_id),
            "url": url,
            "canonical_url": url,
            "title": head.title,
            "section": SECTIONS[head.section][1],
            "subsection": None,
            "published": dates.utc(head.published),
            "published_local": dates.iso(head.published),
            "modified": dates.utc(self.modified(index)),
            "modified_local": dates.iso(self.modified(index)),
            "authors": list(head.authors),
            "author": ", ".join(head.authors),
            "body": "" if fault == "empty_body" else body_text(story),
            "tags": list(head.tags),
            "sources": [],
            "image_url": f"{base}/images/{head.article_id}.jpg",
            "version": head.version,
        }
        reason = PAGE_FAULTS.get(fault) if fault else None
        if reason:
            out["skip"] = reason
        return out
