"""robots.txt: the sitemaps a site announces in its ``Sitemap:`` lines.

The spider's request for robots.txt costs no second fetch: it is answered with what Scrapy's
robots check already fetched (`newsarchive.crawl.robots`)."""

from __future__ import annotations

from scrapy.utils.sitemap import sitemap_urls_from_robots


def robots_sitemaps(body: bytes, url: str) -> list[str]:
    """The absolute URLs of robots.txt's ``Sitemap:`` lines (relative ones resolved against
    `url`), in order, each once; a body that is not text gives none."""
    found = sitemap_urls_from_robots(body, base_url=url)
    return list(dict.fromkeys(u for u in found if u.startswith(("http://", "https://"))))
