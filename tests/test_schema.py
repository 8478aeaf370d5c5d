"""The schema's facts agree wherever they are written: frozen migrations against the constants,
the invariants against the statuses, the bundled Datasette metadata against the ranking."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from newsarchive import serve
from newsarchive.archive import Archive, check, schema


def _in_list(sql: str, pattern: str) -> tuple[str, ...]:
    """The quoted strings of the SQL list `pattern` captures, in order."""
    found = re.search(pattern, sql, re.DOTALL)
    assert found, pattern
    return tuple(re.findall(r"'([^']*)'", found.group(1)))


def test_migration_1_run_statuses_are_run_statuses() -> None:
    """Migration 1's DDL is frozen history, written out literally: its CHECK on runs.status
    must still list RUN_STATUSES (a new status takes a new migration)."""
    literal = _in_list(schema._SCHEMA_1, r"CHECK \(status IN \(([^)]*)\)\)")
    assert literal == schema.RUN_STATUSES


def test_created_archive_checks_run_statuses(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        sql = archive.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()
    assert _in_list(sql[0], r"CHECK \(status IN \(([^)]*)\)\)") == schema.RUN_STATUSES


def test_the_runs_invariant_is_built_from_run_statuses() -> None:
    message, sql = next(pair for pair in check.INVARIANTS if "status" in pair[0])
    assert sql is not None
    assert _in_list(sql, r"NOT IN \(([^)]*)\)") == schema.RUN_STATUSES
    assert sql == (
        "SELECT id FROM runs WHERE status NOT IN ('running', 'ok', 'failed', 'interrupted')"
    )


def test_migration_2_fts_options_are_the_constants() -> None:
    ddl = schema._FTS_CREATE_2
    prefix = re.search(r"prefix='([^']*)'", ddl)
    assert prefix and tuple(int(n) for n in prefix.group(1).split()) == schema.FTS_PREFIX
    assert f"tokenize='{schema.FTS_TOKENIZE}'" in ddl
    assert re.findall(r'"(\w+)"', ddl.split("tokenize")[0])[1:] == list(schema.FTS_COLUMNS)


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in schema.MIGRATIONS] == list(range(1, len(schema.MIGRATIONS) + 1))
    assert schema.MIGRATIONS[-1].version == schema.SCHEMA_VERSION


def test_the_ranking_is_written_once() -> None:
    weights = ", ".join(str(w) for w in schema.FTS_WEIGHTS)
    assert f"bm25({weights})" == schema.FTS_RANK
    assert f"bm25(articles_fts, {weights})" == schema.FTS_BM25


def test_datasette_search_query_ranks_with_the_archive_weights() -> None:
    raw = resources.files("newsarchive").joinpath("datasette/metadata.json").read_text("utf-8")
    assert "bm25(" not in raw, "metadata.json should hold the placeholder, not the weights"
    queries = serve.metadata()["databases"][serve.DATABASE_NAME]["queries"]
    # The canned search ranks through search_best, i.e. the CLI's own SQL (FTS_BM25).
    assert "search_best(:query" in queries["search"]["sql"]
    assert all(serve.BM25_PLACEHOLDER not in q["sql"] for q in queries.values())
