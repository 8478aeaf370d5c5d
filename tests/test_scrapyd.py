"""Deployed unchanged to Scrapyd (DESIGN, "Beyond one machine"): a real Scrapyd on a free port,
the project deployed with `scrapyd-deploy`, crawls of the replica scheduled through
``schedule.json`` and followed through ``listjobs.json``, with the same archive, lock and runs
rows as `newsarchive crawl`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil
import pytest

from tests.helpers import (
    ROOT,
    archive_problems,
    cli_env,
    compare_to_truth,
    rows,
    scalar,
    stored_differences,
    wait_for,
)
from tests.replica.process import Replica

#: What a clone holds that the egg is built from (pyproject.toml's packages and its readme).
PROJECT_FILES = ("scrapy.cfg", "pyproject.toml", "README.md")
PROJECT_PACKAGES = ("newsarchive", "spiders", "pipelines")
#: Politeness off, as `crawl --delay 0 --concurrency 16` sets it.
FAST = ("DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "AUTOTHROTTLE_ENABLED=0")
#: A crawl slow enough to still be running when a second job starts and ends.
SLOW = ("DOWNLOAD_DELAY=0.2", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "AUTOTHROTTLE_ENABLED=0")
JOB_TIMEOUT = 180.0


@dataclass
class Scrapyd:
    """A Scrapyd process started by the tests, and its JSON API."""

    url: str
    home: Path
    proc: subprocess.Popen[bytes]

    def get(self, name: str, **params: str) -> Any:
        query = f"?{urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{name}{query}", timeout=30) as answer:
            return json.loads(answer.read())

    def post(self, name: str, fields: list[tuple[str, str]]) -> Any:
        request = urllib.request.Request(f"{self.url}{name}", data=urlencode(fields).encode())
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())

    def status(self) -> dict[str, Any] | None:
        """daemonstatus.json, or None while Scrapyd does not answer yet."""
        if self.proc.poll() is not None:
            raise AssertionError(f"scrapyd exited {self.proc.returncode}: {self.log()[-2000:]}")
        try:
            return dict(self.get("daemonstatus.json"))
        except OSError:
            return None

    def schedule(self, db: Path, *settings: str, **args: str) -> str:
        """Schedule a crawl of the novinite spider into `db`; returns the job id."""
        fields = [("project", "newsarchive"), ("spider", "novinite"), *args.items()]
        fields += [("setting", s) for s in (f"NEWSARCHIVE_DB={db}", *settings)]
        answer = self.post("schedule.json", fields)
        assert answer["status"] == "ok", answer
        return str(answer["jobid"])

    def state(self, job: str) -> str | None:
        """``pending``, ``running`` or ``finished`` for the job, as listjobs.json says."""
        jobs = self.get("listjobs.json", project="newsarchive")
        for state in ("pending", "running", "finished"):
            if any(j["id"] == job for j in jobs[state]):
                return state
        return None

    def finished(self, job: str, timeout: float = JOB_TIMEOUT) -> None:
        wait_for(lambda: self.state(job) == "finished", timeout, f"job {job} to finish", 0.1)

    def job_log(self, job: str) -> str:
        return (self.home / "logs" / "newsarchive" / "novinite" / f"{job}.log").read_text()

    def log(self) -> str:
        path = self.home / "scrapyd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """End Scrapyd and its job processes (its own process group)."""
        try:
            parent = psutil.Process(self.proc.pid)
            family = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            _, alive = psutil.wait_procs(family, timeout=10)
            if not alive:
                break
        self.proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_scrapyd(home: Path, now: str) -> Scrapyd:
    """Scrapyd with its own directories in `home`, reading ./scrapyd.conf from there, with the
    replica's clock in its environment (its jobs inherit it)."""
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "jobs_dir =\n"
        "poll_interval = 0.2\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd", "--logfile", str(home / "scrapyd.log")],
        cwd=home,
        env=cli_env(now),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group with its jobs: stopped together
    )
    scrapyd = Scrapyd(f"http://127.0.0.1:{port}/", home, proc)
    try:
        wait_for(scrapyd.status, timeout=60, what="scrapyd to answer", interval=0.1)
    except BaseException:
        scrapyd.stop()
        raise
    return scrapyd


def deploy(scrapyd: Scrapyd, clone: Path) -> subprocess.CompletedProcess[str]:
    """`scrapyd-deploy test` from a copy of the project whose scrapy.cfg gains a target for
    this Scrapyd (scrapyd-deploy writes setup.py and build/ where it runs: not in the repo)."""
    clone.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, clone / name)
    for name in PROJECT_PACKAGES:
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    with (clone / "scrapy.cfg").open("a") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {scrapyd.url}\n")
    return subprocess.run(
        [str(Path(sys.executable).parent / "scrapyd-deploy"), "test"],
        cwd=clone,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@dataclass
class Node:
    scrapyd: Scrapyd
    replica: Replica
    deployed: subprocess.CompletedProcess[str]
    deploy_seconds: float


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A replica, and a Scrapyd at its clock with the project deployed to it."""
    base = tmp_path_factory.mktemp("scrapyd")
    replica = Replica(articles=120, seed=19, eras=False)
    scrapyd = None
    try:
        scrapyd = start_scrapyd(base / "scrapyd", replica.now())
        clock = time.monotonic()
        deployed = deploy(scrapyd, base / "clone")
        yield Node(scrapyd, replica, deployed, time.monotonic() - clock)
    finally:
        if scrapyd is not None:
            scrapyd.stop()
        replica.stop()


def test_scrapyd_deploy_uploads_the_project_as_it_is(node):
    assert node.deployed.returncode == 0, node.deployed.stderr[-3000:]
    answer = json.loads(node.deployed.stdout)
    assert answer["status"] == "ok" and answer["project"] == "newsarchive", answer
    assert node.scrapyd.get("listspiders.json", project="newsarchive")["spiders"] == ["generic", "novinite"]
    (egg,) = (node.scrapyd.home / "eggs" / "newsarchive").glob("*.egg")
    with zipfile.ZipFile(egg) as packed:
        names = set(packed.namelist())
        entry_points = packed.read("EGG-INFO/entry_points.txt").decode()
    assert "settings = newsarchive.settings" in entry_points
    assert {"newsarchive/datasette/metadata.json", "spiders/novinite/spider.py"} <= names
    assert "spiders/generic/spider.py" in names  # profile sites: -a site=NAME or -a url=ROOT
    assert "pipelines/store.py" in names and not any(n.startswith("tests/") for n in names)
    print(f"scrapyd-deploy: {node.deploy_seconds:.1f} s")


def test_a_crawl_scheduled_through_scrapyd_writes_the_archive(node, tmp_path):
    assert node.deployed.returncode == 0, node.deployed.stderr[-3000:]
    db = tmp_path / "node.db"
    clock = time.monotonic()
    job = node.scrapyd.schedule(db, *FAST, base_url=node.replica.url, full="1", since="2024-11-01")
    node.scrapyd.finished(job)
    print(f"schedule.json -> finished: {time.monotonic() - clock:.1f} s")
    assert compare_to_truth(db, node.replica.truth()) == []
    assert archive_problems(db) == []
    (run,) = rows(db, "select * from runs")
    assert run["status"] == "ok", run
    assert run["mode"] == "backfill" and run["articles_new"] == 120, run
    assert json.loads(run["args"])["base_url"] == node.replica.url
    log = node.scrapyd.job_log(job)
    assert "120 new" in log, log[-2000:]
    assert not (node.scrapyd.home / "items").exists()  # the archive is the output


def test_a_second_job_on_the_same_archive_ends_at_the_lock(node, tmp_path):
    assert node.deployed.returncode == 0, node.deployed.stderr[-3000:]
    db = tmp_path / "node.db"
    first = node.scrapyd.schedule(
        db, *SLOW, base_url=node.replica.url, full="1", since="2024-12-03"
    )
    wait_for(lambda: scalar(db, "select count(*) from runs"), 60, "the first job's run row")
    second = node.scrapyd.schedule(
        db, *FAST, base_url=node.replica.url, full="1", since="2024-11-01"
    )
    node.scrapyd.finished(second)
    assert node.scrapyd.state(first) == "running", "the first job ended before the second: too fast"
    assert "another crawl holds" in node.scrapyd.job_log(second)
    (run,) = rows(db, "select * from runs")  # the second job added no run row
    assert run["status"] == "running"
    node.scrapyd.finished(first)
    (run,) = rows(db, "select * from runs")
    assert run["status"] == "ok", run
    # only the first job's articles: the second one wrote none
    assert stored_ids(db) == published_since(node.replica, "2024-12-03")
    assert archive_problems(db) == []


def test_a_job_cancelled_through_scrapyd_ends_interrupted_and_the_next_completes_it(node, tmp_path):
    assert node.deployed.returncode == 0, node.deployed.stderr[-3000:]
    db = tmp_path / "node.db"
    args = {"base_url": node.replica.url, "full": "1", "since": "2024-12-01"}
    job = node.scrapyd.schedule(db, *SLOW, **args)
    wait_for(lambda: scalar(db, "select count(*) from articles"), 60, "the first stored article")
    answer = node.scrapyd.post("cancel.json", [("project", "newsarchive"), ("job", job)])
    assert answer["prevstate"] == "running", answer
    node.scrapyd.finished(job)
    (run,) = rows(db, "select * from runs")
    assert run["status"] == "interrupted", run
    assert stored_differences(db, node.replica.truth()) == []  # what it stored is whole
    assert stored_ids(db) < published_since(node.replica, "2024-12-01")
    node.scrapyd.finished(node.scrapyd.schedule(db, *FAST, **args))
    statuses = [r["status"] for r in rows(db, "select status from runs order by id")]
    assert statuses == ["interrupted", "ok"]
    assert stored_ids(db) == published_since(node.replica, "2024-12-01")
    assert archive_problems(db) == []


def stored_ids(db: Path) -> set[str]:
    return {r["site_id"] for r in rows(db, "select site_id from articles")}


def published_since(replica: Replica, day: str) -> set[str]:
    """The ids of the replica's articles published on `day` or later (the site's local days)."""
    return {
        t["site_id"] for t in replica.truth() if not t.get("skip") and t["published_local"] >= day
    }
