"""Shared, pure text helpers: cleaning extracted text, slugs, hashes, word counts, and text fit
to print on a terminal."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote_plus

#: Zero-width characters and the soft hyphen: invisible, never part of a word we keep.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_DELETE_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))

#: C0 controls, DEL and C1 controls: a terminal obeys them (ESC starts a sequence that can
#: recolour the screen, move the cursor, retitle the window …), so a page's text is printed
#: without them. Tabs and line breaks become spaces on one line, or stay in multi-line text.
_CONTROLS = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0)])
_ONE_LINE = {**_CONTROLS, **dict.fromkeys(map(ord, "\t\n\r\v\f"), " ")}
_MULTILINE = {code: None for code in _CONTROLS if chr(code) not in "\t\n"}


def _normal(text: str) -> str:
    """NFC without invisible characters (ASCII text is both already: nothing to do)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    if any(c in text for c in INVISIBLE):
        text = text.translate(_DELETE_INVISIBLE)
    return text


def clean_line(text: str) -> str:
    """One line of visible text: NFC, no-break and runs of spaces to one space, trimmed.

    ``str.split()`` splits on exactly the characters ``str.isspace`` calls white space, the
    no-break space among them, so no regex has to look at every character.
    """
    return " ".join(_normal(text).split())


def clean_block(text: str) -> str:
    """A paragraph that may hold line breaks (``<br>``): each line cleaned, empty lines dropped."""
    text = _normal(text)
    if "\n" not in text:
        return " ".join(text.split())
    return "\n".join(filter(None, (" ".join(line.split()) for line in text.split("\n"))))


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs (each cleaned) joined by one blank line; empty ones dropped."""
    return "\n\n".join(p for p in (clean_block(p) for p in paragraphs) if p)


def php_urlencode(text: str) -> str:
    """PHP's ``urlencode``: spaces to ``+``, everything but ``A-Za-z0-9_.-`` percent-encoded."""
    return quote_plus(text, safe="").replace("~", "%7E")


def word_count(body: str) -> int:
    """Words in a body of plain text (runs of non-space characters)."""
    return len(body.split())


def content_hash(title: str, body: str, tags: Iterable[str]) -> str:
    """sha256 hex of the title, body and tags: what decides a new version.

    The fields are hashed as stored: the normalise stage has already put them in their one
    form, so the hash does not clean them again (that doubled a store's cost).
    """
    payload = json.dumps([title, body, list(tags)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` safe to print on a terminal: control characters (C0, DEL, C1; ESC among them)
    removed, tabs and line breaks made spaces, or kept (tab and newline) with `multiline`.

    A page's text is stored exactly as the site sent it; this is for printing it only (JSON
    output escapes control characters itself and keeps the data exact)."""
    if text.isprintable():
        return text
    return text.translate(_MULTILINE if multiline else _ONE_LINE)
