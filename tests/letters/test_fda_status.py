"""Exact claims about FDA status: ketamine (Ketalar) is approved as a general anesthetic and its use for depression
or pain is off-label, said wherever a letter states its FDA status; esketamine's second indication is quoted in
the label's own terms, and a step-therapy denial of it for depression with acute suicidal ideation is answered
with what that label says and nothing more."""

from __future__ import annotations

import re

import pytest

from appeal.cases.case import Case
from appeal.letters import draft, kinds
from conftest import EXAMPLES, applicable_kinds, docx_text, example_case, example_text

LABEL = ('"depressive symptoms in adults with major depressive disorder (MDD) with acute suicidal ideation or '
         'behavior"')


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_statement_of_ketamines_fda_status_says_anesthetic_and_off_label(example):
    case = example_case(example)
    said = 0
    for kind in applicable_kinds(case):
        text = " ".join(example_text(example, kind).split())
        assert "Ketamine is an FDA-approved medication" not in text  # the vague claim
        for sentence in re.findall(r"[^.]*\bKetamine\b[^.]*\bFDA\b[^.]*\.", text):
            said += 1
            assert "anesthetic" in sentence and "off-label" in sentence, sentence
    if case.treatment.kind.value in ("iv_ketamine", "im_ketamine") and case.denial is not None \
            and "experimental" in [reason.value for reason in case.denial.reasons]:
        assert said, f"{example}: a ketamine letter answering 'experimental' states its FDA status"


def _spravato(reason: str, codes: list[str], trials: int = 0) -> Case:
    return Case.model_validate({
        "letter_kind": "appeal", "sender": {"role": "patient"},
        "patient": {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1980-02-03"},
        "insurance": {"plan_type": "employer_fully_insured", "insurer": "Acme Health"},
        "treatment": {"kind": "esketamine_nasal"},
        "denial": {"reason": reason, "notice_date": "2026-11-01"},
        "diagnoses": [{"code": code} for code in codes],
        "prior_treatments": [{"name": name, "drug_class": "ssri", "weeks": 8, "response": "none"}
                             for name in ("sertraline", "escitalopram")[:trials]],
    })


def _text(case: Case) -> str:
    return " ".join(docx_text(draft.draft(case, kinds.get("appeal")).content).split())


def test_step_therapy_for_spravato_with_acute_suicidal_ideation_uses_the_indications_own_terms():
    text = _text(_spravato("step_therapy", ["F33.2", "R45.851"]))
    assert f"for {LABEL}, and those terms name no treatment that must fail first" in text
    assert "defines its other indication, treatment-resistant depression" in text
    assert "effectiveness in preventing suicide or in reducing suicidal ideation or behavior has not been demonstrated" in text
    assert "prevents suicide" not in text.split("Sincerely,")[0]  # the letter's own words (the appendix says it does not)
    without = _text(_spravato("step_therapy", ["F33.2"]))  # no suicidal ideation: the TRD indication's terms hold
    assert "must fail first" not in without and LABEL not in without


def test_an_off_label_denial_of_spravato_for_acute_suicidal_ideation_is_answered_as_on_label():
    text = _text(_spravato("off_label", ["F33.2", "R45.851"]))
    assert f"The plan's premise is mistaken: the FDA label indicates esketamine nasal spray, in conjunction with an oral antidepressant, for {LABEL}" in text
    assert "Prescribing an approved medication for a use not named in its labeling" not in text
    text = _text(_spravato("off_label", ["F33.2"]))  # neither indication shown: the off-label answer
    assert "Prescribing an approved medication for a use not named in its labeling" in text
