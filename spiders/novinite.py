"""novinite.com (Sofia News Agency, English): pure page functions, then the Spider.

The page functions take the HTML and the URL it came from and do no I/O:

- `parse_article(html, url) -> Article`, or `Skip(reason, detail)` for a page that is not a
  valid article (and nothing else: any other exception is a bug);
- `parse_listing(html, url) -> Listing` for section listings, archive days and the RSS feed;
- `site_id_from_url(url)` and `canonical_url(site_id, title, base)`.

Twenty years of the site span three article layouts, one small class each (`V2011`, `V2019`,
`V2025`), each overriding only what changed; the page itself says which one it is
(`layout_for`). What is known of the real site is in docs/novinite-structure.md: selection
follows that structure (ids, classes, order), not the exact markup of one generator, and the
text rules (what is a paragraph, what is boilerplate) hold in every layout.

Speed: a page is parsed once (libxml2); ids are looked up in the parser's id table, not by a
scan; what is wanted first in document order (title, date line, lead image) is found by a lazy
walk that stops at it; only the article's body container is walked for text; and text is
cleaned with ``str`` methods, not a regex pass over every character.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import feedparser
from lxml import etree

from newsarchive.dates import UTC, localize, to_utc
from newsarchive.items import Article, Listing, ListingEntry, Skip
from newsarchive.sitespider import SiteSpider
from newsarchive.text import clean_block, clean_line, php_urlencode

SITE = "novinite"
TZ = "Europe/Sofia"
BASE_URL = "https://www.novinite.com/"

logger = logging.getLogger(__name__)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ============================================================================================
# URLs
# ============================================================================================

#: `/articles/{id}/{slug}`, `/articles/{id}/`, `/articles/{id}`: a path segment of digits.
ARTICLE_PATH = re.compile(r"(?:^|/)articles/0*([1-9]\d{0,11})(?:/|$)")
#: Scripts that take the article id as ``?id=N``: `view_news.php` (seen), `news.php`.
ID_QUERY_SCRIPTS = _words("view_news.php news.php")
ID_VALUE = re.compile(r"^\s*0*([1-9]\d{0,11})\s*$")
#: An article link written without its leading slash (``articles/1/x``, ``view_news.php?id=1``)
#: means the site's root wherever it stands (resolved against the page's folder, as a browser
#: would, it names a page that does not exist).
ROOTLESS_ARTICLE_HREF = re.compile(r"^(?:articles/\d|(?:view_)?news\.php\?)", re.IGNORECASE)


def site_id_from_url(url: str | None) -> str | None:
    """The article id in any URL form of an article, absolute or relative, any host; else None.

    ``/articles/229777/Some+Title``, ``/articles/229777/``, ``/articles/229777``,
    ``/view_news.php?id=229777`` (also with ``&disable_mobile=true``), ``/news.php?id=229777``.
    """
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a broken IPv6 host
        return None
    match = ARTICLE_PATH.search(parts.path)
    if match:
        return match.group(1)
    if parts.path.rsplit("/", 1)[-1].lower() in ID_QUERY_SCRIPTS:
        for value in parse_qs(parts.query).get("id", []):
            match = ID_VALUE.match(value)
            if match:
                return match.group(1)
    return None


def canonical_url(site_id: str, title: str, base: str = BASE_URL) -> str:
    """The article's canonical URL: ``{base}/articles/{id}/{urlencode(title)}`` (PHP's slug)."""
    return urljoin(base, f"/articles/{site_id}/{php_urlencode(title)}")


def site_root(url: str | None) -> str:
    """``scheme://host/`` of `url`, or `BASE_URL` when `url` has no host."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return BASE_URL
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/"
    return BASE_URL


@lru_cache(maxsize=64)
def _page_url(url: str) -> str:
    """The page's own URL taken against BASE_URL (a listing resolves all its links against it)."""
    return urljoin(BASE_URL, url)


def absolute_url(href: str | None, url: str | None) -> str | None:
    """`href` made absolute against the page `url` (itself taken against BASE_URL); None for
    an empty, ``javascript:``, ``mailto:``, ``data:`` or fragment-only link."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    try:
        page = _page_url(url or "")
        if ROOTLESS_ARTICLE_HREF.match(href):
            page = site_root(page)
        return urljoin(page, href)
    except ValueError:
        return None


# ============================================================================================
# The date line: `Section[ » Subsection] | [Author: Name |]Month D, YYYY, Weekday // HH:MM`
# ============================================================================================

MONTHS = {
    name: number
    for number, month in enumerate(
        _words(
            "january february march april may june july august september october november december"
        ),
        start=1,
    )
    for name in (month, month[:3], "sept" if number == 9 else month)
}
WEEKDAYS = {
    name: number
    for number, day in enumerate(_words("monday tuesday wednesday thursday friday saturday sunday"))
    for name in (day, day[:3], day[:4])
}
#: ``December 6, 2024, Friday // 11:06`` (%B %-d, %Y, %A // %H:%M), tolerating extra spaces, a
#: missing weekday, ``//`` spacing and a missing time (00:00, as the site prints ``// 00:00``
#: for a time it does not know).
DATE = re.compile(
    r"""^(?P<month>[^\W\d_]+)\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<year>\d{4})
        \s*(?:,\s*(?P<weekday>[^\W\d_]+)\.?)?
        \s*(?:/\s*/\s*(?P<hour>\d{1,2})\s*:\s*(?P<minute>\d{2}))?\s*$""",
    re.VERBOSE,
)
AUTHOR = re.compile(r"^Author\s*:\s*(.*)$", re.IGNORECASE)
VIEWED = re.compile(r"^Viewed\s*:", re.IGNORECASE)
SECTION_SEPARATOR = re.compile(r"\s*»\s*")
HAS_DIGIT = re.compile(r"\d")
#: Years a novinite date can fall in (the agency started in 2001; room on both sides).
YEARS = range(1990, 2101)


def parse_site_date(text: str) -> datetime:
    """``December 6, 2024, Friday // 11:06`` (Sofia wall time) as an aware Europe/Sofia time.

    ValueError when it cannot be read. A weekday that contradicts the date is logged and the
    date wins. An ambiguous autumn time takes its first occurrence (`dates.localize`).
    """
    match = DATE.match(clean_line(text))
    if not match:
        raise ValueError(f"not a novinite date: {text!r}")
    month = MONTHS.get(match["month"].lower())
    if month is None:
        raise ValueError(f"unknown month in {text!r}")
    year = int(match["year"])
    if year not in YEARS:
        raise ValueError(f"year out of range in {text!r}")
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    naive = datetime(year, month, int(match["day"]), hour, minute)  # ValueError if impossible
    weekday = match["weekday"]
    if weekday and WEEKDAYS.get(weekday.lower()) != naive.weekday():
        logger.warning("weekday %r contradicts the date in %r; the date wins", weekday, text)
    return localize(naive, TZ)


def split_section(text: str) -> tuple[str | None, str | None]:
    """``World » Southeast Europe`` → (``World``, ``Southeast Europe``)."""
    names = [n for n in SECTION_SEPARATOR.split(clean_line(text)) if n]
    if not names:
        return None, None
    return names[0], " » ".join(names[1:]) or None


class DateLine:
    """One date line read into its parts; `error` is ``no_date`` or ``bad_date`` when there is
    no usable date. The parts are split on ``|``: ``Author: …`` and ``Viewed: …`` are known by
    their label, the section comes first, the date after it (alone, it is the one with digits).
    """

    __slots__ = ("author", "date_text", "error", "local", "section", "subsection")

    def __init__(self, text: str) -> None:
        self.section: str | None = None
        self.subsection: str | None = None
        self.author: str | None = None
        self.date_text: str | None = None
        self.local: datetime | None = None
        self.error: str | None = None
        rest: list[str] = []
        for part in map(clean_line, text.split("|")):
            author = AUTHOR.match(part)
            if author:
                self.author = author.group(1).strip() or None
            elif part and not VIEWED.match(part):
                rest.append(part)
        if len(rest) == 1 and HAS_DIGIT.search(rest[0]):
            self.date_text = rest[0]
        elif rest:
            self.section, self.subsection = split_section(rest[0])
            self.date_text = rest[1] if len(rest) > 1 else None
        if self.date_text is None:
            self.error = "no_date"
            return
        try:
            self.local = parse_site_date(self.date_text)
        except ValueError:
            self.error = "bad_date"


# ============================================================================================
# Visible text out of elements
# ============================================================================================

BR = "\n"
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SOURCE_NEWLINES = re.compile(r"[\r\n]+")
#: Elements that end a paragraph (every other element is inline: its text runs on).
BLOCK_TAGS = frozenset(
    _words(
        "p div ul ol li dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tfoot tr td"
        " th section article aside header footer nav main address hr center"
    )
)
#: Elements whose text is never visible text of the article.
NEVER_TEXT_TAGS = frozenset(
    _words(
        "script style noscript template iframe object embed svg img picture video audio source"
        " button form input select textarea label figure figcaption map canvas head title meta"
        " link"
    )
)
HEADING_TAGS = frozenset(_words("h1 h2 h3 h4 h5 h6"))


def _classes(el: etree._Element) -> list[str]:
    """The tokens of the element's class attribute."""
    value = el.get("class")
    return value.split() if value else []


def _source_text(text: str) -> str:
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
            add(_source_text(el.text))
        for child in el:
            tag = child.tag
            if isinstance(tag, str):  # not a comment or processing instruction
                tag = tag.lower()
                if tag == "br":
                    add(BR)
                elif tag not in NEVER_TEXT_TAGS:
                    classes = _classes(child)
                    if self._excluded(child, classes):
                        pass
                    elif tag in BLOCK_TAGS:
                        self._block(child, tag, classes)
                    else:
                        self._walk(child)
                    if self.stopped:
                        return
            if child.tail:
                add(_source_text(child.tail))

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


#: Elements that are not plain inline text for `inline_text`.
NOT_INLINE_TAGS = BLOCK_TAGS | NEVER_TEXT_TAGS | {"br"}


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


# ============================================================================================
# Parsing, and finding elements
# ============================================================================================

PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, recover=True
)


def parse_html(html: str | bytes) -> etree._Element | None:
    """The document's root element (lxml, read as UTF-8), or None for an empty page."""
    data = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    if not data.strip():
        return None
    try:
        return etree.fromstring(data, PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def _cls(name: str) -> str:
    """XPath predicate: the element's class attribute holds the token `name` (a cheap
    ``contains`` first, so the exact test runs only on the few elements that can match)."""
    return (
        f"contains(@class, '{name}')"
        f" and contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
    )


def _has_class(el: etree._Element, name: str) -> bool:
    """Whether the element's class attribute holds the token `name`."""
    value = el.get("class")
    return bool(value) and name in value.split()


def _under(el: etree._Element, classes: frozenset[str]) -> bool:
    """Whether an ancestor of `el` has a class of `classes`."""
    return any(not classes.isdisjoint(_classes(a)) for a in el.iterancestors())


def _inside(el: etree._Element, ancestor: etree._Element) -> bool:
    """Whether `el` is below `ancestor`."""
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _first(elements: Iterator[etree._Element]) -> etree._Element | None:
    return next(elements, None)


def _in_order(el: etree._Element) -> Iterator[etree._Element]:
    """The elements below `el` in document order, lazily: a search for the first of something
    near the top stops there. (lxml's own iterators find the next match before they return one,
    so even their first answer costs a scan of the rest of the subtree.)"""
    stack = [iter(el)]
    while stack:
        for child in stack[-1]:
            if isinstance(child.tag, str):
                yield child
                stack.append(iter(child))
                break
        else:
            stack.pop()


class ById:
    """Elements by id in a page read by `parse_html`, in document order. The first one costs a
    lookup, not a scan: libxml2 keeps a table of the ids it parsed (the first element of each id
    wins, as in document order). The scan is left for what the table cannot answer: an
    ``<a name>`` of that name registered first, or a first element outside the scope."""

    LOOKUP = etree.XPath("id($name)")
    SCAN = etree.XPath("descendant-or-self::*[@id = $name]")

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, root: etree._Element) -> list[etree._Element]:
        """``(//*[@id=name])[1]`` as a list, as an XPath would give it."""
        found = self.first_in(root)
        return [] if found is None else [found]

    def first_in(self, scope: etree._Element) -> etree._Element | None:
        """The first element with the id in `scope` (the scope itself included)."""
        if IDS_INDEXED:
            found = self.LOOKUP(scope, name=self.name)
            if not found:
                return None  # the table holds every id of the page: there is none
            el = found[0]
            if el.get("id") == self.name and (el is scope or _inside(el, scope)):
                return el
        found = self.all_in(scope)
        return found[0] if found else None

    def all_in(self, scope: etree._Element) -> list[etree._Element]:
        return self.SCAN(scope, name=self.name)


class ByClass:
    """The `tag` elements whose class holds the token `name`, in document order."""

    def __init__(self, name: str, tag: str = "*") -> None:
        self.name = name
        self.xpath = etree.XPath(f"descendant::{tag}[{_cls(name)}]")

    def first_in(self, scope: etree._Element) -> etree._Element | None:
        found = self.xpath(scope)
        return found[0] if found else None

    def all_in(self, scope: etree._Element) -> list[etree._Element]:
        return self.xpath(scope)


#: Whether this libxml2 keeps the ids of HTML documents in its id table (it does, unless lxml
#: is told not to collect ids): if not, `ById` scans.
IDS_INDEXED = bool(ById.LOOKUP(etree.fromstring(b"<p id='x'>x</p>", PARSER), name="x"))

CONTENT = ById("content")
TAGS_BLOCK = ById("article_tags")
TEXTSIZE = ById("textsize")
#: Blocks holding other articles' entries: a listing item, the "More from" block. Their titles,
#: date lines and images are not the page's.
LISTING_BLOCKS = frozenset(_words("item more_from"))
#: Blocks whose image is never the lead image.
NOT_LEAD_IMAGE_BLOCKS = LISTING_BLOCKS | frozenset(_words("related advert"))
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
    f"//*[{_cls('share')} or {_cls('article__share')}]//a[contains(@href, '?')]/@href"
)
FOOTER_TEXT = "Bulgaria news Novinite.com"
FOOTER = etree.XPath(f"boolean(//*[@id='footer'] | //body//text()[contains(., '{FOOTER_TEXT}')])")
NEXT_PAGE = etree.XPath(f"descendant::li[{_cls('next')} and {_cls('btn')}]/a/@href")


def _titles(content: etree._Element) -> Iterator[etree._Element]:
    """The ``h1`` of #content outside listing items, in document order."""
    return (el for el in _in_order(content) if el.tag == "h1" and not _under(el, LISTING_BLOCKS))


def _date_lines(content: etree._Element) -> Iterator[etree._Element]:
    """The ``.date`` of #content outside listing items, in document order."""
    return (
        el for el in _in_order(content) if _has_class(el, "date") and not _under(el, LISTING_BLOCKS)
    )


def _caption_images(content: etree._Element) -> Iterator[etree._Element]:
    """The ``img alt="Bulgaria: …"`` of #content outside other articles, related and adverts."""
    return (
        el
        for el in _in_order(content)
        if el.tag == "img"
        and (el.get("alt") or "").lstrip(XML_SPACE).startswith(LEAD_IMAGE_ALT)
        and not _under(el, NOT_LEAD_IMAGE_BLOCKS)
    )


def _sources_items(content: etree._Element) -> Iterator[etree._Element]:
    """The ``li`` of ``.sources`` blocks in #content outside listing items, in document order
    (few elements of a page are ``li``: each one's ancestors are read, not every element's)."""
    for li in content.iterdescendants("li"):
        for parent in li.iterancestors():
            if parent is content:
                break
            if _has_class(parent, "sources") and not _under(parent, LISTING_BLOCKS):
                yield li
                break


def _has_paragraph(el: etree._Element) -> bool:
    """Whether `el` holds a ``p`` (lxml stops at the second one: they come in runs)."""
    return _first(el.iterdescendants("p")) is not None


HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)
#: How far from the end of a page its closing ``</html>`` is looked for.
HTML_END_WINDOW = 16_384
LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
#: Words of a block, captcha or rate-limit page served instead of an article.
BLOCK_PAGE = re.compile(
    r"captcha|access denied|are you a robot|verify you are human|too many requests"
    r"|just a moment|attention required|request blocked|you have been blocked",
    re.IGNORECASE,
)


def _ends_html(text: str) -> bool:
    """Whether ``</html>`` closes the page (within its last `HTML_END_WINDOW` characters)."""
    start = max(0, len(text) - HTML_END_WINDOW)
    return text.rfind("</html>") >= start or HTML_END.search(text, start) is not None


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


# ============================================================================================
# Layouts
# ============================================================================================


class V2011:
    """Before 2014: the body is text in ``div#textsize`` split by ``<br /><br />`` (no ``<p>``),
    after an ``<img alt="Bulgaria: …">``, ending with the old trailer lines."""

    #: The body container, inside ``#content``.
    BODY: ById | ByClass = TEXTSIZE
    #: The block holding the lead image and its caption (None: the image stands in the body).
    IMAGE_BLOCK: ByClass | None = None
    #: Classes and ids of blocks in the body container that are never body text.
    EXCLUDE_CLASSES = frozenset(
        _words("caption photo_by date item related advert more_from share social tags")
    )
    EXCLUDE_IDS = frozenset(_words("article_tags footer"))
    #: Classes of the list of the article's sources.
    SOURCES_CLASSES = frozenset(_words("sources"))
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
                sources.extend(_source_items(block.text))
                continue
            if after_sources:  # after "Sources:" and its list, nothing is body
                continue
            marker = SOURCES.match(lines[0])
            if marker:
                after_sources = True
                for line in (marker.group(1), *lines[1:]):
                    sources.extend(_source_items(line))
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
        for img in _caption_images(self.content):
            src = _img_src(img)
            if src:
                return src
        if self.IMAGE_BLOCK is not None:
            for block in self.IMAGE_BLOCK.all_in(self.content):
                if _under(block, LISTING_BLOCKS):
                    continue
                for img in block.iter("img"):
                    src = _img_src(img)
                    if src:
                        return src
        return None


class V2019(V2011):
    """2014–2022: paragraphs in ``div.article__text.text.text--bigger p``, image in
    ``div.article__image`` (caption ``span.article__caption``), share ``div.article__share``."""

    BODY = ByClass("article__text", "div")
    IMAGE_BLOCK = ByClass("article__image")
    EXCLUDE_CLASSES = V2011.EXCLUDE_CLASSES | frozenset(
        _words("article__image article__caption article__share article__tags")
    )


class V2025(V2019):
    """2023 on (the seed page): paragraphs ``div#textsize p`` after ``div.article_image``, with
    share widgets, the support appeal, Sources and "Be a reporter" inside ``#textsize``."""

    BODY = TEXTSIZE
    IMAGE_BLOCK = ByClass("article_image")
    EXCLUDE_CLASSES = V2019.EXCLUDE_CLASSES | frozenset(_words("article_image donate reporter"))

    @classmethod
    def holds(cls, content: etree._Element) -> bool:
        """A ``#textsize`` in #content with paragraphs (the first one has them, as a rule)."""
        first = cls.BODY.first_in(content)
        if first is None:
            return False
        return _has_paragraph(first) or any(map(_has_paragraph, cls.BODY.all_in(content)))


#: Most specific first: the first layout the page holds parses it; V2011 when none does.
LAYOUTS: tuple[type[V2011], ...] = (V2019, V2025, V2011)


def layout_for(content: etree._Element) -> type[V2011]:
    """The layout class for an article's ``#content``, by what it holds."""
    return next((layout for layout in LAYOUTS if layout.holds(content)), V2011)


def _img_src(img: etree._Element) -> str | None:
    for attr in ("src", "data-src", "data-original"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None


def _source_items(text: str) -> list[str]:
    """One source line, or an inline comma-separated list, as cleaned items."""
    line = clean_line(text)
    if not line:
        return []
    if ("," in line or ";" in line) and not (line.startswith('"') and line.endswith('"')):
        return [s for s in SOURCE_SEPARATOR.split(line) if s]
    return [line]


# ============================================================================================
# Articles
# ============================================================================================


def parse_article(html: str, url: str) -> Article:
    """The article on a novinite.com page; `Skip` (`not_article`, `truncated`, `no_title`,
    `no_date`, `bad_date`, `no_body`) for a page that is not one. Never half an Article."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else (html or "")
    root = parse_html(text)
    if root is None:
        raise Skip("not_article", "empty page")
    if LOOKS_LIKE_HTML.search(text) and not _ends_html(text) and not FOOTER(root):
        raise Skip("truncated", f"no footer and no </html> in {len(text)} characters")
    content = CONTENT.first_in(root)
    if content is None:
        raise Skip("not_article", _page_detail(root, "no div#content"))
    layout = layout_for(content)(content)
    container = layout.container
    date_line = _own_date_line(content, container)
    if container is None and date_line is None:  # neither date line nor body: another page
        if LISTING_ITEMS.first_in(content) is not None:
            why = "a listing (div.item)"
        elif BLOCK_PAGE.search(inline_text(root.find("body"))[:2000]):
            why = "a block or captcha page"
        else:
            why = "no date line and no article body"
        raise Skip("not_article", _page_detail(root, why))

    title = _title(content)
    if not title:
        raise Skip("no_title", "no text in the h1 of #content")

    site_id = site_id_from_url(url) or _site_id_from_page(root, title)
    if site_id is None:
        raise Skip("not_article", f"no article id in the URL {url!r} or the page")

    if date_line is None:
        raise Skip("no_date", "no date line (.date) in #content")
    line = DateLine(inline_text(date_line))
    if line.local is None:
        if line.error == "bad_date":
            raise Skip("bad_date", f"cannot read the date {line.date_text!r}")
        raise Skip("no_date", f"no date in the date line {inline_text(date_line)!r}")

    body, sources = layout.body_and_sources(title)
    if not body:
        raise Skip("no_body", f"no body text ({type(layout).__name__} layout)")

    image = layout.image_src() or next(iter(META_IMAGES(root)), None)
    tags_block = TAGS_BLOCK.first_in(root)
    tags = [] if tags_block is None else list(map(inline_text, tags_block.iterdescendants("a")))
    return Article(
        site=SITE,
        site_id=site_id,
        url=canonical_url(site_id, title, site_root(url)),
        title=title,
        published=to_utc(line.local),
        published_local=line.local,
        body=body,
        section=line.section,
        subsection=line.subsection,
        author=line.author,
        tags=[t for t in tags if t],
        sources=sources or [t for t in map(inline_text, _sources_items(content)) if t],
        image_url=absolute_url(image, url),
        published_raw=line.date_text,
    )


def _page_detail(root: etree._Element, why: str) -> str:
    title = root.find(".//title")
    name = clean_line(title.text or "") if title is not None else ""
    return f"{why} (page title {name[:80]!r})" if name else why


def _title(content: etree._Element) -> str:
    for h1 in _titles(content):
        text = inline_text(h1)
        if text:
            return text
    return ""


def _own_date_line(
    content: etree._Element, container: etree._Element | None
) -> etree._Element | None:
    """The article's own date line: the first ``.date`` in #content outside listing items and
    the More-from block, and outside the body (a reprint's date line in the body is not the
    page's) unless it stands in the body before any paragraph."""
    in_body = None
    for candidate in _date_lines(content):
        if container is None or not _inside(candidate, container):
            return candidate
        in_body = in_body if in_body is not None else candidate
    if in_body is not None and container is not None:
        for el in container.iter():
            if el is in_body:
                return el
            if el.tag == "p" and (el.text or "").strip():
                break
    return None


def _site_id_from_page(root: etree._Element, title: str) -> str | None:
    """The id when the URL lacks it: a canonical link or og:url, else a link on the page to
    this very article (one whose slug is this title's)."""
    for value in META_URLS(root):
        site_id = site_id_from_url(value)
        if site_id:
            return site_id
    for href in SHARE_LINKS(root):  # a share widget shares this very article
        for values in parse_qs(urlsplit(href).query).values():
            site_id = next(filter(None, map(site_id_from_url, values)), None)
            if site_id:
                return site_id
    slug = php_urlencode(title).casefold()
    for a in LINKS(root):
        href = a.get("href") or ""
        site_id = site_id_from_url(href)
        if not site_id:
            continue
        tail = href.split(f"/{site_id}/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
        if tail and php_urlencode(unquote(tail.replace("+", " "))).casefold() == slug:
            return site_id
    return None


# ============================================================================================
# Listings: section listings, archive days, the feed
# ============================================================================================

FEED_PATH = re.compile(r"/services/news_rdf\.php$|\.(?:rdf|rss|xml)$", re.IGNORECASE)
ARCHIVE_PATH = re.compile(r"/archives/\d{4}-\d{2}-\d{2}/?$")
FEED_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rdf:RDF|rss|feed)\b", re.DOTALL
)
CATEGORY_HREF = re.compile(r"/articles/category/\d+|category\.php\?")


def listing_kind(html: str, url: str) -> str:
    """``feed``, ``archive`` or ``section``: by the URL, else by what the page holds."""
    try:
        path = urlsplit(url or "").path
    except ValueError:
        path = ""
    if FEED_PATH.search(path) or FEED_START.match(html[:2048]):
        return "feed"
    if ARCHIVE_PATH.search(path):
        return "archive"
    return "section"


def parse_listing(html: str, url: str) -> Listing:
    """The article links of a section listing, an archive day or the RSS feed, in page order
    (newest first on listings and the feed), and the next listing page's URL if there is one.
    Entries whose link carries no article id are dropped; an id appears once. Pure: no I/O."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else (html or "")
    kind = listing_kind(text, url)
    if kind == "feed":
        return Listing(kind="feed", entries=_unique(_feed_entries(text, url)))
    root = parse_html(text)
    if root is None:
        return Listing(kind=kind)
    content = CONTENT.first_in(root)
    entries = _page_entries(root if content is None else content, url)
    next_url = None
    if kind == "section":
        hrefs = NEXT_PAGE(root)
        next_url = absolute_url(hrefs[0], url) if hrefs else None
    return Listing(kind=kind, entries=_unique(entries), next_url=next_url)


def _page_entries(scope: etree._Element, url: str) -> list[ListingEntry]:
    """``div.item`` entries; outside items, article links grouped under section headings (a
    heading or a category link names the group), in page order."""
    entries: list[ListingEntry] = []
    group: tuple[str | None, str | None] = (None, None)

    def visit(el: etree._Element) -> None:
        nonlocal group
        for child in el:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if not tag or tag in NEVER_TEXT_TAGS:
                continue
            if tag == "div" and "item" in _classes(child):
                entries.extend(_item_entry(child, url, group))
                continue
            name = _group_name(child, tag)
            if name:
                group = split_section(name)
            elif tag == "a":
                entries.extend(_link_entry(child, url, group))
            else:
                visit(child)

    visit(scope)
    return entries


def _group_name(el: etree._Element, tag: str) -> str:
    """The text of a heading without an article link, or of a category link: a section's name
    (empty for any other element)."""
    if tag in HEADING_TAGS:
        if any(site_id_from_url(a.get("href")) for a in el.iter("a")):
            return ""
    elif tag != "a" or not CATEGORY_HREF.search(el.get("href") or ""):
        return ""
    return inline_text(el)


def _item_link(item: etree._Element) -> etree._Element | None:
    """The item's title link: the first ``a[href]`` inside an ``h2`` of the item (the one in
    ``div.text``, where the site puts it)."""
    for a in item.iterdescendants("a"):
        if a.get("href") is None:
            continue
        for parent in a.iterancestors():
            if parent is item:
                break
            if parent.tag == "h2":
                return a
    return None


def _item_entry(
    item: etree._Element, url: str, group: tuple[str | None, str | None]
) -> list[ListingEntry]:
    link = _item_link(item)
    absolute = absolute_url(link.get("href"), url) if link is not None else None
    site_id = site_id_from_url(absolute)
    if not site_id or not absolute:
        return []
    entry = ListingEntry(
        site_id=site_id,
        url=absolute,
        title=inline_text(link) or None,
        section=group[0],
        subsection=group[1],
    )
    dates = (div for div in item.iterdescendants("div") if _has_class(div, "date"))
    date_line = _first(dates)
    if date_line is not None:
        line = DateLine(inline_text(date_line))
        if line.section:
            entry.section, entry.subsection = line.section, line.subsection
        if line.local is not None:
            entry.published = to_utc(line.local)
    return [entry]


def _link_entry(
    a: etree._Element, url: str, group: tuple[str | None, str | None]
) -> list[ListingEntry]:
    absolute = absolute_url(a.get("href"), url)
    site_id = site_id_from_url(absolute)
    title = inline_text(a)
    if not site_id or not absolute or not title:
        return []
    return [
        ListingEntry(
            site_id=site_id, url=absolute, title=title, section=group[0], subsection=group[1]
        )
    ]


def _unique(entries: list[ListingEntry]) -> list[ListingEntry]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.site_id not in seen:
            seen.add(entry.site_id)
            kept.append(entry)
    return kept


def _feed_entries(text: str, url: str) -> list[ListingEntry]:
    """RSS 1.0 (RDF) and RSS 2.0 items: link (``view_news.php?id=N``), title, date if any."""
    # A stream, never a string: feedparser fetches a string that looks like a URL.
    feed = feedparser.parse(io.BytesIO(text.encode("utf-8", "replace")))
    entries = []
    for item in feed.entries:
        candidates = [item.get("link"), item.get("id"), item.get("guid")]
        candidates += [link.get("href") for link in item.get("links", [])]
        link = next((c for c in candidates if isinstance(c, str) and site_id_from_url(c)), None)
        if link is None:
            continue
        entries.append(
            ListingEntry(
                site_id=site_id_from_url(link) or "",
                url=absolute_url(link, url) or link,
                title=clean_line(item.get("title") or "") or None,
                published=_feed_date(item),
            )
        )
    return entries


def _feed_date(item: feedparser.FeedParserDict) -> datetime | None:
    """dc:date (W3CDTF) or pubDate (RFC 822); a time without an offset is Sofia wall time."""
    for key in ("published", "updated", "dc_date", "date"):
        raw = item.get(key)
        value = _feed_time(raw.strip()) if isinstance(raw, str) and raw.strip() else None
        if value is not None:
            return value
    return None


def _feed_time(raw: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if value.tzinfo is None:  # RFC 822 "-0000": UTC, source unknown
            value = value.replace(tzinfo=UTC)
    try:
        if value.tzinfo is None:  # W3CDTF without an offset: the site's wall time
            return to_utc(localize(value.replace(microsecond=0), TZ))
        return to_utc(value)
    except (OverflowError, ValueError):
        return None


# --- Spider ---------------------------------------------------------------------------------
#: The section listings whose fronts an hourly run walks after a gap (the real category ids).
SECTIONS: tuple[tuple[int, str], ...] = (
    (1, "Business"),
    (2, "Politics"),
    (3, "Society"),
    (4, "Sports"),
    (5, "Crime"),
    (6, "Lifestyle"),
    (10, "Views on BG"),
    (11, "Editorial"),
    (15, "Finance"),
    (16, "Energy"),
    (17, "Industry"),
    (18, "Properties"),
    (20, "Diplomacy"),
    (21, "Defense"),
    (22, "Bulgaria in EU"),
    (23, "Domestic"),
    (24, "Environment"),
    (25, "Education"),
    (26, "Culture"),
    (30, "World"),
    (34, "Archaeology"),
    (62, "Health"),
    (81, "Novinite Insider"),
)
#: The oldest day a `--full` backfill walks back to when no `--since` is given.
FIRST_DAY = date(2001, 1, 1)


class NoviniteSpider(SiteSpider):
    """novinite.com (Sofia News Agency): discovery, pagination and incremental stop live in
    `SiteSpider`; this class says where novinite keeps its feed, listings and archive days."""

    name = "novinite"
    site = SITE
    tz = TZ
    default_base_url = BASE_URL
    first_day = FIRST_DAY
    parse_article_html = staticmethod(parse_article)
    parse_listing_html = staticmethod(parse_listing)

    def feed_urls(self) -> list[str]:
        return [urljoin(self.base_url, "services/news_rdf.php")]

    def section_urls(self) -> list[str]:
        return [
            urljoin(self.base_url, f"articles/category/{n}/{php_urlencode(name)}")
            for n, name in SECTIONS
        ]

    def archive_day_url(self, day: date) -> str:
        return urljoin(self.base_url, f"archives/{day.isoformat()}")

    def article_url(self, site_id: str) -> str:
        return urljoin(self.base_url, f"articles/{site_id}/")
