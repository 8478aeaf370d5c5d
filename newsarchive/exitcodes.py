"""The exit codes of every `newsarchive` command (DESIGN, "Command line"), for cron.

The one home of these numbers: the CLI, the crawl's outcome and the tests read them here.
"""

from __future__ import annotations

#: The run completed (skips are counted and reported, not failures).
OK = 0
#: The run failed or was interrupted; the message says why.
FAILED = 1
#: Bad usage: an unknown option value, a bad date, a query FTS5 cannot parse.
USAGE = 2
#: Another crawl holds this archive's lock; the message names its pid and start time.
LOCKED = 3
#: The site could not be reached at all.
UNREACHABLE = 4
#: The archive cannot be opened or written.
ARCHIVE = 5

#: One line per code, for `--help` texts and the README.
MEANINGS: dict[int, str] = {
    OK: "done",
    FAILED: "failed or interrupted",
    USAGE: "bad usage",
    LOCKED: "another crawl holds the archive",
    UNREACHABLE: "site unreachable",
    ARCHIVE: "archive not usable",
}
