"""Downloader middleware: Scrapy's MetaRefreshMiddleware, which first rules a refresh out in
the page's bytes.

Scrapy's decodes every HTML page, finds its base URL and scans its first 4,096 characters for
a ``<meta http-equiv="refresh">`` (w3lib): some 4 % of the crawl process's CPU, on pages that
almost never have one. A refresh needs the word "refresh" in that part of the page; in an
encoding that keeps ASCII as ASCII (UTF-8, the Latin and Windows code pages, …) those 4,096
characters are at most `WINDOW` bytes, so a page whose first `WINDOW` bytes do not hold the
word, in any case, has no refresh to follow and is let through as it came. Any other page
(the word is there, or the page is UTF-16 or UTF-32) gets Scrapy's own scan and decision.
"""

from __future__ import annotations

import codecs
from functools import cache
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.http import HtmlResponse

if TYPE_CHECKING:
    from scrapy.http import Request, Response

#: Bytes that hold Scrapy's 4,096 characters in any ASCII-compatible encoding (UTF-8: ≤ 4 each).
WINDOW = 4 * 4096


@cache
def ascii_compatible(encoding: str) -> bool:
    """Whether `encoding` writes ASCII letters as their ASCII bytes (so a word can be looked
    for in the bytes)."""
    try:
        return "refresh".encode(codecs.lookup(encoding).name) == b"refresh"
    except (LookupError, UnicodeError):
        return False


class MetaRefreshMiddleware(ScrapyMetaRefresh):
    """In ``DOWNLOADER_MIDDLEWARES`` in the place of Scrapy's (same setting, same order)."""

    def process_response(self, request: Request, response: Response, spider: object = None) -> Request | Response:  # type: ignore[override]
        if (
            isinstance(response, HtmlResponse)
            and ascii_compatible(response.encoding)
            and b"refresh" not in response.body[:WINDOW].lower()
        ):
            return response
        return super().process_response(request=request, response=response)
