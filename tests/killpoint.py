"""`newsarchive` that SIGKILLs itself at an exact point of a run, for the crash-safety tests.

    python -m tests.killpoint sql 'INSERT INTO articles' 7 -- crawl --db … --base-url …
    python -m tests.killpoint call spiders.novinite.article:parse_article 12 -- crawl …
    python -m tests.killpoint pages - 60 -- crawl …
    python -m tests.killpoint sql '^INSERT INTO raw_pages' 43 NEWSARCHIVE_COMMIT_ARTICLES=40 -- crawl …
    python -m tests.killpoint raise spiders.novinite:NoviniteSpider.parse_listing_html 3 -- crawl …

``sql PATTERN N``: right after the N-th SQL statement matching the regular expression PATTERN
has run on an archive connection (so inside its transaction when it is one: before COMMIT).
``call MODULE:QUALNAME N``: on entry to the N-th call of that function or method.
``raise MODULE:QUALNAME N``: no kill; the N-th call raises RuntimeError (a bug on one page).
``pages - N``: no kill; the disk is full once the archive has N pages (SQLite's
``max_page_count`` on every archive connection), for machines where no small file system
can be mounted.
``none - 0``: no point at all, only the settings that follow.

``NAME=VALUE`` after the three: a setting of `newsarchive.settings` for this run (an integer
or a number), e.g. large groups for the worker so that a kill point falls inside one.

The crawl's worker process (`newsarchive.crawl.worker`) takes the same point (through its
``NEWSARCHIVE_WORKER_HOOK``); the two count together, in the order the statements and calls
happen (one shared counter file), so "the N-th" means the crawl's N-th whichever process runs
it. A point reached in the worker kills the crawl process first, then the worker — the whole
crawl dies at once, as `kill -9` of both would leave it.

The process then dies by SIGKILL (no cleanup, no Python exit handlers), exactly as `kill -9`
would leave it; if the point is never reached the command ends normally and its exit code
tells the test that the point was missed.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import signal
import sqlite3
import sys
import tempfile
from typing import Any

#: The kill point handed to the crawl's worker process (kind, target, nth, counter file).
POINT_ENV = "NEWSARCHIVE_KILLPOINT"
IN_WORKER = [False]
#: The counter file both processes append a byte to for each statement or call matched.
COUNTER: list[int] = []


def counted() -> int:
    """One more match: its number across the crawl and its worker (O_APPEND: each append lands
    at its own offset, so every number is given once)."""
    if not COUNTER:
        return 0
    os.write(COUNTER[0], b".")
    return os.lseek(COUNTER[0], 0, os.SEEK_CUR)


def die() -> None:
    if IN_WORKER[0]:
        os.kill(os.getppid(), signal.SIGKILL)  # the crawl first: it must not see the worker end
    os.kill(os.getpid(), signal.SIGKILL)


def bug() -> None:
    raise RuntimeError("an injected bug")


def kill_after_sql(pattern: str, nth: int) -> None:
    """Every archive connection SIGKILLs the process after the nth statement matching pattern."""
    regex = re.compile(pattern, re.IGNORECASE)

    def ran(sql: str) -> None:
        if regex.search(sql) and counted() == nth:
            die()

    class KillingCursor(sqlite3.Cursor):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            cursor = super().execute(sql, *args)
            ran(sql)
            return cursor

    class KillingConnection(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            cursor = super().execute(sql, *args)
            ran(sql)
            return cursor

        def cursor(self, factory: Any = KillingCursor) -> sqlite3.Cursor:  # type: ignore[override]
            return super().cursor(factory)

    connect = sqlite3.connect

    @functools.wraps(connect)
    def killing_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", KillingConnection)
        return connect(*args, **kwargs)

    sqlite3.connect = killing_connect  # type: ignore[assignment]


def limit_pages(pages: int) -> None:
    """Every archive connection may grow the file to `pages` pages only: a full disk."""
    connect = sqlite3.connect

    @functools.wraps(connect)
    def limited_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    sqlite3.connect = limited_connect  # type: ignore[assignment]


def kill_on_call(target: str, nth: int, action: Any = None) -> None:
    """SIGKILL (or `action()`) on entry to the nth call of MODULE:QUALNAME."""
    module_name, _, qualname = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    if isinstance(owner, type):  # the raw attribute, from the class that defines it
        original = next(k.__dict__[name] for k in owner.__mro__ if name in k.__dict__)
    else:
        original = getattr(owner, name)
    func = original.__func__ if isinstance(original, staticmethod | classmethod) else original
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if counted() == nth:
            (action or die)()
        return func(*args, **kwargs)

    if isinstance(original, staticmethod):
        setattr(owner, name, staticmethod(wrapper))
    elif isinstance(original, classmethod):
        setattr(owner, name, classmethod(wrapper))
    else:
        setattr(owner, name, wrapper)


def override_settings(assignments: list[str]) -> None:
    """Set `newsarchive.settings` values (NAME=NUMBER) before the command reads them."""
    from newsarchive import settings

    for assignment in assignments:
        name, _, value = assignment.partition("=")
        if not hasattr(settings, name):
            sys.exit(f"no setting {name!r} in newsarchive.settings")
        setattr(settings, name, float(value) if "." in value else int(value))


def install(kind: str, target: str, nth: str) -> None:
    if kind == "sql":
        kill_after_sql(target, int(nth))
    elif kind == "call":
        kill_on_call(target, int(nth))
    elif kind == "raise":
        kill_on_call(target, int(nth), action=bug)
    elif kind == "pages":
        limit_pages(int(nth))
    elif kind != "none":
        sys.exit(f"unknown kill point kind {kind!r}")


def in_worker() -> None:
    """The worker's hook (``NEWSARCHIVE_WORKER_HOOK``): the crawl's kill point, here too."""
    IN_WORKER[0] = True
    kind, target, nth, counter = json.loads(os.environ[POINT_ENV])
    COUNTER.append(os.open(counter, os.O_WRONLY | os.O_APPEND))
    install(kind, target, nth)


def main(argv: list[str]) -> None:
    if "--" not in argv or len(argv[: argv.index("--")]) < 3:
        sys.exit(
            "usage: python -m tests.killpoint sql|call|raise|pages|none TARGET N [SETTING=VALUE…] "
            "-- NEWSARCHIVE-ARGS…"
        )
    split = argv.index("--")
    kind, target, nth = argv[:3]
    override_settings(argv[3:split])
    handle, counter = tempfile.mkstemp(prefix="killpoint-")
    os.close(handle)
    COUNTER.append(os.open(counter, os.O_WRONLY | os.O_APPEND))
    install(kind, target, nth)
    os.environ[POINT_ENV] = json.dumps([kind, target, nth, counter])
    os.environ["NEWSARCHIVE_WORKER_HOOK"] = "tests.killpoint:in_worker"
    from newsarchive.cli import main as cli

    cli(argv[split + 1 :], prog_name="newsarchive")


if __name__ == "__main__":
    main(sys.argv[1:])
