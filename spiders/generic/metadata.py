"""What a page says of itself in its head: ``<meta>`` (Open Graph, ``article:*``, Dublin Core,
``name=author``, microdata ``itemprop``), ``<link rel>``, ``<time datetime>``, and its JSON-LD.

`PageMeta.read(root)` gathers them once; the field readers (`title`, `when`, `identity`) ask
it by key, first value wins, in the order a key list gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from spiders.generic import jsonld

_META = etree.XPath("//meta[@content]")
_ITEMPROP = etree.XPath("//*[@itemprop][not(self::meta)]")
_LINKS = etree.XPath("//link[@rel][@href]")
_TIMES = etree.XPath("//time[@datetime]")
#: Microdata properties worth reading off a visible element (its ``datetime`` or text).
_ITEMPROPS = frozenset({"headline", "datepublished", "datemodified", "author", "articlesection"})


@dataclass
class PageMeta:
    """A page's self-description: meta values by lowercased key, links by rel, JSON-LD."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    times: list[str] = field(default_factory=list)
    article: dict[str, Any] = field(default_factory=dict)
    """The page's JSON-LD article object, or ``{}``."""
    ld_types: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, root: etree._Element) -> PageMeta:
        page = cls()
        for el in _META(root):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip()
            value = " ".join((el.get("content") or "").split())
            if key and value:
                page.meta.setdefault(key.lower(), []).append(value)
        for el in _ITEMPROP(root):
            key = el.get("itemprop", "").strip().lower()
            if key in _ITEMPROPS:
                value = el.get("datetime") or el.get("content") or " ".join(el.itertext())
                if value.strip():
                    page.meta.setdefault("itemprop:" + key, []).append(" ".join(value.split()))
        for el in _LINKS(root):
            for rel in el.get("rel", "").lower().split():
                page.links.setdefault(rel, []).append(el.get("href", "").strip())
        page.times = [t.get("datetime", "").strip() for t in _TIMES(root) if t.get("datetime")]
        found = jsonld.blocks(root)
        page.article = jsonld.article_object(found)
        page.ld_types = jsonld.page_types(found)
        return page

    def first(self, *keys: str) -> str | None:
        """The first value of the first key that has one."""
        for key in keys:
            values = self.meta.get(key)
            if values:
                return values[0]
        return None

    def all(self, key: str) -> list[str]:
        return self.meta.get(key, [])

    def link(self, rel: str) -> str | None:
        values = self.links.get(rel)
        return values[0] if values and values[0] else None

    def ld(self, key: str) -> Any:
        """A key of the JSON-LD article object (None when there is none)."""
        return self.article.get(key)

    @property
    def site_name(self) -> str | None:
        publisher = jsonld.text(self.ld("publisher"))
        return self.first("og:site_name", "application-name", "twitter:site") or publisher

    @property
    def is_article(self) -> bool:
        """Whether the page calls itself an article (JSON-LD article type or og:type article)."""
        og_type = (self.first("og:type") or "").lower()
        return bool(self.article) or og_type == "article" or bool(self.first("article:published_time"))

    @property
    def is_listing(self) -> bool:
        """Whether the page's JSON-LD calls it a list of articles and names no article."""
        return not self.article and bool(self.ld_types & jsonld.LISTING_TYPES)
