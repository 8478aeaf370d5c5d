"""An article's identity: its canonical URL and its site id.

The canonical URL is the page's ``rel=canonical``, else its ``og:url``, else the URL it was
fetched from, made absolute, with tracking parameters dropped (courlan's list: ``utm_*``,
``fbclid``, ``gclid``, …) and AMP variants folded onto the article (``/amp/``, ``?amp=1``,
``outputType=amp``, an ``amp.`` host). The site id is the ``id`` group of the profile's
``article_url`` pattern when it matches, else the canonical URL's path (and query): stable for
every URL form of the article.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan.clean import normalize_url
from w3lib.url import url_query_cleaner

#: Query parameters that only ask for the AMP copy (courlan drops ``amp`` itself already).
AMP_PARAMS = ("amp", "outputType", "output", "format")
_AMP_SEGMENT = re.compile(r"/amp(?:/|\.html?$|$)", re.IGNORECASE)


def clean_url(url: str) -> str:
    """`url` without tracking parameters, fragment or AMP variant; host lowercased."""
    with contextlib.suppress(ValueError, AttributeError):
        url = normalize_url(url)
    parts = urlsplit(url)
    host, path, query = parts.netloc, parts.path, parts.query
    if host.startswith("amp."):
        host = host[4:]
    if _AMP_SEGMENT.search(path):
        path = _AMP_SEGMENT.sub("/", path)
    if query and re.search(r"(?:^|&)(?:amp|outputType|output|format)=(?:1|amp|true)?(?:&|$)", query):
        query = urlsplit(url_query_cleaner("?" + query, AMP_PARAMS, remove=True)).query
    return urlunsplit((parts.scheme, host, path, query, ""))


def canonical_url(url: str, canonical: str | None, og_url: str | None) -> str:
    """The article's own URL: `canonical`, else `og_url`, else `url`, absolute and cleaned.

    A canonical that points at the site's front page while the page was fetched from a deeper
    path is a template's mistake, not the article's address: it is passed over."""
    fetched_path = urlsplit(url).path.strip("/")
    for candidate in (canonical, og_url):
        if not candidate or candidate.startswith(("javascript:", "data:", "#")):
            continue
        absolute = urljoin(url, candidate.strip())
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        if fetched_path and not urlsplit(absolute).path.strip("/"):
            continue
        return clean_url(absolute)
    return clean_url(url)


def site_key(url: str, name: str | None) -> str:
    """The profile's site name, else the URL's host without ``www.``."""
    if name:
        return name
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or "unknown"


def site_id(canonical: str, fetched: str, pattern: re.Pattern[str] | str | None) -> str | None:
    """The ``id`` group of `pattern` in the canonical (or fetched) URL, else the canonical's
    path and query without the slashes around it; None when a pattern is given and matches
    neither (the page is no article of the site)."""
    if pattern:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        for candidate in (canonical, fetched):
            found = regex.search(candidate)
            if found:
                return found.group("id") if "id" in regex.groupindex else found.group(0)
        return None
    parts = urlsplit(canonical)
    path = parts.path.strip("/")
    return f"{path}?{parts.query}" if parts.query else path or None
