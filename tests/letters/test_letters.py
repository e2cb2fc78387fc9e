"""Every letter kind, rendered from every example it applies to, read back and checked for its real content."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES, applicable_kinds, docx_text, drafted_example, example_case, example_text

from appeal.letters import draft, kinds
from appeal.cases.case import Case, SenderRole
from appeal.base.errors import UserError

PAIRS = [(name, kind) for name in EXAMPLES for kind in applicable_kinds(example_case(name))]
# Kinds whose letter makes the clinical case (and so shows the prior-treatment table).
CLINICAL_KINDS = {"appeal", "prior-auth", "medical-necessity", "external-review"}


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("name", "kind_name"), PAIRS)
def test_every_kind_renders_every_applicable_example(name, kind_name):
    case = example_case(name)
    text = example_text(name, kind_name)
    flat = squash(text)
    assert case.patient.full_name in text
    assert case.patient.member_id in text
    # A missing value prints as nothing or a blank, never as Python's "None".
    assert not re.search(r"(:\s*None\s*$)|(\|\s*None\s*(\||$))|(^None$)", text, re.M)
    assert "{{" not in text and "{%" not in text
    if case.denial and kind_name in ("appeal", "external-review"):
        assert squash(case.denial.quote) in flat
        assert case.denial.reference in text
    if kind_name in CLINICAL_KINDS:
        rows = [line for line in text.splitlines() if " | " in line]
        for treatment in case.prior_treatments:
            assert any(row.startswith(treatment.name + " |") for row in rows), treatment.name
        for diagnosis in case.diagnoses:
            assert diagnosis.code in text
    if kind_name == "reimbursement":
        for line in case.treatment.services:
            assert f"{line.charge:,.2f}" in text


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_voice_follows_the_sender(name):
    case = example_case(name)
    text = example_text(name, case.letter_kind)
    role = case.sender.role
    if role is SenderRole.patient:
        assert "I am writing to" in text
        assert "my patient" not in text
    elif role is SenderRole.provider:
        assert f"my patient, {case.patient.full_name}" in text or "I am the treating provider" in text
    else:
        assert f"on behalf of {case.patient.full_name}" in text
        assert "authorization enclosed" in text or "appointment of representative enclosed" in text  # Medicare's


def test_a_representatives_letter_lists_the_authorization_the_tool_drafts_and_otherwise_only_what_was_listed():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.sender.role, case.sender.name, case.sender.relationship = "representative", "Ana Ruiz", "sister"
    drafted = draft.draft(case, kinds.get("appeal"))
    text = docx_text(drafted.content)
    assert "on behalf of Maria Alvarez, as Maria's sister and authorized representative" in text
    # Not Medicare: the authorization is a document this tool drafts (representative-authorization), so it is listed.
    authorization = "Authorization of representative, signed by the patient"
    enclosures = text.split("Enclosures:")[1]
    assert authorization in enclosures and authorization in drafted.enclosures
    assert all(item in enclosures for item in case.enclosures)
    assert drafted.suggested_enclosures == []
    case.enclosures.append("Signed authorization for Ana Ruiz to represent Maria")
    drafted = draft.draft(case, kinds.get("appeal"))
    text = docx_text(drafted.content)
    assert "Signed authorization for Ana Ruiz to represent Maria" in text and authorization not in text
    assert "Ana Ruiz (sister)" in text


def test_a_medicare_representatives_letter_lists_the_written_appointment_the_tool_drafts():
    case = example_case("esketamine-medicare-denied")
    case.enclosures = [item for item in case.enclosures if "representative" not in item]
    drafted = draft.draft(case, kinds.get("appeal"))
    appointment = "Appointment of representative, signed and dated by the patient and the representative"
    assert appointment in docx_text(drafted.content).split("Enclosures:")[1] and appointment in drafted.enclosures
    assert drafted.to_draft == [f"{appointment}: appeal draft --letter representative-authorization"]
    assert "Authorization of representative, signed by the patient" not in docx_text(drafted.content)
    assert draft.choose_kind(case, "representative-authorization").name == "representative-authorization"


def test_missing_facts_show_as_visible_blanks_and_strict_refuses(in_tmp):
    case = Case(letter_kind="appeal", denial={"reason": "experimental"}, patient={"first_name": "Ann"})
    drafted = draft.draft(case, kinds.get("appeal"))
    text = docx_text(drafted.content)
    assert "[ADD: member ID]" in text
    assert "member ID" in drafted.blanks
    with pytest.raises(UserError, match="--strict") as error:
        draft.write(drafted, in_tmp / "x.docx", strict=True, force=False)
    assert "member ID" in str(error.value)
    assert not (in_tmp / "x.docx").exists()


def test_a_complete_case_has_no_blanks():
    assert drafted_example("ketamine-trd-erisa-appeal", "appeal").blanks == []


def test_urgent_cases_get_the_banner_and_the_urgency_statement():
    case = example_case("ketamine-trd-erisa-appeal")
    urgent = case.model_copy(deep=True)
    urgent.treatment.urgency = "expedited"
    urgent.treatment.urgency_reason = "Active suicidal ideation with a plan since last week."
    for kind in ("appeal", "prior-auth", "external-review"):
        text = docx_text(draft.draft(urgent, kinds.get(kind)).content)
        assert "URGENT: EXPEDITED REVIEW REQUESTED" in text
        assert "Active suicidal ideation with a plan since last week." in text
        plain = example_text("ketamine-trd-erisa-appeal", kind)
        assert "URGENT" not in plain
    appeal_text = docx_text(draft.draft(urgent, kinds.get("appeal")).content)
    assert "expedited external review at the same time" in appeal_text and "147.136(d)(3)" in appeal_text
    # A claim-file request is never "urgent": the banner belongs to decisions only.
    assert "URGENT" not in docx_text(draft.draft(urgent, kinds.get("claim-file-request")).content)


def test_denial_kinds_need_a_denial():
    with pytest.raises(UserError, match="no 'denial' section"):
        draft.choose_kind(Case(), "appeal")
    with pytest.raises(UserError, match="There is no letter kind 'apeal'.*prior-auth"):
        draft.choose_kind(Case(), "apeal")


def test_each_denial_reason_gets_its_answer():
    case = example_case("ketamine-trd-erisa-appeal")
    expected = {
        "experimental": "The treatment is not experimental or investigational",
        "not_medically_necessary": "The treatment is medically necessary",
        "off_label": "Off-label use is lawful, common and not experimental",
        "step_therapy": "They have been: the table below lists",
        "out_of_network": "Why an out-of-network provider was needed",
    }
    for reason, heading in expected.items():
        changed = case.model_copy(deep=True)
        changed.denial.reason = reason
        text = docx_text(draft.draft(changed, kinds.get("appeal")).content)
        assert heading in text
        for other_reason, other_heading in expected.items():
            if other_reason != reason:
                assert other_heading not in text


def test_treatment_resistance_argument_counts_the_trials():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.denial.reason = "not_medically_necessary"
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert "I have already tried 3 antidepressant treatments from 3 different classes (SSRI, SNRI, bupropion)" in text
    assert "PMID 17074942" in text


def test_user_text_with_template_syntax_is_printed_literally():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    typed = "{{ patient.member_id }} {% for x in y %} & <b>not bold</b>"
    case.denial.quote = typed
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert typed in text


@pytest.mark.parametrize(
    ("name", "kind_name", "citations"),
    [
        ("ketamine-trd-erisa-appeal", "appeal", ["2560.503-1(i)(2)(ii)", "2560.503-1(h)(2)(iii)", "2560.503-1(h)(3)(iii)"]),
        ("ketamine-trd-erisa-appeal", "claim-file-request", ["2560.503-1(h)(2)(iii)", "(m)(8)", "104(b)(4)"]),
        ("ketamine-trd-erisa-appeal", "parity-request", ["2590.712(d)(1)", "2590.712(d)(2)"]),
        ("esketamine-medicare-denied", "appeal", ["42 CFR 405.9"]),
        ("esketamine-prior-auth-psychiatrist", "prior-auth", ["2560.503-1(f)(2)(iii)(A)"]),
        ("ketamine-crps-marketplace-external-review", "external-review", ["147.136(d)", "300gg-19"]),
    ],
)
def test_the_rights_paragraph_fits_the_plan_type(name, kind_name, citations):
    text = example_text(name, kind_name)
    for citation in citations:
        assert citation in text
    if example_case(name).insurance.plan_type.value.startswith("medicare"):
        assert "2560.503-1" not in text  # ERISA rules never appear in a Medicare letter


def test_crps_letters_argue_from_pain_evidence_not_depression_evidence():
    text = example_text("ketamine-crps-marketplace-external-review", "external-review")
    assert "PMID 29870458" in text and "complex regional pain syndrome" in text
    assert "CANMAT" not in text and "antidepressant treatment" not in text


def test_labels_of_same_named_choices_do_not_collide():
    from appeal.cases.case import DrugClass, PlanType

    assert DrugClass.other.label == "other" and PlanType.other.label == "other or unknown"


def test_possessive_of_a_name_ending_in_s():
    text = example_text("ketamine-trd-erisa-appeal", "appeal")
    assert "Meridian Health Administrators' decision" in text


@pytest.mark.parametrize(
    ("plan_type", "must_cite", "must_not_cite"),
    [
        ("employer_self_funded", ["2560.503-1(h)(2)(iii)", "2560.503-1(i)(2)(ii)"], ["422.", "438."]),
        ("individual_marketplace", ["2560.503-1(i)(2)(ii)"], ["422.", "438."]),
        ("medicare_original", ["405.9"], ["2560.503-1", "438."]),
        ("medicare_advantage", ["422.590"], ["2560.503-1", "405.9"]),
        ("medicare_part_d", ["423.590"], ["2560.503-1", "422."]),
        ("medicaid_managed_care", ["438.408", "438.420"], ["2560.503-1", "422."]),
        ("fehb", ["890.105"], ["2560.503-1", "438."]),
    ],
)
def test_appeal_letters_cite_the_rules_of_their_plan_type(plan_type, must_cite, must_not_cite):
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.insurance.plan_type = plan_type
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    section = text.split("Rights and deadlines that apply", 1)[1].split("What is requested", 1)[0]
    for citation in must_cite:
        assert citation in section, (plan_type, citation)
    for citation in must_not_cite:
        assert citation not in section, (plan_type, citation)


def test_medicare_letters_use_medicare_words():
    text = example_text("esketamine-medicare-denied", "appeal")
    assert "Re: Request for redetermination of the denial of esketamine" in text
    assert "Medicare number (MBI):" in text and "Member ID" not in text
    assert "peer-to-peer" not in text  # not a step of Original Medicare
    assert "pay for esketamine nasal spray (Spravato) on the dates of service listed above" in text


def test_a_parity_request_for_a_plan_outside_the_parity_law_warns():
    assert any("MHPAEA" in warning for warning in drafted_example("esketamine-medicare-denied", "parity-request").warnings)
    assert not drafted_example("ketamine-trd-erisa-appeal", "parity-request").warnings
