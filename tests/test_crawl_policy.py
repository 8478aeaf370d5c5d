"""The crawl's decisions as pure functions (newsarchive.crawl.policy, failures, outcome,
arguments): each rule of DESIGN's "Incremental runs" with plain values, no crawl."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from newsarchive import exitcodes
from newsarchive.crawl import policy
from newsarchive.crawl.arguments import CrawlArguments, check_base_url
from newsarchive.crawl.evidence import Evidence
from newsarchive.crawl.failures import classify_failure, release
from newsarchive.crawl.outcome import RunOutcome, settle
from newsarchive.dates import UTC
from newsarchive.items import ListingEntry

T0 = datetime(2024, 12, 6, 9, 0, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- the back-off refresh schedule ----------------------------------------------------------
@pytest.mark.parametrize(
    "fetched_after,now_after,due",
    [
        (0, 0.5, False),  # no step passed yet
        (0, 1, True),  # the 1-hour step
        (1, 2.9, False),  # fetched at 1 h, the 3-hour step not yet
        (1, 3, True),
        (24, 47.9, False),
        (24, 48, True),  # the last step: refresh_hours
        (48, 500, False),  # past the last step: never again
        (0, 500, True),  # a long outage: one fetch catches every missed step
    ],
)
def test_due_for_refresh_follows_the_steps(fetched_after, now_after, due):
    assert policy.due_for_refresh(T0, T0 + hours(fetched_after), T0 + hours(now_after), 48) is due


def test_refresh_hours_moves_the_last_step():
    assert policy.due_for_refresh(T0, T0 + hours(24), T0 + hours(30), 30)
    assert not policy.due_for_refresh(T0, T0 + hours(24), T0 + hours(30), 48)
    # a last step shorter than some fixed steps drops those steps
    assert not policy.due_for_refresh(T0, T0 + hours(2), T0 + hours(5), 2)


@pytest.mark.parametrize(
    "reason,passes",
    [
        ("http_500", True), ("http_503", True), ("http_429", True), ("http_408", True),
        ("timeout", True), ("unreachable", True), ("no_answer", True), ("dataloss", True),
        ("download_error", True), ("error", True), ("too_large", True), ("too_deep", True),
        ("redirect_loop", True),
        ("http_404", False), ("http_410", False), ("no_date", False), ("bad_date", False),
        ("truncated", False), ("robots", False),
    ],
)  # fmt: skip
def test_transient_reasons_are_the_ones_that_may_pass(reason, passes):
    assert policy.transient(reason) is passes


def test_retries_back_off_doubling_up_to_a_day():
    for failures, wait in ((1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 24), (20, 24)):
        assert policy.retry_due(T0, failures, T0 + hours(wait))
        assert not policy.retry_due(T0, failures, T0 + hours(wait) - policy.RETRY_SLACK - timedelta(minutes=1))
    # an hourly run that starts a little early still counts as an hour later
    assert policy.retry_due(T0, 1, T0 + timedelta(minutes=50))


def test_a_skipped_listed_article_waits_by_its_reason():
    now = T0 + hours(2)
    due = dict(refresh_hours=48, backfill=False)
    assert policy.skipped_due(None, T0, "http_503", 1, now, **due)  # retry after an hour
    assert not policy.skipped_due(None, T0, "http_503", 3, now, **due)  # third failure: 4 h
    assert policy.skipped_due(None, T0, "http_503", 3, now, refresh_hours=48, backfill=True)
    # its own failure: the refresh schedule from the listing's date
    assert not policy.skipped_due(T0, T0 + hours(1.5), "no_date", 1, now, **due)
    assert policy.skipped_due(T0, T0 + hours(0.5), "no_date", 1, now, **due)
    # no date in the listing: daily
    assert not policy.skipped_due(None, T0, "http_404", 1, T0 + hours(23), **due)
    assert policy.skipped_due(None, T0, "http_404", 1, T0 + hours(24), **due)


@pytest.mark.parametrize(
    "listed,archived,same",
    [
        ("Homs falls", "Homs falls", True),
        ("  homs   FALLS ", "Homs falls", True),
        ("Rebels take the city of Homs after a …", "Rebels take the city of Homs after a week", True),
        ("Rebels take …", "Rebels take the city", False),  # too short a cut to tell
        ("Homs falls to rebels", "Homs falls", False),
        (None, "Homs falls", True),
    ],
)
def test_same_title_forgives_case_spacing_and_a_cut(listed, archived, same):
    assert policy.same_title(listed, archived) is same


# --- where listing walks stop ---------------------------------------------------------------
def entry(site_id: str, at: datetime | None) -> ListingEntry:
    return ListingEntry(site_id=site_id, url=f"https://example.org/a/{site_id}", published=at)


def test_coverage_cut_is_the_last_complete_run_less_a_margin():
    assert policy.coverage_cut(T0, T0 + hours(5), 48) == T0 - policy.COVERAGE_MARGIN
    assert policy.coverage_cut(None, T0, 48) == T0 - hours(48)


def test_keep_paging_until_a_page_is_all_known_and_older_than_the_cut():
    cut = T0
    known = {"1": {}, "2": {}}
    assert policy.keep_paging([entry("3", T0 - hours(5)), entry("1", T0 - hours(6))], known, cut)
    assert policy.keep_paging([entry("1", T0 + hours(1)), entry("2", T0 + hours(1))], known, cut)
    assert not policy.keep_paging([entry("1", T0 - hours(1)), entry("2", T0 - hours(2))], known, cut)
    assert policy.keep_paging([entry("1", None), entry("2", None)], known, cut)  # no dates: go on
    assert not policy.keep_paging([], known, cut)


def test_the_feed_has_a_gap_when_it_does_not_reach_back_to_the_cut():
    cut = T0
    assert policy.feed_has_gap([], {}, cut)
    assert policy.feed_has_gap([entry("3", T0 + hours(2)), entry("2", T0 + hours(1))], {}, cut)
    assert not policy.feed_has_gap([entry("3", T0 + hours(2)), entry("2", T0 - hours(1))], {}, cut)
    # without dates: a gap unless its oldest item is archived
    assert policy.feed_has_gap([entry("3", None), entry("2", None)], {"3": {}}, cut)
    assert not policy.feed_has_gap([entry("3", None), entry("2", None)], {"2": {}}, cut)


def test_the_refresh_window_reaches_back_past_downtime_but_not_forever():
    assert policy.refresh_window(T0, T0 + hours(1), 48) == T0 - hours(49)
    long_ago = T0 - timedelta(days=60)
    assert policy.refresh_window(long_ago, T0, 48) == T0 - policy.REFRESH_LOOKBACK - hours(49)


def test_the_daily_sweep_starts_at_the_last_swept_day_at_most_a_week_back():
    today = date(2024, 12, 6)
    assert policy.sweep_first_day(today, today) is None
    assert policy.sweep_first_day(None, today) == date(2024, 12, 5)
    assert policy.sweep_first_day(date(2024, 12, 3), today) == date(2024, 12, 3)
    assert policy.sweep_first_day(date(2024, 10, 1), today) == date(2024, 11, 29)


# --- failures, outcomes, arguments --------------------------------------------------------------
def failure(exc: BaseException) -> Failure:
    return Failure(exc)


def test_download_failures_become_skip_reasons():
    request = Request("https://example.org/a/1")
    not_found = HttpError(Response(request.url, status=404, request=request))
    assert classify_failure(failure(not_found))[0] == "http_404"
    assert classify_failure(failure(net_error.TimeoutError()))[0] == "timeout"
    assert classify_failure(failure(net_error.DNSLookupError()))[0] == "unreachable"
    assert classify_failure(failure(net_error.ConnectionRefusedError()))[0] == "unreachable"
    assert classify_failure(failure(net_error.ConnectionLost()))[0] == "no_answer"
    assert classify_failure(failure(IgnoreRequest("Forbidden by robots.txt")))[0] == "robots"
    assert classify_failure(failure(ValueError("odd")))[0] == "download_error"
    too_big = "Expected to receive 20971520 bytes which is larger than download max size (5242880)"
    assert classify_failure(failure(DownloadCancelledError(too_big)))[0] == "too_large"
    assert classify_failure(failure(CancelledError()))[0] == "too_large"  # past it while streaming
    bomb = "Ignored response <200 u> because its body exceeded DOWNLOAD_MAXSIZE (5242880 B)"
    assert classify_failure(failure(IgnoreRequest(bomb)))[0] == "too_large"
    assert classify_failure(failure(IgnoreRequest("redirect loop: a -> b -> a")))[0] == "redirect_loop"
    assert classify_failure(failure(IgnoreRequest("max redirections reached")))[0] == "redirect_loop"


def test_release_drops_the_frames_a_failure_holds():
    def refuse() -> None:
        held = bytearray(1 << 20)  # noqa: F841 - what the frame keeps alive
        raise ValueError("too big")

    try:
        try:
            refuse()
        except ValueError as inner:
            raise IgnoreRequest("refused") from inner
    except IgnoreRequest:
        caught = Failure()
    assert caught.value.__cause__ is not None and caught.value.__traceback__ is not None
    release(caught)
    assert caught.value.__cause__ is None and caught.value.__traceback__ is None
    assert caught.tb is None


@pytest.mark.parametrize(
    "reason,responses,unanswered,errors,status,code",
    [
        ("finished", 10, 0, 0, "ok", exitcodes.OK),
        ("limit", 10, 0, 0, "ok", exitcodes.OK),
        ("finished", 0, 3, 0, "failed", exitcodes.UNREACHABLE),
        ("finished", 5, 3, 0, "ok", exitcodes.OK),  # some answers: reachable
        ("finished", 10, 0, 2, "failed", exitcodes.FAILED),
        ("shutdown", 10, 0, 0, "interrupted", exitcodes.FAILED),
        ("closespider_timeout", 10, 0, 0, "failed", exitcodes.FAILED),
    ],
)
def test_settle_decides_status_and_exit_code(reason, responses, unanswered, errors, status, code):
    outcome = RunOutcome(site="example")
    settle(outcome, reason, responses=responses, unanswered=unanswered, errors=errors, root="x/")
    assert (outcome.status, outcome.exit_code) == (status, code)
    assert bool(outcome.message) is (status != "ok")


def test_an_earlier_failure_is_not_hidden_by_the_close_reason():
    outcome = RunOutcome(site="example")
    outcome.fail("failed", exitcodes.ARCHIVE, "disk full")
    settle(outcome, "shutdown", responses=1, unanswered=0, errors=0, root="x/")
    assert (outcome.exit_code, outcome.message) == (exitcodes.ARCHIVE, "disk full")
    assert "failed: disk full" in outcome.summary()


def test_the_summary_line_is_designs():
    outcome = RunOutcome(site="example", new=12, updated=3, unchanged=480, requests=41, seconds=14.2)
    outcome.skipped = {"http_500": 1, "no_date": 1}
    assert outcome.summary() == (
        "example: 12 new, 3 updated, 480 unchanged, 2 skipped (http_500 1, no_date 1); "
        "41 requests in 14.2 s"
    )


def test_spider_arguments_are_read_and_checked_once():
    kwargs = {"base_url": "http://127.0.0.1:9/x", "full": "yes", "since": "2024-12-01",
              "limit": "5", "refresh_hours": "24", "fill_gaps": "0", "other": 1}  # fmt: skip
    args = CrawlArguments.take(kwargs, "https://example.org/")
    assert kwargs == {"other": 1}  # Scrapy's own arguments stay
    assert args.base_url == "http://127.0.0.1:9/x/" and args.full and args.backfill
    assert (args.since, args.limit, args.refresh_hours, args.fill_gaps) == (date(2024, 12, 1), 5, 24.0, False)
    assert args.record == {"base_url": "http://127.0.0.1:9/x", "full": "yes", "since": "2024-12-01",
                           "limit": "5", "refresh_hours": "24", "fill_gaps": "0"}  # fmt: skip
    assert CrawlArguments.take({}, "https://example.org").base_url == "https://example.org/"
    assert not CrawlArguments.take({}, "https://example.org/").backfill
    for bad in ({"limit": "0"}, {"since": "2024-12-09", "until": "2024-12-01"}, {"since": "12/1"}):
        with pytest.raises(ValueError):
            CrawlArguments.take(dict(bad), "https://example.org/")


@pytest.mark.parametrize(
    "url",
    ["", "http://", "https://", "http:///p", "http://h:99999/", "http://h:abc/", "http://[::1/",
     "ftp://h/", "http://h/a b", "http://h/?q=1", "http://h:0/"],
)  # fmt: skip
def test_a_base_url_must_name_an_http_root(url):
    with pytest.raises(ValueError):
        check_base_url(url)


def test_a_base_url_is_the_root_with_one_slash():
    assert check_base_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/"
    assert check_base_url(" https://mirror.example/news/ ") == "https://mirror.example/news/"


@pytest.mark.parametrize("hours", ["inf", "nan", "1e308", "0.5", "-3"])
def test_refresh_hours_must_be_a_sane_number(hours):
    with pytest.raises(ValueError):
        CrawlArguments.take({"refresh_hours": hours}, "https://example.org/")


def test_limit_cannot_pass_sqlites_integers():
    with pytest.raises(ValueError):
        CrawlArguments.take({"limit": str(2**63)}, "https://example.org/")
    assert CrawlArguments.take({"limit": str(2**63 - 1)}, "https://example.org/").limit == 2**63 - 1


# --- the evidence that a run saw the site -------------------------------------------------------
def test_a_run_whose_listings_all_failed_saw_nothing():
    evidence = Evidence()
    for _ in range(3):
        evidence.failed("not_listing")
    evidence.failed("http_404")
    problem = evidence.problem(incremental=True, archive_had_articles=True)
    assert problem and "4 listing pages" in problem and "not_listing 3, http_404 1" in problem
    assert evidence.problem(incremental=False, archive_had_articles=True)  # a backfill too


def test_empty_listings_are_nothing_for_an_incremental_run_but_may_be_quiet_days_for_a_backfill():
    evidence = Evidence()
    evidence.page(entries=0, known=0)
    evidence.page(entries=0, known=0)
    assert evidence.problem(incremental=True, archive_had_articles=True)
    assert evidence.problem(incremental=False, archive_had_articles=True) is None


def test_listings_must_join_up_with_what_the_archive_holds():
    evidence = Evidence()
    evidence.page(entries=20, known=0)
    assert "none of the articles archived before" in (
        evidence.problem(incremental=True, archive_had_articles=True) or ""
    )
    assert evidence.problem(incremental=True, archive_had_articles=False) is None  # a new archive
    evidence.page(entries=20, known=1)
    evidence.failed("http_500")  # one failed page among good ones: a partial run, not nothing
    assert evidence.problem(incremental=True, archive_had_articles=True) is None
    assert Evidence().problem(incremental=True, archive_had_articles=True) is None  # read nothing


def test_settle_fails_a_run_that_saw_nothing_after_the_unreachable_check():
    outcome = RunOutcome(site="example")
    settle(outcome, "finished", responses=10, unanswered=0, errors=0, root="x/", unseen="nothing")
    assert (outcome.status, outcome.exit_code, outcome.message) == ("failed", exitcodes.FAILED, "nothing")
    dead = RunOutcome(site="example")
    settle(dead, "finished", responses=0, unanswered=5, errors=0, root="x/", unseen="nothing")
    assert dead.exit_code == exitcodes.UNREACHABLE


@pytest.mark.parametrize("day", ["0001-01-01", "1969-12-31", "3000-01-01"])
def test_a_backfill_cannot_reach_outside_the_clocks_years(day):
    with pytest.raises(ValueError):
        CrawlArguments.take({"since": day}, "https://example.org/")
