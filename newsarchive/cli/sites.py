"""`newsarchive sites`: every known site, its kind, root and zone, and what the archive holds.

A site is a module in ``spiders/`` or a profile in the sites file (newsarchive.sites); the list
comes from the crawl's own catalogue (newsarchive.crawl.catalogue), so what it shows is what
`newsarchive crawl` with no SITE crawls. A sites file that cannot be used is one line naming
file, site and key, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from newsarchive import exitcodes
from newsarchive.cli.options import Failure, archive_errors, db_option, open_archive, sites_option
from newsarchive.cli.tables import table

HEADERS = ["site", "kind", "root", "time zone", "articles", "last run", "outcome"]


@click.command()
@sites_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per site, a line each.")
@archive_errors
def sites(sites_file: str | None, db: str, as_json: bool) -> None:
    """Every known site: a module in spiders/ or a profile in the sites file.

    Shows each site's kind (module or profile), root, time zone, articles in the archive,
    its last run and how it ended. Checks every profile of the sites file (--sites FILE,
    else $NEWSARCHIVE_SITES, else ./sites.toml if there is one): a mistake is one line
    naming the file, the site and the key, and exit 2. A profile, in the sites file:

    \b
        [sites.examplenews]
        url = "https://examplenews.example/"       # the site's root
        timezone = "America/New_York"              # for dates printed without an offset

    \b
    Example:
        newsarchive sites
        newsarchive sites --sites my-sites.toml --db data/archive.db
    """
    from scrapy.settings import Settings

    from newsarchive.crawl.catalogue import Catalogue
    from newsarchive.sites import SitesError
    from newsarchive.sites import sites_file as find_sites_file

    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    try:
        catalogue = Catalogue.load(settings, find_sites_file(sites_file))
    except SitesError as exc:
        raise Failure(str(exc), exitcodes.USAGE) from None
    held: dict[str, dict[str, Any]] = {}
    if Path(db).exists():
        with open_archive(db) as archive:
            held = archive.site_summaries()
    records = [site_record(p, held.get(name, {})) for name, p in catalogue.sites.items()]
    if as_json:
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    rows = [
        [r["site"], r["kind"], r["root"], r["timezone"] or "", r["articles"], r["last_run"] or "never",
         outcome(r)]
        for r in records
    ]  # fmt: skip
    for line in table(HEADERS, rows):
        click.echo(line)
    if catalogue.path is not None:
        click.echo(f"\nprofiles from {catalogue.path}")


def site_record(profile: Any, held: dict[str, Any]) -> dict[str, Any]:
    """One site's line as a record: the catalogue's entry and what the archive holds of it."""
    return {
        "site": profile.name,
        "kind": profile.kind,
        "root": profile.url,
        "timezone": profile.timezone,
        "delay": profile.delay,
        "articles": held.get("articles", 0),
        "last_published": held.get("last_published"),
        "last_run": held.get("last_run"),
        "status": held.get("status"),
        "error": held.get("error"),
    }


def outcome(record: dict[str, Any]) -> str:
    """A run's outcome in a few words: its status, and its error cut to 50 characters."""
    if record["status"] is None:
        return ""
    error = record["error"] or ""
    return record["status"] + (f": {error[:50]}" if error else "")
