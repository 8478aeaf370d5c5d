"""What every replica site shares: the `Response`, request handling around the site's routes
(dead site, hostile answers, a replica bug as a 500, status counts) and the control URLs
(``/__replica__/now``, ``truth.jsonl``, ``stats``, ``faults``, ``advance``).

A site subclasses `BaseSite` and gives its routes (`_route`), its article URLs
(`is_article_path`), its clock (`now_iso`, `advance`), its truth (`truth_lines`) and ids
(`index_of`, `first_id`, `article_count`).
"""

from __future__ import annotations

import json
import threading
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import hostile
from .faults import Faults, parse

HTML = "text/html; charset=utf-8"
JSON = "application/json"


@dataclass
class Response:
    """One answer. The server writes it; the fields below shape the faulty ones."""

    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    """Seconds to wait before answering (the ``slow`` fault)."""
    declared_length: int | None = None
    """A Content-Length larger than the body; the connection is closed after (``dataloss``)."""
    drop: bool = False
    """Close the connection without an answer (a dead site)."""
    stream: Iterator[bytes] | None = None
    """Chunked body (truth.jsonl); `body` is ignored."""


def json_response(data: object, status: int = 200) -> Response:
    """A JSON answer."""
    return Response(status, json.dumps(data).encode(), JSON)


def int_param(query: dict[str, list[str]], key: str, default: int = 0) -> int:
    """An integer query parameter, `default` when absent or not a number."""
    try:
        return int(query.get(key, [str(default)])[0].strip() or default)
    except ValueError:
        return default


class BaseSite:
    """Request handling and the control URLs shared by the replica sites."""

    STAT_KINDS: tuple[str, ...] = ("article", "listing", "archive", "feed", "other")
    """Request kinds counted in ``stats`` (and summed in its ``total``)."""
    EXTRA_STATS: tuple[str, ...] = ()
    """Counts ``stats`` also gives that are a part of one of those kinds (not summed again)."""

    def __init__(self, faults: Faults | None) -> None:
        self.faults = faults or Faults()
        self.start_faults = self.faults
        """The faults given at start: a run-time spec replaces the rate faults relative to these."""
        self.page_faults: dict[int, str] = {}
        """Article index → page fault kind."""
        self.lock = threading.Lock()
        self.stats: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()

    # -- what a site gives ---------------------------------------------------------------------
    def now_iso(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def advance(self, hours: float, publish: int, edit: int) -> dict[str, object]:  # pragma: no cover
        raise NotImplementedError

    def truth_lines(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:  # pragma: no cover
        raise NotImplementedError

    def index_of(self, article_id: int) -> int | None:  # pragma: no cover
        raise NotImplementedError

    def first_id(self) -> int:  # pragma: no cover
        raise NotImplementedError

    def article_count(self) -> int:  # pragma: no cover
        raise NotImplementedError

    def is_article_path(self, path: str) -> bool:  # pragma: no cover
        raise NotImplementedError

    def _route(self, path: str, query: dict[str, list[str]]) -> Response:  # pragma: no cover
        raise NotImplementedError

    def error_response(self) -> Response:  # pragma: no cover
        """The answer to a request whose route failed (a replica bug)."""
        raise NotImplementedError

    # -- handling ------------------------------------------------------------------------------
    def handle(self, method: str, target: str) -> Response:
        """Answer one request (any exception becomes a 500 with the traceback on stderr)."""
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        if path.startswith("/__replica__/"):  # not counted: stats() must not change stats
            try:
                return self._control(method, path[len("/__replica__/") :], query)
            except ValueError as error:
                return json_response({"error": str(error)}, 400)
        if self.faults.dead:
            self._count("dropped")
            return Response(0, drop=True)
        if self.faults.hostile:
            bad = hostile.answer(self.faults.hostile, target, self.is_article_path(path))
            if bad is not None:
                self._count("hostile")
                status, body, kind, headers = bad
                return Response(status, body, kind, headers)
        try:
            response = self._route(path, query)
        except Exception:  # noqa: BLE001 - a replica bug must answer, not kill the connection
            traceback.print_exc()
            response = self.error_response()
        with self.lock:
            self.statuses[response.status] += 1
        return response

    def _count(self, kind: str) -> None:
        with self.lock:
            self.stats[kind] += 1

    # -- control -------------------------------------------------------------------------------
    def _control(self, method: str, name: str, query: dict[str, list[str]]) -> Response:
        if name == "now":
            return json_response({"now": self.now_iso()})
        if name == "truth.jsonl":
            n = self.article_count()
            if "id" in query:
                index = self.index_of(int_param(query, "id", -1))
                if index is None:
                    return json_response({"error": "no such article"}, 404)
                return Response(
                    200, next(self.truth_lines(index, index + 1)), "application/x-ndjson"
                )
            return Response(200, content_type="application/x-ndjson", stream=self.truth_lines(0, n))
        if name == "stats":
            return json_response(self._stats(method == "POST" and bool(query.get("reset"))))
        if name == "faults":
            if method == "POST":
                spec = query.get("spec", [""])[0]
                with self.lock:
                    self.faults = parse(spec, self.start_faults, pages_allowed=False)
            first = self.first_id()
            pages = {str(first + i): kind for i, kind in sorted(self.page_faults.items())}
            return json_response({"rates": self.faults.rates(), "pages": pages})
        if name == "advance":
            if method != "POST":
                return json_response(
                    {"error": "POST /__replica__/advance?hours=H&publish=P&edit=E"}, 405
                )
            try:
                hours = float(query.get("hours", ["1"])[0])
                publish = int(query.get("publish", ["0"])[0])
                edit = int(query.get("edit", ["0"])[0])
            except ValueError:
                raise ValueError("hours is a number; publish and edit are whole numbers") from None
            return json_response(self.advance(hours, publish, edit))
        return json_response({"error": f"unknown control {name!r}"}, 404)

    def _stats(self, reset: bool) -> dict[str, object]:
        with self.lock:
            if reset:
                self.stats.clear()
                self.statuses.clear()
            data: dict[str, object] = {
                kind: self.stats[kind] for kind in (*self.STAT_KINDS, *self.EXTRA_STATS, "dropped", "control")
            }
            data["total"] = sum(self.stats[k] for k in self.STAT_KINDS)
            data["statuses"] = {str(k): v for k, v in sorted(self.statuses.items())}
            n = self.article_count()
            data["articles"] = n
            data["first_id"] = self.first_id()
            data["last_id"] = self.first_id() + n - 1
        return data
