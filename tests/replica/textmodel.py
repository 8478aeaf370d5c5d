"""Article text as token runs, rendered two ways: page HTML and the plain-text truth.

A paragraph is a tuple of runs ``(kind, text, href)``. The HTML and the truth are both derived
from the runs, never one from the other, so an extractor is checked against an independent
model. Kinds:

``t`` text · ``b`` <strong> · ``i`` <em> · ``bi`` <strong><em> · ``a`` link (href) ·
``br`` a <br> (a line break in the truth) · ``nl`` a newline in the HTML source (a space in
the truth: source newlines are not line breaks).

Text may hold ``\\xa0`` (rendered ``&nbsp;``, a plain space in the truth) and ``’`` (rendered
``&#8217;`` when the page uses entities).
"""

from __future__ import annotations

from newsarchive.text import clean_block

Run = tuple[str, str, str]
Paragraph = tuple[Run, ...]


def _escape_basic(text: str) -> str:
    # Chained str.replace is several times faster than str.translate with a dict table.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\xa0" in text:
        text = text.replace("\xa0", "&nbsp;")
    return text


def _escape_entities(text: str) -> str:
    text = _escape_basic(text)
    if "’" in text:
        text = text.replace("’", "&#8217;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def text_run(text: str) -> Run:
    """A run of plain text."""
    return ("t", text, "")


def escape_text(text: str, entities: bool = False) -> str:
    """Text for HTML element content; with `entities`, ’ and quotes as character references."""
    return _escape_entities(text) if entities else _escape_basic(text)


def escape_attr(text: str) -> str:
    """Text for a double-quoted HTML attribute value."""
    return _escape_entities(text)


def runs_html(runs: Paragraph, entities: bool = False) -> str:
    """The paragraph's inner HTML."""
    esc = _escape_entities if entities else _escape_basic
    out: list[str] = []
    for kind, text, href in runs:
        if kind == "t":
            out.append(esc(text))
        elif kind == "b":
            out.append(f"<strong>{esc(text)}</strong>")
        elif kind == "i":
            out.append(f"<em>{esc(text)}</em>")
        elif kind == "bi":
            out.append(f"<strong><em>{esc(text)}</em></strong>")
        elif kind == "a":
            out.append(f'<a href="{_escape_entities(href)}">{esc(text)}</a>')
        elif kind == "br":
            out.append("<br>" if not entities else "<br />")
        elif kind == "nl":
            out.append("\n")
        else:  # pragma: no cover - a generator bug
            raise ValueError(f"unknown run kind {kind!r}")
    return "".join(out)


def runs_plain(runs: Paragraph) -> str:
    """The paragraph as the truth holds it: markup gone, <br> a newline, spaces collapsed."""
    parts: list[str] = []
    for kind, text, _href in runs:
        if kind == "br":
            parts.append("\n")
        elif kind == "nl":
            parts.append(" ")
        else:
            parts.append(text)
    return clean_block("".join(parts).replace("\xa0", " "))


def body_plain(paragraphs: list[Paragraph]) -> str:
    """The article body as the truth holds it: paragraphs joined by one blank line."""
    texts = (runs_plain(p) for p in paragraphs)
    return "\n\n".join(t for t in texts if t)
