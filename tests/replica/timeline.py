"""When each article is published and in which section: the replica's only per-article state.

A day's articles are planned from (seed, day) alone: how many (14-22), at which Sofia wall
times, in which sections. The timeline takes the newest N of them, going back day by day from
the clock's start (the "tail"), plus, with eras, the landmark days before the tail. It keeps
three compact arrays (UTC time, top section, subsection), oldest first: array index = id - base.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

from newsarchive.dates import localize, zone

from .sections import BY_NAME, NO_SUB, SECTIONS, SUBSECTIONS_OF, TOP_SECTIONS, WORLD, subsection
from .seed import NO_WORLD_SINCE, PINS, PINS_BY_DAY, SEED_ID

TZ = "Europe/Sofia"
UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_START = int(datetime(2024, 12, 7, 12, 0, tzinfo=UTC).timestamp())
"""The replica's clock at start: 2024-12-07T12:00:00Z (14:00 in Sofia)."""
START_DAY = date(2024, 12, 7)

ERAS_DEFAULT_MIN = 200
"""--eras is the default from this many articles on."""


@dataclass(frozen=True)
class Landmark:
    """A landmark day published in full with --eras, and its special article, if any."""

    day: date
    minute: int | None
    """Sofia wall time of the special article (a DST edge, or the 2011 special report)."""
    section: str
    subsection: str | None
    key: str


LANDMARKS: tuple[Landmark, ...] = (
    # 2011 layout, authors in the date line, `// 00:00` times; a special report by Maria Guineva.
    Landmark(date(2011, 2, 3), 19 * 60 + 30, "Novinite Insider", "SPECIAL REPORT", "special-2011"),
    # The autumn change: 03:30 happens twice; the article is the first (EEST, 00:30Z).
    Landmark(date(2011, 10, 30), 3 * 60 + 30, "Politics", None, "dst-2011-10-30"),
    # The spring change: 03:00-03:59 does not exist; 04:05 EEST is 01:05Z.
    Landmark(date(2019, 3, 31), 4 * 60 + 5, "Society", None, "dst-2019-03-31"),
    # The autumn change: 03:20, first occurrence (EEST, 00:20Z).
    Landmark(date(2019, 10, 27), 3 * 60 + 20, "World", "Ukraine", "dst-2019-10-27"),
)
LANDMARK_BY_DAY = {lm.day: lm for lm in LANDMARKS}

_TOP_INDEXES = [s.index for s in TOP_SECTIONS]
_TOP_CUM = list(accumulate(s.weight for s in TOP_SECTIONS))
_NOT_WORLD = [s.index for s in TOP_SECTIONS if s.index != WORLD.index]


@dataclass(frozen=True)
class Slot:
    """One planned article: Sofia wall time, top section, subsection, pin key."""

    minute: int
    top: int
    sub: int
    key: str | None = None


def day_count(seed: int, day: date) -> int:
    """How many articles `day` has (the first draw of the day's generator)."""
    rng = random.Random(f"{seed}:day:{day.isoformat()}")
    return rng.randint(6, 10) if day == START_DAY else rng.randint(14, 22)


def draw_section(rng: random.Random, top: int | None = None) -> tuple[int, int]:
    """A (top, subsection) pair drawn by weight; `top` fixes the top section."""
    if top is None:
        top = rng.choices(_TOP_INDEXES, cum_weights=_TOP_CUM)[0]
    sub = NO_SUB
    roll = rng.random() * 100
    for candidate in SUBSECTIONS_OF[top]:
        if roll < candidate.weight:
            sub = candidate.index
            break
        roll -= candidate.weight
    return top, sub


def plan_day(seed: int, day: date) -> list[Slot]:
    """Every article of `day`, ordered by Sofia wall time (then as planned)."""
    rng = random.Random(f"{seed}:day:{day.isoformat()}")
    count = rng.randint(6, 10) if day == START_DAY else rng.randint(14, 22)
    fixed: list[Slot] = []
    for pin in PINS_BY_DAY.get(day, ()):
        top = BY_NAME[pin.section]
        sub = subsection(pin.section, pin.subsection).index if pin.subsection else NO_SUB
        fixed.append(Slot(pin.minute, top.index, sub, pin.key))
    landmark = LANDMARK_BY_DAY.get(day)
    if landmark and landmark.minute is not None:
        top = BY_NAME[landmark.section]
        sub = (
            subsection(landmark.section, landmark.subsection).index
            if landmark.subsection
            else NO_SUB
        )
        fixed.append(Slot(landmark.minute, top.index, sub, landmark.key))
    taken = {slot.minute for slot in fixed}
    if day == START_DAY:
        low, high = 6 * 60, 13 * 60 + 59  # before the clock's start (14:00 Sofia)
    else:
        low, high = 7 * 60, 23 * 60 + 30
    free = [m for m in range(low, high + 1) if m not in taken]
    wanted = max(0, count - len(fixed))
    minutes = rng.sample(free, wanted)
    old = day.year < 2014
    slots = list(fixed)
    no_world_day, no_world_minute = NO_WORLD_SINCE
    for minute in minutes:
        if day != START_DAY and rng.random() < 0.08:
            minute -= 2 * 60  # an early bird, 05:00-07:00
        if old and rng.random() < 0.2:
            minute = 0  # `// 00:00`: time unknown
        top, sub = draw_section(rng)
        if top == WORLD.index and (day, minute) >= (no_world_day, no_world_minute):
            top, sub = draw_section(rng, rng.choice(_NOT_WORLD))
        slots.append(Slot(minute, top, sub))
    slots.sort(key=lambda slot: slot.minute)
    return slots


def day_instants(day: date, minutes: list[int]) -> list[int]:
    """UTC epoch seconds of Sofia wall times on `day` (DST-correct; ambiguous → first)."""
    tz = zone(TZ)
    midnight = datetime(day.year, day.month, day.day)
    first = midnight.replace(tzinfo=tz).utcoffset()
    last = (midnight + timedelta(hours=23, minutes=59)).replace(tzinfo=tz).utcoffset()
    naive_epoch = int((midnight - datetime(1970, 1, 1)).total_seconds())
    if first == last and first is not None:
        shift = int(first.total_seconds())
        return [naive_epoch + m * 60 - shift for m in minutes]
    return [int(localize(midnight + timedelta(minutes=m), TZ).timestamp()) for m in minutes]


def local_midnight(day: date) -> int:
    """UTC epoch seconds of 00:00 Sofia time on `day`."""
    return day_instants(day, [0])[0]


def sofia_day(instant: int) -> date:
    """The Sofia calendar day of a UTC epoch instant."""
    return datetime.fromtimestamp(instant, zone(TZ)).date()


class ArticleCountError(ValueError):
    """N cannot hold the seed and its pinned articles, or more ids than exist below the seed."""

    def __init__(self, message: str, minimum: int | None = None) -> None:
        super().__init__(message)
        self.minimum = minimum
        """For too few articles: the fewest that hold the seed page and its neighbours."""


class Timeline:
    """Compact per-article arrays, oldest first; index = id - base_id."""

    def __init__(self, seed: int, articles: int, eras: bool | None = None) -> None:
        self.seed = seed
        if eras is None:
            eras = articles >= ERAS_DEFAULT_MIN
            explicit = False
        else:
            explicit = True
        try:
            tail_days, era_days = self._shape(articles, eras)
        except ArticleCountError:
            if not eras or explicit:
                raise
            tail_days, era_days = self._shape(articles, False)
            eras = False
        self.eras = eras
        self.times = array("q")
        self.tops = array("B")
        self.subs = array("B")
        self.keys: dict[int, str] = {}
        for day in era_days:
            self._extend(day, plan_day(seed, day))
        self.tail_start = len(self.times)
        """Index of the first article of the tail (the articles before it are the eras)."""
        remaining = articles - len(self.times)
        plans = []
        for day in tail_days:  # newest first
            slots = plan_day(seed, day)
            plans.append((day, slots[-remaining:] if remaining < len(slots) else slots))
            remaining -= len(plans[-1][1])
        for day, slots in reversed(plans):
            self._extend(day, slots)
        seed_index = next(i for i, key in self.keys.items() if key == "seed")
        self.base_id = SEED_ID - seed_index
        if self.base_id < 1:
            most = articles + self.base_id - 1
            raise ArticleCountError(
                f"--articles {articles} is too many: ids are sequential in publication order and "
                f"the seed article is {SEED_ID}, so at most {most} articles fit before the clock's "
                "start (ids from 1); publish more with POST /__replica__/advance"
            )
        self.key_index = {key: i for i, key in self.keys.items()}
        self.by_cat: dict[int, array] = {s.cat_id: array("I") for s in SECTIONS}
        for i in range(len(self.times)):
            self._index(i)

    # -- building ----------------------------------------------------------------------------
    def _shape(self, articles: int, eras: bool) -> tuple[list[date], list[date]]:
        """(tail days newest first, era days oldest first) for `articles` articles."""
        seed = self.seed
        era_days = [lm.day for lm in LANDMARKS] if eras else []
        while True:
            tail_n = articles - sum(day_count(seed, d) for d in era_days)
            tail_days: list[date] = []
            day, got = START_DAY, 0
            while got < tail_n:
                tail_days.append(day)
                got += day_count(seed, day)
                day -= timedelta(days=1)
            oldest = tail_days[-1] if tail_days else START_DAY
            kept = [d for d in era_days if d < oldest]
            if kept == era_days:
                break
            era_days = kept
        needed = self.minimum_tail()
        if tail_n < needed:
            raise ArticleCountError(
                f"--articles {articles} is too few{' with --eras' if era_days else ''}: the "
                f"newest {needed} articles are needed to reach the seed's related articles"
                f" (try --articles {needed + (articles - tail_n)} or more)",
                minimum=needed + (articles - tail_n),
            )
        return tail_days, era_days

    def minimum_tail(self) -> int:
        """Articles from the clock's start back to the oldest pinned article, inclusive."""
        oldest = PINS[0]
        total, day = 0, START_DAY
        while day > oldest.day:
            total += day_count(self.seed, day)
            day -= timedelta(days=1)
        last = plan_day(self.seed, oldest.day)
        position = next(i for i, slot in enumerate(last) if slot.key == oldest.key)
        return total + len(last) - position

    def _extend(self, day: date, slots: list[Slot]) -> None:
        for slot, instant in zip(slots, day_instants(day, [s.minute for s in slots]), strict=True):
            if slot.key:
                self.keys[len(self.times)] = slot.key
            self.times.append(instant)
            self.tops.append(slot.top)
            self.subs.append(slot.sub)

    def _index(self, i: int) -> None:
        self.by_cat[SECTIONS[self.tops[i]].cat_id].append(i)
        if self.subs[i] != NO_SUB:
            self.by_cat[SECTIONS[self.subs[i]].cat_id].append(i)

    # -- growth --------------------------------------------------------------------------------
    def publish(self, instant: int, cat_id: int | None = None) -> int:
        """Append one article published at `instant` (not before the newest); its index.

        Its section is drawn from (seed, index), or given (`cat_id`, a section or subsection).
        """
        index = len(self.times)
        instant = max(instant, self.times[-1])
        rng = random.Random(f"{self.seed}:new:{index}")
        if cat_id is None:
            top, sub = draw_section(rng)
        else:
            section = next(s for s in SECTIONS if s.cat_id == cat_id)
            if section.parent is None:
                top, sub = draw_section(rng, section.index)
            else:
                top, sub = section.parent, section.index
        self.tops.append(top)
        self.subs.append(sub)
        self.times.append(instant)  # last: readers take len(times) as the article count
        self._index(index)
        return index

    # -- lookups -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.times)

    def index_of(self, article_id: int) -> int | None:
        """Array index of an article id, or None when no such article exists."""
        index = article_id - self.base_id
        return index if 0 <= index < len(self.times) else None

    def day_range(self, day: date) -> range:
        """Indexes of the articles of one Sofia day."""
        start = bisect_left(self.times, local_midnight(day))
        end = bisect_left(self.times, local_midnight(day + timedelta(days=1)))
        return range(start, end)

    def since(self, instant: int) -> int:
        """Index of the first article published after `instant`."""
        return bisect_right(self.times, instant)

    def section_list(self, cat_id: int) -> array:
        """Indexes of a section's (or subsection's) articles, oldest first."""
        return self.by_cat[cat_id]

    def pin_key(self, index: int) -> str | None:
        """The pin or landmark key of an article, if it has one."""
        return self.keys.get(index)

    def pinned(self, key: str) -> int | None:
        """Index of the pinned article `key`, if present."""
        return self.key_index.get(key)
