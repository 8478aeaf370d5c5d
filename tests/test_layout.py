"""The shape of the code (docs/DESIGN.md, "Layout"): the core names no site, modules and
functions stay small enough for a newcomer to hold, one home per fact."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("newsarchive", "spiders", "pipelines")
CORE = ("newsarchive", "pipelines")
#: What would tie the core to one site: its name, its country, its zone.
SITE_WORDS = re.compile(r"\b(?:bulgaria\w*|sofia|europe/\w+|syria|iran)\b", re.IGNORECASE)
MODULE_MAX_LINES = 400
FUNCTION_MAX_LINES = 60


def sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".json"))


def site_names() -> list[str]:
    settings = Settings()
    settings.setmodule("newsarchive.settings")
    return SpiderLoader.from_settings(settings).list()


def test_the_core_names_no_site_country_or_zone():
    names = re.compile(r"\b(?:" + "|".join(map(re.escape, site_names())) + r")\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in sources(*CORE)
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if names.search(line) or SITE_WORDS.search(line)
    ]
    assert found == []


def test_no_module_or_function_is_larger_than_a_newcomer_can_hold():
    big = []
    for path in sources(*PRODUCT):
        if path.suffix != ".py":
            continue
        text = path.read_text("utf-8")
        if len(text.splitlines()) > MODULE_MAX_LINES:
            big.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > FUNCTION_MAX_LINES:
                    big.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {length}")
    assert big == []


def test_exit_codes_have_one_home():
    assignments = re.compile(r"^\s*(?:EXIT_\w+|\w+)\s*(?:,\s*\w+\s*)*=\s*0\s*,\s*1\s*,\s*2", re.M)
    literal = re.compile(r"\bEXIT_(?:OK|FAILED|USAGE|LOCKED|UNREACHABLE|ARCHIVE)\s*=")
    found = [
        str(path.relative_to(ROOT))
        for path in sources(*PRODUCT)
        if path.suffix == ".py"
        and path.name != "exitcodes.py"
        and (assignments.search(path.read_text("utf-8")) or literal.search(path.read_text("utf-8")))
    ]
    assert found == []
