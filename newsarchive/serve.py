"""`newsarchive serve`: Datasette over one archive, read-only, with the bundled metadata.

The archive is always published as the database ``archive`` (``/archive/articles``), whatever its
file is called: `make_datasette` adds it under that name through Datasette's Python API instead
of letting Datasette name it after the file's stem.

It is opened ``mode=ro`` — never ``immutable=1``, since a crawl may be writing to it (WAL) while
it is served, except on read-only storage where nothing can write — and every connection
Datasette asks for, write connections included, is read-only, so nothing reached through the
web UI can change the archive. A request whose query meets a damaged page of the file gets an
error page saying what to do (restore or recover) and the server's log one line, not a
traceback (`ReadOnlyDatabase`); `newsarchive serve` looks for damage before it starts.

The metadata (titles, descriptions, facets, canned queries) is `newsarchive/datasette/
metadata.json`, shipped as package data. This module adds one Datasette plugin of its own, a
"month" facet (``{"month": "published"}``: articles per ``YYYY-MM``, newest first, a click
filters on ``published__startswith``). Nothing renders HTML: Datasette escapes every value, and
installed plugins that implement ``render_cell`` (which could turn a page's text into markup)
are switched off for the archive, so a page's text always shows as text.
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import sqlite3
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.database import Database
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from newsarchive.archive import FTS_BM25, MONTH_FACET_SQL
from newsarchive.archive.errors import damaged, error_code
from newsarchive.archive.search_ranks import search_match
from newsarchive.archive.search_sql import canned_search_sql

#: The database name in Datasette's URLs and in the metadata.
DATABASE_NAME = "archive"
#: Datasette settings for the archive (long bodies cut in table cells; room for facets on
#: years of articles).
SETTINGS: dict[str, Any] = {
    "truncate_cells_html": 300,
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 5000,
    "allow_download": False,
}


#: The name our facet plugin is registered under in Datasette's plugin manager.
PLUGIN_NAME = "newsarchive.serve"
#: Where a canned query of the bundled metadata ranks like `newsarchive search`: `metadata()`
#: puts the archive's bm25 expression there, so the weights have one home (the archive schema).
BM25_PLACEHOLDER = "{bm25}"


class MonthFacet(Facet):  # type: ignore[misc]
    """Articles per month of a ``YYYY-MM-DD…`` column, newest month first."""

    type = "month"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        from datasette.database import QueryInterrupted

        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            sql = MONTH_FACET_SQL.format(col=escape_sqlite(column), sql=self.sql, limit=size + 1)
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                if selected:
                    path = path_with_removed_args(self.request, {key: row["value"]})
                else:
                    path = path_with_added_args(self.request, {key: row["value"]})
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [MonthFacet]


def _install_plugins() -> list[str]:
    """Register our facet; switch off other plugins' ``render_cell``. Returns those names."""
    from datasette.plugins import DEFAULT_PLUGINS, pm

    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(sys.modules[__name__], name=PLUGIN_NAME)
    blocked = []
    for name, plugin in pm.list_name_plugin():
        if name in DEFAULT_PLUGINS or name == PLUGIN_NAME:
            continue
        if any(caller.name == "render_cell" for caller in pm.get_hookcallers(plugin) or []):
            pm.unregister(plugin)
            blocked.append(name)
    return blocked


class PortInUse(OSError):
    """The address `serve` should listen on is taken (or not available)."""


def metadata() -> dict[str, Any]:
    """The bundled Datasette metadata (newsarchive/datasette/metadata.json), its canned
    queries' `BM25_PLACEHOLDER` filled in with the archive's ranking (`FTS_BM25`)."""
    text = resources.files("newsarchive").joinpath("datasette/metadata.json").read_text("utf-8")
    meta: dict[str, Any] = json.loads(text)
    for query in meta["databases"][DATABASE_NAME]["queries"].values():
        query["sql"] = query["sql"].replace(BM25_PLACEHOLDER, FTS_BM25)
    meta["databases"][DATABASE_NAME]["queries"]["search"]["sql"] = canned_search_sql()
    return meta


def damaged_page(db: str | Path, exc: sqlite3.DatabaseError) -> Exception | None:
    """A Datasette error page (HTTP 500) for a query that met a damaged page of the archive,
    said once in the server's log with what to do; None when `exc` is another error."""
    from datasette.views.base import DatasetteError

    if error_code(exc) not in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return None
    message = str(damaged(str(db), str(exc)))
    print(f"Error: {message}", file=sys.stderr, flush=True)
    return DatasetteError(message, title="The archive is damaged", status=500)


class ReadOnlyDatabase(Database):  # type: ignore[misc]
    """A file database every connection of which is read-only (``mode=ro``, and `options`
    more: WAL readers never wait), and whose damaged pages answer the request that meets them
    with an error page and one line in the server's log, not a traceback."""

    def __init__(self, ds: Any, path: str | Path, options: str) -> None:
        super().__init__(ds, path=str(Path(path).resolve()), is_mutable=True)
        self.shown, self.options = str(path), options

    def connect(self, write: bool = False) -> sqlite3.Connection:
        uri = Path(self.path).resolve().as_uri() + self.options  # percent-encodes the path
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        # search_match(:query): the canned search's MATCH (`canned_search_sql`).
        conn.create_function("search_match", 1, search_match, deterministic=True)
        self._all_file_connections.append(conn)
        return conn

    async def execute_fn(self, fn: Any) -> Any:
        try:
            return await super().execute_fn(fn)
        except sqlite3.DatabaseError as exc:
            page = damaged_page(self.shown, exc)
            if page is None:
                raise
            raise page from None

    async def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        log = kwargs.pop("log_sql_errors", True)  # logged here, but a damaged page is not
        try:
            return await super().execute(sql, params, *args, log_sql_errors=False, **kwargs)
        except sqlite3.DatabaseError as exc:
            if log:
                print(f"ERROR: sql = {sql.strip()!r}, params = {params}: {exc}", file=sys.stderr)
            raise


def make_datasette(db: str | Path) -> Any:
    """A Datasette instance serving `db`, read-only, as the database ``archive``."""
    from datasette.app import Datasette

    from newsarchive.archive import read_only_storage

    # On read-only storage (a backup disk) no -shm file can be made: read it as immutable.
    options = "?mode=ro&immutable=1" if read_only_storage(db) else "?mode=ro"
    _install_plugins()
    # Datasette prints every error (a 404, a bad query in the search box) to the console as a
    # rich traceback with locals when rich is installed (it is: the crawl's progress bar).
    # The browser gets the error page either way; keep the server's console readable.
    import datasette.handle_exception

    datasette.handle_exception.rich = None
    ds = Datasette(files=[], metadata=metadata(), settings=SETTINGS)
    ds.remove_database("_memory")  # Datasette adds it when given no files
    ds.add_database(ReadOnlyDatabase(ds, db, options), name=DATABASE_NAME)
    return ds


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); `PortInUse` with a one-line reason otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortInUse(f"cannot listen on {host}: {exc.strerror}") from None
    except UnicodeError:  # the name cannot be a host name (a label too long, empty …)
        raise PortInUse(f"cannot listen on {host}: not a host name") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} on {host} is already in use (choose another with --port)"
            ) from None
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def run(db: str | Path, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve `db` on the bound socket until interrupted (Ctrl-C)."""
    import uvicorn

    ds = make_datasette(db)
    asyncio.run(ds.invoke_startup())
    config = uvicorn.Config(ds.app(), log_level=log_level, lifespan="on", workers=1)
    uvicorn.Server(config).run(sockets=[sock])
