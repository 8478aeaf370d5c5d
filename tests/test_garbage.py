"""The crawl process's garbage collector: tuned while a spider runs, Python's again after."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsarchive import settings
from newsarchive.crawl.garbage import GarbageCollection
from tests.helpers import crawl_args, run_cli


def test_thresholds_and_freeze_last_from_opening_to_closing() -> None:
    before = gc.get_threshold()
    ext = GarbageCollection.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_GC_THRESHOLD": 12345}))
    ext.opened(spider=None)
    try:
        assert gc.get_threshold() == (12345, *before[1:])
        assert gc.get_freeze_count() > 1000  # the start-up's objects are out of the collections
    finally:
        ext.closed(spider=None, reason="finished")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_zero_leaves_pythons_collector_alone() -> None:
    with pytest.raises(NotConfigured):
        GarbageCollection.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_GC_THRESHOLD": 0}))


def test_a_crawl_collects_a_few_times_not_hundreds(make_replica, tmp_path: Path) -> None:
    """With Python's thresholds this crawl's process collects hundreds of times."""
    assert "newsarchive.crawl.garbage.GarbageCollection" in settings.EXTENSIONS
    replica = make_replica(articles=200, seed=4, eras=False)
    log = tmp_path / "crawl.log"
    args = crawl_args(replica, tmp_path / "archive.db", "--full", "--since", "2000-01-01", log=log)
    done = run_cli(*args, now=replica.now())
    assert done.returncode == 0, done.stderr
    found = re.search(r"garbage collector: (\d+) collections in the run", log.read_text("utf-8"))
    assert found, "the extension did not run"
    assert int(found.group(1)) < 20
