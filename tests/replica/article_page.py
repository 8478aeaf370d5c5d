"""Article pages in the three layouts (2011, 2019, 2025-26), with all their boilerplate."""

from __future__ import annotations

from urllib.parse import quote_plus

from .generate import Head, Story
from .render import article_path, bad_date_text, date_line, page
from .textmodel import escape_attr, escape_text, runs_html, runs_plain
from .wordbank import APPEAL

REPORTER = "Be a reporter: Write and send your article"
TRAILER_2011 = (
    '<strong><a href="http://twitter.com/Novinite">Follow Novinite.com on Twitter and Facebook'
    "</a></strong><br /><br />\n"
    '<strong>Write to us at <a href="mailto:editors@novinite.com">editors@novinite.com</a>'
    "</strong><br /><br />\n"
    '<a href="http://www.novinite.bg/">Информирайте се на Български - Novinite.bg</a>'
)
_ICONS = (
    '<a class="share-fb" href="https://www.facebook.com/sharer.php" title="Facebook"><i class="icon-fb"></i></a>'
    '<a class="share-x" href="https://x.com/intent/tweet" title="X"><i class="icon-x"></i></a>'
    '<a class="share-mail" href="mailto:" title="E-mail"><i class="icon-mail"></i></a>'
)


def render(
    story: Story,
    related: list[Head],
    more_from: str,
    fault: str | None = None,
) -> str:
    """The article page. `more_from` is the "More from {Section}" block's HTML.

    `fault` shapes a broken page: ``no_date``, ``bad_date``, ``empty_body``.
    """
    head = story.head
    title = head.title
    if fault == "no_date":
        dateline = ""
    elif fault == "bad_date":
        dateline = f'<div class="date">{date_line(head, bad_date_text(head.local))}</div>\n'
    else:
        dateline = f'<div class="date">{date_line(head)}</div>\n'
    paragraphs = () if fault == "empty_body" else story.paragraphs
    sources = () if fault == "empty_body" else story.sources
    if head.era == "2011":
        body = _body_2011(head, paragraphs)
    elif head.era == "2019":
        body = _body_2019(story, paragraphs, sources)
    else:
        body = _body_2025(story, paragraphs, sources)
    advert = '<div class="advert">Advertisement</div>\n'
    # 2019 pages put the second advertisement after "More from"; the others put both before.
    after = advert if head.era == "2019" else ""
    before = advert if after else advert + advert
    content = (
        f'<div id="content">\n<h1>{escape_text(title, head.entities)}</h1>\n{dateline}{body}'
        f"{_tags(head)}{_related(related)}{before}{more_from}{after}</div>"
    )
    return content


def _image(head: Head, caption: str | None) -> str:
    alt = escape_attr(f"Bulgaria: {head.title}")
    extra = f'<div class="photo_by">{escape_text(caption)}</div>' if caption else ""
    return (
        f'<div class="article_image"><img src="/images/{head.article_id}.jpg" alt="{alt}" '
        f'title="{alt}"><div class="caption">{escape_text(f"Bulgaria: {head.title}")}</div>'
        f"{extra}</div>\n"
    )


def _sources(sources: tuple[str, ...]) -> str:
    if not sources:
        return ""
    items = "".join(f"<li>{escape_text(s)}</li>" for s in sources)
    return f'<p>Sources:</p>\n<ul class="sources">{items}</ul>\n'


def _reporter(head: Head) -> str:
    return (
        f'<div class="reporter"><a href="{head.section.href}">{escape_text(head.section.name)}</a>'
        f' » <a href="/be_a_reporter.php">{REPORTER}</a></div>\n'
    )


def _paragraph(runs: tuple, entities: bool, styled: bool) -> str:
    style = ' style="text-align: justify;"' if styled else ""
    return f"<p{style}>{runs_html(runs, entities)}</p>\n"


def _body_2025(story: Story, paragraphs: tuple, sources: tuple[str, ...]) -> str:
    head = story.head
    from_2025 = head.local.year >= 2025
    share = _ICONS + (
        '<span class="share-label">Share</span> <a class="kindle" href="/kindle.php">Send to Kindle</a>'
        if from_2025
        else ""
    )
    styled = head.article_id % 5 == 0
    text = "".join(_paragraph(p, head.entities, styled) for p in paragraphs)
    appeal = f'<div class="donate"><p>{APPEAL}</p></div>\n' if from_2025 else ""
    return (
        f'<div id="textsize">\n{_image(head, story.caption)}<div class="share">{share}</div>\n'
        f"{text}{appeal}{_sources(sources)}{_reporter(head)}</div>\n"
    )


def _body_2019(story: Story, paragraphs: tuple, sources: tuple[str, ...]) -> str:
    head = story.head
    alt = escape_attr(f"Bulgaria: {head.title}")
    photo = (
        f' <span class="article__photo">{escape_text(story.caption)}</span>'
        if story.caption
        else ""
    )
    text = "".join(_paragraph(p, head.entities, False) for p in paragraphs)
    return (
        f'<div class="article__image"><img src="/images/{head.article_id}.jpg" alt="{alt}" '
        f'title="{alt}"><span class="article__caption">{escape_text(f"Bulgaria: {head.title}")}'
        f"</span>{photo}</div>\n"
        f'<div class="article__text text text--bigger">\n{text}{_sources(sources)}</div>\n'
        f'<div class="article__share">{_ICONS}</div>\n{_reporter(head)}'
    )


def _body_2011(head: Head, paragraphs: tuple) -> str:
    alt = escape_attr(f"Bulgaria: {head.title}")
    chunks = [runs_html(p, True) for p in paragraphs if runs_plain(p)]
    text = "<br /><br />\n".join(chunks)
    separator = "<br /><br />\n" if chunks else ""
    return (
        f'<div id="textsize">\n<img src="/images/{head.article_id}.jpg" alt="{alt}" title="{alt}" '
        f'class="article_pic" /><br />\n{text}{separator}{TRAILER_2011}\n</div>\n'
    )


def _tags(head: Head) -> str:
    if not head.tags:
        return ""
    links = ", ".join(
        f'<a href="/search_news.php?tag={quote_plus(t)}">{escape_text(t)}</a>' for t in head.tags
    )
    return f'<div id="article_tags">Tags: {links}</div>\n'


def _related(heads: list[Head]) -> str:
    if not heads:
        return ""
    items = "".join(
        f'<div class="related_item"><a href="{escape_attr(article_path(h))}">{escape_text(h.title)}'
        '</a></div><div class="sep">|</div>'
        for h in heads
    )
    return f'<div class="related"><h3>Related Articles:</h3>\n{items}</div>\n'


def more_from(section_name: str, items: list[str]) -> str:
    """The "More from {Section}" block around prebuilt listing items."""
    return f'<div class="more_from"><h3>More from {escape_text(section_name)}</h3>\n{"".join(items)}</div>\n'


def full_page(story: Story, content: str, sidebar: str) -> str:
    """The article content inside the site's page skeleton."""
    head = story.head
    return page(head.title, content, sidebar, head.era)
