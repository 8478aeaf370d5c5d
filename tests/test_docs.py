"""The documentation matches the code: README.md names every command and carries the read-side
commands' real --help; every --help ends its description with an example."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from newsarchive import cli, docs, settings
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


def spider_names() -> list[str]:
    """The sites Scrapy knows, as `newsarchive crawl` lists them."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    return SpiderLoader.from_settings(settings).list()


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_no_help_names_a_site(name: str | None) -> None:
    args = [name, "--help"] if name else ["--help"]
    result = CliRunner().invoke(cli.main, args, terminal_width=100)
    assert result.exit_code == 0
    for site in spider_names():
        assert site.lower() not in result.output.lower(), (name, site)


def test_help_shows_the_defaults_of_settings() -> None:
    def words(name: str) -> str:
        result = CliRunner().invoke(cli.main, [name, "--help"], terminal_width=100)
        return " ".join(result.output.split())

    assert f"[default: {settings.NEWSARCHIVE_LOG_FILE}]" in words("crawl")
    assert f"(default {settings.NEWSARCHIVE_REFRESH_HOURS})" in words("crawl")
    for name in COMMANDS:
        assert f"[default: ({settings.NEWSARCHIVE_DB}, or $NEWSARCHIVE_DB)]" in words(name), name


def test_the_cli_loads_without_scrapy() -> None:
    """The read-side commands start fast: only `crawl` imports Scrapy, when it runs."""
    code = "import sys, newsarchive.cli; print(sorted({'scrapy', 'twisted'} & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"
