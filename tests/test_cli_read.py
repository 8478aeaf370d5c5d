"""The read side of `newsarchive`: search, stats, history and export on a real archive file.

The archive under test is made the way users make theirs: `newsarchive crawl --full` of the
replica of novinite.com (the seed article and its neighbours), to which `Archive.store()` adds
the pages a short crawl cannot be relied on to produce (site "example": stories with known
words, an article edited twice, a body holding <script>, a run with skips, an empty day).
Every command runs through click's CliRunner (in-process, the real code) or as a subprocess;
expectations come from plain SQL on the same file, so they hold whatever the crawl stored.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from newsarchive import cli, exitcodes
from newsarchive.archive import Archive
from newsarchive.cli.export import EXPORT_COLUMNS
from newsarchive.cli.search import mark_snippet
from newsarchive.items import Article
from tests.helpers import ROOT, crawl, rows

UTC = timezone.utc
SOFIA = timezone(timedelta(hours=2))  # EET: every article here is from winter
SEED_FILE = ROOT / "tests" / "replica" / "seed-article.txt"
SEED_ID = "229777"
SEED_TITLE = "Syrian Opposition Forces Make Gains in Homs, Threatening Regime's Control"
SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")
SCRIPT_BODY = "The comment field held <script>alert(1)</script> and nothing else."
EMPTY_DAY = "2024-12-02"  # no article of site "example" was published that (UTC) day
#: The replica crawled: small, the seed article always in it, two page faults (skips).
REPLICA = {"articles": 60, "seed": 3, "eras": False, "faults": "404=1,no_date=1"}

# ----------------------------------------------------------------------------------------------
# The archive under test


def seed_article() -> Article:
    """The seed article exactly as tests/replica/seed-article.txt shows it."""
    lines = SEED_FILE.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Bulgaria: ")) + 1
    end = lines.index("Sources:")
    body = "\n\n".join(line.strip() for line in lines[start:end] if line.strip())
    sources = [
        line.strip().lstrip("•").strip().strip('"')
        for line in lines[end + 1 :]
        if line.strip().startswith("•")
    ]
    tags = next(line for line in lines if line.startswith("Tags: "))[6:].split(", ")
    published = datetime(2024, 12, 6, 9, 6, tzinfo=UTC)
    return Article(
        site="novinite",
        site_id=SEED_ID,
        url="https://www.novinite.com/articles/229777/Syrian+Opposition+Forces+Make+Gains+in"
        "+Homs%2C+Threatening+Regime%27s+Control",
        title=SEED_TITLE,
        published=published,
        published_local=published.astimezone(SOFIA),
        body=body,
        section="World",
        tags=tags,
        sources=sources,
        html=f"<html><h1>{SEED_TITLE}</h1></html>",
        fetched_at=published + timedelta(hours=1),
        status=200,
    )


# (section, subsection, title, body, tags): the seed's related articles and a few others.
STORIES = [
    (
        "World",
        None,
        "Syrian Rebels Seize Hama: A Turning Point in the Conflict",
        "Rebels entered Hama on Thursday after days of fighting. The regime's forces withdrew "
        "south along the M5 highway towards Homs.",
        ["Syria", "rebels", "Hama"],
    ),
    (
        "World",
        None,
        "Syrian Rebels Advance on Hama as Regime Forces Counterattack with Russian Air Support",
        "Russian jets struck rebel positions north of Hama. The Syrian army said it had "
        "retaken two villages.",
        ["Syria", "Russia"],
    ),
    (
        "World",
        None,
        "Syria's Rebel Offensive Gains Momentum as Iran, Russia, and Hezbollah Struggle",
        "Iran and Russia, the main backers of Assad's government, are distracted elsewhere, "
        "analysts in Beirut said.",
        ["Syria", "Iran", "Russia"],
    ),
    (
        "World",
        None,
        "Syrian Rebels Advance on Aleppo, Targeting Pro-Assad Forces and Iranian Influence",
        "The offensive began in late November in the countryside west of Aleppo. Iranian "
        "advisers left the city.",
        ["Syria", "Iran", "Aleppo"],
    ),
    (
        "World",
        "Southeast Europe",
        "Greek and Turkish Ministers Meet in Athens",
        "The ministers discussed migration through the Aegean, and refugees from Homs and "
        "Aleppo who crossed Turkey this year.",
        ["Greece", "Turkey"],
    ),
    (
        "World",
        "Ukraine",
        "U.S. Announces New Air Defence Package for Ukraine",
        "The U.S. Department of Defense said the package includes interceptors. Kyiv welcomed "
        "the decision.",
        ["Ukraine", "U.S."],
    ),
    (
        "Society",
        None,
        "Pleven Faces Water Shutdowns as Authorities Probe Management Missteps",
        "Residents of Pleven were left without water for a third day. The regional governor "
        "ordered an inspection of the water company.",
        ["Pleven", "water"],
    ),
    (
        "Politics",
        None,
        "Parliament Elects a Speaker After Seven Attempts",
        "Bulgaria's parliament elected its speaker on Wednesday. The vote ended a month of "
        "deadlock.",
        ["Parliament", "Bulgaria"],
    ),
    (
        "Business",
        None,
        "Sofia Airport Passenger Numbers Hit a Record",
        "Sofia Airport served more passengers in November than in any month before. New routes "
        "to the U.S. are planned.",
        ["Sofia Airport", "aviation"],
    ),
    (
        "Business",
        None,
        "Bulgarian Lev to Stay Pegged Until the Euro",
        "The central bank repeated that the currency board will remain until Bulgaria joins the "
        "euro area.",
        ["euro", "BNB"],
    ),
    (
        "Society",
        None,
        "Snow Closes Mountain Roads in the Rhodopes",
        "Heavy snow closed roads in the Rhodopes. Road crews worked through the night.",
        ["weather", "roads"],
    ),
    (
        "Politics",
        "Defense",
        "Bulgaria Signs Contract for Armoured Vehicles",
        "The defence ministry signed a contract for armoured vehicles. Deliveries start next year.",
        ["Defense", "Bulgaria"],
    ),
]


def story_articles() -> Iterator[Article]:
    """STORIES as articles of site "example", 11-28 to 12-05 but for EMPTY_DAY (two site ids
    never used: gaps)."""
    days = [date(2024, 11, 28) + timedelta(days=n) for n in range(8)]
    days.remove(date.fromisoformat(EMPTY_DAY))
    for index, (section, subsection, title, body, tags) in enumerate(STORIES):
        site_id = str(1000 + index + (1 if index >= 5 else 0) + (1 if index >= 9 else 0))
        day = days[index * len(days) // len(STORIES)]
        published = datetime(day.year, day.month, day.day, 7 + 5 * (index % 2), 30, tzinfo=UTC)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()
        yield Article(
            site="example",
            site_id=site_id,
            url=f"https://news.example.org/{site_id}/{slug}",
            title=title,
            published=published,
            published_local=published.astimezone(SOFIA),
            body=body,
            section=section,
            subsection=subsection,
            tags=list(tags),
            sources=["BTA"],
            html=f"<html><h1>{title}</h1></html>",
            fetched_at=published + timedelta(minutes=20),
            status=200,
        )


def example_article(site_id: str, title: str, body: str, tags: list[str], day: int) -> Article:
    published = datetime(2024, 12, day, 12, 0, tzinfo=UTC)
    return Article(
        site="example",
        site_id=site_id,
        url=f"https://news.example.org/{site_id}",
        title=title,
        published=published,
        published_local=published.astimezone(SOFIA),
        body=body,
        section="Tech",
        tags=tags,
        html=f"<html><h1>{title}</h1><p>{body}</p></html>",
        status=200,
    )


EDITED_ID = "e-1"
EDITED_TITLES = ("Storm Hits the Coast", "Storm Hits the Coast, Thousands Without Power")


def add_fixture_articles(db: Path) -> None:
    """What the archive under test holds besides the crawl (site "example"): STORIES, an
    edited article (3 versions), a body holding <script>, and a run with skips."""
    t0 = datetime(2024, 12, 7, 12, 0, tzinfo=UTC)
    with Archive(db) as archive:
        run_id = archive.start_run("example", "incremental", {"limit": None}, os.getpid(), t0)
        for article in story_articles():
            archive.store(article, run_id=run_id, now=t0)
        edits = [
            (EDITED_TITLES[0], "Wind reached 100 km/h in Varna.", ["storm"]),
            (EDITED_TITLES[0], "Wind reached 120 km/h in Varna.\n\nSchools closed.", ["storm"]),
            (
                EDITED_TITLES[1],
                "Wind reached 120 km/h in Varna.\n\nSchools closed. Power is out in 40 towns.",
                ["storm", "Varna"],
            ),
        ]
        for step, (title, body, tags) in enumerate(edits):
            article = example_article(EDITED_ID, title, body, tags, day=6)
            article.url = f"https://news.example.org/{EDITED_ID}/v{step + 1}"
            archive.store(article, run_id=run_id, now=t0 + timedelta(hours=step))
        archive.store(
            example_article("x-1", "Comment Box Test Page", SCRIPT_BODY, ["security"], day=5),
            run_id=run_id,
            now=t0,
        )
        for url, reason in (
            ("https://news.example.org/404", "http_404"),
            ("https://news.example.org/no-date", "no_date"),
            ("https://news.example.org/old-404", "http_404"),
        ):
            archive.record_skip(
                run_id=run_id, url=url, stage="download", reason=reason, detail="", at=t0
            )
        archive.finish_run(
            run_id,
            status="ok",
            finished=t0 + timedelta(minutes=1),
            requests=7,
            new=len(STORIES) + 2,
            updated=2,
            unchanged=0,
            skipped=3,
        )


def build_archive(db: Path, make_replica: Any) -> Path:
    """The archive the read-side tests use: a full crawl of the replica, then the fixture
    articles of site "example"."""
    replica = make_replica(**REPLICA)
    result = crawl(replica, db, "--full", "--since", "2024-11-01")
    assert result.returncode == 0, result.stdout + result.stderr
    add_fixture_articles(db)
    return db


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory, make_replica_module: Any) -> Path:
    return build_archive(tmp_path_factory.mktemp("read") / "archive.db", make_replica_module)


# ----------------------------------------------------------------------------------------------
# Helpers


def run(*args: str) -> Result:
    """`newsarchive ARGS…` in-process (the real command, its output captured)."""
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def search_json(db: Path, *args: str) -> list[dict[str, Any]]:
    result = run("search", "--db", str(db), "--json", "--limit", "1000", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def count(db: Path, sql: str, *params: Any) -> int:
    return int(rows(db, sql, *params)[0]["n"])


def assert_one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    text = result.output.strip()
    assert len(text.splitlines()) == 1, text
    assert text.startswith("Error: ")
    assert "Traceback" not in text
    return text


def text_of(db: Path, article_id: int) -> str:
    row = rows(db, "select title, body, tags from articles where id = ?", article_id)[0]
    return f"{row['title']}\n{row['body']}\n{row['tags']}".lower()


# ----------------------------------------------------------------------------------------------
# search


def test_search_prints_date_section_title_url_and_marked_snippet(archive_db: Path) -> None:
    result = run("search", "--db", str(archive_db), "homs")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    url = rows(archive_db, "select url from articles where site_id = ?", SEED_ID)[0]["url"]
    assert lines[0] == f"2024-12-06  World  {SEED_TITLE}"
    assert lines[1].strip() == url
    assert "[Homs]" in lines[2]
    assert "\x02" not in result.output and "\x1b[" not in result.output
    assert re.fullmatch(r"\d+ articles? found", lines[-1])


def test_search_ranks_title_matches_above_body_matches(archive_db: Path) -> None:
    hits = search_json(archive_db, "homs")
    in_title = ["homs" in hit["title"].lower() for hit in hits]
    assert in_title.count(True) >= 1 and in_title.count(False) >= 1  # the test means something
    assert in_title == sorted(in_title, reverse=True)  # every title match first
    assert hits[0]["site_id"] == SEED_ID
    assert [hit["rank"] for hit in hits] == sorted(hit["rank"] for hit in hits)


def test_search_json_is_one_object_a_line(archive_db: Path) -> None:
    result = run("search", "--db", str(archive_db), "--json", "syria")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert 1 < len(lines) <= 10
    for line in lines:
        hit = json.loads(line)
        assert {"id", "site", "site_id", "url", "title", "section", "published", "tags"} <= set(hit)
        assert re.search(r"\[[^\]]+\]", hit["snippet"]) or "syria" in hit["title"].lower()
        assert isinstance(hit["tags"], list)


@pytest.mark.parametrize(
    ("query", "holds"),
    [
        ("homs AND rebels", lambda text: "homs" in text and "rebel" in text),
        ('"M5 highway"', lambda text: "m5 highway" in text),
        ("syria NOT iran", lambda text: "syria" in text and "iran" not in text),
        ("reb*", lambda text: re.search(r"\breb", text) is not None),
        ("hama OR aleppo", lambda text: "hama" in text or "aleppo" in text),
    ],
)
def test_search_fts5_syntax(archive_db: Path, query: str, holds: Any) -> None:
    hits = search_json(archive_db, query)
    assert hits, query
    for hit in hits:
        assert holds(text_of(archive_db, hit["id"])), (query, hit["title"])


def test_search_not_excludes_what_it_names(archive_db: Path) -> None:
    with_iran = {h["site_id"] for h in search_json(archive_db, "syria AND iran")}
    without = {h["site_id"] for h in search_json(archive_db, "syria NOT iran")}
    everything = {h["site_id"] for h in search_json(archive_db, "syria")}
    assert with_iran and without
    assert with_iran.isdisjoint(without)
    assert with_iran | without == everything


@pytest.mark.parametrize(
    ("query", "must_find"),
    [("U.S.", "U.S. Announces"), ("M5", SEED_TITLE), ("Assad's", SEED_TITLE)],
)
def test_search_plain_words_with_punctuation(archive_db: Path, query: str, must_find: str) -> None:
    titles = [hit["title"] for hit in search_json(archive_db, query)]
    assert any(title.startswith(must_find) for title in titles), titles


@pytest.mark.parametrize("query", ["AND (", '"M5 highway', "NEAR(", "*", "homs AND", "(syria"])
def test_search_bad_query_is_one_line_and_exit_2(archive_db: Path, query: str) -> None:
    result = CliRunner().invoke(cli.main, ["search", "--db", str(archive_db), query])
    text = assert_one_line_error(result, 2)
    assert "query" in text
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_snippet_shows_its_match_marked(archive_db: Path) -> None:
    """A hit by its title or tags alone shows that column's passage, marked; never the body's
    opening with no mark (as `reb*` did)."""
    for query in ("reb*", "homs", "syria"):
        hits = search_json(archive_db, query)
        assert hits, query
        for hit in hits:
            assert "[" in hit["snippet"] and "]" in hit["snippet"], (query, hit["snippet"])


def test_search_no_hits_says_so_and_exits_0(archive_db: Path) -> None:
    result = run("search", "--db", str(archive_db), "zanzibarquux")
    assert result.exit_code == 0
    assert result.output.strip() == "No article matches: zanzibarquux"
    quiet = run("search", "--db", str(archive_db), "--json", "zanzibarquux")
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_search_filters(archive_db: Path) -> None:
    everything = search_json(archive_db, "syria OR storm OR comment")
    assert {hit["site"] for hit in everything} == {"novinite", "example"}
    only = search_json(archive_db, "syria OR storm OR comment", "--site", "example")
    assert only and {hit["site"] for hit in only} == {"example"}
    assert len(only) < len(everything)

    world = search_json(archive_db, "homs", "--section", "world")  # any casing
    assert world and all(hit["section"] == "World" for hit in world)
    assert len(world) < len(search_json(archive_db, "homs")) or all(
        hit["section"] == "World" for hit in search_json(archive_db, "homs")
    )

    tagged = search_json(archive_db, "syria", "--tag", "IRAN")
    assert tagged and all("iran" in [t.lower() for t in hit["tags"]] for hit in tagged)
    assert len(tagged) < len(search_json(archive_db, "syria"))

    window = search_json(archive_db, "syria", "--since", "2024-11-29", "--until", "2024-12-05")
    assert window and all("2024-11-29" <= hit["published"][:10] <= "2024-12-05" for hit in window)
    assert len(window) < len(search_json(archive_db, "syria"))

    limited = run("search", "--db", str(archive_db), "syria", "--limit", "1")
    assert limited.output.count("\n    http") == 1
    assert "(the best 1; --limit for more)" in limited.output


def test_search_bad_options_are_usage_errors(archive_db: Path) -> None:
    for args in (
        ["--since", "2024-13-01"],
        ["--limit", "0"],
        ["--since", "2024-12-05", "--until", "2024-12-01"],
    ):
        result = CliRunner().invoke(cli.main, ["search", "--db", str(archive_db), "homs", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_search_marks_matches_bold_on_a_terminal() -> None:
    snippet = "rebels near \x02Homs\x03 on the\n\n\x02M5\x03"
    assert mark_snippet(snippet, terminal=False) == "rebels near [Homs] on the [M5]"
    bold = mark_snippet(snippet, terminal=True)
    assert "\x1b[1mHoms\x1b[0m" in bold and "[Homs]" not in bold


def test_search_finds_what_sqlite_utils_finds(archive_db: Path) -> None:
    for query in ("homs", "rebels", '"M5 highway"', "syria NOT iran"):
        ours = {hit["id"] for hit in search_json(archive_db, query)}
        done = subprocess.run(
            [str(SQLITE_UTILS), "search", str(archive_db), "articles", query, "-c", "id"],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = {row["id"] for row in json.loads(done.stdout)}
        assert ours and ours == theirs, query


def test_read_commands_work_while_a_crawl_writes(archive_db: Path) -> None:
    writer = sqlite3.connect(archive_db, isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "UPDATE articles SET title = 'Locked title about homs' WHERE site_id = ?", (SEED_ID,)
        )
        started = time.monotonic()
        hits = search_json(archive_db, "homs")
        assert hits[0]["title"] == SEED_TITLE  # the uncommitted change is not seen
        assert run("stats", "--db", str(archive_db), "--json").exit_code == 0
        assert run("export", "--db", str(archive_db)).exit_code == 0
        assert run("history", "--db", str(archive_db), SEED_ID).exit_code == 0
        assert time.monotonic() - started < 10  # nobody waited for the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_missing_or_foreign_file_exits_5(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.db"
    foreign.write_text("not a database at all\n" * 10)
    commands = (["search", "homs"], ["stats"], ["history", "1"], ["export", "--format", "csv"])
    for command in commands:
        for db in (tmp_path / "missing.db", foreign):
            result = CliRunner().invoke(cli.main, [command[0], "--db", str(db), *command[1:]])
            text = assert_one_line_error(result, 5)
            assert str(db) in text
    assert not (tmp_path / "missing.db").exists()  # reading never creates an archive


# ----------------------------------------------------------------------------------------------
# stats


def expected_empty_days(db: Path, site: str) -> list[str]:
    days = [
        r["day"]
        for r in rows(
            db,
            "select distinct substr(published, 1, 10) as day from articles where site = ? "
            "order by day",
            site,
        )
    ]
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    every = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return [day for day in every if day not in days]


def test_stats_json_matches_the_archive(archive_db: Path) -> None:
    result = run("stats", "--db", str(archive_db), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["articles"] == count(archive_db, "select count(*) as n from articles")
    per_site = {
        r["site"]: r["n"]
        for r in rows(archive_db, "select site, count(*) as n from articles group by site")
    }
    assert {s["site"]: s["articles"] for s in data["sites"]} == per_site
    for site in data["sites"]:
        assert site["empty_days"] == expected_empty_days(archive_db, site["site"])
    example = next(s for s in data["sites"] if s["site"] == "example")
    assert EMPTY_DAY in example["empty_days"]
    assert example["id_gaps"] == 2
    sections = {(s["site"], s["section"]): s["articles"] for s in data["sections"]}
    assert sections == {
        (r["site"], r["section"]): r["n"]
        for r in rows(
            archive_db, "select site, section, count(*) as n from articles group by site, section"
        )
    }
    assert sum(m["articles"] for m in data["months"]) == data["articles"]
    skips = {s["reason"]: s["count"] for s in data["skips"]}
    assert skips == {
        r["reason"]: r["n"]
        for r in rows(archive_db, "select reason, count(*) as n from skips group by reason")
    }
    assert skips.get("http_404", 0) >= 2 and skips.get("no_date", 0) >= 1
    assert [r["id"] for r in data["runs"]] == [
        r["id"] for r in rows(archive_db, "select id from runs order by started desc, id desc")
    ]
    assert {r["status"] for r in data["runs"]} == {"ok"}
    assert data["versions"] == count(archive_db, "select count(*) as n from article_versions")
    assert data["versions"] >= 2


def test_stats_human_tables(archive_db: Path) -> None:
    result = run("stats", "--db", str(archive_db))
    assert result.exit_code == 0
    out = result.output
    for heading in (
        "Sites",
        "Sections",
        "Articles per month",
        "Days without articles (novinite)",
        "Last runs",
        "Skipped pages by reason",
    ):
        assert re.search(rf"^{re.escape(heading)}", out, re.M), heading
    assert re.search(r"^novinite\s+World\s+\d+\s+20\d\d-", out, re.M)
    http_404 = count(archive_db, "select count(*) as n from skips where reason = 'http_404'")
    assert re.search(rf"^http_404\s+{http_404}$", out, re.M)
    example_days = out.split("Days without articles (example)")[1].split("\n\n")[0]
    assert f"  {EMPTY_DAY}  (1 day)" in example_days
    assert re.search(r"^\s*\d+\s+2024-12-07T12:00:00Z\s+2024-12-07T12:0\dZ?\S*\s+ok\s", out, re.M)
    assert "{" not in out  # tables, not JSON


# ----------------------------------------------------------------------------------------------
# history


def test_history_shows_every_version_with_diffs(archive_db: Path) -> None:
    result = run("history", "--db", str(archive_db), f"example:{EDITED_ID}")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0] == EDITED_TITLES[1]
    assert "3 versions" in out
    assert re.search(r"^version 1 .* " + re.escape(EDITED_TITLES[0]) + "$", out, re.M)
    assert re.search(r"^version 3 .* now \(current\)", out, re.M)
    assert "--- version 1" in out and "+++ version 2" in out
    assert "--- version 2" in out and "+++ version 3" in out
    assert "-Wind reached 100 km/h in Varna." in out
    assert "+Wind reached 120 km/h in Varna." in out
    assert f"-title: {EDITED_TITLES[0]}" in out and f"+title: {EDITED_TITLES[1]}" in out
    assert "-tags: storm" in out and "+tags: storm, Varna" in out
    first_diff = out.split("+++ version 2")[1].split("--- version 2")[0]
    assert "title:" not in first_diff.replace(" title: ", "")  # v1 → v2: the title did not change


def test_history_by_url_and_archive_id(archive_db: Path) -> None:
    article_id = rows(archive_db, "select id from articles where site_id = ?", EDITED_ID)[0]["id"]
    by_name = run("history", "--db", str(archive_db), f"example:{EDITED_ID}").output
    for ref in (f"https://news.example.org/{EDITED_ID}/v1", f"id:{article_id}"):
        result = run("history", "--db", str(archive_db), ref)
        assert result.exit_code == 0, (ref, result.output)
        assert result.output == by_name


def test_history_by_the_sites_url_and_by_a_mirrors_url_of_it(archive_db: Path) -> None:
    """The archive keeps the site's own URL (the crawl went through the replica); `history`
    finds the article by it and by the same page's address on a mirror or the replica."""
    url = rows(archive_db, "select url from articles where site_id = ?", SEED_ID)[0]["url"]
    assert url.startswith("https://www.novinite.com/articles/229777/")
    by_id = run("history", "--db", str(archive_db), SEED_ID).output
    mirror = url.replace("https://www.novinite.com/", "http://127.0.0.1:8000/")
    for ref in (url, mirror):
        result = run("history", "--db", str(archive_db), ref)
        assert result.exit_code == 0, (ref, result.output)
        assert result.output == by_id


def test_history_by_the_sites_other_url_forms_on_the_site_or_a_mirror(archive_db: Path) -> None:
    """novinite also serves an article at ``/view_news.php?id=N``: `history` finds it by that
    form too, on the site's host or a mirror's; an id the archive lacks is still exit 1."""
    by_id = run("history", "--db", str(archive_db), SEED_ID).output
    for ref in (
        f"http://127.0.0.1:8000/view_news.php?id={SEED_ID}",
        f"https://www.novinite.com/view_news.php?id={SEED_ID}&disable_mobile=true",
    ):
        result = run("history", "--db", str(archive_db), ref)
        assert result.exit_code == 0, (ref, result.output)
        assert result.output == by_id
    missing = run("history", "--db", str(archive_db), "http://127.0.0.1:8000/view_news.php?id=1")
    assert missing.exit_code == exitcodes.FAILED and "no article" in missing.output
    other = run("history", "--db", str(archive_db), "--site", "example",
                f"http://127.0.0.1:8000/view_news.php?id={SEED_ID}")  # fmt: skip
    assert other.exit_code == exitcodes.FAILED


def test_history_of_an_article_never_edited(archive_db: Path) -> None:
    result = run("history", "--db", str(archive_db), SEED_ID)
    assert result.exit_code == 0
    assert "1 version, never edited" in result.output
    assert "---" not in result.output


def test_history_of_an_unknown_article_exits_1(archive_db: Path) -> None:
    for ref in ("999999999", "https://www.novinite.com/articles/1/nothing", "nosuchsite:1"):
        result = CliRunner().invoke(cli.main, ["history", "--db", str(archive_db), ref])
        text = assert_one_line_error(result, 1)
        assert "no article" in text


# ----------------------------------------------------------------------------------------------
# export


def test_export_jsonl_streams_every_article_oldest_first(archive_db: Path) -> None:
    result = run("export", "--db", str(archive_db))
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == rows(archive_db, "select count(*) as n from articles")[0]["n"]
    assert [r["published"] for r in records] == sorted(r["published"] for r in records)
    seed = next(r for r in records if r["site_id"] == SEED_ID)
    assert seed["title"] == SEED_TITLE and "Homs" in seed["tags"]
    assert seed["body"] == seed_article().body


def test_export_csv_with_dates_to_a_file(archive_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "december.csv"
    target.parent.mkdir()
    result = run(
        "export",
        "--db",
        str(archive_db),
        "--format",
        "csv",
        "--since",
        "2024-12-03",
        "--until",
        "2024-12-06",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    with target.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    expected = rows(
        archive_db,
        "select id from articles where published >= '2024-12-03' and published < '2024-12-07'",
    )
    assert sorted(int(r["id"]) for r in records) == sorted(r["id"] for r in expected)
    assert result.stderr.strip() == f"exported {len(records)} articles to {target}"
    assert result.stdout == ""
    seed = next(r for r in records if r["site_id"] == SEED_ID)
    assert json.loads(seed["tags"]) == seed_article().tags
    assert "\n\n" in seed["body"]  # paragraphs survive the CSV round trip
    assert list(target.parent.iterdir()) == [target]  # no partial file left behind


def test_export_to_an_unwritable_place_is_one_line(archive_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli.main, ["export", "--db", str(archive_db), "-o", str(tmp_path / "nodir" / "x.jsonl")]
    )
    assert_one_line_error(result, 1)


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """6000 articles of about 3 KB (plain SQL, fast), for the memory and pipe tests."""
    db = tmp_path_factory.mktemp("big") / "big.db"
    Archive(db).close()
    paragraph = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod. " * 40
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
            "INSERT INTO articles (site, site_id, url, title, published, body, tags, sources, "
            "version) SELECT 'bulk', i, 'https://bulk.example/' || i, 'Bulk article ' || i, "
            "strftime('%Y-%m-%dT%H:%M:%SZ', '2020-01-01', '+' || i || ' hours'), "
            "? || i, '[\"bulk\"]', '[]', 1 FROM n",
            (paragraph,),
        )
    conn.close()
    return db, 6000 * len(paragraph)


def test_export_memory_stays_flat(big_archive: tuple[Path, int], tmp_path: Path) -> None:
    db, total = big_archive
    target = tmp_path / "all.jsonl"
    tracemalloc.start()
    try:
        result = run("export", "--db", str(db), "-o", str(target))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0
    assert target.stat().st_size > total  # everything was written …
    assert peak < total / 3  # … without holding it all


def test_export_into_a_closed_pipe_is_quiet(big_archive: tuple[Path, int]) -> None:
    db, _ = big_archive
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", "export", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # like `| head -1`
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert json.loads(first)["site"] == "bulk"
    assert "Traceback" not in stderr


def test_csv_export_reads_back_like_jsonl(archive_db: Path) -> None:
    jsonl = [
        json.loads(line) for line in run("export", "--db", str(archive_db)).stdout.splitlines()
    ]
    table = list(
        csv.DictReader(
            io.StringIO(run("export", "--db", str(archive_db), "--format", "csv").stdout)
        )
    )
    assert [r["title"] for r in table] == [r["title"] for r in jsonl]
    assert list(table[0]) == list(EXPORT_COLUMNS)
