"""A failed download as a skip reason, and which reasons mean the site gave no answer at all."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
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
#: ``error`` (our code raised on the page: a bug) passes once the bug is fixed.
TRANSIENT = frozenset({*NO_ANSWER, "dataloss", "download_error", "error"})


def classify_failure(failure: Failure) -> tuple[str, str]:
    """A download failure as (skip reason, detail): ``http_404``, ``timeout``, ``unreachable``,
    ``no_answer``, ``dataloss``, ``robots``, ``download_error`` …"""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} after retries"
    if isinstance(exc, _TIMEOUT):
        return "timeout", "no answer within the download timeout"
    if isinstance(exc, _UNREACHABLE):
        return "unreachable", f"{type(exc).__name__}: {exc}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "ignored"
        return ("robots" if "robots" in text.lower() else "ignored"), text
    name = type(exc).__name__
    if isinstance(exc, ResponseDataLossError) or "DataLoss" in name:
        return "dataloss", f"{name}: the answer was cut off"
    text = f"{name}: {exc}"
    if any(marker in text for marker in _NO_ANSWER_MARKERS):
        return "no_answer", f"the connection was closed without an answer ({text[:300]})"
    return "download_error", text
