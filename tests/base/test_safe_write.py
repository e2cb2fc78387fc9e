"""Every write failure is a message; the old file is untouched and no temporary file is left behind."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest

from appeal.intake import drafts
from appeal.letters import kinds
from appeal.base import safe_write
from appeal.cli import main
from appeal.base.errors import UserError


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def _failing(error_number: int):
    def fail(*args, **kwargs):
        raise OSError(error_number, os.strerror(error_number))

    return fail


@pytest.mark.parametrize(
    ("where", "error_number", "words"),
    [
        ("tempfile.mkstemp", errno.EROFS, "read-only"),
        ("tempfile.mkstemp", errno.EACCES, "permission denied"),
        ("os.fsync", errno.ENOSPC, "the disk is full"),
        ("os.replace", errno.EDQUOT, "quota"),
    ],
)
def test_a_failed_write_is_a_message_and_the_old_file_stays(tmp_path, monkeypatch, where, error_number, words):
    target = tmp_path / "letter.docx"
    target.write_bytes(b"the old letter")
    module, name = where.split(".")
    monkeypatch.setattr({"tempfile": tempfile, "os": os}[module], name, _failing(error_number))
    with pytest.raises(UserError) as raised:
        safe_write.write_bytes(target, b"the new letter", overwrite=True)
    assert words in str(raised.value) and str(target) in str(raised.value)
    assert target.read_bytes() == b"the old letter"
    assert _leftovers(tmp_path) == []


def test_output_that_is_a_folder_is_a_message_even_with_force(in_tmp, capsys):
    (in_tmp / "out").mkdir()
    status = main(["example", "ketamine-trd-erisa-appeal", "-o", "out", "--force"])
    assert status == 2
    error = capsys.readouterr().err
    assert "out: it is a folder" in error and "Traceback" not in error
    assert list((in_tmp / "out").iterdir()) == []
    assert _leftovers(in_tmp) == []


def test_a_real_file_size_limit_is_a_message(tmp_path):
    """A genuinely failing write (the process may not write more than 1 KiB), not a stand-in."""
    import subprocess
    import sys

    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))\n"
        "from appeal.cli import main\n"
        "sys.exit(main(['example', 'ketamine-trd-erisa-appeal', '-o', sys.argv[1], '--force']))\n"
    )
    target = tmp_path / "case.yaml"
    target.write_text("old: case\n")
    result = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Cannot write" in result.stderr and "larger than the disk or your limits allow" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text() == "old: case\n"
    assert _leftovers(tmp_path) == []


def test_written_files_are_owner_only(tmp_path):
    path = safe_write.write_text(tmp_path / "a.yaml", "x: 1\n", overwrite=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_suite_has_its_own_home_and_user_folders():
    home = Path(os.environ["HOME"])
    assert home.name.startswith("appeal-test-home-")
    assert kinds.user_folder().is_relative_to(home)
    assert drafts.folder().is_relative_to(home)
    assert "APPEAL_TEMPLATES" not in os.environ and "APPEAL_EVIDENCE_DIR" not in os.environ
