"""Scrapy settings for newsarchive: pipeline order, politeness, retries, user agent.

`scrapy crawl SITE` reads this module through scrapy.cfg; `newsarchive crawl` starts from
the same settings and overrides only what its options say. Defaults are polite for a real site
(about one request a second, AutoThrottle on); a mirror or the replica turns them down with
`--delay 0 --concurrency 16` (DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN).
"""

from __future__ import annotations

from newsarchive import PROJECT_URL, __version__

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- newsarchive -------------------------------------------------------------------------
#: The archive every run writes (the env var NEWSARCHIVE_DB overrides it in the CLI).
NEWSARCHIVE_DB = "data/archive.db"
#: Where `newsarchive crawl` writes Scrapy's full log (rotated: 5 MB × 5).
NEWSARCHIVE_LOG_FILE = "data/logs/crawl.log"
#: Re-fetch articles younger than this on the back-off schedule 1, 3, 6, 12, 24, 48 hours.
NEWSARCHIVE_REFRESH_HOURS = 48
#: Show a live progress bar on stderr (`newsarchive crawl` sets it on a terminal).
NEWSARCHIVE_PROGRESS = False
#: Longest Retry-After (seconds) a run waits for; a longer one gives up on that page.
NEWSARCHIVE_RETRY_AFTER_MAX = 120
#: Download attempts in a row (retries count) that may get no answer at all (refused,
#: unresolvable, timed out, dropped) before the run ends: as unreachable (exit 4) when the site
#: never answered in the run, else as failed (exit 1; the next run resumes). 0: never.
NEWSARCHIVE_UNANSWERED_MAX = 20
#: A site that has not answered once in the run ends it sooner when its attempts time out (a
#: host that accepts connections and never answers costs a whole download timeout an attempt):
#: after this many download timeouts of silence, with at least 3 attempts unanswered. 0: never.
NEWSARCHIVE_SILENT_TIMEOUTS = 4
#: The spider that crawls a profile site of the sites file (`--sites`, $NEWSARCHIVE_SITES,
#: ./sites.toml): imported only when a profile site is crawled; it takes the spider arguments
#: ``site=NAME`` and ``profile=Profile`` (newsarchive.sites). $NEWSARCHIVE_PROFILE_SPIDER
#: overrides it.
NEWSARCHIVE_PROFILE_SPIDER = "spiders.generic.spider.GenericSpider"

#: Group commit: the crawl's worker process commits a run's articles and skips in groups of up
#: to this many writes, or what arrived within this many milliseconds of a group's first,
#: whichever comes first (one transaction each: rows, FTS index, compressed raw pages). A kill
#: -9 loses at most the groups not yet committed: pages the next run fetches again.
NEWSARCHIVE_COMMIT_ARTICLES = 100
NEWSARCHIVE_COMMIT_MS = 100

#: The crawl process's young-generation threshold of Python's garbage collector while a spider
#: runs (Python's is 700): container objects allocated, net of those freed, before a collection
#: (`newsarchive.crawl.garbage`). 0 leaves Python's collector as it is.
NEWSARCHIVE_GC_THRESHOLD = 50_000

#: Scrapy's in-memory stats, without the deprecation hook on every attribute read.
STATS_CLASS = "newsarchive.crawl.stats.StatsCollector"

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.deduplicate.DeduplicatePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

EXTENSIONS = {
    # The run: lock, archive, run row and outcome, from spider_opened to spider_closed.
    "newsarchive.crawl.run.ArchiveRun": 100,
    # The live progress bar; switched on by NEWSARCHIVE_PROGRESS (the CLI, on a terminal).
    "newsarchive.crawl.progress.ProgressBar": 900,
    # Python's garbage collector tuned for a crawl, from its opening to its closing.
    "newsarchive.crawl.garbage.GarbageCollection": 950,
    # The archive is the output: no item feed, not even the one Scrapyd's items_dir asks for.
    "scrapy.extensions.feedexport.FeedExporter": None,
}

DOWNLOADER_MIDDLEWARES = {
    # Retry-After aware retries replace Scrapy's RetryMiddleware at the same place.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.crawl.retry.RetryAfterMiddleware": 550,
    # A spider's own request for robots.txt gets the answer the robots check (100) fetched.
    "newsarchive.crawl.robots.RobotsOnceMiddleware": 560,
    # Scrapy's meta refresh, which rules one out in the page's bytes before decoding it.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsarchive.crawl.metarefresh.MetaRefreshMiddleware": 580,
    # Sees a redirect before RedirectMiddleware (600) does: a loop ends at its first repeat.
    "newsarchive.crawl.redirects.RedirectLoopMiddleware": 650,
    # Next to the download itself, so it sees every attempt: a site that gives no answer
    # NEWSARCHIVE_UNANSWERED_MAX times in a row ends the run at once.
    "newsarchive.crawl.silence.SilenceMiddleware": 880,
}

# --- politeness --------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = f"newsarchive/{__version__} (+{PROJECT_URL})"
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
#: Scrapy's downloader, made to keep CONCURRENT_REQUESTS_PER_DOMAIN with no download delay.
DOWNLOADER = "newsarchive.crawl.downloader.Downloader"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# --- failures ----------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_FAIL_ON_DATALOSS = True
#: A news page is tens to hundreds of KB: a larger answer (also once decompressed: a gzip
#: bomb) is refused as a ``too_large`` skip, so that no site can take the crawler's memory.
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
#: An article moves once or twice; a longer chain is an ``redirect_loop`` skip.
REDIRECT_MAX_TIMES = 10
HTTPERROR_ALLOW_ALL = False

# --- housekeeping ------------------------------------------------------------------------
#: Scrapy starts this many asyncio tasks for the output of every callback; our callbacks
#: yield one article or a page of links to pipelines that are synchronous, so a hundred
#: (the default) only costs time: a third of a crawl's CPU in a profile.
CONCURRENT_ITEMS = 4
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
#: Scrapy's check that a generator callback returns no value reads the callback's source and
#: parses it with `ast` each time its weak cache misses, and it misses often: the cache is keyed
#: by the bound method, a new object for each request: a tenth of the crawl process's CPU in a
#: profile of a backfill over many archive days, 2 % in the article-heavy benchmark.
#: tests/test_scrapy_defaults.py makes the same check once, on every spider.
WARN_ON_GENERATOR_RETURN_VALUE = False
#: Scrapy's remote control (2.19, on by default) serves code execution over HTTP on a local port
#: for each run and writes the port and its token to a job file in the user's state directory,
#: left behind by every run that is killed: 1,600 had piled up on a test machine. An hourly
#: archiver needs neither (and it imported aiohttp, 0.1 s, into every run).
REMOTE_CONTROL_ENABLED = False
