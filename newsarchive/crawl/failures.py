"""A failed download as a skip reason, and which reasons mean the site gave no answer at all."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

_UNREACHABLE = (
    net_error.DNSLookupError,
    net_error.ConnectionRefusedError,
    net_error.ConnectError,
    net_error.NoRouteError,
    DownloadConnectionRefusedError,
    CannotResolveHostError,
)
_TIMEOUT = (net_error.TimeoutError, net_error.TCPTimedOutError, DownloadTimeoutError)
_NO_ANSWER_MARKERS = ("ResponseNeverReceived", "ConnectionDone", "ConnectionLost", "ConnectionAborted")

#: Skip reasons of a download that got no answer at all (a dead or unreachable site).
NO_ANSWER = frozenset({"unreachable", "no_answer", "timeout"})
#: Skip reasons that may pass by themselves: the page is fetched again by a later run. An
#: ``error`` (our code raised on the page: a bug) passes once the bug is fixed; a page too
#: large, too deep or redirecting in circles is most often a server's passing fault too (and a
#: retry of one costs no more than ``DOWNLOAD_MAXSIZE``).
TRANSIENT = frozenset(
    {*NO_ANSWER, "dataloss", "download_error", "error", "too_large", "too_deep", "redirect_loop"}
)


class NotAsked(IgnoreRequest):
    """A request dropped unasked because its site stopped answering (`newsarchive.crawl.silence`):
    an ``unreachable`` skip, so a later run fetches the page again like any passing failure."""


def classify_failure(failure: Failure) -> tuple[str, str]:
    """A download failure as (skip reason, detail): ``http_404``, ``timeout``, ``unreachable``,
    ``no_answer``, ``dataloss``, ``robots``, ``too_large`` (past ``DOWNLOAD_MAXSIZE``, also once
    decompressed), ``redirect_loop``, ``download_error`` …"""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} after retries"
    if isinstance(exc, _TIMEOUT):
        return "timeout", "no answer within the download timeout"
    if isinstance(exc, (*_UNREACHABLE, NotAsked)):
        return "unreachable", f"{type(exc).__name__}: {exc}"
    text = str(exc)
    if "max size" in text or "DOWNLOAD_MAXSIZE" in text:
        return "too_large", text[:300]
    if isinstance(exc, (DownloadCancelledError, CancelledError)):
        return "too_large", f"the answer grew past the download limit ({text[:200]})"
    if isinstance(exc, IgnoreRequest):
        lowered = text.lower()
        if "redirect loop" in lowered or "max redirections" in lowered:
            return "redirect_loop", text[:500]
        return ("robots" if "robots" in lowered else "ignored"), text or "ignored"
    name = type(exc).__name__
    if isinstance(exc, ResponseDataLossError) or "DataLoss" in name:
        return "dataloss", f"{name}: the answer was cut off"
    text = f"{name}: {exc}"
    if any(marker in text for marker in _NO_ANSWER_MARKERS):
        return "no_answer", f"the connection was closed without an answer ({text[:300]})"
    return "download_error", text


def release(failure: Failure) -> None:
    """Drop what a failure holds on to beyond its message: the frames of its traceback and of the
    exceptions it was raised from, with their locals. A decompression refused at
    ``DOWNLOAD_MAXSIZE`` leaves megabytes in those frames, kept until the cyclic collector comes
    by — across a run of gzip bombs, hundreds of MB."""
    exc: BaseException | None = failure.value
    seen = 0
    while exc is not None and seen < 8:
        exc.__traceback__ = None
        following = exc.__cause__ or exc.__context__
        exc.__cause__ = exc.__context__ = None
        exc, seen = following, seen + 1
    failure.cleanFailure()
