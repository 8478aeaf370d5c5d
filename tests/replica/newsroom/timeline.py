"""The newsroom's publication timeline: compact per-article arrays, days in New York time.

Article ids start at `FIRST_ID` and follow publication order. About 8 articles a New York day
(6-10, drawn from (seed, day)) fill the days back from the clock's start; three landmark
articles sit on the DST changes of 2024 whatever the article count.
"""

from __future__ import annotations

import random
import zlib
from array import array
from datetime import date, datetime, timedelta, timezone

from newsarchive.dates import zone

from ..timeline import CLOCK_START

TZ = "America/New_York"
NY = zone(TZ)
FIRST_ID = 1001
SECTIONS: tuple[tuple[str, str, str, int], ...] = (
    # slug, name, word-bank group, weight
    ("politics", "Politics", "politics", 22),
    ("business", "Business", "economy", 18),
    ("world", "World", "world", 24),
    ("local", "Local", "society", 14),
    ("health", "Health", "society", 8),
    ("opinion", "Opinion", "politics", 6),
    ("sports", "Sports", "society", 8),
)
SECTION_BY_SLUG = {slug: i for i, (slug, *_rest) in enumerate(SECTIONS)}
_WEIGHTS = [w for *_rest, w in SECTIONS]
LANDMARKS: tuple[tuple[int, int], ...] = (
    # (UTC instant, section): 03:05 EDT just after the spring gap (07:05Z); 01:30 twice on the
    # autumn change: first EDT (05:30Z), then EST (06:30Z).
    (int(datetime(2024, 3, 10, 7, 5, tzinfo=timezone.utc).timestamp()), 3),
    (int(datetime(2024, 11, 3, 5, 30, tzinfo=timezone.utc).timestamp()), 0),
    (int(datetime(2024, 11, 3, 6, 30, tzinfo=timezone.utc).timestamp()), 2),
)
LANDMARK_TIMES = frozenset(t for t, _s in LANDMARKS)
MIN_ARTICLES = 10


def ny_day(instant: int) -> date:
    """The New York calendar day of a UTC instant."""
    return datetime.fromtimestamp(instant, NY).date()


def local(instant: int) -> datetime:
    """The New York wall time (aware) of a UTC instant."""
    return datetime.fromtimestamp(instant, NY)


def plan_day(seed: int, day: date) -> list[tuple[int, int]]:
    """(UTC instant, section) of a day's articles, oldest first; depends on (seed, day) only."""
    rng = random.Random(f"{seed}:newsroom:{day.isoformat()}")
    count = rng.randint(6, 10)
    minutes = sorted(rng.sample(range(6 * 60, 23 * 60), count))
    out = []
    for minute in minutes:
        wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=NY)
        out.append((int(wall.timestamp()), rng.choices(range(len(SECTIONS)), _WEIGHTS)[0]))
    return out


def modified_offset(seed: int, article_id: int) -> int:
    """Seconds between publication and the first `dateModified` (0 for ~40% of articles)."""
    roll = zlib.crc32(f"{seed}:{article_id}:modified".encode()) % 1000
    return 0 if roll < 400 else 60 * (5 + roll % 236)


class Timeline:
    """Per-article arrays (UTC time, section) and the indexes the site's pages need."""

    def __init__(self, seed: int, articles: int) -> None:
        if articles < MIN_ARTICLES:
            raise ValueError(f"the newsroom needs at least {MIN_ARTICLES} articles")
        self.seed = seed
        self.base_id = FIRST_ID
        self.times = array("q")
        self.sections = array("b")
        self.by_day: dict[date, list[int]] = {}
        self.by_section: dict[int, list[int]] = {i: [] for i in range(len(SECTIONS))}
        tail: list[tuple[int, int]] = []
        day = ny_day(CLOCK_START)
        wanted = articles - len(LANDMARKS)
        while len(tail) < wanted:
            plan = [s for s in plan_day(seed, day) if s[0] <= CLOCK_START]
            tail[:0] = plan
            day -= timedelta(days=1)
        for instant, section in sorted(tail[len(tail) - wanted :] + list(LANDMARKS)):
            self._append(instant, section)

    def _append(self, instant: int, section: int) -> int:
        index = len(self.times)
        self.times.append(instant)
        self.sections.append(section)
        self.by_day.setdefault(ny_day(instant), []).append(index)
        self.by_section[section].append(index)
        return index

    def publish(self, instant: int) -> int:
        """Append an article at `instant` (not before the newest); its index."""
        instant = max(instant, self.times[-1])
        rng = random.Random(f"{self.seed}:newsroom:publish:{len(self.times)}")
        return self._append(instant, rng.choices(range(len(SECTIONS)), _WEIGHTS)[0])

    def __len__(self) -> int:
        return len(self.times)

    def index_of(self, article_id: int) -> int | None:
        """The index of an article id, None when unknown."""
        index = article_id - self.base_id
        return index if 0 <= index < len(self.times) else None

    def since(self, instant: int) -> int:
        """The first index published after `instant`."""
        lo, hi = 0, len(self.times)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.times[mid] <= instant:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def months(self) -> dict[str, list[int]]:
        """``YYYY-MM`` (New York) → article indexes, oldest month first."""
        out: dict[str, list[int]] = {}
        for day in sorted(self.by_day):
            out.setdefault(f"{day:%Y-%m}", []).extend(self.by_day[day])
        return out
