"""Articles generated on demand from (seed, id): a head (title, teaser, tags…) and a story (body).

Nothing is stored per article: `Newsroom.head` and `Newsroom.story` rebuild an article from the
seed, its id, and what the timeline knows (time, section, pin key), then replay its edits
(`version` > 1). Two random streams per article keep heads cheap: listings, related articles
and feeds only need the head. Small LRU caches make repeated use cheap.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from newsarchive.dates import zone

from . import wordbank as wb
from .sections import NO_SUB, SECTIONS, Section
from .seed import PIN_BY_KEY, Pin
from .textmodel import Paragraph, Run, runs_plain
from .timeline import TZ, Timeline

_FORMATTER = string.Formatter()
Template = tuple[tuple[str, str | None], ...]


def _parse(template: str) -> Template:
    return tuple((literal, field) for literal, field, _spec, _conv in _FORMATTER.parse(template))


_FIRST = [_parse(t) for t in wb.FIRST_SENTENCES]
_SENTENCES = [_parse(t) for t in wb.SENTENCES]
_BR_LINES = [_parse(t) for t in wb.BR_SENTENCES]
_TITLES = [_parse(t) for t in wb.TITLES]


def era_of(year: int) -> str:
    """The page layout (and the set of officials) of a publication year."""
    if year < 2014:
        return "2011"
    if year < 2023:
        return "2019"
    return "2025"


@dataclass(frozen=True)
class Head:
    """What listings, feeds and related links need of an article."""

    article_id: int
    version: int
    title: str
    teaser: str
    tags: tuple[str, ...]
    author: str | None
    author_space: bool
    """``Author: X | date`` (True) or the 2011 ``Author: X |date`` (False)."""
    section: Section
    subsection: Section | None
    local: datetime
    """Publication time, Sofia wall time (aware)."""
    era: str
    """``2011``, ``2019`` or ``2025``: the page layout."""
    entities: bool
    """The page writes ’ and quotes as character references."""
    views: int
    first: Paragraph
    """The first sentence (the teaser with its final period), as runs."""
    key: str | None = None


@dataclass(frozen=True)
class Story:
    """The whole article: its head, body paragraphs, sources and image caption."""

    head: Head
    paragraphs: tuple[Paragraph, ...]
    sources: tuple[str, ...]
    caption: str | None
    """A second caption line under the image (``Photo by BGNES``), or None."""


class _Context:
    """Slot values for one article's sentences."""

    def __init__(self, rng: random.Random, group: str, era: str, topic: str, curly: bool) -> None:
        self.rng = rng
        self.r = rng.random
        self.group = group
        self.topic = topic
        self.curly = curly
        people = list(wb.OFFICIALS[era])
        if group == "world":
            people = wb.WORLD_PEOPLE + people[:3]
        self.people = [p for p, _s in people]
        self.orgs = wb.ORGS[group]
        self.topics = [t for _h, t in wb.TOPICS[group]]

    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.r() * len(seq))]

    def sentence(self, template: Template) -> list[Run]:
        """Runs of one sentence (first letter capitalised)."""
        r, pick = self.r, self.pick
        runs: list[Run] = []
        text: list[str] = []
        cyr: tuple[str, str] | None = None
        for literal, field in template:
            if literal:
                text.append(literal)
            if field is None:
                continue
            markup = ""
            href = ""
            if field == "P":
                value = pick(self.people) if r() < 0.75 else pick(wb.EXPERTS)
                if r() < 0.12:
                    markup = "b"
            elif field == "O":
                value = pick(self.orgs)
                if r() < 0.08:
                    markup, href = "a", f"/search_news.php?thequery={value.split()[-1]}"
            elif field == "T":
                value = self.topic
                if r() < 0.04:
                    markup = "i"
            elif field == "T2":
                value = pick(self.topics)
            elif field == "B":
                value = pick(wb.BG_PLACES)
            elif field == "W":
                value = pick(wb.WORLD_PLACES)
            elif field in ("cyrbg", "cyren"):
                if cyr is None:
                    cyr = wb.CYRILLIC[int(r() * len(wb.CYRILLIC))]
                value = cyr[1] if field == "cyrbg" else cyr[0]
            elif field == "pct":
                value = f"{int(r() * 35) + 1}.{int(r() * 10)}%"
            elif field == "money":
                unit = "BGN" if r() < 0.6 else "EUR"
                space = "\xa0" if r() < 0.3 else " "
                if r() < 0.7:
                    value = f"{unit}{space}{int(r() * 890) + 10} million"
                else:
                    value = f"{unit}{space}{int(r() * 9) + 1}.{int(r() * 10)} billion"
            elif field == "num":
                value = f"{int(r() * 25000) + 12:,}"
            elif field == "said":
                value = pick(wb.SAID)
            elif field == "would":
                value = pick(wb.WOULD)
            elif field == "outcome":
                value = pick(wb.OUTCOMES)
            elif field == "action":
                value = pick(wb.ACTIONS)
            elif field == "rose":
                value = pick(wb.ROSE)
            elif field == "when":
                value = pick(wb.WHEN)
            elif field == "concern":
                value = pick(wb.CONCERNS)
            elif field == "quote":
                value = pick(wb.QUOTES)
            elif field == "day":
                value = pick(wb.WEEKDAYS)
            elif field == "month":
                value = pick(wb.MONTHS)
            elif field == "expert":
                value = pick(wb.EXPERTS)
                if r() < 0.15:
                    markup = "bi"
            else:  # pragma: no cover - a template bug
                raise KeyError(field)
            if markup:
                if text:
                    runs.append(("t", "".join(text), ""))
                    text = []
                runs.append((markup, value, href))
            else:
                text.append(value)
        if text:
            runs.append(("t", "".join(text), ""))
        kind, first, href = runs[0]
        runs[0] = (kind, first[:1].upper() + first[1:], href)
        if self.curly:
            runs = [(k, t.replace("'", "\u2019"), h) for k, t, h in runs]
        return runs

    def paragraph(self, sentences: int) -> Paragraph:
        """A paragraph of `sentences` sentences, joined by spaces, source newlines or a <br>."""
        r = self.r
        runs: list[Run] = []
        if r() < 0.03:
            runs.extend(self.sentence(_BR_LINES[int(r() * len(_BR_LINES))]))
            runs.append(("br", "", ""))
        for n in range(sentences):
            if n:
                roll = r()
                if roll < 0.05:
                    runs.append(("nl", "", ""))
                elif roll < 0.08:
                    runs.append(("br", "", ""))
                else:
                    runs.append(("t", "  " if roll > 0.97 else " ", ""))
            runs.extend(self.sentence(_SENTENCES[int(r() * len(_SENTENCES))]))
        if r() < 0.03:
            runs.append(("br", "", ""))  # a trailing <br>: nothing in the truth
        return tuple(runs)


def _fill_title(
    template: Template, pick: Callable[[Sequence[str]], str], ctx: dict[str, str]
) -> str:
    out: list[str] = []
    for literal, field in template:
        out.append(literal)
        if field is not None:
            out.append(ctx[field] if field in ctx else pick(_TITLE_BANKS[field]))
    return "".join(out)


_TITLE_BANKS: dict[str, Sequence[str]] = {
    "HB": wb.BG_PLACES,
    "HW": wb.WORLD_PLACES,
    "HM": wb.MONTHS,
    "HQ": wb.QUOTES,
}


class Newsroom:
    """Builds articles from the seed and the timeline; heads and stories are LRU-cached."""

    def __init__(
        self, timeline: Timeline, head_cache: int = 16384, story_cache: int = 1024
    ) -> None:
        self.timeline = timeline
        self.seed = timeline.seed
        self.head: Callable[[int, int], Head] = lru_cache(maxsize=head_cache)(self._head)
        self.story: Callable[[int, int], Story] = lru_cache(maxsize=story_cache)(self._story)

    # -- heads ---------------------------------------------------------------------------------
    def _head(self, index: int, version: int = 1) -> Head:
        """Head of the article at timeline `index`, after `version` - 1 edits."""
        if version > 1:
            return self._edit_head(self.head(index, version - 1), version)
        tl = self.timeline
        article_id = tl.base_id + index
        section = SECTIONS[tl.tops[index]]
        sub = tl.subs[index]
        subsection = SECTIONS[sub] if sub != NO_SUB else None
        local = datetime.fromtimestamp(tl.times[index], zone(TZ))
        era = era_of(local.year)
        key = tl.pin_key(index)
        pin: Pin | None = PIN_BY_KEY.get(key) if key else None
        rng = random.Random(f"{self.seed}:{article_id}")
        r = rng.random
        group = section.group
        head_topic, topic = wb.TOPICS[group][int(r() * len(wb.TOPICS[group]))]
        curly = r() < 0.3
        entities = r() < 0.4
        ctx = _Context(rng, group, era, topic, curly)
        first = ctx.sentence(_FIRST[int(r() * len(_FIRST))])
        first.append(("t", ".", ""))
        if pin is not None and pin.teaser:
            first = [("t", pin.teaser + ".", "")]
        elif pin is not None and pin.body:
            lead = runs_plain(pin.body[0])
            first = [("t", lead[: lead.index(". ") + 1], "")]
        if pin is not None:
            title = pin.title
        else:
            people = wb.WORLD_PEOPLE if group == "world" else wb.OFFICIALS[era]
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
        tags: tuple[str, ...] = ()
        if pin is not None and pin.tags is not None:
            tags = pin.tags
        elif r() < (0.85 if era != "2011" else 0.45):
            bank = wb.TAGS[group]
            tags = tuple(rng.sample(bank, 2 + int(r() * 5)))
        author, author_space = None, True
        if key == "special-2011":
            author, author_space = "Maria Guineva", False
        elif pin is None:
            chance = 0.5 if era == "2011" else (0.7 if section.cat_id in (10, 11, 81) else 0.03)
            if r() < chance:
                author = ctx.pick(wb.AUTHORS)
                author_space = era != "2011" or r() < 0.4
        if era != "2025" and pin is None and r() < 0.02:
            title = title.replace("'", "\u2019")
        return Head(
            article_id=article_id,
            version=1,
            title=title,
            teaser=_teaser(runs_plain(tuple(first))),
            tags=tags,
            author=author,
            author_space=author_space,
            section=section,
            subsection=subsection,
            local=local,
            era=era,
            entities=entities,
            views=150 + int(r() * 25000),
            first=tuple(first),
            key=key,
        )

    def _edit_head(self, head: Head, version: int) -> Head:
        rng = random.Random(f"{self.seed}:{head.article_id}:edit:{version}:head")
        base = head.title.split(" (UPDATED")[0]
        title = f"{base} (UPDATED)" if version == 2 else f"{base} (UPDATED {version - 1})"
        bank = [t for t in wb.TAGS[head.section.group] if t not in head.tags] or ["update"]
        return replace(head, version=version, title=title, tags=(*head.tags, rng.choice(bank)))

    # -- stories -------------------------------------------------------------------------------
    def _story(self, index: int, version: int = 1) -> Story:
        """The whole article at timeline `index`, after `version` - 1 edits."""
        head = self.head(index, version)
        if version > 1:
            return self._edit_story(self.story(index, version - 1), head)
        return self._compose(head)

    def uncached(self, index: int, version: int = 1) -> Story:
        """`story` without filling the caches (a pass over every article, e.g. truth.jsonl)."""
        if version > 1:
            return self.story(index, version)
        return self._compose(self._head(index, 1))

    def _compose(self, head: Head) -> Story:
        pin = PIN_BY_KEY.get(head.key) if head.key else None
        if pin is not None and pin.body is not None:
            return Story(head, pin.body, pin.sources, None)
        rng = random.Random(f"{self.seed}:{head.article_id}:body")
        r = rng.random
        group = head.section.group
        topic = wb.TOPICS[group][int(r() * len(wb.TOPICS[group]))][1]
        ctx = _Context(rng, group, head.era, topic, r() < 0.3)
        count = int(rng.triangular(2, 12.99, 4))
        paragraphs: list[Paragraph] = []
        first_more = int(r() * 3)
        first = list(head.first)
        if first_more:
            first.append(("t", " ", ""))
            first.extend(ctx.paragraph(first_more))
        paragraphs.append(tuple(first))
        for _ in range(count - 1):
            if r() < 0.03:
                paragraphs.append((("t", "\xa0", ""),))  # <p>&nbsp;</p>: nothing in the truth
            paragraphs.append(ctx.paragraph(1 + int(r() * 5)))
        sources: tuple[str, ...] = ()
        if pin is not None:
            sources = pin.sources
        elif head.era != "2011" and r() < 0.3:
            sources = tuple(rng.sample(wb.SOURCES, 1 + int(r() * 4)))
        caption = None
        if head.key != "seed" and head.era != "2011" and r() < 0.4:
            caption = ctx.pick(wb.CAPTIONS)
        return Story(head, tuple(paragraphs), sources, caption)

    def _edit_story(self, story: Story, head: Head) -> Story:
        rng = random.Random(f"{self.seed}:{head.article_id}:edit:{head.version}:body")
        group = head.section.group
        topic = wb.TOPICS[group][rng.randrange(len(wb.TOPICS[group]))][1]
        ctx = _Context(rng, group, head.era, topic, False)
        paragraphs = list(story.paragraphs)
        roll = rng.random()
        if roll < 0.4:  # an update at the end
            update = ctx.paragraph(1 + rng.randrange(3))
            paragraphs.append((("b", "Update:", ""), ("t", " ", ""), *update))
        elif roll < 0.7:  # a new paragraph after the first
            paragraphs.insert(1 + rng.randrange(len(paragraphs)), ctx.paragraph(2))
        else:  # a paragraph (not the first) rewritten
            at = 1 + rng.randrange(max(1, len(paragraphs) - 1))
            if at >= len(paragraphs):
                paragraphs.append(ctx.paragraph(2))
            else:
                paragraphs[at] = ctx.paragraph(1 + rng.randrange(4))
        return replace(story, head=head, paragraphs=tuple(paragraphs))


def _teaser(sentence: str) -> str:
    """A listing teaser: the first sentence without its final period, at most ~220 characters."""
    text = sentence.rstrip(".")
    if len(text) > 220:
        text = text[:220].rsplit(" ", 1)[0]
    return text
