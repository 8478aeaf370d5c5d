"""The crawl's progress model (`newsarchive.crawl.progress.ProgressModel`): pure logic, fed
counts and clock readings by hand; no crawl, no timer."""

from __future__ import annotations

from newsarchive.crawl.progress import (
    ARTICLES,
    DAYS,
    LISTINGS,
    REFRESHES,
    Counts,
    ProgressModel,
    format_eta,
)


def test_a_backfill_sweeps_days_then_fetches_articles_with_units() -> None:
    model = ProgressModel()
    view = model.update(Counts(days_total=5000, days_done=120, articles_found=40), now=0)
    assert (view.phase, view.unit, view.done, view.total) == (DAYS, "days", 120, 5000)
    assert "empty ones too" in view.phase  # the walk over empty days is said, not hidden
    view = model.update(Counts(days_total=5000, days_done=5000, articles_found=300, articles_done=260), now=1)
    assert (view.phase, view.unit, view.done, view.total) == (ARTICLES, "articles", 260, 300)


def test_an_hourly_run_reads_listings_then_refreshes() -> None:
    model = ProgressModel()
    view = model.update(Counts(pages_done=1), now=0)
    assert (view.phase, view.unit, view.total, view.eta) == (LISTINGS, "pages", None, None)
    view = model.update(Counts(pages_done=1, articles_found=6, refreshes_found=6, articles_done=2), now=1)
    assert (view.phase, view.unit, view.done, view.total) == (REFRESHES, "articles", 2, 6)
    view = model.update(Counts(pages_done=2, articles_found=9, refreshes_found=6, articles_done=3), now=2)
    assert view.phase == ARTICLES and view.total == 9


def test_the_total_only_grows_as_work_is_found() -> None:
    """Articles found go 40 → 90 → 90 → 400: the total follows, never down, never guessed."""
    model = ProgressModel()
    totals = []
    for found, done in ((40, 10), (90, 20), (90, 60), (400, 61)):
        totals.append(model.update(Counts(articles_found=found, articles_done=done), now=done).total)
    assert totals == [40, 90, 90, 400]
    assert totals == sorted(totals)


def test_no_eta_until_the_rate_settles() -> None:
    model = ProgressModel(window=10, tolerance=0.25)
    # 20 s at a steady 10 days/s: before two windows have passed, no estimate
    etas = []
    for second in range(0, 21):
        view = model.update(Counts(days_total=1000, days_done=10 * second), now=second)
        etas.append(view.eta)
    assert all(eta is None for eta in etas[:20])
    assert etas[20] is not None and abs(etas[20] - (1000 - 200) / 10) < 1e-6


def test_a_rate_that_swings_shows_no_eta() -> None:
    model = ProgressModel(window=10, tolerance=0.25)
    done = 0
    view = None
    for second in range(0, 31):
        done += 1 if second < 20 else 10  # slow, then ten times faster: not settled
        view = model.update(Counts(days_total=5000, days_done=done), now=second)
    assert view is not None and view.eta is None
    assert format_eta(view.eta) == "rate settling"


def test_a_stalled_phase_has_no_eta() -> None:
    model = ProgressModel(window=5)
    for second in range(0, 30):
        view = model.update(Counts(days_total=100, days_done=40), now=second)
    assert view.eta is None  # no progress: no "-:--:--" swing, just no estimate


def test_format_eta() -> None:
    assert format_eta(65) == "about 1:05 left"
    assert format_eta(3725) == "about 1:02:05 left"
