"""One article link found by discovery, with the dates its source gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    """A link from a sitemap, a feed or a page: where it points and what the source says of it."""

    url: str
    """Absolute URL as listed (not yet folded: see `spiders.generic.urls.fold_url`)."""
    lastmod: datetime | None = None
    """When the source says the page last changed (sitemap ``lastmod``, feed ``updated``), UTC."""
    published: datetime | None = None
    """When the source says it was published (``news:publication_date``, feed date), UTC."""
    title: str | None = None

    @property
    def changed(self) -> datetime | None:
        """The latest instant the source gives for the page (a change or its publication)."""
        stamps = [s for s in (self.lastmod, self.published) if s is not None]
        return max(stamps) if stamps else None
