"""`parse_article(html, url, profile=None) -> Article`: the article on any news site's page, or
`Skip(reason)` for a page that is not one. Pure: no I/O, the same answer for the same input.

`profile` is any object with the optional attributes `name` (site key; default the host),
`timezone` (IANA; for dates printed without an offset; default UTC), `article_url` (a regex
with ``(?P<id>...)``) and `selectors` (field -> CSS selector for title, published, author,
body, tags, section). Missing attributes take their defaults.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from lxml import etree, html

from newsarchive.dates import zone
from newsarchive.extract import BLOCK_PAGE, LOOKS_LIKE_HTML, ends_html, page_detail
from newsarchive.items import Article, Skip
from spiders.generic import fields, identity, when
from spiders.generic.body import body_text
from spiders.generic.metadata import PageMeta

#: Fewer words than this are no article's body (what is left of an empty page: a name, a
#: "Read more"), whatever the page calls itself.
MIN_WORDS = 10
#: A page that does not call itself an article needs this many words of body to be one.
MIN_WORDS_UNMARKED = 50
#: A page not marked as an article with this many linked headings is a front or a tag page.
TEASERS = 6
#: Words of a page that asks the reader to pay or log in before the article.
PAYWALL = re.compile(
    r"subscribe to (?:continue|read)|subscribers? only|for subscribers|already a subscriber"
    r"|to continue reading|sign in to (?:continue|read)|log in to (?:continue|read)"
    r"|unlock (?:this|the) (?:article|story)|become a (?:member|subscriber)",
    re.IGNORECASE,
)


#: As trafilatura parses (comments and processing instructions dropped: a comment inside a
#: paragraph would otherwise split its text), so its heuristics see the tree they expect.
PARSER = html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                         remove_pis=True)  # fmt: skip


def parse_article(html_text: str, url: str, profile: Any = None) -> Article:
    """The article on a page of any site; `Skip` (`not_article`, `paywall`, `no_title`,
    `no_date`, `bad_date`, `no_body`, `truncated`) for a page that is not one."""
    root = _parse(html_text)
    if not ends_html(html_text):
        raise Skip("truncated", page_detail(root, "the page stops before </html>"))
    page = PageMeta.read(root)
    selectors = dict(getattr(profile, "selectors", None) or {})
    tz = _zone(getattr(profile, "timezone", None))
    canonical = identity.canonical_url(url, page.link("canonical"), page.first("og:url"))
    if page.is_listing or (not page.is_article and _teasers(root) >= TEASERS):
        raise Skip("not_article", page_detail(root, "a list of articles, not one"))
    site_id = identity.site_id(canonical, url, getattr(profile, "article_url", None))
    if site_id is None:
        raise Skip("not_article", f"{canonical!r} is not an article URL of the site")

    title = fields.title(page, root, selectors.get("title"), canonical)
    if not title:
        raise Skip("no_title", page_detail(root, "no headline in the page's metadata or h1"))
    body = body_text(root, url, title, selectors.get("body"), page.site_name)
    _check_body(root, page, body)

    printed = _published(page, root, tz, selectors.get("published"))
    utc, local = when.local_and_utc(printed[0], getattr(profile, "timezone", None) and tz)
    authors = fields.authors(page, root, selectors.get("author"))
    return Article(
        site=identity.site_key(canonical, getattr(profile, "name", None)),
        site_id=site_id,
        url=canonical,
        title=title,
        published=utc,
        published_local=local,
        body=body,
        section=fields.section(page, root, selectors.get("section")),
        author=fields.AUTHOR_JOIN.join(authors) or None,
        tags=fields.tags(page, root, selectors.get("tags")),
        image_url=fields.image(page, canonical),
        published_raw=printed[1],
    )


def extract_page(html_text: str, url: str, context: tuple[str, Any]) -> Article:
    """`parse_article` as the crawl's worker process calls a site's page function: `context`
    is the site's key and profile; the article is the site's whatever the page says."""
    site, profile = context
    article = parse_article(html_text, url, profile)
    return article if article.site == site else replace(article, site=site)


def _parse(text: str) -> etree._Element:
    if not text or not text.strip() or not LOOKS_LIKE_HTML.search(text[:4096]):
        raise Skip("not_article", "not an HTML page")
    try:
        root = html.document_fromstring(text, parser=PARSER)
    except (etree.ParserError, ValueError) as error:
        raise Skip("not_article", f"the page cannot be parsed ({error})") from None
    return root


def _zone(name: str | None) -> str:
    if not name:
        return "UTC"
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _published(page: PageMeta, root: etree._Element, tz: str, selector: str | None) -> tuple:
    chosen = fields.selected(root, selector)
    if chosen:
        value = when.read_time(chosen[0], tz)
        if value is None:
            raise Skip("bad_date", f"cannot read the date {chosen[0]!r} ({selector})")
        return value, chosen[0]
    found = when.published(page, root, tz)
    if found is None:
        raise Skip("no_date", page_detail(root, "no publication date in the page's metadata"))
    return found


def _check_body(root: etree._Element, page: PageMeta, body: str) -> None:
    words = len(body.split())
    free = page.ld("isAccessibleForFree")
    locked = free is False or str(free).lower() == "false"
    if words < MIN_WORDS_UNMARKED * 2 and (locked or _walled(root)):
        raise Skip("paywall", page_detail(root, f"{words} words and a subscription wall"))
    if words < MIN_WORDS:
        blocked = BLOCK_PAGE.search(" ".join(root.itertext())[:2000])
        why = "a block page" if blocked else "no body text"
        raise Skip("not_article" if blocked else "no_body", page_detail(root, why))
    if words < MIN_WORDS_UNMARKED and not page.is_article:
        raise Skip("not_article", page_detail(root, f"{words} words and no article metadata"))


def _teasers(root: etree._Element) -> int:
    """Headings that link elsewhere: the teasers of a section front or a tag page."""
    return sum(1 for tag in ("h2", "h3", "h4") for h in root.iter(tag) if h.find(".//a") is not None)


def _walled(root: etree._Element) -> bool:
    """Whether the page's visible text asks the reader to subscribe or log in to read on."""
    body = root.find("body")
    text = " ".join(t for el in (body if body is not None else root).iter()
                    if isinstance(el.tag, str) and el.tag not in ("script", "style")
                    for t in (el.text, el.tail) if t)  # fmt: skip
    return PAYWALL.search(text) is not None

