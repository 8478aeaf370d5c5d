"""`newsarchive history`: every stored version of one article, with the diffs between them.

A page's text is printed without its control characters (`text.printable`): the title, URL and
body are the site's, and an ESC among them would drive the terminal.
"""

from __future__ import annotations

from typing import Any

import click

from newsarchive import exitcodes
from newsarchive.cli.options import (
    TEXT,
    Failure,
    archive_errors,
    db_option,
    open_archive,
    site_option,
)
from newsarchive.text import printable

#: The style of each kind of unified-diff line, by its prefix (the first that matches).
DIFF_STYLES: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("+++", "---"), {"bold": True}),
    (("@@",), {"fg": "cyan"}),
    (("+",), {"fg": "green"}),
    (("-",), {"fg": "red"}),
)


@click.command()
@click.argument("article", type=TEXT)
@db_option
@site_option
@archive_errors
def history(article: str, db: str, site: str | None) -> None:
    """Every stored version of one article, with a unified diff between consecutive ones.

    ARTICLE is the site's article id (229777), SITE:ID (the site's spider name and its id),
    the archive's id (id:12) or a URL of the article (its current one or an earlier one, on
    the site or a mirror, in any of the site's URL forms, such as a script that takes the id
    as ?id=N). The diff compares title, tags and body. An article not in the archive exits 1. --site SITE
    with an id is SITE:ID (an id several sites use); with a URL, it must be that site's.

    \b
    Example:
        newsarchive history 229777
        newsarchive history SITE:229777 --db data/archive.db
        newsarchive history "$(newsarchive search homs --json --limit 1 | jq -r .url)"
    """
    from newsarchive.archive import ArticleNotFound

    ref = f"{site}:{article}" if site is not None and ":" not in article else article
    with open_archive(db) as archive:
        try:
            found = archive.history(ref, url_aliases(ref, site))
        except ArticleNotFound as exc:
            raise Failure(str(exc), exitcodes.FAILED) from None
    current, versions = found["article"], found["versions"]
    if site is not None and current["site"] != site:
        raise Failure(f'"{article}" is an article of {current["site"]}, not of {site}', exitcodes.FAILED)

    print_history(current, versions)


def url_aliases(ref: str, site: str | None) -> list[str]:
    """The ``SITE:ID`` forms of the URL `ref` by the module sites' own URL forms (a spider's
    ``site_id_from_url``, such as ``/view_news.php?id=N``), of `site` only when given; none
    for a reference that is not a URL."""
    if not ref.strip().startswith(("http://", "https://")):
        return []
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    loader = SpiderLoader.from_settings(settings)
    aliases = []
    for name in loader.list():
        spidercls = loader.load(name)
        read = getattr(spidercls, "site_id_from_url", None)
        site_id = read(ref.strip()) if read is not None else None
        if site_id and site in (None, spidercls.site):
            aliases.append(f"{spidercls.site}:{site_id}")
    return aliases


def print_history(current: dict[str, Any], versions: list[dict[str, Any]]) -> None:
    """The article's heading, its versions and the diffs between them."""

    def echo(text: str = "") -> None:
        click.echo(printable(text))

    click.echo(click.style(printable(current["title"]), bold=True))
    echo(f"{current['site']} {current['site_id']} (id {current['id']})  {current['url']}")
    count = len(versions)
    edited = "never edited" if count == 1 else "edited"
    echo(f"published {current['published']}; {count} version{'s' if count != 1 else ''}, {edited}")
    echo()
    for v in versions:
        until = v["seen_until"] or "now (current)"
        echo(f"version {v['version']}  {v['seen_from'] or '?'} – {until}  {v['title']}")
    for old, new in zip(versions, versions[1:], strict=False):
        echo()
        print_diff(old, new)


def version_lines(version: dict[str, Any]) -> list[str]:
    """The text a version's diff compares: title, tags, then the body's lines."""
    return [
        f"title: {version['title']}",
        f"tags: {', '.join(version['tags'])}",
        "",
        *(version["body"] or "").split("\n"),
    ]


def print_diff(old: dict[str, Any], new: dict[str, Any]) -> None:
    """The unified diff from one version to the next, coloured on a terminal."""
    import difflib

    diff = difflib.unified_diff(
        version_lines(old),
        version_lines(new),
        fromfile=f"version {old['version']} ({old['seen_from'] or '?'})",
        tofile=f"version {new['version']} ({new['seen_from'] or '?'})",
        lineterm="",
    )
    for line in diff:
        line = printable(line, multiline=True)
        style = next((s for prefixes, s in DIFF_STYLES if line.startswith(prefixes)), None)
        click.echo(click.style(line, **style) if style else line)
