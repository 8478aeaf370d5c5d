"""Headless Chromium for the browser tests: Debian's ``chromium`` driven through Playwright.

Playwright's Python package brings its driver, not a browser: `launch` points it at the
``chromium`` on PATH (installed by ``make test-browser`` with apt-get), so nothing is
downloaded. `chromium_path` is None when there is none (the tests then skip, saying so).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The window the issue's screenshots were taken at.
WINDOW = {"width": 1400, "height": 1600}
NO_BROWSER = "no chromium on PATH: `make test-browser` installs Debian's chromium and runs these"


def chromium_path() -> str | None:
    """The ``chromium`` to drive, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def page() -> Iterator[Any]:
    """A fresh headless page at `WINDOW`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser.new_page(viewport=WINDOW)
        finally:
            browser.close()
