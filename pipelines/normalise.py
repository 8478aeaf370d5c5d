"""Stage 2: one form for everything stored — whitespace, Unicode NFC, entities, the canonical
URL without a fragment, UTC dates — whatever the site module produced."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any
from urllib.parse import urldefrag

from newsarchive import dates
from newsarchive.items import Article
from newsarchive.text import clean_block, clean_line, join_paragraphs


def _line(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = clean_line(html.unescape(value))
    return cleaned or None


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        cleaned = _line(value)
        if cleaned and cleaned not in seen:
            seen.add(cleaned)
            out.append(cleaned)
    return out


def normalise(article: Article) -> Article:
    """The article in the archive's one form (idempotent)."""
    return replace(
        article,
        site_id=article.site_id.strip(),
        url=urldefrag(article.url.strip()).url,
        title=_line(article.title) or "",
        section=_line(article.section),
        subsection=_line(article.subsection),
        author=_line(article.author),
        body=join_paragraphs(clean_block(html.unescape(p)) for p in article.body.split("\n\n")),
        tags=_unique(article.tags),
        sources=_unique(article.sources),
        image_url=article.image_url.strip() if article.image_url else None,
        published=dates.to_utc(article.published),
        published_local=article.published_local.replace(microsecond=0),
    )


class NormalisePipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            return normalise(item)
        return item
