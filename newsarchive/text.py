"""Shared, pure text helpers: cleaning extracted text, slugs, hashes, word counts."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote_plus

_SPACES = re.compile(r"[^\S\n]+")  # whitespace other than newlines
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean_line(text: str) -> str:
    """One line of visible text: NFC, no-break and runs of spaces to one space, trimmed."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def clean_block(text: str) -> str:
    """A paragraph that may hold line breaks (``<br>``): each line cleaned, empty lines dropped."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


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
