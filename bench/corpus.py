"""The search benchmark's corpus: news-like articles with a real vocabulary, built once.

The replica's text comes from a small word bank (most random words match a large share of
it); news text has a long tail. Here words are drawn by their frequency in English
(`wordfreq`'s list of the 60,000 most frequent words: Zipf-distributed, stop words included),
and each article has what news articles have: a few people and places (generated names with a
Zipf popularity, so some are in the news every day and most rarely), a handful of topic words
repeated through the body, a title made of them, a section, tags, and a date. Dates run from
2001 to late 2026 with more articles a year as years go by, and articles are stored oldest
first (as an archive kept by hourly crawls), so a higher id is a newer article.

The archive is built through `Archive.store` in bulk transactions: the real schema, triggers
and FTS5 index, only not one transaction per article. It is cached in ``bench/work/`` under a
name holding its size and seed (and the schema and corpus versions in a marker file), so
``make bench`` builds it once.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import WORK
from newsarchive.archive import SCHEMA_VERSION, Archive
from newsarchive.items import Article

ARTICLES = 229_790
SEED = 15
#: Bumped when the generator changes, so a cached corpus is built again.
CORPUS_VERSION = 1
VOCABULARY = 60_000
FIRST = datetime(2001, 1, 1, tzinfo=UTC)
LAST = datetime(2026, 12, 1, tzinfo=UTC)
SECTIONS = {
    "Bulgaria": 30, "World": 18, "Business": 15, "Politics": 12, "Society": 8, "Sports": 6,
    "Europe": 4, "Lifestyle": 3, "Culture": 2, "Science": 1, "Tech": 1,
}
_FIRST_NAMES = ["Ivan", "Georgi", "Dimitar", "Nikolay", "Petar", "Hristo", "Stoyan", "Todor", "Boyko", "Rumen", "Kiril", "Yordan", "Maria", "Elena", "Ivanka", "Desislava", "Tsvetelina", "Kristalina", "Radka", "Vesela", "Anna", "Daniel", "Alexander", "Martin", "Viktor", "Emil", "Simeon", "Plamen", "Lyubomir", "Kamen", "Milena", "Gergana", "Zornitsa", "Teodora", "Nadezhda", "Boris", "Vasil"]
_ONSETS = ["b", "br", "d", "dr", "g", "gr", "k", "kr", "l", "m", "n", "p", "pl", "r", "s", "sl", "st", "t", "tr", "v", "z", "zh", "ch", "sh", "ts", "y"]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ya", "yu"]
_SURNAME_ENDS = ["ov", "ova", "ev", "eva", "ski", "ska", "in", "ina", "ich", "escu", "idis", "oglu"]
_PLACE_ENDS = ["grad", "ovo", "evo", "ets", "ik", "ica", "burg", "ville", "polje", "dol", "chevo", "ene", "insko"]


def _coined(rng: random.Random, ends: list[str], syllables: tuple[int, int]) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(*syllables))]
    return ("".join(parts) + rng.choice(ends)).capitalize()


def _distinct(rng: random.Random, count: int, make: callable) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(make(), None)
    return list(seen)


def _zipf_cumulative(count: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


@dataclass
class Vocabulary:
    """Words with their English frequencies, people and places with a Zipf popularity."""

    words: list[str]
    word_weights: list[float]
    topic_words: list[str]
    topic_weights: list[float]
    people: list[str]
    places: list[str]
    entity_weights: list[float]
    place_weights: list[float]

    @classmethod
    def make(cls, rng: random.Random) -> Vocabulary:
        from wordfreq import top_n_list, word_frequency

        words = [w for w in top_n_list("en", VOCABULARY) if w.isalpha() and w.isascii()]
        cumulative = list(itertools.accumulate(word_frequency(w, "en") for w in words))
        topic = words[150:]  # content words: not the commonest function words
        topic_cumulative = list(itertools.accumulate(word_frequency(w, "en") ** 0.8 for w in topic))
        surnames = _distinct(rng, 6000, lambda: _coined(rng, _SURNAME_ENDS, (1, 3)))
        people = [f"{rng.choice(_FIRST_NAMES)} {surname}" for surname in surnames]
        places = _distinct(rng, 3000, lambda: _coined(rng, _PLACE_ENDS, (1, 2)))
        return cls(words, cumulative, topic, topic_cumulative, people, places,
                   _zipf_cumulative(len(people), 1.05), _zipf_cumulative(len(places), 1.05))


class Writer:
    """One article's text at a time, from a vocabulary and a seeded generator."""

    def __init__(self, vocabulary: Vocabulary, rng: random.Random) -> None:
        self.v, self.rng = vocabulary, rng

    def article(self, number: int, published: datetime) -> Article:
        v, rng = self.v, self.rng
        people = rng.choices(v.people, cum_weights=v.entity_weights, k=rng.randint(1, 3))
        places = rng.choices(v.places, cum_weights=v.place_weights, k=rng.randint(1, 2))
        topic = rng.choices(v.topic_words, cum_weights=v.topic_weights, k=5)
        named = [p.split()[1] for p in people] + places
        title_words = rng.choices(v.topic_words, cum_weights=v.topic_weights, k=rng.randint(2, 5))
        title = " ".join([rng.choice(named), *topic[:2], *title_words, rng.choice(places)])
        length = rng.randint(120, 420)
        general = rng.choices(v.words, cum_weights=v.word_weights, k=length)
        own = [*topic, *named, *people]
        for position in rng.sample(range(length), k=length // 8):
            general[position] = rng.choice(own)
        sentences, start = [], 0
        while start < length:
            size = rng.randint(8, 22)
            sentence = general[start:start + size]
            sentences.append(" ".join(sentence).capitalize() + ".")
            start += size
        paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
        section = rng.choices(list(SECTIONS), weights=list(SECTIONS.values()))[0]
        tags = list(dict.fromkeys([*people[:1], *places[:1], topic[0].capitalize()]))
        return Article(
            site="benchnews",
            site_id=str(100000 + number),
            url=f"https://bench.example/articles/{100000 + number}/",
            title=title[0].upper() + title[1:],
            published=published,
            published_local=published,
            body="\n\n".join(paragraphs),
            section=section,
            subsection=None,
            author=None,
            tags=tags,
            sources=[],
            image_url=None,
            html=None,
            fetched_at=published,
            status=200,
        )


def dates(count: int, rng: random.Random) -> list[datetime]:
    """`count` publication times from FIRST to LAST, oldest first, more each year (the
    density grows linearly: four times as many articles a day at the end as at the start)."""
    span = (LAST - FIRST).total_seconds()
    # Inverse of the CDF of a density rising linearly from 1 to 4 over [0, 1].
    fractions = sorted(((1 + 15 * rng.random()) ** 0.5 - 1) / 3 for _ in range(count))
    return [FIRST + timedelta(seconds=int(f * span)) for f in fractions]


def path_for(articles: int, seed: int) -> Path:
    return WORK / f"corpus-{articles}-{seed}.db"


def build(articles: int = ARTICLES, seed: int = SEED) -> Path:
    """The corpus archive of `articles` articles from `seed`, built unless cached."""
    db = path_for(articles, seed)
    marker = db.with_suffix(".built")
    key = f"{articles}:{seed}:schema {SCHEMA_VERSION}:corpus {CORPUS_VERSION}"
    if db.exists() and marker.exists() and marker.read_text() == key:
        return db
    WORK.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    marker.unlink(missing_ok=True)
    rng = random.Random(seed)
    writer = Writer(Vocabulary.make(rng), rng)
    started = time.monotonic()
    with Archive(db) as archive:
        batch = 5000
        when = dates(articles, rng)
        for start in range(0, articles, batch):
            with archive.bulk():
                for number in range(start, min(start + batch, articles)):
                    article = writer.article(number, when[number])
                    archive.store(article, run_id=None, now=when[number])
            if start % 50_000 == 0:
                print(f"    corpus: {start + batch}/{articles} stored "
                      f"({time.monotonic() - started:.0f} s)", flush=True)
    marker.write_text(key)
    print(f"    corpus: {articles} articles built in {time.monotonic() - started:.0f} s")
    return db


#: The backfill-ordered copy: the newest this many articles as hourly runs stored them (oldest
#: first, on top), everything before as one backfill stored them (newest first).
HOURLY_TAIL = 5_000


def backfill_ordered(db: Path) -> Path:
    """A copy of the corpus `db` with the ids a real archive gets from one backfill followed by
    hourly runs: the backfill stored from the newest article back (so within it a higher id is
    an *older* article), then the runs added the last `HOURLY_TAIL` articles oldest first. The
    same articles and index, renumbered (and the index rebuilt): cached beside `db`."""
    copy = db.with_name(db.stem + "-backfill.db")
    marker = copy.with_suffix(".built")
    key = f"{db.with_suffix('.built').read_text()}:tail {HOURLY_TAIL}"
    if copy.exists() and marker.exists() and marker.read_text() == key:
        return copy
    started = time.monotonic()
    marker.unlink(missing_ok=True)
    copy.unlink(missing_ok=True)
    with Archive(db, readonly=True) as archive:
        archive.conn.execute("VACUUM INTO ?", (str(copy),))
    conn = sqlite3.connect(copy)
    # Renumbering is not something the archive does: the triggers that keep the index in step
    # are dropped on this throwaway copy and the index is rebuilt once from the new ids.
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    (top,) = conn.execute("SELECT max(id) FROM articles").fetchone()
    backfill = top - HOURLY_TAIL
    conn.execute("UPDATE articles SET id = -id WHERE id <= ?", (backfill,))
    conn.execute("UPDATE articles SET id = ? + 1 + id WHERE id < 0", (backfill,))
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    conn.commit()
    conn.close()
    marker.write_text(key)
    print(f"    corpus: backfill-ordered copy built in {time.monotonic() - started:.0f} s")
    return copy


if __name__ == "__main__":
    import sys

    print(build(int(sys.argv[1]) if len(sys.argv) > 1 else ARTICLES))
