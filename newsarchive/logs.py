"""The crawl log: Scrapy's full log into a rotated file, nothing on the terminal.

A log that cannot be written (a full disk, a file that became read-only) must not turn a crawl
into a stream of tracebacks on the terminal, as `logging` does by default for every record: the
first failure is said once on stderr and the file is given up; the run goes on.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


class CrawlLogHandler(RotatingFileHandler):
    """A rotated log file that gives up, with one line on stderr, at its first failed write."""

    failed: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed is None:
            super().emit(record)

    def flush(self) -> None:
        """Flush; a failure (closing the handler on a full disk) is the same one warning."""
        try:
            super().flush()
        except OSError:
            self.handleError(None)

    def close(self) -> None:
        """Close; the last flush failing (a full disk) is the same one warning."""
        try:
            super().close()
        except OSError:
            self.handleError(None)

    def handleError(self, record: logging.LogRecord | None) -> None:  # noqa: N802 - logging's
        if self.failed is not None:
            return
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        self.failed = f"cannot write the log {self.baseFilename} ({reason}); the rest of this run is not logged"
        print(f"Warning: {self.failed}", file=sys.stderr, flush=True)


def log_to_file(path: str | Path, level: int = logging.INFO) -> logging.Handler:
    """Send the root logger to a rotated file at `path` (5 MB × 5); returns the handler.

    OSError when the file cannot be opened (the caller says so before the run starts)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handler = CrawlLogHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
