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
    r"ads?|advert\w*|adslot|adunit|dfp|sponsor\w*|promo\w*|outbrain|taboola|newsletter\w*"
    r"|signup|sign-up|subscribe|subscription|related|recommended|recirc\w*|more-stories"
    r"|read-?more|also-read|trending|share|sharing|social|sharebar|share-tools|comments?|disqus"
    r"|caption|figcaption|credit|pull-?quote|pullquote|embed|embedded|tweet|twitter-tweet"
    r"|instagram-media|tiktok-embed|video-player|author-bio|cookie-\w+|consent|paywall"
    r"|most-read|most-popular|next-article|prev-article|breadcrumbs?|print-only"
    r"|dek|standfirst|kicker|byline|dateline|tags|tag-list|tags-links|post-tags|site-header"
    r"|masthead"
)
_NOISE = re.compile(rf"(?:^|[\s_-])(?:{NOISE_WORDS})(?:$|[\s_-])", re.IGNORECASE)
#: Tags never holding the article's text.
NOISE_TAGS = ("aside", "figcaption", "nav", "iframe", "noscript", "button", "select", "svg",
              "template", "dialog", "object", "embed")  # fmt: skip
#: Tags whose content is never text at all: dropped whatever they hold.
CODE_TAGS = frozenset({"script", "style", "link", "meta"})
#: Elements that are a menu when they hold nothing but links.
_LINK_BLOCKS = frozenset({"td", "ul", "ol", "div", "section", "p", "font", "table"})
#: Containers that may be the article itself: a noisy word on them is not enough to drop them.
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})
#: Whole paragraphs that are furniture, not text.
NOISE_LINES = re.compile(
    r"^(?:advertisement|sponsored|story continues below(?: advertisement)?|continue reading"
    r"|read more|related(?: articles?| stories| coverage)?:?|share this(?: article| story)?"
    r"|sign up(?: for)?.{0,60}newsletter.*|(?:click here to )?subscribe(?: now)?(?: to .{0,60})?"
    r"|\d* ?comments?|leave a (?:comment|reply)|view comments|show comments"
    r"|(?:image|photo|video)(?: credit)?:.{0,120}|skip advertisement|more on this story"
    r"|(?:read also|see also|also read|lesen sie auch|lire aussi|leer también):.{0,160}"
    r"|(?:©|\(c\)|copyright\b).{0,160}|(?:posted|published|updated)(?:(?: on)?:? [\w ,.:/-]{6,40})?)\.?$",
    re.IGNORECASE,
)


class Counts:
    """Words, linked words, links, paragraphs and ``<article>`` elements under each element,
    counted in one pass from the leaves up (asking each element for its text would walk the
    same subtrees again for every ancestor)."""

    __slots__ = ("articles", "linked", "links", "paragraphs", "words")

    def __init__(self) -> None:
        self.words = self.linked = self.links = self.paragraphs = self.articles = 0

    @classmethod
    def of_tree(cls, root: etree._Element) -> dict[etree._Element, Counts]:
        counts: dict[etree._Element, Counts] = {}
        for el in reversed(list(root.iter())):
            mine = counts[el] = cls()
            mine.words = len(el.text.split()) if isinstance(el.tag, str) and el.text else 0
            for child in el:
                below = counts.get(child)
                if below is not None:
                    mine.add(below)
                if child.tail:
                    mine.words += len(child.tail.split())
            if el.tag == "a":
                mine.links, mine.linked = mine.links + 1, mine.words
            mine.paragraphs += el.tag == "p"
            mine.articles += el.tag == "article"
        return counts

    def add(self, other: Counts) -> None:
        self.words += other.words
        self.linked += other.linked
        self.links += other.links
        self.paragraphs += other.paragraphs
        self.articles += other.articles

    @property
    def holds_article(self) -> bool:
        """A noisy-named element that wraps the article anyway (``<div class="main has-ads">``):
        an ``<article>`` inside, or much text that is not links."""
        if self.articles or self.paragraphs >= 8:
            return True
        return self.words >= 150 and self.linked < 0.25 * self.words

    @property
    def all_links(self) -> bool:
        """A menu: three links or more and (nearly) no words outside them."""
        return self.links >= 3 and self.linked >= 0.9 * self.words


def is_noise(el: etree._Element, counts: Counts) -> bool:
    """Whether `el` is page furniture by its tag, class or id (never the article container)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in CODE_TAGS:
        return True
    if tag in _KEEP_TAGS:
        return False
    if tag in NOISE_TAGS or (tag == "header" and _in_article(el)):
        return not counts.holds_article
    if tag == "blockquote" and el.get("class"):  # embedded posts, not quotations
        return bool(_NOISE.search(el.get("class", "")))
    if (el.get("aria-hidden") or "").lower() == "true" or el.get("hidden") is not None:
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}".strip()
    if names and _NOISE.search(names):
        return not counts.holds_article
    return tag in _LINK_BLOCKS and counts.all_links


def _in_article(el: etree._Element) -> bool:
    """Whether `el` is inside an ``<article>``: an article's own header holds its kicker,
    headline, standfirst and byline, never its text (a page's header may wrap anything)."""
    return any(a.tag == "article" for a in el.iterancestors())


def strip_noise(root: etree._Element) -> etree._Element:
    """`root` with every furniture element removed (the tail text after each one kept)."""
    counts = Counts.of_tree(root)
    doomed = [el for el in root.iter() if isinstance(el.tag, str) and is_noise(el, counts[el])]
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


def drop_noise_lines(
    paragraphs: list[str], title: str | None, site_name: str | None = None
) -> list[str]:
    """Paragraphs without furniture lines, the headline repeated first, or the site's name.

    Repeated text is kept: articles repeat sentences, lists and recipes repeat whole lines
    (a real meal plan lost half its text to a rule against repeats); pull quotes are found by
    their markup (`NOISE_WORDS`), not by their text."""
    kept: list[str] = []
    for text in paragraphs:
        if NOISE_LINES.match(text) or (not kept and title and text == title):
            continue
        if site_name and text.lower() == site_name.lower():  # the masthead or the footer
            continue
        kept.append(text)
    return kept

