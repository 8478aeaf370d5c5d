"""Extraction figures: per-field accuracy against the replica's truth, speed vs trafilatura."""

from __future__ import annotations

import contextlib
import re
import time
import urllib.request
from collections import Counter

from bench.common import Result, median
from newsarchive.items import Skip
from spiders.novinite import parse_article
from tests.replica.process import Replica

FIELDS = ("title", "published", "section", "subsection", "author", "tags", "sources", "body")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def token_f1(got: str, want: str) -> float:
    """Bag-of-tokens F1 of a body against the truth (trafilatura's usual yardstick)."""
    a, b = Counter(_TOKEN.findall(got.lower())), Counter(_TOKEN.findall(want.lower()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def pages(articles: int = 1000) -> list[tuple[str, str, dict]]:
    """(url, html, truth) for every article of a replica with all its layouts."""
    replica = Replica(articles=articles, seed=1, eras=True)
    try:
        out = []
        for truth in replica.truth():
            url = replica.served(truth["url"])  # the truth's URL is the site's own
            with urllib.request.urlopen(url, timeout=10) as resp:
                out.append((url, resp.read().decode("utf-8"), truth))
        return out
    finally:
        replica.stop()


def run(articles: int = 1000, trafilatura_pages: int = 300) -> list[Result]:
    corpus = pages(articles)
    exact, total = Counter(), 0
    for url, html, truth in corpus:
        try:
            record = parse_article(html, url).record()
        except Skip:
            record = {}
        total += 1
        for name in FIELDS:
            exact[name] += record.get(name) == truth.get(name)
    accuracy = sum(exact.values()) / (total * len(FIELDS))
    worst = min(FIELDS, key=lambda n: exact[n])
    print(f"  {total} pages: field accuracy {accuracy:.4f} (lowest: {worst} {exact[worst]}/{total})")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        for url, html, _truth in corpus:
            with contextlib.suppress(Skip):
                parse_article(html, url)
        timings.append((time.perf_counter() - started) * 1000 / len(corpus))
    ours = median(timings)

    import trafilatura

    sample = corpus[:: max(1, len(corpus) // trafilatura_pages)][:trafilatura_pages]
    f1s, started = [], time.perf_counter()
    for url, html, truth in sample:
        text = trafilatura.extract(html, url=url) or ""
        f1s.append(token_f1(text, truth["body"]))
    theirs = (time.perf_counter() - started) * 1000 / len(sample)
    print(f"  parse_article {ours:.2f} ms/page; trafilatura {theirs:.2f} ms/page, "
          f"body F1 {sum(f1s) / len(f1s):.3f} over {len(sample)} pages")
    return [
        Result("extract_field_accuracy", accuracy, "fraction"),
        Result("extract_ms_per_page", ours, "ms"),
        Result("trafilatura_body_f1", sum(f1s) / len(f1s), "F1"),
        Result("trafilatura_ms_per_page", theirs, "ms"),
        Result("extract_speedup_vs_trafilatura", theirs / ours, "ratio"),
    ]
