"""Where things are on a novinite page: its blocks by id and class, and the page-level lookups.

Selection follows the structure known of the real site (docs/novinite-structure.md: ids,
classes, order), not the exact markup of one generator. What is wanted first in document order
(title, date line, lead image) is found by a lazy walk that stops at it (`in_order`).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from newsarchive.extract import (
    ByClass,
    ById,
    class_predicate,
    first,
    has_class,
    in_order,
    under,
    words,
)

CONTENT = ById("content")
TAGS_BLOCK = ById("article_tags")
TEXTSIZE = ById("textsize")
#: Blocks holding other articles' entries: a listing item, the "More from" block. Their titles,
#: date lines and images are not the page's.
LISTING_BLOCKS = frozenset(words("item more_from"))
#: Blocks whose image is never the lead image.
NOT_LEAD_IMAGE_BLOCKS = LISTING_BLOCKS | frozenset(words("related advert"))
#: The lead image's alt (and caption): ``Bulgaria: {title}``.
LEAD_IMAGE_ALT = "Bulgaria:"
XML_SPACE = " \t\r\n"

LISTING_ITEMS = ByClass("item", "div")
META_URLS = etree.XPath(
    "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
    " | //link[@rel='shortlink']/@href | //meta[@name='twitter:url']/@content"
)
META_IMAGES = etree.XPath(
    "descendant::meta[@property='og:image']/@content"
    " | descendant::meta[@name='twitter:image']/@content"
)
LINKS = etree.XPath("//a[@href]")
SHARE_LINKS = etree.XPath(
    f"//*[{class_predicate('share')} or {class_predicate('article__share')}]"
    "//a[contains(@href, '?')]/@href"
)
FOOTER_TEXT = "Bulgaria news Novinite.com"
FOOTER = etree.XPath(f"boolean(//*[@id='footer'] | //body//text()[contains(., '{FOOTER_TEXT}')])")
NEXT_PAGE = etree.XPath(
    f"descendant::li[{class_predicate('next')} and {class_predicate('btn')}]/a/@href"
)


def titles(content: etree._Element) -> Iterator[etree._Element]:
    """The ``h1`` of #content outside listing items, in document order."""
    return (el for el in in_order(content) if el.tag == "h1" and not under(el, LISTING_BLOCKS))


def date_lines(content: etree._Element) -> Iterator[etree._Element]:
    """The ``.date`` of #content outside listing items, in document order."""
    return (
        el for el in in_order(content) if has_class(el, "date") and not under(el, LISTING_BLOCKS)
    )


def caption_images(content: etree._Element) -> Iterator[etree._Element]:
    """The ``img alt="Bulgaria: …"`` of #content outside other articles, related and adverts."""
    return (
        el
        for el in in_order(content)
        if el.tag == "img"
        and (el.get("alt") or "").lstrip(XML_SPACE).startswith(LEAD_IMAGE_ALT)
        and not under(el, NOT_LEAD_IMAGE_BLOCKS)
    )


def sources_items(content: etree._Element) -> Iterator[etree._Element]:
    """The ``li`` of ``.sources`` blocks in #content outside listing items, in document order
    (few elements of a page are ``li``: each one's ancestors are read, not every element's)."""
    for li in content.iterdescendants("li"):
        for parent in li.iterancestors():
            if parent is content:
                break
            if has_class(parent, "sources") and not under(parent, LISTING_BLOCKS):
                yield li
                break


def has_paragraph(el: etree._Element) -> bool:
    """Whether `el` holds a ``p`` (lxml stops at the second one: they come in runs)."""
    return first(el.iterdescendants("p")) is not None
