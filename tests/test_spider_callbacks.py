"""Scrapy's run-time check that a generator callback returns no value is off in our settings
(it parses the callback's source whenever its cache misses: a tenth of the crawl's CPU). This
test makes the same check once, on every generator method of every spider."""

from __future__ import annotations

import inspect

from scrapy.utils.misc import is_generator_with_return_value

from newsarchive import settings
from spiders.generic.spider import GenericSpider
from spiders.novinite.spider import NoviniteSpider


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
