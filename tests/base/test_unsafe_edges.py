"""The last unsafe edges, each run as a user runs it: a named pipe given as a file, control characters in a CSV
cell, a file that exists without --force, a read-only folder and a full disk. Each ends with a message naming the
file, field or folder, no traceback, and nothing written (or the old file intact).

Each command runs in this process as a process of its own would run it (tests/cli_harness.py), but where a process
is the point: attachments too large to read whole are given to a child the kernel holds to 600 MB and 20 s of
processor time (one child for both), and a folder without write permission to a child without the superuser's
override (conftest.appeal_bounded)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest
from cli_harness import Call, appeal, appeal_all
from conftest import BOUND_CPU_SECONDS, BOUND_MEMORY, appeal_bounded, docx_text

from appeal.base.resources import examples_folder

EXAMPLE = examples_folder() / "ketamine-trd-erisa-appeal.yaml"


def own_home(tmp_path: Path) -> dict[str, str]:
    """The environment of a person whose HOME (tracking record, drafts, templates) is tmp_path/home."""
    return {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "home" / "data")}


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
    result = appeal(*args, cwd=tmp_path, env=own_home(tmp_path))
    assert_refused(result, *words)
    assert "is a folder" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if path.name != "home") == ["pipe"]


# --------------------------------------------------------------------------------------------------------------
# Files handed to the packet: each and all together bounded (the packet is built in memory), never read whole


def _sparse(path: Path, size: int) -> str:
    with open(path, "wb") as handle:  # no disk used: a hole the size of a large scan
        handle.truncate(size)
    return path.name


OVER_THE_BOUND = {  # name -> (sizes of the files to attach, words of the refusal)
    "one file of 1 GB": ([1 << 30], ["The file", "is more than 50 MB; a file to attach can be at most 50 MB"]),
    "four of 45 MB": ([45 << 20] * 4,
                      ["These files are 180 MB together; the files for one PDF can be at most 150 MB together"]),
}


@pytest.fixture(scope="module")
def over_the_bound(tmp_path_factory) -> dict:
    """Each OVER_THE_BOUND packet asked for in a folder of its own, both in one bounded child: name -> (the
    folder, what its run left)."""
    folders, calls = {}, []
    for name, (sizes, _) in OVER_THE_BOUND.items():
        folder = folders[name] = tmp_path_factory.mktemp("attach")
        names = [_sparse(folder / f"scan-{number}.pdf", size) for number, size in enumerate(sizes)]
        calls.append(Call(name, ["packet", "--case", str(EXAMPLE), "-o", "out.pdf"]
                          + [item for name in names for item in ("--attach", name)], folder, own_home(folder)))
    ran = appeal_all(calls, memory=BOUND_MEMORY, cpu_seconds=BOUND_CPU_SECONDS)
    return {name: (folder, ran[name]) for name, folder in folders.items()}


@pytest.mark.parametrize("name", OVER_THE_BOUND)
def test_attachments_over_the_bound_are_refused_before_they_are_read_whole(over_the_bound, name):
    folder, result = over_the_bound[name]
    assert_refused(result, *OVER_THE_BOUND[name][1])
    assert not (folder / "out.pdf").exists()


# --------------------------------------------------------------------------------------------------------------
# Control characters in a CSV cell


def test_a_control_character_in_a_csv_cell_fails_its_row_by_field_and_is_never_printed(tmp_path):
    (tmp_path / "cases.csv").write_bytes(
        b"patient.last_name,patient.first_name,letter_kind,sender.role\n"
        b"Lopez,Ana\x1b[31m,prior-auth,patient\n"
        b"Ibanez,Mar\xc3\xada Jos\xc3\xa9 \xf0\x9f\x98\x80,prior-auth,patient\n"  # accents and an emoji are text
        b"Kim,\"Lee\xc2\x9b2J\",prior-auth,patient\n")
    result = appeal("batch", "cases.csv", "-o", "out", "--jobs", "1", cwd=tmp_path)
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
    result = appeal(*args, cwd=tmp_path, env=own_home(tmp_path))
    assert_refused(result, "existing already exists", "--force")
    assert (tmp_path / "existing").read_bytes() == b"the person's own file"
    assert _leftovers(tmp_path) == []


def _fails(error: int, message: str):
    """A stand-in that fails as the kernel does, with `error` (an errno)."""
    def fail(*args, **kwargs):
        raise OSError(error, message)

    return fail


def test_a_read_only_folder_is_named_and_nothing_is_left(tmp_path, monkeypatch):
    """A folder on a read-only disk, as the kernel reports it (EROFS), simulated for the run alone."""
    folder = tmp_path / "on-a-cd"
    folder.mkdir()
    with monkeypatch.context() as patched:
        patched.setattr(tempfile, "mkstemp", _fails(errno.EROFS, "Read-only file system"))
        result = appeal("draft", "--case", str(EXAMPLE), "-o", "on-a-cd/letter.docx", cwd=tmp_path)
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


def test_a_full_disk_is_a_message_and_the_old_letter_stays(tmp_path, monkeypatch):
    """The disk fills while the new letter is written (ENOSPC where the data is flushed), with --force over the
    old letter: the old one is intact and no temporary file is left."""
    (tmp_path / "letter.docx").write_bytes(b"the letter as it was")
    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", _fails(errno.ENOSPC, "No space left on device"))
        result = appeal("draft", "--case", str(EXAMPLE), "-o", "letter.docx", "--force", cwd=tmp_path)
    assert_refused(result, "Cannot write letter.docx", "the disk is full", f"in the folder {tmp_path}")
    assert (tmp_path / "letter.docx").read_bytes() == b"the letter as it was"
    assert _leftovers(tmp_path) == []
