"""tests/cli_harness.py runs `appeal` in the test's own process as a process of its own would run it: what one
run chose, read or changed never reaches the next, and what a process would show (a traceback, an exit status)
is shown."""

from __future__ import annotations

import os

from cli_harness import appeal

from appeal.base import language
from appeal.commands import library


def test_a_run_leaves_the_language_the_environment_and_the_folder_as_they_were(tmp_path):
    folder, environment = os.getcwd(), dict(os.environ)
    spanish = appeal("--lang", "es", "--help", cwd=tmp_path, env={"APPEAL_TEMPLATES": str(tmp_path), "LANG": None})
    assert spanish.returncode == 0 and not spanish.stdout.startswith("usage:"), spanish.stdout[:200]
    assert language.current() == "en"
    assert os.getcwd() == folder and dict(os.environ) == environment
    assert appeal("--help", cwd=tmp_path).stdout.startswith("usage:")


def test_a_persons_own_letter_kind_is_seen_in_their_home_alone(tmp_path):
    """The kinds read from a user's template folder are forgotten after the run (kinds.all_kinds is cached)."""
    home = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "home" / "data")}
    assert appeal("templates", "new", "mine", cwd=tmp_path, env=home).returncode == 0
    assert "\nmine " in appeal("letters", cwd=tmp_path, env=home).stdout
    assert "\nmine " not in appeal("letters", cwd=tmp_path).stdout


def test_an_uncaught_error_is_a_traceback_and_status_1_as_in_a_process(tmp_path, monkeypatch):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(library, "cmd_letters", broken)
    ran = appeal("letters", cwd=tmp_path)
    assert ran.returncode == 1 and "Traceback" in ran.stderr and "RuntimeError: a bug" in ran.stderr
