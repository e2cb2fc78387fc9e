"""The letter plan itself, on tiny cases: context_for -> the values a template sees (not the rendered text)."""

from __future__ import annotations

from datetime import date

from appeal.letters import kinds, letter_plan
from appeal.cases.case import Case
from appeal.letters.render_views import Blank

TODAY = date(2026, 11, 2)


def plan(kind: str, **data):
    return letter_plan.context_for(Case.model_validate(data), kinds.get(kind), today=TODAY)["letter"]


PATIENT = {"first_name": "Ana", "last_name": "Ruiz", "member_id": "X1"}
TREATMENT = {"kind": "esketamine_nasal"}


def test_the_voice_is_the_patients_own_or_about_them():
    mine = plan("prior-auth", sender={"role": "patient"}, patient=PATIENT)
    assert (mine.voice.subject, mine.voice.has, mine.voice.possessive) == ("I", "have", "my")
    theirs = plan("prior-auth", sender={"role": "representative", "name": "Lee"}, patient=PATIENT)
    assert (theirs.voice.subject, theirs.voice.has, theirs.voice.possessive) == ("Ana Ruiz", "has", "Ana Ruiz's")
    assert theirs.signature[1] == "Authorized representative for Ana Ruiz"


def test_a_prior_auth_asks_for_approval_and_carries_no_denial_lines():
    letter = plan("prior-auth", patient=PATIENT, treatment=TREATMENT, insurance={"plan_type": "employer_self_funded"})
    assert letter.requests[0].startswith("Approve esketamine")
    assert any("peer-to-peer" in request for request in letter.requests)
    labels = [line.label for line in letter.re_lines]
    assert "Date of denial notice" not in labels and "Group number" in labels
    # without a denial there is no reason to answer: the letter makes the case for the treatment itself (issue 14)
    assert letter.urgent is False and letter.reason_labels == []
    assert letter.arguments[0].heading == "Why the treatment is medically necessary"
    assert letter.enclosures == [] and "Medical records supporting the request" in letter.suggested_enclosures


def test_original_medicare_gets_no_peer_to_peer_and_names_the_mbi():
    letter = plan("prior-auth", patient=PATIENT, treatment=TREATMENT, insurance={"plan_type": "medicare_original"})
    assert not any("peer-to-peer" in request for request in letter.requests)
    assert letter.re_lines[2].label == "Medicare number (MBI)"


def test_an_urgent_marketplace_appeal_asks_for_simultaneous_external_review():
    letter = plan("appeal", patient=PATIENT, treatment={**TREATMENT, "urgency": "expedited"},
                  insurance={"plan_type": "individual_marketplace"},
                  denial={"reason": "not_medically_necessary", "notice_date": "2026-10-01"})
    assert letter.urgent is True
    simultaneous = [request for request in letter.requests if "expedited external review" in request]
    assert len(simultaneous) == 1 and "CFR" in simultaneous[0]
    assert "The treating provider's statement that the request is urgent" in letter.suggested_enclosures
    assert [section.heading for section in letter.arguments] == ["The treatment is medically necessary"]


def test_care_already_given_asks_for_payment_not_approval():
    letter = plan("appeal", patient=PATIENT, treatment={**TREATMENT, "dates_of_service": ["2026-09-01"]},
                  denial={"reason": "experimental"})
    assert letter.requests[0].startswith("Overturn the denial and pay for")
    assert not any("peer-to-peer" in request for request in letter.requests)


def test_the_letter_encloses_what_the_sender_listed_and_what_the_tool_drafts_and_suggests_the_rest():
    letter = plan("appeal", sender={"role": "representative"}, patient=PATIENT, denial={"reason": "experimental"},
                  enclosures=["Denial letter of Oct 1", "Signed HIPAA release"])
    # the authorization is drafted by this tool (appeal draft --letter representative-authorization), so it is listed
    assert letter.enclosures == ["Denial letter of Oct 1", "Signed HIPAA release",
                                 "Authorization of representative, signed by the patient"]
    assert letter.to_draft == ["Authorization of representative, signed by the patient: appeal draft --letter "
                               "representative-authorization"]
    assert "Copy of the denial notice" not in letter.suggested_enclosures  # the sender listed one
    assert "Medical records supporting the request" in letter.suggested_enclosures
    medicare = plan("appeal", sender={"role": "representative"}, patient=PATIENT, denial={"reason": "experimental"},
                    insurance={"plan_type": "medicare_advantage"}, enclosures=["Denial letter of Oct 1"])
    # Medicare: the written appointment that takes the place of form CMS-1696, which this tool drafts too
    appointment = "Appointment of representative, signed and dated by the patient and the representative"
    assert medicare.enclosures == ["Denial letter of Oct 1", appointment]
    assert medicare.to_draft == [f"{appointment}: appeal draft --letter representative-authorization"]
    assert not any("CMS-1696" in item for item in medicare.suggested_enclosures)


def test_a_request_for_documents_names_the_rule_behind_each_item_for_the_plan():
    def items(plan_type, diagnoses=()):
        return plan("claim-file-request", patient=PATIENT, denial={"reason": "experimental"},
                    insurance={"plan_type": plan_type}, diagnoses=list(diagnoses)).requests

    erisa = items("employer_self_funded", [{"code": "F33.2"}])
    assert erisa[0].endswith("(29 CFR 2560.503-1(h)(2)(iii), (m)(8));") and erisa[-1].endswith(".")
    assert any("summary plan description" in item and "104(b)(4)" in item for item in erisa)
    assert any("mental health benefit" in item and "2590.712(d)(1)" in item for item in erisa)
    assert not any("mental health" in item for item in items("employer_self_funded", [{"code": "G90.512"}]))
    assert "45 CFR 147.136(b)(3)(i)" in items("individual_marketplace")[0]
    medicare = items("medicare_original")
    assert medicare[0].endswith("(45 CFR 164.524(a)(1); 45 CFR 164.501);")  # HIPAA access, not an ERISA right
    assert not any("2560.503-1" in item or "summary plan description" in item for item in medicare)
    assert any("Local Coverage Determination" in item for item in medicare) and medicare[-1].endswith(".")
    # a parity request without a denial asks for no denial reason, and still ends its list with a full stop
    parity = plan("parity-request", patient=PATIENT, insurance={"plan_type": "employer_fully_insured"},
                  diagnoses=[{"code": "F33.2"}])
    assert not any("reason for the denial" in item for item in parity.requests) and parity.requests[-1].endswith(".")
    assert parity.parity and "no more stringently" in parity.parity[0]


def test_the_level_goes_in_the_re_block_only_for_a_letter_that_starts_a_step():
    denied = {"patient": PATIENT, "denial": {"reason": "experimental"}, "insurance": {"plan_type": "employer_self_funded"}}
    appeal = plan("appeal", **denied)
    assert ("Appeal level", "An internal appeal to the plan, the first level of appeal") in [
        (line.label, str(line.value)) for line in appeal.re_lines]
    external = plan("external-review", **denied)
    assert [str(line.value) for line in external.re_lines if line.label == "Appeal level"] == ["An independent external review"]
    documents = plan("claim-file-request", **denied)
    assert "Appeal level" not in [line.label for line in documents.re_lines]
    assert documents.next_level == "an internal appeal to the plan"  # the step the documents are for


def test_a_request_for_documents_sends_only_what_the_plan_needs():
    letter = plan("claim-file-request", patient=PATIENT, denial={"reason": "experimental"}, enclosures=["Records"])
    assert letter.enclosures == ["Copy of the denial notice"]
    assert letter.evidence == []
    # what it asks for are documents, each with the rule behind it for the plan, never a decision on the claim
    assert letter.requests[0].startswith("the complete claim file") and not any("Overturn" in r for r in letter.requests)


def test_reimbursement_out_of_network_asks_for_the_in_network_rate():
    services = [{"date": "2026-09-01", "charge": "475.00", "paid": "475.00"},
                {"date": "2026-09-03", "charge": "475.00", "paid": "400.00"}]
    letter = plan("reimbursement", patient=PATIENT, treatment={"services": services, "network_status": "out_of_network"})
    assert any("in-network level" in request for request in letter.requests)
    assert (str(letter.facts["total_charged"]), str(letter.facts["total_paid"])) == ("$950.00", "$875.00")
    assert letter.enclosures == [] and letter.suggested_enclosures == ["Itemized superbill and proof of payment"]


def test_parity_request_warns_where_the_parity_law_does_not_reach():
    assert any("MHPAEA" in warning for warning in plan("parity-request", insurance={"plan_type": "medicare_advantage"}).warnings)
    assert not any("MHPAEA" in warning for warning in plan("parity-request", insurance={"plan_type": "employer_fully_insured"}).warnings)


def test_missing_facts_are_visible_blanks():
    letter = plan("appeal", denial={"reason": "experimental"})
    assert isinstance(letter.recipient[1], Blank)
    assert str(letter.re_lines[0].value) == "[ADD: patient's name]"
