"""Reading a page: the HTML parser, and the checks on a whole page made before any extraction.

A page is parsed once (libxml2, read as UTF-8, comments and processing instructions dropped,
never a network access). The checks look at the page's text: whether it claims to be HTML,
whether ``</html>`` closes it (a page cut off in transit lacks it), whether it is a block,
captcha or rate-limit page served in place of the one asked for.
"""

from __future__ import annotations

import re

from lxml import etree

from newsarchive.items import Skip

PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, recover=True
)


#: libxml2 stops building the tree at 256 nested elements (its XML_PARSE_HUGE limit) and, with
#: ``recover``, returns what it had: a page cut short without a word. No real page nests so deep.
DEPTH_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT


def parse_html(html: str | bytes) -> etree._Element | None:
    """The document's root element (lxml, read as UTF-8), or None for an empty page.

    Raises `Skip("too_deep")` for a page nested deeper than the parser builds (a page built to
    hurt parsers): what it would give back is only the page's first part."""
    data = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    error = PARSER.error_log.last_error  # the depth limit stops the parser: it comes last
    if error is not None and error.type == DEPTH_LIMIT:
        raise Skip("too_deep", f"the page nests elements deeper than the parser reads ({error.message})")
    return root


HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)
#: How far from the end of a page its closing ``</html>`` is looked for.
HTML_END_WINDOW = 16_384
LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
#: Words of a block, captcha, rate-limit or maintenance page served instead of the page asked
#: for (looked for only on a page that has nothing else: no date line, no body).
BLOCK_PAGE = re.compile(
    r"captcha|access denied|are you a robot|verify you are human|too many requests"
    r"|just a moment|attention required|request blocked|you have been blocked"
    r"|maintenance|temporarily unavailable|be back soon|service unavailable",
    re.IGNORECASE,
)


def ends_html(text: str) -> bool:
    """Whether ``</html>`` closes the page (within its last `HTML_END_WINDOW` characters)."""
    start = max(0, len(text) - HTML_END_WINDOW)
    return text.rfind("</html>") >= start or HTML_END.search(text, start) is not None


def page_detail(root: etree._Element, why: str) -> str:
    """`why` with the page's ``<title>`` (what a person would see in the tab), for skip details."""
    title = root.find(".//title")
    name = " ".join((title.text or "").split()) if title is not None else ""
    return f"{why} (page title {name[:80]!r})" if name else why


def img_src(img: etree._Element) -> str | None:
    """The image's address as written: ``src``, else a lazy loader's ``data-src`` or
    ``data-original``; never an inline ``data:`` placeholder. None when it has none."""
    for attr in ("src", "data-src", "data-original"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None
