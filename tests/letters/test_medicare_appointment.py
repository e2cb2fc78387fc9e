"""Medicare's written appointment of a representative (issue 26, point 4).

Medicare accepts, in place of form CMS-1696, a written statement signed and dated by the beneficiary and the
representative that appoints the representative, authorizes the release of health information, states the purpose,
scope and limits, names both with their addresses and phones, gives the Medicare number and the representative's
relationship or professional status, and (for a provider) promises no fee; valid one year, a copy with each appeal
(42 CFR 405.910(c); Medicare.gov). Each test drafts the statement through the CLI or the drafting step, opens the
.docx and reads it back.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import docx_text, example_case

from appeal.cli import main
from appeal.letters import draft, kinds
from appeal.rules import rule_book

TODAY = date(2026, 11, 20)
MEDICARE = "esketamine-medicare-denied"  # Original Medicare; Karen Whitfield-Moss appeals for her father Harold
FEE = "any fee for this representation"


def squash(text: str) -> str:
    return " ".join(text.split())


def medicare_case(plan_type: str = "medicare_original", clinic: bool = False):
    case = example_case(MEDICARE).model_copy(deep=True)
    case.insurance.plan_type = plan_type
    if plan_type != "medicare_original":
        case.insurance.insurer, case.patient.member_id = "Blue Ridge Advantage Health Plan", "BRA884120057"
    if clinic:  # a person at the clinic that gave the care, named with the clinic's NPI
        case.sender.name, case.sender.relationship = "Dana Okafor", "practice manager"
        case.sender.organization, case.sender.npi = "Mountain Laurel Behavioral Health", "1786666176"
    return case


def appointment(case) -> tuple[str, draft.Drafted]:
    drafted = draft.draft(case, draft.choose_kind(case, "representative-authorization"), today=TODAY)
    return squash(docx_text(drafted.content)), drafted


def test_a_daughter_appoints_herself_for_her_father_under_original_medicare_with_every_element(tmp_path, monkeypatch,
                                                                                               capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["example", MEDICARE, "-o", "case.yaml"]) == 0
    assert main(["draft", "--case", "case.yaml", "--letter", "representative-authorization", "-o", "aor.docx",
                 "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "cannot be drafted" not in out
    assert "it takes the place of form CMS-1696" in out and "send a copy with each appeal" in out
    text = squash(docx_text(tmp_path / "aor.docx"))
    # (b) appoints the representative for the claim and its appeals; the Medicare number
    assert ("I, Harold Whitfield, born February 11, 1954, appoint Karen Whitfield-Moss, my daughter, as my "
            "representative, to act for me in my Medicare claim for esketamine nasal spray (Spravato), reference "
            "0526278419310 (notice dated October 13, 2026), and in every appeal of it.") in text
    assert "Medicare number: 3QF7-WD2-RN48" in text
    # purpose and scope; (d) limits
    assert "Purpose and scope: Karen Whitfield-Moss may, for me, ask for and pursue every appeal of this claim" in text
    assert "Limits: none beyond this purpose and scope." in text
    # (c) release of health information
    assert ("I authorize Medicare, Blue Ridge Medicare Claims Services, LLC and anyone who decides this claim or an "
            "appeal of it to release to Karen Whitfield-Moss my identifiable health information") in text
    # (e) both names, addresses and phones; (g) relationship
    assert ("Beneficiary: Harold Whitfield; phone (828) 555-0174; 305 Laurel Crest Drive, Hendersonville, NC 28739"
            in text)
    assert ("Representative: Karen Whitfield-Moss; phone (828) 555-0119; 88 Juniper Hollow Road, Asheville, NC "
            "28804") in text
    assert "Relationship to Harold Whitfield or professional status: daughter" in text
    # (a) signed and dated by both
    assert "Signature of Harold Whitfield: ____" in text and "Signature of Karen Whitfield-Moss: ____" in text
    assert text.count("Date: ____") == 2
    assert "I, Karen Whitfield-Moss, accept this appointment." in text
    # one year, a copy with each appeal, and its source
    assert ("valid for one year from the later of the two dates signed below, unless I revoke it sooner. A copy of "
            "it goes with each appeal filed for me in that year.") in text
    assert "made in place of form CMS-1696 and contains each element that 42 CFR 405.910(c) requires" in text
    # a daughter is not a provider: no fee sentence; nothing left blank; the plan's authorization is not used
    assert FEE not in text and "[ADD:" not in text
    assert "What my representative may do" not in text and "authorized representative with" not in text


def test_a_clinic_representative_under_medicare_advantage_promises_no_fee_and_the_medicare_number_is_a_blank():
    text, drafted = appointment(medicare_case("medicare_advantage", clinic=True))
    assert ("I, Harold Whitfield, born February 11, 1954, appoint Dana Okafor of Mountain Laurel Behavioral Health as "
            "my representative") in text
    assert ("Neither Mountain Laurel Behavioral Health, which provided the care at issue, nor I will charge Harold "
            "Whitfield any fee for this representation.") in text
    assert ("Relationship to Harold Whitfield or professional status: practice manager; Mountain Laurel Behavioral "
            "Health (NPI 1786666176)") in text
    # a plan's member ID is not the Medicare number: the statement asks for it, and the blank is listed
    assert "Medicare number: [ADD: Medicare number (MBI) from the Medicare card]" in text
    assert "Plan member ID: BRA884120057" in text
    assert drafted.blanks == ["Medicare number (MBI) from the Medicare card"]
    assert "Signature of Harold Whitfield: ____" in text and "Signature of Dana Okafor: ____" in text
    assert "anyone who decides this claim or an appeal of it to release to Dana Okafor" in text
    assert ("each element of a written request appointing a representative (Medicare.gov, \"Can someone file an "
            "appeal for me?\")") in text
    assert "405.910" not in text  # the Original Medicare regulation is not cited for a Medicare plan
    assert not any("add its NPI" in line for line in drafted.sending)


def test_a_daughter_under_medicare_advantage_gets_no_fee_sentence_and_a_clinic_without_its_npi_is_told_to_add_it():
    text, drafted = appointment(medicare_case("medicare_advantage"))
    assert FEE not in text
    assert "appoint Karen Whitfield-Moss, my daughter, as my representative" in text
    assert not any("NPI" in line for line in drafted.sending)
    clinic = medicare_case("medicare_advantage", clinic=True)
    clinic.sender.npi = None
    text, drafted = appointment(clinic)
    assert FEE not in text
    assert any("If Mountain Laurel Behavioral Health is the doctor's office, clinic or supplier that gave the care, "
               "add its NPI to the case (sender.npi)" in line for line in drafted.sending)


def test_an_original_medicare_clinic_representative_promises_no_fee():
    text, _ = appointment(medicare_case(clinic=True))
    assert "nor I will charge Harold Whitfield any fee for this representation" in text
    assert "Medicare number: 3QF7-WD2-RN48" in text and "Plan member ID" not in text


def test_missing_contact_details_show_as_blanks_named_after_their_fields():
    case = medicare_case()
    case.patient.phone = case.sender.address = case.sender.relationship = None
    text, drafted = appointment(case)
    assert "Beneficiary: Harold Whitfield; phone [ADD: patient phone]" in text
    assert "Representative: Karen Whitfield-Moss; phone (828) 555-0119; [ADD: sender address]" in text
    assert "or professional status: [ADD: relationship]" in text
    assert {"patient phone", "sender address", "relationship"} <= set(drafted.blanks)


@pytest.mark.parametrize("plan_type", ["medicare_original", "medicare_advantage", "medicare_part_d"])
def test_no_medicare_plan_type_is_refused_or_pointed_to_the_form_alone(plan_type):
    text, _ = appointment(medicare_case(plan_type))
    assert "Appointment of representative for Harold Whitfield" in text
    assert "Medicare does not use a letter for this" not in text
    assert "in place of form CMS-1696" in text


def test_a_representatives_medicare_appeal_lists_the_appointment_among_its_enclosures():
    case = medicare_case("medicare_advantage")
    case.enclosures = [item for item in case.enclosures if "representative" not in item]
    drafted = draft.draft(case, kinds.get("appeal"), today=TODAY)
    enclosures = docx_text(drafted.content).split("Enclosures:")[1]
    assert "Appointment of representative, signed and dated by the patient and the representative" in enclosures
    assert "CMS-1696" not in " ".join(drafted.suggested_enclosures)
    # the bundled example names the written appointment it encloses, not the form
    listed = " ".join(example_case(MEDICARE).enclosures)
    assert "a written statement in place of form CMS-1696" in listed


def test_each_written_appointment_rule_reaches_only_medicare_and_records_what_was_read():
    rules = [rule for rule in rule_book.all_rules() if "appointment" in rule.letters]
    reached = sorted(plan for rule in rules for plan in rule.plan_types)
    assert reached == ["medicare_advantage", "medicare_original", "medicare_part_d"]
    for rule in rules:
        assert rule.checked == date(2026, 12, 6) and rule.read_at and "CMS-1696" in rule.letter_text
    assert rule_book.by_id("om-written-appointment-of-representative").citation == "42 CFR 405.910(c)"
