"""`parse_listing(html, url) -> Listing`: section listings, archive days and the RSS feed.

Entries come in page order (newest first on listings and the feed). On a page, ``div.item``
entries carry their own date line; outside items, article links are grouped under section
headings (a heading or a category link names the group).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.dates import to_utc
from newsarchive.extract import (
    HEADING_TAGS,
    NEVER_TEXT_TAGS,
    classes,
    first,
    has_class,
    inline_text,
    page_detail,
    parse_html,
)
from newsarchive.items import Listing, ListingEntry, Skip
from spiders.novinite.dateline import DateLine, split_section
from spiders.novinite.elements import CONTENT, NEXT_PAGE
from spiders.novinite.feed import feed_entries
from spiders.novinite.urls import absolute_url, site_id_from_url

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
    Entries whose link carries no article id are dropped; an id appears once. Pure: no I/O.

    Raises `Skip("not_listing")` for a page that is not one of the site's listings at all (an
    empty answer, a maintenance page, JSON, a feed that is no feed): a listing of the site may
    be empty (a quiet day), but it is the site's page."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else (html or "")
    kind = listing_kind(text, url)
    if kind == "feed":
        return Listing(kind="feed", entries=_unique(feed_entries(text, url)))
    root = parse_html(text)
    if root is None:
        raise Skip("not_listing", "empty page")
    content = CONTENT.first_in(root)
    entries = _page_entries(root if content is None else content, url)
    if content is None and not entries:  # not the site's page: a maintenance page, JSON …
        raise Skip("not_listing", page_detail(root, "no div#content and no article link"))
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
            if tag == "div" and "item" in classes(child):
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
    dates = (div for div in item.iterdescendants("div") if has_class(div, "date"))
    date_line = first(dates)
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
