"""The table helpers `newsarchive stats` prints through: aligned columns, titled sections,
stretches of empty days."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.testing import CliRunner

from newsarchive import cli
from newsarchive.archive import Archive
from newsarchive.cli.tables import day_ranges, day_stretches, section, table, titled_table


def printed(function: Callable[..., object], *args: object, **kwargs: object) -> str:
    """What `function(*args, **kwargs)` echoes, as plain text (no styles)."""

    @click.command()
    def command() -> None:
        function(*args, **kwargs)

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 0, result.output
    return result.output


def test_table_aligns_text_left_and_numbers_right() -> None:
    lines = table(["site", "articles"], [["a", 5], ["longer", 120]])
    assert lines == [
        "site    articles",
        "------  --------",
        "a              5",
        "longer       120",
    ]


def test_table_shows_none_as_blank_and_trims_trailing_space() -> None:
    lines = table(["id", "error"], [[1, None], [22, "boom"]])
    assert lines == ["id  error", "--  -----", " 1", "22  boom"]


def test_table_without_rows_is_its_headers() -> None:
    assert table(["site", "articles"], []) == ["site  articles", "----  --------"]


def test_stats_of_an_archive_without_articles(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Archive(db).close()
    result = CliRunner().invoke(cli.main, ["stats", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "0 articles" in result.output and "no runs yet" in result.output


def test_section_is_a_blank_line_and_a_title() -> None:
    assert printed(section, "Sites") == "\nSites\n"
    assert printed(section, "Days", ": none") == "\nDays: none\n"


def test_titled_table_prints_the_empty_text_only_without_rows() -> None:
    assert printed(titled_table, "Skips", ["reason", "pages"], [], "  none") == "\nSkips\n  none\n"
    assert printed(titled_table, "Skips", ["reason", "pages"], [["x", 2]], "  none") == (
        "\nSkips\nreason  pages\n------  -----\nx           2\n"
    )


def test_day_ranges_joins_consecutive_days() -> None:
    days = ["2024-12-05", "2024-12-01", "2024-12-02", "2024-12-03", "2025-01-01"]
    assert day_ranges(days) == [
        ("2024-12-01", "2024-12-03", 3),
        ("2024-12-05", "2024-12-05", 1),
        ("2025-01-01", "2025-01-01", 1),
    ]
    assert day_ranges([]) == []


def test_day_stretches_lists_the_latest_and_counts_the_rest() -> None:
    assert printed(day_stretches, "Days without articles (x)", []) == (
        "\nDays without articles (x): none\n"
    )
    days = ["2024-12-01", "2024-12-02", "2024-12-04", "2024-12-06"]
    assert printed(day_stretches, "Empty", days, shown=2) == (
        "\nEmpty: 4 in 3 stretches\n"
        "  2024-12-04  (1 day)\n"
        "  2024-12-06  (1 day)\n"
        "  … and 1 earlier stretches (--json lists every day)\n"
    )
    assert printed(day_stretches, "Empty", days[:2]) == (
        "\nEmpty: 2 in 1 stretch\n  2024-12-01 … 2024-12-02  (2 days)\n"
    )
