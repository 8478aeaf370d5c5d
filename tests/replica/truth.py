"""What the archive must end up holding for one article: a truth.jsonl record.

Built from the generator's model (runs → plain text), never by parsing the rendered page.
"""

from __future__ import annotations

from newsarchive.dates import format_utc
from newsarchive.text import php_urlencode

from .faults import PAGE_FAULTS
from .generate import Story
from .textmodel import body_plain

SITE = "novinite"
#: The site's own root: the archive stores this address whatever root served the page
#: (DESIGN: `url` is the site's canonical URL), so the truth does too.
SITE_ROOT = "https://www.novinite.com"


def record(story: Story, base: str, fault: str | None = None) -> dict[str, object]:
    """The truth for `story` (its current version) served at `base` (its URLs are the site's own,
    `SITE_ROOT`, as the archive keeps them); ``skip`` for fault pages."""
    head = story.head
    article_id = head.article_id
    body = "" if fault == "empty_body" else body_plain(list(story.paragraphs))
    out: dict[str, object] = {
        "site": SITE,
        "site_id": str(article_id),
        "url": f"{SITE_ROOT}/articles/{article_id}/{php_urlencode(head.title)}",
        "title": head.title,
        "section": head.section.name,
        "subsection": head.subsection.name if head.subsection else None,
        "published": format_utc(head.local),
        "published_local": head.local.isoformat(),
        "author": head.author,
        "body": body,
        "tags": list(head.tags),
        "sources": list(story.sources),
        "image_url": f"{SITE_ROOT}/images/{article_id}.jpg",
        "version": head.version,
    }
    reason = PAGE_FAULTS.get(fault) if fault else None
    if reason:
        out["skip"] = reason
    return out
