"""Run the replica as a subprocess and talk to its control URLs (for tests and benchmarks).

The URL comes from the first stdout line, read with a timeout: no sleeps as synchronisation.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
"""The project root: where ``python -m tests.replica`` is run from."""
START_TIMEOUT = 30.0


class ReplicaError(RuntimeError):
    """The replica did not start, or a control request failed."""


class Replica:
    """A running replica: ``.url``, ``.now()``, ``.advance()``, ``.truth()``, ``.stop()`` …"""

    def __init__(
        self,
        articles: int = 300,
        seed: int = 1,
        faults: str = "",
        eras: bool | None = None,
        slow_seconds: float | None = None,
        python: str = sys.executable,
        site: str = "novinite",
    ) -> None:
        self.site = site
        self.args = [
            python,
            "-m",
            "tests.replica",
            *(["--site", site] if site != "novinite" else []),
            "--port",
            "0",
            "--articles",
            str(articles),
            "--seed",
            str(seed),
        ]
        if faults:
            self.args += ["--faults", faults]
        if eras is not None:
            self.args.append("--eras" if eras else "--no-eras")
        if slow_seconds is not None:
            self.args += ["--slow-seconds", str(slow_seconds)]
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self.args.append("--exit-with-stdin")  # dies with this process, even on SIGKILL
        self.proc = subprocess.Popen(
            self.args,
            stdin=subprocess.PIPE,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.url = self._read_url()
        """``http://127.0.0.1:PORT/`` (with the trailing slash)."""
        self.base = self.url.rstrip("/")

    def _read_url(self) -> str:
        assert self.proc.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self.proc.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).decode().strip()
        except queue.Empty:
            self.stop()
            raise ReplicaError(
                f"replica printed nothing in {START_TIMEOUT} s: {self.stderr()}"
            ) from None
        if not line.startswith("serving http://"):
            self.stop()
            raise ReplicaError(f"replica did not start ({line!r}): {self.stderr()}")
        return line.split(" ", 1)[1]

    def stderr(self) -> str:
        """What the replica wrote to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    # -- control -------------------------------------------------------------------------------
    def _control(self, name: str, method: str = "GET", **params: object) -> Any:
        url = f"{self.base}/__replica__/{name}"
        if params:
            url += "?" + urlencode(params)
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=60) as answer:
            data = answer.read()
        return json.loads(data) if name != "truth.jsonl" else data

    def now(self) -> str:
        """The replica's clock, ``YYYY-MM-DDTHH:MM:SSZ``."""
        return str(self._control("now")["now"])

    def advance(self, hours: float = 1, publish: int = 0, edit: int = 0) -> dict[str, Any]:
        """Move the clock; answers ``{"now", "published": [ids], "edited": [ids]}``."""
        return dict(self._control("advance", "POST", hours=hours, publish=publish, edit=edit))

    def served(self, url: str) -> str:
        """Where this replica serves a page whose site URL is `url` (the truth's ``url`` and
        ``image_url`` are the site's own, as the archive keeps them)."""
        from newsarchive.crawl.roots import fetch_url

        return fetch_url(url, self.url, "https://www.novinite.com/")

    def truth(self) -> list[dict[str, Any]]:
        """Every live article's truth record, oldest first."""
        data: bytes = self._control("truth.jsonl")
        return [json.loads(line) for line in data.decode().splitlines() if line]

    def truth_of(self, site_id: int | str) -> dict[str, Any]:
        """One article's truth record."""
        data: bytes = self._control("truth.jsonl", id=site_id)
        return dict(json.loads(data))

    def set_faults(self, spec: str) -> dict[str, Any]:
        """Change rate faults at run time (``rate500=0.1``, ``drift=3``, ``dead=1`` …)."""
        return dict(self._control("faults", "POST", spec=spec))

    def faults(self) -> dict[str, Any]:
        """The rate faults and which article carries which page fault."""
        return dict(self._control("faults"))

    def stats(self, reset: bool = False) -> dict[str, Any]:
        """Request counts by kind (article, listing, archive, feed, other) and by status."""
        if reset:
            return dict(self._control("stats", "POST", reset=1))
        return dict(self._control("stats"))

    def stop(self) -> None:
        """Terminate the replica (SIGTERM, then SIGKILL after 5 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe:
                pipe.close()
        self._stderr.close()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
