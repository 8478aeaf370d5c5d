"""The soak: two simulated days of hourly cron runs against a replica that misbehaves.

A backfill, then 48 runs of `newsarchive crawl -q`, one per simulated hour (NEWSARCHIVE_NOW
follows the replica's clock), while the replica publishes about 18 articles a day, edits some,
answers 5 % of article requests with a 500, keeps one page too slow for the timeout, one
truncated, one 404, one behind 503 + Retry-After, and is dead for three of the runs. At the
end the archive is exactly truth.jsonl, every text it ever held is kept as a version, and the
runs table tells the story — the way a cron user finds it after two days of silence.
"""

from __future__ import annotations

import random
from collections import defaultdict

from tests.helpers import archive_problems, compare_to_truth, crawl, rows, run_cli, scalar
from tests.replica.process import Replica

RUNS = 48
#: Runs during which the site is dead (every connection dropped): two in a row, and one alone.
DEAD = {17, 18, 31}
#: Edits stop after this many hours: an edit is caught within one step of the back-off
#: schedule (at most a day) or at once when its new title is in a listing the run reads.
EDIT_HOURS = 24
FAULTS = "slow=1,truncated=1,404=1,retry_after=1,rate500=0.05,slow_seconds=3"
#: The download timeout of every run: the slow page (3 s) always times out, a loaded machine
#: answering a normal page in time is not in doubt.
TIMEOUT = "1.5"


def test_48_hourly_runs_against_a_failing_site_keep_exactly_the_truth(tmp_path):
    replica = Replica(articles=120, seed=59, eras=False, faults=FAULTS)
    try:
        soak(replica, tmp_path)
    finally:
        replica.stop()


def soak(replica: Replica, tmp_path) -> None:
    db = tmp_path / "archive.db"
    first = crawl(replica, db, "-q", "--full", "--since", "2024-11-01", "--timeout", TIMEOUT)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    rng = random.Random(59)
    seen: dict[str, dict[int, str]] = defaultdict(dict)  # site_id → version → content_hash
    expected_status = ["ok"]
    edited: set[str] = set()
    published = 0
    for hour in range(1, RUNS + 1):
        publish = rng.choices([0, 1, 2], weights=[45, 35, 20])[0]  # ~0.75 an hour, 18 a day
        edit = 1 if hour <= EDIT_HOURS and rng.random() < 0.25 else 0
        change = replica.advance(hours=1, publish=publish, edit=edit)
        published += len(change["published"])
        edited.update(map(str, change["edited"]))
        dead = hour in DEAD
        if dead:
            replica.set_faults("dead=1")
        result = crawl(replica, db, "-q", "--timeout", TIMEOUT)
        if dead:
            replica.set_faults("dead=0")
            # cron mails exactly one line: the failure
            assert result.returncode == 4, (hour, result.stdout, result.stderr)
            assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
            assert "could not be reached" in result.stderr
            expected_status.append("failed")
        else:
            assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), hour
            expected_status.append("ok")
        for row in rows(db, "select site_id, version, content_hash from articles"):
            known = seen[row["site_id"]].setdefault(row["version"], row["content_hash"])
            assert known == row["content_hash"], f"hour {hour}: {row['site_id']} rewritten in place"

    assert published >= 30 and len(edited) >= 4  # the soak did publish and edit
    served = replica.stats()  # ... and the faults did happen
    assert served["statuses"].get("500", 0) >= 10, served
    assert served["statuses"].get("503", 0) >= 2 and served["dropped"] >= 30, served
    truth = replica.truth()
    # Every article exactly once, with its latest text.
    assert compare_to_truth(db, truth) == []
    counts = rows(db, "select count(*) n, count(distinct site_id) d from articles")[0]
    assert counts["n"] == counts["d"] == len([t for t in truth if not t.get("skip")])
    # Every text the archive ever held is kept: each version seen in a run is either the
    # current row or in article_versions, with the same content hash.
    stored = {
        (r["site_id"], r["version"]): r["content_hash"]
        for r in rows(
            db,
            "select a.site_id, v.version, v.content_hash from article_versions v "
            "join articles a on a.id = v.article_id union all "
            "select site_id, version, content_hash from articles",
        )
    }
    for site_id, versions in seen.items():
        for version, digest in versions.items():
            assert stored.get((site_id, version)) == digest, (site_id, version)
    # Edits: the archive has at least the edits it could see, never more than were made,
    # and article_versions is exactly 1..version-1 (check() below) for every article.
    by_id = {t["site_id"]: t for t in truth}
    for site_id in edited:
        current = rows(db, "select version, title from articles where site_id = ?", site_id)[0]
        assert 2 <= current["version"] <= by_id[site_id]["version"], site_id
        titles = [
            r["title"]
            for r in rows(
                db,
                "select v.title from article_versions v join articles a on a.id = v.article_id "
                "where a.site_id = ? order by v.version",
                site_id,
            )
        ]
        assert "(UPDATED" not in titles[0] and len(set(titles + [current["title"]])) == len(
            titles
        ) + 1, titles
    never_edited = [t["site_id"] for t in truth if t["version"] == 1 and not t.get("skip")]
    assert scalar(
        db,
        f"select count(*) from articles where version != 1 and site_id in "
        f"({','.join('?' * len(never_edited))})",
        *never_edited,
    ) == 0
    # Broken pages are counted skips with their reason, never articles (while the site was
    # dead, whatever was asked for got no answer at all).
    dead_runs = [hour + 1 for hour in DEAD]  # run 1 is the backfill
    marks = ",".join("?" * len(dead_runs))
    for t in truth:
        if t.get("skip"):
            reasons = {
                r["reason"]
                for r in rows(
                    db,
                    f"select reason from skips where site_id = ? and run_id not in ({marks})",
                    t["site_id"],
                    *dead_runs,
                )
            }
            assert reasons == {t["skip"]}, (t["site_id"], t["skip"], reasons)
    assert {
        r["reason"] for r in rows(db, f"select reason from skips where run_id in ({marks})", *dead_runs)
    } <= {"no_answer"}
    # The runs table tells the story: a run per hour, ok, or failed while the site was dead.
    runs = rows(db, "select status, error, mode from runs order by id")
    assert [r["status"] for r in runs] == expected_status
    for hour in DEAD:
        assert "could not be reached" in runs[hour]["error"]
    assert scalar(db, "select value from site_state where key = 'coverage'") == replica.now()
    # A quiet hour costs a handful of requests, not a re-crawl.
    requests = sorted(r["requests"] for r in rows(db, "select requests from runs where id > 1 and status = 'ok'"))
    assert requests[len(requests) // 2] <= 15, requests
    assert archive_problems(db) == []
    check = run_cli("check", "--db", str(db))
    assert check.returncode == 0, check.stdout + check.stderr
