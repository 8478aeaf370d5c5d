"""SIGTERM and SIGHUP end a command as Ctrl-C does: with one line and exit 1, never a silent 143.

`install()` makes both raise `Interrupted` (a BaseException, like KeyboardInterrupt, so no
``except Exception`` swallows it) from the moment the command starts; the command's entry point
turns it into ``Error: interrupted by SIGTERM`` and exit 1. While Scrapy runs a crawl it holds
SIGINT and SIGTERM itself (a graceful stop: the run ends ``interrupted``); `hand_to_scrapy()`
makes SIGHUP — a closed terminal, a stopped service — take that same road.

Between the two, while Scrapy builds its crawlers, `hold` keeps a signal for later instead.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

#: The signals a command treats as "stop now" (Ctrl-C is Python's KeyboardInterrupt).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):  # noqa: N818 - as KeyboardInterrupt
    """The process was asked to stop by a signal."""

    def __init__(self, signum: int) -> None:
        self.signame = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.signame}")


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _as_term(signum: int, frame: FrameType | None) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def _exit_now(signum: int, frame: FrameType | None) -> None:
    os.write(2, f"Error: interrupted by {signal.Signals(signum).name}\n".encode())
    os._exit(1)


def install(*, starting: bool = False) -> None:
    """SIGTERM and SIGHUP raise `Interrupted` in the main thread from now on — or, while the
    command is `starting` (its modules still loading: nothing begun, no handler could catch an
    exception there), end the process at once with the same one line and exit 1."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _exit_now if starting else _raise)


_held: list[int] = []


def _hold(signum: int, frame: FrameType | None) -> None:
    _held.append(signum)


def hold() -> None:
    """From now until Scrapy takes over, a stop signal is kept, not raised: an exception in the
    middle of Scrapy setting up its crawlers would surface as an unhandled Deferred error."""
    _held.clear()
    for signum in STOP_SIGNALS:
        signal.signal(signum, _hold)


def hand_to_scrapy() -> None:
    """Scrapy is about to run the crawl (it holds SIGINT and SIGTERM for a graceful stop): SIGHUP
    is sent on as SIGTERM, and a signal kept by `hold` is sent again once the reactor runs, so
    the run ends ``interrupted`` like any other stopped run."""
    from twisted.internet import reactor

    signal.signal(signal.SIGHUP, _as_term)
    # Scrapy installs its handlers "after startup"; ours runs one turn later, when they are in.
    reactor.addSystemEventTrigger("after", "startup", reactor.callLater, 0, _replay)  # type: ignore[attr-defined]


def _replay() -> None:
    if _held:
        os.kill(os.getpid(), signal.SIGTERM)
