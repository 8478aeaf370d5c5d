"""`export -o` writes through what it is pointed at (issue 12, item 4).

It used to write a temporary file and rename it over the target, whatever the target was: as
root `-o /dev/full` turned the device into a regular file, a FIFO was replaced (its reader got
nothing), a symlink was replaced rather than written through, and new files got mode 0600.
Now a device or a FIFO is written through (and a write error said in one line, exit 1), a
symlink is followed, and only a regular or new file is replaced once complete, with the
usual permissions. Real FIFOs, symlinks and (as root) character devices under a temporary
directory; the real command in a subprocess.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.test_reliability_cli import one_error, store_archive

#: /dev/full and /dev/null: (major, minor) of Linux's memory devices.
FULL, NULL = (1, 7), (1, 3)


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_archive(tmp_path_factory.mktemp("rel2export") / "archive.db", count=120)


@pytest.fixture(scope="module")
def expected(archive_db: Path) -> str:
    """What `export` writes to standard output: what every target must receive."""
    result = run_cli("export", "--db", str(archive_db))
    assert result.returncode == 0 and result.stdout.count("\n") == 120, result.stderr
    return result.stdout


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def export_to(archive_db: Path, target: Path | str) -> subprocess.CompletedProcess[str]:
    return run_cli("export", "--db", str(archive_db), "-o", str(target), timeout=120)


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".part")]


def test_a_fifo_is_written_through_to_its_reader(
    archive_db: Path, expected: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = tmp_path / "received.jsonl"
    with received.open("w") as sink:  # not a pipe of ours: the reader never waits on us
        reader = subprocess.Popen(["cat", str(fifo)], stdout=sink)
        try:
            result = export_to(archive_db, fifo)
            reader.wait(timeout=60)
        finally:
            if reader.poll() is None:
                reader.kill()
                reader.wait()
    got = received.read_text("utf-8")
    assert result.returncode == 0, result.stderr
    assert got == expected
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO is still a FIFO"
    assert leftovers(tmp_path) == []


def test_a_symlink_is_written_through_and_kept(
    archive_db: Path, expected: str, tmp_path: Path
) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("old content\n")
    real.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    result = export_to(archive_db, link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real), "the link is kept"
    assert real.read_text("utf-8") == expected
    assert stat.S_IMODE(real.stat().st_mode) == 0o640, "the file keeps its permissions"
    assert leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_what_it_names(
    archive_db: Path, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "named.jsonl"
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with umask(0o022):
        result = export_to(archive_db, link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and target.read_text("utf-8") == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_usual_permissions(
    archive_db: Path, expected: str, tmp_path: Path, mask: int, mode: int
) -> None:
    out = tmp_path / "new.jsonl"
    with umask(mask):
        result = export_to(archive_db, out)
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8") == expected
    assert stat.S_IMODE(out.stat().st_mode) == mode, oct(out.stat().st_mode)


def test_a_regular_file_is_still_replaced_only_once_complete(
    archive_db: Path, expected: str, tmp_path: Path
) -> None:
    out = tmp_path / "existing.jsonl"
    out.write_text("old content\n")
    out.chmod(0o604)
    held = out.open("r")  # a reader of the old file keeps the old file: it was replaced
    try:
        result = export_to(archive_db, out)
        assert held.read() == "old content\n"
    finally:
        held.close()
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8") == expected
    assert stat.S_IMODE(out.stat().st_mode) == 0o604
    assert leftovers(tmp_path) == []


def character_device(tmp_path: Path, name: str, numbers: tuple[int, int]) -> Path:
    """A character device made under `tmp_path` (root only), or skip saying why not. A
    filesystem mounted nodev refuses to open it: then the system's own device, which the
    code under test leaves a device."""
    node = tmp_path / name
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(*numbers))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a character device here ({exc.strerror or exc}): needs root")
    try:
        os.close(os.open(node, os.O_WRONLY))
    except OSError:
        node.unlink()
        system = Path(f"/dev/{name}")
        if not system.is_char_device():
            pytest.skip(f"{tmp_path} is mounted nodev and there is no {system}")
        return system
    return node


def test_a_full_device_is_written_and_its_error_reported(archive_db: Path, tmp_path: Path) -> None:
    device = character_device(tmp_path, "full", FULL)
    result = export_to(archive_db, device)
    one_error(result, 1, f"cannot write {device}", "No space left on device")
    assert device.is_char_device(), "the device is still a device"
    assert leftovers(tmp_path) == [] and leftovers(device.parent) == []


def test_a_null_device_takes_the_export(archive_db: Path, tmp_path: Path) -> None:
    device = character_device(tmp_path, "null", NULL)
    result = export_to(archive_db, device)
    assert result.returncode == 0, result.stderr
    assert "exported 120 articles" in result.stderr
    assert device.is_char_device(), "the device is still a device"


def test_no_file_name_or_the_archive_itself_is_bad_usage(archive_db: Path) -> None:
    one_error(export_to(archive_db, ""), 2, "give a file name")
    before = archive_db.read_bytes()
    one_error(export_to(archive_db, archive_db), 2, "the archive itself")
    alias = archive_db.with_name("alias.db")
    alias.symlink_to(archive_db)
    try:
        one_error(export_to(archive_db, alias), 2, "the archive itself")
    finally:
        alias.unlink()
    assert archive_db.read_bytes() == before
