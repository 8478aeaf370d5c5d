"""The crawl's worker process starts without Scrapy or Twisted: it imports the archive, the
chain of stages and the sites' page functions only, so a run's first group is committed
sooner (each crawl starts one worker; Scrapy's import alone is about 0.3 s of CPU)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

#: What the worker imports: its loop, the stages, the archive, each site's page functions.
WORKER_IMPORTS = (
    "newsarchive.crawl.worker",
    "newsarchive.crawl.chain",
    "newsarchive.archive",
    "spiders.novinite.article",
    "spiders.generic.article",
)


def test_the_worker_imports_neither_scrapy_nor_twisted() -> None:
    code = (
        f"import sys\nfor name in {WORKER_IMPORTS!r}:\n    __import__(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_page_functions_reach_the_worker_by_name() -> None:
    """Each spider's page function (`page_function`, else `parse_article_html`) pickles as a
    reference to its page module (a function defined in a spider module would make the worker
    import Scrapy to unpickle it)."""
    from spiders.generic.spider import GenericSpider
    from spiders.novinite.spider import NoviniteSpider

    for spider in (NoviniteSpider, GenericSpider):
        page = spider.page_function or spider.parse_article_html
        assert page.__module__.endswith(".article") and "." not in page.__qualname__, spider
