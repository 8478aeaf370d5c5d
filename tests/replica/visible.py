"""A page's visible text, as a reader copying it would get it (for comparing with seed-article.txt).

Block elements start and end lines, ``<br>`` breaks a line, ``<li>`` reads ``• text``; scripts,
styles, ``<head>`` and hidden elements (``hidden``, ``display:none``) are skipped. Each line is
whitespace-normalised and blank lines are dropped.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
    ]
)
SKIPPED = frozenset({"script", "style", "head", "noscript", "template", "title"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


def _hidden(element: lxml_html.HtmlElement) -> bool:
    return element.get("hidden") is not None or bool(_HIDDEN.search(element.get("style") or ""))


def visible_lines(markup: str | bytes) -> list[str]:
    """The visible text of an HTML document or fragment, one normalised line per list item."""
    root = lxml_html.fromstring(markup)
    parts: list[str] = []

    def walk(element: lxml_html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in SKIPPED or (tag and _hidden(element)):
            if element.tail:
                parts.append(element.tail.replace("\n", " "))
            return
        if tag == "br":
            parts.append("\n")
        elif tag in BLOCKS:
            parts.append("\n")
            if tag == "li":
                parts.append("• ")
        if tag and element.text:
            parts.append(element.text.replace("\n", " "))  # a source newline is a space
        for child in element:
            walk(child)
        if tag in BLOCKS:
            parts.append("\n")
        if element.tail:
            parts.append(element.tail.replace("\n", " "))

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def normalise_lines(text: str) -> list[str]:
    """Plain text compared the same way: whitespace normalised, blank lines dropped."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]
