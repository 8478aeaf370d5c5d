"""Visible text out of elements: the text walker (blocks in document order) and `inline_text`.

Only the subtree asked for is walked; a paragraph holding text only is one block without a
walk; text is cleaned with ``str`` methods (`newsarchive.text`), not a regex pass over every
character.
"""

from __future__ import annotations

import re

from lxml import etree

from newsarchive.extract.find import classes
from newsarchive.extract.tags import BLOCK_TAGS, HEADING_TAGS, NEVER_TEXT_TAGS, NOT_INLINE_TAGS
from newsarchive.text import clean_block, clean_line

BR = "\n"
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SOURCE_NEWLINES = re.compile(r"[\r\n]+")


def source_text(text: str) -> str:
    """Text as the browser lays it out before cleaning: newlines of the HTML source are spaces."""
    return SOURCE_NEWLINES.sub(" ", text) if "\n" in text or "\r" in text else text


class Block:
    """A run of text between block boundaries: a paragraph, or one list item."""

    __slots__ = ("in_sources", "is_item", "text")

    def __init__(self, text: str, is_item: bool, in_sources: bool) -> None:
        self.text = text
        self.is_item = is_item
        self.in_sources = in_sources


class TextWalker:
    """The visible text of a subtree as blocks, in document order.

    A block element ends a paragraph; one ``<br>`` is a line break inside it and two (with only
    white space between) end it; newlines of the HTML source are spaces. Excluded elements (by
    tag, id or class) are skipped, the text after them kept. A heading that matches one of
    `stop_headings` ends the walk: nothing after it belongs to the article.
    """

    def __init__(
        self,
        exclude_classes: frozenset[str] = frozenset(),
        exclude_ids: frozenset[str] = frozenset(),
        sources_classes: frozenset[str] = frozenset(),
        stop_headings: tuple[re.Pattern[str], ...] = (),
    ) -> None:
        self.exclude_classes = exclude_classes
        self.exclude_ids = exclude_ids
        self.sources_classes = sources_classes
        self.stop_headings = stop_headings
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.in_item = 0
        self.in_sources = 0
        self.stopped = False

    def run(self, el: etree._Element) -> list[Block]:
        """The blocks of `el`'s subtree, in document order."""
        self._walk(el)
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        if not self.buffer:
            return
        joined = "".join(self.buffer)
        self.buffer.clear()
        for part in PARAGRAPH_BREAK.split(joined) if BR in joined else (joined,):
            text = clean_block(part)
            if text:
                self.blocks.append(Block(text, self.in_item > 0, self.in_sources > 0))

    def _excluded(self, el: etree._Element, classes: list[str]) -> bool:
        if self.exclude_ids and el.get("id") in self.exclude_ids:
            return True
        return bool(classes) and not self.exclude_classes.isdisjoint(classes)

    def _is_stop(self, el: etree._Element) -> bool:
        text = clean_line("".join(el.itertext()))
        return any(p.match(text) for p in self.stop_headings)

    def _walk(self, el: etree._Element) -> None:
        add = self.buffer.append
        if el.text:
            add(source_text(el.text))
        for child in el:
            tag = child.tag
            if isinstance(tag, str):  # not a comment or processing instruction
                tag = tag.lower()
                if tag == "br":
                    add(BR)
                elif tag not in NEVER_TEXT_TAGS:
                    names = classes(child)
                    if self._excluded(child, names):
                        pass
                    elif tag in BLOCK_TAGS:
                        self._block(child, tag, names)
                    else:
                        self._walk(child)
                    if self.stopped:
                        return
            if child.tail:
                add(source_text(child.tail))

    def _block(self, el: etree._Element, tag: str, classes: list[str]) -> None:
        self._flush()
        if tag in HEADING_TAGS and self.stop_headings and self._is_stop(el):
            self.stopped = True
            return
        item = tag == "li"
        sources = bool(classes) and not self.sources_classes.isdisjoint(classes)
        if not len(el):  # text only (most paragraphs): one block, nothing to walk
            text = clean_line(el.text) if el.text else ""
            if text:
                self.blocks.append(
                    Block(text, item or self.in_item > 0, sources or self.in_sources > 0)
                )
            return
        self.in_item += item
        self.in_sources += sources
        self._walk(el)
        self._flush()
        self.in_item -= item
        self.in_sources -= sources


def inline_text(el: etree._Element | None) -> str:
    """The visible text of `el` on one line (``<br>`` and block ends become spaces)."""
    if el is None:
        return ""
    if not len(el):  # text only (a tag link, most titles)
        return clean_line(el.text or "")
    if all(
        isinstance(d.tag, str) and d.tag.lower() not in NOT_INLINE_TAGS
        for d in el.iterdescendants()
    ):  # inline elements only (titles, links, date lines): all its text, as it stands
        return clean_line("".join(el.itertext()))
    return clean_line(" ".join(b.text for b in TextWalker().run(el)))
