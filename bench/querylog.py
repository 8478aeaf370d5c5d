"""A query log like a reader's, drawn from the corpus itself.

Classes (shares of the log): ``name`` a single person's surname or a place from a title (20 %),
``two`` and ``three`` words from one title (20 %, 15 %), ``phrase`` two adjacent words of a
title or body in quotes (15 %), ``prefix`` the first four or five letters of a title word and
a star (20 %), ``frequent`` one of the very frequent words people type first (10 %: words
found in a large share of all articles, like "Bulgaria" or "government" on novinite). A quarter
of all queries carry a filter: ``--section`` (one of the article's sections) or ``--since``
(a day in the last five years).
"""

from __future__ import annotations

import random
import re
from typing import Any

from newsarchive.archive import Archive

CLASSES = {"name": 20, "two": 20, "three": 15, "phrase": 15, "prefix": 20, "frequent": 10}
#: Words of the corpus's vocabulary found in most articles (the commonest English words and
#: news words): a reader's first queries on a news archive are like these.
FREQUENT = ["government", "people", "state", "new", "time", "year", "world", "president", "minister", "country", "police", "news", "public", "city", "million", "national", "said", "first", "last", "week"]
_WORD = re.compile(r"[A-Za-z]{3,}")


def _title_words(row: dict[str, Any]) -> list[str]:
    return _WORD.findall(row["title"])


def make(archive: Archive, count: int = 400, seed: int = 9) -> list[dict[str, Any]]:
    """`count` queries: each {"class", "q", "words" (for the LIKE baseline), and "section"
    or "since" on a share}."""
    rng = random.Random(seed)
    total = archive.count_articles()
    stride = max(1, total // 4000)
    sample = [row for i, row in enumerate(archive.export()) if i % stride == 0]
    sections = sorted({row["section"] for row in sample if row["section"]})
    newest = max(row["published"] for row in sample)
    kinds = [k for k, share in CLASSES.items() for _ in range(share)]
    out = []
    for i in range(count):
        kind = kinds[(i * 37) % len(kinds)]
        row = rng.choice(sample)
        words = _title_words(row)
        if kind == "name":
            # The title's first word is a surname or place, its last a place.
            term = rng.choice([words[0], words[-1], *[t.split()[-1] for t in row["tags"][:2]]])
            query = {"q": term, "words": [term]}
        elif kind in ("two", "three"):
            n = 2 if kind == "two" else 3
            picked = rng.sample(words, k=min(n, len(words)))
            query = {"q": " ".join(picked), "words": picked}
        elif kind == "phrase":
            source = _WORD.findall(rng.choice([row["title"], row["body"]]))
            j = rng.randrange(len(source) - 1)
            phrase = f"{source[j]} {source[j + 1]}"
            query = {"q": f'"{phrase}"', "words": [phrase]}
        elif kind == "prefix":
            word = rng.choice([w for w in words if len(w) >= 5] or words)
            stem = word[: rng.choice((4, 5))].lower()
            query = {"q": f"{stem}*", "words": [stem]}
        else:
            term = rng.choice(FREQUENT)
            query = {"q": term, "words": [term]}
        query["class"] = kind
        if i % 8 == 1:
            query["section"] = rng.choice(sections)
        elif i % 8 == 5:
            query["since"] = f"{int(newest[:4]) - rng.randint(0, 5)}-{rng.randint(1, 12):02d}-01"
        out.append(query)
    return out
