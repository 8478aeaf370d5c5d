"""`python -m newsarchive.cli …`: the `newsarchive` command without the console script."""

from __future__ import annotations

from newsarchive.cli import main

main()
