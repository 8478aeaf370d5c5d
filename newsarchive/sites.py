"""Site profiles: the sites file (``sites.toml``) read and checked, one `Profile` per site.

A profile makes a site a few lines of configuration (DESIGN, "Sites")::

    [sites.examplenews]
    url = "https://examplenews.example/"   # the site's root
    timezone = "America/New_York"             # for dates printed without an offset
    feeds = ["https://examplenews.example/rss"]
    article_url = '/news/(?P<id>\\d+)/'
    delay = 2.0
    [sites.examplenews.selectors]
    title = "h1.headline"

A table may also name a site that has its own module in ``spiders/`` to give it another root or
politeness (only ``url`` and ``delay`` apply there: `newsarchive.crawl.catalogue` checks that).

Every mistake in the file is one `SitesError` line naming the file, the site and the key; the
CLI makes it exit 2 before anything is crawled. Which file: ``--sites FILE``, else
``$NEWSARCHIVE_SITES``, else ``sites.toml`` in the current directory when there is one.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: The environment variable naming the sites file when --sites is not given.
SITES_ENV = "NEWSARCHIVE_SITES"
#: The sites file read from the current directory when neither --sites nor the variable is set.
DEFAULT_FILE = "sites.toml"
#: What a site may be called: it is the archive's ``site`` column and a spider's name.
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: The fields a CSS selector may override.
SELECTOR_FIELDS = ("title", "published", "author", "body", "tags", "section")
#: Every key a site's table may hold.
KEYS = ("url", "timezone", "feeds", "sitemaps", "article_url", "delay", "selectors")
#: The keys that apply to a site with its own module (another root, other politeness).
MODULE_KEYS = ("url", "delay")
#: The longest delay between two requests a profile may ask for (seconds).
DELAY_MAX = 60.0


class SitesError(ValueError):
    """A sites file that cannot be used; the message is one line naming file, site and key."""


@dataclass(frozen=True)
class Profile:
    """One site: a module in ``spiders/`` (``kind="module"``) or a profile (``"profile"``)."""

    name: str
    url: str
    timezone: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_url: re.Pattern[str] | None = None
    delay: float | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    kind: str = "profile"
    #: The keys the sites file gave (a module site's table may give only `MODULE_KEYS`).
    given: tuple[str, ...] = ()


def sites_file(option: str | None, cwd: Path | None = None) -> Path | None:
    """The sites file to read: `option` (--sites), else ``$NEWSARCHIVE_SITES``, else
    ``sites.toml`` in `cwd` if it exists; None when there is none (only module sites)."""
    if option:
        return Path(option)
    env = os.environ.get(SITES_ENV)
    if env:
        return Path(env)
    default = (cwd or Path.cwd()) / DEFAULT_FILE
    return default if default.is_file() else None


def load_sites(path: str | os.PathLike[str]) -> dict[str, Profile]:
    """Every profile of the sites file at `path`, by name; `SitesError` on any mistake."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SitesError(f"{where}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise SitesError(f"{where}: cannot read the sites file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SitesError(f"{where}: not valid TOML: the file is not UTF-8 text") from None
    unknown = sorted(set(data) - {"sites"})
    if unknown:
        raise SitesError(f"{where}: unknown key {unknown[0]!r} (the file holds [sites.NAME] tables)")
    sites = data.get("sites", {})
    if not isinstance(sites, dict):
        raise SitesError(f"{where}: 'sites' must be tables ([sites.NAME])")
    return {name: _profile(where, name, table) for name, table in sites.items()}


def _profile(where: str, name: str, table: Any) -> Profile:
    def bad(key: str, what: str) -> SitesError:
        return SitesError(f"{where}: site {name!r}, key {key!r}: {what}")

    if not NAME.match(name):
        raise SitesError(
            f"{where}: site {name!r}: a site's name is lower-case letters, digits, '-' and '_'"
        )
    if not isinstance(table, dict):
        raise SitesError(f"{where}: site {name!r}: must be a table ([sites.{name}])")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise bad(unknown[0], f"unknown key (known: {', '.join(KEYS)})")
    if "url" not in table:
        raise bad("url", "missing (the site's root, https://…/)")
    return Profile(
        name=name,
        url=_url(table["url"], lambda what: bad("url", what)),
        timezone=_zone(table.get("timezone"), lambda what: bad("timezone", what)),
        feeds=_urls(table.get("feeds", []), lambda what: bad("feeds", what)),
        sitemaps=_urls(table.get("sitemaps", []), lambda what: bad("sitemaps", what)),
        article_url=_pattern(table.get("article_url"), lambda what: bad("article_url", what)),
        delay=_delay(table.get("delay"), lambda what: bad("delay", what)),
        selectors=_selectors(table.get("selectors", {}), name, bad),
        given=tuple(table),
    )


def _url(value: Any, bad: Any) -> str:
    from newsarchive.crawl.arguments import check_base_url  # the one check of a root

    if not isinstance(value, str):
        raise bad("must be a string")
    try:
        return check_base_url(value)
    except ValueError as exc:
        raise bad(str(exc).replace("the base URL", "the URL", 1)) from None


def _urls(value: Any, bad: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("must be a list of URLs")
    for url in value:
        if not re.match(r"^https?://[^/\s]+", url):
            raise bad(f"{url!r} must start with http:// or https:// and name a host")
    return tuple(value)


def _zone(value: Any, bad: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise bad("must be a time zone name such as 'America/New_York'")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad(f"unknown time zone {value!r}") from None
    return value


def _pattern(value: Any, bad: Any) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad("must be a regular expression in a string")
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise bad(f"bad regular expression: {exc}") from None
    if "id" not in pattern.groupindex:
        raise bad("the regular expression needs an id group: (?P<id>...)")
    return pattern


def _delay(value: Any, bad: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad("must be a number of seconds")
    if not math.isfinite(value) or not 0 <= value <= DELAY_MAX:
        raise bad(f"must be from 0 to {DELAY_MAX:g} seconds, not {value!r}")
    return float(value)


def _selectors(value: Any, name: str, bad: Any) -> dict[str, str]:
    from cssselect import GenericTranslator, SelectorError

    if not isinstance(value, dict):
        raise bad("selectors", "must be a table of field = 'CSS selector'")
    out = {}
    for key, css in value.items():
        if key not in SELECTOR_FIELDS:
            raise bad(f"selectors.{key}", f"unknown field (known: {', '.join(SELECTOR_FIELDS)})")
        if not isinstance(css, str) or not css.strip():
            raise bad(f"selectors.{key}", "must be a CSS selector in a string")
        try:
            GenericTranslator().css_to_xpath(css)
        except SelectorError as exc:
            raise bad(f"selectors.{key}", f"bad CSS selector {css!r}: {exc}") from None
        out[key] = css
    return out
