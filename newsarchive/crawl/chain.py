"""What the crawl's worker process does with each fetched article page before storing it, in
the pipelines' order: extract (the spider's pure page function) → validate → normalise →
deduplicate. The stages are the pipelines' own functions (`pipelines.validate.problems`,
`pipelines.normalise.normalise`, `pipelines.deduplicate.Seen`), so an article takes the same
road whether Scrapy's pipelines or the worker carry it; the store follows in the worker's group
(`newsarchive.crawl.worker`).

No I/O here: a page in, an `Article`, a `PageSkip` or `DUPLICATE` out. A page function or a
stage that raises anything but `Skip` (a bug) raises `Bug`, naming the stage as Scrapy's
signals would (``extract`` for the page function, ``store`` for a pipeline stage).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from w3lib.encoding import html_to_unicode

from newsarchive import dates
from newsarchive.crawl import roots
from newsarchive.items import Article, Page, PageSkip, Skip
from pipelines.deduplicate import Seen
from pipelines.normalise import normalise
from pipelines.validate import problems

#: What `Chain` says of an article this run already carried (another URL form of it).
DUPLICATE = "duplicate"


class Bug(Exception):  # noqa: N818 - a wrapper, named for what it means
    """Our code raised on a page: `stage` (``extract`` or ``store``) and the exception."""

    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.stage, self.error = stage, error


@dataclass(frozen=True)
class Extraction:
    """What the worker needs of the spider to extract its pages (sent to it pickled): the
    spider's `page_function` (pickled by name: a module-level function, whose module the worker
    imports without Scrapy), what it needs besides the page, and the run's root and the site's
    own (the archive keeps the site's URLs)."""

    page: Callable[[str, str, Any], Article]
    context: Any
    root: str
    site_root: str


def page_only(parse: Callable[[str, str], Article], html: str, url: str, context: Any) -> Article:
    """`parse(html, url)` called as the worker calls a page function (for a site whose page
    function needs nothing besides the page; bound with `functools.partial`, which pickles
    both functions by name)."""
    return parse(html, url)


def page_text(page: Page) -> str:
    """The page's text as Scrapy's ``TextResponse.text`` reads it."""
    return html_to_unicode(f"charset={page.encoding}", page.body)[1]


class Chain:
    """The stages before the store, for one run's pages (it remembers what it carried)."""

    def __init__(self, extraction: Extraction) -> None:
        self.extraction = extraction
        self.seen = Seen()

    def site_url(self, url: str) -> str:
        return roots.site_url(url, self.extraction.root, self.extraction.site_root)

    def __call__(self, page: Page) -> Article | PageSkip | str:
        html = page_text(page)
        try:
            article = self.extraction.page(html, page.url, self.extraction.context)
        except Skip as skip:
            return self._skip(page, "extract", skip.reason, skip.detail, page.site_id)
        except Exception as exc:
            raise Bug("extract", exc) from exc
        try:
            return self._checked(page, article, html)
        except Exception as exc:
            raise Bug("store", exc) from exc

    def _checked(self, page: Page, article: Article, html: str) -> Article | PageSkip | str:
        article.site = page.site  # the spider's site, whatever the page function says
        article.url = self.site_url(article.url)
        if article.image_url:
            article.image_url = self.site_url(article.image_url)
        article.html, article.fetched_at, article.status = html, page.fetched_at, page.status
        found = problems(article, dates.now())
        if found:
            return PageSkip(
                url=article.url or "", stage="validate", reason=found[0], detail=", ".join(found),
                site=article.site, site_id=article.site_id,
            )  # fmt: skip
        article = normalise(article)
        if not self.seen.first(article):
            return DUPLICATE
        return article

    def _skip(self, page: Page, stage: str, reason: str, detail: str, site_id: str | None) -> PageSkip:
        return PageSkip(
            url=self.site_url(page.url), stage=stage, reason=reason, detail=detail,
            site=page.site, site_id=site_id,
        )  # fmt: skip
