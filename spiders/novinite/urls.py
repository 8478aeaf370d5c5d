"""novinite's URL forms: an article's id in any of them, its canonical URL, links made absolute."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit

from newsarchive.crawl.roots import site_url
from newsarchive.extract import words
from newsarchive.text import php_urlencode
from spiders.novinite.site import BASE_URL

#: `/articles/{id}/{slug}`, `/articles/{id}/`, `/articles/{id}`: a path segment of digits.
ARTICLE_PATH = re.compile(r"(?:^|/)articles/0*([1-9]\d{0,11})(?:/|$)")
#: Scripts that take the article id as ``?id=N``: `view_news.php` (seen), `news.php`.
ID_QUERY_SCRIPTS = words("view_news.php news.php")
ID_VALUE = re.compile(r"^\s*0*([1-9]\d{0,11})\s*$")
#: An article link written without its leading slash (``articles/1/x``, ``view_news.php?id=1``)
#: means the site's root wherever it stands (resolved against the page's folder, as a browser
#: would, it names a page that does not exist).
ROOTLESS_ARTICLE_HREF = re.compile(r"^(?:articles/\d|(?:view_)?news\.php\?)", re.IGNORECASE)


def site_id_from_url(url: str | None) -> str | None:
    """The article id in any URL form of an article, absolute or relative, any host; else None.

    ``/articles/229777/Some+Title``, ``/articles/229777/``, ``/articles/229777``,
    ``/view_news.php?id=229777`` (also with ``&disable_mobile=true``), ``/news.php?id=229777``.
    """
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a broken IPv6 host
        return None
    match = ARTICLE_PATH.search(parts.path)
    if match:
        return match.group(1)
    if parts.path.rsplit("/", 1)[-1].lower() in ID_QUERY_SCRIPTS:
        for value in parse_qs(parts.query).get("id", []):
            match = ID_VALUE.match(value)
            if match:
                return match.group(1)
    return None


def canonical_url(site_id: str, title: str, base: str = BASE_URL) -> str:
    """The article's canonical URL: ``{base}/articles/{id}/{urlencode(title)}`` (PHP's slug)."""
    return urljoin(base, f"/articles/{site_id}/{php_urlencode(title)}")


def on_site(url: str | None, page_url: str) -> str | None:
    """`url`, found on the page `page_url`, as the site's own URL: a link to the host the page
    came from (a mirror, the replica) moved to `BASE_URL`; any other host's link unchanged."""
    return site_url(url, site_root(page_url), BASE_URL) if url else url


def site_root(url: str | None) -> str:
    """``scheme://host/`` of `url`, or `BASE_URL` when `url` has no host."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return BASE_URL
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/"
    return BASE_URL


@lru_cache(maxsize=64)
def _page_url(url: str) -> str:
    """The page's own URL taken against BASE_URL (a listing resolves all its links against it)."""
    return urljoin(BASE_URL, url)


def absolute_url(href: str | None, url: str | None) -> str | None:
    """`href` made absolute against the page `url` (itself taken against BASE_URL); None for
    an empty, ``javascript:``, ``mailto:``, ``data:`` or fragment-only link."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    try:
        page = _page_url(url or "")
        if ROOTLESS_ARTICLE_HREF.match(href):
            page = site_root(page)
        return urljoin(page, href)
    except ValueError:
        return None
