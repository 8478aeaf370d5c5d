"""Scrapy's end of the crawl's worker process (`newsarchive.crawl.worker`).

The run starts one worker per crawler with Twisted's ``spawnProcess`` (a fresh interpreter:
the process running the reactor is never forked without an exec) and talks to it over its
stdin and stdout in `frames`, never blocking the reactor: writes are buffered by the
transport, answers arrive as the reactor reads them. The worker's stderr goes to the run's log.

`submit` hands over a fetched page (or a whole article) and returns what the store stage gives
Scrapy: an awaitable that is the item once its group is committed — so Scrapy holds the page
until then, which bounds the pages in flight (Scrapy's scraper slot) and keeps memory flat.
`stop` asks the worker to commit what it holds and leave; its Deferred fires when the process
has ended. A worker that dies without being asked (killed, a crash) is a failed run: `died` is
called with one line, and every page waiting on it is let go (the next run fetches it again).
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from collections.abc import Callable, Generator
from contextlib import suppress
from datetime import datetime
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.protocol import ProcessProtocol
from twisted.python.failure import Failure

from newsarchive.crawl.frames import Frames, encode
from newsarchive.crawl.worker import PATH_ENV, Config
from newsarchive.items import PageSkip

logger = logging.getLogger(__name__)

Answered = Callable[[Any, tuple[Any, ...]], None]


class Committed:
    """What the store stage gives Scrapy for a page: awaited, it is the item once the worker
    has committed (or let go) it."""

    __slots__ = ("deferred", "item")

    def __init__(self, deferred: Deferred[Any], item: Any) -> None:
        self.deferred, self.item = deferred, item

    def __await__(self) -> Generator[Any, None, Any]:
        yield from maybe_deferred_to_future(self.deferred).__await__()
        return self.item


class Handoff(ProcessProtocol):
    """One worker process and the pages waiting on it.

    `answered(item, result)` is called for each page once its result is back, `broken(line)`
    when the worker cannot write the archive, `died(line)` when the process ended unasked.
    """

    def __init__(
        self, config: Config, *, answered: Answered, broken: Callable[[str], None],
        died: Callable[[str], None],
    ) -> None:  # fmt: skip
        self.config = config
        self.answered, self.broken, self.died = answered, broken, died
        self.frames = Frames()
        self.waiting: dict[int, tuple[Deferred[Any], Any]] = {}
        self.tokens = itertools.count(1)
        self.ended = Deferred()
        self.running = False
        self._asked_stop = False
        self._said_stopped = False
        self._err = b""

    def start(self) -> None:
        """Start the worker (raises OSError when it cannot be started)."""
        from twisted.internet import reactor

        env = dict(os.environ, **{PATH_ENV: os.pathsep.join(sys.path)})
        argv = [sys.executable, "-m", "newsarchive.crawl.worker", str(os.getpid())]
        reactor.spawnProcess(self, sys.executable, argv, env=env, childFDs={0: "w", 1: "r", 2: "r"})  # type: ignore[attr-defined]
        self.running = True
        self._write(("open", self.config))

    def _write(self, message: Any) -> None:
        if self.running and self.transport is not None:
            self.transport.write(encode(message))

    def submit(self, kind: str, payload: Any, item: Any) -> Committed:
        """Hand over a page (``page``) or an article (``article``) for storing."""
        deferred: Deferred[Any] = Deferred()
        if not self.running:
            deferred.callback(item)
            return Committed(deferred, item)
        token = next(self.tokens)
        self.waiting[token] = (deferred, item)
        self._write((kind, token, payload))
        return Committed(deferred, item)

    def skip(self, skip: PageSkip, at: datetime) -> None:
        """Record a skip in the worker's next group."""
        self._write(("skip", skip, at))

    def stop(self) -> Deferred[Any]:
        """Ask the worker to commit what it holds and leave; fires once it has ended."""
        if self.running and not self._asked_stop:
            self._asked_stop = True
            self._write(("stop",))
            self.transport.closeStdin()  # type: ignore[union-attr]
        return self.ended

    def kill(self) -> None:
        """End the worker now (the reactor is gone: nothing can be waited for)."""
        if self.running and self.transport is not None:
            self._asked_stop = True
            with suppress(Exception):  # already gone
                self.transport.signalProcess("KILL")

    # --- what the worker says ----------------------------------------------------------------
    def outReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        for message in self.frames.feed(data):
            kind = message[0]
            if kind == "done":
                for token, result in message[1]:
                    deferred, item = self.waiting.pop(token)
                    self.answered(item, result)
                    deferred.callback(item)
            elif kind == "broken":
                self.broken(message[1])
            elif kind == "stopped":
                self._said_stopped = True
                figures = message[1]
                if figures:
                    logger.info(
                        "worker process: %d pages in %d groups, %.2f s CPU",
                        figures["pages"], figures["groups"], figures["cpu"],
                    )  # fmt: skip

    def errReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        self._err += data
        *lines, self._err = self._err.split(b"\n")
        for line in lines:
            logger.warning("worker: %s", line.decode("utf-8", "replace"))

    def processEnded(self, reason: Failure) -> None:  # noqa: N802 - Twisted's name
        self.running = False
        if not self._said_stopped:
            how = getattr(reason.value, "signal", None)
            code = getattr(reason.value, "exitCode", None)
            why = f"killed by signal {how}" if how else f"exit code {code}"
            self.died(
                f"the crawl's worker process ended unexpectedly ({why}); the pages it held "
                "were not stored and the next run fetches them again"
            )
        waiting, self.waiting = self.waiting, {}
        for deferred, item in waiting.values():
            deferred.callback(item)
        self.ended.callback(None)
