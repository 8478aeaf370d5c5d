"""Running crawls in-process for the CLI: settings from options, the lock, Scrapy, the outcome."""

from __future__ import annotations

import logging
import sys
import traceback
from dataclasses import dataclass, field

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from newsarchive import dates, exitcodes, interrupts, lock
from newsarchive import settings as defaults
from newsarchive.archive import Archive, ArchiveError
from newsarchive.crawl.arguments import CrawlArguments
from newsarchive.crawl.catalogue import Catalogue
from newsarchive.crawl.run import ArchiveRun
from newsarchive.logs import log_to_file
from newsarchive.sites import SitesError, sites_file

logger = logging.getLogger(__name__)

#: How long a crawl's quick integrity check of the archive may take before it is left
#: inconclusive (a damage met later still ends the run with exit 5).
VERIFY_SECONDS = 2.0


@dataclass
class CrawlOptions:
    """`newsarchive crawl`'s options, as the command line gives them."""

    sites: list[str] = field(default_factory=list)
    db: str = defaults.NEWSARCHIVE_DB
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
    log_file: str = defaults.NEWSARCHIVE_LOG_FILE
    #: The sites file (--sites); None: $NEWSARCHIVE_SITES, else ./sites.toml if present.
    sites_file: str | None = None


def crawl_settings(options: CrawlOptions) -> Settings:
    """Our Scrapy settings with the command line's overrides."""
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    over: dict[str, object] = {
        "NEWSARCHIVE_DB": options.db,
        "NEWSARCHIVE_PROGRESS": not options.quiet and sys.stderr.isatty(),
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": False,  # our rotated file handler takes the log
        "LOG_LEVEL": "DEBUG" if options.verbose else "INFO",
    }
    if options.delay is not None:
        over["DOWNLOAD_DELAY"] = options.delay
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
    settings.setdict(over, priority="cmdline")
    return settings


def spider_args(options: CrawlOptions) -> dict[str, object]:
    """The spider arguments (DESIGN) that the options stand for."""
    args: dict[str, object] = {}
    if options.base_url is not None:  # an empty one is an error, not the default root
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


def chosen_sites(options: CrawlOptions, catalogue: Catalogue) -> list[str]:
    """The sites the run crawls: those named, else every known site."""
    return list(dict.fromkeys(options.sites)) or catalogue.names()


def check_options(options: CrawlOptions, catalogue: Catalogue) -> str | None:
    """What makes the options bad usage (exit 2), or None: the spider arguments are checked
    here as each site's spider will read them, before anything starts."""
    known = catalogue.names()
    unknown = [s for s in options.sites if s not in known]
    if unknown:
        return f"unknown site {unknown[0]!r} (known: {', '.join(known) or 'none'})"
    chosen = chosen_sites(options, catalogue)
    if not chosen:
        return "no site to crawl (no spider module and no sites file)"
    if options.base_url is not None and len(chosen) > 1:
        return (
            f"--base-url names the root of one site; name that site (crawl SITE --base-url URL), "
            f"not {len(chosen)}: {', '.join(chosen)}"
        )
    try:
        dates.check_range(options.since, options.until)
        for site in chosen:
            catalogue.spider_class(site)  # a profile site needs the profile spider
            given = {**catalogue.spider_kwargs(site), **spider_args(options)}
            default = catalogue.sites[site].url or "http://localhost/"
            CrawlArguments.take(given, default)
    except SitesError as exc:
        return str(exc)
    except ValueError as exc:
        return str(exc).replace("the base URL", "--base-url", 1)
    try:
        dates.now()  # the one clock: NEWSARCHIVE_NOW, when set, must be readable
    except ValueError as exc:
        return f"${dates.NOW_ENV}: {exc}"
    return None


def load_catalogue(options: CrawlOptions, settings: Settings) -> Catalogue:
    """Every known site: the spider modules and the sites file's profiles (`SitesError`)."""
    return Catalogue.load(settings, sites_file(options.sites_file))


def prepare_archive(db: str) -> tuple[int, str] | None:
    """Take the crawl lock and create or migrate the archive under it (a long migration is
    never raced by another crawl; a bad file fails before any request). Returns (exit code,
    message) when it cannot, or None with the lock held."""
    try:
        lock.acquire(db)
    except lock.LockHeld as exc:
        return exitcodes.LOCKED, str(exc)
    except ArchiveError as exc:  # no lock there: say what is wrong with the archive
        try:
            Archive(db).close()
        except ArchiveError as archive_exc:
            return exitcodes.ARCHIVE, str(archive_exc)
        return exitcodes.ARCHIVE, str(exc)
    try:
        with Archive(db) as archive:
            archive.verify(seconds=VERIFY_SECONDS)  # a damaged file: exit 5 before any request
    except ArchiveError as exc:
        lock.release(db)
        return exitcodes.ARCHIVE, str(exc)
    return None


def run_crawl(options: CrawlOptions) -> tuple[int, list[str], list[str]]:
    """One crawl run for each site; returns (exit code, summary lines, error messages)."""
    settings = crawl_settings(options)
    try:
        catalogue = load_catalogue(options, settings)
    except SitesError as exc:
        return exitcodes.USAGE, [], [str(exc)]
    problem = check_options(options, catalogue)
    if problem:
        return exitcodes.USAGE, [], [problem]
    refused = prepare_archive(options.db)
    if refused:
        return refused[0], [], [refused[1]]
    handler = None
    try:
        interrupts.hold()
        try:
            handler = log_to_file(options.log_file, logging.DEBUG if options.verbose else logging.INFO)
        except OSError as exc:
            return exitcodes.USAGE, [], [f"cannot write the log {options.log_file}: {exc.strerror or exc}"]
        process = CrawlerProcess(settings)
        crawlers = []
        for site in chosen_sites(options, catalogue):
            crawler = process.create_crawler(catalogue.spider_class(site))
            catalogue.apply_site_settings(site, crawler.settings)
            process.crawl(crawler, **{**catalogue.spider_kwargs(site), **spider_args(options)})
            crawlers.append(crawler)
        interrupts.hand_to_scrapy()  # Scrapy takes SIGINT and SIGTERM for a graceful stop
        process.start()
        return collect(crawlers, options.log_file)
    except Exception as exc:  # a bug: logged with its traceback, one line for the user
        logger.error("crawl failed: %s\n%s", exc, traceback.format_exc())
        return exitcodes.FAILED, [], [f"crawl failed: {type(exc).__name__}: {exc} (see {options.log_file})"]
    finally:
        lock.release(options.db)
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


def collect(crawlers: list[Crawler], log_file: str) -> tuple[int, list[str], list[str]]:
    """The exit code, summary lines (one per site) and errors of the finished crawlers."""
    codes, lines, errors = [], [], []
    for crawler in crawlers:
        name = getattr(crawler.spider, "site", None) or crawler.spidercls.name
        try:
            run = ArchiveRun.of(crawler)
        except RuntimeError:  # the crawl never started: no extensions
            outcome = None
        else:
            run.abandon("stopped by a signal before the run could finish")
            outcome = run.outcome
        if outcome is None:
            codes.append(exitcodes.FAILED)
            errors.append(f"{name}: the spider did not start (see the log)")
            continue
        if outcome.exit_code in (exitcodes.LOCKED, exitcodes.ARCHIVE) and outcome.run_id is None:
            errors.append(outcome.message)
        elif outcome.run_id is None:  # the run never opened: never report that as done
            codes.append(exitcodes.FAILED)
            errors.append(f"{outcome.site}: the run did not start (see {log_file})")
            continue
        else:
            lines.append(outcome.summary())
        codes.append(outcome.exit_code)
    return overall(codes), lines, errors


def overall(codes: list[int]) -> int:
    """One exit code for the sites of a run: a single site's own; for several, 0 when every
    site completed, 4 only when none could be reached, the archive's own trouble (3, 5) as
    it is, and 1 when some failed (the others are stored)."""
    if len(codes) == 1:
        return codes[0]
    failed = [c for c in codes if c != exitcodes.OK]
    if not failed:
        return exitcodes.OK
    for code in (exitcodes.ARCHIVE, exitcodes.LOCKED):
        if code in failed:
            return code
    if len(failed) == len(codes) and set(failed) == {exitcodes.UNREACHABLE}:
        return exitcodes.UNREACHABLE
    return exitcodes.FAILED
