"""Issue 29: what a notice is, which of its time limits is the appeal deadline, and the failures that hurt most:
an approval imported as a denial, a paid EOB's "THIS IS NOT A BILL" taken for the plan's reason, a peer-to-peer
call's 14 days taken for the appeal deadline, and wordings for the reference and the appeals address missed.

Read from text only (fast); tests/import_benchmark.py measures the scans and photos."""

from __future__ import annotations

from datetime import date

import pytest
from notice_corpus import corpus
from notice_harness import read_once
from notice_scoring import DENIALS, expected_fields, judge
from notice_variants import load_wide

from appeal.cli import main
from appeal.cases import casefile
from appeal.intake import notice_import, notice_text
from appeal.intake.notice_kind import DocumentType
from appeal.intake.notice_windows import WindowRole
from appeal.terminal import notice_confirm

WIDE = load_wide()


def read(text: str):
    return notice_import.extract(notice_text.from_string(text))


def test_the_wide_corpus_is_there():
    assert len(WIDE) >= 18 and {n.expected["document_type"] for n in WIDE} - DENIALS  # some non-denials


@pytest.mark.parametrize("notice", WIDE, ids=lambda notice: notice.name)
def test_every_document_in_the_wide_corpus_is_recognised_from_its_text(notice):
    extraction = read_once(notice.text)
    expected = notice.expected["document_type"]
    assert extraction.document is not None
    if expected in DENIALS:
        assert extraction.document.is_denial and extraction.writes_denial
    else:  # every non-denial, exactly, and nothing of a denial goes into its case
        assert extraction.document.type.value == expected
        assert not extraction.writes_denial
        case, _ = notice_import.to_case(extraction)
        assert case.denial is None and case.letter_kind is None
    # the line shown as the source holds the document's own words
    assert extraction.document.line.text.strip() in notice.text


def test_no_value_read_from_text_is_wrong_and_unmarked():
    wrong = []
    for name, fields, text in ([(n.name, n.truth, n.text) for n in corpus(36)]
                               + [(n.name, expected_fields(n.expected["fields"]), n.text) for n in WIDE]):
        wrong += [(name, j.key, j.truth, j.got) for j in judge(fields, read_once(text)) if j.wrong_but_certain]
    assert wrong == []


APPROVAL = """Keystone Mutual Health Insurance Company
Utilization Management

Date of notice: 09/18/2026
Member name: Theodore Vance
Member ID: KMH774102559
Authorization number: UM-90044718

Re: Approval of your prior authorization request

Dear Theodore Vance,
Your request for Spravato (esketamine) nasal spray has been approved for 24 sessions from 10/01/2026 through
03/31/2027. This approval is not a guarantee of payment; your deductible and copay still apply. If a service is
denied later, you may appeal within 180 days.
"""


def test_an_approval_is_said_plainly_and_no_denial_is_written_without_the_persons_say_so(tmp_path, capsys):
    extraction = read(APPROVAL)
    assert extraction.document.type is DocumentType.approval
    assert "Approval" in extraction.document.line.text
    output = tmp_path / "case.yaml"
    assert main(["import", str(_write(tmp_path, APPROVAL)), "-o", str(output), "--yes"]) == 0
    said = capsys.readouterr().out
    assert "This looks like an approval, not a denial; there is nothing to appeal." in said
    assert "--as-denial" in said  # how to override, named
    case = casefile.load(output)
    assert case.denial is None and case.letter_kind is None and case.patient.member_id == "KMH774102559"
    assert "no denial was written" in output.read_text()
    # the person says so: then it is read as one
    assert main(["import", str(_write(tmp_path, APPROVAL)), "-o", str(output), "--yes", "--force",
                 "--as-denial"]) == 0
    assert casefile.load(output).denial.reference == "UM-90044718"


def test_the_terminal_asks_before_reading_a_non_denial_as_a_denial_and_the_answer_defaults_to_no(tmp_path,
                                                                                                monkeypatch):
    import questionary

    asked = []

    class Answer:
        def __init__(self, message, default):
            asked.append((message, default))
            self.default = default

        def unsafe_ask(self):
            return self.default  # the person presses Enter

    monkeypatch.setattr(questionary, "confirm", lambda message, default=True, **kwargs: Answer(message, default))
    monkeypatch.setattr(notice_confirm, "confirm", lambda extraction, say=print: extraction)
    case, _ = notice_confirm.run(str(_write(tmp_path, APPROVAL)), tmp_path / "case.yaml", interactive=True,
                                 force=False)
    assert asked and asked[0][1] is False and "denial" in asked[0][0]
    assert case.denial is None


PAID_EOB = """GREAT LAKES HEALTH ASSURANCE CO.                        EXPLANATION OF BENEFITS
P.O. Box 30044, Milwaukee, WI 53201                        THIS IS NOT A BILL

Statement date: 04/06/2026
Patient: Olivia Petersen-Duarte            Member ID: GLH3302847716
Claim number: 2026-084-117730-00

Service date  Description                       Billed   Not covered   Plan paid
03/10/26      PT evaluation (97161)             $210.00  $0.00         $116.00

Explanation: We paid this claim. Your share is $30.00.

Your right to appeal: If you disagree with how we processed this claim, you may appeal within 180
days of receiving this statement. Write to Great Lakes Health Assurance Co., Appeals, P.O. Box
30061, Milwaukee, WI 53201, or fax 414-555-0168.
"""


def test_a_paid_eob_is_not_a_denial_and_not_a_bill_is_never_the_reason():
    extraction = read(PAID_EOB)
    assert extraction.document.type is DocumentType.eob_paid
    assert "reason" not in extraction.found and "quote" not in extraction.found
    case, _ = notice_import.to_case(extraction)
    assert case.denial is None
    for notice in WIDE:  # and no EOB of the corpus, paid or denied, gives its heading as the plan's words
        quote = read_once(notice.text).found.get("quote")
        assert quote is None or "NOT A BILL" not in quote.value.upper()


PEER_TO_PEER = """Crestline Benefit Administrators
Date of notice: 03/09/2026
Member name: Melinda Cortez
Member ID: TFL0048213
Claim number: PA-2026-0311874

Your plan is a self-funded group health plan governed by the Employee Retirement Income Security Act (ERISA).

We have denied the request for IV ketamine infusion therapy.
Reason for denial: The service is not medically necessary under our clinical policy.

Talk to the reviewer: Your doctor may request a peer-to-peer discussion with our physician reviewer within 14
calendar days of the date of this letter by calling 1-888-555-0138.

YOUR RIGHT TO APPEAL
If you disagree with this decision, you or your authorized representative may ask us to look at it again.
Send your written appeal to: Crestline Benefit Administrators, Appeals, PO Box 14079, Lexington, KY 40512.
"""


def test_a_peer_to_peer_window_is_never_the_appeal_deadline(tmp_path, capsys):
    extraction = read(PEER_TO_PEER)
    assert extraction.document.is_denial
    assert "appeal_deadline" not in extraction.found  # the notice states none
    assert [(w.role, w.days) for w in extraction.other_windows] == [(WindowRole.peer_to_peer, 14)]
    case, _ = notice_import.to_case(extraction)
    said = notice_import.deadline_comparison(extraction, case, today=date(2026, 3, 12))
    assert "does not state a deadline for an appeal" in said
    assert "September 5, 2026" in said and "29 CFR 2560.503-1" in said  # the rule: 180 days, from the notice date
    assert "14 calendar days for your doctor to ask for a call" in said and "are not your appeal deadline" in said
    output = tmp_path / "case.yaml"
    assert main(["import", str(_write(tmp_path, PEER_TO_PEER)), "-o", str(output), "--yes"]) == 0
    printed = capsys.readouterr().out
    deadline = printed[printed.index("Deadline."):]
    assert "send your appeal by then" in deadline and "September 5, 2026" in deadline
    assert "peer-to-peer" in printed and "not the appeal deadline" in printed  # shown, with its label
    assert "March 23, 2026" not in printed  # 14 days after the notice is never offered as a date to go by


def test_a_stated_appeal_deadline_beside_the_rules_the_earlier_recommended():
    text = PEER_TO_PEER.replace("may ask us to look at it again.",
                                "must file your appeal within 60 days from the date of this notice.")
    extraction = read(text)
    assert extraction.found["appeal_deadline"].value.days == 60
    case, _ = notice_import.to_case(extraction)
    said = notice_import.deadline_comparison(extraction, case, today=date(2026, 3, 12))
    assert "May 8, 2026" in said and "September 5, 2026" in said
    assert "May 8, 2026, the earlier, is the safe date" in said


@pytest.mark.parametrize("text, role", [
    ("We will decide an expedited appeal within 72 hours.", WindowRole.expedited_decision),
    ("For a standard appeal, we will send you our decision within 30 days.", WindowRole.decision_time),
    ("If your provider sends the missing records within 45 days, we will review the request again.",
     WindowRole.submit_records),
    ("You can keep getting your services during the appeal if you ask within 10 days of this notice.",
     WindowRole.continuation_of_benefits),
    ("You must ask for a State Fair Hearing within 120 days of our appeal decision.", WindowRole.fair_hearing),
    ("Your request for an external review must be filed within 4 months.", WindowRole.external_review),
    ("You or your representative may appeal the denied lines within 180 days.", WindowRole.appeal),
    ("We must receive your appeal within 65 days of the date of this notice.", WindowRole.appeal),
    ("Your provider may submit a corrected claim within 90 days.", WindowRole.corrected_claim),
])
def test_each_window_keeps_its_role(text, role):
    extraction = read(f"Notice of denial.\n\n{text}\n")
    assert [window.role for window in extraction.windows] == [role]


@pytest.mark.parametrize("text, expected", [
    ("Your claim for services on 03/02/2026 has been denied. Reason for denial: not medically necessary.",
     DocumentType.denial_claim),
    ("Prior authorization request. Decision: DENIED.", DocumentType.denial_prior_authorization),
    ("We reviewed your first-level appeal. After reviewing all the information, we are upholding the denial.",
     DocumentType.denial_appeal_decision),
    ("This is the Plan's final internal adverse benefit determination. Your appeal has been denied.",
     DocumentType.final_internal_denial),
    ("We approved 20 of the 36 sessions requested. The remaining 16 sessions were denied.",
     DocumentType.partial_approval),
    ("We need more information before we can make a decision. Please send the office notes within 14 days.",
     DocumentType.request_for_information),
    ("A final decision has not been made. Your doctor may request a peer-to-peer discussion within 14 days.",
     DocumentType.peer_to_peer_offer),
    ("MEDICARE SUMMARY NOTICE\nNumber of services Medicare denied: 2", DocumentType.eob_denied),
])
def test_the_document_type_comes_from_its_own_words(text, expected):
    assert read(text).document.type is expected


def test_conditions_and_other_subjects_do_not_decide_the_type():
    # 'if your request is denied' is no denial, and an FDA approval is not the plan's
    assert read("Your request is pending. If your request is denied, you may appeal.").document.type \
        is DocumentType.request_for_information
    assert read("The FDA has approved esketamine for depression. We cannot approve this request.").document.type \
        is DocumentType.denial_prior_authorization


@pytest.mark.parametrize("label", ["Certification number", "Precertification reference", "Request ID", "PA number",
                                   "Appeal Number (Redetermination)", "Organization determination number",
                                   "Case ID", "Claim/DCN", "Authorization #"])
def test_reference_wordings(label):
    extraction = read(f"Your request has been denied.\n{label}: RQ-2026-4471\n")
    assert extraction.found["reference"].value == "RQ-2026-4471"


@pytest.mark.parametrize("text", [
    "How to ask for a redetermination\nSubmit a written request to:\n   Heartland Rx Appeals\n   P.O. Box 52040\n"
    "   Phoenix, AZ 85072-2040\n   Fax: 1-866-555-0144\n",
    "YOUR APPEAL RIGHTS\nYou may appeal within 180 days. Your appeal must be in writing and sent to: Heartland Rx "
    "Appeals,\nP.O. Box 52040, Phoenix, AZ 85072-2040. Fax: (866) 555-0144.\n",
    "Your right to appeal: you may appeal within 180 days. Write to Heartland Rx Appeals, P.O. Box\n52040, Phoenix, "
    "AZ 85072-2040, or fax 866-555-0144.\n",
])
def test_appeals_address_wordings(text):
    extraction = read("Member ID: HX1234567\nYour claim has been denied.\n\n\n\n\n" + text)
    assert extraction.shown("appeals_address").replace("\n", ", ") \
        == "Heartland Rx Appeals, P.O. Box 52040, Phoenix, AZ 85072-2040"
    assert extraction.shown("appeals_fax") == "(866) 555-0144"


def test_a_request_for_records_gives_no_appeals_fax():
    extraction = read("We need more information before we can make a decision.\nPlease fax the office notes to "
                      "(303) 555-0148 within 14 days.\n")
    assert extraction.document.type is DocumentType.request_for_information
    assert "appeals_fax" not in extraction.found
    assert [w.role for w in extraction.windows] == [WindowRole.submit_records]


def test_fax_address_and_deadline_are_always_shown_beside_their_lines(tmp_path, capsys):
    output = tmp_path / "case.yaml"
    text = PEER_TO_PEER.replace("may ask us to look at it again.", "must file your appeal within 60 days.")
    text += "Fax your appeal to (859) 555-0142.\n"
    assert main(["import", str(_write(tmp_path, text)), "-o", str(output), "--yes"]) == 0
    printed = capsys.readouterr().out
    block = printed[printed.index("Check these three"):]
    fax_line = text.splitlines().index("Fax your appeal to (859) 555-0142.") + 1
    assert f'Fax for appeals: (859) 555-0142\n    line {fax_line}: "Fax your appeal to (859) 555-0142."' in block
    assert "Address for appeals: Crestline Benefit Administrators / Appeals / PO Box 14079" in block
    assert 'line 17: "Send your written appeal to: Crestline' in block
    assert "Appeal deadline on the notice: within 60 days" in block


def _write(folder, text: str):
    path = folder / "notice.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, kind", [
    ("NOTICE OF ADVERSE BENEFIT DETERMINATION\n(Post-Service Claim -- 29 C.F.R. Section 2560.503-1)\n\nThe Company has "
     "made an adverse benefit determination. Benefits for MRI are subject to precertification. No precertification was "
     "requested.\n", DocumentType.denial_claim),
    ("RE: Adverse Benefit Determination - Pre-Service Request\n\nWe have denied the request. The claim for it will not be "
     "paid. You may ask for an external review within 4 months of receiving the final internal decision.\n",
     DocumentType.denial_prior_authorization),
    ("MEDICARE APPEAL DECISION -- REDETERMINATION\n\nThis letter is to inform you of the decision on your Medicare appeal. "
     "An appeal is a new and independent review of a claim.\n\nThe appeal decision is UNFAVORABLE. Medicare will not pay "
     "for this item.\n", DocumentType.denial_appeal_decision),
    ("Your appeal decision\n\nWe received your first-level appeal.\n\nWHAT WE DECIDED: We are keeping our first decision. "
     "The admission is still not covered.\n", DocumentType.denial_appeal_decision),
    ("NOTICE OF CLAIM DENIAL\n\nThe claim for the MRI (post-service) is denied. You may ask for an external review within "
     "one hundred eighty (180) days of the final adverse benefit determination.\n", DocumentType.denial_claim),
    ("Re:  Reconsideration Decision - Denial Affirmed\n\nWe reviewed your request for reconsideration. This letter is our "
     "final decision on your reconsideration request.\n", DocumentType.final_internal_denial),
    ("NOTICE OF DENIAL\n\nThe prior authorization request for Spravato is denied. A prescriber may submit a new request "
     "with documentation of a diagnosis for which the drug is approved.\n", DocumentType.denial_prior_authorization),
])
def test_the_kind_of_denial_from_a_heading_or_a_decision_still_to_come(text, kind):
    assert read(text).document.type is kind


@pytest.mark.parametrize("heading", ["TRICARE EXPLANATION OF BENEFITS", "This is a statement of your claim. THIS IS NOT A  BILL."])
def test_an_eob_is_told_by_a_programs_title_or_by_not_a_bill_read_with_two_spaces(heading):
    """A scan's OCR read 'NOT A  BILL' with two spaces, and TRICARE names its EOB with its own name first: the
    paid EOB was read as no kind of document at all."""
    assert read(f"{heading}\n\nDate of notice: 13 Oct 2026\nAmount billed 1,045.00  Paid 134.32\n").document.type \
        is DocumentType.eob_paid


def test_the_line_shown_for_a_denial_is_the_one_that_says_it_was_denied():
    """The heading check looks at the first lines for 'Post-Service Claim'; when none says so, the line shown is
    still the sentence that denies, not the last line it looked at (the browser showed 'Fax your appeal to ...')."""
    text = PEER_TO_PEER + "Fax your appeal to (859) 555-0142.\n"
    document = read(text).document
    assert document.line.text == "We have denied the request for IV ketamine infusion therapy."
