"""A word-level diff of two texts, for the reader's list of versions: pure, whole text.

`word_diff` returns the new text's pieces in order, each ``("same" | "ins" | "del", text)``:
the pieces of ``same`` and ``ins`` joined give the new text exactly, those of ``same`` and
``del`` the old one. Whitespace (blank lines between paragraphs included) travels with the
word before it, so paragraphs stay paragraphs when the pieces are shown in ``pre-wrap``.
"""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\S+\s*|\s+")


def tokens(text: str) -> list[str]:
    """`text` as words, each with the whitespace after it (leading whitespace its own)."""
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The changes from `old` to `new`, word by word: ``(kind, text)`` pieces, kind ``same``,
    ``del`` (only in `old`) or ``ins`` (only in `new`); a replacement is its ``del`` then its
    ``ins``; neighbouring pieces of one kind are joined."""
    before, after = tokens(old), tokens(new)
    # Compare words without their trailing space: a word that gained a paragraph break after
    # it is the same word.
    matcher = difflib.SequenceMatcher(
        None, [t.rstrip() for t in before], [t.rstrip() for t in after], autojunk=False
    )
    pieces: list[tuple[str, str]] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == kind:
            pieces[-1] = (kind, pieces[-1][1] + text)
        else:
            pieces.append((kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for old_token, new_token in zip(before[i1:i2], after[j1:j2], strict=True):
                word = new_token.rstrip()
                add("same", word)
                if old_token[len(word) :] == new_token[len(word) :]:
                    add("same", new_token[len(word) :])
                else:  # the same word, other space after it (a paragraph break came or went)
                    add("del", old_token[len(word) :])
                    add("ins", new_token[len(word) :])
        else:
            add("del", "".join(before[i1:i2]))
            add("ins", "".join(after[j1:j2]))
    return pieces


def changed(pieces: list[tuple[str, str]]) -> bool:
    """Whether the diff has any insertion or deletion."""
    return any(kind != "same" for kind, _ in pieces)
