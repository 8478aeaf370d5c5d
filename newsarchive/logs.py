"""The crawl log: Scrapy's full log into a rotated file, nothing on the terminal."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


def log_to_file(path: str | Path, level: int = logging.INFO) -> logging.Handler:
    """Send the root logger to a rotated file at `path` (5 MB × 5); returns the handler."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
