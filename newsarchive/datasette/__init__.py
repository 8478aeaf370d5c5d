"""The reading room: the Datasette plugin `newsarchive serve` installs, with its templates
(``templates/``: the article reader, the readable lists, the charts) and stylesheet
(``static/``), shipped as package data.

The hooks are here; what they do is in the modules beside: `facets` (the month facet),
`worddiff` (the reader's word diff), `charts` (SVG geometry of the canned queries' counts),
`feeds` (Atom), `pages` (the template filters and each page's extra variables). The SQL they
need is `newsarchive.archive.reading`'s. Nothing renders a page's text as HTML: every value goes
through Jinja's escaping, and the only markup added is our own (``<ins>``, ``<del>``, ``<p>``).
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from newsarchive.archive import reading
from newsarchive.datasette import feeds, pages
from newsarchive.datasette.facets import MonthFacet

#: The name this plugin is registered under in Datasette's plugin manager.
PLUGIN_NAME = "newsarchive.datasette"


@hookimpl
def register_facet_classes() -> list[type]:
    return [MonthFacet]


@hookimpl
def prepare_connection(conn: Any) -> None:
    reading.register_search_functions(conn)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters.update(pages.FILTERS)
    env.globals.update(pages.GLOBALS)


@hookimpl
def extra_css_urls() -> list[str]:
    return [f"/-/static-plugins/{PLUGIN_NAME}/reading.css"]


@hookimpl
def extra_template_vars(
    view_name: str, table: str | None, request: Any, datasette: Any
) -> Any:
    return pages.extra_vars(view_name, table, request, datasette)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return feeds.ROUTES


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    return pages.bad_search_page(datasette, request, exception)
