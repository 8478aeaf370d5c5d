"""The crawl's worker process: extracts, checks and stores a run's article pages off Scrapy's
process, committing them in groups.

One worker per crawler (`newsarchive.crawl.handoff` starts it with ``python -m
newsarchive.crawl.worker PARENT_PID`` and talks to it over its stdin and stdout, `frames`).
Scrapy's process only fetches: it sends each article page's bytes (`Page`), each skip it met,
and gets back a small result once the page is committed. The worker carries each page down the
pipelines' stages (`chain.Chain`: extract → validate → normalise → deduplicate) and keeps it for
the next group; a group — up to ``NEWSARCHIVE_COMMIT_ARTICLES`` writes, or what arrived within
``NEWSARCHIVE_COMMIT_MS`` of its first, whichever comes first — is one transaction
(`Archive.write_group`: rows, FTS index, compressed raw pages and skips together).

It never outlives its parent: it asks Linux to kill it when the parent dies
(``PR_SET_PDEATHSIG``), and at the end of its input without a ``stop`` it leaves at once,
committing nothing more. It never takes the crawl lock: the parent holds it for the run. On
``stop`` it commits what it holds, says ``stopped`` and leaves; only then does the parent
write the run's outcome and the coverage it earned.

Messages in: ``("open", Config)``, ``("page", token, Page)``,
``("article", token, Article)`` (already through Scrapy's stages), ``("skip", PageSkip, at)``,
``("stop",)``. Out: ``("ready",)``, ``("done", [(token, result), …])`` after each commit,
``("broken", message)`` when the file fails (nothing more is written; each later page is let
go), ``("stopped", figures)``. A result is ``("new"|"updated"|"unchanged"|"duplicate"|"let_go",)``,
``("skip", reason)`` or ``("error", stage, detail, url)``.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import resource
import select
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from newsarchive.crawl.frames import Frames, encode

#: A module:function the worker calls first thing (a test's kill points, a profiler); unset in
#: normal use. The parent's environment is the worker's.
HOOK_ENV = "NEWSARCHIVE_WORKER_HOOK"
#: The parent's ``sys.path`` (the worker imports the spider's page functions from it).
PATH_ENV = "NEWSARCHIVE_WORKER_PATH"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Config:
    """What the worker needs for a run (sent pickled)."""

    db: str
    run_id: int | None
    extraction: Any  # chain.Extraction
    limit: int | None
    group_writes: int
    group_seconds: float


@dataclass
class Entry:
    """A write waiting for the group's commit: the parent's token (None: nothing to answer),
    what to write (an Article, a SkipRecord, or None) and the result when it is not the
    article's own."""

    token: int | None
    write: Any
    result: tuple[Any, ...] | None = None


def die_with_parent(parent: int) -> None:
    """Be killed when the parent dies (Linux); leave now if it is already gone. Ctrl-C and
    SIGTERM sent to the whole process group are the crawl's to handle: it stops the worker
    once its graceful stop has let the pages in flight through."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def send(message: Any) -> None:
    data = memoryview(encode(message))
    while data:
        data = data[os.write(1, data) :]


class Worker:
    """The loop: read messages, carry pages down the chain, commit groups, answer."""

    def __init__(self, config: Config) -> None:
        from newsarchive.archive import Archive
        from newsarchive.crawl.chain import Chain

        self.config = config
        self.chain = Chain(config.extraction)
        self.archive = Archive(config.db)
        self.pending: list[Entry] = []
        self.first_at = 0.0
        self.stored = 0
        self.broken: str | None = None
        self.pages = self.groups = 0

    def figures(self) -> dict[str, float]:
        """What the worker did, for the run's log: pages, groups, its CPU seconds."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"pages": self.pages, "groups": self.groups, "cpu": usage.ru_utime + usage.ru_stime}

    def add(self, entry: Entry) -> None:
        if not self.pending:
            self.first_at = time.monotonic()
        self.pending.append(entry)

    def handle(self, message: tuple[Any, ...]) -> bool:
        """Take one message; False on ``stop``."""
        kind = message[0]
        if kind == "page":
            self.pages += 1
            self.add(self.page(message[1], message[2]))
        elif kind == "article":
            self.add(Entry(message[1], message[2]))
        elif kind == "skip":
            from newsarchive.archive import SkipRecord

            self.add(Entry(None, SkipRecord(message[1], message[2])))
        elif kind == "stop":
            return False
        return True

    def page(self, token: int, page: Any) -> Entry:
        from newsarchive import dates
        from newsarchive.archive import SkipRecord
        from newsarchive.crawl.chain import DUPLICATE, Bug
        from newsarchive.items import PageSkip

        try:
            out = self.chain(page)
        except Bug as bug:
            detail = str(bug)[:500]
            logging.getLogger(__name__).error(
                "%s raised an error on %s", bug.stage, page.url, exc_info=bug.error
            )
            skip = PageSkip(url=self.chain.site_url(page.url), stage=bug.stage, reason="error",
                            detail=detail, site=page.site, site_id=page.site_id)  # fmt: skip
            return Entry(token, SkipRecord(skip, dates.now()), ("error", bug.stage, detail, skip.url))
        if out == DUPLICATE:
            return Entry(token, None, ("duplicate",))
        if isinstance(out, PageSkip):
            return Entry(token, SkipRecord(out, dates.now()), ("skip", out.reason))
        return Entry(token, out)

    def due(self) -> float | None:
        """Seconds until the pending group must be committed (None: nothing pending)."""
        if not self.pending:
            return None
        if len(self.pending) >= self.config.group_writes:
            return 0.0
        return max(0.0, self.first_at + self.config.group_seconds - time.monotonic())

    def commit(self) -> None:
        from newsarchive import dates
        from newsarchive.archive import ArchiveError

        group, self.pending = self.pending, []
        writes = [e.write for e in group if e.write is not None]
        results: list[Any] = [None] * len(writes)
        if self.broken is None and writes:
            left = None if self.config.limit is None else max(0, self.config.limit - self.stored)
            self.groups += 1
            try:
                results = self.archive.write_group(
                    writes, run_id=self.config.run_id, now=dates.now(), limit=left
                )
            except ArchiveError as exc:
                self.broken = str(exc)
                send(("broken", self.broken))
                results = [None] * len(writes)
        answers = []
        written = iter(results)
        for entry in group:
            result = next(written) if entry.write is not None else None
            if entry.token is None:
                continue
            answers.append((entry.token, self.answer(entry, result)))
        if answers:
            send(("done", answers))

    def answer(self, entry: Entry, result: Any) -> tuple[Any, ...]:
        if self.broken is not None and entry.write is not None:
            return ("let_go",)
        if entry.result is not None:
            return entry.result
        if isinstance(result, BaseException):  # a bug in the store of this one article
            detail = f"{type(result).__name__}: {result}"[:500]
            return ("error", "store", detail, getattr(entry.write, "url", ""))
        if result is None:
            return ("let_go",)
        if result in ("new", "updated"):
            self.stored += 1
        return (result,)


def serve(frames: Frames, first: list[Any]) -> None:
    """Run the loop after ``open`` (`first`: messages already read behind it)."""
    config = next(m[1] for m in first if m[0] == "open")
    try:
        worker = Worker(config)
    except Exception as exc:  # the archive cannot be opened: the parent fails the run
        send(("broken", str(exc)))
        send(("stopped", {}))
        return
    send(("ready",))
    backlog = [m for m in first if m[0] != "open"]
    try:
        while True:
            for message in backlog:
                if not worker.handle(message):
                    worker.commit()
                    send(("stopped", worker.figures()))
                    return
                if len(worker.pending) >= config.group_writes:
                    worker.commit()
            due = worker.due()
            if due == 0.0:
                worker.commit()
                due = worker.due()
            ready, _, _ = select.select([0], [], [], due)
            if not ready:
                backlog = []
                continue
            data = os.read(0, 1 << 20)
            if not data:  # the parent is gone without a word: leave, commit nothing more
                os._exit(0)
            backlog = frames.feed(data)
    finally:
        worker.archive.close()


def main(argv: list[str]) -> None:
    die_with_parent(int(argv[0]))
    path = os.environ.get(PATH_ENV)
    if path is not None:
        sys.path[:] = path.split(os.pathsep)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    hook = os.environ.get(HOOK_ENV)
    if hook:
        module, _, name = hook.partition(":")
        getattr(importlib.import_module(module), name)()
    frames = Frames()
    first: list[Any] = []
    while not any(m[0] == "open" for m in first):
        data = os.read(0, 1 << 20)
        if not data:
            os._exit(0)
        first += frames.feed(data)
    serve(frames, first)


if __name__ == "__main__":
    main(sys.argv[1:])
