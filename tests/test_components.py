"""The Scrapy components one at a time, on a real crawler and a real archive file: the
pipelines' checks, the run that owns the archive, the Retry-After middleware. (Whole crawls
through them are in test_crawl.py and test_reliability*.py.)"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsarchive import dates, exitcodes, lock
from newsarchive.crawl.retry import RetryAfterMiddleware, retry_after_seconds
from newsarchive.crawl.run import ArchiveRun
from newsarchive.crawl.spider import SiteSpider
from newsarchive.dates import UTC
from newsarchive.items import Article, PageSkip
from pipelines.deduplicate import DeduplicatePipeline
from pipelines.drops import SkipDrop
from pipelines.normalise import normalise
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline, problems

NOW = datetime(2024, 12, 6, 12, 0, tzinfo=UTC)


class ExampleSpider(SiteSpider):
    name = "example"
    site = "example"
    tz = "UTC"
    default_base_url = "http://127.0.0.1:9/"


def article(**changes: Any) -> Article:
    base = Article(
        site="example",
        site_id="7",
        url="http://127.0.0.1:9/a/7#top",
        title="  Caf\u0065\u0301 &amp; news ",
        published=NOW - timedelta(hours=1),
        published_local=NOW - timedelta(hours=1),
        body="First  paragraph.\n\n\n\nSecond &quot;one&quot;.",
        tags=["EU", " EU", "Trade"],
    )
    return replace(base, **changes)


def settings_for(db: Path) -> dict[str, Any]:
    settings = Settings()
    settings.setmodule("newsarchive.settings")
    values = {key: settings[key] for key in settings}
    values["NEWSARCHIVE_DB"] = str(db)
    values["TWISTED_REACTOR_ENABLED"] = False  # components only: no engine runs here
    return values


def crawler_for(db: Path) -> Crawler:
    """A crawler of ExampleSpider with our settings, its spider made and extensions loaded,
    as `Crawler.crawl` leaves them before the engine starts."""
    crawler = get_crawler(ExampleSpider, settings_for(db))
    crawler.spider = crawler._create_spider()
    crawler._apply_settings()
    return crawler


# --- validate, normalise, deduplicate ----------------------------------------------------
def test_validate_finds_each_problem():
    good = normalise(article())
    assert problems(good, NOW) == []
    assert problems(replace(good, title=" "), NOW) == ["missing_title"]
    assert problems(replace(good, published=NOW + timedelta(days=3)), NOW) == ["bad_date"]
    assert problems(replace(good, published=datetime(1980, 1, 1, tzinfo=UTC)), NOW) == ["bad_date"]
    other_instant = replace(good, published_local=good.published_local + timedelta(hours=2))
    assert problems(other_instant, NOW) == ["bad_date"]
    assert "bad_tags" in problems(replace(good, tags=["ok", 3]), NOW)  # type: ignore[list-item]
    assert problems(replace(good, published=datetime(2024, 1, 1)), NOW) == ["missing_published"]


def test_validate_turns_page_skips_and_bad_articles_into_counted_drops(tmp_path):
    pipeline = ValidatePipeline.from_crawler(crawler_for(tmp_path / "a.db"))
    skip = PageSkip(url="u", stage="download", reason="http_404")
    with pytest.raises(SkipDrop) as dropped:
        pipeline.process_item(skip)
    assert dropped.value.skip is skip
    with pytest.raises(SkipDrop) as dropped:
        pipeline.process_item(replace(article(), body=""))
    assert (dropped.value.skip.stage, dropped.value.skip.reason) == ("validate", "missing_body")
    assert dropped.value.skip.site_id == "7"
    assert pipeline.process_item(normalise(article())).site_id == "7"


def test_normalise_puts_every_field_in_one_form_idempotently():
    once = normalise(article())
    assert once.title == "Caf\u00e9 & news"  # NFC, entities, spaces
    assert once.url == "http://127.0.0.1:9/a/7"  # no fragment
    assert once.body == 'First paragraph.\n\nSecond "one".'
    assert once.tags == ["EU", "Trade"]
    assert once.published.tzinfo == UTC
    assert normalise(once) == once


def test_deduplicate_lets_one_item_per_article_through_a_run(tmp_path):
    crawler = crawler_for(tmp_path / "a.db")
    pipeline = DeduplicatePipeline.from_crawler(crawler)
    first = normalise(article())
    assert pipeline.process_item(first) is first
    with pytest.raises(DropItem):
        pipeline.process_item(replace(first, url="http://127.0.0.1:9/view?id=7"))
    assert pipeline.process_item(replace(first, site_id="8")).site_id == "8"
    assert crawler.stats.get_value("newsarchive/duplicate") == 1


# --- the run and the store stage ------------------------------------------------------------
def test_the_run_owns_lock_archive_and_run_row_and_the_store_stage_writes_through_it(tmp_path):
    db = tmp_path / "a.db"
    crawler = crawler_for(db)
    run = ArchiveRun.of(crawler)
    run.opened(crawler.spider)
    assert run.archive is not None and run.run_id == 1
    with pytest.raises(lock.LockHeld):  # held by the run: another process could not crawl
        _acquire_elsewhere(db)
    store = StorePipeline.from_crawler(crawler)
    item = normalise(article(html="<html>page</html>"))
    store.process_item(item)
    assert item.html is None  # kept in raw_pages, let go
    store.process_item(normalise(article()))  # the same text: unchanged
    store.item_dropped(None, None, SkipDrop(PageSkip(url="u", stage="extract", reason="no_date",
                                                     site="example", site_id="9")), None)  # fmt: skip
    run.closed(crawler.spider, "finished")
    assert run.archive is None
    conn = sqlite3.connect(db)
    assert conn.execute("select status, articles_new, articles_unchanged, skipped from runs").fetchall() == [
        ("ok", 1, 1, 1)
    ]
    assert conn.execute("select reason, site_id from skips").fetchall() == [("no_date", "9")]
    assert conn.execute("select count(*) from raw_pages").fetchone()[0] == 1
    assert conn.execute("select key from site_state order by key").fetchall() == [("coverage",), ("swept_day",)]
    assert run.outcome is not None and run.outcome.summary().startswith("example: 1 new, 0 updated")
    _acquire_elsewhere(db)  # given back


def test_a_run_refused_by_the_lock_requests_nothing_and_says_who_holds_it(tmp_path):
    db = tmp_path / "a.db"
    holder = _hold_elsewhere(db)
    try:
        crawler = crawler_for(db)
        run = ArchiveRun.of(crawler)
        run.opened(crawler.spider)
        assert run.archive is None
        assert run.outcome is not None and run.outcome.exit_code == exitcodes.LOCKED
        assert "another crawl holds" in run.outcome.message
        assert asyncio.run(_first(crawler.spider.start())) is None
    finally:
        holder.kill()
        holder.wait()


def test_an_error_on_a_listing_fails_the_run_and_keeps_the_coverage(tmp_path):
    from twisted.python.failure import Failure

    db = tmp_path / "a.db"
    crawler = crawler_for(db)
    run = ArchiveRun.of(crawler)
    run.opened(crawler.spider)
    response = Response("http://127.0.0.1:9/list", request=Request("http://127.0.0.1:9/list", meta={"kind": "section"}))
    run.spider_error(Failure(RuntimeError("a bug")), response, crawler.spider)
    run.closed(crawler.spider, "finished")
    assert run.outcome is not None and run.outcome.exit_code == exitcodes.FAILED
    conn = sqlite3.connect(db)
    assert conn.execute("select reason, detail from skips").fetchall() == [("error", "RuntimeError: a bug")]
    assert conn.execute("select status from runs").fetchall() == [("failed",)]
    assert conn.execute("select count(*) from site_state").fetchone()[0] == 0


async def _first(agen: Any) -> Any:
    async for value in agen:
        return value
    return None


def _hold_elsewhere(db: Path) -> Any:
    """Another process holding the crawl lock of `db` until killed."""
    import subprocess
    import sys

    code = "import sys, time; from newsarchive import lock; lock.acquire(sys.argv[1]); print('held', flush=True); time.sleep(600)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _acquire_elsewhere(db: Path) -> None:
    """Take and give back the lock from another process (LockHeld if it cannot)."""
    import subprocess
    import sys

    code = "import sys; from newsarchive import lock; lock.acquire(sys.argv[1])"
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)
    if "LockHeld" in result.stderr:
        raise lock.LockHeld(result.stderr)
    assert result.returncode == 0, result.stderr


# --- Retry-After ---------------------------------------------------------------------------
def test_retry_after_reads_seconds_and_http_dates(monkeypatch):
    monkeypatch.setenv(dates.NOW_ENV, "2024-12-06T12:00:00Z")
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Fri, 06 Dec 2024 12:01:00 GMT") == 60
    assert retry_after_seconds("Fri, 06 Dec 2024 11:00:00 GMT") == 0  # in the past: at once
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None


@pytest.mark.parametrize(
    "status,header,retried,stat",
    [
        (503, b"0", True, None),  # retried at once
        (503, b"999", False, "newsarchive/retry_after/too_long"),  # longer than the cap: give up
        (500, None, True, None),  # Scrapy's own retry
        (404, None, False, None),  # not a retry code
    ],
)
def test_the_retry_middleware_honours_retry_after_up_to_its_cap(tmp_path, status, header, retried, stat):
    crawler = crawler_for(tmp_path / "a.db")
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:9/a/7")
    headers = {"Retry-After": header} if header else {}
    response = Response(request.url, status=status, headers=headers, request=request)
    result = asyncio.run(middleware.process_response(request, response))
    assert isinstance(result, Request) is retried
    if stat:
        assert crawler.stats.get_value(stat) == 1
