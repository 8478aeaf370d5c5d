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
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
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


def absolute_url(href: str | None, url: str | None) -> str | None:
    """`href` made absolute against the page `url` (itself taken against BASE_URL); None for
    an empty, ``javascript:``, ``mailto:``, ``data:`` or fragment-only link."""
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    try:
        page = urljoin(BASE_URL, url or "")
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
        for part in (clean_line(p) for p in text.split("|")):
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


def _classes(el: etree._Element) -> set[str]:
    value = el.get("class")
    return set(value.split()) if value else set()


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

    def _text(self, text: str | None) -> None:
        if text:
            self.buffer.append(SOURCE_NEWLINES.sub(" ", text))

    def _flush(self) -> None:
        if not self.buffer:
            return
        joined, self.buffer = "".join(self.buffer), []
        for part in PARAGRAPH_BREAK.split(joined):
            text = clean_block(part)
            if text:
                self.blocks.append(Block(text, self.in_item > 0, self.in_sources > 0))

    def _excluded(self, el: etree._Element, tag: str) -> bool:
        if tag in NEVER_TEXT_TAGS or (self.exclude_ids and el.get("id") in self.exclude_ids):
            return True
        return bool(self.exclude_classes) and not self.exclude_classes.isdisjoint(_classes(el))

    def _is_stop(self, el: etree._Element) -> bool:
        text = clean_line("".join(el.itertext()))
        return any(p.match(text) for p in self.stop_headings)

    def _walk(self, el: etree._Element) -> None:
        self._text(el.text)
        for child in el:
            if self.stopped:
                return
            tag = child.tag
            if not isinstance(tag, str):  # a comment or processing instruction
                self._text(child.tail)
                continue
            tag = tag.lower()
            if tag == "br":
                self.buffer.append(BR)
            elif self._excluded(child, tag):
                pass
            elif tag in BLOCK_TAGS:
                self._flush()
                if tag in HEADING_TAGS and self.stop_headings and self._is_stop(child):
                    self.stopped = True
                    return
                item = tag == "li"
                sources = bool(self.sources_classes) and not self.sources_classes.isdisjoint(
                    _classes(child)
                )
                self.in_item += item
                self.in_sources += sources
                self._walk(child)
                self._flush()
                self.in_item -= item
                self.in_sources -= sources
            else:
                self._walk(child)
            self._text(child.tail)


def inline_text(el: etree._Element | None) -> str:
    """The visible text of `el` on one line (``<br>`` and block ends become spaces)."""
    if el is None:
        return ""
    return clean_line(" ".join(b.text for b in TextWalker().run(el)))


# ============================================================================================
# Selectors
# ============================================================================================


def _cls(name: str) -> str:
    """XPath predicate: the element's class attribute holds the token `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


#: Not inside a listing item or the "More from" block (their date lines are other articles').
NOT_IN_ITEM = f"not(ancestor::*[{_cls('item')} or {_cls('more_from')}])"

CONTENT = etree.XPath("(//*[@id='content'])[1]")
TITLES = etree.XPath(f".//h1[{NOT_IN_ITEM}]")
DATE_LINES = etree.XPath(f".//*[{_cls('date')}][{NOT_IN_ITEM}]")
LISTING_ITEMS = etree.XPath(f".//div[{_cls('item')}]")
TAG_LINKS = etree.XPath("//*[@id='article_tags']//a")
SOURCES_ITEMS = etree.XPath(f".//*[{_cls('sources')}][{NOT_IN_ITEM}]//li")
CAPTION_IMAGES = etree.XPath(
    f".//img[starts-with(normalize-space(@alt), 'Bulgaria:')][{NOT_IN_ITEM}]"
    f"[not(ancestor::*[{_cls('related')} or {_cls('advert')}])]"
)
PARAGRAPHS = etree.XPath(".//p")
META_URLS = etree.XPath(
    "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
    " | //link[@rel='shortlink']/@href | //meta[@name='twitter:url']/@content"
)
META_IMAGES = etree.XPath(
    "//meta[@property='og:image']/@content | //meta[@name='twitter:image']/@content"
)
LINKS = etree.XPath("//a[@href]")
SHARE_LINKS = etree.XPath(
    f"//*[{_cls('share')} or {_cls('article__share')}]//a[contains(@href, '?')]/@href"
)
FOOTER_TEXT = "Bulgaria news Novinite.com"
FOOTER = etree.XPath(f"boolean(//*[@id='footer'] | //body//text()[contains(., '{FOOTER_TEXT}')])")
NEXT_PAGE = etree.XPath(f"//li[{_cls('btn')} and {_cls('next')}]/a/@href")
ITEM_LINK = etree.XPath(f"(.//div[{_cls('text')}]//h2//a[@href] | .//h2//a[@href])[1]")
ITEM_DATE = etree.XPath(f".//div[{_cls('date')}]")

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

# --- lines that are never body, in any layout (each matched against one cleaned line) -------
_WIDGETS = r"(?:Share|Send to Kindle|Tweet|Print|E-?mail)"
SHARE = re.compile(rf"^{_WIDGETS}(?:\s*{_WIDGETS})*$", re.IGNORECASE)
APPEAL = re.compile(r"^We need your support so Novinite\.com can keep delivering", re.IGNORECASE)
REPORTER = re.compile(r"(?:^|»\s*)Be a reporter\b", re.IGNORECASE)
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
CAPTION_PREFIX = "bulgaria:"
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
    BODY = etree.XPath(".//*[@id='textsize']")
    #: The block holding the lead image and its caption (None: the image stands in the body).
    IMAGE_BLOCK: etree.XPath | None = None
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

    @classmethod
    def holds(cls, content: etree._Element) -> bool:
        """Whether `content` (the page's ``#content``) is in this layout."""
        return bool(cls.BODY(content))

    def body_container(self) -> etree._Element | None:
        found = self.BODY(self.content)
        return found[0] if found else None

    def body_and_sources(self, title: str) -> tuple[str, list[str]]:
        """The body's paragraphs joined by one blank line, and the ``Sources:`` list."""
        container = self.body_container()
        if container is None:
            return "", []
        walker = TextWalker(
            self.EXCLUDE_CLASSES, self.EXCLUDE_IDS, self.SOURCES_CLASSES, STOP_HEADINGS
        )
        caption = f"{CAPTION_PREFIX} {title}".casefold()
        paragraphs: list[str] = []
        sources: list[str] = []
        after_sources = False
        for block in walker.run(container):
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
        for img in CAPTION_IMAGES(self.content):
            src = _img_src(img)
            if src:
                return src
        if self.IMAGE_BLOCK is not None:
            for block in self.IMAGE_BLOCK(self.content):
                for img in block.iter("img"):
                    src = _img_src(img)
                    if src:
                        return src
        return None


class V2019(V2011):
    """2014–2022: paragraphs in ``div.article__text.text.text--bigger p``, image in
    ``div.article__image`` (caption ``span.article__caption``), share ``div.article__share``."""

    BODY = etree.XPath(f".//div[{_cls('article__text')}]")
    IMAGE_BLOCK = etree.XPath(f".//*[{_cls('article__image')}][{NOT_IN_ITEM}]")
    EXCLUDE_CLASSES = V2011.EXCLUDE_CLASSES | frozenset(
        _words("article__image article__caption article__share article__tags")
    )


class V2025(V2019):
    """2023 on (the seed page): paragraphs ``div#textsize p`` after ``div.article_image``, with
    share widgets, the support appeal, Sources and "Be a reporter" inside ``#textsize``."""

    BODY = V2011.BODY
    IMAGE_BLOCK = etree.XPath(f".//*[{_cls('article_image')}][{NOT_IN_ITEM}]")
    EXCLUDE_CLASSES = V2019.EXCLUDE_CLASSES | frozenset(_words("article_image donate reporter"))

    @classmethod
    def holds(cls, content: etree._Element) -> bool:
        return any(PARAGRAPHS(box) for box in cls.BODY(content))


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


def parse_article(html: str, url: str) -> Article:
    """The article on a novinite.com page; `Skip` (`not_article`, `truncated`, `no_title`,
    `no_date`, `bad_date`, `no_body`) for a page that is not one. Never half an Article."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else (html or "")
    root = parse_html(text)
    if root is None:
        raise Skip("not_article", "empty page")
    if (
        LOOKS_LIKE_HTML.search(text)
        and not HTML_END.search(text, len(text) - HTML_END_WINDOW)
        and not FOOTER(root)
    ):
        raise Skip("truncated", f"no footer and no </html> in {len(text)} characters")
    found = CONTENT(root)
    if not found:
        raise Skip("not_article", _page_detail(root, "no div#content"))
    content = found[0]
    layout = layout_for(content)(content)
    container = layout.body_container()
    date_line = _own_date_line(content, container)
    if container is None and date_line is None:  # neither date line nor body: another page
        if LISTING_ITEMS(content):
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
        tags=[t for t in map(inline_text, TAG_LINKS(root)) if t],
        sources=sources or [t for t in map(inline_text, SOURCES_ITEMS(content)) if t],
        image_url=absolute_url(image, url),
        published_raw=line.date_text,
    )


def _page_detail(root: etree._Element, why: str) -> str:
    title = root.find(".//title")
    name = clean_line(title.text or "") if title is not None else ""
    return f"{why} (page title {name[:80]!r})" if name else why


def _title(content: etree._Element) -> str:
    for h1 in TITLES(content):
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
    for candidate in DATE_LINES(content):
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


def _inside(el: etree._Element, ancestor: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


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
    found = CONTENT(root)
    entries = _page_entries(found[0] if found else root, url)
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
            elif _names_a_group(child, tag):
                group = split_section(inline_text(child))
            elif tag == "a":
                entries.extend(_link_entry(child, url, group))
            else:
                visit(child)

    visit(scope)
    return entries


def _names_a_group(el: etree._Element, tag: str) -> bool:
    """A heading without an article link, or a category link, with text: a section's name."""
    if tag in HEADING_TAGS:
        if any(site_id_from_url(a.get("href")) for a in el.iter("a")):
            return False
    elif tag != "a" or not CATEGORY_HREF.search(el.get("href") or ""):
        return False
    return bool(inline_text(el))


def _item_entry(
    item: etree._Element, url: str, group: tuple[str | None, str | None]
) -> list[ListingEntry]:
    links = ITEM_LINK(item)
    absolute = absolute_url(links[0].get("href"), url) if links else None
    site_id = site_id_from_url(absolute)
    if not site_id or not absolute:
        return []
    entry = ListingEntry(
        site_id=site_id,
        url=absolute,
        title=inline_text(links[0]) or None,
        section=group[0],
        subsection=group[1],
    )
    dates = ITEM_DATE(item)
    if dates:
        line = DateLine(inline_text(dates[0]))
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
