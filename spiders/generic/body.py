"""The article's text by our conventions: paragraphs of plain text, one blank line between.

Page furniture (ads, newsletter boxes, share bars, related links, captions, embedded posts,
comments) is removed from a copy of the page first (`boilerplate.strip_noise`); then either the
profile's ``body`` selector names the container and our text walker reads it, or trafilatura
finds the main content. Its paragraphs, headings, list items and quotations each become one
paragraph (a ``<br>`` a line break inside it); furniture lines and repeats are dropped after.
"""

from __future__ import annotations

import copy

from lxml import etree, html

from newsarchive.extract import TextWalker, source_text
from newsarchive.text import clean_block, join_paragraphs
from spiders.generic.boilerplate import drop_noise_lines, strip_noise

#: trafilatura's output elements that are one paragraph each, or hold paragraphs.
_BLOCKS = frozenset({"p", "head", "item", "quote", "row", "cell", "code", "list", "table", "div"})


def body_text(
    root: etree._Element, url: str, title: str | None, selector: str | None,
    site_name: str | None = None,
) -> str:
    """The article's body as plain text ('' when the page has none)."""
    tree = strip_noise(copy.deepcopy(root))
    paragraphs = _selected(tree, selector) if selector else _trafilatura(tree, url)
    return join_paragraphs(drop_noise_lines([clean_block(p) for p in paragraphs], title, site_name))


def _selected(tree: etree._Element, selector: str) -> list[str]:
    paragraphs: list[str] = []
    for el in tree.cssselect(selector):
        paragraphs += [block.text for block in TextWalker().run(el)]
    return paragraphs


def _trafilatura(tree: etree._Element, url: str) -> list[str]:
    from trafilatura import bare_extraction

    if not isinstance(tree, html.HtmlElement):
        tree = html.document_fromstring(etree.tostring(tree, encoding="unicode"))
    found = bare_extraction(tree, url=url, include_comments=False, include_images=False,
                            include_tables=True, with_metadata=False)  # fmt: skip
    body = getattr(found, "body", None)
    return [] if body is None else paragraphs_of(body)


def paragraphs_of(body: etree._Element) -> list[str]:
    """trafilatura's body tree as paragraphs: each block element one, ``<lb/>`` a line break,
    text lying loose between blocks (a block's tail) a paragraph of its own, and a block
    holding blocks (a list, a quotation, a table cell with paragraphs) read block by block."""
    out: list[str] = [source_text(body.text or "")]
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in el):
            out += paragraphs_of(el)
        elif tag != "lb":
            out.append(_text(el))
        out.append(source_text(el.tail or ""))
    return [p for p in out if p.strip()]


def _text(el: etree._Element) -> str:
    """The element's text: a newline of the HTML source is a space, ``<lb/>`` a line break."""
    parts = [source_text(el.text or "")]
    for child in el:
        parts.append("\n" if child.tag == "lb" else _text(child))
        parts.append(source_text(child.tail or ""))
    return "".join(parts)
