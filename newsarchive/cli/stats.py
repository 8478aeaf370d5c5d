"""`newsarchive stats`: what the archive holds, as text tables or one JSON object.

The figures come from the archive (newsarchive.archive's stats); this module lays them out
through the table helpers in newsarchive.cli.tables.
"""

from __future__ import annotations

from typing import Any

import click

from newsarchive.cli.options import archive_errors, db_option, open_archive, site_option
from newsarchive.cli.tables import day_stretches, titled_table

RUN_COLUMNS = [
    "id", "started", "finished", "status", "mode", "requests",
    "new", "updated", "unchanged", "skipped", "error",
]  # fmt: skip


@click.command()
@db_option
@site_option
@click.option("--json", "as_json", is_flag=True, help="Everything as one JSON object.")
@archive_errors
def stats(db: str, site: str | None, as_json: bool) -> None:
    """What the archive holds: sites, sections, months, gaps, runs and skips.

    Articles per site (first and last published, days with no article between them, site
    ids never seen), per section and per month (UTC); the last 10 runs and their outcomes;
    skipped pages by reason. --json prints it all as one JSON object (every empty day listed).
    --site keeps one site's articles, runs and skips.

    \b
    Example:
        newsarchive stats
        newsarchive stats --json | jq '.sites[0].empty_days | length'
        newsarchive stats --site examplenews
    """
    import json

    with open_archive(db) as archive:
        data = archive.stats(site=site)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print_stats(db, data)


def print_stats(db: str, data: dict[str, Any]) -> None:
    """The archive's figures as titled text tables, in the order of the --help text."""
    click.echo(
        f"{db}: {data['articles']} articles, {data['versions']} earlier versions, "
        f"{data['raw_pages']} raw pages"
    )
    titled_table(
        "Sites",
        ["site", "articles", "first published", "last published", "empty days", "id gaps"],
        [
            [s["site"], s["articles"], s["first_published"], s["last_published"],
             len(s["empty_days"]), s["id_gaps"]]
            for s in data["sites"]
        ],
    )  # fmt: skip
    titled_table(
        "Sections",
        ["site", "section", "articles", "first published", "last published"],
        [
            [s["site"], s["section"] or "(none)", s["articles"], s["first_published"],
             s["last_published"]]
            for s in data["sections"]
        ],
    )  # fmt: skip
    titled_table(
        "Articles per month",
        ["site", "month", "articles"],
        [[m["site"], m["month"], m["articles"]] for m in data["months"]],
    )
    for site in data["sites"]:
        day_stretches(f"Days without articles ({site['site']})", site["empty_days"])
    titled_table("Last runs", RUN_COLUMNS, [run_row(r) for r in data["runs"]], "  no runs yet")
    titled_table(
        "Skipped pages by reason",
        ["reason", "pages"],
        [[s["reason"], s["count"]] for s in data["skips"]],
        "  none",
    )


def run_row(run: dict[str, Any]) -> list[Any]:
    """One row of the last-runs table (its error cut to 60 characters)."""
    return [
        run["id"], run["started"], run["finished"], run["status"], run["mode"], run["requests"],
        run["articles_new"], run["articles_updated"], run["articles_unchanged"], run["skipped"],
        (run["error"] or "")[:60],
    ]  # fmt: skip
