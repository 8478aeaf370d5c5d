"""Many sites in one run (issue 13): `newsarchive crawl` with no SITE crawls every known site
concurrently in one process into one archive, one `runs` row and one summary line per site; a
dead site does not stop the others (exit 1), all dead is exit 4; one lock for the whole run.

Two replicas of novinite stand for two sites: the module site `novinite` (its root moved to
the first replica by the sites file) and a profile site `mirror` on the second, crawled by a
test spider (`tests.profile_spider`) in the place of the generic spider.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive import exitcodes, lock
from tests.helpers import articles, rows, run_cli
from tests.profile_spider import PATH as PROFILE_SPIDER


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sites_toml(tmp_path: Path, novinite: str, mirror: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(
        f'[sites.novinite]\nurl = "{novinite}"\n\n'
        f'[sites.mirror]\nurl = "{mirror}"\ntimezone = "UTC"\ndelay = 0\n',
        "utf-8",
    )
    return path


def crawl_all(tmp_path: Path, sites: Path, *extra: str, now: str):
    db = tmp_path / "archive.db"
    return run_cli(
        "crawl", "--sites", str(sites), "--db", str(db), "--delay", "0", "--concurrency", "16",
        "--timeout", "3", "--log-file", str(tmp_path / "crawl.log"), *extra,
        now=now, NEWSARCHIVE_PROFILE_SPIDER=PROFILE_SPIDER,
    )  # fmt: skip


@pytest.fixture(scope="module")
def two(make_replica_module):
    return make_replica_module(articles=40, seed=3), make_replica_module(articles=30, seed=4)


def live(replica) -> set[str]:
    return {t["site_id"] for t in replica.truth() if not t.get("skip")}


@pytest.fixture(scope="module")
def both(two, tmp_path_factory):
    """An archive of both sites from one run: (its folder, the sites file, the run's result)."""
    first, second = two
    tmp_path = tmp_path_factory.mktemp("both")
    sites = sites_toml(tmp_path, first.url, second.url)
    return tmp_path, sites, crawl_all(tmp_path, sites, now=first.now())


def test_two_sites_in_one_run_both_complete_into_one_archive(two, both):
    first, second = two
    tmp_path, sites, done = both
    assert done.returncode == 0, done.stdout + done.stderr
    summary = sorted(done.stdout.strip().splitlines())
    assert [line.split(":")[0] for line in summary] == ["mirror", "novinite"]
    db = tmp_path / "archive.db"
    runs = rows(db, "select site, status, pid, started, finished from runs order by site")
    assert [(r["site"], r["status"]) for r in runs] == [("mirror", "ok"), ("novinite", "ok")]
    assert runs[0]["pid"] == runs[1]["pid"]  # one process
    assert runs[0]["started"] <= runs[1]["finished"] and runs[1]["started"] <= runs[0]["finished"]
    by_site = {
        site: {r["site_id"] for r in rows(db, "select site_id from articles where site = ?", site)}
        for site in ("novinite", "mirror")
    }
    assert by_site["novinite"] == live(first)
    assert by_site["mirror"] == live(second)
    assert len(articles(db)) >= max(len(live(first)), len(live(second)))
    # the next run: both sites again, one new runs row each, nothing new
    again = crawl_all(tmp_path, sites, now=first.now())
    assert again.returncode == 0, again.stderr
    assert [r["site"] for r in rows(db, "select site from runs where id > 2 order by site")] == ["mirror", "novinite"]
    assert all(" 0 new, 0 updated" in line for line in again.stdout.strip().splitlines())


def test_stats_search_history_and_export_work_across_sites_and_per_site(two, both):
    import json

    tmp_path, _, done = both
    assert done.returncode == 0
    db = str(tmp_path / "archive.db")
    whole = json.loads(run_cli("stats", "--db", db, "--json").stdout)
    assert [s["site"] for s in whole["sites"]] == ["mirror", "novinite"]
    mirror = json.loads(run_cli("stats", "--db", db, "--json", "--site", "mirror").stdout)
    assert [s["site"] for s in mirror["sites"]] == ["mirror"]
    assert mirror["articles"] == whole["sites"][0]["articles"] < whole["articles"]
    assert {r["site"] for r in mirror["runs"]} == {"mirror"}
    assert {s["site"] for s in mirror["sections"]} == {"mirror"}
    exported = run_cli("export", "--db", db, "--site", "novinite").stdout.splitlines()
    assert {json.loads(line)["site"] for line in exported} == {"novinite"}
    assert len(exported) == whole["sites"][1]["articles"]
    found = [json.loads(x) for x in run_cli("search", "the", "--db", db, "--json", "--limit", "100", "--site", "mirror").stdout.splitlines()]
    assert found and {f["site"] for f in found} == {"mirror"}
    site_id = rows(tmp_path / "archive.db", "select site_id from articles where site = 'mirror' limit 1")[0]["site_id"]
    shown = run_cli("history", site_id, "--db", db, "--site", "mirror")
    assert shown.returncode == 0 and f"mirror {site_id} " in shown.stdout
    url = rows(tmp_path / "archive.db", "select url from articles where site = 'mirror' limit 1")[0]["url"]
    other = run_cli("history", url, "--db", db, "--site", "nosuch")
    assert other.returncode == exitcodes.FAILED and "not of nosuch" in other.stderr


def test_one_dead_site_does_not_stop_the_other(two, tmp_path):
    first, _ = two
    dead = f"http://127.0.0.1:{free_port()}/"
    done = crawl_all(tmp_path, sites_toml(tmp_path, first.url, dead), now=first.now())
    assert done.returncode == exitcodes.FAILED, done.stdout + done.stderr
    db = tmp_path / "archive.db"
    runs = {r["site"]: r for r in rows(db, "select * from runs")}
    assert runs["novinite"]["status"] == "ok" and runs["mirror"]["status"] == "failed"
    assert "could not be reached" in runs["mirror"]["error"]
    stored = {r["site_id"] for r in rows(db, "select site_id from articles where site = 'novinite'")}
    assert stored == live(first)
    assert rows(db, "select count(*) n from articles where site = 'mirror'")[0]["n"] == 0
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2 and any(ln.startswith("mirror:") and "could not be reached" in ln for ln in lines)


def test_every_site_dead_is_exit_4(two, tmp_path):
    first, _ = two
    sites = sites_toml(tmp_path, f"http://127.0.0.1:{free_port()}/", f"http://127.0.0.1:{free_port()}/")
    done = crawl_all(tmp_path, sites, now=first.now())
    assert done.returncode == exitcodes.UNREACHABLE, done.stdout + done.stderr
    runs = rows(tmp_path / "archive.db", "select site, status from runs order by site")
    assert runs == [{"site": "mirror", "status": "failed"}, {"site": "novinite", "status": "failed"}]


def test_some_sites_by_name(two, tmp_path):
    first, second = two
    done = crawl_all(tmp_path, sites_toml(tmp_path, first.url, second.url), "mirror", now=first.now())
    assert done.returncode == 0, done.stderr
    assert [r["site"] for r in rows(tmp_path / "archive.db", "select site from runs")] == ["mirror"]
    one_root = crawl_all(
        tmp_path, sites_toml(tmp_path, first.url, second.url), "novinite", "--base-url", second.url,
        now=first.now(),
    )  # fmt: skip
    assert one_root.returncode == 0, one_root.stderr
    run = rows(tmp_path / "archive.db", "select site, args from runs order by id desc limit 1")[0]
    assert run["site"] == "novinite" and second.url.rstrip("/") in run["args"]


def test_the_whole_run_takes_the_lock_once_before_any_site(two, tmp_path):
    first, second = two
    db = tmp_path / "archive.db"
    sites = sites_toml(tmp_path, first.url, second.url)
    with lock.held(db):
        refused = crawl_all(tmp_path, sites, now=first.now())
    assert refused.returncode == exitcodes.LOCKED, refused.stdout + refused.stderr
    assert refused.stdout == "" and refused.stderr.count("Error: ") == 1
    assert db.stat().st_size == 0  # nothing was written: no site's run started


def test_several_sites_on_a_terminal_share_one_progress_display(two, tmp_path):
    """rich allows one live display at a time: each site is a line of one display, and the
    run ends with a summary line per site, no traceback."""
    import os
    import pty
    import subprocess
    import sys

    from tests.helpers import ROOT, cli_env, drain_terminal

    first, second = two
    sites = sites_toml(tmp_path, first.url, second.url)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", "crawl", "--sites", str(sites),
         "--db", str(tmp_path / "archive.db"), "--delay", "0", "--concurrency", "16",
         "--log-file", str(tmp_path / "crawl.log")],
        cwd=ROOT, env=cli_env(first.now(), NEWSARCHIVE_PROFILE_SPIDER=PROFILE_SPIDER),
        stdin=subprocess.DEVNULL, stdout=child, stderr=child,
    )  # fmt: skip
    os.close(child)
    shown = drain_terminal(main).decode("utf-8", "replace")
    assert proc.wait(timeout=120) == 0, shown
    assert "Traceback" not in shown and "LiveError" not in shown
    assert "mirror: " in shown and "novinite: " in shown
    log = (tmp_path / "crawl.log").read_text("utf-8")
    assert "LiveError" not in log and "Traceback" not in log
