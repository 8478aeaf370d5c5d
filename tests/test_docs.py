"""The documentation matches the code: README.md names every command and carries the read-side
commands' real --help; every --help ends its description with an example."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from newsarchive import cli, docs
from tests.helpers import ROOT, run_cli

README = (ROOT / "README.md").read_text("utf-8")
COMMANDS = sorted(cli.main.commands)


def test_the_read_side_commands_exist() -> None:
    assert {"search", "serve", "stats", "history", "export", "check"} <= set(COMMANDS)
    assert set(docs.COMMANDS) <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme_commands_table(name: str) -> None:
    table = README.split("### Commands", 1)[1].split("\n\n", 2)[1]
    assert re.search(rf"^\| `newsarchive {name}\b[^`]*` \| \S", table, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_every_help_ends_with_an_example(name: str) -> None:
    result = CliRunner().invoke(cli.main, [name, "--help"], terminal_width=100)
    assert result.exit_code == 0
    description = result.output.split("\nOptions:\n")[0].rstrip()
    example = description.rsplit("\n\n", 1)[1]
    lines = example.splitlines()
    assert lines[0].strip() == "Example:", description
    assert len(lines) > 1
    assert all(line.strip().startswith("newsarchive ") for line in lines[1:]), example


@pytest.mark.parametrize("name", docs.COMMANDS)
def test_readme_copies_the_real_help(name: str) -> None:
    real = CliRunner().invoke(
        cli.main, [name, "--help"], prog_name="newsarchive", terminal_width=100
    )
    assert real.exit_code == 0
    block = f"#### `newsarchive {name}`\n\n```text\n{real.output}```"
    assert block in README, f"README.md is out of date: run `python -m newsarchive.docs` ({name})"


def test_readme_is_up_to_date_with_the_generator() -> None:
    assert docs.updated(README) == README
    assert docs.main(["--check"]) == 0


def test_generator_notices_a_stale_readme() -> None:
    stale = README.replace("Full-text search of the archive", "Old words", 1)
    assert stale != README
    assert docs.updated(stale) == README


def test_top_level_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    listed = re.findall(r"^  (\w+)\s", result.stdout.split("Commands:")[1], re.M)
    assert sorted(listed) == COMMANDS
