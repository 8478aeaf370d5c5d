"""The replica's sections: novinite's real category ids, invented subsection ids, weights."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from newsarchive.text import php_urlencode


@dataclass(frozen=True)
class Section:
    """A category of the site: a top section, or a subsection (``parent`` set)."""

    index: int
    """Position in `SECTIONS` (what the compact per-article arrays store)."""
    cat_id: int
    """The site's category id (``/articles/category/{cat_id}/{Name}``)."""
    name: str
    weight: int
    """Relative frequency among new articles (top sections); share of the parent (subsections)."""
    group: str
    """Topic group for the text generator: ``politics``, ``economy``, ``society``, ``world``."""
    parent: int | None = None
    """Index of the parent section, for a subsection."""

    @cached_property
    def href(self) -> str:
        """Relative URL of the section's listing."""
        return f"/articles/category/{self.cat_id}/{php_urlencode(self.name)}"


_TOP: list[tuple[int, str, int, str]] = [
    # cat_id, name, weight, topic group
    (1, "Business", 12, "economy"),
    (2, "Politics", 14, "politics"),
    (3, "Society", 12, "society"),
    (4, "Sports", 5, "society"),
    (5, "Crime", 5, "society"),
    (6, "Lifestyle", 3, "society"),
    (10, "Views on BG", 2, "politics"),
    (11, "Editorial", 1, "politics"),
    (15, "Finance", 3, "economy"),
    (16, "Energy", 4, "economy"),
    (17, "Industry", 2, "economy"),
    (18, "Properties", 1, "economy"),
    (20, "Diplomacy", 2, "politics"),
    (21, "Defense", 3, "politics"),
    (22, "Bulgaria in EU", 2, "politics"),
    (23, "Domestic", 3, "politics"),
    (24, "Environment", 2, "society"),
    (25, "Education", 1, "society"),
    (26, "Culture", 3, "society"),
    (30, "World", 25, "world"),
    (34, "Archaeology", 1, "society"),
    (62, "Health", 2, "society"),
    (81, "Novinite Insider", 3, "politics"),
]

# Subsections: cat_id, name, parent cat_id, percent of the parent's articles that carry it.
_SUB: list[tuple[int, str, int, int]] = [
    (131, "Ukraine", 30, 18),
    (132, "EU", 30, 12),
    (133, "Southeast Europe", 30, 14),
    (134, "Defense", 2, 12),
    (135, "SPECIAL REPORT", 81, 35),
]


def _build() -> list[Section]:
    sections = [Section(i, cat, name, w, g) for i, (cat, name, w, g) in enumerate(_TOP)]
    by_cat = {s.cat_id: s for s in sections}
    for cat, name, parent_cat, pct in _SUB:
        parent = by_cat[parent_cat]
        sections.append(Section(len(sections), cat, name, pct, parent.group, parent.index))
    return sections


SECTIONS: list[Section] = _build()
"""Every section; an article stores the index of its top section and of its subsection."""
NO_SUB = 255
"""Subsection index stored for an article without a subsection."""
BY_CAT: dict[int, Section] = {s.cat_id: s for s in SECTIONS}
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS if s.parent is None}
TOP_SECTIONS: list[Section] = [s for s in SECTIONS if s.parent is None]
SUBSECTIONS_OF: dict[int, list[Section]] = {
    top.index: [s for s in SECTIONS if s.parent == top.index] for top in TOP_SECTIONS
}
WORLD = BY_NAME["World"]


def subsection(parent_name: str, name: str) -> Section:
    """The subsection `name` of the top section `parent_name`."""
    parent = BY_NAME[parent_name]
    for sub in SUBSECTIONS_OF[parent.index]:
        if sub.name == name:
            return sub
    raise KeyError(f"{parent_name} » {name}")
