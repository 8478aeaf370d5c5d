"""Tag sets of the text walker: what ends a paragraph, what never holds visible text."""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """The white-space separated words of `text` (tag sets and word lists written as one line)."""
    return tuple(text.split())


#: Elements that end a paragraph (every other element is inline: its text runs on).
BLOCK_TAGS = frozenset(
    words(
        "p div ul ol li dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tfoot tr td"
        " th section article aside header footer nav main address hr center"
    )
)
#: Elements whose text is never visible text of the article.
NEVER_TEXT_TAGS = frozenset(
    words(
        "script style noscript template iframe object embed svg img picture video audio source"
        " button form input select textarea label figure figcaption map canvas head title meta"
        " link"
    )
)
HEADING_TAGS = frozenset(words("h1 h2 h3 h4 h5 h6"))
#: Elements that are not plain inline text for `inline_text`.
NOT_INLINE_TAGS = BLOCK_TAGS | NEVER_TEXT_TAGS | {"br"}
