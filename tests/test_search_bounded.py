"""The bounded top-10: a search ranks the newest `RANK_WINDOW` matches, says so, and
`--exact` ranks them all.

Small real archives (articles stored through `Archive.store`), the window made small
(`Archive._RANK_WINDOW`, as other tests shrink `_FILTER_SET_MAX`), so the bounded plan and the
exact one can be compared hit for hit.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive import cli
from newsarchive.archive import Archive
from newsarchive.archive.reading import search_match
from newsarchive.archive.search_sql import RANK_WINDOW, canned_search_sql
from newsarchive.items import Article

T0 = datetime(2020, 1, 1, tzinfo=UTC)
WINDOW = 6


def article(number: int, title: str, body: str, section: str = "World") -> Article:
    published = T0 + timedelta(days=number)
    return Article(
        site="example",
        site_id=str(number),
        url=f"https://news.example/articles/{number}/",
        title=title,
        published=published,
        published_local=published,
        body=body,
        section=section,
        tags=[],
    )


def texts(number: int) -> tuple[str, str, str]:
    """A title, body and section: "storm" in every article, as often as the number says
    (so ranks differ), "harbour" in a few, the older ones the best for "storm"."""
    storms = " ".join(["storm"] * (1 + (40 - number) // 4))
    harbour = " harbour" if number % 9 == 0 else ""
    section = "Sports" if number % 3 == 0 else "World"
    return f"Weather report {number}", f"{storms} over the coast{harbour}. Rain later.", section


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bounded") / "archive.db"
    with Archive(db) as archive, archive.bulk():
        for number in range(40):
            title, body, section = texts(number)
            archive.store(article(number, title, body, section), run_id=None, now=T0)
    return db


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Archive, "_RANK_WINDOW", WINDOW)


def ids(hits: list[dict]) -> list[int]:
    return [hit["id"] for hit in hits]


def test_few_matches_rank_alike_bounded_or_exact(archive_db: Path) -> None:
    with Archive(archive_db, readonly=True) as archive:
        # 40 matches, a window of 1,000: every match is ranked, the same ten as --exact.
        bounded = archive.search("storm", limit=10)
        exact = archive.search("storm", limit=10, exact=True)
        assert ids(bounded) == ids(exact)
        assert [h["rank"] for h in bounded] == [h["rank"] for h in exact]
        assert bounded.ranked_among is None and bounded.matches == 40
    assert RANK_WINDOW >= 1000


def test_matches_within_the_window_give_the_exact_top(archive_db: Path, small_window: None) -> None:
    with Archive(archive_db, readonly=True) as archive:
        bounded = archive.search("harbour", limit=3)  # 5 matches (0, 9, 18, 27, 36) <= 6
        exact = archive.search("harbour", limit=3, exact=True)
    assert ids(bounded) == ids(exact) and len(bounded) == 3
    assert bounded.ranked_among is None and bounded.matches == 5


def test_more_matches_than_the_window_are_ranked_among_the_newest(
    archive_db: Path, small_window: None
) -> None:
    with Archive(archive_db, readonly=True) as archive:
        bounded = archive.search("storm", limit=3)
        exact = archive.search("storm", limit=3, exact=True)
        newest = sorted(ids(archive.search("storm", limit=None)), reverse=True)[:WINDOW]
    assert bounded.ranked_among == WINDOW and bounded.matches is None
    assert set(ids(bounded)) <= set(newest)
    # The oldest articles say "storm" most: the exact ranking puts them first.
    assert max(ids(exact)) < min(newest) and set(ids(exact)).isdisjoint(ids(bounded))
    assert exact.ranked_among is None
    ranks = [hit["rank"] for hit in bounded]
    assert ranks == sorted(ranks)


def test_filters_apply_inside_the_window(archive_db: Path, small_window: None) -> None:
    with Archive(archive_db, readonly=True) as archive:
        sports = archive.search("storm", section="sports", limit=10)
        recent = archive.search("storm", since="2020-02-01", limit=10)
        all_sports = archive.search("storm", section="sports", limit=10, exact=True)
    assert sports and all(hit["section"] == "Sports" for hit in sports)
    assert sports.ranked_among == WINDOW and sports.matches is None
    assert all_sports.matches == 14 and all_sports.ranked_among is None  # 0, 3, … 39
    assert all(hit["published"] >= "2020-02-01" for hit in recent)
    assert {hit["section"] for hit in all_sports} == {"Sports"} and len(all_sports) == 10


def invoke(db: Path, *args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli.main, ["search", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_the_cli_says_when_a_result_is_bounded(archive_db: Path, small_window: None) -> None:
    out, _ = invoke(archive_db, "storm", "--limit", "2")
    assert out.rstrip().endswith(
        f"ranked among the newest {WINDOW} matches; more match: --exact for all"
    )
    out, _ = invoke(archive_db, "storm", "--limit", "2", "--exact")
    assert "ranked among" not in out and "2 articles found" in out
    out, _ = invoke(archive_db, "harbour")
    assert "ranked among" not in out


def test_json_says_how_the_hits_were_ranked(archive_db: Path, small_window: None) -> None:
    out, err = invoke(archive_db, "storm", "--limit", "2", "--json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == 2
    assert all(h["ranked_among"] == WINDOW and h["matches"] is None for h in hits)
    assert "--exact for all" in err
    out, _ = invoke(archive_db, "storm", "--limit", "2", "--json", "--exact")
    assert all(json.loads(line)["ranked_among"] is None for line in out.splitlines())


def test_search_match_turns_typed_words_into_the_clis_query() -> None:
    assert search_match("storm AND harbour") == "storm AND harbour"
    assert search_match("U.S. storm") == '"U.S." "storm"'
    assert search_match('"unbalanced') == '"unbalanced'  # FTS5 reports it, as for the CLI


def test_the_canned_search_ranks_like_the_cli(archive_db: Path) -> None:
    from newsarchive.serve import DATABASE_NAME, make_datasette, metadata

    sql = metadata()["databases"][DATABASE_NAME]["queries"]["search"]["sql"]
    assert sql == canned_search_sql() and "search_match(:query)" in sql

    async def canned(query: str) -> list[int]:
        ds = make_datasette(archive_db)
        await ds.invoke_startup()
        result = await ds.get_database(DATABASE_NAME).execute(sql, {"query": query})
        return [row["id"] for row in result.rows]

    with Archive(archive_db, readonly=True) as archive:
        cli_ids = ids(archive.search("storm coast", limit=10))
        dotted = ids(archive.search("weather report.", limit=10))
    assert asyncio.run(canned("storm coast")) == cli_ids
    assert asyncio.run(canned("weather report.")) == dotted and dotted


def stored_in_order(db: Path, numbers: list[int]) -> Path:
    with Archive(db) as archive, archive.bulk():
        for number in numbers:
            title, body, section = texts(number)
            archive.store(article(number, title, body, section), run_id=None, now=T0)
    return db


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(list(range(39, -1, -1)), id="one-backfill"),
        # A backfill (newest first), then hourly runs storing what is newer, oldest first.
        pytest.param(list(range(35, -1, -1)) + [36, 37, 38, 39], id="backfill-then-hourly"),
    ],
)
def test_the_window_is_the_newest_by_publication_whatever_order_ids_came_in(
    tmp_path: Path, small_window: None, order: list[int]
) -> None:
    """A backfill stores its newest article first: its highest ids are its oldest articles.
    The window is still the newest matches by date (the id window would be the oldest)."""
    db = stored_in_order(tmp_path / "archive.db", order)
    newest = {T0 + timedelta(days=n) for n in range(40 - WINDOW, 40)}
    with Archive(db, readonly=True) as archive:
        bounded = archive.search("storm", limit=3)
        exact = archive.search("storm", limit=3, exact=True)
        ranked = archive.search("storm", limit=WINDOW)
    assert bounded.ranked_among == WINDOW
    dates = {datetime.fromisoformat(hit["published"]) for hit in ranked}
    assert dates == newest  # all of the window, and nothing older
    # Older articles say "storm" more: ranked among the newest, the best are the oldest two
    # (both say it twice; the newer of equals first).
    assert bounded[0]["published"] == "2020-02-05T00:00:00Z"
    assert set(ids(exact)).isdisjoint(ids(bounded))


def test_the_canned_search_also_ranks_the_newest_by_publication(
    tmp_path: Path, small_window: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive.archive import reading

    monkeypatch.setattr(reading, "RANK_WINDOW", WINDOW)
    db = stored_in_order(tmp_path / "archive.db", list(range(39, -1, -1)))
    from newsarchive.serve import DATABASE_NAME, make_datasette

    async def canned(query: str) -> list[int]:
        ds = make_datasette(db)
        await ds.invoke_startup()
        result = await ds.get_database(DATABASE_NAME).execute(canned_search_sql(), {"query": query})
        return [row["id"] for row in result.rows]

    with Archive(db, readonly=True) as archive:
        cli_ids = ids(archive.search("storm", limit=10))
    assert asyncio.run(canned("storm")) == cli_ids and len(cli_ids) == WINDOW


def test_date_bounds_in_a_backfill_ordered_archive(tmp_path: Path, small_window: None) -> None:
    db = stored_in_order(tmp_path / "archive.db", list(range(39, -1, -1)))
    with Archive(db, readonly=True) as archive:
        until = archive.search("storm", until="2020-01-20", limit=WINDOW)
        since = archive.search("storm", since="2020-02-05", limit=10)
    # Up to 20 January (days 0-19): ranked among the six newest of them, days 14-19.
    assert until.ranked_among == WINDOW
    assert sorted(hit["published"][:10] for hit in until) == [
        f"2020-01-{day:02d}" for day in range(15, 21)
    ]
    # Since 5 February: days 35-39, fewer than a window, so every one is ranked (exact).
    assert since.ranked_among is None and since.matches == 5
    assert min(hit["published"] for hit in since) >= "2020-02-05"
