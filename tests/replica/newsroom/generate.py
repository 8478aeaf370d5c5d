"""Newsroom articles generated on demand from (seed, id), with the novinite replica's text model.

A head holds what fronts, feeds and sitemaps need; a story adds the body paragraphs and the
furniture around them (pull quote, embedded post, ads, newsletter box, related stories, caption,
comments), all drawn from the article's own random stream so a page is the same every time.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

from .. import wordbank as wb
from ..generate import _FIRST, _TITLES, _Context, _fill_title, _teaser
from ..textmodel import Paragraph, body_plain, runs_plain
from .timeline import SECTIONS, local

BYLINES = (
    "Jane Whitfield",
    "Marcus Ortega",
    "Priya Raman",
    "Daniel O'Connor",
    "Elena Kovacs",
    "Samuel Brooks",
    "Hannah Lindqvist",
    "Tomás Alvarez",
    *wb.AUTHORS[:3],
)
HANDLES = ("@capitolwatch", "@marketdesk", "@cityreporter", "@worldbrief", "@healthbeat")
COMMENTERS = ("ReaderInQueens", "jdoe77", "M. Patel", "oldnewsman", "Civic Minded", "L.R.")
COMMENTS = (
    "Great reporting, thank you.",
    "This is exactly what I was worried about last year.",
    "Who is going to pay for all of this?",
    "I read the whole thing and still have questions.",
    "Finally someone asks the right questions.",
)


@dataclass(frozen=True)
class Head:
    """What fronts, feeds and sitemaps need of an article."""

    article_id: int
    version: int
    title: str
    teaser: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    section: int
    published: datetime
    """New York wall time (aware)."""
    entities: bool


@dataclass(frozen=True)
class Story:
    """The whole article: head, body paragraphs, and what the page shows around them."""

    head: Head
    paragraphs: tuple[Paragraph, ...]
    caption: str
    pull_quote: str
    """A sentence of the body, repeated large (not body text a second time)."""
    pull_at: int
    embed: tuple[str, str] | None
    """(text, handle) of an embedded post, or None."""
    embed_at: int
    ad_at: tuple[int, ...]
    newsletter_at: int
    related_at: int
    comments: tuple[tuple[str, str], ...]
    dek: bool
    """The page repeats the teaser as a standfirst under the headline."""
    time_element: bool
    """The dateline is a ``<time datetime>`` with its offset (else plain text only)."""


def slugify(title: str) -> str:
    """A WordPress-like slug: ASCII letters and digits in lower case, hyphens, ≤ 80 characters."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"['’]", "", text)
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0]
    return slug or "article"


def make_head(seed: int, article_id: int, instant: int, section: int) -> Head:
    """Version 1 of an article's head."""
    rng = random.Random(f"{seed}:newsroom:{article_id}")
    r = rng.random
    group = SECTIONS[section][2]
    head_topic, topic = wb.TOPICS[group][int(r() * len(wb.TOPICS[group]))]
    ctx = _Context(rng, group, "2025", topic, r() < 0.3)
    first = ctx.sentence(_FIRST[int(r() * len(_FIRST))])
    people = wb.WORLD_PEOPLE if group == "world" else wb.OFFICIALS["2025"]
    topics = wb.TOPICS[group]
    title_ctx = {
        "HT": head_topic,
        "HT2": topics[int(r() * len(topics))][0],
        "HO": ctx.pick(wb.HEAD_ORGS[group]),
        "HP": people[int(r() * len(people))][1],
        "HP2": wb.WORLD_PEOPLE[int(r() * len(wb.WORLD_PEOPLE))][1],
        "HN": str(int(r() * 300) + 2),
    }
    title = _fill_title(_TITLES[int(r() * len(_TITLES))], ctx.pick, title_ctx)
    tags = tuple(rng.sample(wb.TAGS[group], 2 + int(r() * 4)))
    authors = tuple(rng.sample(BYLINES, 1 + int(r() * 3)))
    return Head(
        article_id=article_id,
        version=1,
        title=title,
        teaser=_teaser(runs_plain((*first, ("t", ".", "")))),
        tags=tags,
        authors=authors,
        section=section,
        published=local(instant),
        entities=r() < 0.3,
    )


def edit_head(seed: int, head: Head, version: int) -> Head:
    """The head after edit number `version` - 1: one more tag (title and slug stay)."""
    rng = random.Random(f"{seed}:newsroom:{head.article_id}:edit:{version}:head")
    bank = [t for t in wb.TAGS[SECTIONS[head.section][2]] if t not in head.tags] or ["update"]
    return replace(head, version=version, tags=(*head.tags, rng.choice(bank)))


def make_story(seed: int, head: Head) -> Story:
    """Version 1 of the article's story."""
    rng = random.Random(f"{seed}:newsroom:{head.article_id}:body")
    r = rng.random
    group = SECTIONS[head.section][2]
    topic = wb.TOPICS[group][int(r() * len(wb.TOPICS[group]))][1]
    ctx = _Context(rng, group, "2025", topic, r() < 0.3)
    first = [("t", head.teaser + ".", "")]  # the teaser's sentence opens the body
    if r() < 0.6:
        first.append(("t", " ", ""))
        first.extend(_local_links(ctx.paragraph(1 + int(r() * 2))))
    paragraphs = [tuple(first)] + [
        _local_links(ctx.paragraph(1 + int(r() * 4))) for _ in range(rng.randint(3, 11))
    ]
    n = len(paragraphs)
    quote_source = runs_plain(paragraphs[min(n - 1, 1 + int(r() * (n - 1)))])
    pull = quote_source.split(". ")[0].rstrip(".") + "."
    embed = None
    if r() < 0.6:
        embed = (
            ctx.pick(wb.QUOTES) + ". " + runs_plain(tuple(ctx.sentence(_FIRST[1]))),
            ctx.pick(HANDLES),
        )
    comments = tuple((ctx.pick(COMMENTERS), ctx.pick(COMMENTS)) for _ in range(int(r() * 5)))
    return Story(
        head=head,
        paragraphs=tuple(paragraphs),
        caption=f"{ctx.pick(wb.BG_PLACES + wb.WORLD_PLACES)}, {head.published:%B} {head.published.day}.",
        pull_quote=pull,
        pull_at=1 + int(r() * (n - 1)) if n > 1 else 1,
        embed=embed,
        embed_at=1 + int(r() * n),
        ad_at=tuple(sorted({min(n, 2), min(n, 5)})),
        newsletter_at=min(n, 3 + int(r() * 3)),
        related_at=n,
        comments=comments,
        dek=r() < 0.5,
        time_element=r() < 0.5,
    )


def _local_links(paragraph: Paragraph) -> Paragraph:
    """The text model's links point at novinite's search; here at the site's own search."""
    return tuple(
        (kind, text, f"/search/?q={text.replace(' ', '+')}" if kind == "a" else href)
        for kind, text, href in paragraph
    )


def edit_story(seed: int, story: Story, head: Head) -> Story:
    """The story after an edit: an update at the end, a new paragraph, or one rewritten."""
    rng = random.Random(f"{seed}:newsroom:{head.article_id}:edit:{head.version}:body")
    group = SECTIONS[head.section][2]
    ctx = _Context(
        rng, group, "2025", wb.TOPICS[group][rng.randrange(len(wb.TOPICS[group]))][1], False
    )
    paragraphs = list(story.paragraphs)
    roll = rng.random()
    if roll < 0.4:
        paragraphs.append(
            (
                ("b", "Update:", ""),
                ("t", " ", ""),
                *_local_links(ctx.paragraph(1 + rng.randrange(3))),
            )
        )
    elif roll < 0.7:
        paragraphs.insert(1 + rng.randrange(len(paragraphs)), _local_links(ctx.paragraph(2)))
    else:
        at = 1 + rng.randrange(max(1, len(paragraphs) - 1))
        if at >= len(paragraphs):
            paragraphs.append(_local_links(ctx.paragraph(2)))
        else:
            paragraphs[at] = _local_links(ctx.paragraph(1 + rng.randrange(4)))
    n = len(paragraphs)
    return replace(
        story,
        head=head,
        paragraphs=tuple(paragraphs),
        pull_at=min(story.pull_at, n),
        embed_at=min(story.embed_at, n),
        related_at=n,
    )


def body_text(story: Story) -> str:
    """The article's true body: its paragraphs only."""
    return body_plain(list(story.paragraphs))
