"""Free text in another voice is caught: a chart's note about the patient ('Patient reports ...', 'she has tried')
in the patient's own first-person letter is named in a warning after drafting, and the words are printed as typed;
a representative's own words are never printed as the patient's."""

from __future__ import annotations

import contextlib
import io

from appeal.cases import casefile, voice
from appeal.cli import main
from conftest import docx_text, example_case

CHART_NOTE = "Patient reports she has tried to keep working but missed 14 shifts since August."


def _draft(tmp_path, case, kind="appeal") -> tuple[str, str]:
    path = casefile.save(case, tmp_path / "case.yaml", overwrite=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        assert main(["draft", "--case", str(path), "--letter", kind, "-o", str(tmp_path / "x.docx"), "--force",
                     "--today", "2026-12-01"]) == 0
    return docx_text(tmp_path / "x.docx"), printed.getvalue()


def test_a_chart_note_in_a_patients_letter_is_flagged_by_field_and_printed_as_typed(tmp_path):
    case = example_case("ketamine-trd-erisa-appeal")
    case.clinical.functional_impairment = CHART_NOTE
    text, printed = _draft(tmp_path, case)
    assert ("Warning: clinical.functional_impairment ('Effect on daily life') speaks of you in the third person "
            "('Patient reports')") in printed
    assert CHART_NOTE.rstrip(".") in text  # never rewritten


def test_she_about_herself_is_flagged_but_she_beside_i_is_not(tmp_path):
    case = example_case("ketamine-trd-erisa-appeal")
    case.clinical.history = "Depression since age 24; she has tried four medications in this episode."
    text, printed = _draft(tmp_path, case)
    assert "clinical.history ('History') speaks of you in the third person ('she has tried')" in printed
    assert "she has tried four medications" in text
    case.clinical.history = "Depression since age 24. My psychiatrist says she has rarely seen it this severe."
    _, printed = _draft(tmp_path, case)
    assert "third person" not in printed


def test_the_patients_own_name_in_a_trial_note_is_flagged(tmp_path):
    case = example_case("ketamine-trd-erisa-appeal")
    case.prior_treatments[0].reason_stopped = "Ms. Alvarez had no improvement after ten weeks"
    _, printed = _draft(tmp_path, case)
    assert f"prior_treatments[1].reason_stopped ('Why {case.prior_treatments[0].name} was stopped')" in printed
    assert "('Ms. Alvarez')" in printed


def test_only_a_patients_letter_and_only_fields_the_letter_prints_are_flagged(tmp_path):
    case = example_case("ketamine-trd-erisa-appeal")
    case.clinical.functional_impairment = CHART_NOTE
    assert voice.warnings(case, printed="A letter that does not print it.") == []
    assert voice.warnings(case) != []  # the review screens warn about every field typed
    case.sender.role = "provider"
    assert voice.warnings(case) == []
    _, printed = _draft(tmp_path, example_case("ketamine-trd-erisa-appeal"))
    assert "third person" not in printed  # the bundled patient example is in her own voice


def test_a_representatives_expectation_is_said_as_hers_not_the_patients(tmp_path):
    case = example_case("ketamine-erisa-late-appeal-daughter")
    case.clinical.if_denied = "I would have to leave my job to look after him"
    text, _ = _draft(tmp_path, case)
    name = case.patient.full_name
    assert f"What I expect for {name} if this treatment is denied: I would have to leave my job" in text
    assert f"What {name} expects" not in text
