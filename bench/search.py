"""Search figures on a whole-history archive built straight through archive.py.

A crawl of ~230,000 replica articles would take about ten minutes of the bench's fifteen, so
the archive is built from the replica's own truth records through `Archive.store` (the same
code path a crawl ends in, in bulk transactions). The replica caps at 229,790 articles
(sequential ids below the seed article's 229777 at its clock): about novinite's whole history.
"""

from __future__ import annotations

import io
import json
import random
import re
import time
from datetime import datetime
from pathlib import Path

from bench.common import WORK, Result, median
from bench.like import like_scan
from newsarchive.archive import SCHEMA_VERSION, Archive
from newsarchive.dates import parse_utc
from newsarchive.items import Article
from tests.replica.site import Site

ARTICLES = 229_790
RAW_SAMPLE = 5_000
_WORD = re.compile(r"[A-Za-z]{5,}")


def article_of(record: dict, html: str | None = None) -> Article:
    published = parse_utc(record["published"])
    return Article(
        site="novinite",
        site_id=record["site_id"],
        url=record["url"],
        title=record["title"],
        published=published,
        published_local=datetime.fromisoformat(record["published_local"]),
        body=record["body"],
        section=record["section"],
        subsection=record["subsection"],
        author=record["author"],
        tags=record["tags"],
        sources=record["sources"],
        image_url=record.get("image_url"),
        html=html,
        fetched_at=published,
        status=200,
    )


def build(db: Path, articles: int, raw_pages: bool) -> float:
    """Fill `db` with `articles` replica articles; returns seconds (0 when reused)."""
    marker = db.with_suffix(".built")
    # The schema version is in the key: a file built by an older schema (schema 2 rebuilt
    # articles_fts with prefix indexes) is built again, not measured with its old index.
    key = f"{articles}:{raw_pages}:{SCHEMA_VERSION}"
    if db.exists() and marker.exists() and marker.read_text() == key:
        return 0.0
    if db.exists() and marker.exists():
        print(f"    {db.name} was built as {marker.read_text()!r}, wanted {key!r}: building again")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    site = Site(seed=1, articles=articles, eras=True)
    started = time.monotonic()
    with Archive(db) as archive:
        batch = 2000
        for start in range(0, articles, batch):
            with archive.bulk():
                for index in range(start, min(start + batch, articles)):
                    record = site.truth(index, cached=False)
                    html = None
                    if raw_pages:
                        html = site.handle("GET", f"/articles/{record['site_id']}/").body.decode()
                    archive.store(article_of(record, html), run_id=None, now=parse_utc(record["published"]))
            if start % 40000 == 0:
                print(f"    {start + batch}/{articles} stored ({time.monotonic() - started:.0f} s)")
    marker.write_text(key)
    return time.monotonic() - started


def queries(archive: Archive, count: int = 200, seed: int = 9) -> list[dict]:
    """Mixed query forms drawn from the archive's own text."""
    rng = random.Random(seed)
    sample = [row for _, row in zip(range(3000), archive.export(since="2020-01-01"), strict=False)]
    words = sorted({w.lower() for row in sample for w in _WORD.findall(row["body"])})
    sections = sorted({row["section"] for row in sample if row["section"]})
    out = []
    for i in range(count):
        kind = i % 6
        row = rng.choice(sample)
        body_words = _WORD.findall(row["body"])
        a, b = rng.choice(words), rng.choice(words)
        if kind == 0:
            out.append({"q": a, "words": [a]})
        elif kind == 1 and len(body_words) > 3:
            j = rng.randrange(len(body_words) - 1)
            phrase = f"{body_words[j]} {body_words[j + 1]}"
            out.append({"q": f'"{phrase}"', "words": [phrase]})
        elif kind == 2:
            out.append({"q": f"{a} AND {b}", "words": [a, b]})
        elif kind == 3:
            out.append({"q": f"{a[:4]}*", "words": [a[:4]]})
        elif kind == 4:
            out.append({"q": a, "words": [a], "section": rng.choice(sections)})
        else:
            out.append({"q": a, "words": [a], "since": "2024-01-01", "until": "2024-12-31"})
    return out


def run(articles: int = ARTICLES, like_queries: int = 20) -> list[Result]:
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "search.db"
    seconds = build(db, articles, raw_pages=False)
    if seconds:
        print(f"  built {articles} articles in {seconds:.0f} s ({seconds / articles * 1000:.2f} ms each)")
    results = []
    with Archive(db, readonly=True) as archive:
        qs = queries(archive)
        times = []
        for q in qs:
            started = time.perf_counter()
            archive.search(q["q"], section=q.get("section"), since=q.get("since"),
                           until=q.get("until"), limit=10)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
        fts_subset, like_times = [], []
        for q in qs[:: max(1, len(qs) // like_queries)][:like_queries]:
            started = time.perf_counter()
            archive.search(q["q"], section=q.get("section"), limit=10)
            fts_subset.append(time.perf_counter() - started)
            started = time.perf_counter()
            like_scan(archive.conn, q["words"], section=q.get("section"), limit=10)
            like_times.append(time.perf_counter() - started)
        speedup = median(like_times) / median(fts_subset)
        print(f"  {len(qs)} queries: p50 {p50:.2f} ms, p95 {p95:.2f} ms; LIKE median "
              f"{median(like_times) * 1000:.0f} ms over {len(like_times)} → {speedup:.0f}× faster")
        started = time.perf_counter()
        archive.stats()
        stats_s = time.perf_counter() - started
        started = time.perf_counter()
        sink = io.StringIO()
        exported = 0
        for row in archive.export():
            sink.write(json.dumps(row, ensure_ascii=False))
            exported += 1
            if sink.tell() > 1 << 24:
                sink = io.StringIO()
        export_s = time.perf_counter() - started
        count = archive.count_articles()
    size = db.stat().st_size
    raw_db = WORK / "search-raw.db"
    build(raw_db, RAW_SAMPLE, raw_pages=True)
    plain_db = WORK / "search-plain.db"
    build(plain_db, RAW_SAMPLE, raw_pages=False)
    with_raw = raw_db.stat().st_size / RAW_SAMPLE
    without_raw_sample = plain_db.stat().st_size / RAW_SAMPLE
    print(f"  {size / count:.0f} bytes/article without raw pages ({count} articles); "
          f"{with_raw:.0f} with (vs {without_raw_sample:.0f} without, on {RAW_SAMPLE}); "
          f"stats {stats_s:.1f} s, export {export_s:.1f} s ({exported} rows)")
    results += [
        Result("search_p50_ms", p50, "ms"),
        Result("search_p95_ms", p95, "ms"),
        Result("search_speedup_vs_like", speedup, "ratio"),
        Result("bytes_per_article", size / count, "bytes"),
        Result("bytes_per_article_with_raw_pages", with_raw, "bytes"),
        Result("stats_seconds", stats_s, "s"),
        Result("export_seconds", export_s, "s"),
        Result("search_archive_articles", count, "articles"),
    ]
    return results
