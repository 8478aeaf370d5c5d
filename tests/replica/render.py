"""Markup shared by every page: the page skeleton, date lines, listing items, error pages.

The markup is the contract in README.md; change both together.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from newsarchive.text import php_urlencode

from .generate import Head
from .sections import TOP_SECTIONS, Section
from .textmodel import escape_attr, escape_text
from .wordbank import FOOTER, MONTHS, WEEKDAYS

_NAV = "".join(
    f'<li><a href="{s.href}">{escape_text(s.name)}</a></li>'
    for s in TOP_SECTIONS
    if s.cat_id in (1, 2, 3, 4, 5, 6, 16, 21, 26, 30, 62, 81)
)
HEADER = (
    '<div id="header"><div class="logo"><a href="/"><img src="/img/novinite-logo.png" '
    'alt="Novinite.com"></a></div>\n<ul id="nav"><li><a href="/">Home</a></li>'
    f'{_NAV}<li><a href="/archives/">Archive</a></li></ul></div>'
)
FOOTER_HTML = (
    f'<div id="footer"><p><a href="/">Bulgaria news</a> {escape_text(FOOTER)} '
    '<a href="/">News Bulgaria</a></p></div>'
)
_TAIL = (
    '<div id="newsletter" style="display:none">Subscribe to the Sofia Morning News newsletter</div>'
    '\n<script>var _gaq = _gaq || []; _gaq.push(["_trackPageview"]);</script>'
)
_DOCTYPES = {
    "2011": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    "2019": '<!DOCTYPE html>\n<html lang="en">',
    "2025": '<!DOCTYPE html>\n<html lang="en">',
}


def page(title: str, content: str, sidebar: str = "", era: str = "2025") -> str:
    """A whole page: head, site header, right column, ``div#content``, ``div#footer``.

    The right column comes before the content in the source (it floats right), so the visible
    text of an article page ends with the article region and the footer.
    """
    return (
        f'{_DOCTYPES[era]}\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape_text(title)} - Novinite.com - Sofia News Agency</title>\n"
        '<link rel="stylesheet" href="/css/style.css">\n'
        "<style>#right{float:right;width:300px}.hidden{display:none}</style>\n"
        "<script>window.dataLayer = window.dataLayer || [];</script>\n</head>\n<body>\n"
        f'{HEADER}\n<div id="wrapper">\n{sidebar}\n{content}\n</div>\n{FOOTER_HTML}\n{_TAIL}\n'
        "</body>\n</html>\n"
    )


def date_text(local: datetime) -> str:
    """``December 6, 2024, Friday // 11:06`` (Sofia wall time)."""
    return (
        f"{MONTHS[local.month - 1]} {local.day}, {local.year}, {WEEKDAYS[local.weekday()]} "
        f"// {local.hour:02d}:{local.minute:02d}"
    )


def bad_date_text(local: datetime) -> str:
    """A date line no parser can read: ``Decembr 46, 2024, Friday // 25:61``."""
    month = MONTHS[local.month - 1]
    return f"{month[:-2]}{month[-1]} {local.day + 40}, {local.year}, {WEEKDAYS[local.weekday()]} // 25:61"


@lru_cache(maxsize=1024)
def section_links(section: Section, subsection: Section | None, era: str = "2025") -> str:
    """``<a …>World</a> » <a …>Southeast Europe</a>``."""
    raquo = "&raquo;" if era == "2011" else "»"
    out = f'<a href="{section.href}" title="{escape_attr(section.name)} News">{escape_text(section.name)}</a>'
    if subsection is not None:
        out += f' {raquo} <a href="{subsection.href}">{escape_text(subsection.name)}</a>'
    return out


def date_line(head: Head, date: str | None = None) -> str:
    """The article page's date line: ``Section[ » Sub] | [Author: Name |]Date``."""
    author = ""
    if head.author:
        author = f"Author: {escape_text(head.author)} |{' ' if head.author_space else ''}"
    return (
        f"{section_links(head.section, head.subsection, head.era)} | {author}"
        f"{date if date is not None else date_text(head.local)}"
    )


_slug = lru_cache(maxsize=65536)(php_urlencode)
"""PHP urlencode of a title, cached (titles repeat across listings and related links)."""


def article_path(head: Head, raw: bool = False) -> str:
    """``/articles/{id}/{slug}``; `raw` leaves ``:`` and ``,`` unencoded as some links do."""
    slug = _slug(head.title)
    if raw:
        slug = slug.replace("%3A", ":").replace("%2C", ",")
    return f"/articles/{head.article_id}/{slug}"


def item(head: Head) -> str:
    """A listing item (section listings, archive days, "More from")."""
    article_id = head.article_id
    href = article_path(head, raw=article_id % 4 == 1)
    if head.era == "2011" and article_id % 9 == 0:
        date = ""  # some old items have an empty date
    else:
        date = f"{section_links(head.section, head.subsection, head.era)} | {date_text(head.local)}"
        if head.era != "2025":
            date += f" | Viewed: {head.views}"
    return (
        f'<div class="item"><div class="text"><h2><a href="{escape_attr(href)}">'
        f"{escape_text(head.title, head.entities)}</a></h2><p>{escape_text(head.teaser)}</p></div>\n"
        f'<div class="date">{date}</div></div>\n'
    )


def sidebar(heads: list[Head]) -> str:
    """The right column: most read articles."""
    links = "".join(
        f'<li><a href="{escape_attr(article_path(h))}">{escape_text(h.title)}</a></li>'
        for h in heads
    )
    return f'<div id="right"><h3>Most Read</h3><ul class="most_read">{links}</ul></div>'


def not_found_page() -> str:
    """The site's 404 page."""
    content = (
        '<div id="content"><h1>Page not found</h1><p>The page you are looking for does not exist '
        'or has been moved. <a href="/">Back to the front page</a></p></div>'
    )
    return page("Page not found", content)


def error_page(status: int, reason: str) -> str:
    """A bare server error page (500, 503): no site chrome, as a failing backend answers."""
    return (
        f"<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head><body>"
        f"<h1>{status} {reason}</h1><p>The server could not complete your request.</p>"
        "</body></html>\n"
    )


def captcha_page() -> str:
    """What a bot wall answers with status 200: no ``div#content``."""
    return (
        "<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head><body>"
        '<div id="challenge"><h1>Checking your browser before accessing novinite.com</h1>'
        '<form id="captcha" action="/cdn-cgi/challenge" method="post"><p>Please complete the '
        'security check to access the site.</p><div class="g-recaptcha" data-sitekey="x"></div>'
        '<input type="submit" value="Continue"></form></div></body></html>\n'
    )
