"""The novinite Spider: where the site keeps its feed, section listings and archive days.

Discovery, pagination and the incremental stop live in `SiteSpider`; the page functions
(`parse_article`, `parse_listing`) are pure and are handed the responses.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

from newsarchive.crawl.spider import SiteSpider
from newsarchive.text import php_urlencode
from spiders.novinite.article import parse_article
from spiders.novinite.listing import parse_listing
from spiders.novinite.site import BASE_URL, SITE, TZ
from spiders.novinite.urls import site_id_from_url

#: The section listings whose fronts an hourly run walks after a gap (the real category ids).
SECTIONS: tuple[tuple[int, str], ...] = (
    (1, "Business"),
    (2, "Politics"),
    (3, "Society"),
    (4, "Sports"),
    (5, "Crime"),
    (6, "Lifestyle"),
    (10, "Views on BG"),
    (11, "Editorial"),
    (15, "Finance"),
    (16, "Energy"),
    (17, "Industry"),
    (18, "Properties"),
    (20, "Diplomacy"),
    (21, "Defense"),
    (22, "Bulgaria in EU"),
    (23, "Domestic"),
    (24, "Environment"),
    (25, "Education"),
    (26, "Culture"),
    (30, "World"),
    (34, "Archaeology"),
    (62, "Health"),
    (81, "Novinite Insider"),
)
#: The oldest day a `--full` backfill walks back to when no `--since` is given.
FIRST_DAY = date(2001, 1, 1)


class NoviniteSpider(SiteSpider):
    """novinite.com (Sofia News Agency): discovery, pagination and incremental stop live in
    `SiteSpider`; this class says where novinite keeps its feed, listings and archive days."""

    name = "novinite"
    site = SITE
    tz = TZ
    default_base_url = BASE_URL
    first_day = FIRST_DAY
    parse_article_html = staticmethod(parse_article)
    parse_listing_html = staticmethod(parse_listing)
    #: The article id in any of the site's URL forms (``view_news.php?id=N`` too): `history URL`.
    site_id_from_url = staticmethod(site_id_from_url)

    def feed_urls(self) -> list[str]:
        """The RSS 1.0 (RDF) feed."""
        return [urljoin(self.base_url, "services/news_rdf.php")]

    def section_urls(self) -> list[str]:
        """The front page of each section listing in `SECTIONS`."""
        return [
            urljoin(self.base_url, f"articles/category/{n}/{php_urlencode(name)}")
            for n, name in SECTIONS
        ]

    def archive_day_url(self, day: date) -> str:
        """The archive page of one day: every article published that day."""
        return urljoin(self.base_url, f"archives/{day.isoformat()}")

    def article_url(self, site_id: str) -> str:
        """An article's URL from its id alone (``/articles/{id}/``): retries and id gaps."""
        return urljoin(self.base_url, f"articles/{site_id}/")
