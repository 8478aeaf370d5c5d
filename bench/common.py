"""What every benchmark shares: results, medians, running a crawl and reading its figures."""

from __future__ import annotations

import ast
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
PY = sys.executable


@dataclass
class Result:
    name: str
    value: float
    unit: str

    def row(self) -> dict[str, Any]:
        return {"name": self.name, "value": round(self.value, 4), "unit": self.unit}


def median(values: list[float]) -> float:
    return float(statistics.median(values))


@dataclass
class CrawlRun:
    """One crawl process: its exit code, Scrapy's closing stats, wall time and peak RSS (of the
    process tree: the crawl and its worker process together; `peak_by_process_mb` holds each
    process's own high-water mark, the crawl's first)."""

    code: int
    stats: dict[str, Any]
    wall: float
    peak_rss_mb: float
    stdout: str
    peak_by_process_mb: list[float] = field(default_factory=list)
    #: CPU seconds (user + system) of the process and the children it reaped (its worker).
    cpu_s: float = 0.0

    @property
    def responses(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def requests(self) -> int:
        return int(self.stats.get("downloader/request_count", 0))

    @property
    def elapsed(self) -> float:
        return float(self.stats.get("elapsed_time_seconds", self.wall))

    @property
    def pages_per_s(self) -> float:
        return self.responses / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """CPU a response cost, start-up included: steadier than pages/s on a shared machine."""
        return 1000 * self.cpu_s / self.responses if self.responses else 0.0


_STATS = re.compile(r"Dumping Scrapy stats:\n(\{.*?\})\n", re.S)


def scrapy_stats(log: str) -> dict[str, Any]:
    """The last 'Dumping Scrapy stats' dict of a Scrapy log."""
    found = _STATS.findall(log)
    if not found:
        return {}
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", found[-1])
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return {}


def run_process(cmd: list[str], env: dict[str, str], log: Path) -> CrawlRun:
    """Run a crawl command, polling the RSS of its process tree until it exits."""
    log.parent.mkdir(parents=True, exist_ok=True)
    if log.exists():
        log.unlink()
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out_path = log.with_suffix(".out")
    tree_kb = 0
    hwm: dict[int, int] = {}
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        # The tree's peak: the largest sum of the processes' resident sets seen at one poll
        # (the crawl and its worker process), and each process's own high-water mark (VmHWM,
        # since its exec; wait4's ru_maxrss would also count the bench's own pages the child
        # held before exec, which made a 20,000-article crawl look three times its size).
        while proc.poll() is None:
            now_kb = 0
            for pid in _tree(proc.pid):
                rss, peak = _vm_kb(pid)
                now_kb += rss
                hwm[pid] = max(hwm.get(pid, 0), peak)
            tree_kb = max(tree_kb, now_kb)
            time.sleep(0.05)
    wall = time.monotonic() - started
    # The crawl was reaped by poll() and its worker by the crawl: both are in the delta.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    text = log.read_text() if log.exists() else out_path.read_text()
    return CrawlRun(
        code=proc.returncode,
        stats=scrapy_stats(text),
        wall=wall,
        peak_rss_mb=max(tree_kb, hwm.get(proc.pid, 0)) / 1024,
        stdout=out_path.read_text(),
        peak_by_process_mb=[kb / 1024 for kb in hwm.values()],
        cpu_s=cpu,
    )


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, parents first."""
    found, at = [pid], 0
    while at < len(found):
        try:
            with open(f"/proc/{found[at]}/task/{found[at]}/children") as children:
                found += [int(c) for c in children.read().split()]
        except OSError:
            pass
        at += 1
    return found


def _vm_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of `pid` in kB; zeros once it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def crawl(url: str, db: Path, now: str, *extra: str, log: Path | None = None) -> CrawlRun:
    """`newsarchive crawl` of `url` into `db`, politeness off (delay 0, concurrency 16)."""
    log = log or db.with_suffix(".log")
    env = dict(os.environ, NEWSARCHIVE_NOW=now)
    cmd = [PY, "-m", "newsarchive.cli", "crawl", "--db", str(db), "--base-url", url,
           "--delay", "0", "--concurrency", "16", "--timeout", "10", "--log-file", str(log),
           *extra]
    return run_process(cmd, env, log)


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    return db
