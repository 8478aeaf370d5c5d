"""Which article a reference names, for `history`: an id, ``SITE:ID``, an archive id or a URL.

A URL is found as the article's current URL, as the URL of any version's raw page, as the same
path (and query) on another root (a mirror's or the replica's address of an article the archive
keeps under the site's own, DESIGN "Canonical URLs"), or through the ``SITE:ID`` forms the
caller read from it (a site's other URL forms, such as a script that takes the id as a query
parameter: the site's spider knows them, the archive does not).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from urllib.parse import urlsplit

from newsarchive.archive.errors import ArticleNotFound

COLUMNS = "SELECT * FROM articles WHERE "


def find_article(
    conn: sqlite3.Connection, ref: str, archive_name: str, aliases: Iterable[str] = ()
) -> sqlite3.Row:
    """The articles row `ref` names: ``id:N``, ``site:site_id``, a site_id, an archive id
    (digits that SQLite's 64-bit integers hold) or a URL (current or any stored version's, on
    the site's root or another). `aliases`: ``SITE:ID`` forms of a URL to try last. Raises
    `ArticleNotFound`."""
    ref = ref.strip()
    if ref.startswith(("http://", "https://")):
        row = by_url(conn, ref)
        for alias in aliases if row is None else ():
            row = by_site_id(conn, alias)
            if row is not None:
                break
    elif ref.lower().startswith("id:"):
        row = conn.execute(COLUMNS + "id = ?", (ref[3:].strip(),)).fetchone()
    elif ":" in ref:
        row = by_site_id(conn, ref)
    else:
        rows = conn.execute(COLUMNS + "site_id = ? LIMIT 2", (ref,)).fetchall()
        if len(rows) > 1:
            raise ArticleNotFound(f'"{ref}" is an id on several sites: write SITE:{ref}')
        row = rows[0] if rows else None
        if row is None and ref.isdecimal() and len(ref) < 20 and int(ref) < 1 << 63:
            row = conn.execute(COLUMNS + "id = ?", (int(ref),)).fetchone()
    if row is None:
        raise ArticleNotFound(f'no article "{ref[:60]}{"…"[len(ref) <= 60 :]}" in {archive_name}')
    return row


def by_site_id(conn: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    """The article ``SITE:ID`` names, or None."""
    site, _, site_id = ref.partition(":")
    return conn.execute(COLUMNS + "site = ? AND site_id = ?", (site, site_id)).fetchone()


def by_url(conn: sqlite3.Connection, url: str) -> sqlite3.Row | None:
    """The article whose current URL, or a stored version's raw page URL, is `url`; else the
    one with `url`'s path and query on another root."""
    row = conn.execute(COLUMNS + "url = ?", (url,)).fetchone()
    if row is None:
        row = conn.execute(
            COLUMNS + "id = (SELECT article_id FROM raw_pages WHERE url = ? "
            "ORDER BY version DESC LIMIT 1)",
            (url,),
        ).fetchone()
    return row if row is not None else by_path(conn, url)


def by_path(conn: sqlite3.Connection, url: str) -> sqlite3.Row | None:
    """The article whose URL has `url`'s path and query on another root: a mirror's or the
    replica's address of an article the archive keeps under the site's own (DESIGN)."""
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(tail) < 2:
        return None
    rows = conn.execute(
        "SELECT * FROM articles WHERE substr(url, -?) = ? ORDER BY id LIMIT 20",
        (len(tail), tail),
    ).fetchall()
    return next((r for r in rows if urlsplit(r["url"]).path == parts.path), None)
