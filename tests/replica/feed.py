"""The news feed, ``/services/news_rdf.php``: RSS 1.0 (RDF) by default, RSS 2.0 on request."""

from __future__ import annotations

from email.utils import format_datetime

from .generate import Head
from .textmodel import escape_text

FEED_SIZE = 24
TITLE = "Novinite.com - Sofia News Agency"
DESCRIPTION = "Bulgaria news in English: politics, business, society, world"


def _xml(text: str) -> str:
    return escape_text(text)


def rdf(base: str, self_url: str, heads: list[Head]) -> str:
    """RSS 1.0: ``rdf:RDF`` with a channel, an ``rdf:Seq`` of items, ``dc:date`` with an offset."""
    seq = "".join(f'<rdf:li rdf:resource="{base}/view_news.php?id={h.article_id}"/>' for h in heads)
    items = "".join(
        f'<item rdf:about="{base}/view_news.php?id={h.article_id}">\n'
        f"<title>{_xml(h.title)}</title>\n<link>{base}/view_news.php?id={h.article_id}</link>\n"
        f"<description>{_xml(h.teaser)}</description>\n"
        f"<dc:date>{h.local.isoformat()}</dc:date>\n<dc:subject>{_xml(h.section.name)}</dc:subject>\n"
        "</item>\n"
        for h in heads
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<channel rdf:about="{_xml(self_url)}">\n<title>{TITLE}</title>\n<link>{base}/</link>\n'
        f"<description>{DESCRIPTION}</description>\n<items><rdf:Seq>{seq}</rdf:Seq></items>\n"
        f"</channel>\n{items}</rdf:RDF>\n"
    )


def rss2(base: str, heads: list[Head]) -> str:
    """RSS 2.0: ``pubDate`` in RFC 822 with the Sofia offset, as PHP's ``date('r')`` writes."""
    items = "".join(
        f"<item>\n<title>{_xml(h.title)}</title>\n<link>{base}/view_news.php?id={h.article_id}</link>\n"
        f'<guid isPermaLink="true">{base}/view_news.php?id={h.article_id}</guid>\n'
        f"<description>{_xml(h.teaser)}</description>\n<category>{_xml(h.section.name)}</category>\n"
        f"<pubDate>{format_datetime(h.local)}</pubDate>\n</item>\n"
        for h in heads
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{TITLE}</title>\n<link>{base}/</link>\n<description>{DESCRIPTION}</description>\n"
        f"<language>en</language>\n{items}</channel>\n</rss>\n"
    )
