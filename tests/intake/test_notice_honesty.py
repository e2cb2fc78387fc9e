"""The import on notices written by others (issue 29, second hand-written set): a value read from a clear label in
the right context may be certain; one inferred (a guess between two candidates, a window of another kind, a number
outside the appeal instructions) comes back marked for checking or not at all. Each test is a general wording."""

from __future__ import annotations

from appeal.intake import notice_import, notice_kind, notice_text


def read(text: str) -> notice_import.Extraction:
    return notice_import.extract(notice_text.from_string(text))


def test_a_fast_appeal_window_is_not_the_appeal_deadline_when_a_standard_one_is_given():
    extraction = read("""We did not approve the requested days.

YOUR RIGHT TO REQUEST RECONSIDERATION
You may ask for an EXPEDITED reconsideration. An expedited request must be received
within 3 calendar days after you receive this notice; call the number below.

You may instead file a non-expedited reconsideration. It must be postmarked or
received within 90 days of the date of this notice.
""")
    assert extraction.found["appeal_deadline"].value.words.startswith("It must be postmarked")
    assert extraction.found["appeal_deadline"].certain
    fast = [window for window in extraction.other_windows if window.words == "3 calendar days"]
    assert fast and "fast (expedited) appeal" in fast[0].role.label


def test_a_fast_appeal_window_alone_is_marked():
    extraction = read("""We denied the request.
An expedited appeal request must be received within 3 days after you receive this notice.
""")
    assert extraction.found["appeal_deadline"].value.days == 3
    assert not extraction.found["appeal_deadline"].certain


def test_we_must_receive_it_within_months_is_the_appeal_window_not_the_next_levels():
    extraction = read("""We denied your claim.
If you disagree with our decision, you may ask us to reconsider it. Your
request must be in writing and we must receive it within 6 months from the
date of this decision.
We will respond within 30 days of receiving your request.
If we maintain our denial, you may ask the Office of Personnel Management (OPM) to review our decision.
You must write to OPM within 90 days after the date of our letter upholding our decision.
""")
    assert extraction.found["appeal_deadline"].value.months == 6
    assert extraction.found["appeal_deadline"].certain


def test_the_fax_is_the_number_after_the_word_fax_on_a_line_with_a_phone():
    extraction = read("""You must ask for an appeal within 60 calendar days from the date on this notice.
   Attn: Appeals Department
   P.O. Box 100
   Springfield, IL 62701
   Phone: 1-888-555-0135     Fax: 1-225-555-0119
""")
    assert extraction.shown("appeals_fax") == "(225) 555-0119"
    assert extraction.found["appeals_fax"].certain


def test_a_fax_number_wrapped_to_the_next_line_is_read():
    extraction = read("""DISPUTED CLAIMS: If you disagree, you may ask us to reconsider. Write to us within 6 months
at Reconsideration, P.O. Box 100, Springfield, IL 62701, or fax
(703) 555-0159. If we deny your request, you may ask for an outside review.
""")
    assert extraction.shown("appeals_fax") == "(703) 555-0159"


def test_a_copy_to_the_doctor_is_not_the_appeals_fax():
    extraction = read("""We upheld our decision. You may ask for the next level of appeal.

Sincerely,
Medicare Appeals Department

cc: Dana Whitfield, MD, Riverside Pain Clinic, fax 605-555-0113
""")
    assert "appeals_fax" not in extraction.found


def test_two_npis_under_one_label_are_a_guess():
    extraction = read("""We denied the request.
Provider: Lakeside Psychiatry Associates
     NPI: 1508362740 (group)  /  1682510932 (rendering)
""")
    assert not extraction.found["provider_npi"].certain


def test_a_hcpcs_s_code_in_clean_text_is_not_repaired_into_digits():
    extraction = read("""We denied the request.
Procedure code: S9480 - Intensive outpatient psychiatric services, per diem
""")
    assert extraction.shown("procedure_codes").startswith("S9480")
    assert "59480" not in extraction.shown("procedure_codes")


def test_codes_named_in_a_sentence_are_all_read_and_marked():
    extraction = read("""The appeal concerns the request by your doctor for infusions every
8 weeks for Crohn's disease, billed as J1745
with administration codes 96413 and 96415.
""")
    assert extraction.shown("procedure_codes") == "J1745, 96413, 96415"
    assert not extraction.found["procedure_codes"].certain


def test_a_company_abbreviation_does_not_end_a_plans_name():
    extraction = read("""Plan:   Lakeshore Tool & Die Co. Group Health Plan
Claim Number:     E26027R48816
""")
    assert extraction.shown("plan_name") == "Lakeshore Tool & Die Co. Group Health Plan"


def test_a_request_for_prior_approval_of_names_the_service_after_it():
    extraction = read("""We received a request for prior approval of intravenous ketamine infusion
therapy, 6 infusions over 3 weeks (CPT 96365, 96366), for you.
""")
    assert extraction.shown("service") == "intravenous ketamine infusion therapy, 6 infusions over 3 weeks"


def test_diagnosis_codes_listed_one_a_line_under_the_label_are_all_read():
    extraction = read("""   Diagnosis codes:  M54.16 - Radiculopathy, lumbar region
                     M51.16 - Intervertebral disc disorders with radiculopathy
""")
    assert extraction.shown("diagnoses") == "M54.16, M51.16"


def test_we_after_a_plans_name_is_not_part_of_the_insurers_name():
    extraction = read("""                    HARBOR ADMINISTRATIVE GROUP
Harbor Administrative Group processes claims on behalf of the Lakeshore Tool
& Die Co. Group Health Plan. We have reviewed the claim below.
""")
    assert extraction.shown("insurer") == "HARBOR ADMINISTRATIVE GROUP"


def test_a_service_under_its_heading_that_wraps_is_read_whole():
    extraction = read("""Riverbend Health has reviewed the request for the following:

   Spravato (esketamine) nasal spray, 84 mg per session, twice weekly for
   4 weeks (induction phase), HCPCS G2083
   Diagnosis: F32.2 Major depressive disorder
""")
    assert extraction.shown("service") == ("Spravato (esketamine) nasal spray, 84 mg per session, twice weekly for "
                                           "4 weeks (induction phase)")


def test_a_fast_appeal_window_after_a_semicolon_is_still_the_fast_ones():
    extraction = read("""A request for reconsideration must be received within 90 days from the date of this notice.
If delay could seriously harm your health, you may ask for an expedited
reconsideration; it must be received within 3 calendar days of the date of this notice.
""")
    assert extraction.found["appeal_deadline"].value.days == 90
    assert [window.role.value for window in extraction.other_windows] == ["expedited_filing"]


# Document types, from the document's own words.

def kind(text: str) -> str:
    return read(text).document.type.value


def test_a_policys_criterion_is_not_an_approval():
    assert kind("""NOTICE OF DENIAL OF PRIOR AUTHORIZATION
We have reviewed the request and we are denying it.
Imaging of the low back is approved after at least six weeks of conservative care.
""") == "denial_prior_authorization"


def test_another_level_of_care_approved_instead_is_not_a_partial_approval():
    assert kind("""Your request was denied.
We denied this request because your needs can be met in a skilled nursing facility, which we have approved.
""") == "denial_prior_authorization"


def test_an_eob_titled_in_the_letterheads_column_with_a_denied_line():
    assert kind("""LAKE HEALTH INSURANCE CO.
Value PPO 3000                                      EXPLANATION OF BENEFITS

02/09/26  Office visit                 99214   $210.00   $84.52
02/09/26  Epidural injection           64483 $1,450.00    $0.00
You are not responsible for the denied charges from this network provider.
""") == "eob_denied"


def test_denial_upheld_is_an_appeal_decision():
    assert kind("""Thank you for your appeal received on July 9, 2026.
APPEAL DECISION: DENIAL UPHELD
""") == "denial_appeal_decision"
    assert kind("""Subject: Your request for reconsideration
A physician who was not involved in the first decision reviewed your appeal.
We are not able to change our original decision.
""") == "denial_appeal_decision"


def test_a_fully_favorable_redetermination_is_an_approval():
    assert kind("""NOTICE OF REDETERMINATION - FULLY FAVORABLE
We received your request for a redetermination of our decision denying coverage.
We have decided to APPROVE your request. Our decision is fully favorable.
""") == "approval"


def test_a_final_decision_still_to_come_is_not_a_final_internal_denial():
    assert kind("""NOTICE OF ADVERSE BENEFIT DETERMINATION
We denied your claim for physical therapy.
You may appeal. We will send you a final decision on your appeal within 30 days.
""") != "final_internal_denial"


def test_fewer_units_than_asked_is_a_partial_approval():
    assert kind("""We approved 12 visits instead of the 24 visits requested.
""") == "partial_approval"


def test_a_clinicians_name_is_never_the_patients():
    extraction = read("""Requesting provider: Rahul Mehta-Sorensen MD
Subscriber: Rahul Mehta-Sorensen MD
Dear Dr. Mehta-Sorensen,
We denied the request.
""")
    assert "patient_name" not in extraction.found
    extraction = read("""Member: Minh Do
We denied the request.
""")
    assert extraction.shown("patient_name") == "Minh Do"


def test_the_plans_member_number_is_preferred_to_the_states_medicaid_id_and_marked():
    extraction = read("""Medicaid ID:   112233445566
Member ID:     CBH-7788-01
We denied the request.
""")
    assert extraction.shown("member_id") == "CBH-7788-01"
    assert not extraction.found["member_id"].certain
    extraction = read("""Member ID:     CBH-7788-01
We denied the request.
""")
    assert extraction.found["member_id"].certain


def test_a_plans_name_in_the_letterhead_is_read_and_marked():
    for letterhead, name in (
            ("PINE HEALTH INSURANCE COMPANY\nPine Choice PPO 2500\nUtilization Management\n", "Pine Choice PPO 2500"),
            ("Lark Rx Plans, Inc.                          Lark Rx Value (PDP)\n", "Lark Rx Value (PDP)"),
            ("Bay Community Health Plan\nBay Silver 3500 HMO - Individual & Family\n",
             "Bay Silver 3500 HMO - Individual & Family"),
            ("        RIVER BEND HEALTH PLAN\n   A Louisiana Medicaid Managed Care Plan\n", "River Bend Health Plan"),
            ("SUNRISE HEALTH COOPERATIVE                      Sunrise Bronze Essential EPO\n", "Sunrise Bronze Essential EPO"),
            ("ALLEGHENY FEDERAL HEALTH PLAN                           Standard Option\n", "Standard Option")):
        extraction = read(letterhead + "\nWe denied the request.\n")
        assert extraction.shown("plan_name") == name
        assert not extraction.found["plan_name"].certain


def test_plan_types_from_a_plans_own_words():
    for text, plan, sure in (("Bay Silver 3500 HMO - Individual & Family\nWe denied the request.\n", "individual_marketplace", True),
                             ("Lake Gold 1500 PPO (Marketplace)\nWe denied the request.\n", "individual_marketplace", True),
                             ("Subject: Your request for reconsideration (Part C appeal)\n", "medicare_advantage", True),
                             ("Tall Rx Premier (PDP)\nPart D Appeals Unit\n", "medicare_part_d", True),
                             ("RED HILL COMMUNITY HEALTH PLAN\nSooner Plan - Oklahoma Medicaid\n", "medicaid_managed_care", False)):
        extraction = read(text)
        assert extraction.shown("plan_type") == plan
        assert extraction.found["plan_type"].certain is sure


def test_a_heading_above_a_labelled_line_does_not_give_the_label_as_the_value():
    extraction = read("""We denied the request received on October 7, 2026 for the following service:

   Service:          Intravenous ketamine infusions, 6 treatments
   Codes:            96365, J3490
""")
    assert extraction.shown("service") == "Intravenous ketamine infusions, 6 treatments"


def test_a_test_or_an_item_under_its_own_label_is_the_service():
    assert read("   Test requested:   MRI lumbar spine without contrast (CPT 72148)\n").shown("service") == \
        "MRI lumbar spine without contrast"
    assert read("   Item:        Continuous glucose monitor and monthly sensor supplies\n").shown("service") == \
        "Continuous glucose monitor and monthly sensor supplies"


def test_criteria_not_met_and_a_lower_level_of_care_are_medical_necessity():
    extraction = read("""Why did we deny your request?
We denied this request because you do not need the intensive level of therapy
given at an inpatient rehabilitation facility.
""")
    assert extraction.shown("reason") == "not_medically_necessary"
    extraction = read("""REASON FOR DENIAL:
Continued stay is approved only when the patient still needs 24-hour nursing supervision. The records do not
meet these criteria.
""")
    assert extraction.shown("reason") == "not_medically_necessary"


def test_diagnosis_codes_read_from_a_sentence_are_marked():
    extraction = read("""You asked us to pay for physical therapy visits (procedure codes
97110 and 97530; diagnoses S83.511D and M25.661) after your knee surgery.
""")
    assert "M25.661" in extraction.shown("diagnoses")
    assert not extraction.found["diagnoses"].certain
    assert read("Diagnosis codes:  M54.16\nWe denied the request.\n").found["diagnoses"].certain


# ---- third hand-written set (held2-*)

def test_a_fax_chosen_from_a_line_of_several_fax_numbers_is_marked():
    extraction = read("""You may ask for a review of this reconsideration decision within 90 days.
Plan fax numbers: Reconsideration Review Unit (202) 555-0187; Precertification
(202) 555-0182.
""")
    assert extraction.shown("appeals_fax") == "(202) 555-0187"
    assert not extraction.found["appeals_fax"].certain


def test_a_retrospective_review_with_records_is_not_the_appeal_deadline():
    extraction = read("""These services were denied.
Your provider may send a request for a retrospective review with the clinical notes
for these dates within 60 days of this statement.
You may appeal this decision. Your appeal must be received within 180 days after you
receive this notice.
""")
    assert extraction.found["appeal_deadline"].value.days == 180


def test_a_peer_discussion_with_the_reviewing_physician_is_not_the_appeal_deadline():
    extraction = read("""We denied the request.
Your provider may request a reconsideration by phone for a peer discussion with
the reviewing physician within 10 calendar days of this letter.
If you disagree with this decision, you may request a reconsideration. Your request
must be postmarked or received within 90 days of the date of this notice.
""")
    assert extraction.found["appeal_deadline"].value.days == 90
    assert any(window.role.value == "peer_to_peer" and window.days == 10 for window in extraction.other_windows)


def test_the_patient_label_wins_over_the_member_label_on_an_eob_for_a_dependent():
    extraction = read("""Member:          Celeste Sample                 Statement date: 08/27/2026
Patient:         Maya Sample (dependent)        Patient DOB: 2009-03-22
""")
    assert extraction.found["patient_name"].value == "Maya Sample"


def test_a_page_footer_does_not_run_into_the_insurer_after_insured_by():
    extraction = read("""We approved part of your request.
Choice PPO - insured by Prairie Sample Health Insurance Co.
                                                                  Page 2 of 2
""")
    assert extraction.found["insurer"].value == "Prairie Sample Health Insurance Co."


def test_the_quote_ends_before_the_policy_name_and_how_to_get_a_copy():
    extraction = read("""Why did we deny your request?
We denied the request because the drug is not approved by the Food and Drug
Administration for this use. Published studies are small and short, and long-term
safety and benefit have not been shown. We reviewed this request under our Medical
Policy X-1, Sample Policy. If you would like a copy of the policy, call Member Services.
""")
    assert extraction.found["quote"].value.endswith("safety and benefit have not been shown.")
    # not FDA-approved and unproven: two kinds of reason, so the first is only a suggestion
    assert extraction.found["reason"].value.value == "off_label"
    assert not extraction.found["reason"].certain
    assert "experimental" in [reason.value for reason in extraction.other_reasons]


def test_an_address_line_ending_in_a_comma_does_not_double_it():
    extraction = read("""You can file an appeal. Send your appeal to:
    Sample Medicare Services, Attn: Part B Redeterminations, P.O. Box 6178,
    Mechanicsburg, PA 17055-6178
""")
    assert ",," not in extraction.found["appeals_address"].value.replace("\n", ", ")
    assert extraction.found["appeals_address"].value.endswith("P.O. Box 6178\nMechanicsburg, PA 17055-6178")


def test_a_code_named_in_a_sentence_is_marked():
    extraction = read("""Explanation: Code 90838 is an add-on code that must be billed with an evaluation
and management service on the same day.
""")
    assert extraction.found["procedure_codes"].value.codes[0][0] == "90838"
    assert not extraction.found["procedure_codes"].certain


def kind(text: str) -> str:
    return notice_kind.classify(notice_text.from_string(text).lines).type.value


def test_a_final_internal_decision_named_in_the_next_steps_deadline_is_not_this_document():
    for later in ("Ask within 4 months after our final internal decision.",
                  "You have 4 months from the date of the final adverse determination to ask.",
                  "You may ask no later than 4 months after you receive the final internal decision."):
        assert kind(f"We denied your prior authorization request for this service.\n{later}\n") \
            == "denial_prior_authorization", later
    assert kind("We denied your claim. This is our final internal decision.\n") == "final_internal_denial"


def test_a_reconsideration_or_redetermination_completed_is_an_appeal_decision():
    assert kind("We have reconsidered our March 2 denial of prior approval. The denial stands; we cannot approve it.\n") \
        == "denial_appeal_decision"
    assert kind("We have completed our review of your request for a redetermination (appeal). We have decided to "
                "deny the request.\n") == "denial_appeal_decision"


def test_an_eob_whose_plan_does_not_pay_or_a_summary_notice_answering_no_is_denied():
    assert kind("Explanation of Benefits\nTHIS IS NOT A BILL\nYour plan does not pay for services from laboratories "
                "that are not in the network.\n") == "eob_denied"
    assert kind("Medicare Summary Notice for Part B (Medical Insurance)\nDid Medicare Approve All Services?   NO\n"
                "THIS IS NOT A BILL.\n") == "eob_denied"
    assert kind("Medicare Summary Notice for Part B (Medical Insurance)\nDid Medicare Approve All Services?   YES\n"
                "THIS IS NOT A BILL.\n") == "eob_paid"


def test_visits_reduced_from_one_number_to_another_is_a_partial_approval():
    assert kind("We approved skilled nursing as requested. We are REDUCING home health aide visits from 5 visits "
                "per week to 3 visits per week.\n") == "partial_approval"


def test_member_numbers_and_an_appeal_reference_under_their_common_labels():
    for label in ("Subscriber No.:", "Recipient Number:", "DoD Benefits No.:"):
        assert read(f"{label}   ABC1234567\n").found["member_id"].value == "ABC1234567", label
    assert read("Appeal reference:   APL-2026-11-0093\n").found["reference"].value == "APL-2026-11-0093"


def test_a_role_word_before_the_name_on_a_re_line_is_not_the_name():
    assert read("Re: Member Beatrice Sample-Hill     Member ID: OVM520044179\n").found["patient_name"].value \
        == "Beatrice Sample-Hill"


def test_a_process_date_or_a_date_label_in_the_headers_second_column_is_the_notice_date():
    assert str(read("Beneficiary:  Kiona Sample            Process date:    05/19/2026\n").found["notice_date"].value) \
        == "2026-05-19"
    assert str(read("SAMPLE HEALTH INSURANCE COMPANY                 Explanation of Benefits\n"
                    "1 Liberty Place, Philadelphia, PA 19103       Date: 09/09/2026\n").found["notice_date"].value) \
        == "2026-09-09"


def test_a_provider_not_part_of_the_plans_network_is_an_out_of_network_reason():
    extraction = read("""Why we made this decision:
Sample Institute is not part of your plan's provider network. Your HMO plan covers services
outside the network only for emergencies.
""")
    assert extraction.found["reason"].value.value == "out_of_network"


def test_an_address_under_written_appeals_is_the_appeals_address():
    extraction = read("""You may appeal within 180 days of receiving this letter.

Written appeals:
  Sample Health Insurance Co.
  Attn: Appeals Coordinator
  P.O. Box 14470
  Des Moines, IA 50306-4470
""")
    assert extraction.found["appeals_address"].value.startswith("Sample Health Insurance Co.\nAttn: Appeals Coordinator")


def test_a_reason_set_below_because_colon_is_the_quote_and_not_allowed_by_law_is_an_exclusion():
    extraction = read("""Dear Sample,

 We have denied your request for the prescription drug listed above. We denied this
 request because:

   Medicare Part D plans are not allowed by law to cover drugs when used for weight
   loss.

 If your prescriber sends us more information, we can look at this request again.
""")
    assert extraction.found["quote"].value.startswith("Medicare Part D plans are not allowed by law")
    assert not extraction.found["quote"].certain
    assert extraction.found["reason"].value.value == "benefit_exclusion"


def test_requests_must_be_received_after_a_reconsideration_sentence_is_the_appeal_deadline():
    extraction = read("""If you disagree with how this claim was processed, you may request a
reconsideration. Requests must be received no later than 90 days from the date of
this EOB.
""")
    assert extraction.found["appeal_deadline"].value.days == 90


def test_a_fax_the_notice_says_is_no_longer_in_use_is_not_the_appeals_fax():
    extraction = read("""You may ask for an external review within 4 months. Send your request to:
     Review Unit, PO Box 1, Boise, ID 83707
     Fax 208-555-0139

First-level appeals fax (no longer applicable to this case): 208-555-0138
""")
    assert extraction.shown("appeals_fax") == "(208) 555-0139"
    assert "independent reviewer" in extraction.found["appeals_fax"].why  # an external review's: said which step


def test_a_line_with_its_own_label_is_not_the_value_of_a_label_ending_the_sentence_above():
    extraction = read("""We reviewed a request for the following service under the Halvorsen Employee Health Benefit Plan:

  Service requested: IV ketamine infusion therapy, 6 infusions
""")
    assert "Service requested" not in extraction.shown("plan_name")
    assert extraction.shown("service").startswith("IV ketamine infusion therapy")


def test_a_member_ids_two_digit_suffix_is_kept():
    extraction = read("Subscriber: Daniela Reyes     Member ID: GPA771204553 02\n")
    assert extraction.shown("member_id") == "GPA771204553 02"


def test_a_company_named_short_in_a_sentence_is_given_by_its_full_name():
    extraction = read("""Sunfield Health Plans of Arizona, Inc.
www.sunfield.example

Sunfield Health Plans has reviewed the prior authorization request for Spravato.
""")
    assert extraction.shown("insurer") == "Sunfield Health Plans of Arizona, Inc."


def test_an_address_after_write_or_under_a_dept_line_is_read_whole():
    text = """Acme Health
1 Main St
Town, ST 00001



If you disagree, you may ask us to reconsider within 65 days.
{0}
   Attn: Appeals & Grievances Dept.
   P.O. Box 9045
   Spokane, WA 99209-9045
"""
    written = read(text.format("Write:  Meridian Health Partners, Inc."))
    assert written.shown("appeals_address").splitlines()[0] == "Meridian Health Partners, Inc."
    mailed = read(text.format("Mail or fax to:\n   Evergreen Vista Health Plan, Inc."))
    assert mailed.shown("appeals_address").splitlines() == [
        "Evergreen Vista Health Plan, Inc.", "Attn: Appeals & Grievances Dept.", "P.O. Box 9045", "Spokane, WA 99209-9045"]


def test_codes_of_a_table_with_paid_and_unpaid_lines_are_marked_and_the_service_is_the_unpaid_lines():
    extraction = read("""Service Provided & Billing Code                 Amount     Medicare   Medicare  You May
                                                Charged    Approved   Paid      Be Billed
Cataract removal with IOL insertion (66984-RT)  $1,945.00  $1,011.22  $792.39   $202.24
Presbyopia-correcting intraocular lens (V2788)  $2,800.00  $0.00      $0.00     $2,800.00
""")
    assert not extraction.found["procedure_codes"].certain
    assert extraction.shown("service") == "Presbyopia-correcting intraocular lens"


def test_the_deadline_sentence_keeps_one_full_stop_and_the_reason_the_rule_cannot_be_counted_is_said():
    from datetime import date

    extraction = read("Acme Health Plan\n\nYou must file your appeal by March 5, 2027.\n")
    case, _ = notice_import.to_case(extraction)
    said = notice_import.deadline_comparison(extraction, case, date(2026, 12, 1))
    assert 'March 5, 2027." The tool' in said and '."."' not in said and '.".' not in said
    assert "without the kind of coverage" in said
    case.insurance.plan_type = "individual_marketplace"
    said = notice_import.deadline_comparison(extraction, case, date(2026, 12, 1))
    assert "without the date printed on the notice" in said


def test_a_count_of_days_of_service_is_no_time_limit():
    extraction = read("Dates of service: 01/05/2026 - 01/09/2026 (5 days)\nService: inpatient stay\n")
    assert [window.words for window in extraction.windows] == []


def test_a_name_ending_in_a_label_word_does_not_make_the_next_lines_number_a_value_without_a_mark():
    extraction = read("""Acme Health Plan
Member ID: W1234567

Dr. Rosa Lee
Lakeside Dermatology Group
1001 Medical Arts Ave NE
Albuquerque, NM 87102
""")
    found = extraction.found.get("group_number")
    assert found is None or not found.certain, found


def test_diagnoses_kept_beside_a_code_that_was_refused_are_marked():
    extraction = read("Acme Health Plan\nMember ID: W1234567\nDiagnosis: F50.02, F32.1\n")
    found = extraction.found["diagnoses"]
    assert found.value == ["F32.1"] and not found.certain, found
    assert any("F50.02" in note for note in extraction.rejected)


def test_a_help_desks_fax_for_prescribers_is_no_appeals_fax_and_a_phone_beside_the_fax_is_no_second_fax():
    extraction = read("""YOUR APPEAL RIGHTS
You must file your appeal within 180 days after you receive this notice. You can appeal by mail or fax:

   Prairie Lantern Health Insurance Company
   Attn: Member Appeals
   Fax: 1-402-555-0134   Phone: 1-877-555-0135

Pharmacy Help Desk fax (prescriber use only): 1-402-555-0129
""")
    found = extraction.found["appeals_fax"]
    assert found.value == "(402) 555-0134" and found.certain


def test_codes_of_one_claim_among_several_are_marked():
    extraction = read("""Explanation of Benefits (EOB)
This is not a bill.

Claim 26-0811-330172   Hampton Roads Pain & Spine, PLLC
 Service date  Service                                 Code    Charged    Plan paid  Note
 07/29/2026    Office visit, established patient       99214   $246.00    $96.12     A

Claim 26-0822-341095   Hampton Roads Pain & Spine, PLLC
 Service date  Service                                 Code    Charged    Plan paid  Note
 08/05/2026    Injection, facet joint, lumbar          64493   $1,650.00  $0.00      B

NOTES
 B  Your provider did not get approval from the plan before giving you this service.
""")
    assert extraction.document.type.value == "eob_denied"
    assert not extraction.found["procedure_codes"].certain


def test_a_letter_whose_subject_is_a_peer_to_peer_offer_is_one_even_after_a_denial():
    extraction = read("""RE: Peer-to-Peer Review Opportunity
    Patient: Cassius Whitlock

Dear Dr. Reyes:

Blue Mesa Health Insurance Company issued an adverse determination on the prior authorization request above.
The reason for the decision is explained in the determination letter. You may request a peer-to-peer
conversation with the pharmacist who reviewed this request within 14 calendar days.
""")
    assert extraction.document.type.value == "peer_to_peer_offer"
    assert not extraction.document.certain  # it also speaks of a denial


def test_a_completed_redetermination_is_an_appeal_decision():
    kind = notice_kind.classify(notice_text.from_string("""REDETERMINATION NOTICE
Denial of Medicare Prescription Drug Coverage

We have completed our redetermination of your request for the drug listed above.
We have again denied your request.
""").lines)
    assert kind.type.value == "denial_appeal_decision"


def test_the_plan_a_claims_administrator_serves_is_not_the_insurer():
    extraction = read("""BRIDGEWELL HEALTH SERVICES, LLC
Claims Administrator - Tamarack Semiconductor Health & Welfare Plan

Dear Ms. Ostrowski:

The Level II Appeal Committee of the Tamarack Semiconductor Health & Welfare Plan reviewed your appeal.
""")
    insurer = extraction.found.get("insurer")
    assert insurer is None or "Tamarack" not in insurer.value


def test_an_external_reviews_time_limit_on_a_final_denial_is_kept_but_marked():
    extraction = read("""FINAL INTERNAL ADVERSE BENEFIT DETERMINATION

We have upheld the denial. This is the final decision of the Plan's internal appeal process.

External review. You may request external review by an Independent Review Organization. You must request
external review within 4 months after the date you receive this notice.
""")
    found = extraction.found["appeal_deadline"]
    assert found.value.months == 4 and not found.certain
    assert "external review" in found.why


def test_a_company_named_with_its_inc_in_a_sentence_is_read_whole():
    extraction = read("Dear Ms. Ruiz:\n\nWe denied the claim.\n\nTrinity Plains Administrators, Inc. provides claims "
                      "administration services to the Plan.\n")
    assert extraction.found["insurer"].value == "Trinity Plains Administrators, Inc."


def test_the_patients_own_benefits_number_beside_the_sponsors_and_a_subject_line_is_no_name():
    tricare = read("SPONSOR: FONTENOT-BRIGGS, MARCUS L           Sponsor DBN: 30291874408\n"
                   "PATIENT: FONTENOT-BRIGGS, ELIJAH R           Patient DBN: 30291874411\n")
    assert tricare.found["member_id"].value == "30291874411"
    subject = read("RE: FINAL ADVERSE BENEFIT DETERMINATION -- INTERNAL APPEAL DECISION\n\nMember ID: SRX448190277-00\n")
    assert "patient_name" not in subject.found


def test_codes_under_a_tables_codes_heading_come_from_every_row():
    extraction = read("""Ln  Proc   Mod  Description                Charge   Allowed  Plan Pd  Pt Resp  Codes
1   99214       Office visit, est pt      $245.00    $0.00    $0.00    $0.00   CO-97
2   20610  LT   Arthrocentesis/inj major  $310.00  $142.60  $114.08   $28.52   CO-45 PR-2
3   J3301       Triamcinolone 10 mg x4     $48.00   $11.20    $8.96    $2.24   CO-45 PR-2
    Totals                                $603.00  $153.80  $123.04   $30.76
""")
    codes = extraction.shown("procedure_codes")
    assert all(code in codes for code in ("99214", "20610", "J3301"))


def test_a_service_without_the_codes_dates_or_count_around_it():
    for written, service in (
            ("Service requested:  Spravato (esketamine) nasal spray, 84 mg per session, with\n"
             "                    in-office observation -- HCPCS S0013 x 84 units; G2083\n",
             "Spravato (esketamine) nasal spray, 84 mg per session, with in-office observation"),
            ("Service:            Continued Spravato (esketamine) maintenance treatment,\n"
             "                    weekly sessions, September 1 - November 30, 2026\n",
             "Continued Spravato (esketamine) maintenance treatment, weekly sessions"),
            ("What was asked for:  24 visits of outpatient physical therapy\n", "Outpatient physical therapy")):
        assert read("Acme Health Plan\nMember ID: W1234567\n" + written).shown("service") == service


def test_a_reason_heading_over_several_paragraphs_is_marked():
    extraction = read("""WHY WE MADE THIS DECISION

Spravato is covered under the Plan's medical benefit only when the Plan's clinical policy criteria are met.
A board-certified psychiatrist reviewed the records your doctor sent.

The plan's criteria require two antidepressant trials of at least 6 weeks. The records show one trial.

YOUR RIGHT TO APPEAL
""")
    quote = extraction.found["quote"]
    assert not quote.certain and "next paragraph" in quote.why


def test_where_to_send_an_external_review_or_a_case_forwarded_to_an_independent_reviewer_is_marked():
    forwarded = read("""We did not decide in your favor, so we have sent your case to the Independent Review Entity:

   Maximus Federal Services
   Medicare Managed Care & PACE Reconsideration Project
   3750 Monroe Avenue, Suite 702
   Pittsford, NY 14534-1302
""")
    address = forwarded.found.get("appeals_address")
    assert address is None or not address.certain
    final = read("""FINAL INTERNAL ADVERSE BENEFIT DETERMINATION
This is our final decision. You must request external review within 4 months after you receive this notice.
Send your request to: Arizona Department of Insurance, External Review, 100 N. 15th Avenue, Phoenix, AZ 85007
Fax: 866-555-0102
""")
    for key in ("appeals_fax", "appeals_address"):
        if key in final.found:
            assert not final.found[key].certain, key


def test_receipt_of_the_final_adverse_determination_is_a_decision_still_to_come():
    kind = notice_kind.classify(notice_text.from_string("""We have denied your claim for the MRI.

RIGHT TO EXTERNAL REVIEW. Upon exhaustion of the internal appeal process, you may request an external review
within 4 months after receipt of the final adverse determination.
""").lines)
    assert kind.type.value != "final_internal_denial"


def test_diagnoses_read_by_ocr_are_marked_since_a_lost_code_leaves_no_trace():
    scanned = notice_import.extract(notice_text.from_ocr([("Member ID: W1234567", 95.0),
                                                          ("Diagnosis: G47.33, E66.9", 96.0)], "scan.png"))
    typed = read("Member ID: W1234567\nDiagnosis: G47.33, E66.9\n")
    assert typed.found["diagnoses"].certain
    assert not scanned.found["diagnoses"].certain and "scan lost" in scanned.found["diagnoses"].why
