"""Real pages: the generic extractor against trafilatura on pages no one here wrote.

``BENCH_REALPAGES=DIR python -m bench --only realpages``: DIR is a copy of the public
article-extraction-benchmark (``ground-truth.json``: ``{sha256: {"articleBody", "url"}}``,
``html/<sha256>.html.gz``). Its truth is each page's body; body token-F1 is measured for both
extractors on every page (a `Skip` counts as an empty body, F1 0).

Title, publication time and authors have no truth in the benchmark; it is derived here from
each page's own metadata, read by this file's own small reader (not the extractor's code), and
only where the page gives it:
- title: the page's ``<h1>`` where it equals (spaces collapsed) the JSON-LD ``headline`` or
  ``og:title`` — two of the page's own statements agreeing;
- published: the JSON-LD ``datePublished``, else ``article:published_time``, when it carries
  an offset (a time without one has no single instant to compare); compared to the minute;
- authors: the JSON-LD ``author`` names (a string, a Person, or a list of them; a leading
  "By " dropped), joined by ", " as our ``author`` field joins them.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from bench.common import Result
from bench.extract import token_f1
from newsarchive.items import Skip
from spiders.generic import parse_article

ENV = "BENCH_REALPAGES"


def load(folder: Path) -> list[tuple[str, str, str]]:
    """(url, html, true body) for every page of the benchmark folder."""
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        pages.append((item["url"], raw.decode("utf-8", "replace"), item["articleBody"]))
    return pages


def _ld_article(root: Any) -> dict:
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                    return item
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity"))
    return {}


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.append(" ".join(name.split()))
    return out


def page_truth(html: str) -> dict[str, Any]:
    """The title, published instant and authors the page's own metadata states (see above)."""
    root = lxml_html.document_fromstring(html)
    article = _ld_article(root)
    meta = {(m.get("property") or m.get("name") or "").lower(): m.get("content", "")
            for m in root.xpath("//meta[@content]")}  # fmt: skip
    truth: dict[str, Any] = {}
    h1 = next((" ".join(h.text_content().split()) for h in root.iter("h1")), "")
    stated = {" ".join(str(v).split()) for v in (article.get("headline"), meta.get("og:title")) if v}
    if h1 and h1 in stated:
        truth["title"] = h1
    raw = article.get("datePublished") or meta.get("article:published_time")
    if isinstance(raw, str) and re.search(r"(?:Z|[+-]\d\d:?\d\d)$", raw.strip()):
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            if when.year >= 1990:  # some pages state 0001-01-01: no date, not a truth
                truth["published"] = when
    authors = [re.sub(r"^by\s+", "", n, flags=re.I) for n in _names(article.get("author"))]
    if authors:
        truth["authors"] = authors
    return truth


def run(folder: str | None = None) -> list[Result]:
    folder = folder or os.environ.get(ENV)
    if not folder:
        print(f"  {ENV} not set: real-page figures skipped")
        return []
    pages = load(Path(folder))
    _warm_up(pages)
    ours, ours_ms, skips, errors, checks = _ours(pages)
    import trafilatura

    started, theirs = time.perf_counter(), []
    for url, html, body in pages:
        theirs.append(token_f1(trafilatura.extract(html, url=url) or "", body))
    theirs_ms = (time.perf_counter() - started) * 1000 / len(pages)
    mean = sum(ours) / len(ours)
    their_mean = sum(theirs) / len(theirs)
    print(f"  {len(pages)} real pages: body F1 {mean:.3f} vs trafilatura {their_mean:.3f}; "
          f"{ours_ms:.1f} vs {theirs_ms:.1f} ms/page; {skips} skipped, {errors} exceptions")
    rates = {name: (hit / total if total else 0.0, total) for name, (hit, total) in checks.items()}
    for name, (rate, total) in rates.items():
        print(f"  {name}: {rate:.3f} of {total} pages whose metadata states it")
    return [
        Result("realpages_body_f1", mean, "F1"),
        Result("realpages_trafilatura_body_f1", their_mean, "F1"),
        Result("realpages_ms_per_page", ours_ms, "ms"),
        Result("realpages_trafilatura_ms_per_page", theirs_ms, "ms"),
        Result("realpages_title_exact", rates["title"][0], "fraction"),
        Result("realpages_published_minute", rates["published"][0], "fraction"),
        Result("realpages_authors_exact", rates["authors"][0], "fraction"),
        Result("realpages_skipped", skips, "pages"),
        Result("realpages_exceptions", errors, "pages"),
    ]


def _warm_up(pages: list[tuple[str, str, str]]) -> None:
    """One pass over a few pages first: imports and first-use tables (dateparser's locales,
    which htmldate loads on the first page without a date in its metadata) are not per page."""
    import trafilatura

    for url, html, _body in pages[:10]:
        trafilatura.extract(html, url=url)
        with contextlib.suppress(Skip):
            parse_article(html, url)


def _ours(pages: list[tuple[str, str, str]]) -> tuple[list[float], float, int, int, dict]:
    f1s, skips, errors, elapsed = [], 0, 0, 0.0
    checks = {"title": [0, 0], "published": [0, 0], "authors": [0, 0]}
    for url, html, body in pages:
        started = time.perf_counter()
        try:
            article = parse_article(html, url)
        except Skip:
            article, skips = None, skips + 1
        except Exception as error:  # noqa: BLE001 - counted: the figure must be 0
            article, errors = None, errors + 1
            print(f"  exception on {url}: {type(error).__name__}: {error}")
        elapsed += time.perf_counter() - started
        f1s.append(token_f1(article.body if article else "", body))
        truth = page_truth(html)
        got = {
            "title": article.title if article else None,
            "published": article.published.replace(second=0) if article else None,
            "authors": article.author if article else None,
        }
        for name, want in truth.items():
            if name == "published":
                want = want.replace(second=0, microsecond=0)
            if name == "authors":
                want = ", ".join(want)
            checks[name][1] += 1
            checks[name][0] += got[name] == want
    return f1s, elapsed * 1000 / len(pages), skips, errors, {k: tuple(v) for k, v in checks.items()}


if __name__ == "__main__":
    for result in run():
        print(result.row())
