"""A home or section page read for discovery: the feeds it announces and the article links it
holds (for a site without sitemaps)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newsarchive.extract import parse_html
from newsarchive.items import Skip
from spiders.generic.entries import Entry
from spiders.generic.urls import fold_url, same_site

#: The feed types a ``<link rel="alternate">`` may announce.
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml"}
)
#: Without a profile's `article_url`: a path that looks like an article's — a date in it
#: (``/2026/03/14/``, ``/2026-03-14/``) or a slug of four words or more, or a numeric id.
ARTICLE_PATH = re.compile(
    r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])[/-]"
    r"|/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?)?/?$"
    r"|/\d{4,}(?:[/-]|\.html?|$)",
    re.IGNORECASE,
)
#: Paths that are never articles even when they look like one.
NOT_ARTICLE = re.compile(r"/(?:tag|tags|category|categories|author|page|feed|search)/", re.IGNORECASE)


def feed_links(html: str | bytes, url: str) -> list[str]:
    """The absolute URLs of the page's ``<link rel="alternate">`` RSS and Atom feeds, in order."""
    root = _root(html)
    found = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            found.append(urljoin(url, href))
    return list(dict.fromkeys(found))


def article_links(html: str | bytes, url: str, article_url: re.Pattern[str] | None = None) -> list[Entry]:
    """The page's links to articles of the same site, folded (no tracking or AMP forms), each
    once in page order: those matching `article_url`, or that look like articles without one."""
    root = _root(html)
    found: dict[str, Entry] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        link = fold_url(href, url)
        if not link.startswith(("http://", "https://")) or not same_site(link, url):
            continue
        if not looks_like_article(link, article_url) or link in found:
            continue
        title = " ".join("".join(a.itertext()).split()) or None
        found[link] = Entry(url=link, title=title)
    return list(found.values())


def looks_like_article(url: str, article_url: re.Pattern[str] | None = None) -> bool:
    """Whether `url` is an article's: `article_url` matches it, or (with none) its path looks so."""
    if article_url is not None:
        return article_url.search(url) is not None
    path = urlsplit(url).path
    return bool(ARTICLE_PATH.search(path)) and not NOT_ARTICLE.search(path)


def _root(html: str | bytes):  # noqa: ANN202 - lxml's element type
    root = parse_html(html)
    if root is None:
        raise Skip("not_listing", "an empty page")
    return root
