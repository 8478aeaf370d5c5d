"""`parse_article(html, url) -> Article`: the article on a novinite page, or `Skip`.

A page is parsed once; the layout is chosen by what ``#content`` holds (`layout_for`); only
the layout's body container is walked for text. A page that is not a valid article raises
`Skip(reason, detail)` and nothing else: any other exception is a bug.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

from newsarchive.dates import to_utc
from newsarchive.extract import (
    BLOCK_PAGE,
    LOOKS_LIKE_HTML,
    ends_html,
    inline_text,
    inside,
    page_detail,
    parse_html,
)
from newsarchive.items import Article, Skip
from newsarchive.text import php_urlencode
from spiders.novinite.dateline import DateLine
from spiders.novinite.elements import (
    CONTENT,
    FOOTER,
    LINKS,
    LISTING_ITEMS,
    META_IMAGES,
    META_URLS,
    SHARE_LINKS,
    TAGS_BLOCK,
    date_lines,
    sources_items,
    titles,
)
from spiders.novinite.layouts import V2011, layout_for
from spiders.novinite.site import SITE
from spiders.novinite.urls import absolute_url, canonical_url, on_site, site_id_from_url


def parse_article(html: str, url: str) -> Article:
    """The article on a novinite.com page; `Skip` (`not_article`, `truncated`, `no_title`,
    `no_date`, `bad_date`, `no_body`) for a page that is not one. Never half an Article."""
    root, content = article_page(html)
    layout = layout_for(content)(content)
    container = layout.container
    date_line = _own_date_line(content, container)
    if container is None and date_line is None:  # neither date line nor body: another page
        raise Skip("not_article", page_detail(root, _other_page(root, content)))

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
        url=canonical_url(site_id, title),  # the site's own address, whatever root served it
        title=title,
        published=to_utc(line.local),
        published_local=line.local,
        body=body,
        section=line.section,
        subsection=line.subsection,
        author=line.author,
        tags=[t for t in tags if t],
        sources=sources or [t for t in map(inline_text, sources_items(content)) if t],
        image_url=on_site(absolute_url(image, url), url),
        published_raw=line.date_text,
    )


def article_page(html: str | bytes) -> tuple[etree._Element, etree._Element]:
    """The page's root element and its ``#content``; `Skip` for a page without them:
    ``not_article`` (empty, no ``#content``) or ``truncated`` (cut off in transit: no footer and
    no ``</html>``, never extracted as a shorter article)."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else (html or "")
    root = parse_html(text)
    if root is None:
        raise Skip("not_article", "empty page")
    if LOOKS_LIKE_HTML.search(text) and not ends_html(text) and not FOOTER(root):
        raise Skip("truncated", f"no footer and no </html> in {len(text)} characters")
    content = CONTENT.first_in(root)
    if content is None:
        raise Skip("not_article", page_detail(root, "no div#content"))
    return root, content


def page_layout(html: str | bytes) -> type[V2011] | None:
    """The layout `parse_article` reads the page with; None for a page skipped before a layout
    is chosen (empty, truncated, no ``#content``). Golden pages are keyed by it."""
    try:
        _root, content = article_page(html)
    except Skip:
        return None
    return layout_for(content)


def _other_page(root: etree._Element, content: etree._Element) -> str:
    """What a page with ``#content`` but neither date line nor body is (for the skip's detail)."""
    if LISTING_ITEMS.first_in(content) is not None:
        return "a listing (div.item)"
    if BLOCK_PAGE.search(inline_text(root.find("body"))[:2000]):
        return "a block, captcha or maintenance page"
    return "no date line and no article body"


def _title(content: etree._Element) -> str:
    for h1 in titles(content):
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
    for candidate in date_lines(content):
        if container is None or not inside(candidate, container):
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
