"""The site-independent HTML toolkit every site module builds its page functions on.

- `document`: `parse_html` (one libxml2 parse per page) and the whole-page checks (is it HTML,
  does ``</html>`` close it, is it a block or captcha page), `img_src`;
- `find`: elements by id (`ById`, the parser's id table), by class token (`ByClass`,
  `class_predicate`), in document order (`in_order`, lazily), and small tests on them;
- `tags`: the tag sets (block, never text, headings);
- `walker`: the visible text of a subtree as paragraphs (`TextWalker`, `Block`) or one line
  (`inline_text`).

Nothing here knows a site: what is body, boilerplate or a layout is the site module's.
"""

from __future__ import annotations

from newsarchive.extract.document import (
    BLOCK_PAGE,
    HTML_END,
    HTML_END_WINDOW,
    LOOKS_LIKE_HTML,
    PARSER,
    ends_html,
    img_src,
    page_detail,
    parse_html,
)
from newsarchive.extract.find import (
    IDS_INDEXED,
    ByClass,
    ById,
    class_predicate,
    classes,
    first,
    has_class,
    in_order,
    inside,
    under,
)
from newsarchive.extract.tags import (
    BLOCK_TAGS,
    HEADING_TAGS,
    NEVER_TEXT_TAGS,
    NOT_INLINE_TAGS,
    words,
)
from newsarchive.extract.walker import Block, TextWalker, inline_text, source_text

__all__ = [
    "BLOCK_PAGE",
    "BLOCK_TAGS",
    "HEADING_TAGS",
    "HTML_END",
    "HTML_END_WINDOW",
    "IDS_INDEXED",
    "LOOKS_LIKE_HTML",
    "NEVER_TEXT_TAGS",
    "NOT_INLINE_TAGS",
    "PARSER",
    "Block",
    "ByClass",
    "ById",
    "TextWalker",
    "class_predicate",
    "classes",
    "ends_html",
    "first",
    "has_class",
    "img_src",
    "page_detail",
    "in_order",
    "inline_text",
    "inside",
    "parse_html",
    "source_text",
    "under",
    "words",
]
