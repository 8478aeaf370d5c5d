"""Page text reaches the terminal without its control characters (issue 12, item 9).

A title holding ``&#x1b;[31m`` is stored as the site sent it (the archive keeps the data
exact), but `search`, `history` and `stats` printed it raw, so a site could drive the reader's
terminal: recolour it, clear it, retitle the window. Now control characters (C0, DEL and C1,
ESC among them) are left out when printing, on a terminal (a real pseudo-terminal here) and
off it; --json keeps the data exact (JSON escapes them).
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli_env, drain_terminal, run_cli
from tests.test_reliability_cli import article, store_archive

#: Sequences a terminal obeys, none of which our own styling (bold, green, red, cyan) uses.
HOSTILE = ("\x1b[5m", "\x1b[2J", "\x1b]0;owned\x07", "\x9b2J", "\x1bP+q\x1b\\", "\x08\x08")
TITLE = f"Markets {HOSTILE[0]}Blink{HOSTILE[1]} and {HOSTILE[2]}Titles{HOSTILE[3]} storm"
SECTION = f"World{HOSTILE[4]}"
BODIES = (
    f"First version about the storm.\n\nIt said {HOSTILE[5]}nothing{HOSTILE[1]}.",
    f"Second version about the storm.\n\nIt says {HOSTILE[2]}more\r\x07 now{HOSTILE[3]}.",
)


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small archive whose article 7001 (edited once) holds control characters in its title,
    section, URL and both versions' bodies."""
    hostile = [
        article(
            6001, site_id="7001", title=TITLE, section=SECTION, body=body,
            url=f"https://news.example.org/7001/{HOSTILE[1]}", tags=["storm", HOSTILE[0]],
        )
        for body in BODIES
    ]  # fmt: skip
    return store_archive(tmp_path_factory.mktemp("rel2tty") / "archive.db", 20, hostile)


def on_terminal(*args: str) -> str:
    """`newsarchive ARGS…` with a pseudo-terminal as its standard output (styling on)."""
    env = cli_env()
    env.pop("NO_COLOR", None)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.cli", *args],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=child, stderr=child,
    )  # fmt: skip
    os.close(child)
    chunks = [drain_terminal(main)]
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def assert_no_hostile(text: str) -> None:
    for sequence in HOSTILE:
        assert sequence not in text, (sequence, text[:2000])
    assert "\x07" not in text and "\x9b" not in text


@pytest.mark.parametrize(
    "args", [("search", "storm", "--limit", "50"), ("history", "7001"), ("stats",)]
)
def test_page_text_is_printed_without_control_characters(
    archive_db: Path, args: tuple[str, ...]
) -> None:
    result = run_cli(*args, "--db", str(archive_db))
    assert result.returncode == 0, result.stderr
    assert_no_hostile(result.stdout)
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    if args[0] != "stats":
        assert "Blink" in result.stdout and "Titles" in result.stdout, "the text itself is kept"


@pytest.mark.parametrize("args", [("search", "storm", "--limit", "50"), ("history", "7001")])
def test_on_a_terminal_only_our_own_styling_reaches_it(
    archive_db: Path, args: tuple[str, ...]
) -> None:
    shown = on_terminal(*args, "--db", str(archive_db))
    assert "\x1b[1m" in shown, "a terminal gets our bold"
    assert_no_hostile(shown)
    assert "Blink" in shown and "Titles" in shown


def test_json_keeps_the_data_exact(archive_db: Path) -> None:
    result = run_cli("search", "storm", "--limit", "50", "--json", "--db", str(archive_db))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout, "JSON escapes control characters"
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    hostile = next(hit for hit in hits if hit["site_id"] == "7001")
    assert hostile["title"] == TITLE and hostile["section"] == SECTION
    assert hostile["tags"] == ["storm", HOSTILE[0]]
