"""Reading a page: the HTML parser, and the checks on a whole page made before any extraction.

A page is parsed once (libxml2, read as UTF-8, comments and processing instructions dropped,
never a network access). The checks look at the page's text: whether it claims to be HTML,
whether ``</html>`` closes it (a page cut off in transit lacks it), whether it is a block,
captcha or rate-limit page served in place of the one asked for.
"""

from __future__ import annotations

import re

from lxml import etree

PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, recover=True
)


def parse_html(html: str | bytes) -> etree._Element | None:
    """The document's root element (lxml, read as UTF-8), or None for an empty page."""
    data = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    if not data.strip():
        return None
    try:
        return etree.fromstring(data, PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)
#: How far from the end of a page its closing ``</html>`` is looked for.
HTML_END_WINDOW = 16_384
LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
#: Words of a block, captcha or rate-limit page served instead of an article.
BLOCK_PAGE = re.compile(
    r"captcha|access denied|are you a robot|verify you are human|too many requests"
    r"|just a moment|attention required|request blocked|you have been blocked",
    re.IGNORECASE,
)


def ends_html(text: str) -> bool:
    """Whether ``</html>`` closes the page (within its last `HTML_END_WINDOW` characters)."""
    start = max(0, len(text) - HTML_END_WINDOW)
    return text.rfind("</html>") >= start or HTML_END.search(text, start) is not None


def img_src(img: etree._Element) -> str | None:
    """The image's address as written: ``src``, else a lazy loader's ``data-src`` or
    ``data-original``; never an inline ``data:`` placeholder. None when it has none."""
    for attr in ("src", "data-src", "data-original"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None
