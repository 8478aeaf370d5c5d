"""When to fetch what: the crawl's decisions as pure functions of times, counts and entries.

DESIGN's "Incremental runs" as code with no I/O: the back-off refresh schedule, the retries of
pages that failed for a passing reason, when a listing walk may stop, when the feed leaves a
gap. The spider asks these; the unit tests call them with plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from newsarchive import dates
from newsarchive.crawl.failures import TRANSIENT
from newsarchive.items import ListingEntry
from newsarchive.text import clean_line

#: The back-off schedule (hours after publication); the last step is `refresh_hours`.
REFRESH_STEPS = (1, 3, 6, 12, 24)
#: Listing dates are minute-precise and editors back-date: how far behind the last complete
#: run's start a listing walk still looks.
COVERAGE_MARGIN = timedelta(hours=1)
#: How far back the refresh schedule looks after downtime; also how long an article whose
#: fetch failed for a passing reason is retried by every run (a backfill retries it any time).
REFRESH_LOOKBACK = timedelta(days=14)
#: The retries of such an article wait 1, 2, 4 … hours after its last failure, at most a day;
#: an hourly run that starts a little less than an hour later counts as an hour later.
RETRY_WAIT_MAX = timedelta(hours=24)
RETRY_SLACK = timedelta(minutes=15)
#: A page that failed by itself and whose listing gives no date is tried again after this.
UNDATED_RETRY = timedelta(hours=24)
#: How many days back an incremental run's daily sweep of the archive pages reaches at most.
SWEEP_DAYS_MAX = 7


def truthy(value: object) -> bool:
    """A spider argument read as a flag: ``1``, ``true``, ``yes``, ``on`` (any case)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "y"}


def due_for_refresh(
    published: datetime, last_fetched: datetime, now: datetime, refresh_hours: float
) -> bool:
    """Whether a step of the back-off schedule has passed since the article was last fetched.

    Steps are 1, 3, 6, 12, 24 hours after publication and `refresh_hours` (48 by default); an
    article is due when some step lies after its last fetch and at or before now.
    """
    steps = sorted({s for s in REFRESH_STEPS if s < refresh_hours} | {refresh_hours})
    fetched_age = (last_fetched - published).total_seconds() / 3600
    age = (now - published).total_seconds() / 3600
    return any(fetched_age < step <= age for step in steps)


def transient(reason: str) -> bool:
    """Whether a skip's reason may pass by itself (a 5xx, 408 or 429, a timeout, a dropped or
    refused connection), so that the page is worth fetching again; a 404, an unparseable page
    or a bad date are the page's own and wait for the back-off schedule."""
    if reason.startswith("http_"):
        code = reason[5:]
        return code.startswith("5") or code in ("408", "429")
    return reason in TRANSIENT


def retry_due(last_failure: datetime, failures: int, now: datetime) -> bool:
    """Whether an article whose fetch failed `failures` times for a passing reason, the last
    time at `last_failure`, is due again: 1, 2, 4 … hours later, then daily."""
    wait = min(timedelta(hours=2 ** min(max(failures, 1) - 1, 10)), RETRY_WAIT_MAX)
    return now - last_failure >= wait - RETRY_SLACK


def skipped_due(
    published: datetime | None,
    last_skip: datetime,
    reason: str,
    failures: int,
    now: datetime,
    *,
    refresh_hours: float,
    backfill: bool,
) -> bool:
    """Whether a listed article that was skipped before is fetched again now: after a passing
    failure on the retry back-off (a backfill: always); after a failure of the page itself
    (404, no date, …) on the back-off schedule, or daily when the listing gives no date."""
    if transient(reason):
        return backfill or retry_due(last_skip, failures, now)
    if published is not None:
        return due_for_refresh(published, last_skip, now, refresh_hours)
    return backfill or now - last_skip >= UNDATED_RETRY


def skip_waits(
    published: datetime | None,
    skipped: Mapping[str, Any] | None,
    now: datetime,
    *,
    refresh_hours: float,
    backfill: bool,
) -> bool:
    """Whether a listed article never stored, whose page was skipped before (`skipped`: the
    archive's skip row), still waits out its back-off (`skipped_due`) instead of being fetched."""
    if not skipped:
        return False
    return not skipped_due(
        published,
        dates.parse_utc(skipped["at"]),
        skipped["reason"],
        skipped["count"],
        now,
        refresh_hours=refresh_hours,
        backfill=backfill,
    )


def same_title(listed: str | None, archived: str | None) -> bool:
    """Whether a listing's title is the archived one (case, spacing and a cut ``…`` forgiven)."""
    if not listed or not archived:
        return True
    a, b = clean_line(listed).casefold(), clean_line(archived).casefold()
    if a == b:
        return True
    cut = a.rstrip("…. ")
    return len(cut) >= 20 and b.startswith(cut)


def coverage_cut(coverage: datetime | None, now: datetime, refresh_hours: float) -> datetime:
    """Listings are walked back at least to this instant: the start of the last complete run
    (less a margin), or `refresh_hours` back when no run has completed yet."""
    if coverage is not None:
        return coverage - COVERAGE_MARGIN
    return now - timedelta(hours=refresh_hours)


def feed_has_gap(
    entries: Sequence[ListingEntry], known: Mapping[str, Any], cut: datetime
) -> bool:
    """Whether the feed fails to reach back to `cut` (downtime, or more news than it holds):
    then the section listings are walked too."""
    if not entries:
        return True
    stamps = [e.published for e in entries if e.published is not None]
    if stamps:
        return min(stamps) > cut
    # A feed without dates: a gap unless its oldest item is already archived.
    return entries[-1].site_id not in known


def keep_paging(entries: Sequence[ListingEntry], known: Mapping[str, Any], cut: datetime) -> bool:
    """DESIGN: stop when a whole page holds nothing unknown — and (against a run killed
    half-way) only once the page is older than what the last complete run covered."""
    if not entries:
        return False
    if any(e.site_id not in known for e in entries):
        return True
    stamps = [e.published for e in entries if e.published is not None]
    return not stamps or min(stamps) > cut


def refresh_window(coverage: datetime | None, now: datetime, refresh_hours: float) -> datetime:
    """Articles published since this instant may have a refresh step ahead of them: everything
    young enough at the last complete run (after downtime too, but never more than
    `REFRESH_LOOKBACK` back)."""
    last = min(coverage or now, now)
    return max(last, now - REFRESH_LOOKBACK) - timedelta(hours=refresh_hours + 1)


def sweep_first_day(swept: date | None, today: date) -> date | None:
    """The first archive day an incremental run sweeps (once a day: what the feed may not carry),
    or None when today was swept already."""
    if swept is not None and swept >= today:
        return None
    first = swept if swept is not None else today - timedelta(days=1)
    return max(first, today - timedelta(days=SWEEP_DAYS_MAX))
