"""The article's fields other than its date, body and identity: title, authors, section, tags
and lead image, each from the profile's CSS selector when it names one, else from the page's
JSON-LD, then its meta tags, then its markup."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsarchive.extract import inline_text
from newsarchive.text import clean_line
from spiders.generic import jsonld
from spiders.generic.metadata import PageMeta

#: What sites put between a headline and their name in ``<title>`` and ``og:title``.
SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/)\s+")
_BY = re.compile(r"^(?:by|von|par|por|di)\s+", re.IGNORECASE)
#: Meta keys naming the author, most trusted first (the first that names anyone is taken).
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author",
               "byl", "itemprop:author")  # fmt: skip
#: What joins several authors into our one ``author`` field.
AUTHOR_JOIN = ", "


def selected(root: etree._Element, selector: str | None) -> list[str]:
    """The visible text of each element the CSS `selector` finds (none without a selector)."""
    if not selector:
        return []
    found = []
    for el in root.cssselect(selector):
        value = el.get("datetime") or el.get("content") or inline_text(el)
        if value and value.strip():
            found.append(clean_line(value))
    return found


def title(page: PageMeta, root: etree._Element, selector: str | None, url: str = "") -> str | None:
    """The headline as the article prints it, without the site's name after (or before) it."""
    chosen = selected(root, selector)
    if chosen:
        return chosen[0]
    h1 = next((t for t in (inline_text(h) for h in root.iter("h1")) if t), None)
    raw_title = root.find(".//title")
    candidates = [jsonld.text(page.ld("headline")), page.first("og:title", "twitter:title"),
                  page.first("itemprop:headline"),
                  inline_text(raw_title) if raw_title is not None else None]  # fmt: skip
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    cleaned = [_without_site_name(clean_line(c), page.site_name, h1, host) for c in candidates if c]
    if h1 and h1 in cleaned:  # the printed headline, confirmed by the page's metadata
        return h1
    return next(filter(None, cleaned), h1)


def _without_site_name(text: str, site_name: str | None, h1: str | None, host: str = "") -> str:
    if h1 and text != h1 and text.startswith(h1) and SEPARATORS.match(text[len(h1):]):
        return h1
    parts = SEPARATORS.split(text)
    if len(parts) < 2:
        return text
    name = (site_name or "").lower()
    if name and parts[-1].lower() in name or (name and name in parts[-1].lower()):
        return _joined(text, parts[:-1])
    if name and (parts[0].lower() in name or name in parts[0].lower()):
        return _joined(text, parts[1:])
    if h1 and h1 in parts:
        return h1
    squeezed = host.replace(".", "").replace("-", "")
    if _letters(parts[-1]) and _letters(parts[-1]) in squeezed:
        return _joined(text, parts[:-1])
    if _letters(parts[0]) and _letters(parts[0]) in squeezed:
        return _joined(text, parts[1:])
    return text


def _letters(text: str) -> str:
    """A site name as it would be written in a host name: ``Town Gazette`` -> ``towngazette``."""
    return "".join(c for c in text.lower() if c.isalnum())


def _joined(text: str, parts: list[str]) -> str:
    """`parts` joined back with the separators the original text had between them."""
    if not parts:
        return text
    start = text.find(parts[0])
    end = text.find(parts[-1], start) + len(parts[-1])
    return text[start:end].strip()


def authors(page: PageMeta, root: etree._Element, selector: str | None) -> list[str]:
    """The article's authors, in page order, each once."""
    sources = [selected(root, selector), jsonld.names(page.ld("author"))]
    sources += [page.all(key) for key in AUTHOR_KEYS]
    for found in sources:
        cleaned: list[str] = []
        for name in found:
            name = _BY.sub("", clean_line(name))
            if _is_name(name) and name not in cleaned:
                cleaned.append(name)
        if cleaned:
            return cleaned
    return []


def _is_name(text: str) -> bool:
    """A name or a short byline, not a link or an author's biography."""
    return bool(text) and len(text) <= 100 and not text.startswith(("http://", "https://", "/"))


def section(page: PageMeta, root: etree._Element, selector: str | None) -> str | None:
    chosen = selected(root, selector)
    if chosen:
        return chosen[0]
    value = jsonld.text(page.ld("articleSection")) or page.first(
        "article:section", "itemprop:articlesection", "section", "parsely-section"
    )
    return clean_line(value) if value else None


def tags(page: PageMeta, root: etree._Element, selector: str | None) -> list[str]:
    """Tags in page order: keywords of the JSON-LD, else ``article:tag``, else news keywords."""
    chosen = selected(root, selector)
    if chosen:
        return list(dict.fromkeys(chosen))
    found = jsonld.strings(page.ld("keywords")) or page.all("article:tag")
    if not found and page.first("news_keywords"):
        found = jsonld.strings(page.first("news_keywords"))
    return list(dict.fromkeys(clean_line(t) for t in found if t.strip()))


def image(page: PageMeta, url: str) -> str | None:
    value = page.ld("image")
    src = (value.get("url") if isinstance(value, dict) else jsonld.text(value)) or page.first(
        "og:image", "og:image:url", "twitter:image"
    )
    if isinstance(value, list) and value and isinstance(value[0], dict):
        src = value[0].get("url") or src
    return urljoin(url, src) if isinstance(src, str) and src.strip() else None
