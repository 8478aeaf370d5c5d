"""The article layouts of twenty years of novinite, one small class each, and the boilerplate.

`V2011`, `V2019(V2011)`, `V2025(V2019)`: each overrides only what changed (the body container,
the image block, what is excluded); the page itself says which one it is (`layout_for`). The
text rules (what is a paragraph, what is boilerplate) hold in every layout: the patterns below
are each matched against one cleaned line of the body.
"""

from __future__ import annotations

import re

from lxml import etree

from newsarchive.extract import ByClass, ById, TextWalker, img_src, under, words
from newsarchive.text import clean_line
from spiders.novinite.elements import (
    LEAD_IMAGE_ALT,
    LISTING_BLOCKS,
    TEXTSIZE,
    caption_images,
    has_paragraph,
)

# --- lines that are never body, in any layout (each matched against one cleaned line) -------
_WIDGETS = r"(?:Share|Send to Kindle|Tweet|Print|E-?mail)"
SHARE = re.compile(rf"^{_WIDGETS}(?:\s*{_WIDGETS})*$", re.IGNORECASE)
APPEAL = re.compile(r"^We need your support so Novinite\.com can keep delivering", re.IGNORECASE)
#: ``Be a reporter`` starting the line or after a ``»`` (written as an anchored match: a search
#: for ``(?:^|»)`` would try every position of every line).
REPORTER = re.compile(r"^(?:.*»\s*)?Be a reporter\b", re.IGNORECASE | re.DOTALL)
TRAILERS = (
    re.compile(r"^Follow Novinite\.com on Twitter and Facebook\.?$", re.IGNORECASE),
    re.compile(r"^Write to us at editors@novinite\.com\.?$", re.IGNORECASE),
    re.compile(r"^Информирайте се на Български\s*[-–—]?\s*Novinite\.bg\.?$", re.IGNORECASE),
)
REPRINT = re.compile(r"^From Novinite\.com \(Sofia News Agency\)\.?$", re.IGNORECASE)
PHOTO_CREDIT = re.compile(r"^Photos?\s*(?:by|:)\s*\S.{0,60}$", re.IGNORECASE)
ADVERT = re.compile(r"^Advertisement$", re.IGNORECASE)
#: A date line standing alone in the body (a reprinted text's own): ``… | Month D, YYYY … // HH:MM``.
DATE_LINE_TEXT = re.compile(r"^(?:[^|]*\|\s*)?[^\W\d_]+\s+\d{1,2},\s*\d{4}\b.*//\s*\d{1,2}:\d{2}$")
#: The lead image's caption and alt: ``Bulgaria: {title}``.
CAPTION_PREFIX = LEAD_IMAGE_ALT.casefold()
SOURCES = re.compile(r"^Sources?\s*:\s*(.*)$", re.IGNORECASE)
SOURCE_SEPARATOR = re.compile(r"\s*[,;]\s*")
#: Headings inside the body container after which nothing is the article's.
STOP_HEADINGS = (
    re.compile(r"^Related Articles\b", re.IGNORECASE),
    re.compile(r"^More from\b", re.IGNORECASE),
    re.compile(r"^Tags\s*:", re.IGNORECASE),
)


class V2011:
    """Before 2014: the body is text in ``div#textsize`` split by ``<br /><br />`` (no ``<p>``),
    after an ``<img alt="Bulgaria: …">``, ending with the old trailer lines."""

    #: The body container, inside ``#content``.
    BODY: ById | ByClass = TEXTSIZE
    #: The block holding the lead image and its caption (None: the image stands in the body).
    IMAGE_BLOCK: ByClass | None = None
    #: Classes and ids of blocks in the body container that are never body text.
    EXCLUDE_CLASSES = frozenset(
        words("caption photo_by date item related advert more_from share social tags")
    )
    EXCLUDE_IDS = frozenset(words("article_tags footer"))
    #: Classes of the list of the article's sources.
    SOURCES_CLASSES = frozenset(words("sources"))
    BOILERPLATE: tuple[re.Pattern[str], ...] = (
        SHARE,
        APPEAL,
        REPORTER,
        *TRAILERS,
        REPRINT,
        PHOTO_CREDIT,
        ADVERT,
        DATE_LINE_TEXT,
    )

    def __init__(self, content: etree._Element) -> None:
        self.content = content
        #: The body container (`BODY`'s first), or None.
        self.container = self.BODY.first_in(content)

    @classmethod
    def holds(cls, content: etree._Element) -> bool:
        """Whether `content` (the page's ``#content``) is in this layout."""
        return cls.BODY.first_in(content) is not None

    def body_and_sources(self, title: str) -> tuple[str, list[str]]:
        """The body's paragraphs joined by one blank line, and the ``Sources:`` list."""
        if self.container is None:
            return "", []
        walker = TextWalker(
            self.EXCLUDE_CLASSES, self.EXCLUDE_IDS, self.SOURCES_CLASSES, STOP_HEADINGS
        )
        caption = f"{CAPTION_PREFIX} {title}".casefold()
        paragraphs: list[str] = []
        sources: list[str] = []
        after_sources = False
        for block in walker.run(self.container):
            lines = block.text.split("\n")
            if block.in_sources or (after_sources and block.is_item):
                sources.extend(source_items(block.text))
                continue
            if after_sources:  # after "Sources:" and its list, nothing is body
                continue
            marker = SOURCES.match(lines[0])
            if marker:
                after_sources = True
                for line in (marker.group(1), *lines[1:]):
                    sources.extend(source_items(line))
                continue
            kept = [line for line in lines if not self._boilerplate(line, caption, paragraphs)]
            if kept:
                paragraphs.append("\n".join(kept))
        return "\n\n".join(paragraphs), sources

    def _boilerplate(self, line: str, caption: str, before: list[str]) -> bool:
        folded = line.casefold()
        if folded == caption or (not before and folded.startswith(CAPTION_PREFIX)):
            return True  # the lead image's caption (maybe of an earlier title), before the body
        return any(p.search(line) for p in self.BOILERPLATE)

    def image_src(self) -> str | None:
        """The lead image's src as written: the ``Bulgaria: …`` img, else the image block's."""
        for img in caption_images(self.content):
            src = img_src(img)
            if src:
                return src
        if self.IMAGE_BLOCK is not None:
            for block in self.IMAGE_BLOCK.all_in(self.content):
                if under(block, LISTING_BLOCKS):
                    continue
                for img in block.iter("img"):
                    src = img_src(img)
                    if src:
                        return src
        return None


class V2019(V2011):
    """2014–2022: paragraphs in ``div.article__text.text.text--bigger p``, image in
    ``div.article__image`` (caption ``span.article__caption``), share ``div.article__share``."""

    BODY = ByClass("article__text", "div")
    IMAGE_BLOCK = ByClass("article__image")
    EXCLUDE_CLASSES = V2011.EXCLUDE_CLASSES | frozenset(
        words("article__image article__caption article__share article__tags")
    )


class V2025(V2019):
    """2023 on (the seed page): paragraphs ``div#textsize p`` after ``div.article_image``, with
    share widgets, the support appeal, Sources and "Be a reporter" inside ``#textsize``."""

    BODY = TEXTSIZE
    IMAGE_BLOCK = ByClass("article_image")
    EXCLUDE_CLASSES = V2019.EXCLUDE_CLASSES | frozenset(words("article_image donate reporter"))

    @classmethod
    def holds(cls, content: etree._Element) -> bool:
        """A ``#textsize`` in #content with paragraphs (the first one has them, as a rule)."""
        first = cls.BODY.first_in(content)
        if first is None:
            return False
        return has_paragraph(first) or any(map(has_paragraph, cls.BODY.all_in(content)))


#: Most specific first: the first layout the page holds parses it; V2011 when none does.
LAYOUTS: tuple[type[V2011], ...] = (V2019, V2025, V2011)


def layout_for(content: etree._Element) -> type[V2011]:
    """The layout class for an article's ``#content``, by what it holds."""
    return next((layout for layout in LAYOUTS if layout.holds(content)), V2011)


def source_items(text: str) -> list[str]:
    """One source line, or an inline comma-separated list, as cleaned items."""
    line = clean_line(text)
    if not line:
        return []
    if ("," in line or ";" in line) and not (line.startswith('"') and line.endswith('"')):
        return [s for s in SOURCE_SEPARATOR.split(line) if s]
    return [line]
