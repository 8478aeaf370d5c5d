"""Pages of links, not articles: the home page, section fronts and tag pages (20 a page)."""

from __future__ import annotations

from ..textmodel import escape_text
from . import dates
from .generate import Head
from .page import document

PAGE_SIZE = 20
"""Items on a section front or tag page."""
HOME_SIZE = 30


def card(head: Head, url: str) -> str:
    """One story card: headline link (with tracking parameters), excerpt, time."""
    return (
        f'<article class="story-card"><h2 class="headline"><a href="{url}">{escape_text(head.title)}</a></h2>'
        f'<p class="excerpt">{escape_text(head.teaser)}</p>'
        f'<time datetime="{dates.iso(head.published)}">{dates.dateline(head.published)}</time></article>'
    )


def front(title: str, cards: list[str], next_url: str | None, kind: str) -> str:
    """A page of story cards with an older-posts link."""
    pager = (
        f'<nav class="pagination"><a class="next page-numbers" href="{next_url}">Older stories</a></nav>'
        if next_url
        else ""
    )
    body = (
        f'<main id="main" class="site-main"><h1 class="page-title">{escape_text(title)}</h1>\n'
        f'<div class="story-list">\n' + "\n".join(cards) + f"\n</div>\n{pager}</main>"
    )
    return document(
        f"{title} | The Newsroom", '<meta name="robots" content="index, follow">', body, kind
    )
