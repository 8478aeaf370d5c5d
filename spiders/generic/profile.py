"""The profile a generic run crawls: the site catalogue's, one of the sites file by name, or
one made from a bare root (``scrapy crawl generic -a url=ROOT``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class QuickProfile:
    """A site known only by its root (``-a url=…``): UTC, nothing named, discovery does all."""

    name: str
    url: str
    timezone: str = "UTC"
    feeds: Sequence[str] = ()
    sitemaps: Sequence[str] = ()
    article_url: str | None = None
    delay: float | None = None
    selectors: Any = None

    @classmethod
    def for_root(cls, url: str) -> QuickProfile:
        host = (urlsplit(url).hostname or "site").lower()
        return cls(name=host[4:] if host.startswith("www.") else host, url=url)


def find_profile(site: str | None, url: str | None, profile: Any) -> Any:
    """The profile a run crawls: given as an object (the site catalogue), by name from the
    sites file, or made from a bare root. ValueError (bad usage) when there is none."""
    if profile is not None:
        return profile
    if site:
        from newsarchive import sites  # the site profiles (`--sites`, sites.toml)

        return sites.profile(site)
    if url:
        return QuickProfile.for_root(url)
    raise ValueError("the generic spider needs a site (-a site=NAME) or a root (-a url=URL)")


def _profile_named(name: str) -> Any:
    """The profile `name` of the sites file (`--sites`, $NEWSARCHIVE_SITES, ./sites.toml): how
    ``scrapy crawl generic -a site=NAME`` and Scrapyd find it."""
    from newsarchive.sites import load_sites, sites_file

    path = sites_file(None)
    found = load_sites(path).get(name) if path is not None else None
    if found is None:
        raise ValueError(f"no site {name!r} in the sites file ({path or 'none found'})")
    return found
