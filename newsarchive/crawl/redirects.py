"""Downloader middleware: a redirect back to a URL already on the request's way is a loop.

Scrapy's RedirectMiddleware follows up to ``REDIRECT_MAX_TIMES`` hops and then drops the
request with ``IgnoreRequest``; but a loop (A → B → A) never gets there when the duplicate
filter drops the second request for A first — silently, with no errback and so no skip row.
This middleware, placed before RedirectMiddleware in the response chain, stops a loop at its
first repeat with ``IgnoreRequest("redirect loop …")``, which reaches the request's errback and
becomes a ``redirect_loop`` skip (as does an endless chain, at its last hop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy.http import Request, Response

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectLoopMiddleware:
    def process_response(self, request: Request, response: Response, spider: object = None) -> Response:
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        location = response.headers[b"Location"].decode("latin-1")
        target = safe_url_string(response.urljoin(location))
        way = [*request.meta.get("redirect_urls", []), request.url]
        if target in way:
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*way, target])}")
        return response
