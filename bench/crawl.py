"""Crawl figures: throughput against bare Scrapy, requests per article, memory, hourly cost."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from pathlib import Path

from bench.common import PY, WORK, CrawlRun, Result, crawl, fresh, median, run_process
from newsarchive.archive import Archive
from tests.replica.process import Replica

SIZE = 5000
BIG = 20000


def _since(replica: Replica) -> str:
    """The first day of the replica's (dense) history."""
    first = min(t["published_local"][:10] for t in replica.truth())
    return first


def _bare(replica: Replica, db: Path, since: str, log: Path) -> CrawlRun:
    """Bare Scrapy over the URLs the crawl fetched: the day pages and the article pages."""
    urls = WORK / "bare-urls.txt"
    today = date.fromisoformat(replica.now()[:10])
    day = date.fromisoformat(since)
    lines = []
    while day <= today:
        lines.append(f"{replica.url}archives/{day.isoformat()}")
        day += timedelta(days=1)
    with Archive(db, readonly=True) as archive:
        lines += [replica.served(row["url"]) for row in archive.export()]  # stored: the site's
    urls.write_text("\n".join(lines) + "\n")
    cmd = [PY, "-m", "scrapy", "runspider", "bench/bare_spider.py", "-a", f"urls={urls}",
           "-s", f"LOG_FILE={log}"]
    return run_process(cmd, dict(os.environ), log)


def _mb(run: CrawlRun) -> str:
    """The tree's peak RSS, and each process's own (the crawl's first, then its worker)."""
    each = " + ".join(f"{mb:.0f}" for mb in run.peak_by_process_mb)
    return f"{run.peak_rss_mb:.0f} MB tree, peaks {each} MB"


def throughput(runs: int = 5) -> list[Result]:
    """Full crawls of a 5,000-article replica vs bare Scrapy, side by side, `runs` times: the
    ratio is the median of the pairs' (the machine's speed drifts from minute to minute; each
    pair runs its two back to back, bare Scrapy first in every other pair)."""
    replica = Replica(articles=SIZE, seed=42, eras=False)
    try:
        now, since = replica.now(), _since(replica)
        ours, bare, per_article, rss, cpu, bare_cpu = [], [], [], [], [], []
        previous = None
        for i in range(runs):
            db = fresh(WORK / f"crawl-{i}.db")
            bare_first = i % 2 == 1  # over the URLs of the previous pair's crawl
            if bare_first:
                b = _bare(replica, previous, since, WORK / f"bare-{i}.log")
            run = crawl(replica.url, db, now, "--full", "--since", since)
            if run.code:
                raise SystemExit(f"crawl failed ({run.code}): {run.stdout}")
            if not bare_first:
                b = _bare(replica, db, since, WORK / f"bare-{i}.log")
            previous = db
            stored = run.stats.get("newsarchive/new", 0)
            ours.append(run.pages_per_s)
            per_article.append(run.requests / stored)
            rss.append(run.peak_rss_mb)
            cpu.append(run.cpu_ms_per_page)
            bare.append(b.pages_per_s)
            bare_cpu.append(b.cpu_ms_per_page)
            print(f"  run {i + 1}: crawl {run.pages_per_s:.0f} pages/s, {run.cpu_ms_per_page:.2f} ms "
                  f"CPU a page ({stored} stored, {run.requests} requests, {_mb(run)}), "
                  f"bare {b.pages_per_s:.0f} pages/s, {b.cpu_ms_per_page:.2f} ms CPU a page")
        ratio = median([o / b for o, b in zip(ours, bare, strict=True)])
        return [
            Result("crawl_pages_per_s", median(ours), "pages/s"),
            Result("bare_scrapy_pages_per_s", median(bare), "pages/s"),
            Result("crawl_vs_bare_ratio", ratio, "ratio"),
            Result("crawl_cpu_ms_per_page", median(cpu), "ms"),
            Result("bare_scrapy_cpu_ms_per_page", median(bare_cpu), "ms"),
            Result("backfill_requests_per_article", median(per_article), "requests/article"),
            Result("crawl_peak_rss_mb", median(rss), "MB"),
        ]
    finally:
        replica.stop()


def memory_big() -> list[Result]:
    """Peak RSS of a full crawl of a 20,000-article replica."""
    replica = Replica(articles=BIG, seed=43, eras=False)
    try:
        db = fresh(WORK / "crawl-20k.db")
        run = crawl(replica.url, db, replica.now(), "--full", "--since", _since(replica))
        print(f"  20k: {run.pages_per_s:.0f} pages/s, {_mb(run)}")
        return [Result("crawl_peak_rss_mb_20000", run.peak_rss_mb, "MB")]
    finally:
        replica.stop()


def hourly(days: int = 7, per_day: float = 18.0, seed: int = 5) -> list[Result]:
    """Incremental cost: one quiet hour, then `days` of hourly runs with news and edits."""
    rng = random.Random(seed)
    replica = Replica(articles=1000, seed=seed, eras=False)
    try:
        db = fresh(WORK / "hourly.db")
        first = crawl(replica.url, db, replica.now(), "--full", "--since", _since(replica))
        assert first.code == 0, first.stdout
        # Let every article age past the schedule, then one hour with one new article.
        replica.advance(hours=49, publish=0, edit=0)
        crawl(replica.url, db, replica.now())
        replica.advance(hours=1, publish=1, edit=0)
        quiet = crawl(replica.url, db, replica.now())
        print(f"  one quiet hour: {quiet.requests} requests ({quiet.stdout.strip()})")
        costs = []
        for hour in range(days * 24):
            publish = sum(rng.random() < per_day / 24 / 3 for _ in range(3))
            edit = 1 if rng.random() < 0.1 else 0
            replica.advance(hours=1, publish=publish, edit=edit)
            run = crawl(replica.url, db, replica.now(), log=WORK / "hourly-run.log")
            if run.code:
                raise SystemExit(f"hourly run {hour} failed: {run.stdout}")
            costs.append(run.requests)
        mean = sum(costs) / len(costs)
        print(f"  {len(costs)} hourly runs: mean {mean:.2f} requests, max {max(costs)}")
        return [
            Result("incremental_requests", quiet.requests, "requests"),
            Result("hourly_requests_mean", mean, "requests"),
        ]
    finally:
        replica.stop()
