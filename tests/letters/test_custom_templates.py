"""Advocates' own templates: they replace or add kinds, and the check catches what breaks a template in Word."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import docx_text, example_case
from docx import Document

from appeal.cli import main
from appeal.letters import draft, kinds, template_tools
from appeal.cases.case import Case
from appeal.base.errors import UserError

BUILT_IN = Path(__file__).resolve().parents[2] / "letter_templates"


@pytest.fixture
def appeal_cli(monkeypatch, capsys):
    """`appeal ARGS` run in this process as a person whose HOME is `home` runs it from `cwd` (default: home): its
    exit status, output and errors. The kinds are read anew for each command, as a new process reads them (the
    process itself, `python -m appeal`, is what tests/commands/test_cli.py runs)."""
    def run(*args: str, home: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
        monkeypatch.chdir(cwd or home)
        kinds.all_kinds.cache_clear()
        capsys.readouterr()
        try:
            status = main(list(args))
        except SystemExit as stopped:  # argparse's own refusals
            status = stopped.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)

    yield run
    kinds.all_kinds.cache_clear()  # the next test on this worker must not see this home's kinds


def template_with(tmp_path: Path, *paragraphs: str, runs: list[tuple[str, bool]] | None = None,
                  table: list[list[str]] | None = None) -> Path:
    """A small template made with python-docx, as an advocate's Word would save it."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if runs:
        paragraph = document.add_paragraph()
        for text, bold in runs:
            paragraph.add_run(text).bold = bold
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, texts in zip(grid.rows, table):
            for cell, text in zip(row.cells, texts):
                cell.text = text
    path = tmp_path / "mine.docx"
    document.save(path)
    return path


def messages(path: Path) -> list[str]:
    return [str(problem) for problem in template_tools.check(path)]


BUILT_IN = [name for name, kind in kinds.all_kinds().items() if kind.source == "built-in"]


def test_there_are_built_in_templates():
    assert "appeal" in BUILT_IN and "prior-auth" in BUILT_IN, BUILT_IN


@pytest.mark.parametrize("name", BUILT_IN)  # one kind a test: each drafts every example, shared by pytest -n's workers
def test_every_built_in_template_passes_the_check(name):
    assert template_tools.check(kinds.all_kinds()[name].template) == [], name


def test_a_tag_split_across_runs_is_found(tmp_path):
    path = template_with(tmp_path, "Dear reviewer,", runs=[("{{ patient.", False), ("last_name }}", True)])
    found = messages(path)
    assert any("paragraph 2" in m and "split into pieces" in m for m in found), found


def test_curly_quotes_inside_a_tag_are_found(tmp_path):
    found = messages(template_with(tmp_path, "{{ patient.first_name or “the patient” }}"))
    assert any("paragraph 1" in m and "curly quotes" in m for m in found), found


def test_an_unknown_variable_gets_the_nearest_real_name(tmp_path):
    found = messages(template_with(tmp_path, "Hello", "{{ patient.lastname }}"))
    assert any("paragraph 2" in m and "patient.lastname does not exist; did you mean patient.last_name?" in m for m in found), found
    found = messages(template_with(tmp_path, "{% for item in prior_treatments %}{{ item.doze }}{% endfor %}"))
    assert any("prior_treatments.doze does not exist; did you mean prior_treatments.dose?" in m for m in found), found
    found = messages(template_with(tmp_path, "{{ pateint.first_name }}"))
    assert any("pateint does not exist; did you mean patient?" in m for m in found), found


def test_a_jinja_syntax_error_is_found_where_it_is(tmp_path):
    found = messages(template_with(tmp_path, "Fine", "Also fine", "{{ patient.first_name }"))
    assert any("Jinja syntax error" in m for m in found), found


def test_a_loop_in_a_table_without_tr_is_found(tmp_path):
    path = template_with(tmp_path, "Treatments:", table=[["Name", "Dose"], ["{% for item in prior_treatments %}{{ item.name }}", "{{ item.dose }}{% endfor %}"]])
    found = messages(path)
    assert any("table 1, row 2, cell 1" in m and "{%tr for" in m for m in found), found
    path = template_with(tmp_path, table=[["{%p for item in prior_treatments %}"], ["{{ item.name }}"], ["{%p endfor %}"]])
    assert any("table 1, row 1, cell 1" in m and "cannot repeat or hide table rows" in m for m in messages(path))


def test_a_sandbox_escape_is_reported_and_cannot_run(tmp_path):
    path = template_with(tmp_path, "{{ patient.__class__.__mro__[1].__subclasses__() }}")
    assert any("Python internals" in m for m in messages(path))
    kind = kinds.LetterKind("mine", "Mine", "test", path)
    with pytest.raises(UserError, match="unsafe"):
        draft.draft(example_case("ketamine-trd-erisa-appeal"), kind)
    escape = template_with(tmp_path, "{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    with pytest.raises(UserError, match="unsafe"):
        draft.draft(Case(), kinds.LetterKind("mine", "Mine", "test", escape))


def test_vars_lists_every_case_field_and_the_letter_plan():
    paths = {variable.path for variable in template_tools.reference()}

    def fields(model, prefix):
        for name, info in model.model_fields.items():
            yield prefix + name
            inner = template_tools._element(info.annotation)
            if isinstance(inner, type) and hasattr(inner, "model_fields"):
                is_list = "list of" in template_tools._type_name(info.annotation)
                yield from fields(inner, f"{prefix}{name}{'[]' if is_list else ''}.")

    assert set(fields(Case, "")) <= paths
    assert {"letter.rights", "letter.re_lines[].label", "letter.voice.subject", "evidence_appendix"} <= paths
    assert all(variable.description for variable in template_tools.reference()), "every variable is described"


def test_an_advocate_replaces_a_kind_and_adds_one(tmp_path, appeal_cli):
    home = tmp_path / "home"
    home.mkdir()
    made = appeal_cli("templates", "new", "appeal", home=home)
    assert made.returncode == 0, made.stderr
    copied = Path(made.stdout.split("template to ", 1)[1].splitlines()[0])
    assert copied.parent == home / "data" / "appeal" / "templates"
    # edit it as python-docx (like Word) would: new letterhead, a reworded closing, a new variable
    document = Document(str(copied))
    document.paragraphs[0].insert_paragraph_before("LEGAL AID OF CENTRAL OHIO, Health Advocacy Unit")
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("Please send the written decision"):
            paragraph.text = "We ask for a written decision. Employer on file: {{ insurance.employer }}."
    document.save(str(copied))
    assert appeal_cli("templates", "check", str(copied), home=home).returncode == 0

    added = appeal_cli("templates", "new", "hardship-letter", "--from", "prior-auth", home=home)
    assert added.returncode == 0, added.stderr
    letters = appeal_cli("letters", home=home).stdout
    assert "hardship-letter" in letters and "your templates" in letters

    case = home / "case.yaml"
    assert appeal_cli("example", "ketamine-trd-erisa-appeal", "-o", str(case), home=home).returncode == 0
    assert appeal_cli("draft", "--case", str(case), "-o", "a.docx", home=home).returncode == 0
    text = docx_text(home / "a.docx")
    assert "LEGAL AID OF CENTRAL OHIO" in text and "Employer on file: Acme Logistics, Inc." in text
    assert appeal_cli("draft", "--case", str(case), "--letter", "hardship-letter", "-o", "b.docx", home=home).returncode == 0
    assert "prior authorization" in docx_text(home / "b.docx").lower()


def test_templates_folder_option_and_a_broken_template_give_clear_errors(tmp_path, appeal_cli):
    home = tmp_path / "home"
    home.mkdir()
    result = appeal_cli("letters", "--templates", str(tmp_path / "nowhere"), home=home)
    assert result.returncode == 2 and "no such folder" in result.stderr
    bad = template_with(tmp_path, "{{ patient.lastname }}")
    result = appeal_cli("templates", "check", str(bad), home=home)
    assert result.returncode == 1 and "did you mean patient.last_name?" in result.stdout
    reference = appeal_cli("templates", "vars", "--format", "docx", "-o", "vars.docx", home=home)
    assert reference.returncode == 0 and "patient.member_id" in docx_text(home / "vars.docx")
