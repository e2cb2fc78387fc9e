"""Wordings and layouts of real notices the import reads (issue 29): form boxes, dot leaders, letterheads, services
and reasons in prose, EOB tables and their notes. Each a short notice and the fields read from it; a value guessed
from context, not read under a label, must come back marked for checking (`certain=False`)."""

from __future__ import annotations

import pytest

from appeal.cases.case import DenialReason, PlanType
from appeal.intake import notice_import, notice_text


def read(text: str) -> notice_import.Extraction:
    return notice_import.extract(notice_text.from_string(text))


def value(extraction: notice_import.Extraction, key: str) -> str:
    return extraction.shown(key)


def certain(extraction: notice_import.Extraction, key: str) -> bool:
    return extraction.found[key].certain


def test_form_boxes_are_read_under_their_headings():
    extraction = read("""ACME HEALTH INSURANCE COMPANY

DATE OF NOTICE                      REFERENCE NUMBER
11/02/2026                          UMX-2611-0042

MEMBER NAME                         MEMBER ID                 GROUP NUMBER
LARKSPUR, NINA                      ACM-5512-8800-02          G-7731

DATE OF BIRTH                       PLAN
02/14/1990                          Acme Choice EPO
""")
    assert value(extraction, "notice_date") == "2026-11-02"
    assert value(extraction, "reference") == "UMX-2611-0042"
    assert value(extraction, "patient_name") == "Nina Larkspur"
    assert value(extraction, "member_id") == "ACM-5512-8800-02"
    assert value(extraction, "group_number") == "G-7731"
    assert value(extraction, "date_of_birth") == "1990-02-14"
    assert value(extraction, "plan_name") == "Acme Choice EPO"


def test_dot_leaders_and_day_month_year_dates():
    extraction = read("""Statement date ........ 09/01/2026
Member ................ Otto Brandvold
Member ID ............. OBX-4410
Birth date ............ 3 MAR 1961
Plan .................. Fairway Silver 3000 HMO
Claim number .......... FW26-0001-77
""")
    assert value(extraction, "notice_date") == "2026-09-01"
    assert value(extraction, "patient_name") == "Otto Brandvold"
    assert value(extraction, "member_id") == "OBX-4410"
    assert value(extraction, "date_of_birth") == "1961-03-03"
    assert value(extraction, "plan_name") == "Fairway Silver 3000 HMO"
    assert value(extraction, "reference") == "FW26-0001-77"


def test_member_numbers_by_other_names():
    spaced = read("Claim Number: 88-1\nID No.:     QRS 120 448 901             Group No.: 7781\n")
    assert value(spaced, "member_id") == "QRS 120 448 901"
    program = read("Member name: Ada Quill\nSunnyCare ID: 4400123987\n")
    assert value(program, "member_id") == "4400123987" and not certain(program, "member_id")
    masked = read("Notice for Ada Quill\nMedicare Number XXXXXXX9ZT4\n")
    assert value(masked, "member_id") == "XXXXXXX9ZT4" and not certain(masked, "member_id")
    dbn = read("Sponsor SSN/DBN: XXXXX1234 / 30012345678\n")
    assert value(dbn, "member_id") == "30012345678"


def test_the_patient_not_the_employee_who_holds_the_plan():
    both = read("Participant: Hal Vintner              Participant ID: HV-001\n"
                "Patient: Rosa Vintner (daughter)       Patient DOB: 01/02/2010\n")
    assert value(both, "patient_name") == "Rosa Vintner"
    alone = read("PARTICIPANT: Hal Vintner           ID: HV-001\n")
    assert value(alone, "patient_name") == "Hal Vintner" and not certain(alone, "patient_name")


def test_words_in_brackets_after_a_plan_name_that_say_how_it_was_bought():
    bought = read("Plan: Prairie Select Bronze 6000 (HealthCare.gov)\n")
    assert value(bought, "plan_name") == "Prairie Select Bronze 6000" and not certain(bought, "plan_name")
    funded = read("Plan: Foundry Workers Health Plan (self-funded; Group 12-3456)\n")
    assert value(funded, "plan_name") == "Foundry Workers Health Plan"
    kind = read("Plan: Riverbend Senior Advantage (HMO)\n")
    assert value(kind, "plan_name") == "Riverbend Senior Advantage (HMO)" and certain(kind, "plan_name")


def test_plan_names_at_the_top_of_the_letter_are_marked():
    administrator = read("Tidewater Benefit Administrators\nClaims Administrator for the Harbor Pilots Health & Welfare Plan\n"
                         "12 Dock St, Norfolk, VA 23510\n")
    assert value(administrator, "plan_name") == "Harbor Pilots Health & Welfare Plan"
    assert not certain(administrator, "plan_name")
    drug_plan = read("Bluestem Senior Rx (PDP)\nA Medicare Prescription Drug Plan\n\nBluestem Senior Rx (PDP)\n")
    assert value(drug_plan, "plan_name") == "Bluestem Senior Rx (PDP)" and not certain(drug_plan, "plan_name")
    assert value(drug_plan, "insurer") == "Bluestem Senior Rx (PDP)"
    summary = read("Medicare Summary Notice for Part B (Medical Insurance)\n"
                   "The Official Summary of Your Medicare Claims from the Centers for Medicare & Medicaid Services\n")
    assert value(summary, "plan_name") == ""  # Part B is a part of Original Medicare, not a plan's name
    assert value(summary, "insurer") == "Centers for Medicare & Medicaid Services"


def test_a_document_title_is_not_the_insurer():
    extraction = read("TRICARE EXPLANATION OF BENEFITS\nThis is a statement of the action taken on your claim.\n\n"
                      "NORTHWIND MILITARY HEALTH SERVICES\nTRICARE North Region Claims\n")
    assert value(extraction, "insurer") == "NORTHWIND MILITARY HEALTH SERVICES"


def test_the_service_named_in_a_sentence_before_its_codes_is_marked():
    extraction = read("Dear Ms. Quill:\n\nWe have reviewed the precertification request from Dr. Lena Ortiz (NPI "
                      "1234567893) for\n\"spinal cord stimulator trial, 7 days\" (CPT 63650), received May 1, 2026.\n")
    assert value(extraction, "service") == "spinal cord stimulator trial, 7 days"
    assert not certain(extraction, "service")
    appeal = read("This is the decision on your appeal of the denial of hyperbaric oxygen therapy\n(CPT 99183) "
                  "for your wound.\n")
    assert value(appeal, "service") == "hyperbaric oxygen therapy"


def test_services_listed_below_a_sentence():
    extraction = read("We denied payment for the medical services listed below that you received.\n\n"
                      "   Sleep study, attended (95810)\n   Diagnosis: G47.33\n")
    assert value(extraction, "service") == "Sleep study, attended" and not certain(extraction, "service")
    assert value(extraction, "diagnoses") == "G47.33"


def test_an_eob_table_gives_the_denied_line_and_its_codes_marked():
    extraction = read("""Date      Service                                  Billed     Allowed   Plan paid  Status
07/01/26  Office visit, est., 25 min (99214)       $180.00    $120.00   $100.00    Paid
07/01/26  Allergy testing, 40 tests (95004)        $400.00    $0.00     $0.00      Denied

Notes
A  Denied. CO-197, N54. Allergy testing requires prior authorization, and none was on file.
""")
    assert value(extraction, "service") == "Allergy testing, 40 tests" and not certain(extraction, "service")
    # the codes from the denied line on, marked
    assert value(extraction, "procedure_codes") == "95004" and not certain(extraction, "procedure_codes")
    assert value(extraction, "quote") == "Allergy testing requires prior authorization, and none was on file."
    assert not certain(extraction, "quote")
    assert extraction.found["reason"].value == DenialReason.no_prior_authorization
    assert value(extraction, "adjustment_codes") == "CO-197, N54" and not certain(extraction, "adjustment_codes")


def test_reason_headings_real_notices_use():
    for heading in ("WHY", "Why did we deny your request?", "Explanation of the decision:", "Reason for this action:",
                    "Why 3 visits were not approved:"):
        extraction = read(f"Date: 05/05/2026\n\n{heading}\nThe records do not show that the visits are medically "
                          "necessary at this time.\n\nIf you disagree, you may appeal.\n")
        assert value(extraction, "quote").startswith("The records do not show"), heading
        assert extraction.found["reason"].value == DenialReason.not_medically_necessary


def test_a_reason_in_an_unlabelled_paragraph_is_marked():
    extraction = read("Dear Mr. Quill:\n\nWe received your request and reviewed it.\n\nWe are unable to approve this "
                      "request. The plan does not cover this\ntreatment because it is experimental or investigational "
                      "for your condition.\n\nIf you disagree with this decision, you may appeal.\n")
    assert value(extraction, "quote").startswith("The plan does not cover this treatment because it is experimental")
    assert not certain(extraction, "quote")
    assert extraction.found["reason"].value == DenialReason.experimental
    assert not certain(extraction, "reason")


def test_a_partial_approval_gives_the_reason_for_its_denied_part():
    extraction = read("We approved part of your request.\n\nApproved: 10 visits\nNot approved: 8 visits\n\n"
                      "Why part of the request was denied:\nThe plan covers these visits only after a trial of at least "
                      "two home exercise programs.\n")
    assert extraction.document.type.value == "partial_approval"
    assert extraction.found["reason"].value == DenialReason.step_therapy


def test_adjustment_codes_with_their_explanations_in_brackets():
    extraction = read("Remittance advice codes sent to the provider: CO-119 (Benefit maximum for this time period "
                      "has\nbeen reached), N362 (The number of units exceeds our maximum).\n")
    assert value(extraction, "adjustment_codes") == "CO-119, N362"


def test_an_appeal_address_run_into_a_sentence():
    extraction = read("If you disagree, you may ask us to reconsider. You must write to us within 6 months. Write to:\n"
                      "   Lakeview Benefit Plan, Attention: Reconsiderations, P.O. Box 4400,\n   Dover, DE 19901-4400.\n")
    assert value(extraction, "appeals_address") == "Lakeview Benefit Plan\nAttention: Reconsiderations\nP.O. Box 4400\n" \
                                                   "Dover, DE 19901-4400"
    mailed = read("If you disagree with this decision you can appeal within 180 days. Mail: Fairway Health, Appeals,\n"
                  "P.O. Box 100, Tampa, FL 33601.\n")
    assert value(mailed, "appeals_address") == "Fairway Health\nAppeals\nP.O. Box 100\nTampa, FL 33601"


def test_plan_type_cues_for_marketplaces_medicaid_and_insurers():
    assert read("Plan: Juniper Bronze (Washington Healthplanfinder)\n").found["plan_type"].value \
        == PlanType.individual_marketplace
    assert read("Harbor Health Plan\nServing KanCare members\n").found["plan_type"].value == PlanType.medicaid_managed_care
    insurer = read("Granite Health Insurance Company\nClaims Department\n").found["plan_type"]
    assert insurer.value == PlanType.employer_fully_insured and not insurer.certain
    lcd = read("Northern Medicare Services\nPart B Medicare Administrative Contractor\n\n"
               "Medicare covers this under its Local Coverage Determination (LCD).\n").found["plan_type"]
    assert lcd.value == PlanType.medicare_original


def test_plan_type_cues_for_a_state_letterhead_a_qualified_health_plan_and_a_medicare_plans_name():
    for letterhead in ("PRAIRIE REVIEW SERVICES, LLC\nPrior Authorization Contractor for Dakota Medicaid\n",
                       "WYOMING DEPARTMENT OF HEALTH\nDivision of Health Care Services -- Wyoming Medicaid\n"):
        state = read(letterhead + "\nMedicaid ID: 0004472198\n").found["plan_type"]
        assert state.value == PlanType.medicaid_ffs and not state.certain, letterhead
    plan = read("CEDAR HEALTH PLAN\nA Wyoming Medicaid Managed Care Plan\nWyoming Department of Health\n").found["plan_type"]
    assert plan.value == PlanType.medicaid_managed_care  # the plan's own letterhead, the state's logo beside it
    for text in ("GRANITE HEALTH INSURANCE COMPANY\n\nGranite Silver 3000 (HMO) is a qualified health plan sold through the "
                 "state's exchange.\n", "GRANITE HEALTH INSURANCE COMPANY\n\nPlan:   Granite Bronze Essential (EPO) - Individual\n"):
        assert read(text).found["plan_type"].value == PlanType.individual_marketplace, text
    labelled = read("Plan:   Granite Choice PPO - Individual\nYou may sue under ERISA Section 502(a).\n").found["plan_type"]
    assert labelled.value == PlanType.individual_marketplace and not labelled.certain  # an employee-only tier is so called too
    assert read("Plan year to date (individual, in network)   $500.00\n").found.get("plan_type") is None  # a deductible's column
    insured = read("Plan: Cedar Open Access (insured by Cedar Assurance Company)\nYou may sue under ERISA Section 502(a).\n")
    assert insured.found["plan_type"].value == PlanType.employer_fully_insured and not insured.found["plan_type"].certain
    advantage = read("ORCHARD HEALTH PLAN\nOrchard Medicare Complete (PPO)\n").found["plan_type"]
    assert advantage.value == PlanType.medicare_advantage


def test_an_eob_whose_lines_are_excluded_is_a_denied_eob_with_its_note_as_the_reason():
    extraction = read("""STATE HEALTH BENEFITS ADMINISTRATION                         EXPLANATION OF BENEFITS
                                                              THIS IS NOT A BILL
Processed: 08/12/2026
Subscriber: KAREN OYELA                      Subscriber ID: SHB-440912
Patient: MILES OYELA (son)                    Patient DOB: 05/05/2012

Service dates   Description                          Charged    Allowed   Paid     Remarks
07/30/2026      Speech therapy evaluation (92523)    $310.00    $0.00     $0.00    X4

Remarks
X4  CO-96: Speech therapy for a developmental delay is excluded under your plan's benefit terms.
""")
    assert extraction.document.type.value == "eob_denied"
    assert value(extraction, "patient_name") == "Miles Oyela"
    assert value(extraction, "notice_date") == "2026-08-12"
    assert value(extraction, "service") == "Speech therapy evaluation"
    assert value(extraction, "quote") == "Speech therapy for a developmental delay is excluded under your plan's benefit terms."
    assert extraction.found["reason"].value == DenialReason.benefit_exclusion
    assert value(extraction, "adjustment_codes") == "CO-96"


def test_an_article_before_the_service_is_left_out():
    extraction = read("We reviewed your doctor's request for coverage of an MRI of the left knee (CPT 73721).\n")
    assert value(extraction, "service") == "MRI of the left knee"


def test_the_services_listed_below_that_you_requested():
    extraction = read("We denied the medical services/items listed below that you or your physician requested:\n"
                      "Home health aide visits, 3 per week for 8 weeks\n")
    assert value(extraction, "service") == "Home health aide visits, 3 per week for 8 weeks"


def test_a_group_number_in_brackets_after_the_employer():
    extraction = read("Group: Alder Creek Tooling LLC (7741-09)\n")
    assert value(extraction, "group_number") == "7741-09" and not certain(extraction, "group_number")


def test_patient_names_after_a_greeting_a_rank_a_guardian_label_or_beside_a_column():
    assert value(read("Dear Darnell Okafor:\n"), "patient_name") == "Darnell Okafor"
    assert value(read("Beneficiary: SGT (Ret) Marcus D. Holloway\n"), "patient_name") == "Marcus D. Holloway"
    assert value(read("To the parent/guardian of:\n  Elijah Thibodeaux          Medicaid ID:   7700392158\n"),
                 "patient_name") == "Elijah Thibodeaux"
    mailed = read("""EOB Date: March 2, 2026

Benita Solis-Garza                     Subscriber ID   LSH300922815
1207 Ocean Dr, Apt 5                   GRP             118830
Corpus Christi, TX 78404               Claim Number    26046-TX-0091183
""")
    assert value(mailed, "patient_name") == "Benita Solis-Garza" and not certain(mailed, "patient_name")


def test_a_plans_name_on_a_letterhead_line_is_read_and_marked():
    for letterhead, name in (("HARBORLIGHT HEALTH COOPERATIVE\nHarborlight Gold 1500 PPO (Covered California)\n",
                              "Harborlight Gold 1500 PPO"),
                             ("STATE OF NEW MEXICO\nFee-for-Service Medicaid Program\n", "Fee-for-Service Medicaid Program"),
                             ("LAKESHORE BENEFIT SERVICES\n  Third-Party Administrator for the Halvorsen Manufacturing\n"
                              "  Employee Health Benefit Plan (self-funded)\n",
                              "Halvorsen Manufacturing Employee Health Benefit Plan")):
        extraction = read(letterhead + "\nDear Ana Ruiz:\n")
        assert value(extraction, "plan_name") == name and not certain(extraction, "plan_name")
    tagline = read("Golden Valley Health Partners\nA Medi-Cal Managed Care Health Plan\n\nDear Ana Ruiz:\n")
    assert value(tagline, "plan_name") != "A Medi-Cal Managed Care Health Plan"


def test_a_plans_name_before_the_program_it_belongs_to_is_read_and_marked():
    for letterhead, name in (("CEDARBROOK HEALTH PLAN OF IOWA\nCedarbrook Senior Choice (PPO) - Medicare Advantage\n",
                              "Cedarbrook Senior Choice (PPO)"),
                             ("QUARRY HILL HEALTH, INC.\nQuarry Hill Alliance HMO - Federal Employees Health Benefits Program\n",
                              "Quarry Hill Alliance HMO"),
                             ("MESA VERDE HEALTH PLAN OF UTAH, INC.\nMesa Verde Medicaid Care \u2013 Utah Medicaid Managed Care\n",
                              "Mesa Verde Medicaid Care"),
                             # an FEHB option under its plan's name is part of the name, the program after it is not
                             ("GRANITE STATE EMPLOYEES BENEFIT PLAN\nHigh Option -- Federal Employees Health Benefits Program\n",
                              "Granite State Employees Benefit Plan High Option"),
                             # a Medicaid plan's letterhead over a line that says it is a managed care organization
                             ("PINEWOOD COMMUNITY PLAN\nA Georgia Medicaid Managed Care Organization\n", "Pinewood Community Plan"),
                             ("OZARK FAMILY HEALTHCHOICES PLAN\nMissouri Medical Assistance - Physical Health MCO\n",
                              "Ozark Family Healthchoices Plan"),
                             # a letter from the state or its contractor: the state's Medicaid program
                             ("PRAIRIE REVIEW SERVICES, LLC\nPrior Authorization Contractor for Dakota Medicaid\n",
                              "Dakota Medicaid"),
                             ("STATE OF WYOMING\nDEPARTMENT OF HEALTH\nWyoming Health Programs (Medicaid) -- Prior "
                              "Authorization Unit\n", "Wyoming Health Programs (Medicaid)")):
        extraction = read(letterhead + "\nDear Ana Ruiz:\n")
        assert value(extraction, "plan_name") == name and not certain(extraction, "plan_name"), letterhead
    tagged = read("Harbor Point Health Plan\nHarbor Point Silver 2500 HMO - Individual & Family\n\nDear Ana Ruiz:\n")
    assert value(tagged, "plan_name") == "Harbor Point Silver 2500 HMO - Individual & Family"  # a short tag, as printed
    tricare = read("Plan:    TRICARE Select (Group B)\n")  # TRICARE's enrollment group, not part of the plan's name
    assert value(tricare, "plan_name") == "TRICARE Select" and not certain(tricare, "plan_name")


def test_the_company_that_runs_the_plan_named_at_the_top_is_the_insurer_marked():
    for letterhead, insurer in (
            # a TRICARE region's contractor, beside the region or under it; an office of it is no contractor
            ("TRICARE EXPLANATION OF BENEFITS\nTRICARE North Region -- Lakeside Military Health\nClaims processed by "
             "Sample Claims, LLC\n", "Lakeside Military Health"),
            ("TRICARE West Region                 Claims Processing\nCanyon Federal Health Services\n", "Canyon Federal Health Services"),
            ("TRICARE East Region\nAdministered by Harbor Federal Health Services\n", "Harbor Federal Health Services"),
            ("BAYSIDE MILITARY HEALTH SERVICES\nTRICARE East Region - Medical Management\n", "BAYSIDE MILITARY HEALTH SERVICES"),
            # an administrator named under a plan's name, or before the plan it administers
            ("PINE STATE BENEFIT PLAN\nStandard Option -- Federal Employees Health Benefits Program\nClaims administered by "
             "Granite Claims Services, Inc.\n", "Granite Claims Services, Inc."),
            ("Your Explanation of Benefits\nLAKEVIEW HEALTH PLAN SERVICES  -  administrator of the\nOrchard Foods Group Health "
             "Plan\n", "LAKEVIEW HEALTH PLAN SERVICES"),
            # a Medicare plan's name over the company offering it
            ("CEDAR SENIOR ADVANTAGE (HMO)          Offered by Cedar Health Partners, Inc.\n", "Cedar Health Partners, Inc."),
            ("Aspen Vista Medicare Plus (PPO)\nAspen Vista Health Plan, Inc.\nP.O. Box 9, Boise, ID 83701\n",
             "Aspen Vista Health Plan, Inc."),
            ("Juniper Rx (PDP)\nJuniper Prescription Insurance Company  |  Medicare Part D Prescription Drug Plan\n",
             "Juniper Prescription Insurance Company")):
        extraction = read(letterhead + "\nDear Ana Ruiz:\n")
        assert value(extraction, "insurer") == insurer and not certain(extraction, "insurer"), letterhead
    footer = read("BRIARWOOD RX PLUS (PDP)\nCoverage Determinations Unit\n\nWe denied your request.\n\nBriarwood Rx Plus "
                  "(PDP) is a Medicare drug plan\ncontract offered by Briarwood Insurance Company. Enrollment depends on\n"
                  "contract renewal.\n")
    assert value(footer, "insurer") == "Briarwood Insurance Company" and not certain(footer, "insurer")
    contract = read("Harbor Senior Rx (PDP)\nMedicare Part D Appeals\n\nWe denied your request.\n\nHarbor Senior Rx is a "
                    "PDP plan with a Medicare contract.\n")
    assert value(contract, "insurer") == "Harbor Senior Rx" and not certain(contract, "insurer")
    summary = read("Medicare Summary Notice for Part B (Medical Insurance)\n\nThe Official Summary of Your Medicare Claims "
                   "from the Centers for Medicare &\nMedicaid Services\n\nJANE Q SAMPLE\n")
    assert value(summary, "insurer") == "Medicare" and not certain(summary, "insurer")  # not the wrapped 'Medicaid Services'


def test_what_the_person_asked_the_plan_to_approve_or_pay_for_is_the_service():
    extraction = read("Your surgeon asked us to approve a laparoscopic sleeve gastrectomy (CPT 43775) for you.\n")
    assert value(extraction, "service") == "laparoscopic sleeve gastrectomy" and not certain(extraction, "service")
    paid = read("You asked us to pay for physical therapy visits on June 15, 2026 and June 22, 2026 (procedure codes "
                "97110, 97140).\n")
    assert value(paid, "service") == "physical therapy visits"


def test_reasons_said_as_doesnt_pay_for_or_cannot_be_billed():
    excluded = read("Notes for Claims Above\nB  Medicare doesn't pay for presbyopia-correcting intraocular lenses.\n")
    assert value(excluded, "reason") == DenialReason.benefit_exclusion.value
    coded = read("Why we denied this claim: Codes 93797 and 93798 cannot be billed for the same session.\n")
    assert value(coded, "reason") == DenialReason.coding_billing.value
    necessary = read("Why we denied it: Medicare does not pay for services that are not reasonable and necessary.\n")
    assert value(necessary, "reason") == DenialReason.not_medically_necessary.value


def test_an_employer_group_or_an_insurance_co_is_an_insured_employer_plan_marked():
    for text in ("Member #: GSM-204417795       Group #: NH-00318\n", "LONE STAR HERITAGE HEALTH INSURANCE CO.\n"):
        extraction = read(text)
        assert value(extraction, "plan_type") == PlanType.employer_fully_insured.value
        assert not certain(extraction, "plan_type")


def test_an_eobs_date_label_gives_the_notice_date():
    assert value(read("EOB Date: March 2, 2026\n"), "notice_date") == "2026-03-02"


def test_a_drugs_ndc_is_not_part_of_its_name_and_a_column_heading_is_no_service():
    drug = read("Acme Health Plan\nMember ID: W1234567\nMedication: Ozempic (semaglutide) 1 mg/dose pen, NDC 0169-4132-12\n")
    assert drug.shown("service") == "Ozempic (semaglutide) 1 mg/dose pen"
    table = read("Acme Health Plan\nMember ID: W1234567\nService:\n  Service                 Code     Units\n"
                        "  Transcranial magnetic stimulation (TMS)   90867   1\n")
    assert table.shown("service") != "Service"


def test_a_tables_service_cell_is_read_with_the_words_that_wrap_under_it():
    eob = read("""Granite Mutual Health            EXPLANATION OF BENEFITS
Member ID: GM4471902

Date(s) of   Service description                Code    Billed     Plan paid  Remark
-----------  ---------------------------------  ------- ---------- ---------- ------
07/06-07/17  Psychiatric intensive outpatient   S9480   $4,200.00  $0.00      CO-197
             program, per diem (10 days)
Diagnosis: F32.1
""")
    assert eob.shown("service") == "Psychiatric intensive outpatient program, per diem (10 days)"
    assert not certain(eob, "service")
    msn = read("""Medicare Summary Notice for Part B (Medical Insurance)

Service Approved?   Amount Provider   Medicare-Approved   Medicare   You May Be
                    Charged           Amount              Paid       Billed
May 6, 2026
  Psychotherapy, 60 minutes (90837)
            Yes     $210.00           $183.55             $146.84    $36.71
""")
    assert msn.shown("service") == "Psychotherapy, 60 minutes"
    ruled = read("""Keystone Kids Health Plan
Member ID: KK-5520

   Service                           Requested       Approved       Denied
   -------------------------------   -------------   ------------   ---------
   Physical therapy visits           24 visits       12 visits      12 visits
""")
    assert ruled.shown("service") == "Physical therapy visits"


def test_services_billed_listed_code_first_give_the_service_and_codes_marked():
    extraction = read("""Summit Benefit Administrators
Member ID: SB-99120
Services billed
  96365  IV infusion, therapy, initial, up to 1 hour       x6
  J3490  Unclassified drug (ketamine HCl)                  x6
Diagnoses: F43.12
""")
    assert extraction.shown("service") == "IV infusion, therapy, initial, up to 1 hour"
    assert not certain(extraction, "service") and not certain(extraction, "procedure_codes")
    assert "96365" in extraction.shown("procedure_codes") and "J3490" in extraction.shown("procedure_codes")


def test_a_service_without_its_request_words_and_its_code():
    asked = read("Acme Health Plan\nMember ID: W1234567\nService requested: prior approval for esketamine nasal spray "
                 "treatments\n")
    assert asked.shown("service") == "esketamine nasal spray treatments"
    coded = read("Acme Health Plan\nMember ID: W1234567\nItem: Ext amb infusion pump insulin E0784\n")
    assert coded.shown("service") == "Ext amb infusion pump insulin"


def test_a_plan_name_printed_at_the_foot_of_the_letter_is_read_marked():
    for foot, name in (("Magnolia Select HMO                         Espanol: llame al 1-800-555-0119.", "Magnolia Select HMO"),
                       ("Prairie Line Choice PPO - insured by Prairie Line Health Insurance Co.", "Prairie Line Choice PPO"),
                       ("NorthStar Silver 3500 (Individual) - Offered through MNsure", "NorthStar Silver 3500 (Individual)"),
                       ("Columbia Postal & Federal Health Plan - Basic Option, an FEHB plan.", "Basic Option")):
        extraction = read(f"Dear Ana Ruiz:\n\nWe reviewed your request and we are denying it.\n\nSincerely,\nAppeals Unit\n\n{foot}\n"
                          "                                          Page 2 of 2\n")
        assert extraction.shown("plan_name") == name, foot
        assert not certain(extraction, "plan_name")
    company = read("Dear Ana Ruiz:\n\nWe are denying it.\n\nSincerely,\nChesapeake Federal Employees Benefit Association\n")
    assert "plan_name" not in company.found  # a company's name is no plan's name


def test_more_headings_and_wordings_of_the_plans_reason():
    decided = read("""NOTICE OF DECISION
Recipient Name: Wendell Kuykendall

WHY WE DECIDED THIS
The home health aide visits requested are more than what is medically necessary.
Your assessment shows you can now dress yourself with set-up help.

YOUR RIGHT TO APPEAL
""")
    assert decided.shown("quote").startswith("The home health aide visits requested")
    assert decided.found["reason"].value is DenialReason.not_medically_necessary
    means = read("""EXPLANATION OF BENEFITS
Remark code explanations
CO-197  Precertification/authorization/notification/pre-treatment absent.

What this means
Intensive outpatient services need prior approval from Granite State Mutual before they start. We have no
approval on file for these dates, so these services were denied. Because this provider is in our network, you
are not responsible for these charges.
""")
    assert means.shown("quote") == ("Intensive outpatient services need prior approval from Granite State Mutual before they "
                                    "start. We have no approval on file for these dates, so these services were denied.")
    assert means.found["reason"].value is DenialReason.no_prior_authorization
    records = read("Dear Ana Ruiz:\n\nWe denied the claim. We did not receive documentation of a genetics evaluation. "
                   "Without these records we cannot approve the test.\n")
    assert records.found["reason"].value is DenialReason.insufficient_documentation
    limit = read("Dear Ana Ruiz:\n\nWe upheld the denial. Your plan covers up to 20 rehabilitation visits each calendar "
                 "year. Our records show 20 visits, so the visits on June 15 exceed the annual visit limit.\n")
    assert limit.shown("quote").startswith("Your plan covers up to 20")
    assert limit.found["reason"].value is DenialReason.benefit_exclusion


def test_a_criterion_stated_in_prose_starts_the_reason_and_pointers_end_it():
    criterion = read("""Dear Luis Ferreira:

A physician reviewer made this decision using the Bluewater Imaging Guidelines.
Imaging of the low back is approved after at least six weeks of conservative care. The notes we received
show three weeks of symptoms and no physical therapy yet.
""")
    assert criterion.shown("quote").startswith("Imaging of the low back is approved after")
    assert criterion.found["reason"].value is DenialReason.not_medically_necessary
    pointer = read("""Dear Ana Ruiz:

We are denying this request. Surgery for weight loss is excluded under your plan. See "Services Your Plan Does
Not Cover," item 31, in your Evidence of Coverage. This decision is based on your plan's benefits.
""")
    assert pointer.shown("quote") == "Surgery for weight loss is excluded under your plan."
    reviewer = read("""Dear Ana Ruiz:

TRICARE covers Spravato for treatment-resistant depression when it is used with an oral antidepressant. The
information provided shows no oral antidepressant is planned. A physician reviewer board-certified in
psychiatry reviewed this request against the TRICARE Policy Manual.
""")
    assert reviewer.shown("quote").endswith("no oral antidepressant is planned.")
    assert reviewer.found["reason"].value is DenialReason.not_medically_necessary


def test_a_peer_to_peer_offer_gives_the_reviewers_concern_only_under_its_label():
    offer = read("""Dear Dr. Nakamura:

Our physician reviewer is not able to approve the request based on the information we received. Before a final
decision is made, we are offering you the chance to discuss the case with the reviewer.

The reviewer's concern: Continuation ECT is approved when the member has a history of relapse when ECT was
stopped. The records do not describe a prior relapse.

To schedule a peer-to-peer discussion, call 1-888-555-0127.
""")
    assert offer.document.type.value == "peer_to_peer_offer"
    assert offer.shown("quote").startswith("Continuation ECT is approved when")
    unlabelled = read("""SUBJECT: Pending Medical Necessity Review - Peer-to-Peer Available

Dear Dr. Nakamura:

Before a final decision is made, we are offering you a peer-to-peer discussion with the reviewer. Call
1-888-555-0127 to schedule it.
""")
    assert unlabelled.document.type.value == "peer_to_peer_offer"
    assert "quote" not in unlabelled.found and "reason" not in unlabelled.found


def test_the_service_set_apart_under_its_sentence_is_read_with_the_codes_of_its_lines():
    extraction = read("""We have finished reviewing your appeal of our denial of:

     Hospital bed, semi-electric, with mattress (E0260)
     Pressure reducing mattress overlay (E0277)

The denial is upheld.
""")
    assert value(extraction, "service") == "Hospital bed, semi-electric, with mattress"
    assert value(extraction, "procedure_codes") == "E0260, E0277"
    assert not certain(extraction, "service") and not certain(extraction, "procedure_codes")


def test_a_sentence_ending_in_a_colon_with_nothing_set_apart_under_it_names_no_service():
    extraction = read("""Your request for coverage of:
Call us at 1-800-555-0100 if you have questions.
""")
    assert "service" not in extraction.found


def test_a_medication_requested_label():
    extraction = read("""Medication requested: Wegovy (semaglutide) 2.4 mg/0.75 mL pen
NDC 0169-4524-14
""")
    assert value(extraction, "service") == "Wegovy (semaglutide) 2.4 mg/0.75 mL pen"


def test_table_rows_without_dollar_signs_dates_or_codes_in_their_own_cells():
    procedure_column = read("""Service date  Procedure                                   Billed   Allowed  Paid
04/21/2026    97140 Manual therapy techniques, 2 units   $168.00  $0.00    $0.00
""")
    assert value(procedure_column, "service") == "Manual therapy techniques, 2 units"
    decided = read("""  Requested                                   Codes            Decision
  Acute course ECT, 12 treatments             90870, 00104     APPROVED
  Maintenance ECT, 8 treatments               90870, 00104     DENIED
""")
    assert value(decided, "service") == "Maintenance ECT, 8 treatments"  # the denied line, not run into the other
    bare_amounts = read("""Services provided                      Amount    TRICARE    Paid by   Your
19 Sep 2026  ER visit, high severity  1,045.00    186.32    134.32    52.00
             (99284-25)
""")
    assert value(bare_amounts, "service") == "ER visit, high severity"
    assert "99284" in value(bare_amounts, "procedure_codes")
    assert not certain(bare_amounts, "service")


def test_a_drug_request_goes_by_its_ndc_when_no_procedure_code_is_printed():
    extraction = read("""Drug: Ozempic (semaglutide) 1 mg/dose pen, NDC 0169-4132-12
Prescriber: Obadiah Tsang, MD
""")
    assert value(extraction, "procedure_codes") == "0169-4132-12"
    assert certain(extraction, "procedure_codes")
    assert value(extraction, "service") == "Ozempic (semaglutide) 1 mg/dose pen"
    two = read("Drug: Humira pen, NDC 0074-0554-02\nAlternative offered: Hyrimoz pen, NDC 61314-0454-02\n")
    assert value(two, "procedure_codes") == "0074-0554-02, 61314-0454-02" and not certain(two, "procedure_codes")


def test_the_plans_reason_ends_before_what_the_person_owes_or_what_the_provider_may_send():
    notes = read("""Notes for Claims Above
A  Medicare does not pay for this item because the documentation does not
   show that it is medically necessary. This supplier accepts assignment, so
   you do not owe for this item.
""")
    assert value(notes, "quote") == ("Medicare does not pay for this item because the documentation does not show that "
                                     "it is medically necessary.")
    labelled = read("""Specific reason for determination. Benefits for MRI are subject to precertification.
No precertification was requested. Claim adjustment reason code 197 applies. Because the service was
rendered by a participating provider, the Insured is not liable for the amount denied.
""")
    assert value(labelled, "quote") == ("Benefits for MRI are subject to precertification. No precertification was "
                                        "requested.")
    assert value(labelled, "reason") == DenialReason.no_prior_authorization.value
    remark = read("""Remarks
CO-50  Denied - not medically necessary. Because group code "CO" applies, your network provider may not bill
       you for these lines.
""")
    assert value(remark, "quote") == "Denied - not medically necessary."


def test_a_long_labelled_reason_is_marked_to_check_where_it_ends():
    extraction = read("""Basis for denial. TRICARE does not cover cosmetic surgery. The tests show an 8 degree gain.
Upper eyelid surgery is functional when the gain is 12 degrees. This standard was not met. The surgery is excluded.
""")
    assert value(extraction, "quote").startswith("TRICARE does not cover cosmetic surgery.")
    assert not certain(extraction, "quote")


def test_an_office_visit_bundled_into_a_procedure_is_a_billing_reason():
    extraction = read("""Dear Member:

Line 1 was denied. The office visit (99214) was billed on the same date as a joint injection (20610) by the
same provider. An office visit on the day of a minor procedure is included in the payment for the procedure
unless it is billed with modifier 25.
""")
    assert "included in the payment" in value(extraction, "quote")
    assert value(extraction, "reason") == DenialReason.coding_billing.value


@pytest.mark.parametrize("sentence, reason", [
    ("Benefits are denied because prior approval was not obtained.", DenialReason.no_prior_authorization),
    ("We cannot approve it because there is no documentation of your response to the first course.",
     DenialReason.insufficient_documentation),
    ("The records submitted with your appeal do not include a baseline score.", DenialReason.insufficient_documentation),
    ("Medicare Part D law does not allow plans to cover drugs when used for weight loss.", DenialReason.benefit_exclusion),
    ("Payment adjusted because the information submitted does not support this many services.",
     DenialReason.not_medically_necessary),
    ("The record does not show symptoms that could not be managed in the home setting.", DenialReason.not_medically_necessary),
    ("The premiums were not paid by the end of the grace period, so your coverage ended on March 31.", DenialReason.other),
])
def test_kinds_of_reason_told_from_the_plans_words(sentence, reason):
    extraction = read(f"Reason for denial: {sentence}\n")
    assert value(extraction, "reason") == reason.value


@pytest.mark.parametrize("sentence", [
    "The available peer-reviewed literature is insufficient to establish the long-term safety and efficacy of this "
    "treatment for this indication.",
    "There is insufficient published evidence that it improves health outcomes.",
    "Published studies are insufficient to show a lasting benefit.",
])
def test_evidence_called_insufficient_is_no_request_for_records(sentence):
    """The plan calling the published evidence insufficient says the treatment is unproven; read as 'insufficient
    documentation', the letter answered a request for records nobody made ('The documentation is now complete')."""
    extraction = read(f"Reason for denial: The requested service is considered experimental/investigational. {sentence}\n")
    assert value(extraction, "reason") == DenialReason.experimental.value
    assert DenialReason.insufficient_documentation not in extraction.other_reasons


def test_evidence_called_insufficient_across_a_line_break_is_no_request_for_records():
    extraction = read("""Reason for decision:
The requested service, intravenous ketamine infusion for the treatment of chronic
pain, including complex regional pain syndrome, is considered experimental/
investigational under Medical Policy MP-2.041. The available peer-reviewed literature is
insufficient to establish the long-term safety and efficacy of this treatment for
this indication. Your plan's Evidence of Coverage excludes services that are
experimental or investigational (Section 7, Exclusions).
""")
    assert value(extraction, "reason") == DenialReason.experimental.value
    assert extraction.other_reasons == [DenialReason.benefit_exclusion]


def test_a_diagnosis_list_running_on_to_the_next_line():
    extraction = read("""Your doctor asked us to approve an admission. Diagnoses on the request: I63.512,
G81.91, R47.01.
""")
    assert value(extraction, "diagnoses") == "I63.512, G81.91, R47.01"


@pytest.mark.parametrize("sentence, service", [
    ("We denied the admission to an inpatient rehabilitation facility at Mercy Ridge Hospital that your doctor requested.",
     "admission to an inpatient rehabilitation facility"),
    ("You asked us to reconsider our decision not to pay for Mohs micrographic surgery on your nose that you received.",
     "Mohs micrographic surgery"),
    ("Your provider asked us to approve 6 sessions of IV ketamine infusion treatment at Crescent City Wellness.",
     "IV ketamine infusion treatment"),
    ("Medicare will not pay for the transcranial magnetic stimulation sessions you received from August 3.",
     "transcranial magnetic stimulation sessions"),
    ("The appeal concerns the request by Leah Stein, MD (NPI 1401878016) for Remicade (infliximab) infusions every 8 weeks "
     "for Crohn's disease.", "Remicade (infliximab) infusions every 8 weeks"),
])
def test_the_care_named_in_the_sentence_that_says_what_was_decided(sentence, service):
    extraction = read(f"Dear Member:\n\n{sentence}\n")
    assert value(extraction, "service") == service
    assert not certain(extraction, "service")


def test_a_decision_about_the_request_itself_names_no_care():
    extraction = read("Dear Member:\n\nWe denied your request. Medicare will not pay for the claim.\n")
    assert "service" not in extraction.found


@pytest.mark.parametrize("block, codes", [
    ("Service:            Continued Spravato maintenance treatment,\n                    weekly sessions\n"
     "                    (S0013; G2082)\nDiagnosis:          F32.2\n", "G2082, S0013"),
    ("Item requested:    Continuous glucose monitor and supplies\n                   E2103 -- CGM receiver, quantity 1\n"
     "                   A4239 -- CGM supply allowance, 1 month\n", "A4239, E2103"),
    ("Service requested:  Outpatient physical therapy, 24 visits\n                    (97110 therapeutic exercise, 97112 "
     "neuromuscular\n                    re-education, 97140 manual therapy)\n", "97110, 97112, 97140"),
    ("Item:                    Knee orthosis, custom fitted, right knee\n                         (L1843-KX-RT)\n", "L1843"),
])
def test_codes_printed_in_the_lines_of_a_labelled_service(block, codes):
    extraction = read(block)
    assert ", ".join(sorted(value(extraction, "procedure_codes").split(", "))) == codes
    assert "(" not in value(extraction, "service")  # the codes and their names are not part of the service's name


def test_table_headings_indented_by_one_space_or_split_over_two_lines():
    indented = read(""" Service                                    Code     Units approved   Dates
 ------------------------------------------ -------- ---------------- -----------------------
 TMS, initial motor threshold/treatment      90867    1                05/11/2026 - 07/10/2026
""")
    assert value(indented, "service") == "TMS, initial motor threshold/treatment"
    split = read("""Service Provided &                Service   Amount     Medicare   Medicare
Billing Code                      Approved? Supplier   Approved   Paid
--------------------------------  --------  ---------  ---------  --------
Continuous glucose monitor        NO          $778.50      $0.00     $0.00
""")
    assert value(split, "service") == "Continuous glucose monitor"
    dated = read("""Service  Description                            Amount   Plan
date                                            billed   paid
03/10/26 PT evaluation, low complexity (97161)  $210.00  $116.00
""")
    assert value(dated, "service") == "PT evaluation, low complexity"


@pytest.mark.parametrize("subject, service", [
    ("Re: Mounjaro (tirzepatide) 5 mg/0.5 mL pen - prior authorization request", "Mounjaro (tirzepatide) 5 mg/0.5 mL pen"),
    ("Re: First-level appeal - inpatient rehabilitation facility admission", "inpatient rehabilitation facility admission"),
    ("  RE: Electroconvulsive therapy (ECT), 12 treatments, at Delta Neuropsychiatric\n      Institute (NPI 1194875740)",
     "Electroconvulsive therapy (ECT), 12 treatments"),
    ("RE: Notice of Adverse Benefit Determination - Pre-Service Request", None),
    ("Re:  Reconsideration No. RC-2026-118804", None),
])
def test_the_care_named_in_the_subject_line(subject, service):
    extraction = read(f"{subject}\n\nDear Member:\n\nWe looked at everything again.\n")
    if service is None:
        assert "service" not in extraction.found
    else:
        assert value(extraction, "service") == service and not certain(extraction, "service")

# ---- where an appeal goes: the fax

def test_an_offices_fax_for_other_mail_is_not_the_appeals_fax():
    claims_only = read("""ACME HEALTH INSURANCE COMPANY
Member Services: 1-800-555-0120        Claims fax: 408-555-0121

We denied your claim. You may ask for an internal appeal within 180 days of this notice.
""")
    assert "appeals_fax" not in claims_only.found
    long_form = read("""ACME HEALTH INSURANCE COMPANY
Claims Correspondence Fax: 312-555-0126     Member Services: 1-800-555-0118

We denied your claim. You may ask for a review within 180 days. Requests for review shall be directed to:

    Acme Health Insurance Company
    Member Grievance and Appeals
    P.O. Box 80531
    Chicago, IL 60680-0531
    Facsimile: 312-555-0177
""")
    assert long_form.shown("appeals_fax") == "(312) 555-0177" and certain(long_form, "appeals_fax")


def test_a_phone_before_the_word_fax_in_another_sentence_is_no_fax():
    extraction = read("""We upheld the denial. You may ask for an external review within 4 months.
Call Member Services at 1-866-555-0102. The Member Services fax number at the top
of this letter is for general correspondence only.
""")
    assert "appeals_fax" not in extraction.found


def test_the_fax_beside_the_appeal_instructions_before_the_letterheads():
    extraction = read("""ACME MUTUAL INSURANCE COMPANY
Appeals and Grievances Department
One Mutual Plaza | Grand Rapids, MI 49503 | Fax 616-555-0160

September 14, 2026

We upheld our decision. You may ask for a second-level appeal within 60 days. Mail your request to
the address above or fax it to 616-555-0161.
""")
    assert extraction.shown("appeals_fax") == "(616) 555-0161"
    assert not certain(extraction, "appeals_fax")  # two faxes beside words about an appeal: the letterhead's may be it


def test_an_approval_has_no_appeals_fax_unless_beside_appeal_words():
    extraction = read("""ACME HEALTH PLAN
Utilization Review Fax 1-800-555-0183

NOTICE OF APPROVAL
We approved your request for 12 sessions of physical therapy.
""")
    assert extraction.document.type.value == "approval"
    assert "appeals_fax" not in extraction.found


# ---- where an appeal goes: the address

def test_an_address_block_named_for_appeals_by_its_attn_line():
    extraction = read("""ACME HEALTH PLAN
100 Main Street, Springfield, IL 62701

We denied your request. You may request a reconsideration of this decision. Your request must be postmarked
or received within 90 days of the date of this letter.

   Acme Health Plan
   Attn: Reconsiderations / Appeals
   PO Box 42049
   Phoenix, AZ 85080-2049
   Appeals Fax: 1-877-555-0125
""")
    assert extraction.shown("appeals_address") == "Acme Health Plan\nAttn: Reconsiderations / Appeals\nPO Box 42049\nPhoenix, AZ 85080-2049"
    assert certain(extraction, "appeals_address")


def test_an_address_after_a_label_on_the_blocks_first_line_and_one_beside_another_column():
    labelled = read("""ACME RX PLAN (PDP)
PO Box 1, Kansas City, MO 64108

We denied your request for this drug.

How to ask for a redetermination
Write to:  Acme Insurance Company
           Attn: Part D Redeterminations
           PO Box 66245
           Kansas City, MO 64108-6245
Fax:       1-816-555-0155
""")
    assert labelled.shown("appeals_address") == ("Acme Insurance Company\nAttn: Part D Redeterminations\nPO Box 66245\n"
                                                  "Kansas City, MO 64108-6245")
    columns = read("""ACME HEALTH INSURANCE COMPANY                 Explanation of Benefits
1 Liberty Place, Philadelphia, PA 19103       Date: 09/09/2026

  You may appeal this decision within 180 days.

  Mail appeals to:                            Or fax:
  Acme Health Insurance Company               Appeals fax  215-555-0114
  Attn: Member Appeals                        (Member services fax 215-555-0115
  P.O. Box 13390                              is not for appeals.)
  Philadelphia, PA 19101-3390
""")
    assert columns.shown("appeals_address") == ("Acme Health Insurance Company\nAttn: Member Appeals\nP.O. Box 13390\n"
                                                 "Philadelphia, PA 19101-3390")
    assert columns.shown("appeals_fax") == "(215) 555-0114"


def test_an_address_run_on_after_the_appeal_sentence_and_the_address_above():
    run_on = read("""Your Explanation of Benefits
If you disagree with how this claim was processed, you may appeal within 180
days. Acme Health Plan Services, Attn: Appeals, PO Box 21907, Omaha, NE
68102. Fax 402-555-0147.
""")
    assert run_on.shown("appeals_address") == "Acme Health Plan Services\nAttn: Appeals\nPO Box 21907\nOmaha, NE 68102"
    above = read("""ACME HEALTH AGENCY
Appeals and Hearings Division
4100 Havana Street, Aurora, CO 80010-1402

This is the final decision on your appeal unless you request a hearing. Your request must be received
within 60 days of the date of this decision. Send it to the address above, attention Hearings Branch.
""")
    assert above.shown("appeals_address") == ("ACME HEALTH AGENCY\nAppeals and Hearings Division\n"
                                               "4100 Havana Street, Aurora, CO 80010-1402")
    assert not certain(above, "appeals_address")


def test_an_external_review_filed_with_a_state_office_is_no_appeal_deadline_one_filed_with_the_plan_is():
    state = read("""FINAL INTERNAL ADVERSE BENEFIT DETERMINATION
This is our final decision. You have exhausted the internal appeals available under the plan.

You can ask that an Independent Review Organization (IRO) review our decision. You must ask within 4 months
of the date you receive this letter.

Send your request for external review, with a copy of this letter, to:

    Arizona Department of Insurance and Financial Institutions
    Consumer Legal Affairs -- External Review
    100 N. 15th Avenue, Suite 261
    Phoenix, AZ 85007-2630
""")
    assert "appeal_deadline" not in state.found and "appeals_address" not in state.found
    assert [window.role.value for window in state.other_windows] == ["external_review"]
    plan = read("""FINAL INTERNAL ADVERSE BENEFIT DETERMINATION
This is our final decision. You have exhausted the internal appeals available under the plan.

You may ask for an external review by an Independent Review Organization within 4 months after you receive
this letter. Send your request to:
     Acme Health Solutions, LLC
     Attn: External Review Coordinator
     PO Box 8455
     Boise, ID 83707
""")
    assert plan.shown("appeal_deadline") == "4 months" and not certain(plan, "appeal_deadline")
    assert plan.shown("appeals_address").startswith("Acme Health Solutions, LLC")


def test_an_address_the_plan_sent_the_case_to_is_not_where_to_write():
    forwarded = read("""We did not decide fully in your favor on your reconsideration.

Because we did not decide fully in your favor, Medicare requires us to send your case to an Independent Review
Entity (IRE). We have sent your file to:

     Review Contractor Services
     Medicare Managed Care Reconsideration Project
     3750 Monroe Avenue, Suite 702
     Pittsford, NY 14534-1302
""")
    assert "appeals_address" not in forwarded.found


# ---- the member's and the claim's numbers

def test_ids_in_groups_with_a_suffix_or_after_the_letters_that_name_them():
    grouped = read("Member:     Bea Kowal\nMember ID:  GLM 20044318 01\nGroup:      LAB-33019\n")
    assert value(grouped, "member_id") == "GLM 20044318 01"
    named = read("Document Control Number: DCN 26331A00872\n")
    assert value(named, "reference") == "DCN 26331A00872"
    claim = read("Claim number:     CLM 26-0731-77102\n")
    assert value(claim, "reference") == "CLM 26-0731-77102"
    masked = read("HAROLD J BECK                    Medicare Number  XXXX-XXX-8T42\n")
    assert value(masked, "member_id") == "XXXX-XXX-8T42" and not certain(masked, "member_id")


def test_member_and_reference_labels_of_group_insurers_and_tricare():
    extraction = read("""Insured:              Marisol Gutierrez
Identification No.:   GLM884102937-03
Certificate No.:      PMH-600291477-01
Authorization/Referral #: 0326BH771402
""")
    assert value(extraction, "member_id") == "GLM884102937-03"
    assert value(extraction, "reference") == "0326BH771402"
    ours = read("Patient DOB:     11/02/1979\nOur reference:   Claim 26171-004893\n")
    assert value(ours, "reference") == "26171-004893"
    case = read("MEMBER ID:      BWC90331746                   CASE:   RAD-2611-448207\n")
    assert value(case, "reference") == "RAD-2611-448207"


def test_of_several_claims_the_one_with_the_denied_line_gives_the_reference():
    extraction = read("""Explanation of Benefits

Claim 26-0811-330172   Hampton Pain & Spine, PLLC
 Service date  Service                             Code    Charged    Plan paid  You owe
 07/29/2026    Office visit, established patient   99214   $246.00    $96.12     $25.00

Claim 26-0822-341095   Hampton Pain & Spine, PLLC
 Service date  Service                             Code    Charged    Plan paid  You owe
 08/05/2026    Injection, facet joint, lumbar      64493   $1,650.00  $0.00      $0.00
""")
    assert value(extraction, "reference") == "26-0822-341095"
    assert not certain(extraction, "reference")


def test_the_insured_a_po_box_address_block_and_a_letter_for_a_child():
    insured = read("""Insured:              Marisol Gutierrez-Pena
Policyholder:         Brightwater Logistics, Inc.
""")
    assert value(insured, "patient_name") == "Marisol Gutierrez-Pena"
    company = read("Policyholder:         Brightwater Logistics, Inc.\n")
    assert "patient_name" not in company.found
    po_box = read("""STATE MEDICAID PROGRAM
Prior Authorization Unit

NOTICE OF ACTION

Date mailed: August 21, 2026

DMITRI A. SORENSEN
PO Box 318
Lewistown, MT 59457
""")
    assert value(po_box, "patient_name") == "Dmitri A. Sorensen" and not certain(po_box, "patient_name")
    child = read("""ACME MUTUAL HEALTH INSURANCE COMPANY
Appeals & Grievances  |  75 Commerce Way  |  Manchester, NH 03101

July 8, 2026

Marisol Castellanos
for OWEN CASTELLANOS
62 Birch Hollow Road
Concord, NH 03301

Dear Ms. Castellanos:
""")
    assert value(child, "patient_name") == "Owen Castellanos" and not certain(child, "patient_name")


def test_group_numbers_after_the_employer_and_on_a_group_policy_and_no_street_for_one():
    dash = read("Group:      Lindenwood Architects LLP - 00871203\n")
    assert value(dash, "group_number") == "00871203" and not certain(dash, "group_number")
    policy = read("Group Policy No.:     778214-0010\n")
    assert value(policy, "group_number") == "778214-0010"
    street = read("""VIA FAX: 505-555-0122
Tallulah Reyes, MD
Sandia Dermatology Group
1001 Medical Arts Ave NE
Albuquerque, NM 87102
""")
    assert "group_number" not in street.found


def test_a_window_whose_sentence_says_file_it_after_a_sentence_about_an_appeal():
    extraction = read("""If you think we made a mistake, you may file an internal appeal. You have 180 days
after you get this notice to file it. We will decide a pre-service appeal within 30 days.
""")
    assert value(extraction, "appeal_deadline") == "180 days" and certain(extraction, "appeal_deadline")


def test_a_peer_to_peer_offer_gives_a_fax_said_to_be_for_appeals_and_no_other():
    offer = read("""Dear Dr. Reyes:

Our reviewer could not approve the request for Dupixent based on the information received. Before a final
decision is made, you may discuss the case with our reviewer in a peer-to-peer conversation. Call
1-888-555-0126 within 5 business days to schedule it. The member may file an appeal within 180 days of
receiving the determination letter. Appeals may be faxed to 505-555-0127.

Pharmacy PA fax (new requests only): 505-555-0125
""")
    assert offer.document.type.value == "peer_to_peer_offer"
    assert offer.shown("appeals_fax") == "(505) 555-0127"


def test_the_fax_a_provider_sends_missing_documents_to_is_not_the_appeals_fax():
    extraction = read("""NOTICE OF ACTION - PRIOR AUTHORIZATION DENIED

Your provider can send the missing documents to us for reconsideration
within 14 days of the date of this notice, by fax to 406-555-0143. This does
not take away your right to a fair hearing.

YOUR RIGHT TO A FAIR HEARING
You may ask for a fair hearing within 120 days. Write to the Fair Hearings Unit, PO Box 1723,
Helena, MT 59624-1723, or fax your request to 406-555-0146.
""")
    assert extraction.shown("appeals_fax") == "(406) 555-0146"


def test_unseen_layouts_that_gave_certain_wrong_values():
    dependent = read("""Subscriber: IMELDA PENHALLOW               Member ID: TVC118207-01
Patient:    ALVARO PENHALLOW               Patient ID: TVC118207-02
""")
    assert value(dependent, "member_id") == "TVC118207-02" and not certain(dependent, "member_id")
    program = read("Health plan:      Bluegrass Unity Health Plan - Kentucky Medicaid\n")
    assert value(program, "insurer") == "Bluegrass Unity Health Plan"
    tricare = read("HUMANA MILITARY\nTRICARE East Region\nPO Box 740062, Louisville, KY 40201-7462\n\nDear Member:\n")
    assert value(tricare, "insurer") == "HUMANA MILITARY" and not certain(tricare, "insurer")
    described = read("""  Diagnosis:        F33.2  Major depressive disorder, recurrent severe
                           without psychotic features
                    F41.1  Generalized anxiety disorder
""")
    assert value(described, "diagnoses") == "F33.2, F41.1"
    words = read("""WHY

The Plan's criteria were applied by a psychiatrist. In the reviewer's words:

  The Plan covers esketamine only after two antidepressant trials. The
  records document one trial.

YOUR RIGHTS
""")
    assert value(words, "quote") == "The Plan covers esketamine only after two antidepressant trials. The records document one trial."


def test_a_date_processed_a_weekday_before_the_date_and_a_claims_tcn():
    processed = read("EXPLANATION OF BENEFITS\n\nDate Processed:   September 15, 2026\nClaim (TCN):      2026187F04471\n")
    assert value(processed, "notice_date") == "2026-09-15"
    assert value(processed, "reference") == "2026187F04471"
    weekday = read("""Acme Health Plan of Georgia, Inc.
1400 Peachtree Commons Blvd, Suite 900
Atlanta, GA 30309

Friday, June 12, 2026

Dear Mr. Vantongeren:
""")
    assert value(weekday, "notice_date") == "2026-06-12" and certain(weekday, "notice_date")


def test_the_plans_fax_is_not_the_route_of_an_external_review_sent_elsewhere():
    extraction = read("""ACME FEDERAL HEALTH PLAN, INC.
Appeals & Reconsiderations, 2200 Harborview Drive, Baltimore, MD 21230
Tel. 1-888-555-0153   Reconsideration Fax 410-555-0157

This letter is our final decision on your reconsideration request. If you disagree, you may ask OPM to
review our decision. You must write to OPM within 90 days after the date of this letter. Send your request to:

     United States Office of Personnel Management
     Healthcare and Insurance
     1900 E Street, NW
     Washington, DC 20415-3620
""")
    assert value(extraction, "appeal_deadline") == "90 days"
    assert value(extraction, "appeals_address").startswith("United States Office of Personnel Management")
    assert "appeals_fax" not in extraction.found
