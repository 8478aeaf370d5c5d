"""Site URL and fetch URL: the archive keeps the site's own address, a crawl asks its root.

A crawl may reach a site through another root than the site's own (`--base-url`: a mirror,
the replica, a profile's ``url``). The archive stores the site's URL whatever root was used
(DESIGN: "`url` is always the site's own canonical URL"; the root is in ``runs.args``), and a
crawl that fetches a stored article again (a refresh, a retry) asks its own root for it.

Both directions swap one root prefix for the other and keep the rest of the URL (path, query):

>>> site_url("http://127.0.0.1:8000/articles/1/A", "http://127.0.0.1:8000/", "https://news.example/")
'https://news.example/articles/1/A'
>>> fetch_url("https://news.example/articles/1/A", "http://mirror/nov/", "https://news.example/")
'http://mirror/nov/articles/1/A'

A URL on neither root is returned as it is. Pure functions: no I/O, no settings.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["on_root", "rebase", "fetch_url", "site_url"]


def _prefix(root: str) -> tuple[str, str, str]:
    """(scheme, host, path ending in "/") of a root URL; host lower-cased, default ports dropped."""
    parts = urlsplit(root)
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return parts.scheme.lower(), host, path


#: `_prefix` of a root: a run asks about the same two roots for every URL it stores.
_root_prefix = lru_cache(maxsize=64)(_prefix)


def on_root(url: str, root: str) -> bool:
    """Whether `url` lies under `root` (same host and port, the root's path a prefix of its
    path; http and https of one host count as one, as sites redirect one to the other)."""
    try:
        _, host, path = _prefix(url)
        _, root_host, root_path = _root_prefix(root)
    except ValueError:
        return False
    return bool(host) and host == root_host and (path.startswith(root_path))


def rebase(url: str, old_root: str, new_root: str) -> str:
    """`url` with the prefix `old_root` swapped for `new_root`; `url` itself when it is not
    under `old_root` (or is no URL at all)."""
    if not url or not on_root(url, old_root):
        return url
    parts = urlsplit(url)
    old_path = _root_prefix(old_root)[2]
    rest = parts.path[len(old_path) :] if parts.path.startswith(old_path) else ""
    scheme, host, new_path = _root_prefix(new_root)
    tail = (
        rest
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )
    return f"{scheme}://{host}{new_path}{tail}"


def site_url(url: str, root: str, site_root: str) -> str:
    """The site's own URL of `url`, fetched through `root` (a mirror, the replica, or the site
    itself: then `url` unchanged)."""
    if on_root(url, site_root) and not on_root(url, root):
        return url
    return rebase(url, root, site_root)


def fetch_url(url: str, root: str, site_root: str) -> str:
    """The URL to ask `root` for the page whose site URL is `url` (a refresh, a retry)."""
    if on_root(url, root):
        return url
    return rebase(url, site_root, root)
