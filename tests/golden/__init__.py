"""Golden pages: saved pages with the fields extraction must give back.

Each site has a folder (``tests/golden/novinite/``) holding ``manifest.json`` and, per case,
the saved page (``<name>.html`` or ``<name>.xml``) and the expected result ``<name>.json``:
`Article.record()` with sorted keys, ``{"skip": reason}`` for a page that must be skipped, or
`listing_record()` for a listing, an archive day or the feed.

The manifest maps each name to the URL the page was served at and where it comes from::

    {"seed_2024_12_06": {"file": "seed_2024_12_06.html", "url": "https://…", "kind": "article",
                         "origin": "hand", "expected": "hand", "layout": "V2025",
                         "note": "…"}}

``kind`` is ``article`` or ``listing``; ``origin`` is ``hand`` (written by hand, following and
varying the markup contract) or ``replica`` (saved from tests/replica by ``regen``);
``expected`` is ``hand`` when the JSON was written by hand and is never regenerated,
``reviewed`` when it was written from the extractor's output and checked by a person,
``generated`` when ``regen`` wrote it; ``truth`` (replica articles) says whether it equalled
the replica's truth.jsonl entry when it was saved. ``layout`` (articles) names the site
module's layout class that reads the page (the site's `page_layout`), or is null for a page
skipped before a layout is chosen; as fundus keys its test data by parser version, every
layout in the site's `LAYOUTS` must have a golden page (tests/test_golden_layouts.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsarchive.dates import format_utc
from newsarchive.items import Article, Listing, Skip

GOLDEN_DIR = Path(__file__).resolve().parent


def site_dir(site: str) -> Path:
    return GOLDEN_DIR / site


def load_manifest(site: str) -> dict[str, dict[str, Any]]:
    return json.loads((site_dir(site) / "manifest.json").read_text(encoding="utf-8"))


def save_manifest(site: str, manifest: dict[str, dict[str, Any]]) -> None:
    (site_dir(site) / "manifest.json").write_text(dump(manifest), encoding="utf-8")


def read_page(site: str, case: dict[str, Any]) -> str:
    return (site_dir(site) / case["file"]).read_text(encoding="utf-8")


def read_expected(site: str, name: str) -> dict[str, Any]:
    return json.loads((site_dir(site) / f"{name}.json").read_text(encoding="utf-8"))


def dump(value: object) -> str:
    """JSON as the golden files hold it: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def article_result(parse: Callable[[str, str], Article], html: str, url: str) -> dict[str, Any]:
    """What a page gives: the article's record, or ``{"skip": reason}``."""
    try:
        return parse(html, url).record()
    except Skip as skip:
        return {"skip": skip.reason}


def layout_name(page_layout: Callable[[str], type | None], html: str) -> str | None:
    """The manifest's ``layout`` of an article page: the name of the class the site's
    `page_layout` picks, or None for a page skipped before a layout is chosen."""
    layout = page_layout(html)
    return layout.__name__ if layout else None


def listing_result(parse: Callable[[str, str], Listing], html: str, url: str) -> dict[str, Any]:
    """What a listing page gives: its record, or ``{"skip": reason}``."""
    try:
        return listing_record(parse(html, url))
    except Skip as skip:
        return {"skip": skip.reason}


def listing_record(listing: Listing) -> dict[str, Any]:
    """A Listing as JSON-ready values (dates as UTC ``Z``)."""
    return {
        "kind": listing.kind,
        "next_url": listing.next_url,
        "entries": [
            {
                "site_id": e.site_id,
                "url": e.url,
                "title": e.title,
                "published": format_utc(e.published) if e.published else None,
                "section": e.section,
                "subsection": e.subsection,
            }
            for e in listing.entries
        ],
    }


def diff_fields(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """One readable line (or a few) per field that differs; empty when equal."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected.get(key, "<missing>"), actual.get(key, "<missing>")
        if want == got:
            continue
        if isinstance(want, str) and isinstance(got, str) and ("\n" in want or "\n" in got):
            import difflib

            delta = difflib.unified_diff(
                want.split("\n"), got.split("\n"), "expected", "actual", lineterm="", n=1
            )
            lines.append(f"{key}:\n    " + "\n    ".join(delta))
        else:
            lines.append(f"{key}: expected {want!r}, got {got!r}")
    return lines
