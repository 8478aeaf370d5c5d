"""Scrapy's development aids that an hourly archiver turns off, and what stands in for them.

- The run-time check that a generator callback returns no value (it parses the callback's
  source whenever its cache misses: a tenth of the crawl's CPU): made here once, on every
  generator method of every spider.
- The remote control (a code-execution HTTP server for each run, and a job file with its token
  left in the user's state directory by every killed run): a crawl starts none, writes none.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from scrapy.utils.misc import is_generator_with_return_value

from newsarchive import settings
from spiders.generic.spider import GenericSpider
from spiders.novinite.spider import NoviniteSpider
from tests.helpers import crawl_args, run_cli


def generator_methods(spider: type) -> list[tuple[str, object]]:
    return [
        (f"{klass.__name__}.{name}", function)
        for klass in spider.__mro__
        if klass.__module__.startswith(("newsarchive.", "spiders."))
        for name, function in vars(klass).items()
        if inspect.isgeneratorfunction(function)
    ]


def test_the_run_time_check_is_off_and_no_spider_generator_returns_a_value() -> None:
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    methods = generator_methods(NoviniteSpider) + generator_methods(GenericSpider)
    assert len(methods) >= 5, methods  # the callbacks are found
    assert [name for name, f in methods if is_generator_with_return_value(f)] == []


def test_a_crawl_starts_no_remote_control_and_leaves_no_job_file(make_replica, tmp_path: Path) -> None:
    replica = make_replica(articles=10, seed=3, eras=False)
    state = tmp_path / "state"
    db = tmp_path / "archive.db"
    log = tmp_path / "crawl.log"
    args = crawl_args(replica, db, "--full", "--since", "2000-01-01", log=log)
    done = run_cli(*args, now=replica.now(), XDG_STATE_HOME=str(state))
    assert done.returncode == 0, done.stderr
    assert "Remote control" not in log.read_text("utf-8")
    assert not any(state.rglob("*")), sorted(state.rglob("*"))


def test_the_stats_collector_counts_as_scrapys_without_its_per_read_hook() -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    collector_class = load_object(settings.STATS_CLASS)
    assert issubclass(collector_class, MemoryStatsCollector)
    assert collector_class.__getattribute__ is object.__getattribute__
    crawler = get_crawler(settings_dict={"STATS_CLASS": settings.STATS_CLASS})
    stats = crawler.stats
    assert type(stats) is collector_class
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.max_value("m", 3)
    stats.max_value("m", 1)
    assert stats.get_stats() == {"a": 3, "m": 3}
