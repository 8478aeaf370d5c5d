"""The typed records that pass between the spider, the pipelines and the archive.

`Article` is the one record of an extracted article (its fields are the archive's columns, by
the same names). `Skip` is what a page function raises for a page that is not a valid article.
`PageSkip` carries a skipped page through the pipelines to the archive's `skips` table.
`Page` is a fetched article page on its way to the crawl's worker process, which extracts it.
`ListingEntry` is one link found on a listing, an archive day or the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsarchive.dates import format_utc

#: The reasons a page function may give for a page that is not a valid article (``paywall``:
#: an article the site shows only to subscribers; the generic extractor tells it apart).
SKIP_REASONS = (
    "not_article", "no_title", "no_date", "bad_date", "no_body", "truncated", "too_deep",
    "paywall",
)  # fmt: skip
#: The reason a listing function gives for a page that is not a listing of its site at all (a
#: maintenance page, an empty answer, JSON): the run counts it against its evidence.
LISTING_SKIP_REASONS = ("not_listing", "too_deep")


class Skip(Exception):  # noqa: N818 - the contract names it Skip
    """A page that is not a valid article: raised by `parse_article`, never half an Article.

    `reason` is a short code (one of `SKIP_REASONS`), `detail` a human-readable sentence.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Article:
    """One article as extracted from its page; the archive's columns by the same names."""

    site: str
    """Site key (the spider's name); with `site_id` the article's identity."""
    site_id: str
    """The site's own article id (``229777``), the same for every URL form of the article."""
    url: str
    """Canonical URL of the article's latest form."""
    title: str
    """Headline, cleaned; never an image caption."""
    published: datetime
    """Publication instant, aware, UTC."""
    published_local: datetime
    """The same instant in the site's zone, as printed on the page (aware)."""
    body: str
    """Plain text: the article's paragraphs only, separated by one blank line."""
    section: str | None = None
    """Top section from the date line, e.g. ``World``."""
    subsection: str | None = None
    """Subsection from the date line (``Southeast Europe``), or None."""
    author: str | None = None
    """Author named in the date line, or None."""
    tags: list[str] = field(default_factory=list)
    """Tags in page order, editor's casing."""
    sources: list[str] = field(default_factory=list)
    """The article's ``Sources:`` list, in page order."""
    image_url: str | None = None
    """Absolute URL of the lead image, or None."""
    published_raw: str | None = field(default=None, compare=False)
    """The date as the page printed it, for messages."""
    # Provenance, filled by the spider (not by the pure page function): what was fetched, when.
    html: str | None = field(default=None, repr=False, compare=False)
    """The fetched HTML this article was extracted from (kept zlib-compressed in raw_pages)."""
    fetched_at: datetime | None = field(default=None, compare=False)
    """When the page was fetched (UTC)."""
    status: int | None = field(default=None, compare=False)
    """HTTP status of the fetched page."""

    def record(self) -> dict[str, object]:
        """The archive's fields as JSON-ready values (dates as ISO 8601, UTC with ``Z``)."""
        return {
            "site": self.site,
            "site_id": self.site_id,
            "url": self.url,
            "title": self.title,
            "section": self.section,
            "subsection": self.subsection,
            "published": format_utc(self.published),
            "published_local": self.published_local.isoformat(),
            "author": self.author,
            "body": self.body,
            "tags": list(self.tags),
            "sources": list(self.sources),
            "image_url": self.image_url,
        }


@dataclass
class PageSkip:
    """A page that was not stored, on its way to the archive's `skips` table."""

    url: str
    stage: str
    """``download``, ``extract``, ``validate`` or ``store``."""
    reason: str
    """Short code: ``http_404``, ``timeout``, ``no_date``, …"""
    detail: str = ""
    site: str | None = None
    site_id: str | None = None


@dataclass
class Page:
    """A fetched article page, not yet extracted: what the spider hands the crawl's worker
    process (`newsarchive.crawl.worker`), which extracts, checks and stores it."""

    site: str
    site_id: str | None
    """The id the request was made for (the page may name its own)."""
    url: str
    """The URL fetched (on this run's root)."""
    body: bytes = field(repr=False)
    encoding: str
    """The page's encoding as Scrapy read it (`TextResponse.encoding`)."""
    status: int
    fetched_at: datetime


@dataclass
class ListingEntry:
    """One article link on a section listing, an archive day or the feed."""

    site_id: str
    url: str
    """Absolute URL as linked."""
    title: str | None = None
    published: datetime | None = None
    """UTC instant from the item's date line, when it has one."""
    section: str | None = None
    subsection: str | None = None


@dataclass
class Listing:
    """What a listing-like page holds: its entries, newest first, and the next page if any."""

    kind: str
    """``section``, ``archive`` (a day) or ``feed``."""
    entries: list[ListingEntry] = field(default_factory=list)
    next_url: str | None = None

