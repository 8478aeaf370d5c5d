"""Pre-render the replica to files for a real web server (nginx), for benchmarks.

``python -m tests.replica.static OUTDIR --articles N --seed S [--base-url URL] [--eras/--no-eras]``

Every page is rendered by the same `Site.handle` the live replica uses, at the clock's start,
without faults. OUTDIR gets the files and ``nginx.conf`` (a server block mapping every URL form
to them: ``/articles/{id}/…``, ``/view_news.php?id=``, listings with ``?s=``, ``/?&s=`` and
``/category.php``, archive days, the feeds, robots.txt, 404s) and ``__replica__/truth.jsonl``.
Control URLs (advance, faults) do not exist in static mode.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from .sections import SECTIONS
from .site import GIF, Site
from .timeline import sofia_day

NGINX = """\
# nginx server block for a static export of the replica (python -m tests.replica.static).
# include it inside http { } or copy it; `root` is the export directory.
map $arg_format $replica_feed_format { default rdf; rss2 rss2; }
map $arg_category_id $replica_feed_category { default _$arg_category_id; "" ""; }
map $arg_s $replica_offset { default $arg_s; "" 0; }

server {
    listen @PORT@;
    server_name 127.0.0.1 localhost;
    root @ROOT@;
    charset utf-8;
    default_type text/html;
    keepalive_requests 100000;
    error_page 404 /404.html;

    location = / { try_files /index.html =404; }
    location = /robots.txt { default_type text/plain; }
    location ~ ^/articles/category/(\\d+) { try_files /category/$1/$replica_offset.html =404; }
    location = /category.php { try_files /category/$arg_category_id/$replica_offset.html =404; }
    location ~ ^/articles/(\\d+)(/.*)?$ { try_files /articles/$1.html =404; }
    location = /view_news.php { try_files /articles/$arg_id.html =404; }
    location ~ "^/archives/(\\d{4}-\\d{2}-\\d{2})/?$" { try_files /archives/$1.html =404; }
    location ~ ^/archives/?$ { try_files /archives/index.html =404; }
    location = /services/news_rdf.php {
        default_type application/xml;
        try_files /services/news_$replica_feed_format$replica_feed_category.xml =404;
    }
    location ^~ /images/ { default_type image/gif; try_files /images/pixel.gif =404; }
    location ^~ /__replica__/ { default_type application/x-ndjson; }
}
"""


def export(site: Site, out: Path, progress: bool = True) -> int:
    """Write every page of `site` under `out`; returns the number of files."""
    files = 0

    def write(relative: str, data: bytes) -> None:
        nonlocal files
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files += 1

    def get(target: str) -> bytes:
        return site.handle("GET", target).body

    tl = site.timeline
    for index in range(len(tl)):
        article_id = tl.base_id + index
        write(f"articles/{article_id}.html", get(f"/articles/{article_id}/"))
        if progress and index % 5000 == 4999:
            print(f"{index + 1} of {len(tl)} articles", file=sys.stderr)
    for section in SECTIONS:
        total = len(tl.section_list(section.cat_id))
        for offset in range(0, max(total, 1), 20):
            write(
                f"category/{section.cat_id}/{offset}.html",
                get(f"/articles/category/{section.cat_id}/x?s={offset}"),
            )
        write(
            f"services/news_rdf_{section.cat_id}.xml",
            get(f"/services/news_rdf.php?category_id={section.cat_id}"),
        )
        write(
            f"services/news_rss2_{section.cat_id}.xml",
            get(f"/services/news_rdf.php?category_id={section.cat_id}&format=rss2"),
        )
    day, last = sofia_day(tl.times[0]), sofia_day(site.now)
    while day <= last:
        write(f"archives/{day.isoformat()}.html", get(f"/archives/{day.isoformat()}"))
        day += timedelta(days=1)
    write("archives/index.html", get("/archives/"))
    write("services/news_rdf.xml", get("/services/news_rdf.php"))
    write("services/news_rss2.xml", get("/services/news_rdf.php?format=rss2"))
    write("index.html", get("/"))
    write("robots.txt", get("/robots.txt"))
    write("404.html", get("/nowhere"))
    write("images/pixel.gif", GIF)
    write("__replica__/now", f'{{"now": "{site.now_iso()}"}}'.encode())
    with (out / "__replica__" / "truth.jsonl").open("wb") as truth:
        for chunk in site.truth_lines():
            truth.write(chunk)
    return files + 1


def main(argv: list[str] | None = None) -> int:
    """Export; exit 2 on bad arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.replica.static", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eras", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument(
        "--base-url", default="http://127.0.0.1:8080", help="where nginx will serve it"
    )
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    try:
        site = Site(args.seed, args.articles, args.eras, base=base)
    except ValueError as error:
        print(f"replica: {error}", file=sys.stderr)
        return 2
    out = args.outdir.resolve()
    files = export(site, out)
    port = base.rsplit(":", 1)[-1] if base.count(":") == 2 else "80"
    (out / "nginx.conf").write_text(
        NGINX.replace("@ROOT@", str(out)).replace("@PORT@", port), encoding="utf-8"
    )
    print(f"{files} files in {out}; serve with nginx -c or include {out / 'nginx.conf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
