"""Regenerate the replica golden pages and their expected JSON, for review.

    python -m tests.golden.regen                 # start a replica, save its pages, write JSON
    python -m tests.golden.regen --url URL       # use a replica already running at URL
    python -m tests.golden.regen --hand          # also rewrite the JSON of hand-made pages

For each case it picks a replica page that shows the feature (a layout, a DST edge, an author
without a space, a fault page, a listing, a feed…), saves it as ``replica_<case>.html`` (or
``.xml``) with the replica's address rewritten to a fixed one, writes what today's extractor
gives as ``replica_<case>.json`` and records the URL in ``manifest.json`` (``"expected":
"generated"``). Each saved article is compared with the replica's truth.jsonl (``"truth":
"equal"`` or ``"differs"``); every difference is printed and the exit status is 1. Review the
result with ``git diff`` before committing: expected JSON is a claim about the page, not a copy
of today's output.

The last step moves the replica's clock into 2025 to get a page with the 2025 share words and
the support appeal: with ``--url``, the replica you point it at is changed.

A case whose JSON was written by hand (``"expected": "hand"``, the seed page from
seed-article.txt) is never rewritten. Every article case, hand-made ones too, gets the layout
`page_layout` picks for its page (``"layout"``: the golden pages are keyed by it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any

from spiders.novinite import page_layout, parse_article, parse_listing
from tests.golden import (
    article_result,
    diff_fields,
    dump,
    layout_name,
    listing_record,
    load_manifest,
    read_page,
    save_manifest,
    site_dir,
)
from tests.golden.replica_client import ReplicaClient

SITE = "novinite"
#: Where the saved pages say they were served (the replica's port changes each run).
STABLE_BASE = "http://127.0.0.1:8000/"
FAULTS = "truncated=1,no_date=1,bad_date=1,empty_body=1,block=1"
#: Keys of a truth.jsonl entry that are not fields of an Article.
TRUTH_ONLY = ("version", "skip")


def truth_fields(entry: dict[str, Any]) -> list[str]:
    """The Article fields a truth entry holds (every key but `TRUTH_ONLY`)."""
    return [k for k in entry if k not in TRUTH_ONLY]


AUTHOR_NO_SPACE = re.compile(r"Author: [^|<]+\|[A-Z]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
SINGLE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")

Truth = dict[str, Any]
#: Article cases: name -> (what it shows, a test on the truth entry and the page's HTML).
ARTICLE_CASES: dict[str, tuple[str, Callable[[Truth, str], bool]]] = {
    "replica_seed": (
        "the seed article as the replica renders it",
        lambda t, h: t["site_id"] == "229777",
    ),
    "replica_v2011_author": (
        "2011 layout, author in the date line without a space",
        lambda t, h: t["published"] < "2012" and bool(AUTHOR_NO_SPACE.search(h)),
    ),
    "replica_v2011_midnight": (
        "2011 layout, '// 00:00'",
        lambda t, h: t["published"] < "2012" and t["published_local"].endswith("T00:00:00+02:00"),
    ),
    "replica_v2011_autumn": (
        "2011 layout, 03:30 on the autumn change (first occurrence)",
        lambda t, h: t["published_local"].startswith("2011-10-30T03:30"),
    ),
    "replica_v2019_spring": (
        "2019 layout, 04:05 just after the spring gap",
        lambda t, h: t["published_local"].startswith("2019-03-31T04:05"),
    ),
    "replica_v2019_autumn": (
        "2019 layout, 03:20 on the autumn change (first occurrence)",
        lambda t, h: t["published_local"].startswith("2019-10-27T03:20"),
    ),
    "replica_v2025_subsection_sources": (
        "2025-26 layout with a subsection and Sources",
        lambda t, h: (
            t["published"] >= "2023" and bool(t.get("subsection")) and bool(t.get("sources"))
        ),
    ),
    "replica_v2025_cyrillic": (
        "Cyrillic in the body",
        lambda t, h: t["published"] >= "2023" and bool(CYRILLIC.search(t.get("body", ""))),
    ),
    "replica_v2025_br": (
        "a <br> inside a paragraph",
        lambda t, h: t["published"] >= "2023" and bool(SINGLE_BREAK.search(t.get("body", ""))),
    ),
    "replica_v2025_entities": (
        "entities in the page (&#8217; &quot; &nbsp;)",
        lambda t, h: t["published"] >= "2023" and "&#8217;" in h and "&nbsp;" in h,
    ),
    "replica_v2025_no_tags": (
        "no tags block",
        lambda t, h: t["published"] >= "2023" and not t.get("tags"),
    ),
}
LISTING_CASES: dict[str, tuple[str, str]] = {
    "replica_listing_world": (
        "section listing, first page (with next)",
        "articles/category/30/World",
    ),
    "replica_listing_category_php": (
        "older category.php listing, second page",
        "category.php?category_id=30&s=20",
    ),
    "replica_archive_2024_12_06": ("archive day of the seed", "archives/2024-12-06"),
    "replica_archive_2011_02_03": ("archive day in the 2011 era", "archives/2011-02-03"),
    "replica_feed_rdf": ("RSS 1.0 (RDF) feed", "services/news_rdf.php"),
    "replica_feed_rss2": ("RSS 2.0 feed", "services/news_rdf.php?format=rss2"),
}


def stable(text: str, base: str) -> str:
    """The replica's address (its port changes) replaced by STABLE_BASE."""
    return text.replace(base, STABLE_BASE).replace(base.rstrip("/"), STABLE_BASE.rstrip("/"))


def truth_url(replica: ReplicaClient, entry: Truth) -> str:
    """Where the replica serves the truth's page (the truth's URL is the site's own)."""
    url = entry.get("url")
    return replica.absolute(url) if url else replica.url + f"articles/{entry['site_id']}/"


def compare_to_truth(record: dict[str, Any], entry: Truth, base: str) -> list[str]:
    if entry.get("skip"):
        return diff_fields({"skip": entry["skip"]}, {"skip": record.get("skip")})
    fields = truth_fields(entry)
    want = {
        k: stable(v, base) if isinstance(v, str) else v for k, v in entry.items() if k in fields
    }
    got = {k: record.get(k) for k in fields}
    return diff_fields(want, got)


class Regen:
    def __init__(self, replica: ReplicaClient, rewrite_hand: bool) -> None:
        self.replica = replica
        self.rewrite_hand = rewrite_hand
        self.manifest = load_manifest(SITE)
        self.problems: list[str] = []

    def save(self, name: str, ext: str, url: str, kind: str, note: str, html: str) -> None:
        """Save the page (replica address made stable), its URL, and what the extractor gives."""
        if self.manifest.get(name, {}).get("expected") == "hand":
            print(f"  {name}: expected JSON written by hand; not touched")
            return
        html, url = stable(html, self.replica.url), stable(url, self.replica.url)
        (site_dir(SITE) / f"{name}.{ext}").write_text(html, encoding="utf-8")
        self.manifest[name] = {
            "file": f"{name}.{ext}",
            "url": url,
            "kind": kind,
            "origin": "replica",
            "expected": "generated",
            "note": note,
        }
        if kind == "article":
            result = article_result(parse_article, html, url)
        else:
            result = listing_record(parse_listing(html, url))
        (site_dir(SITE) / f"{name}.json").write_text(dump(result), encoding="utf-8")
        print(f"  {name}: {url}")

    def articles(self, truth: list[Truth]) -> None:
        """Each case from the first article that shows it, a different article for each case
        when there is one (a page may serve several cases when none other does)."""
        pages = []
        for entry in truth:
            if not entry.get("skip"):
                url = truth_url(self.replica, entry)
                pages.append((entry, url, self.replica.get(url)[1]))
        used: set[str] = set()
        for name, (note, wanted) in ARTICLE_CASES.items():
            matches = [p for p in pages if wanted(p[0], p[2])]
            if not matches:
                self.problems.append(f"{name}: no replica article shows it")
                continue
            entry, url, html = next((p for p in matches if p[0]["site_id"] not in used), matches[0])
            used.add(entry["site_id"])
            self.article(name, note, url, html, entry)
        # One article through its view_news.php form.
        entry = next(
            p[0] for p in pages if p[0]["published"] >= "2023" and p[0]["site_id"] not in used
        )
        url = self.replica.url + f"view_news.php?id={entry['site_id']}&disable_mobile=true"
        self.article(
            "replica_view_news", "a view_news.php URL", url, self.replica.get(url)[1], entry
        )

    def article(self, name: str, note: str, url: str, html: str, entry: Truth) -> None:
        self.save(name, "html", url, "article", note, html)
        base = self.replica.url
        record = article_result(parse_article, stable(html, base), stable(url, base))
        differences = compare_to_truth(record, entry, base)
        self.problems += [f"{name} ({entry['site_id']}): {line}" for line in differences]
        if name in self.manifest:
            self.manifest[name]["truth"] = "differs" if differences else "equal"

    def skips(self, truth: list[Truth]) -> None:
        done: set[str] = set()
        for entry in truth:
            reason = entry.get("skip")
            if not reason or reason in done:
                continue
            url = truth_url(self.replica, entry)
            status, html = self.replica.get(url)
            if not html.strip():
                continue
            done.add(reason)
            self.article(
                f"replica_skip_{reason}", f"fault page: {reason} (HTTP {status})", url, html, entry
            )

    def listings(self, truth: list[Truth]) -> None:
        titles = {t["site_id"]: t.get("title") for t in truth if not t.get("skip")}
        for name, (note, path) in LISTING_CASES.items():
            url = self.replica.url + path
            status, html = self.replica.get(url)
            if status != 200:
                self.problems.append(f"{name}: HTTP {status} for {path}")
                continue
            self.save(name, "xml" if "news_rdf" in path else "html", url, "listing", note, html)
            listing = parse_listing(html, url)
            if not listing.entries:
                self.problems.append(f"{name}: no entries")
            for entry in listing.entries:
                if entry.site_id in titles and entry.title != titles[entry.site_id]:
                    self.problems.append(
                        f"{name}: {entry.site_id} title {entry.title!r} != {titles[entry.site_id]!r}"
                    )

    def after_2025(self) -> None:
        """A page from 2025 (share words, the appeal): move the clock past New Year, publish
        one article. This changes the replica's state: run it last."""
        now = self.replica.get("__replica__/now")[1]
        if '"2024-' in now:
            self.replica.post("__replica__/advance?hours=630&publish=0&edit=0")
        change = self.replica.post("__replica__/advance?hours=1&publish=1&edit=0")
        ids = {str(i) for i in change.get("published", [])}
        entry = next((t for t in self.replica.truth() if t["site_id"] in ids), None)
        if entry is None or entry["published"] < "2025":
            self.problems.append(f"after_2025: no article published in 2025 ({change})")
            return
        url = truth_url(self.replica, entry)
        note = "a page from 2025: share words, the appeal"
        self.article("replica_v2025_2025", note, url, self.replica.get(url)[1], entry)

    def hand(self) -> None:
        for name, case in self.manifest.items():
            if case.get("origin") != "hand" or case.get("expected") == "hand":
                continue
            html = read_page(SITE, case)
            if case["kind"] == "article":
                result = article_result(parse_article, html, case["url"])
            else:
                result = listing_record(parse_listing(html, case["url"]))
            path = site_dir(SITE) / f"{name}.json"
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if dump(result) != old:
                path.write_text(dump(result), encoding="utf-8")
                print(f"  {name}: rewritten (review with git diff)")

    def layouts(self) -> None:
        """Each article case keyed by the layout that reads its page."""
        for case in self.manifest.values():
            if case["kind"] == "article":
                case["layout"] = layout_name(page_layout, read_page(SITE, case))

    def run(self) -> int:
        truth = self.replica.truth()
        print(f"replica {self.replica.url}: {len(truth)} truth entries")
        self.articles(truth)
        self.skips(truth)
        self.listings(truth)
        self.after_2025()
        if self.rewrite_hand:
            self.hand()
        self.layouts()
        save_manifest(SITE, dict(sorted(self.manifest.items())))
        for line in self.problems:
            print("PROBLEM", line, file=sys.stderr)
        return 1 if self.problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a replica already running (else one is started)")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default=FAULTS, help=f"fault spec (default {FAULTS})")
    parser.add_argument("--hand", action="store_true", help="also rewrite hand pages' JSON")
    args = parser.parse_args(argv)
    if args.url:
        return Regen(ReplicaClient(args.url), args.hand).run()
    with ReplicaClient.start(articles=args.articles, seed=args.seed, faults=args.faults) as replica:
        return Regen(replica, args.hand).run()


if __name__ == "__main__":
    sys.exit(main())
