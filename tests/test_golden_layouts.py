"""Golden pages keyed by layout: each site's layouts each have a golden page, and the manifest
names the layout that really reads each article page (fundus keys its test data by parser
version and fails on a version without data: a new layout comes with its golden pages)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import pytest

from tests.golden import GOLDEN_DIR, layout_name, load_manifest, read_page

SITES = sorted(p.name for p in GOLDEN_DIR.iterdir() if (p / "manifest.json").is_file())


def site_module(site: str) -> ModuleType:
    """The site's module (``spiders.<site>``): its `LAYOUTS` and `page_layout`."""
    return importlib.import_module(f"spiders.{site}")


def article_cases(site: str) -> dict[str, dict[str, Any]]:
    return {n: c for n, c in load_manifest(site).items() if c["kind"] == "article"}


def coverage_problems(layouts: Iterable[type], cases: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong between a site's layouts and its manifest: an article case without a
    ``layout`` key, a layout without a golden page, a manifest layout that names none."""
    problems = [f"{name}: no 'layout' key" for name, case in cases.items() if "layout" not in case]
    known = {layout.__name__ for layout in layouts}
    keyed = {case.get("layout") for case in cases.values()} - {None}
    problems += [f"layout {name} has no golden page" for name in sorted(known - keyed)]
    problems += [f"manifest layout {name} is no layout" for name in sorted(keyed - known)]
    return problems


def test_there_are_sites_with_golden_pages() -> None:
    assert "novinite" in SITES


@pytest.mark.parametrize("site", SITES)
def test_every_layout_has_a_golden_page(site: str) -> None:
    problems = coverage_problems(site_module(site).LAYOUTS, article_cases(site))
    assert not problems, f"{site}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("site", "name"), [(site, name) for site in SITES for name in sorted(article_cases(site))]
)
def test_manifest_layout_is_the_one_the_page_gets(site: str, name: str) -> None:
    case = article_cases(site)[name]
    picked = layout_name(site_module(site).page_layout, read_page(site, case))
    assert case.get("layout", "<missing>") == picked, f"{site}/{name} ({case['note']})"


class _Old:
    pass


class _New:
    pass


def test_the_coverage_check_fails_on_a_layout_without_pages_and_on_an_unknown_name() -> None:
    cases = {
        "a": {"kind": "article", "layout": "_Old"},
        "b": {"kind": "article", "layout": None},
    }
    assert coverage_problems([_Old], cases) == []
    assert coverage_problems([_Old, _New], cases) == ["layout _New has no golden page"]
    assert coverage_problems([_New], cases) == [
        "layout _New has no golden page",
        "manifest layout _Old is no layout",
    ]
    assert coverage_problems([_Old], {**cases, "c": {"kind": "article"}}) == ["c: no 'layout' key"]


def test_novinite_pages_are_keyed_by_the_layout_their_names_say() -> None:
    for name, case in article_cases("novinite").items():
        for layout in ("v2011", "v2019", "v2025"):
            if f"{layout}_" in name:
                assert case["layout"] == layout.upper(), name
