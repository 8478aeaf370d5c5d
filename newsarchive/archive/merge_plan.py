"""What one article becomes when two archives' copies of it are merged: pure functions.

`plan(target, source)` takes what each archive holds of one article (`Held`: its row, its
superseded versions, the metadata of its raw pages) and returns the merged article (`Plan`);
`merge` reads and writes the archives around it. No I/O here, so every rule below is tested
on plain values.

The rules, each a choice that does not depend on which archive came first (so that merging
is order-free and idempotent):

- A version is a content hash: equal hashes are one version, however many archives or
  episodes held it. Its ``seen_from`` is the earliest any archive saw it; its last sighting
  the latest — the current row's ``last_seen``, or an old version's ``seen_until`` (a bound
  just before the next version was seen, so it ranks below a sighting at the same second)
  or, when a merge made it old, its ``last_seen`` (kept so that no later merge loses it).
- Versions are ordered by their last sighting, then ``seen_from``, then hash; the last one is
  current. (Ordering by the last sighting keeps the content a site shows now current even
  when an edit was undone: X, Y, X again merges to Y then X, not to Y current.)
- The current row's other fields (url, section, author, …) and run come from the row seen
  last (ties broken by those fields, then the run); ``first_seen`` is the earliest of all.
- Each version keeps one raw page: the first fetched (ties: url, status, size; a full tie is
  the same page, the target's kept).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newsarchive.archive.values import loads_list
from newsarchive.text import content_hash, word_count

#: The articles columns that describe the current version apart from its text (title, body,
#: tags, which its content hash stands for, and the word count of its body): copied from the
#: row seen last.
ROW_FIELDS = (
    "url",
    "section",
    "subsection",
    "published",
    "published_local",
    "author",
    "sources",
    "image_url",
)
#: A sighting's rank among equal times: an old version's ``seen_until`` comes just before.
UNTIL, SEEN = 0, 1


@dataclass(frozen=True)
class Page:
    """A raw page's metadata: which archive holds it (``target``/``source``) at which version."""

    origin: str
    version: int
    url: str | None
    fetched_at: str | None
    status: int | None
    size: int

    def key(self) -> tuple[Any, ...]:
        """The order that picks a version's page: first fetched, then url, status, size; the
        target's before the source's on a full tie (the same page: nothing to rewrite)."""
        return (
            self.fetched_at or "",
            self.url or "",
            -1 if self.status is None else self.status,
            self.size,
            self.origin != "target",
        )


@dataclass
class Held:
    """One archive's copy of an article: its row (every articles column but ``id``; ``run_id``
    already in the target's ids), ``run_key`` (the identity of the row's run, comparable across
    archives), its old versions (article_versions rows as dicts) and its raw pages."""

    row: dict[str, Any]
    run_key: str = ""
    versions: list[dict[str, Any]] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


@dataclass
class Version:
    """One content hash, as the merged article holds it."""

    content_hash: str
    title: str
    body: str
    tags: str | None
    seen_from: str
    last: tuple[str, int]

    def order(self) -> tuple[Any, ...]:
        return (self.last, self.seen_from, self.content_hash)


@dataclass
class Plan:
    """The merged article: its row (``version`` is the number of versions), its superseded
    versions as article_versions rows (1 … version-1), the raw page kept for each version,
    and how many versions the target did not hold."""

    row: dict[str, Any]
    versions: list[dict[str, Any]]
    pages: dict[int, Page]
    added: int


def _sightings(held: Held) -> Iterable[Version]:
    """Each version an archive holds, with when it was first and last seen there."""
    for old in held.versions:
        last = (old["seen_until"] or "", UNTIL)
        if old.get("last_seen"):  # None before schema 3
            last = max(last, (old["last_seen"], SEEN))
        yield _version(old, old["seen_from"], last)
    row = held.row
    yield _version(row, row["last_changed"], (row["last_seen"] or "", SEEN))


def _digest(text: dict[str, Any]) -> str:
    """The content hash of a row holding a version's text (computed when the row has none)."""
    return str(
        text["content_hash"] or content_hash(text["title"], text["body"], loads_list(text["tags"]))
    )


def _version(text: dict[str, Any], seen_from: str | None, last: tuple[str, int]) -> Version:
    """A version from a row holding its text."""
    return Version(_digest(text), text["title"], text["body"], text["tags"], seen_from or "", last)


def earliest(*stamps: str | None) -> str:
    """The earliest of the timestamps given (a missing one, NULL or empty, is no sighting)."""
    return min((s for s in stamps if s), default="")


def _text(version: Version) -> tuple[str, str, str]:
    return (version.title, version.body, version.tags or "")


def fold(helds: Iterable[Held]) -> list[Version]:
    """Every version of the article, one per content hash, oldest first (the module's rules)."""
    merged: dict[str, Version] = {}
    for held in helds:
        for seen in _sightings(held):
            known = merged.get(seen.content_hash)
            if known is None:
                merged[seen.content_hash] = seen
                continue
            if (seen.last, _text(seen)) > (known.last, _text(known)):
                known.title, known.body, known.tags = seen.title, seen.body, seen.tags
            known.seen_from = earliest(known.seen_from, seen.seen_from)
            known.last = max(known.last, seen.last)
    return sorted(merged.values(), key=Version.order)


def _row_key(held: Held) -> tuple[str, str, str]:
    fields = json.dumps([held.row[name] for name in ROW_FIELDS], ensure_ascii=False)
    return (held.row["last_seen"] or "", fields, held.run_key)


def _current_row(helds: list[Held], current: Version) -> dict[str, Any]:
    """The merged row: the current version's text, the other fields and the run of the row
    seen last (which holds that version, but for a tie at one second between two archives
    showing different text)."""
    winner = max(helds, key=_row_key)
    row = {name: winner.row[name] for name in ROW_FIELDS}
    row.update(title=current.title, body=current.body, tags=current.tags)
    row.update(content_hash=current.content_hash, word_count=word_count(current.body))
    row["run_id"] = winner.row["run_id"]
    return row


def _pages(helds: list[Held], numbers: dict[str, int]) -> dict[int, Page]:
    """The raw page kept for each merged version number (the first fetched of its hash)."""
    kept: dict[int, Page] = {}
    for held in helds:
        hashes = {old["version"]: _digest(old) for old in held.versions}
        hashes[held.row["version"]] = _digest(held.row)
        for page in held.pages:
            digest = hashes.get(page.version)
            if digest is None:
                continue  # a page of no version the archive holds: nothing to file it under
            number = numbers[digest]
            if number not in kept or page.key() < kept[number].key():
                kept[number] = page
    return kept


def plan(target: Held | None, source: Held) -> Plan:
    """The article once `source`'s copy is merged into `target`'s (None: the target has none)."""
    helds = [source] if target is None else [target, source]
    versions = fold(helds)
    current = versions[-1]
    numbers = {v.content_hash: n for n, v in enumerate(versions, 1)}
    row = _current_row(helds, current)
    firsts = [h.row["first_seen"] for h in helds] + [v.seen_from for v in versions]
    row.update(
        version=len(versions),
        first_seen=earliest(*firsts) or None,
        last_seen=current.last[0] or None,
        last_changed=current.seen_from or None,
    )
    old = [
        {
            "version": number,
            "title": v.title,
            "body": v.body,
            "tags": v.tags,
            "content_hash": v.content_hash,
            "seen_from": v.seen_from or None,
            "seen_until": v.last[0] or None,
            "last_seen": v.last[0] if v.last[1] == SEEN else None,
        }
        for number, v in enumerate(versions[:-1], 1)
    ]
    known = set() if target is None else {v.content_hash for v in fold([target])}
    added = sum(1 for v in versions if v.content_hash not in known)
    return Plan(row=row, versions=old, pages=_pages(helds, numbers), added=added)
