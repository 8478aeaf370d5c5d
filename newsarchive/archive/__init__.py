"""The archive: the only package that speaks SQL.

One SQLite file (WAL) holds every article once, its earlier versions, the raw pages it was
extracted from, the runs and the skipped pages. `Archive` is composed of one part per concern,
each a `Connection` (`connection`: opening, schema checks, migrating, transactions; `files`:
the file checks before SQLite opens it; `errors`: the exceptions and the mapping of SQLite's):

- `schema`: the constants, the DDL and the numbered migrations (`SCHEMA_VERSION`);
- `store`: what a crawl writes (articles, versions, raw pages, runs, skips, crawl state);
  `group`: a crawl's articles and skips committed many to one transaction (group commit);
- `frontier`: what the crawler asks (known ids, skip history, recent articles, id gaps);
- `search_sql` builds the full-text search's SQL in pure functions, `search` runs it,
  `search_ranks` picks the best ids (among the newest `RANK_WINDOW` matches) and reads the hits;
- `reports`: stats, history, export, runs, raw pages; `site_reports`: each site's articles
  and last run (`newsarchive sites`);
- `reading`: what `newsarchive serve`'s reading room reads (versions, feeds, ``search_match``);
- `values`: JSON lists and date bounds, in and out of the columns;
- `check`: SQLite's checks and the archive's invariants, as data;
- `merge`: another archive folded in (`merge_source` reads it, `merge_plan` decides each
  article, in pure functions).

Every write is one short transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) — a crawl's articles
and skips a group of them to one (`group`) — so a killed process loses nothing already stored. SQLite failures that concern the file rather than the code (disk
full, read-only, not a database, locked, damaged) become `ArchiveError` with a one-line message;
a search query FTS5 cannot parse becomes `QueryError`.

All timestamps are stored as UTC text ``YYYY-MM-DDTHH:MM:SSZ`` (`dates.format_utc`) and
returned as such; `dates.parse_utc` turns them back into datetimes.
"""

from __future__ import annotations

from newsarchive.archive.check import Check
from newsarchive.archive.errors import ArchiveError, ArticleNotFound, NewerSchemaError, QueryError
from newsarchive.archive.files import read_only_storage
from newsarchive.archive.frontier import Frontier
from newsarchive.archive.group import GroupStore, SkipRecord
from newsarchive.archive.merge import Merge, MergeCounts
from newsarchive.archive.merge_source import MergeSource
from newsarchive.archive.reports import MONTH_FACET_SQL, Reports
from newsarchive.archive.runs import Runs
from newsarchive.archive.schema import (
    APPLICATION_ID,
    FTS_BM25,
    FTS_RANK,
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
)
from newsarchive.archive.search import Search
from newsarchive.archive.site_reports import SiteReports

__all__ = [
    "APPLICATION_ID",
    "FTS_BM25",
    "FTS_RANK",
    "MIGRATIONS",
    "MONTH_FACET_SQL",
    "SCHEMA_VERSION",
    "Archive",
    "ArchiveError",
    "ArticleNotFound",
    "MergeCounts",
    "MergeSource",
    "Migration",
    "NewerSchemaError",
    "QueryError",
    "SkipRecord",
    "read_only_storage",
]


class Archive(GroupStore, Runs, Frontier, Search, Reports, SiteReports, Check, Merge):
    """A newsarchive SQLite archive.

    ``Archive(path)`` creates the parent directories and the file if needed, checks it is a
    newsarchive archive (or empty), brings its schema up to `SCHEMA_VERSION` and switches it to
    WAL. ``Archive(path, readonly=True)`` opens an existing archive with ``mode=ro`` and never
    migrates. Use as a context manager or call `close()`.

    Raises `ArchiveError` (or `NewerSchemaError`) when the file cannot be used.
    """
