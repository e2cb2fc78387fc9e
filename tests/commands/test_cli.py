"""The command line as a person meets it: clear failures with status 2, never a traceback; safe output files.
Each command runs in this process as its own process would run it (tests/cli_harness.py); what `appeal --help`
imports at start-up is tests/test_startup.py's."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import appeal
from conftest import docx_text

from appeal.cli import main
from appeal.base.resources import examples_folder

EXAMPLE = examples_folder() / "ketamine-trd-erisa-appeal.yaml"


@pytest.mark.parametrize("last, first, expected", [("Martínez", "Rosa", "martinez-rosa"), ("Ñúñez", "José", "nunez-jose"),
                                                   ("O'Brien", "Seán", "o-brien-sean"), ("李", "", "patient")])
def test_a_letters_name_keeps_a_name_with_accents_readable(last, first, expected):
    """'Martínez' made mart-nez-rosa-appeal-....docx; the accents are dropped, not the letters."""
    from datetime import date

    from appeal.cases.case import Case
    from appeal.letters import draft, kinds

    case = Case.model_validate({"patient": {"last_name": last, "first_name": first or None}})
    assert draft.default_name(case, kinds.get("appeal"), date(2026, 12, 7)).name == f"{expected}-appeal-2026-12-07.docx"


def test_draft_writes_an_owner_only_letter_with_the_default_name(in_tmp, capsys):
    assert main(["draft", "--case", str(EXAMPLE)]) == 0
    written = list(in_tmp.glob("*.docx"))
    assert len(written) == 1 and written[0].name.startswith("alvarez-maria-appeal-")
    assert written[0].stat().st_mode & 0o777 == 0o600
    assert "Maria Alvarez" in docx_text(written[0])
    out = capsys.readouterr().out
    assert f"Wrote internal appeal to {written[0].name}" in out
    # the last screen ends with the letter's path and the one next action, after the next steps
    last = out.rstrip().splitlines()[-2:]
    assert last == [f"Your letter: {written[0].resolve()}", "Next: sign it and fax it to (937) 555-0199; keep the fax "
                    "confirmation page."]
    assert out.index("WHERE AND HOW TO SEND IT") < out.index("Your letter:")


def test_existing_file_is_never_replaced_without_force(in_tmp, capsys):
    target = in_tmp / "letter.docx"
    target.write_bytes(b"the user's own file")
    assert main(["draft", "--case", str(EXAMPLE), "-o", str(target)]) == 2
    assert target.read_bytes() == b"the user's own file"
    assert "already exists" in capsys.readouterr().err
    assert main(["draft", "--case", str(EXAMPLE), "-o", str(target), "--force"]) == 0
    assert "Maria Alvarez" in docx_text(target)
    assert not [p for p in in_tmp.iterdir() if p.name.startswith(".")]  # no temporary files left behind


@pytest.mark.parametrize(
    ("case_text", "expected"),
    [
        (None, "No case file at"),
        ("patient:\n  first_name: Ann\n   last_name: Lee\n", "line 3"),
        ("patient:\n  date_of_birth: 13/45/1990\n", "patient.date_of_birth (line 2): '13/45/1990' is not a date"),
        ("diagnoses:\n  - code: F99.99\n", "diagnoses.0.code"),
        ("sender:\n  npi: '1234567890'\n", "sender.npi"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(tmp_path, case_text, expected):
    path = tmp_path / "case.yaml"
    if case_text is not None:
        path.write_text(case_text)
    result = appeal("draft", "--case", str(path), "--letter", "prior-auth", cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_kind_lists_the_kinds(tmp_path):
    result = appeal("draft", "--case", str(EXAMPLE), "--letter", "apeal", cwd=tmp_path)
    assert result.returncode == 2 and "prior-auth" in result.stderr and "Traceback" not in result.stderr


def test_strict_lists_blanks_and_writes_nothing(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("letter_kind: prior-auth\npatient:\n  first_name: Ann\n")
    result = appeal("draft", "--case", str(path), "--strict", "-o", "out.docx", cwd=tmp_path)
    assert result.returncode == 2 and "member ID" in result.stderr
    assert not (tmp_path / "out.docx").exists()


def test_blanks_and_warnings_are_reported_after_writing(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("letter_kind: prior-auth\npatient:\n  first_name: Ann\ndiagnoses:\n  - code: F32.A\n")
    result = appeal("draft", "--case", str(path), "-o", "out.docx", cwd=tmp_path)
    assert result.returncode == 0
    assert "blank(s) to fill in" in result.stdout and "member ID" in result.stdout
    assert "F32.A is an unspecified code" in result.stdout


def test_letters_schema_example_and_version(tmp_path):
    letters = appeal("letters", cwd=tmp_path).stdout
    for kind in ("prior-auth", "medical-necessity", "appeal", "external-review", "reimbursement",
                 "claim-file-request", "parity-request"):
        assert kind in letters
    assert '"member_id"' in appeal("schema", cwd=tmp_path).stdout
    listing = appeal("example", "--list", cwd=tmp_path).stdout
    assert "ketamine-trd-erisa-appeal" in listing
    assert appeal("example", "ketamine-trd-erisa-appeal", "-o", "mine.yaml", cwd=tmp_path).returncode == 0
    assert (tmp_path / "mine.yaml").read_text() == EXAMPLE.read_text()
    assert appeal("--version", cwd=tmp_path).stdout.startswith("appeal ")


def test_draft_without_a_case_and_without_a_terminal_says_so(tmp_path):
    result = appeal("draft", cwd=tmp_path)
    assert result.returncode == 2
    assert "case file" in result.stderr and "Traceback" not in result.stderr


def test_evidence_list_filters_and_show_prints_the_citation(tmp_path):
    listed = appeal("evidence", "list", "--condition", "ptsd", cwd=tmp_path).stdout
    assert "feder-2021-ketamine-ptsd-repeated" in listed and "murrough-2013" not in listed
    listed = appeal("evidence", "list", "--reason", "experimental", cwd=tmp_path).stdout
    assert "murrough-2013-ketamine-vs-midazolam" in listed
    import json

    as_json = json.loads(appeal("evidence", "list", "--treatment", "esketamine_nasal", "--json", cwd=tmp_path).stdout)
    assert as_json and all(
        "esketamine_nasal" in item["treatments"] or "any" in item["treatments"] for item in as_json
    )
    shown = appeal("evidence", "show", "murrough-2013-ketamine-vs-midazolam", cwd=tmp_path).stdout
    assert "PMID 23982301" in shown and "Am J Psychiatry" in shown
    missing = appeal("evidence", "show", "murrough-2013", cwd=tmp_path)
    assert missing.returncode == 2 and "murrough-2013-ketamine-vs-midazolam" in missing.stderr


def test_check_reports_each_criterion_and_the_chosen_evidence(tmp_path):
    result = appeal("check", "--case", str(examples_folder() / "esketamine-prior-auth-psychiatrist.yaml"), cwd=tmp_path)
    assert result.returncode == 0
    assert "[met]     Two or more adequate antidepressant trials" in result.stdout
    assert "spravato-label-indications-and-limitations" in result.stdout


def test_a_users_evidence_folder_replaces_a_builtin_snippet_in_the_letter(tmp_path):
    builtin = (Path(__file__).resolve().parents[2] / "evidence_snippets" / "murrough-2013-ketamine-vs-midazolam.md")
    folder = tmp_path / "mine"
    folder.mkdir()
    text = builtin.read_text().replace(
        builtin.read_text().split("---", 2)[2], "\nOur clinic's own summary of this trial, reviewed by our medical director.\n"
    )
    (folder / "murrough-2013-ketamine-vs-midazolam.md").write_text(text)
    result = appeal("draft", "--case", str(EXAMPLE), "--evidence", str(folder), "-o", "x.docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Our clinic's own summary of this trial" in docx_text(tmp_path / "x.docx")


def test_deadline_command_text_json_and_calendar(tmp_path):
    import json

    text = appeal("deadline", "--case", str(EXAMPLE), cwd=tmp_path).stdout
    assert "Next step: an internal appeal to the plan" in text and "File by May 5, 2027" in text
    assert "aca-internal-appeal-filing-window" in text
    data = json.loads(appeal("deadline", "--case", str(EXAMPLE), "--json", cwd=tmp_path).stdout)
    assert data["filing"][0]["due"] == "2027-05-05" and data["filing"][0]["rule"] == "aca-internal-appeal-filing-window"
    result = appeal("deadline", "--case", str(EXAMPLE), "--ics", "dates.ics", cwd=tmp_path)
    assert result.returncode == 0 and "DTSTART;VALUE=DATE:20270505" in (tmp_path / "dates.ics").read_text()
    assert (tmp_path / "dates.ics").stat().st_mode & 0o777 == 0o600


def test_next_steps_after_drafting_and_as_a_document(tmp_path):
    drafted = appeal("draft", "--case", str(EXAMPLE), "-o", "letter.docx", cwd=tmp_path).stdout
    assert "What happens next" in drafted and "Fax it to (937) 555-0199" in drafted and "May 5, 2027" in drafted
    assert "Attachment A" in drafted  # the enclosure list includes the evidence appendix
    assert appeal("next-steps", "--case", str(EXAMPLE), "-o", "next.docx", cwd=tmp_path).returncode == 0
    assert "If the plan says no again" in docx_text(tmp_path / "next.docx")


class _InterruptedImport:
    """A finder that raises KeyboardInterrupt when `appeal.cli` is imported: a Ctrl-C pressed while the command
    is still loading, at a known moment instead of a timed one."""

    def find_spec(self, name, path=None, target=None):
        if name == "appeal.cli":
            raise KeyboardInterrupt
        return None


@pytest.mark.parametrize("where", ["while loading", "while parsing"])
def test_a_ctrl_c_before_the_command_runs_says_stopped_not_a_traceback(where, monkeypatch, capsys):
    import sys

    import appeal.cli
    from appeal.__main__ import run

    if where == "while loading":
        monkeypatch.delitem(sys.modules, "appeal.cli")
        monkeypatch.setattr(sys, "meta_path", [_InterruptedImport(), *sys.meta_path])
    else:
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(appeal.cli, "build_parser", interrupted)
    monkeypatch.setattr(sys, "argv", ["appeal", "letters"])
    assert run() == 130
    err = capsys.readouterr().err
    assert err.strip() == "appeal: stopped." and "Traceback" not in err


def test_the_console_script_and_python_m_appeal_start_through_run():
    """Both ways in go through `appeal.__main__.run`, so both have its Ctrl-C handling."""
    import tomllib
    from importlib.resources import files

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["appeal"] == "appeal.__main__:run"
    assert 'if __name__ == "__main__":\n    raise SystemExit(run())' in files("appeal").joinpath("__main__.py").read_text(
        encoding="utf-8")


def test_a_command_built_alone_has_the_same_parser_as_in_the_whole_one():
    """`appeal COMMAND ...` builds that command's parser alone (cli.COMMANDS); it must be the one the whole parser
    has, and every command of the whole parser must be listed there, or `appeal NEW-COMMAND` would find none."""
    import argparse

    from appeal import cli

    def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        return next(action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction))

    whole = subcommands(cli.build_parser())
    assert list(whole) == [name for name, _module, _function in cli.COMMANDS]
    for name, parser in whole.items():
        alone = subcommands(cli.build_parser(name))
        assert alone[name].format_help() == parser.format_help(), name
        assert len(alone) == (2 if name in ("track", "status") else 1), name


@pytest.mark.parametrize("command", [["check"], ["deadline"], ["draft"], ["track", "add", "--sent", "2026-12-01"]])
def test_a_csv_given_as_one_case_file_is_named_with_what_to_do(command, in_tmp, capsys):
    """A clinic's CSV given where one case file goes was read as YAML: 'mapping values are not allowed'."""
    (in_tmp / "clinic.csv").write_text("patient.first_name,patient.last_name\nAna,Ruiz\n")
    assert main([*command, "--case", "clinic.csv"]) == 2
    err = capsys.readouterr().err
    assert "clinic.csv is a CSV file of cases, one a row" in err and "appeal batch clinic.csv" in err
    assert "mapping values" not in err and "Traceback" not in err
