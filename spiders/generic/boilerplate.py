"""What is on an article page but not the article: found by tag, class and id before the body
is looked for, and by whole-paragraph text after.

Class and id tokens are matched as words of the name (``ad`` in ``ad-slot`` or ``inline_ad``,
never in ``header`` or ``load``).
"""

from __future__ import annotations

import re

from lxml import etree

#: Words of a class or id that mark an element as not the article's text.
NOISE_WORDS = (
    r"ads?|advert\w*|adslot|adunit|dfp|gpt|sponsor\w*|promo\w*|outbrain|taboola|newsletter\w*"
    r"|signup|sign-up|subscribe|subscription|related|recommended|recirc\w*|more-stories|read-?more"
    r"|also-read|trending|popular|share|sharing|social|sharebar|share-tools|comments?|disqus"
    r"|respond|replies|caption|figcaption|credit|pull-?quote|pullquote|embed\w*|tweet|twitter"
    r"|instagram|facebook|tiktok|youtube|video-player|breadcrumbs?|byline|author-bio|tags?"
    r"|tag-list|keywords|toolbar|print|modal|popup|cookie\w*|consent|paywall|piano|donate"
    r"|most-read|most-popular|next-article|prev-article|pagination|nav|navigation|menu|footer"
    r"|header|masthead|sidebar|widget|rail"
)
_NOISE = re.compile(rf"(?:^|[\s_-])(?:{NOISE_WORDS})(?:$|[\s_-])", re.IGNORECASE)
#: Tags never holding the article's text.
NOISE_TAGS = ("aside", "figcaption", "nav", "footer", "form", "iframe", "noscript", "script",
              "style", "button", "select", "svg", "template", "dialog", "object", "embed")  # fmt: skip
#: Containers that may be the article itself: a noisy word on them is not enough to drop them.
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})
#: Whole paragraphs that are furniture, not text.
NOISE_LINES = re.compile(
    r"^(?:advertisement|sponsored|story continues below(?: advertisement)?|continue reading"
    r"|read more|related(?: articles?| stories| coverage)?:?|share this(?: article| story)?"
    r"|sign up(?: for)?.{0,60}newsletter.*|subscribe(?: now)?(?: to .{0,60})?"
    r"|(?:image|photo|video)(?: credit)?:.{0,120}|skip advertisement|more on this story)\.?$",
    re.IGNORECASE,
)


def is_noise(el: etree._Element) -> bool:
    """Whether `el` is page furniture by its tag, class or id (never the article container)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in NOISE_TAGS:
        return True
    if tag in _KEEP_TAGS:
        return False
    if tag == "blockquote" and el.get("class"):  # embedded posts, not quotations
        return bool(_NOISE.search(el.get("class", "")))
    if (el.get("aria-hidden") or "").lower() == "true" or el.get("hidden") is not None:
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}".strip()
    return bool(names) and bool(_NOISE.search(names)) and not _holds_article(el)


def _holds_article(el: etree._Element) -> bool:
    """Whether a noisy-named element wraps the article anyway (``<div class="main nav-open">``)."""
    return el.find(".//article") is not None or len(el.findall(".//p")) >= 8


def strip_noise(root: etree._Element) -> etree._Element:
    """`root` with every furniture element removed (the tail text after each one kept)."""
    doomed = [el for el in root.iter() if isinstance(el.tag, str) and is_noise(el)]
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail and el.tail.strip():
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
    return root


def drop_noise_lines(paragraphs: list[str], title: str | None) -> list[str]:
    """Paragraphs without furniture lines, the headline repeated, and exact or contained
    repeats (a pull quote printed again beside the paragraph it quotes)."""
    kept: list[str] = []
    for i, text in enumerate(paragraphs):
        if NOISE_LINES.match(text) or (not kept and title and text == title):
            continue
        if len(text) < 400 and any(text in other for j, other in enumerate(paragraphs) if j != i
                                   and len(other) > len(text)):  # fmt: skip
            continue
        if text in kept:
            continue
        kept.append(text)
    return kept
