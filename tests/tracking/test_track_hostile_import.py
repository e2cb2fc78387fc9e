"""A hostile export given to `appeal track import`, and control characters in what the record keeps and prints.

Each attack runs `appeal track import` in a child process held to 600 MB and 20 s of processor time, waited for
(one child for all of them, each import run there as a process of its own would run it: cli_harness.appeal_all):
it must end with exit status 2 and a message naming the entry or the field, print no traceback, and leave the
importing record exactly as it was (no appeal, no copy in files/). The rest run in this process (cli_harness.appeal)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from cli_harness import Call, appeal, appeal_all
from conftest import BOUND_CPU_SECONDS, BOUND_MEMORY

from appeal.cases.case import Case
from appeal.tracking import store as track_store

SENT = date(2025, 1, 15)
SECRET = b"a file outside the export that must never be copied in"


def _case() -> Case:
    return Case.model_validate({
        "letter_kind": "appeal", "patient": {"first_name": "Dana", "last_name": "Reyes"},
        "insurance": {"insurer": "Acme Health", "plan_type": "fehb"},
        "denial": {"notice_date": "2025-01-06", "reason": "experimental", "level_exhausted": "initial"},
    })


def _make_export(folder: Path) -> Path:
    """An export of one appeal with a copy of its case and a notice, made by the store itself, in folder/backup
    (beside it, a file outside the export)."""
    notice = folder / "decision.pdf"
    notice.write_bytes(b"%PDF the plan's decision")
    with track_store.open_store(folder / "first-machine") as store:
        appeal_id, _ = store.add(_case(), SENT, today=SENT)
        store.outcome(appeal_id, track_store.Result.denied, date(2025, 2, 10), notice=notice, today=date(2025, 2, 10))
        store.note(appeal_id, "Called the plan", today=date(2025, 2, 10))
        store.export(folder / "backup")
    (folder / "outside.txt").write_bytes(SECRET)
    return folder / "backup"


@pytest.fixture
def export(tmp_path) -> Path:
    return _make_export(tmp_path)


def second_machine(folder: Path) -> dict[str, str]:
    """The environment of the person importing: their own HOME, folder/second-machine."""
    return {"HOME": str(folder / "second-machine"), "XDG_DATA_HOME": str(folder / "second-machine" / "data")}


def _data(export: Path) -> dict:
    return json.loads((export / "appeals.json").read_text())


def _rewrite(export: Path, change) -> None:
    data = _data(export)
    change(data)
    (export / "appeals.json").write_text(json.dumps(data))


def _copy(export: Path, key: str = "case_file") -> Path:
    data = _data(export)
    letter = data["appeals"][0]["letters"][0]
    relative = letter[key] if key in letter else letter["outcomes"][0][key]
    return export / "files" / data["appeals"][0]["uid"] / Path(relative).name


def _link_a_copy(export):
    copy = _copy(export)
    copy.unlink()
    copy.symlink_to(export.parent / "outside.txt")
    return f"files/{_data(export)['appeals'][0]['uid']}/{copy.name} is a link to another place"


def _link_the_appeal_folder(export):
    folder = _copy(export).parent
    outside = export.parent / "elsewhere"
    folder.rename(outside)
    (outside / _copy(export).name).write_bytes(SECRET)
    folder.symlink_to(outside, target_is_directory=True)
    return f"files/{folder.name} is a link to another place, not a folder"


def _link_appeals_json(export):
    moved = export.parent / "moved.json"
    (export / "appeals.json").rename(moved)
    (export / "appeals.json").symlink_to(moved)
    return "appeals.json is a link to another place"


def _pipe_as_a_copy(export):
    copy = _copy(export, "notice_file")
    copy.unlink()
    os.mkfifo(copy)
    return f"{copy.name} is a named pipe (FIFO), not a regular file"


def _pipe_as_appeals_json(export):
    (export / "appeals.json").unlink()
    os.mkfifo(export / "appeals.json")
    return "appeals.json is a named pipe (FIFO)"


def _schema_version(value):
    def attack(export):
        _rewrite(export, lambda data: data.update(schema_version=value))
        return f"schema_version must be a whole number like {track_store.SCHEMA_VERSION}, not {json.dumps(value)}"

    return attack


def _deep_appeals(export):
    (export / "appeals.json").write_text(
        '{"format": "appeal-track-export", "schema_version": 2, "appeals": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return "appeals is nested more than 32 levels deep (line 1)"


def _deep_case(export):
    def change(data):
        data["appeals"][0]["letters"][0]["case"]["enclosures"] = json.loads("[" * 200 + "]" * 200)
    _rewrite(export, change)
    return "appeals.letters.case.enclosures is nested more than 32 levels deep"


def _huge_appeals_json(export):
    with open(export / "appeals.json", "r+b") as handle:  # sparse: no disk, and only 64 MiB may ever be read
        handle.truncate(1 << 30)
    return f"appeals.json is larger than {track_store.EXPORT_MAX_BYTES >> 20} MB"


def _huge_copy(export):
    with open(_copy(export, "notice_file"), "r+b") as handle:  # sparse; only 200 MiB and one byte may be read
        handle.truncate(1 << 30)
    return f"is larger than {track_store.COPY_MAX_BYTES:,} bytes"


def _appeals_not_a_list(export):
    _rewrite(export, lambda data: data.update(appeals=5))
    return "appeals must be a list of appeals, not int"


def _level_a_yes(export):
    _rewrite(export, lambda data: data["appeals"][0]["letters"][0].update(level=True))
    return "appeal number 1 is incomplete or damaged (letters.level must be a whole number, not bool)"


def _person_not_text(export):
    _rewrite(export, lambda data: data["appeals"][0].update(person={"a": 1}))
    return "person must be text, not dict"


def _escape_in_a_note(export):
    _rewrite(export, lambda data: data["appeals"][0]["notes"][0].update(text="Called\x1b]0;owned\x07 the plan"))
    return "notes.text holds the control character U+001B (escape)"


def _escape_in_a_case(export):
    _rewrite(export, lambda data: data["appeals"][0]["letters"][0]["case"]["patient"].update(first_name="Dana\x9b2J"))
    return "patient.first_name: holds the control character U+009B"


ATTACKS = {
    "a copy that is a link to a file outside": _link_a_copy,
    "an appeal's folder that is a link outside": _link_the_appeal_folder,
    "appeals.json as a link": _link_appeals_json,
    "a copy that is a named pipe": _pipe_as_a_copy,
    "appeals.json as a named pipe": _pipe_as_appeals_json,
    "schema_version '2'": _schema_version("2"),
    "schema_version 2.5": _schema_version(2.5),
    "schema_version true": _schema_version(True),
    "schema_version null": _schema_version(None),
    "100,000 nested lists": _deep_appeals,
    "a case nested 200 deep": _deep_case,
    "a 1-GB appeals.json": _huge_appeals_json,
    "a 1-GB copy": _huge_copy,
    "appeals that is a number": _appeals_not_a_list,
    "a level that is a yes": _level_a_yes,
    "a person that is not text": _person_not_text,
    "an escape sequence in a note": _escape_in_a_note,
    "a C1 control in the case": _escape_in_a_case,
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict:
    """Each attack made on its own copy of one export, in a folder of its own, and imported by a second machine
    there, all in one bounded child: attack -> (the folder, the words its refusal must hold, what its run left)."""
    made = _make_export(tmp_path_factory.mktemp("export"))
    found, calls = {}, []
    for attack, change in ATTACKS.items():
        folder = tmp_path_factory.mktemp("attack")
        (folder / "outside.txt").write_bytes(SECRET)
        export = Path(shutil.copytree(made, folder / "backup"))
        found[attack] = folder, change(export)
        calls.append(Call(attack, ["track", "import", str(export)], folder, second_machine(folder)))
    ran = appeal_all(calls, memory=BOUND_MEMORY, cpu_seconds=BOUND_CPU_SECONDS)
    return {attack: (folder, expected, ran[attack]) for attack, (folder, expected) in found.items()}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_export_is_refused_by_name_and_imports_nothing(attack, imported):
    folder, expected, result = imported[attack]
    home = folder / "second-machine"
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr + result.stdout
    assert expected in result.stderr, result.stderr[-2000:]
    assert len(result.stderr) < 3000
    record = home / "data" / "appeal" / "track"
    with sqlite3.connect(record / "track.db") as db:
        assert db.execute("SELECT COUNT(*) FROM appeals").fetchone() == (0,)
    assert not [path for path in (record / "files").rglob("*") if path.is_file()] if (record / "files").exists() else True


def test_the_same_export_imports_when_it_is_sound(export, tmp_path):
    """The control for the attacks above: untouched, the export imports, with its copies."""
    home = tmp_path / "second-machine"
    result = appeal("track", "import", str(export), cwd=tmp_path, env=second_machine(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Imported 1 appeal(s)." in result.stdout
    copies = sorted(path.name for path in (home / "data" / "appeal" / "track" / "files").rglob("*") if path.is_file())
    assert len(copies) == 2 and any("notice" in name for name in copies)


def test_a_control_character_is_refused_in_a_note_and_an_old_one_is_shown_not_obeyed(export, tmp_path):
    home = tmp_path / "second-machine"

    def run(*args: str):
        return appeal(*args, cwd=tmp_path, env=second_machine(tmp_path))

    assert run("track", "import", str(export)).returncode == 0
    refused = run("track", "note", "1", "Spoke to Sam\x1b[2J")
    assert refused.returncode == 2 and "note: holds the control character U+001B (escape)" in refused.stderr
    refused = run("track", "outcome", "1", "denied", "--date", "2025-02-11", "--quote", "No\x07",
                  "--today", "2025-02-12")
    assert refused.returncode == 2 and "--quote: holds the control character U+0007 (bell)" in refused.stderr
    # a note written before this rule, straight into the record: printed as text, never as an escape
    with sqlite3.connect(home / "data" / "appeal" / "track" / "track.db") as db:
        db.execute("INSERT INTO notes (appeal_id, written, text) VALUES (1, '2025-02-11', ?)",
                   ("Ana\x1b]0;owned\x07 \x9b31m called",))
    for command in (["track", "show", "1"], ["status", "--all"]):
        shown = run(*command, "--today", "2025-02-12")
        assert shown.returncode == 0, shown.stderr
        assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout and "\x9b" not in shown.stdout
    assert "note: Ana\\x1b]0;owned\\x07 \\x9b31m called" in run("track", "show", "1", "--today", "2025-02-12").stdout
