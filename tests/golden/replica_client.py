"""Talk to a replica (tests/replica) over HTTP, for the golden tests and `regen`.

``ReplicaClient.start(articles=300, seed=1)`` starts one with the project's own runner
(`tests.replica.process.Replica`) and stops it on `close()`; ``ReplicaClient(url)`` talks to
one already running. `get` never raises for an HTTP error or a short body: the page functions
must cope with whatever a server sends.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def replica_available() -> bool:
    """True when tests/replica can be run (``python -m tests.replica``)."""
    replica = ROOT / "tests" / "replica"
    return (replica / "__main__.py").exists() and (replica / "process.py").exists()


class ReplicaClient:
    def __init__(self, url: str, server: Any = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.server = server

    @classmethod
    def start(cls, **kwargs: Any) -> ReplicaClient:
        """A new replica subprocess (``articles``, ``seed``, ``faults``, ``eras`` …)."""
        from tests.replica.process import Replica

        server = Replica(**kwargs)
        return cls(server.url, server)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> ReplicaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def absolute(self, path_or_url: str) -> str:
        """A path, or a site URL (the truth's), as a URL on this replica."""
        from newsarchive.crawl.roots import fetch_url

        if "://" in path_or_url:
            return fetch_url(path_or_url, self.url, "https://www.novinite.com/")
        return self.url + path_or_url.lstrip("/")

    def get(self, path_or_url: str) -> tuple[int, str]:
        """Status and body text of a GET; an HTTP error's body is returned, not raised, and a
        body shorter than announced comes back as status 0 with what arrived."""
        try:
            with urllib.request.urlopen(self.absolute(path_or_url), timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except http.client.IncompleteRead as error:
            return 0, error.partial.decode("utf-8", "replace")

    def post(self, path: str) -> Any:
        request = urllib.request.Request(self.absolute(path), data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))

    def truth(self) -> list[dict[str, Any]]:
        _status, text = self.get("__replica__/truth.jsonl")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def replica_for_tests(request: Any, **kwargs: Any) -> Iterator[ReplicaClient]:
    """A pytest fixture's body: a private replica with `kwargs`, from tests/conftest.py's
    module-scoped ``make_replica_module`` factory when there is one, else started here (never
    the session replica: fetching its fault pages would use up their one-time faults). Skips
    when tests/replica cannot run yet."""
    import pytest

    if not replica_available():
        pytest.skip("tests/replica has no runnable server (python -m tests.replica) yet")
    try:
        factory = request.getfixturevalue("make_replica_module")
    except pytest.FixtureLookupError:
        factory = None
    if factory is not None:
        yield ReplicaClient(factory(**kwargs).url)
        return
    with ReplicaClient.start(**kwargs) as replica:
        yield replica
