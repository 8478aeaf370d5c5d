"""The newsroom's article page and its AMP copy.

Metadata in the head (canonical, Open Graph, ``article:*``, JSON-LD ``NewsArticle``), the body
paragraphs in ``div.entry-content`` among what a good extractor leaves out: a standfirst, a
figure caption, a pull quote, an embedded post, inline ads, a newsletter box, related stories,
share buttons, tags, comments and a "most popular" column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..textmodel import escape_attr, escape_text, runs_html
from . import dates
from .generate import Story, slugify
from .timeline import SECTIONS

SITE_NAME = "The Newsroom"
BAD_DATE = "2024-13-45T25:61:00-05:00"


@dataclass(frozen=True)
class Links:
    """What the page links to: its own URLs and other articles (title, URL)."""

    base: str
    canonical: str
    amp: str
    related: list[tuple[str, str]]
    popular: list[tuple[str, str]]


def _ld(story: Story, links: Links, modified: datetime, fault: str | None) -> str:
    head = story.head
    keywords: object = list(head.tags) if head.article_id % 2 else ", ".join(head.tags)
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": links.canonical},
        "headline": head.title,
        "description": head.teaser,
        "image": [f"{links.base}/images/{head.article_id}.jpg"],
        "datePublished": dates.iso(head.published),
        "dateModified": dates.iso(modified),
        "author": [{"@type": "Person", "name": name} for name in head.authors],
        "publisher": {"@type": "Organization", "name": SITE_NAME},
        "articleSection": SECTIONS[head.section][1],
        "keywords": keywords,
    }
    if fault == "no_date":
        del data["datePublished"], data["dateModified"]
    elif fault == "bad_date":
        data["datePublished"] = data["dateModified"] = BAD_DATE
    if head.article_id % 3 == 0:  # some sites wrap it in a graph
        data = {
            "@context": "https://schema.org",
            "@graph": [{k: v for k, v in data.items() if k != "@context"}],
        }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _meta(story: Story, links: Links, modified: datetime, fault: str | None) -> str:
    head = story.head
    title = escape_attr(head.title)
    out = [
        f'<link rel="canonical" href="{links.canonical}">',
        f'<link rel="amphtml" href="{links.amp}">',
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="{links.base}/feed/">',
        f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} &raquo; Atom" href="{links.base}/feed/atom/">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{escape_attr(head.teaser)}">',
        f'<meta property="og:url" content="{links.canonical}">',
        f'<meta property="og:image" content="{links.base}/images/{head.article_id}.jpg">',
    ]
    if fault != "no_date":
        published = BAD_DATE if fault == "bad_date" else dates.iso(head.published)
        changed = BAD_DATE if fault == "bad_date" else dates.iso(modified)
        out.append(f'<meta property="article:published_time" content="{published}">')
        out.append(f'<meta property="article:modified_time" content="{changed}">')
    out.append(f'<meta property="article:section" content="{SECTIONS[head.section][1]}">')
    out.extend(f'<meta property="article:tag" content="{escape_attr(t)}">' for t in head.tags)
    out.append(f'<meta name="author" content="{escape_attr(", ".join(head.authors))}">')
    out.append(_ld(story, links, modified, fault))
    return "\n".join(out)


def _dateline(story: Story, modified: datetime, fault: str | None) -> str:
    if fault == "no_date":
        return ""
    published = story.head.published
    if fault == "bad_date":
        return f'<div class="dateline"><time datetime="{BAD_DATE}">Decembr 46, 2024, 25:61 p.m.</time></div>'
    shown = dates.dateline(published)
    if story.time_element:
        line = f'Published <time class="published" datetime="{dates.iso(published)}">{shown}</time>'
    else:
        line = f'<span class="posted-on">Published {shown}</span>'
    if modified > published:
        line += f' <span class="updated">Updated {dates.dateline(modified)}</span>'
    return f'<div class="dateline">{line}</div>'


def _byline(story: Story) -> str:
    names = [f'<span class="author vcard">{escape_text(n)}</span>' for n in story.head.authors]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f'<div class="byline">By {joined}</div>'


AD = '<div class="ad ad-inline" aria-hidden="true"><span class="ad-label">Advertisement</span><div id="div-gpt-ad-{n}"></div></div>'
NEWSLETTER = (
    '<aside class="newsletter-signup"><h3>Get the Morning Briefing</h3>'
    "<p>Sign up for our newsletter and start every weekday with the stories that matter.</p>"
    '<form action="/newsletter/" method="post"><input type="email" name="email" placeholder="Your email">'
    '<button type="submit">Sign up</button></form></aside>'
)
SHARE = (
    '<div class="share-buttons"><span>Share this:</span> '
    '<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php">Facebook</a> '
    '<a class="share-x" href="https://x.com/intent/post">Post</a> '
    '<a class="share-email" href="mailto:?subject=News">Email</a></div>'
)


def _entry(story: Story, links: Links, fault: str | None) -> str:
    entities = story.head.entities
    paragraphs = [] if fault == "empty_body" else list(story.paragraphs)
    out: list[str] = []
    for n, runs in enumerate(paragraphs, 1):
        out.append(f"<p>{runs_html(runs, entities)}</p>")
        if n in story.ad_at:
            out.append(AD.format(n=n))
        if n == story.pull_at:
            out.append(
                f'<aside class="pullquote"><blockquote><p>{escape_text(story.pull_quote)}</p></blockquote></aside>'
            )
        if n == story.embed_at and story.embed:
            text, handle = story.embed
            out.append(
                f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{escape_text(text)}</p>'
                f'&mdash; {handle[1:].title()} ({handle}) <a href="https://twitter.com/{handle[1:]}/status/{story.head.article_id}">'
                f"{dates.dateline(story.head.published).rsplit(',', 1)[0]}</a></blockquote>"
            )
        if n == story.newsletter_at:
            out.append(NEWSLETTER)
        if n == story.related_at and links.related:
            items = "".join(
                f'<li><a href="{u}">{escape_text(t)}</a></li>' for t, u in links.related
            )
            out.append(
                f'<aside class="related-stories"><h3>Related Stories</h3><ul>{items}</ul></aside>'
            )
    return "\n".join(out)


def _comments(story: Story) -> str:
    items = "".join(
        f'<li class="comment"><div class="comment-author">{escape_text(who)}</div>'
        f'<div class="comment-content"><p>{escape_text(text)}</p></div></li>'
        for who, text in story.comments
    )
    count = len(story.comments)
    return (
        f'<section id="comments" class="comments-area"><h2 class="comments-title">{count} Comments</h2>'
        f'<ol class="comment-list">{items}</ol><div id="respond"><h3>Leave a Reply</h3>'
        '<form action="/wp-comments-post.php" method="post"><p><textarea name="comment"></textarea></p>'
        '<p><input type="submit" value="Post Comment"></p></form></div></section>'
    )


def nav(base: str = "") -> str:
    """The site header: logo and section links."""
    links = "".join(
        f'<li><a href="/section/{slug}/">{name}</a></li>' for slug, name, *_r in SECTIONS
    )
    return (
        '<header class="site-header"><a class="logo" href="/">The Newsroom</a>'
        f'<nav class="main-nav"><ul>{links}</ul></nav></header>'
    )


FOOTER = (
    '<footer class="site-footer"><p>&copy; 2024 The Newsroom. All rights reserved. '
    '<a href="/about/">About</a> <a href="/privacy/">Privacy</a></p></footer>'
)


def document(title: str, head_extra: str, body: str, body_class: str) -> str:
    """A whole HTML page."""
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape_text(title)}</title>\n{head_extra}\n</head>\n"
        f'<body class="{body_class}">\n{nav()}\n{body}\n{FOOTER}\n</body>\n</html>\n'
    )


def render(story: Story, links: Links, modified: datetime, fault: str | None = None) -> str:
    """The article page."""
    head = story.head
    slug, section, *_r = SECTIONS[head.section]
    dek = f'<p class="dek">{escape_text(head.teaser)}.</p>' if story.dek else ""
    tags = ", ".join(
        f'<a href="/tag/{slugify(t)}/" rel="tag">{escape_text(t)}</a>' for t in head.tags
    )
    popular = "".join(f'<li><a href="{u}">{escape_text(t)}</a></li>' for t, u in links.popular)
    body = (
        '<main id="main" class="site-main">\n<article class="post type-post">\n'
        f'<header class="entry-header"><a class="kicker" href="/section/{slug}/">{section}</a>'
        f'<h1 class="entry-title">{escape_text(head.title)}</h1>{dek}{_byline(story)}'
        f"{_dateline(story, modified, fault)}</header>\n{SHARE}\n"
        f'<figure class="wp-block-image"><img src="/images/{head.article_id}.jpg" alt="{escape_attr(story.caption)}">'
        f'<figcaption>{escape_text(story.caption)} <span class="credit">Photo: Staff</span></figcaption></figure>\n'
        f'<div class="entry-content">\n{_entry(story, links, fault)}\n</div>\n'
        f'<footer class="entry-footer"><div class="tags-links">Tags: {tags}</div>{SHARE}</footer>\n'
        f"</article>\n{_comments(story)}\n"
        f'<aside class="sidebar"><h3>Most Popular</h3><ol>{popular}</ol></aside>\n</main>'
    )
    return document(
        f"{head.title} | {SITE_NAME}",
        _meta(story, links, modified, fault),
        body,
        "single single-post",
    )


def render_amp(story: Story, links: Links, modified: datetime, fault: str | None = None) -> str:
    """The AMP copy: canonical to the main URL, the same paragraphs, no comments or widgets."""
    head = story.head
    paragraphs = [] if fault == "empty_body" else story.paragraphs
    text = "\n".join(f"<p>{runs_html(runs, head.entities)}</p>" for runs in paragraphs)
    return (
        '<!doctype html>\n<html amp lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape_text(head.title)}</title>\n"
        f'<link rel="canonical" href="{links.canonical}">\n'
        '<meta name="viewport" content="width=device-width">\n'
        f"{_ld(story, links, modified, fault)}\n"
        '<script async src="https://cdn.ampproject.org/v0.js"></script>\n</head>\n<body>\n'
        f'<header class="amp-header"><a href="/">The Newsroom</a></header>\n<article class="amp-article">\n'
        f"<h1>{escape_text(head.title)}</h1>\n{_byline(story)}\n{_dateline(story, modified, fault)}\n"
        f'<amp-img src="/images/{head.article_id}.jpg" width="1200" height="800" layout="responsive"></amp-img>\n'
        f'<div class="amp-content">\n{text}\n</div>\n</article>\n</body>\n</html>\n'
    )


def block_page() -> str:
    """A bot check: 200 without an article."""
    return document(
        "Just a moment...",
        '<meta name="robots" content="noindex">',
        '<main id="main"><h1>Checking your browser before accessing the site.</h1>'
        "<p>Please enable JavaScript and cookies to continue.</p></main>",
        "challenge",
    )
