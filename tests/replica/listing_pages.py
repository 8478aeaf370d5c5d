"""Listing-like pages: section listings, the front page, archive days, the calendar, tag search."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from urllib.parse import quote_plus

from .generate import Head
from .render import item, section_links
from .sections import SECTIONS, Section
from .textmodel import escape_attr, escape_text
from .wordbank import MONTHS

PAGE_SIZE = 20
"""Items on a section listing page."""
SEARCH_PAGE_SIZE = 10


def section_href(section: Section, offset: int, form: str) -> str:
    """Relative href of a listing page at `offset` in the URL form the reader used."""
    if form == "php":
        return f"category.php?category_id={section.cat_id}&s={offset}"
    # The site writes both `?s=N` and `/?&s=N`; alternate by page so both get exercised.
    if (offset // PAGE_SIZE) % 2:
        return f"{section.href}/?&s={offset}"
    return f"{section.href}?s={offset}"


def section_listing(section: Section, heads: list[Head], offset: int, total: int, form: str) -> str:
    """A section's (or subsection's) listing page: `heads` from item `offset` of `total`."""
    name = section.name
    if section.parent is not None:
        name = f"{SECTIONS[section.parent].name} » {name}"
    pager = []
    if offset > 0:
        prev = max(0, offset - PAGE_SIZE)
        pager.append(
            f'<li class="btn prev"><a href="{escape_attr(section_href(section, prev, form))}">« Previous</a></li>'
        )
    if offset + PAGE_SIZE < total:
        nxt = offset + PAGE_SIZE
        pager.append(
            f'<li class="btn next"><a href="{escape_attr(section_href(section, nxt, form))}">Next »</a></li>'
        )
    items = "".join(item(h) for h in heads) or '<p class="empty">No articles.</p>\n'
    return (
        f'<div id="content">\n<h1 class="category">{escape_text(name)}</h1>\n'
        f'<div class="items">\n{items}</div>\n<ul class="pager">{"".join(pager)}</ul>\n</div>'
    )


def front_page(heads: list[Head]) -> str:
    """The front page: the newest articles of every section."""
    items = "".join(item(h) for h in heads)
    return f'<div id="content">\n<h1 class="category">Latest News</h1>\n<div class="items">\n{items}</div>\n</div>'


def archive_heading(day: date) -> str:
    """``ARCHIVE - 6 December 2024``."""
    return f"ARCHIVE - {day.day} {MONTHS[day.month - 1]} {day.year}"


def archive_day(day: date, groups: list[tuple[Section, list[Head]]]) -> str:
    """A day's articles grouped by section (sections in category-id order)."""
    parts = []
    for section, heads in groups:
        parts.append(
            f'<div class="archive_section"><h2 class="section">{section_links(section, None)}</h2>\n'
            f"{''.join(item(h) for h in heads)}</div>\n"
        )
    body = "".join(parts) or '<p class="empty">No articles were published on this day.</p>\n'
    return (
        f'<div id="content">\n<h1>{archive_heading(day)}</h1>\n'
        '<div class="back"><a href="/archives/">» Back to calendar</a></div>\n'
        f"{body}</div>"
    )


def calendar_page(month: date, today: date) -> str:
    """The archive calendar of one month: every day up to `today` links to its archive."""
    rows = []
    weeks = calendar.Calendar().monthdatescalendar(month.year, month.month)
    for week in weeks:
        cells = []
        for day in week:
            if day.month != month.month:
                cells.append("<td></td>")
            elif day <= today:
                cells.append(f'<td><a href="/archives/{day.isoformat()}">{day.day}</a></td>')
            else:
                cells.append(f"<td>{day.day}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=31)).replace(day=1)
    links = f'<a class="prev" href="/archives/?month={previous:%Y-%m}">« {MONTHS[previous.month - 1]}</a>'
    if following <= today:
        links += f' <a class="next" href="/archives/?month={following:%Y-%m}">{MONTHS[following.month - 1]} »</a>'
    head = "".join(f"<th>{d}</th>" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    return (
        f'<div id="content">\n<h1>ARCHIVE - {MONTHS[month.month - 1]} {month.year}</h1>\n'
        f'<div class="months">{links}</div>\n<table class="calendar"><tr>{head}</tr>{"".join(rows)}</table>\n</div>'
    )


def tag_search(label: str, param: str, heads: list[Head], offset: int, total: int) -> str:
    """Search results (10 a page) with the ``ul#pages`` pager."""
    pages = []
    for start in range(0, total, SEARCH_PAGE_SIZE):
        number = start // SEARCH_PAGE_SIZE + 1
        if start == offset:
            pages.append(f'<li class="current">{number}</li>')
        else:
            pages.append(f'<li><a href="search_news.php?{param}&amp;s={start}">{number}</a></li>')
    items = "".join(item(h) for h in heads) or '<p class="empty">No results.</p>\n'
    return (
        f'<div id="content">\n<h1>Search: {escape_text(label)}</h1>\n<div class="items">\n{items}</div>\n'
        f'<ul id="pages">{"".join(pages)}</ul>\n</div>'
    )


def search_param(key: str, value: str) -> str:
    """``tag=Black+Sea`` for the pager's links."""
    return f"{key}={quote_plus(value)}"
