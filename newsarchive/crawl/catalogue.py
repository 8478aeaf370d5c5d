"""Every known site: the modules in ``spiders/`` and the profiles of the sites file.

A module site is a spider Scrapy's spider loader finds (``SPIDER_MODULES``); a profile site is
crawled by the profile spider (``NEWSARCHIVE_PROFILE_SPIDER``, the generic spider, loaded only
when a profile site is crawled), which takes ``site=NAME`` and ``profile=Profile`` as spider
arguments. A profile naming a module site gives that site another root (``url``) or politeness
(``delay``) and nothing else. The catalogue resolves each site to its spider class, the spider
arguments and the settings of its own crawler.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import load_object

from newsarchive.sites import MODULE_KEYS, Profile, SitesError, load_sites

#: The environment variable that overrides the ``NEWSARCHIVE_PROFILE_SPIDER`` setting.
PROFILE_SPIDER_ENV = "NEWSARCHIVE_PROFILE_SPIDER"


@dataclass
class Catalogue:
    """The known sites by name (sorted), each a `Profile` (``kind`` module or profile)."""

    sites: dict[str, Profile]
    loader: SpiderLoader
    profile_spider: str
    #: The sites file read (None: there was none, only module sites).
    path: Path | None = None

    @classmethod
    def load(cls, settings: Settings, path: Path | None) -> Catalogue:
        """The module sites, with the profiles of the sites file at `path` (if any) merged in;
        `SitesError` (one line naming file, site and key) when the file cannot be used."""
        loader = SpiderLoader.from_settings(settings)
        profile_spider = os.environ.get(PROFILE_SPIDER_ENV) or settings.get(
            "NEWSARCHIVE_PROFILE_SPIDER"
        )
        excluded = _spider_names(profile_spider, settings.get("NEWSARCHIVE_PROFILE_SPIDER"))
        sites: dict[str, Profile] = {}
        for name in loader.list():
            if name in excluded:
                continue
            spidercls = loader.load(name)
            sites[name] = Profile(
                name=name,
                url=getattr(spidercls, "default_base_url", ""),
                timezone=getattr(spidercls, "tz", None),
                kind="module",
            )
        for name, profile in (load_sites(path) if path is not None else {}).items():
            module = sites.get(name)
            if module is None:
                sites[name] = profile
                continue
            extra = [k for k in profile.given if k not in MODULE_KEYS]
            if extra:
                raise SitesError(
                    f"{path}: site {name!r}, key {extra[0]!r}: {name} has its own module; "
                    f"its table takes only {' and '.join(MODULE_KEYS)}"
                )
            sites[name] = replace(module, url=profile.url, delay=profile.delay, given=profile.given)
        return cls(dict(sorted(sites.items())), loader, profile_spider, path)

    def names(self) -> list[str]:
        return list(self.sites)

    def spider_class(self, name: str) -> type[Any]:
        """The spider class that crawls `name` (for a profile: the profile spider, imported now;
        `SitesError` when it cannot be)."""
        profile = self.sites[name]
        if profile.kind == "module":
            return self.loader.load(name)
        try:
            return load_object(self.profile_spider)
        except (ImportError, AttributeError, ValueError, NameError) as exc:
            raise SitesError(
                f"site {name!r} is a profile, and the profile spider {self.profile_spider!r} "
                f"cannot be loaded: {exc}"
            ) from None

    def spider_kwargs(self, name: str) -> dict[str, Any]:
        """The spider arguments the site's own entry gives (the command line's come on top)."""
        profile = self.sites[name]
        if profile.kind == "module":
            return {"base_url": profile.url} if "url" in profile.given else {}
        return {"site": name, "profile": profile, "base_url": profile.url}

    def apply_site_settings(self, name: str, settings: Settings) -> None:
        """Give a crawler's (unfrozen) `settings` the site's own politeness (its ``delay``) at
        the spider's priority: the command line's --delay still wins."""
        delay = self.sites[name].delay
        if delay is not None:
            over: dict[str, object] = {"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_START_DELAY": delay}
            if delay == 0:
                over["AUTOTHROTTLE_ENABLED"] = False
            settings.setdict(over, priority="spider")


def _spider_names(*paths: str | None) -> set[str]:
    """The spider names of the profile spider classes at `paths` that can be imported (the
    profile spider is no site of its own, though the spider loader finds it)."""
    names = set()
    for path in paths:
        if not path:
            continue
        try:
            names.add(load_object(path).name)
        except (ImportError, AttributeError, ValueError, NameError):
            continue
    return names
