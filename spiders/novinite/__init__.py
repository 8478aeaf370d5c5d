"""novinite.com (Sofia News Agency, English): pure page functions, then the Spider.

The page functions take the HTML and the URL it came from and do no I/O:

- `parse_article(html, url) -> Article`, or `Skip(reason, detail)` for a page that is not a
  valid article (and nothing else: any other exception is a bug);
- `parse_listing(html, url) -> Listing` for section listings, archive days and the RSS feed;
- `site_id_from_url(url)` and `canonical_url(site_id, title, base)`.

Twenty years of the site span three article layouts, one small class each (`V2011`, `V2019`,
`V2025`), each overriding only what changed; the page itself says which one it is
(`layout_for`). What is known of the real site is in docs/novinite-structure.md: selection
follows that structure (ids, classes, order), not the exact markup of one generator, and the
text rules (what is a paragraph, what is boilerplate) hold in every layout.

Speed: a page is parsed once (libxml2); ids are looked up in the parser's id table, not by a
scan; what is wanted first in document order (title, date line, lead image) is found by a lazy
walk that stops at it; only the article's body container is walked for text; and text is
cleaned with ``str`` methods, not a regex pass over every character. The generic part of that
toolkit is `newsarchive.extract`; what is novinite's lives here:

- `site`: the site's key, zone and root URL;
- `urls`: URL forms, article ids, canonical and absolute URLs;
- `dateline`: the date line (section, author, local time);
- `elements`: where things are on a page (ids, classes, page-level lookups);
- `layouts`: `V2011`, `V2019`, `V2025`, `LAYOUTS`, `layout_for`, the boilerplate lines;
- `article`: `parse_article`; `listing` and `feed`: `parse_listing`;
- `spider`: `NoviniteSpider` (Scrapy's spider loader finds it in this package; imported on
  first use of `spiders.novinite.NoviniteSpider`, so the page functions load without Scrapy).
"""

from __future__ import annotations

from typing import Any

from newsarchive.extract import parse_html
from spiders.novinite.article import article_page, page_layout, parse_article
from spiders.novinite.dateline import DateLine, parse_site_date, split_section
from spiders.novinite.elements import CONTENT, TAGS_BLOCK, TEXTSIZE
from spiders.novinite.layouts import LAYOUTS, V2011, V2019, V2025, layout_for
from spiders.novinite.listing import listing_kind, parse_listing
from spiders.novinite.site import BASE_URL, SITE, TZ
from spiders.novinite.urls import absolute_url, canonical_url, site_id_from_url, site_root

__all__ = [
    "BASE_URL",
    "CONTENT",
    "FIRST_DAY",
    "LAYOUTS",
    "SECTIONS",
    "SITE",
    "TAGS_BLOCK",
    "TEXTSIZE",
    "TZ",
    "V2011",
    "V2019",
    "V2025",
    "DateLine",
    "NoviniteSpider",
    "absolute_url",
    "article_page",
    "canonical_url",
    "layout_for",
    "listing_kind",
    "page_layout",
    "parse_article",
    "parse_html",
    "parse_listing",
    "parse_site_date",
    "site_id_from_url",
    "site_root",
    "split_section",
]

#: Names of the `spider` module, imported when first asked for (PEP 562): it is the part that
#: needs Scrapy, and the crawl's worker process imports the page functions without it.
_SPIDER_NAMES = ("FIRST_DAY", "SECTIONS", "NoviniteSpider")


def __getattr__(name: str) -> Any:
    if name in _SPIDER_NAMES:
        from spiders.novinite import spider

        return getattr(spider, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
