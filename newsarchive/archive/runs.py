"""The runs table and the crawl state of each site (``site_state``): a run recorded as
``running`` at its start, closed with its outcome and counts, marked ``interrupted`` when its
process died; the state a site's crawl keeps between runs, written with the run's outcome."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import datetime
from typing import Any

from newsarchive.archive.connection import Connection
from newsarchive.archive.schema import RUN_STATUSES
from newsarchive.dates import format_utc


class Runs(Connection):
    """The archive's runs and crawl state."""

    def start_run(
        self, site: str | None, mode: str, args: dict[str, Any], pid: int, started: datetime
    ) -> int:
        """Record a run as ``running``; returns its id. Call `mark_interrupted` before this."""
        with self._write("starting a run") as conn:
            cursor = conn.execute(
                "INSERT INTO runs (site, started, status, mode, pid, args) "
                "VALUES (?, ?, 'running', ?, ?, ?)",
                (
                    site,
                    format_utc(started),
                    mode,
                    pid,
                    json.dumps(args, ensure_ascii=False, sort_keys=True, default=str),
                ),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        finished: datetime,
        requests: int,
        new: int,
        updated: int,
        unchanged: int,
        skipped: int,
        error: str | None = None,
        state: dict[str, str | None] | None = None,
    ) -> None:
        """Close a run with its outcome (``ok``, ``failed`` or ``interrupted``) and counts.

        `state` (key → value) is crawl bookkeeping of the run's site written in the same
        transaction, so it never says more than the runs table (a run killed while closing
        leaves neither, and the next run marks it interrupted).
        """
        if status not in RUN_STATUSES or status == "running":
            raise ValueError(
                f"a finished run's status is ok, failed or interrupted, not {status!r}"
            )
        with self._write("finishing a run") as conn:
            if state:
                site = conn.execute("SELECT site FROM runs WHERE id = ?", (run_id,)).fetchone()
                for key, value in state.items():
                    self._set_state(conn, site[0] if site else None, key, value)
            conn.execute(
                "UPDATE runs SET status = ?, finished = ?, requests = ?, articles_new = ?, "
                "articles_updated = ?, articles_unchanged = ?, skipped = ?, error = ? "
                "WHERE id = ?",
                (
                    status,
                    format_utc(finished),
                    requests,
                    new,
                    updated,
                    unchanged,
                    skipped,
                    error,
                    run_id,
                ),
            )

    def mark_interrupted(self, now: datetime, keep: Collection[int] = ()) -> int:
        """Every run still ``running`` becomes ``interrupted`` (its process died); returns how many.
        `keep`: the runs this process has open (the other sites of one multi-site run).

        Call it while holding the crawl lock and before `start_run` of the new run.
        """
        live = sorted(keep)
        with self._write("marking interrupted runs") as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = 'interrupted', finished = ?, "
                "error = COALESCE(error, 'the process ended before the run finished') "
                f"WHERE status = 'running' AND id NOT IN ({', '.join('?' * len(live))})",
                (format_utc(now), *live),
            )
            return cursor.rowcount

    def get_state(self, site: str, key: str) -> str | None:
        """A crawl bookkeeping value of `site`, or None."""
        with self._read("reading crawl state") as conn:
            row = conn.execute(
                "SELECT value FROM site_state WHERE site = ? AND key = ?", (site, key)
            ).fetchone()
        return None if row is None else row[0]

    def set_state(self, site: str, key: str, value: str | None) -> None:
        """Set a crawl bookkeeping value of `site`."""
        with self._write("writing crawl state") as conn:
            self._set_state(conn, site, key, value)

    @staticmethod
    def _set_state(conn: sqlite3.Connection, site: str | None, key: str, value: str | None) -> None:
        conn.execute(
            "INSERT INTO site_state (site, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (site, key) DO UPDATE SET value = excluded.value",
            (site, key, value),
        )
