"""What the reading room's templates get: filters, globals, each page's extra variables,
and the page for a bad search on the articles table."""

from __future__ import annotations

import re
from typing import Any

from newsarchive.archive import reading
from newsarchive.archive.search_sql import explain_query_error
from newsarchive.archive.values import loads_list
from newsarchive.datasette.charts import gap_charts, month_charts
from newsarchive.datasette.worddiff import changed, word_diff

#: The order /archive lists the tables in: what a reader wants first.
TABLE_ORDER = ("articles", "article_tags", "article_versions", "runs", "skips")
_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    """A body's paragraphs (separated by blank lines), without empty ones."""
    return [p.strip() for p in _BLANK_LINE.split(text or "") if p.strip()]


def reading_order(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tables of /archive in `TABLE_ORDER`, then the others by name."""

    def key(table: dict[str, Any]) -> tuple[int, str]:
        name = table["name"]
        return (TABLE_ORDER.index(name) if name in TABLE_ORDER else len(TABLE_ORDER), name)

    return sorted(tables, key=key)


def snippet(text: str | None, length: int = 240) -> str:
    """The opening of a body, cut at a word, for a list."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


_MARKED = re.compile(r"\[([^\[\]\n]{1,200})\]")


def marked(text: str | None) -> Any:
    """A search snippet with its ``[match]`` marks as ``<mark>`` (the text itself escaped)."""
    from markupsafe import Markup, escape

    out, last = [], 0
    for found in _MARKED.finditer(text or ""):
        out.append(escape(text[last : found.start()]))  # type: ignore[index]
        out.append(Markup("<mark>%s</mark>") % found.group(1))
        last = found.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


FILTERS = {
    "marked": marked,
    "paragraphs": paragraphs,
    "json_list": loads_list,
    "month_charts": month_charts,
    "gap_charts": gap_charts,
    "reading_order": reading_order,
    "snippet": snippet,
    "word_diff": word_diff,
}


def with_arg(request: Any, name: str, value: str) -> str:
    """The page's path and query string with ``name=value`` added."""
    from datasette.utils import path_with_added_args

    return str(path_with_added_args(request, {name: value}))


def without_arg(request: Any, name: str) -> str:
    """The page's path and query string without `name`."""
    from datasette.utils import path_with_removed_args

    return str(path_with_removed_args(request, {name}))


GLOBALS = {
    "search_problem": reading.search_problem,
    "with_arg": with_arg,
    "without_arg": without_arg,
}


def versions_with_diffs(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each version (newest first) with the word diff of its title and body from the one
    before it, and the tags it added and dropped."""
    shown = []
    for number, version in enumerate(versions):
        entry = dict(version)
        if number:
            before = versions[number - 1]
            entry["title_diff"] = word_diff(before["title"] or "", version["title"] or "")
            entry["body_diff"] = word_diff(before["body"] or "", version["body"] or "")
            entry["body_changed"] = changed(entry["body_diff"])
            entry["tags_added"] = [t for t in version["tags"] if t not in before["tags"]]
            entry["tags_dropped"] = [t for t in before["tags"] if t not in version["tags"]]
        shown.append(entry)
    return list(reversed(shown))


def extra_vars(view_name: str, table: str | None, request: Any, datasette: Any) -> Any:
    """The article reader's versions (row page of articles); nothing for other pages."""
    if view_name != "row" or table != "articles" or request is None:
        return {}
    pks = request.url_vars.get("pks", "")

    async def inner() -> dict[str, Any]:
        try:
            article_id = int(pks)
        except ValueError:
            return {"versions": []}
        versions = await datasette.get_database("archive").execute_fn(
            lambda conn: reading.article_versions(conn, article_id)
        )
        return {"versions": versions_with_diffs(versions)}

    return inner


def bad_search_page(datasette: Any, request: Any, exception: Exception) -> Any:
    """A bad ``_search`` on a table: a one-line reason on Datasette's error page (HTTP 400),
    not a bare "Invalid SQL"; None for any other error."""
    from datasette.views.base import DatasetteError

    words = request.args.get("_search") if request is not None else None
    if not words or not isinstance(exception, DatasetteError):
        return None
    if exception.title != "Invalid SQL":
        return None

    async def inner() -> Any:
        from datasette.utils.asgi import Response

        reason = explain_query_error(words, str(exception.message))
        message = f'Bad search "{words}": {reason}. Plain words, "a phrase", AND, OR, NOT and reb* work.'
        html = await datasette.render_template(
            "error.html",
            {"error": message, "title": "Bad search", "status": 400},
            request=request,
        )
        return Response.html(html, status=400)

    return inner
