"""Article URLs folded onto one key, so that a link that differs only by tracking parameters
(``utm_*``, ``fbclid`` …), a fragment or an AMP form is fetched once, and so that the archive
knows a page whatever root (the site, a mirror, the replica) it was reached through.

The key is what `spiders.generic.parse_article` gives as the article's ``site_id``: the folded
URL's path (and query) without the slashes around it, scheme and host left out; with a
profile's `article_url` pattern, its ``id`` group (or, naming none, what it matched).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

#: Query parameters that only say where a reader came from.
TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "ocid",
     "cmpid", "ref", "ref_src", "_ga", "amp", "outputtype"}
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "_hs", "pk_", "mtm_")
#: AMP forms of an article's path: ``…/slug/amp/``, ``…/slug.amp``, ``/amp/…``.
AMP_SUFFIX = re.compile(r"(?:/amp/?|\.amp(?:\.html)?)$", re.IGNORECASE)
AMP_PREFIX = re.compile(r"^/amp(?=/)", re.IGNORECASE)


def tracking(name: str) -> bool:
    """Whether a query parameter is a tracking one (or the ``amp`` switch)."""
    low = name.lower()
    return low in TRACKING or low.startswith(TRACKING_PREFIXES)


def fold_url(url: str, base: str | None = None) -> str:
    """`url` made absolute (against `base`), without fragment, tracking parameters or AMP form;
    scheme and host lower-cased, the other parameters kept in their order."""
    parts = urlsplit(urljoin(base, url.strip()) if base else url.strip())
    path = AMP_PREFIX.sub("", AMP_SUFFIX.sub("/", parts.path or "/")) or "/"
    if parts.path.lower().endswith((".amp", ".amp.html")) and path.endswith("/"):
        path = path[:-1] + (".html" if parts.path.lower().endswith(".html") else "")
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(tracking(k) for k, _ in pairs):
        query = urlencode([(k, v) for k, v in pairs if not tracking(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def url_key(url: str, article_url: re.Pattern[str] | None = None) -> str:
    """The key the archive knows the article by (its ``site_id``): the ``id`` group of the
    profile's `article_url` when it matches (what it matched, when it names no group), else
    the folded path and query without the slashes around the path."""
    folded = fold_url(url)
    if article_url is not None:
        match = article_url.search(folded)
        if match:
            return match.group("id") if "id" in article_url.groupindex else match.group(0)
    parts = urlsplit(folded)
    path = parts.path.strip("/")
    return f"{path}?{parts.query}" if parts.query else path


def on_root(url: str, root: str) -> str:
    """`url` moved onto `root`'s scheme and host (a feed that names the site's own host while
    a mirror or the replica is crawled); a URL on another site is returned as it is."""
    parts, base = urlsplit(url), urlsplit(root)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


def same_site(url: str, root: str) -> bool:
    """Whether `url` is on `root`'s host (``www.`` forgiven)."""
    def host(u: str) -> str:
        name = (urlsplit(u).hostname or "").lower()
        return name[4:] if name.startswith("www.") else name

    return host(url) == host(root)
