"""The article object of a page's JSON-LD (schema.org), read without a framework.

A page may carry several ``<script type="application/ld+json">`` blocks, each an object, a
list, or an ``@graph``; the article may sit under ``mainEntity``. `article_object` finds the
first object whose ``@type`` is an article type; the small readers below turn schema.org's
many shapes of one value (a string, an object with ``name``, a list of either) into text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

#: schema.org types that are an article (``@type`` may be a list holding one of them).
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
    "Report", "ScholarlyArticle", "TechArticle", "SocialMediaPosting", "AskPublicNewsArticle",
    "SatiricalArticle", "PublicationIssue",
})  # fmt: skip
#: Types of a page that is a list of articles, not one (a section front, a tag page).
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})

_SCRIPTS = etree.XPath(
    "//script[translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'application/ld+json']"
)
_NESTED = ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement")


def blocks(root: etree._Element) -> list[Any]:
    """Every JSON-LD block of the page that parses (a broken block is left out, not fatal)."""
    found = []
    for script in _SCRIPTS(root):
        text = (script.text or "").strip()
        if text.startswith("<!--"):  # some CMSs wrap it in an HTML comment
            text = text.removeprefix("<!--").removesuffix("-->").strip()
        try:
            found.append(json.loads(text, strict=False))
        except ValueError:
            continue
    return found


def objects(value: Any, depth: int = 0) -> Iterator[dict]:
    """Every object in a JSON-LD value: lists and ``@graph`` flattened, ``mainEntity`` followed."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from objects(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in _NESTED:
            if isinstance(value.get(key), (dict, list)):
                yield from objects(value[key], depth + 1)


def types(obj: dict) -> set[str]:
    """The object's ``@type`` names, without a ``schema:`` or URL prefix."""
    value = obj.get("@type")
    names = value if isinstance(value, list) else [value]
    return {str(n).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if n}


def article_object(found: list[Any]) -> dict:
    """The first article object of the page's JSON-LD, or ``{}``."""
    return next((o for o in objects(found) if types(o) & ARTICLE_TYPES), {})


def page_types(found: list[Any]) -> set[str]:
    """Every type named by the page's JSON-LD."""
    return set().union(*(types(o) for o in objects(found)))


def text(value: Any) -> str | None:
    """One string out of a value: a string, the first of a list, an object's ``name``/``@value``."""
    if isinstance(value, list):
        return next(filter(None, map(text, value)), None)
    if isinstance(value, dict):
        return text(value.get("name") or value.get("@value"))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        # CMSs often write HTML entities into JSON-LD strings (``&#8220;``, ``&nbsp;``)
        return " ".join(html.unescape(str(value)).split()) or None
    return None


def names(value: Any) -> list[str]:
    """Names out of an author-like value: strings, Person/Organization objects, lists of them.

    A string with commas or " and " between names is taken as written (one entry): splitting
    would cut "Smith, Jr." apart."""
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        name = text(item)
        if name and name not in found:
            found.append(name)
    return found


def strings(value: Any) -> list[str]:
    """A list of strings out of a keywords-like value: a list, or one comma-separated string."""
    if isinstance(value, str):
        parts = html.unescape(value).split(",")
    elif isinstance(value, list):
        parts = [p for v in value for p in (strings(v) if isinstance(v, list) else [text(v) or ""])]
    else:
        parts = [text(value) or ""]
    found: list[str] = []
    for part in parts:
        part = " ".join(part.split())
        if part and part not in found:
            found.append(part)
    return found
