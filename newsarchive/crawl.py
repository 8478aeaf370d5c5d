"""Running crawls in-process for the CLI: settings from options, the lock, Scrapy, the outcome."""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from newsarchive import dates, lock
from newsarchive.archive import Archive, ArchiveError
from newsarchive.logs import log_to_file
from newsarchive.sitespider import (
    EXIT_ARCHIVE,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    lock_message,
)

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    """`newsarchive crawl`'s options, as the command line gives them."""

    sites: list[str] = field(default_factory=list)
    db: str = "data/archive.db"
    base_url: str | None = None
    full: bool = False
    since: str | None = None
    until: str | None = None
    limit: int | None = None
    refresh_hours: float | None = None
    fill_gaps: bool = False
    delay: float | None = None
    concurrency: int | None = None
    timeout: float | None = None
    quiet: bool = False
    verbose: bool = False
    log_file: str = "data/logs/crawl.log"
    progress: bool | None = None


def crawl_settings(options: CrawlOptions) -> Settings:
    """Our Scrapy settings with the command line's overrides."""
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    over: dict[str, object] = {
        "NEWSARCHIVE_DB": options.db,
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": False,  # our rotated file handler takes the log
    }
    over["LOG_LEVEL"] = "DEBUG" if options.verbose else "INFO"
    if options.delay is not None:
        over["DOWNLOAD_DELAY"] = options.delay
        over["RANDOMIZE_DOWNLOAD_DELAY"] = options.delay > 0
        if options.delay == 0:
            over["AUTOTHROTTLE_ENABLED"] = False
        else:
            over["AUTOTHROTTLE_START_DELAY"] = options.delay
    if options.concurrency is not None:
        over["CONCURRENT_REQUESTS_PER_DOMAIN"] = options.concurrency
        over["CONCURRENT_REQUESTS"] = max(16, options.concurrency)
        if options.concurrency > 1 and options.delay is None:
            over["AUTOTHROTTLE_TARGET_CONCURRENCY"] = float(options.concurrency)
    if options.timeout is not None:
        over["DOWNLOAD_TIMEOUT"] = options.timeout
    progress = options.progress
    if progress is None:
        progress = not options.quiet and sys.stderr.isatty()
    if progress:
        over["NEWSARCHIVE_PROGRESS"] = True
        over["EXTENSIONS"] = {"newsarchive.progress.ProgressBar": 900}
    settings.setdict(over, priority="cmdline")
    return settings


def spider_args(options: CrawlOptions) -> dict[str, object]:
    """The spider arguments (DESIGN) that the options stand for."""
    args: dict[str, object] = {}
    if options.base_url:
        args["base_url"] = options.base_url
    if options.full:
        args["full"] = "1"
    for name in ("since", "until", "limit", "refresh_hours"):
        value = getattr(options, name)
        if value is not None:
            args[name] = str(value)
    if options.fill_gaps:
        args["fill_gaps"] = "1"
    return args


def run_crawl(options: CrawlOptions) -> tuple[int, list[str], list[str]]:
    """One crawl run for each site; returns (exit code, summary lines, error messages)."""
    settings = crawl_settings(options)
    loader = SpiderLoader.from_settings(settings)
    known = loader.list()
    sites = options.sites or known
    unknown = [s for s in sites if s not in known]
    if unknown:
        return EXIT_USAGE, [], [f"unknown site {unknown[0]!r} (known: {', '.join(known)})"]
    if options.base_url and not options.base_url.startswith(("http://", "https://")):
        return EXIT_USAGE, [], [f"--base-url must start with http:// or https://: {options.base_url}"]
    if options.since and options.until and options.since > options.until:
        return EXIT_USAGE, [], [f"--since {options.since} is after --until {options.until}"]
    try:
        dates.now()  # the one clock: NEWSARCHIVE_NOW, when set, must be readable
    except ValueError as exc:
        return EXIT_USAGE, [], [f"${dates.NOW_ENV}: {exc}"]
    try:
        lock.acquire(options.db)
    except lock.LockHeld:
        return EXIT_LOCKED, [], [lock_message(options.db)]
    except ArchiveError as exc:  # no lock file there: say what is wrong with the archive
        problem = str(exc)
        try:
            Archive(options.db).close()
        except ArchiveError as archive_exc:
            problem = str(archive_exc)
        return EXIT_ARCHIVE, [], [problem]
    try:
        # Create or migrate now, under the lock (a long migration is never raced by another
        # crawl): a bad file fails before any request.
        Archive(options.db).close()
    except ArchiveError as exc:
        lock.release(options.db)
        return EXIT_ARCHIVE, [], [str(exc)]
    handler = None
    try:
        handler = log_to_file(options.log_file, logging.DEBUG if options.verbose else logging.INFO)
        process = CrawlerProcess(settings)
        crawlers = []
        for site in sites:
            crawler = process.create_crawler(loader.load(site))
            try:
                process.crawl(crawler, **spider_args(options))
            except ValueError as exc:
                return EXIT_USAGE, [], [str(exc)]
            crawlers.append(crawler)
        process.start()
        code, lines, errors = EXIT_OK, [], []
        for crawler in crawlers:
            spider = crawler.spider
            outcome = getattr(spider, "outcome", None)
            if outcome is None:
                code = code or EXIT_FAILED
                errors.append(f"{crawler.spidercls.name}: the spider did not start (see the log)")
                continue
            if outcome.exit_code in (EXIT_LOCKED, EXIT_ARCHIVE) and outcome.run_id is None:
                errors.append(outcome.message)
            elif outcome.run_id is None:  # the run never opened: never report that as done
                code = code or EXIT_FAILED
                errors.append(f"{outcome.site}: the run did not start (see {options.log_file})")
                continue
            else:
                lines.append(outcome.summary())
            code = code or outcome.exit_code
        return code, lines, errors
    except Exception as exc:  # a bug: logged with its traceback, one line for the user
        logger.error("crawl failed: %s\n%s", exc, traceback.format_exc())
        return EXIT_FAILED, [], [f"crawl failed: {type(exc).__name__}: {exc} (see {options.log_file})"]
    finally:
        lock.release(options.db)
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
