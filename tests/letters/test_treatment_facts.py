"""The facts a reviewer looks for in the requested treatment and the signature: the dose and schedule with how the
treatment is given safely (and its source), the prescriber's contact at the peer-to-peer request, and a
representative's authorization said to be enclosed only when the Enclosures list it."""

from __future__ import annotations

import re

import pytest
from conftest import docx_text, example_case

from appeal.base.errors import UserError
from appeal.cases import casefile
from appeal.letters import draft, kinds, letter_plan
from appeal.rules import administration


def letter(case, kind="appeal") -> str:
    return " ".join(docx_text(draft.draft(case, kinds.get(kind)).content).split())


def paragraph(case, start: str, kind="appeal") -> str:
    """The one paragraph of the letter that starts with `start`."""
    found = [line for line in docx_text(draft.draft(case, kinds.get(kind)).content).splitlines()
             if line.startswith(start)]
    assert len(found) == 1, found
    return found[0]


def test_iv_ketamine_for_depression_states_its_dose_schedule_and_monitoring_with_the_consensus_statement():
    case = example_case("ketamine-trd-erisa-appeal")
    text = letter(case)
    assert f"Dose and schedule: {case.treatment.induction}" in text
    # off-label said once, in the argument on FDA status (arguments.yaml), not again in the safety paragraph
    assert "is approved by the FDA as a general anesthetic" in text and "off-label" in text
    monitoring = paragraph(case, "Setting and monitoring: ")
    assert "off-label" not in monitoring
    number = re.search(r"consensus statement \[(\d+)\] calls for", monitoring).group(1)  # its full citation: Attachment A
    assert "follow" not in monitoring  # what the statement sets out, not a claim about the clinic the case never made
    assert f"[{number}] " in text.split("Attachment A")[-1] and "PMID 28249076" in text.split("Attachment A")[-1]
    assert "Sanacora" not in monitoring  # named once, in the appendix, not again at every mention
    for safeguard in ("a clinician able to manage airway and cardiovascular events",
                      "blood pressure, heart rate and pulse oximetry monitored", "observation for dissociation and sedation",
                      "discharge at baseline with a responsible adult"):
        assert safeguard in monitoring
    assert "FDA-approved for" not in text and "approved for depression" not in text


def test_iv_ketamine_for_pain_cites_the_pain_societies_guidelines_not_the_mood_statement():
    monitoring = paragraph(example_case("ketamine-crps-marketplace-external-review"), "Setting and monitoring: ",
                           "external-review")
    assert re.search(r"ASRA, AAPM and ASA consensus guidelines \[\d+\] call for", monitoring)
    assert "follow" not in monitoring
    assert "Cohen" not in monitoring and "Sanacora" not in monitoring and "off-label" not in monitoring


def test_the_monitoring_source_is_cited_in_full_when_attachment_a_does_not_hold_it(tmp_path):
    # an evidence folder of the user's own, without the guideline: the short citation takes the number's place
    case = example_case("ketamine-trd-erisa-appeal")
    entry = administration.for_case(case)
    text = letter_plan.setting_and_monitoring(case, [], None)[0]
    assert "(Sanacora G et al., JAMA Psychiatry 2017; PMID 28249076)" in text and "[" not in text
    assert entry.source == "sanacora-2017-apa-ketamine-consensus-statement"


def test_spravato_keeps_its_rems_statement_and_a_treatment_the_data_does_not_describe_gets_no_paragraph():
    assert "available only through the FDA's SPRAVATO REMS" in letter(example_case("esketamine-medicare-denied"))
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.treatment.kind, case.treatment.name = "other", "transcranial magnetic stimulation"
    assert "Setting and monitoring" not in letter(case)


def test_the_prescribers_contact_is_printed_where_the_letter_asks_for_a_peer_to_peer_discussion():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.treatment.prescriber, case.treatment.prescriber_specialty = "Dr. Priya Raman", "Psychiatrist"
    case.treatment.prescriber_phone, case.treatment.prescriber_fax = "614 555 0148", "6145550149"
    text = letter(case)
    assert ("first arrange a peer-to-peer discussion with the treating provider, Dr. Priya Raman (psychiatrist), "
            "who can be reached at (614) 555-0148 (fax (614) 555-0149).") in text
    assert "Prescriber: Dr. Priya Raman, Psychiatrist (phone (614) 555-0148; fax (614) 555-0149)" in text
    case.treatment.prescriber_phone = None
    assert "who can be reached by fax at (614) 555-0149." in letter(case)


def test_a_prescribers_phone_that_is_not_a_phone_number_is_named_by_its_field(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("treatment:\n  prescriber_phone: call the clinic\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        casefile.load(path)
    assert "treatment.prescriber_phone" in str(error.value) and "10-digit US phone number" in str(error.value)


@pytest.mark.parametrize(("name", "paper"), [("ketamine-erisa-late-appeal-daughter", "authorization"),
                                             ("esketamine-medicare-denied", "appointment of representative")])
@pytest.mark.parametrize("where", ["to_follow", "on_file", "enclosed", "to_draft", None])
def test_a_representative_says_enclosed_only_when_the_enclosures_list_the_authorization(name, paper, where):
    case = example_case(name).model_copy(deep=True)
    case.enclosures = [item for item in case.enclosures if "represent" not in item.lower()]
    case.sender.authorization = where
    drafted = draft.draft(case, kinds.get("appeal"))
    text = " ".join(docx_text(drafted.content).split())
    listed = [item for item in drafted.enclosures if "represent" in item.lower()]
    if where in ("to_follow", "on_file"):
        assert listed == [] and "enclosed)" not in text.split("Enclosures:")[0]
        expected = (f"(the patient's signed {paper} will be sent separately)" if where == "to_follow"
                    else f"({paper} on file with the plan)")
        assert f"authorized representative {expected}," in text
    else:
        assert len(listed) == 1 and listed[0] in text.split("Enclosures:")[1]
        assert f"authorized representative ({paper} enclosed)," in text


def test_a_self_funded_plans_complaint_names_the_employer_or_leaves_a_blank_for_it():
    case = example_case("ketamine-erisa-late-appeal-daughter").model_copy(deep=True)
    assert "Plan sponsor (employer): Harborview Manufacturing Co." in letter(case, "regulator-complaint")
    case.insurance.employer = None
    assert "Plan sponsor (employer): [ADD: employer]" in letter(case, "regulator-complaint")
    case.insurance.plan_type = "employer_fully_insured"  # a state insurance department: the insurer is enough
    assert "Plan sponsor" not in letter(case, "regulator-complaint")


def test_an_external_review_request_asks_for_a_same_specialty_reviewer_the_whole_file_and_offers_the_prescriber():
    text = letter(example_case("ketamine-crps-marketplace-external-review"), "external-review")
    asked = text.split("What is requested")[1].split("Sincerely")[0]
    assert ("Assign the review to a physician with experience treating this condition and of the same specialty as "
            "the treating provider (anesthesiology and pain medicine)") in asked
    assert "the plan's complete file on this claim" in asked and "free of charge" in asked
    assert ("The treating provider, Dr. Samuel Oyelaran (anesthesiology and pain medicine), is available to discuss "
            "the case with the reviewer at (303) 555-0172 (fax (303) 555-0173).") in asked
    assert "seriously jeopardize my life" in asked  # the patient's own letter speaks in the first person
    stake = text.split("What is at stake")[1].split("Rights and deadlines")[0]
    assert "What I expect if this treatment is denied: My doctors have no other treatment left" in stake
    # Medicare's external step is a hearing before a judge, not a clinician's review: no such request there
    medicare = letter(example_case("esketamine-medicare-denied"), "external-review")
    assert "Assign the review to a physician" not in medicare


def test_an_appeal_for_care_already_given_offers_the_prescriber_for_a_discussion_instead_of_a_peer_to_peer():
    # no decision is pending on care already given, so no peer-to-peer before one; the reviewer still gets a number
    text = letter(example_case("esketamine-medicare-denied"))
    assert ("The treating provider, Dr. Naomi Feld (psychiatrist), is available to discuss the case with the plan's "
            "reviewer at (828) 555-0131 (fax (828) 555-0132).") in text
    assert "peer-to-peer" not in text
    case = example_case("esketamine-medicare-denied").model_copy(deep=True)
    case.treatment.prescriber_phone = None
    assert "reviewer by fax at (828) 555-0132." in letter(case)
