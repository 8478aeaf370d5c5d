"""Hostile answers: a site that answers 200 with nothing usable, or with pages built to hurt.

Switched on at run time with the rate fault ``hostile=KIND`` (``POST /__replica__/faults?spec=
hostile=maintenance``; ``hostile=`` switches it off). Site-wide kinds answer every URL that is
not for ``/__replica__/``; article kinds answer article URLs only (listings stay good):

- ``maintenance``: 200 with a maintenance page (no site layout);
- ``empty``: 200 with an empty body; ``json``: 200 with a JSON error object;
- ``notfound``: 404 everywhere;
- ``gzip_bomb``: articles as 0.5 MB of gzip that expands to 500 MB;
- ``big``: articles as a plain 20 MB page;
- ``deep``: articles as pages of 60,000 nested elements;
- ``redirect_loop``: articles redirect to a second URL that redirects back;
- ``redirect_chain``: articles redirect to a new URL each time, for ever.
"""

from __future__ import annotations

import functools
import json
import zlib
from urllib.parse import parse_qs, urlsplit

SITE_WIDE = ("maintenance", "empty", "json", "notfound")
ARTICLE_ONLY = ("gzip_bomb", "big", "deep", "redirect_loop", "redirect_chain")
KINDS = (*SITE_WIDE, *ARTICLE_ONLY)

MAINTENANCE = (
    "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body>"
    "<h1>We'll be back soon</h1><p>The site is down for scheduled maintenance.</p>"
    "</body></html>"
)
BOMB_BYTES = 500 * 1024 * 1024
BIG_BYTES = 20 * 1024 * 1024
DEPTH = 60_000


@functools.cache
def gzip_bomb() -> bytes:
    """gzip of 500 MB of spaces (about 0.5 MB), built once."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header
    chunk = b" " * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))]
    parts.append(packer.flush())
    return b"".join(parts)


@functools.cache
def big_page() -> bytes:
    filler = "<p>" + "word " * 200 + "</p>\n"
    body = filler * (BIG_BYTES // len(filler) + 1)
    return f"<!DOCTYPE html><html><body><div id='content'>{body}</div></body></html>".encode()


@functools.cache
def deep_page() -> bytes:
    nested = "<div>" * DEPTH + "deep" + "</div>" * DEPTH
    return (
        "<!DOCTYPE html><html><head><title>Deep</title></head><body><div id='content'>"
        f"<h1>A deep page</h1><div class='date'>World | December 6, 2024 // 11:06</div>"
        f"<div id='textsize'><p>Lead.</p>{nested}<p>After.</p></div></div></body></html>"
    ).encode()


def prepare(kind: str) -> None:
    """Build the big answers of `kind` once, before requests ask for them."""
    builders = {"gzip_bomb": gzip_bomb, "big": big_page, "deep": deep_page}
    if kind in builders:
        builders[kind]()


def answer(kind: str, target: str, is_article: bool) -> tuple[int, bytes, str, list[tuple[str, str]]] | None:
    """(status, body, content type, headers) of the hostile answer to `target`, or None when
    this kind leaves the URL alone."""
    html = "text/html; charset=utf-8"
    if kind in SITE_WIDE:
        if kind == "maintenance":
            return 200, MAINTENANCE.encode(), html, []
        if kind == "empty":
            return 200, b"", html, []
        if kind == "json":
            return 200, json.dumps({"error": "service unavailable"}).encode(), "application/json", []
        return 404, b"<html><body>Not Found</body></html>", html, []
    if not is_article:
        return None
    if kind == "gzip_bomb":
        return 200, gzip_bomb(), html, [("Content-Encoding", "gzip")]
    if kind == "big":
        return 200, big_page(), html, []
    if kind == "deep":
        return 200, deep_page(), html, []
    parts = urlsplit(target)
    hop = int(parse_qs(parts.query).get("hop", ["0"])[0] or 0)
    if kind == "redirect_loop":
        return 302, b"", html, [("Location", f"{parts.path}?hop={1 - hop % 2}")]
    return 302, b"", html, [("Location", f"{parts.path}?hop={hop + 1}")]
