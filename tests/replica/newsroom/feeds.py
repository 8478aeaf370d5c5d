"""The newsroom's machine-readable lists: robots.txt, the sitemap index, monthly sitemaps,
the Google News sitemap, RSS 2.0 and Atom."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from . import dates
from .generate import Head
from .page import SITE_NAME
from .timeline import SECTIONS

FEED_SIZE = 30
NEWS_WINDOW = 48 * 3600
"""The news sitemap lists what was published this long before the clock."""
_SM = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def robots(base: str) -> str:
    """robots.txt with its Sitemap: lines."""
    return (
        "User-agent: *\nDisallow: /__replica__/\nDisallow: /wp-admin/\nDisallow: /search/\n\n"
        f"Sitemap: {base}/sitemap_index.xml\nSitemap: {base}/news-sitemap.xml\n"
    )


def sitemap_index(base: str, months: list[tuple[str, datetime]]) -> str:
    """One ``<sitemap>`` per month with articles, ``lastmod`` its newest modification."""
    items = "".join(
        f"<sitemap><loc>{base}/sitemaps/{month}.xml</loc><lastmod>{dates.iso(lastmod)}</lastmod></sitemap>\n"
        for month, lastmod in months
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_SM}>\n{items}</sitemapindex>\n'


def urlset(entries: list[tuple[str, datetime]]) -> str:
    """A month's sitemap: every article's canonical URL and ``lastmod``."""
    items = "".join(
        f"<url><loc>{escape(url)}</loc><lastmod>{dates.iso(lastmod)}</lastmod></url>\n"
        for url, lastmod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SM}>\n{items}</urlset>\n'


def news_sitemap(entries: list[tuple[Head, str]]) -> str:
    """Google News sitemap: articles of the last 48 hours."""
    items = "".join(
        f"<url><loc>{escape(url)}</loc><news:news><news:publication><news:name>{SITE_NAME}</news:name>"
        "<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{dates.iso(head.published)}</news:publication_date>"
        f"<news:title>{escape(head.title)}</news:title></news:news></url>\n"
        for head, url in entries
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SM} '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{items}</urlset>\n"
    )


def rss(base: str, entries: list[tuple[Head, str, datetime]], now: datetime) -> str:
    """RSS 2.0 of the newest articles; links carry tracking parameters, guids are shortlinks."""
    items = []
    for head, url, _modified in entries:
        creators = "".join(f"<dc:creator>{escape(a)}</dc:creator>" for a in head.authors)
        cats = "".join(
            f"<category>{escape(c)}</category>" for c in (SECTIONS[head.section][1], *head.tags)
        )
        link = f"{url}?utm_source=rss&amp;utm_medium=rss&amp;utm_campaign=feed"
        items.append(
            f"<item><title>{escape(head.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{base}/?p={head.article_id}</guid>'
            f"<pubDate>{dates.rfc822(head.published)}</pubDate>{creators}{cats}"
            f"<description>{escape(head.teaser)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{SITE_NAME}</title><link>{base}/</link>"
        f'<atom:link href="{base}/feed/" rel="self" type="application/rss+xml"/>'
        f"<description>News from {SITE_NAME}</description><language>en-US</language>"
        f"<lastBuildDate>{dates.rfc822(now)}</lastBuildDate>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )


def atom(base: str, entries: list[tuple[Head, str, datetime]], now: datetime) -> str:
    """Atom of the newest articles: ``published`` and ``updated`` (the modification) per entry."""
    items = []
    for head, url, modified in entries:
        authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in head.authors)
        link = f"{url}?utm_source=atom&amp;utm_medium=feed"
        items.append(
            f"<entry><title>{escape(head.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{link}"/>'
            f"<id>{base}/?p={head.article_id}</id>{authors}"
            f"<published>{dates.iso(head.published)}</published><updated>{dates.iso(modified)}</updated>"
            f'<category term="{escape(SECTIONS[head.section][1])}"/>'
            f"<summary>{escape(head.teaser)}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US">\n'
        f"<title>{SITE_NAME}</title><id>{base}/</id>"
        f'<link rel="self" href="{base}/feed/atom/"/><link rel="alternate" href="{base}/"/>'
        f"<updated>{dates.iso(now)}</updated>\n" + "\n".join(items) + "\n</feed>\n"
    )
