"""`make bench`: every figure, printed as a table and written to bench/results.json.

``python -m bench [--only extract,crawl,memory,hourly,search,merge,realpages] [--quick]``

``realpages`` measures the generic extractor on real pages when ``BENCH_REALPAGES`` names a
folder of them (bench/README.md); without it the part prints one line and adds no figure.
Figures are merged into bench/results.json by name: a part not run keeps its last figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

from bench.common import ROOT, WORK, Result

RESULTS = ROOT / "bench" / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="extract,crawl,memory,hourly,search,merge,realpages")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    WORK.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    started = time.monotonic()
    if "extract" in parts:
        from bench import extract

        print("extraction vs truth and trafilatura …")
        results += extract.run(articles=300 if args.quick else 1000)
    if "crawl" in parts:
        from bench import crawl

        print("full crawl of a 5,000-article replica vs bare Scrapy …")
        results += crawl.throughput(runs=1 if args.quick else 5)
    if "memory" in parts:
        from bench import crawl

        print("full crawl of a 20,000-article replica (memory) …")
        results += crawl.memory_big()
        small = next((r.value for r in results if r.name == "crawl_peak_rss_mb"), None)
        big = results[-1].value
        if small:
            results.append(Result("crawl_rss_growth_5k_to_20k", big / small - 1, "fraction"))
    if "hourly" in parts:
        from bench import crawl

        print("hourly runs …")
        results += crawl.hourly(days=1 if args.quick else 7)
    if "search" in parts:
        from bench import search

        print("search on a whole-history archive …")
        results += search.run(articles=20000 if args.quick else search.ARTICLES)
    if "merge" in parts:
        from bench import merge

        print("merging two 20,000-article archives …")
        results += merge.run(articles=2000 if args.quick else merge.ARTICLES)
    if "realpages" in parts:
        from bench import realpages

        print("generic extraction on real pages vs trafilatura …")
        results += realpages.run()
    total = time.monotonic() - started
    print()
    print(f"{'figure':36} {'value':>12}  unit")
    for r in results:
        print(f"{r.name:36} {r.value:12.3f}  {r.unit}")
    print(f"\n{len(results)} figures in {total:.0f} s on {platform.platform()}, "
          f"{platform.python_implementation()} {platform.python_version()}")
    RESULTS.write_text(json.dumps(merged(results), indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def merged(results: list[Result]) -> list[dict]:
    """The last results.json with this run's figures put in by name (new names at the end)."""
    try:
        rows = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        rows = []
    fresh = {r.name: r.row() for r in results}
    out = [fresh.pop(row["name"], row) for row in rows if isinstance(row, dict) and "name" in row]
    return out + list(fresh.values())


if __name__ == "__main__":
    raise SystemExit(main())
