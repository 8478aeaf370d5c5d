"""Search figures on a whole-history archive of news-like text (`bench.corpus`).

The corpus (229,790 articles, about novinite's whole history) has a real vocabulary; the
query log (`bench.querylog`) is like a reader's. Each query is timed through `Archive.search`
(what `newsarchive search` runs), bounded and ``exact``, and as Datasette's canned search run
by Datasette itself; per class p50/p95/max are printed. The size of a kept raw page is still
measured on replica articles (the corpus has no HTML).
"""

from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path

from bench import corpus, querylog
from bench.common import WORK, Result, median
from bench.like import like_scan
from bench.querylog import CLASSES
from newsarchive.archive import SCHEMA_VERSION, Archive
from newsarchive.dates import parse_utc
from newsarchive.items import Article
from tests.replica.site import Site

ARTICLES = corpus.ARTICLES
RAW_SAMPLE = 5_000


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


def percentiles(times: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max of `times` (ms)."""
    ordered = sorted(times)
    return (ordered[len(ordered) // 2], ordered[max(0, int(len(ordered) * 0.95) - 1)],
            ordered[-1])


Timing = tuple[float, float]  # wall-clock ms, CPU ms (the process's, all its threads)


def time_cli(archive: Archive, log: list[dict], exact: bool = False) -> list[Timing]:
    """Each query of `log` through `Archive.search` (what `newsarchive search` calls)."""
    times = []
    for q in log:
        started, cpu = time.perf_counter(), time.process_time()
        archive.search(q["q"], section=q.get("section"), since=q.get("since"), limit=10,
                       exact=exact)
        times.append(((time.perf_counter() - started) * 1000,
                      (time.process_time() - cpu) * 1000))
    return times


def time_datasette(db: Path, log: list[dict]) -> list[Timing]:
    """Each query of `log` as Datasette's canned search, run through Datasette's own
    execution (its thread, its connection with `search_match` registered), ms. The canned
    search has no section or date filter: those run on the query alone."""
    import asyncio

    from newsarchive.serve import DATABASE_NAME, make_datasette, metadata

    sql = metadata()["databases"][DATABASE_NAME]["queries"]["search"]["sql"]

    async def measure() -> list[Timing]:
        ds = make_datasette(db)
        await ds.invoke_startup()
        database = ds.get_database(DATABASE_NAME)
        times = []
        for q in log:
            started, cpu = time.perf_counter(), time.process_time()
            await database.execute(sql, {"query": q["q"]}, custom_time_limit=60_000)
            times.append(((time.perf_counter() - started) * 1000,
                          (time.process_time() - cpu) * 1000))
        return times

    return asyncio.run(measure())


def table(name: str, log: list[dict], times: list[Timing]) -> None:
    """The per-class p50/p95/max (wall clock) and p95/max of CPU time of one way of searching."""
    print(f"  {name:24} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
          f" {'cpu p95':>8} {'cpu max':>8}")
    for kind in [*CLASSES, "filtered", "all"]:
        picked = [t for q, t in zip(log, times, strict=True)
                  if kind == "all" or q["class"] == kind
                  or (kind == "filtered" and ("section" in q or "since" in q))]
        p50, p95, top = percentiles([wall for wall, _ in picked])
        _, cpu95, cpu_top = percentiles([cpu for _, cpu in picked])
        print(f"  {kind:24} {len(picked):7} {p50:8.2f} {p95:8.2f} {top:8.2f}"
              f" {cpu95:8.2f} {cpu_top:8.2f}")


def run(articles: int = ARTICLES, like_queries: int = 20) -> list[Result]:
    WORK.mkdir(parents=True, exist_ok=True)
    db = corpus.build(articles)
    results = []
    with Archive(db, readonly=True) as archive:
        log = querylog.make(archive)
        distinct = archive.distinct_terms()
        print(f"  corpus: {articles} articles, {distinct} distinct terms; {len(log)} queries")
        time_cli(archive, log)  # a first pass reads the index's pages into the cache
        times = time_cli(archive, log)
        exact_times = time_cli(archive, log, exact=True)
        p50, p95, top = percentiles([wall for wall, _ in times])
        _, cpu_p95, cpu_top = percentiles([cpu for _, cpu in times])
        table("newsarchive search", log, times)
        table("... with --exact", log, exact_times)
        fts_subset, like_times = [], []
        for q in log[:: max(1, len(log) // like_queries)][:like_queries]:
            started = time.perf_counter()
            archive.search(q["q"], section=q.get("section"), limit=10)
            fts_subset.append(time.perf_counter() - started)
            started = time.perf_counter()
            like_scan(archive.conn, q["words"], section=q.get("section"), limit=10)
            like_times.append(time.perf_counter() - started)
        speedup = median(like_times) / median(fts_subset)
        print(f"  LIKE median {median(like_times) * 1000:.0f} ms over {len(like_times)} queries "
              f"vs {median(fts_subset) * 1000:.2f} ms → {speedup:.0f}× faster")
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
    backfill_db = corpus.backfill_ordered(db)
    with Archive(backfill_db, readonly=True) as archive:
        time_cli(archive, log)
        backfill_times = time_cli(archive, log)
    table("... backfill-ordered ids", log, backfill_times)
    _, bf_p95, bf_top = percentiles([wall for wall, _ in backfill_times])
    ds_times = time_datasette(db, log)
    table("Datasette canned search", log, ds_times)
    ds_p50, ds_p95, ds_top = percentiles([wall for wall, _ in ds_times])
    size = db.stat().st_size
    raw_db = WORK / "search-raw.db"
    build(raw_db, RAW_SAMPLE, raw_pages=True)
    plain_db = WORK / "search-plain.db"
    build(plain_db, RAW_SAMPLE, raw_pages=False)
    with_raw = raw_db.stat().st_size / RAW_SAMPLE
    without_raw_sample = plain_db.stat().st_size / RAW_SAMPLE
    print(f"  {size / count:.0f} bytes/article without raw pages ({count} articles); "
          f"{with_raw:.0f} with (vs {without_raw_sample:.0f} without, on {RAW_SAMPLE} replica "
          f"articles); stats {stats_s:.1f} s, export {export_s:.1f} s ({exported} rows)")
    _, exact_p95, exact_top = percentiles([wall for wall, _ in exact_times])
    results += [
        Result("search_p50_ms", p50, "ms"),
        Result("search_p95_ms", p95, "ms"),
        Result("search_max_ms", top, "ms"),
        Result("search_cpu_p95_ms", cpu_p95, "ms"),
        Result("search_cpu_max_ms", cpu_top, "ms"),
        Result("search_exact_p95_ms", exact_p95, "ms"),
        Result("search_exact_max_ms", exact_top, "ms"),
        Result("search_backfill_order_p95_ms", bf_p95, "ms"),
        Result("search_backfill_order_max_ms", bf_top, "ms"),
        Result("datasette_search_p50_ms", ds_p50, "ms"),
        Result("datasette_search_p95_ms", ds_p95, "ms"),
        Result("datasette_search_max_ms", ds_top, "ms"),
        Result("search_speedup_vs_like", speedup, "ratio"),
        Result("search_distinct_words", distinct, "terms"),
        Result("bytes_per_article", size / count, "bytes"),
        Result("bytes_per_article_with_raw_pages", with_raw, "bytes"),
        Result("stats_seconds", stats_s, "s"),
        Result("export_seconds", export_s, "s"),
        Result("search_archive_articles", count, "articles"),
    ]
    return results
