"""The last unsafe edges, each run as a user runs it, in a child process held to 600 MB and 20 s of processor time
(conftest.appeal_bounded) and waited for: a named pipe given as a file, control characters in a CSV cell, a file
that exists without --force, a read-only folder and a full disk. Each ends with a message naming the file, field or
folder, no traceback, and nothing written (or the old file intact)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import appeal_bounded, docx_text

from appeal.base.resources import examples_folder

EXAMPLE = examples_folder() / "ketamine-trd-erisa-appeal.yaml"


def assert_refused(result, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for word in words:
        assert word in result.stderr, (word, result.stderr[-2000:])


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.name.endswith(".tmp"))


# --------------------------------------------------------------------------------------------------------------
# A named pipe where a file belongs: named for what it is, never opened (which would wait for a writer for ever)


@pytest.mark.parametrize(("args", "words"), [
    (["packet", "--case", str(EXAMPLE), "--attach", "pipe", "-o", "out.pdf"],
     ["Attachment pipe is a named pipe (FIFO), not a regular file"]),
    (["packet", "--case", str(EXAMPLE), "--docx", "pipe", "-o", "out.pdf"], ["--docx pipe is a named pipe (FIFO)"]),
    (["deadline", "--case", "pipe"], ["pipe is a named pipe (FIFO), not a regular case file"]),
    (["track", "add", "--case", str(EXAMPLE), "--sent", "2026-11-20", "--packet", "pipe", "--today", "2026-11-21"],
     ["--packet pipe is a named pipe (FIFO)"]),
])
def test_a_named_pipe_given_as_a_file_is_named_and_never_opened(tmp_path, args, words):
    os.mkfifo(tmp_path / "pipe")
    result = appeal_bounded(*args, cwd=tmp_path, home=tmp_path / "home")
    assert_refused(result, *words)
    assert "is a folder" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if path.name != "home") == ["pipe"]


# --------------------------------------------------------------------------------------------------------------
# Files handed to the packet: each and all together bounded (the packet is built in memory), never read whole


def _sparse(path: Path, size: int) -> str:
    with open(path, "wb") as handle:  # no disk used: a hole the size of a large scan
        handle.truncate(size)
    return path.name


@pytest.mark.parametrize(("sizes", "words"), [
    ([1 << 30], ["The file", "is more than 50 MB; a file to attach can be at most 50 MB"]),
    ([45 << 20] * 4, ["These files are 180 MB together; the files for one PDF can be at most 150 MB together"]),
], ids=["one file of 1 GB", "four of 45 MB"])
def test_attachments_over_the_bound_are_refused_before_they_are_read_whole(tmp_path, sizes, words):
    names = [_sparse(tmp_path / f"scan-{number}.pdf", size) for number, size in enumerate(sizes)]
    args = ["packet", "--case", str(EXAMPLE), "-o", "out.pdf"] + [item for name in names for item in ("--attach", name)]
    result = appeal_bounded(*args, cwd=tmp_path, home=tmp_path / "home")
    assert_refused(result, *words)
    assert not (tmp_path / "out.pdf").exists()


# --------------------------------------------------------------------------------------------------------------
# Control characters in a CSV cell


def test_a_control_character_in_a_csv_cell_fails_its_row_by_field_and_is_never_printed(tmp_path):
    (tmp_path / "cases.csv").write_bytes(
        b"patient.last_name,patient.first_name,letter_kind,sender.role\n"
        b"Lopez,Ana\x1b[31m,prior-auth,patient\n"
        b"Ibanez,Mar\xc3\xada Jos\xc3\xa9 \xf0\x9f\x98\x80,prior-auth,patient\n"  # accents and an emoji are text
        b"Kim,\"Lee\xc2\x9b2J\",prior-auth,patient\n")
    result = appeal_bounded("batch", "cases.csv", "-o", "out", "--jobs", "1", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output[-2000:]
    assert "cases.csv row 2" in output and "patient.first_name: holds the control character U+001B" in output
    assert "cases.csv row 4" in output and "U+009B" in output
    assert "\x1b" not in output and "\x9b" not in output
    [written] = (tmp_path / "out").glob("*.docx")
    assert "María José 😀 Ibanez" in docx_text(written)  # the person's own text, whole


# --------------------------------------------------------------------------------------------------------------
# Writing: never over a file without --force, a read-only folder, a full disk


@pytest.mark.parametrize("args", [
    ["example", "ketamine-trd-erisa-appeal", "-o", "existing"],
    ["draft", "--case", str(EXAMPLE), "-o", "existing"],
    ["next-steps", "--case", str(EXAMPLE), "-o", "existing"],
    ["deadline", "--case", str(EXAMPLE), "--ics", "existing"],
    ["packet", "--case", str(EXAMPLE), "-o", "existing"],
    ["batch", "--csv-template", "existing"],
    ["templates", "vars", "--format", "docx", "-o", "existing"],
], ids=lambda args: args[0])
def test_an_existing_file_is_never_replaced_without_force(tmp_path, args):
    (tmp_path / "existing").write_bytes(b"the person's own file")
    result = appeal_bounded(*args, cwd=tmp_path, home=tmp_path / "home")
    assert_refused(result, "existing already exists", "--force")
    assert (tmp_path / "existing").read_bytes() == b"the person's own file"
    assert _leftovers(tmp_path) == []


READ_ONLY = ("import errno, tempfile\n"
             "def read_only(*args, **kwargs):\n"
             "    raise OSError(errno.EROFS, 'Read-only file system')\n"
             "tempfile.mkstemp = read_only\n")
FULL_DISK = ("import errno, os\n"
             "def full(descriptor):\n"
             "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
             "os.fsync = full\n")


def test_a_read_only_folder_is_named_and_nothing_is_left(tmp_path):
    """A folder on a read-only disk, as the kernel reports it (EROFS), in a child process that only simulates it."""
    folder = tmp_path / "on-a-cd"
    folder.mkdir()
    result = appeal_bounded("draft", "--case", str(EXAMPLE), "-o", "on-a-cd/letter.docx", cwd=tmp_path,
                            prelude=READ_ONLY)
    assert_refused(result, "Cannot write on-a-cd/letter.docx", "read-only", f"in the folder {folder}",
                   "Nothing was changed")
    assert list(folder.iterdir()) == []


def test_a_folder_without_write_permission_is_named(tmp_path):
    """A real folder without write permission; the superuser (as CI runs) is held to it like anyone else."""
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    result = appeal_bounded("example", "ketamine-trd-erisa-appeal", "-o", "locked/case.yaml", cwd=tmp_path,
                            as_anyone=True)
    assert_refused(result, "permission denied", f"in the folder {folder}")
    assert list(folder.iterdir()) == []


def test_a_full_disk_is_a_message_and_the_old_letter_stays(tmp_path):
    """The disk fills while the new letter is written (ENOSPC where the data is flushed), with --force over the
    old letter: the old one is intact and no temporary file is left."""
    (tmp_path / "letter.docx").write_bytes(b"the letter as it was")
    result = appeal_bounded("draft", "--case", str(EXAMPLE), "-o", "letter.docx", "--force", cwd=tmp_path,
                            prelude=FULL_DISK)
    assert_refused(result, "Cannot write letter.docx", "the disk is full", f"in the folder {tmp_path}")
    assert (tmp_path / "letter.docx").read_bytes() == b"the letter as it was"
    assert _leftovers(tmp_path) == []
