"""The content audit's findings (issue 15), each as a test that fails if it comes back."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlparse

import pytest
from conftest import docx_text, example_case

from appeal.cases import codes
from appeal.rules import deadlines, rule_book as rules
from appeal.letters import draft, kinds, letter_rules
from appeal.cases.case import BillingCode, Case, PlanType, TreatmentKind

# The regulation's own text (eCFR, Federal Register, U.S. Code, GPO) or the agency that administers the rule.
PRIMARY_HOSTS = {
    "www.ecfr.gov", "ecfr.gov", "www.federalregister.gov", "www.govinfo.gov", "uscode.house.gov",
    "www.cms.gov", "cms.gov", "www.medicare.gov", "www.medicaid.gov", "www.dol.gov", "dol.gov",
    "www.healthcare.gov", "www.va.gov", "www.tricare.mil", "tricare.mil", "www.opm.gov", "www.fda.gov",
}


@pytest.mark.parametrize("rule", rules.all_rules(), ids=lambda rule: rule.id)
def test_every_rule_cites_a_primary_source_and_says_what_was_read(rule):
    assert urlparse(rule.source_url).scheme == "https", rule.source_url
    assert urlparse(rule.source_url).hostname in PRIMARY_HOSTS, f"{rule.id}: {rule.source_url} is not primary"
    assert rule.verified and len(rule.verified) > 20, f"{rule.id} does not say what was read"
    assert rule.checked >= date(2026, 11, 29)


def test_the_allow_list_rejects_mirrors_insurers_and_blogs():
    for url in ("https://www.law.cornell.edu/cfr/text/42/422.582", "https://law.lawstack.com/cfr/42/405.942/",
                "https://www.bcbsm.com/x", "https://www.meritain.com/x", "https://tag.wellcare.com/x"):
        assert urlparse(url).hostname not in PRIMARY_HOSTS


def test_ma_reconsideration_counts_60_days_from_receipt_like_part_d():
    """42 CFR 422.582(b) as amended (CMS-4205-F): 60 days after receipt, presumed 5 days after the notice date."""
    for rule_id in ("ma-reconsideration-filing-window", "partd-redetermination-filing-window"):
        rule = rules.by_id(rule_id)
        assert rule.deadline.amount == 60 and rule.deadline.counted_from == "notice_received", rule_id
    ma = rules.by_id("ma-reconsideration-filing-window")
    assert "65 days from the notice date" in ma.text and "within 60 calendar days from the date" not in ma.text
    # the letter states what was read (CMS's 65 days from the notice date), not regulation wording not found
    assert "422.582(b)" in ma.letter_text and "65 calendar days from the date of the organization determination notice" \
        in ma.letter_text and "60 calendar days" not in ma.letter_text
    assert "65 days calendar days from the date of the notice" in ma.verified and ma.checked == date(2026, 12, 6)
    assert "counts from the notice date" not in rules.by_id("partd-redetermination-filing-window").notes


def test_cms_0057_f_is_cited_by_volume_page_and_date():
    cited = [rule for rule in rules.all_rules() if "CMS-0057-F" in rule.citation]
    assert cited
    for rule in cited:
        assert "89 FR 8758, Feb. 8, 2024" in rule.citation, rule.id
        assert "Jan. 2024" not in rule.citation


def test_part_d_exception_clock_runs_from_the_prescribers_statement():
    for rule_id in ("partd-coverage-determination-standard", "partd-coverage-determination-expedited"):
        rule = rules.by_id(rule_id)
        assert "supporting statement" in rule.text and "supporting statement" in rule.letter_text


def test_medicaid_prior_authorization_rules_cite_their_regulations():
    for rule_id in ("medicaid-ffs-prior-auth-decision-standard", "medicaid-ffs-prior-auth-decision-expedited"):
        assert "42 CFR 440.230(e)" in rules.by_id(rule_id).citation
    managed = rules.by_id("mmc-service-authorization-standard")
    assert "rating periods" in managed.text and "14 more days" in managed.text
    assert "rating periods" in managed.letter_text and "14 additional" in managed.letter_text


def _case(plan: str, kind: str | None, **extra) -> Case:
    return Case.model_validate({"insurance": {"plan_type": plan}, "treatment": {"kind": kind, **extra}})


@pytest.mark.parametrize("kind", ["esketamine_nasal", "iv_ketamine", "im_ketamine"])
def test_medicare_advantage_letters_for_a_part_b_drug_cite_only_the_part_b_drug_time_frames(kind):
    cited = {rule.id for rule in letter_rules.for_letter(_case("medicare_advantage", kind), "prior-auth")}
    assert "ma-partb-drug-determination-standard" in cited
    assert "ma-organization-determination-standard" not in cited
    report = deadlines.report(_case("medicare_advantage", kind))
    assert {rule.id for rule in report.decision} == {"ma-partb-drug-determination-standard"}
    appealed = Case.model_validate({"insurance": {"plan_type": "medicare_advantage"}, "treatment": {"kind": kind},
                                    "denial": {"notice_date": "2026-11-02", "level_exhausted": "initial"}})
    cited = {rule.id for rule in letter_rules.for_letter(appealed, "appeal")}
    assert "ma-partb-drug-reconsideration-standard" in cited
    assert "ma-reconsideration-decision-standard-service" not in cited


def test_an_unknown_treatment_shows_both_medicare_advantage_time_frames():
    cited = {rule.id for rule in letter_rules.for_letter(_case("medicare_advantage", None), "prior-auth")}
    assert {"ma-partb-drug-determination-standard", "ma-organization-determination-standard"} <= cited


def test_marketplace_external_review_shows_the_state_and_the_federal_date_each_with_its_reason():
    # issue 26 point 5: which process applies is the state's (45 CFR 147.136(c)) or else the federal one
    # (147.136(d)); with no confirmed list of states, both dates are shown, never one chosen silently
    case = Case.model_validate({
        "insurance": {"plan_type": "individual_marketplace"}, "treatment": {"kind": "iv_ketamine"},
        "denial": {"notice_date": "2026-10-28", "received_date": "2026-10-30", "level_exhausted": "final_internal"},
    })
    report = deadlines.report(case, date(2026, 11, 29))
    dates = {item.rule.id: item.due for item in report.filing}
    assert dates == {"aca-external-review-filing-state": date(2027, 2, 28),
                     "aca-external-review-filing-federal": date(2027, 3, 1)}
    texts = {item.rule.id: (item.rule.text, item.rule.citation) for item in report.filing}
    assert texts["aca-external-review-filing-state"][0].startswith("If your state runs its own external review")
    assert texts["aca-external-review-filing-state"][1] == "45 CFR 147.136(c)"
    assert texts["aca-external-review-filing-federal"][0].startswith("If your state does not run its own")
    assert texts["aca-external-review-filing-federal"][1] == "45 CFR 147.136(d)(2)(i)"
    [why] = report.process_choice
    assert "depends on the state" in why and "https://www.cms.gov/cciio/resources/files/external_appeals" in why
    assert "your state's department of insurance" in why and "insurance.state" in why
    assert "send it by the earlier date, February 28, 2027" in why


def _codes(plan: str, code: str, when: str) -> list[codes.CodeProblem]:
    case = Case.model_validate({"insurance": {"plan_type": plan},
                                "treatment": {"kind": "esketamine_nasal", "codes": [{"code": code}],
                                              "dates_of_service": [when]}})
    return codes.check(case, date(2026, 11, 29))


def test_s0013_after_2025_is_an_error_naming_j0013_but_not_before():
    [problem] = _codes("employer_fully_insured", "S0013", "2026-02-03")
    assert problem.error and "J0013" in problem.message and problem.field == "treatment.codes[0]"
    assert _codes("employer_fully_insured", "S0013", "2025-12-30") == []


@pytest.mark.parametrize("plan", ["medicare_original", "medicare_advantage"])
def test_j0013_on_medicare_warns_with_the_g_codes(plan):
    [problem] = _codes(plan, "J0013", "2026-02-03")
    assert not problem.error and "G2082" in problem.message and "G2083" in problem.message


@pytest.mark.parametrize("code", ["G2082", "G2083"])
def test_medicare_g_codes_on_other_plans_warn_with_j0013(code):
    [problem] = _codes("employer_self_funded", code, "2026-02-03")
    assert not problem.error and "J0013" in problem.message
    assert _codes("medicare_original", code, "2026-02-03") == []


def test_code_problems_reach_the_draft_warnings_and_appeal_check(tmp_path, capsys):
    from appeal.cases import casefile
    from appeal import cli

    case = example_case("esketamine-prior-auth-psychiatrist").model_copy(deep=True)
    case.treatment.codes = [BillingCode(code="S0013")]
    case.treatment.start_date = date(2026, 12, 10)
    assert any("S0013" in warning and "J0013" in warning for warning in draft.draft(case, kinds.get("prior-auth")).warnings)
    path = tmp_path / "case.yaml"
    casefile.save(case, path, overwrite=False)
    assert cli.main(["check", "--case", str(path)]) == 1
    assert "[CODE ERROR] treatment.codes[0]: S0013" in capsys.readouterr().out


def _letter(plan: str, kind: str, reasons: list[str], diagnosis: str, **clinical) -> str:
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.insurance.plan_type = PlanType(plan)
    case.treatment.kind = TreatmentKind(kind)
    case.denial.reason = reasons[0]
    case.denial.other_reasons = reasons[1:]
    case.diagnoses = [case.diagnoses[0].model_copy(update={"code": diagnosis, "description": "x"})]
    for key, value in clinical.items():
        setattr(case, key, value)
    return " ".join(docx_text(draft.draft(case, kinds.get("appeal")).content).split())


def test_iv_ketamine_evidence_is_not_argued_for_im_ketamine():
    crps = _letter("employer_self_funded", "im_ketamine", ["experimental"], "G90.512")
    assert "Cohen SP" not in crps and "12 weeks" not in crps
    depression = _letter("employer_self_funded", "im_ketamine", ["experimental"], "F33.2")
    assert "Murrough" not in depression and "second-line" not in depression and "third-line" in depression


def test_guideline_arguments_are_worded_as_arguments_not_settled_law():
    text = _letter("employer_self_funded", "iv_ketamine", ["experimental"], "F33.2")
    assert "is an accepted standard of care, not an investigational one" not in text
    assert "is not an investigational one" not in text
    assert "should not be treated as investigational" in text and "plan's own definition" in text


@pytest.mark.parametrize("plan", ["medicare_original", "medicare_advantage", "medicaid_ffs", "tricare", "va"])
def test_no_parity_sentence_for_plans_parity_law_does_not_reach(plan):
    assert "Parity" not in _letter(plan, "iv_ketamine", ["benefit_exclusion"], "F33.2")


def test_parity_sentence_for_an_employer_plan():
    assert "Mental Health Parity and Addiction Equity Act (29 CFR 2590.712)" in _letter(
        "employer_self_funded", "iv_ketamine", ["benefit_exclusion"], "F33.2")


@pytest.mark.parametrize("plan", ["employer_self_funded", "individual_marketplace"])
def test_no_parity_sentence_for_a_pain_treatment(plan):
    """The parity law is about mental health and substance use benefits: an exclusion of ketamine for CRPS is a
    medical benefit's, and a parity sentence there costs the letter its credibility."""
    assert "Parity" not in _letter(plan, "iv_ketamine", ["benefit_exclusion"], "G90.512")
    assert "Mental Health Parity" in _letter(plan, "iv_ketamine", ["benefit_exclusion"], "F33.2")


def test_trd_definition_only_for_trials_known_to_be_in_the_current_episode():
    case = example_case("ketamine-trd-erisa-appeal")
    unknown = [trial.model_copy(update={"current_episode": None, "start_date": None, "end_date": None})
               for trial in case.prior_treatments]
    text = _letter("employer_self_funded", "iv_ketamine", ["not_medically_necessary"], "F33.2",
                   prior_treatments=unknown)
    assert "meets the common definition of treatment-resistant depression" not in text


def test_transform_2_summary_names_its_sister_trials_that_missed_their_endpoints():
    from appeal.rules import evidence

    summary = " ".join(evidence.load_library()["popova-2019-transform-2"].summary.split())
    assert "TRANSFORM-1" in summary and "P = .088" in summary and "TRANSFORM-3" in summary


def test_intravenous_evidence_says_its_route_and_is_never_filed_for_im_ketamine():
    from appeal.rules import evidence

    library = evidence.load_library()
    assert "intravenous infusions only" in " ".join(library["cohen-2018-ketamine-chronic-pain-consensus-guidelines"].summary.split())
    for snippet_id in ("cohen-2018-ketamine-chronic-pain-consensus-guidelines", "murrough-2013-ketamine-vs-midazolam",
                       "berman-2000-first-ketamine-placebo-trial", "schwartzman-2009-outpatient-ketamine-crps"):
        assert "im_ketamine" not in library[snippet_id].treatments


def test_the_adult_criterion_makes_no_unsourced_claim_about_what_plans_cover():
    from appeal.rules import readiness

    adult = next(criterion for criterion in readiness.all_criteria() if criterion.id == "adult")
    assert "Plans cover" not in adult.description
    assert "payer ketamine policies in general" not in adult.source


# --------------------------------------------------------------------------------------------------------------
# What was read for each rule and snippet, and where (issue 15, second pass)

# Pages read count as primary on these domains: the regulation's own text (eCFR, GPO, Federal Register, U.S. Code)
# or the administering agency (HHS hosts CMS guidance; CMS's Medicaid bulletins are sent through GovDelivery).
PRIMARY_DOMAINS = {
    "ecfr.gov", "federalregister.gov", "govinfo.gov", "gpo.gov", "uscode.house.gov", "cms.gov", "medicare.gov",
    "medicaid.gov", "hhs.gov", "dol.gov", "healthcare.gov", "va.gov", "tricare.mil", "opm.gov", "fda.gov",
}
CMS_BULLETINS = "https://content.govdelivery.com/accounts/USCMS"
# CMS's own GitHub organisation: its report forms quote the regulations CMS administers (the agency's own file).
CMS_REPOSITORIES = "https://github.com/Enterprise-CMCS/"
# An abstract, label or agency page: PubMed, PMC, the DOI, the journal's or the society's own page, or an agency.
EVIDENCE_DOMAINS = PRIMARY_DOMAINS | {
    "pubmed.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "doi.org", "psychiatryonline.org", "jamanetwork.com",
    "nejm.org", "journals.lww.com", "psychiatrist.com", "asra.com",
}


def _on(url: str, domains: set[str]) -> bool:
    host = urlparse(url).hostname or ""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _primary(url: str) -> bool:
    return _on(url, PRIMARY_DOMAINS) or url.startswith((CMS_BULLETINS, CMS_REPOSITORIES))


def test_the_primary_test_rejects_mirrors_and_summaries():
    assert _primary("http://edocket.access.gpo.gov/cfr_2004/julqtr/29cfr2560.503-1.htm")
    assert _primary("https://content.govdelivery.com/accounts/USCMSMEDICAID/bulletins/3d5c65a")
    for url in ("https://law.lawstack.com/cfr/42/405.1002/", "http://laws9.com/cfr/text/42/438/408",
                "https://www.law.cornell.edu/cfr/text/42/422.612", "https://www.bcbsm.com/x",
                "https://www.inovaare.com/blog/medicare-rules-changes", "https://notcms.gov.example.com/x",
                "https://github.com/AlextheYounga/ecfr", "https://github.com/Enterprise-CMCS-copy/x"):
        assert not _primary(url), url


@pytest.mark.parametrize("rule", rules.all_rules(), ids=lambda rule: rule.id)
def test_every_rule_records_the_pages_read_and_whether_its_words_were_seen_in_a_primary_source(rule):
    assert rule.checked >= date(2026, 11, 30), rule.id
    assert rule.seen_in in {"primary", "copy", "secondary"}, rule.id
    assert rule.read_at and all(urlparse(url).scheme in {"http", "https"} for url in rule.read_at), rule.id
    if rule.seen_in == "primary":
        assert any(_primary(url) for url in rule.read_at), f"{rule.id}: 'primary' but no primary page was read"
    else:
        assert len(rule.verified) > 60, f"{rule.id} must say what was and was not seen"


@pytest.mark.parametrize("rule", rules.all_rules(), ids=lambda rule: rule.id)
def test_a_rule_seen_only_in_summaries_prints_no_figure_in_a_letter(rule):
    in_letters = rule.letters or (rule.topic is rules.Topic.filing_deadline and rule.letter_text)  # an appeal's own
    if rule.seen_in != "secondary" or not in_letters or not rule.deadline:
        return
    sentence = rule.letter_text or rule.text
    assert not re.search(rf"\b{rule.deadline.amount}\b", sentence), f"{rule.id}: unconfirmed figure in a letter"


# The letter sentences softened on 2026-11-30 because their figure was not found in any primary source the tools hold.
SOFTENED = ("erisa-internal-decision-pre-service-two-levels-first", "erisa-internal-decision-pre-service-two-levels-second",
            "erisa-internal-decision-post-service-two-levels-first", "erisa-internal-decision-post-service-two-levels-second",
            "ma-partb-drug-determination-standard", "ma-partb-drug-determination-expedited")


@pytest.mark.parametrize("rule_id", SOFTENED)
def test_softened_letter_sentences_keep_the_rule_but_state_no_unconfirmed_figure(rule_id):
    rule = rules.by_id(rule_id)
    assert not re.search(rf"\b{rule.deadline.amount}\b", rule.letter_text)
    assert rules.cited(rule).count("CFR") >= 1


def test_initial_decision_sentences_no_longer_offer_the_plan_an_unconfirmed_extension():
    for rule_id in ("aca-initial-pre-service-decision", "aca-initial-post-service-decision"):
        assert "extension" not in rules.by_id(rule_id).letter_text


def test_medicaid_managed_care_appeal_figures_rest_on_cms_own_wording_of_438_408():
    for rule_id, figure in (("mmc-appeal-decision-standard", "30 calendar days"), ("mmc-appeal-decision-expedited", "72 hours")):
        rule = rules.by_id(rule_id)
        assert figure in rule.letter_text and figure in rule.verified and rule.seen_in == "primary"
        assert _primary(rule.read_at[0]) and rule.read_at[0].startswith("https://github.com/Enterprise-CMCS/macpro-mdct-mcr")


def test_the_medicare_advantage_alj_rule_cites_its_regulation():
    assert rules.by_id("ma-alj-hearing").citation == "42 CFR 422.602(b)"


def test_the_2026_amounts_in_controversy_are_read_in_the_federal_register_notice():
    for rule_id, amount in (("om-alj-amount-in-controversy-2026", "$200"),
                            ("om-federal-court-amount-in-controversy-2026", "$1,960")):
        rule = rules.by_id(rule_id)
        assert amount in rule.text and amount in rule.verified and rule.seen_in == "primary"
        assert "https://www.govinfo.gov/content/pkg/FR-2025-12-04/html/2025-21879.htm" in rule.read_at


def test_part_d_ire_window_keeps_the_safe_60_days_and_names_the_65_the_cms_page_gives():
    rule = rules.by_id("partd-ire-reconsideration-filing-window")
    assert rule.deadline.amount == 60 and "65 days" in rule.text
    assert "65 calendar days" in rule.verified and rule.seen_in == "primary"


def _snippets():
    from appeal.rules import evidence

    return evidence.load_library()


# Snippets whose abstract or agency page is not in the stored corpora: checked against copies, and they say so.
CHECKED_AGAINST_COPIES = {
    "berman-2000-first-ketamine-placebo-trial", "murrough-2013-ketamine-vs-midazolam",
    "sackeim-2024-athf-sf2-trd-definition",
    "zarate-2006-ketamine-trd-crossover", "fda-2019-spravato-approval-trd",
    "va-dod-2022-mdd-guideline-ketamine-esketamine", "cms-mbpm-ch15-50-4-2-unlabeled-use",
}


@pytest.mark.parametrize("snippet_id", sorted(_snippets()))
def test_every_snippet_names_the_pages_it_was_checked_against(snippet_id):
    snippet = _snippets()[snippet_id]
    assert snippet.checked_against and snippet.how_confirmed, snippet_id
    if snippet_id in CHECKED_AGAINST_COPIES:
        assert "not in the stored corpora" in snippet.how_confirmed
    else:
        assert any(_on(url, EVIDENCE_DOMAINS) for url in snippet.checked_against), snippet_id


# Each summary claim removed or corrected on 2026-11-30 against its abstract: (snippet, gone, now present).
SNIPPET_FIXES = [
    ("anand-2023-elekt-d-ketamine-vs-ect", "five US sites", "five clinical sites"),
    ("berman-2000-first-ketamine-placebo-trial", "did not specifically enroll", "only as having major depression"),
    ("daly-2019-sustain-1", "57.6%", "hazard ratio was 0.30"),
    ("feder-2021-ketamine-ptsd-repeated", "after the primary assessment", "median time to loss of response"),
    ("janik-2025-esketamine-monotherapy", "basis of the 2025 label", "monotherapy for treatment-resistant"),
    ("mcintyre-2021-ketamine-esketamine-expert-synthesis", "mainstream", "first non-monoaminergic agents"),
    ("murrough-2013-ketamine-vs-midazolam", "met response", "than with midazolam"),
    ("newport-2015-ketamine-meta-analysis", "did not show consistent benefit", "not for other drugs"),
    ("reif-2023-escape-trd", "who stayed relapse-free", "of all patients"),
    ("sackeim-2024-athf-sf2-trd-definition", "most common working definition", "ESCAPE-TRD investigators describe"),
    ("sanacora-2017-apa-ketamine-consensus-statement", "can be used responsibly", "task force's suggestions"),
    ("schwartzman-2009-outpatient-ketamine-crps", "The trial was small", "does not report the number"),
    ("spravato-2025-monotherapy-approval", "MADRS ≤", "MADRS total score of 12 or less"),
    ("zarate-2006-ketamine-trd-crossover", "18 adults", "within 2 hours"),
]


@pytest.mark.parametrize(("snippet_id", "gone", "present"), SNIPPET_FIXES, ids=[fix[0] for fix in SNIPPET_FIXES])
def test_snippet_claims_not_in_the_abstract_stay_out(snippet_id, gone, present):
    summary = " ".join(_snippets()[snippet_id].summary.split())
    assert gone not in summary and present in summary


def test_a_web_page_nobody_read_gets_no_access_date():
    from appeal.rules import evidence

    library = _snippets()
    assert "Accessed" not in evidence.citation_text(library["fda-2019-spravato-approval-trd"])
    assert "Accessed November 30, 2026" in evidence.citation_text(library["spravato-rems-certified-settings"])


# Third pass (2026-11-30): rules whose words or figure were then read on the regulation's own page or the agency's.
RAISED_TO_PRIMARY = {
    "om-redetermination-decision": ("OrgMedFFSAppeals/RedeterminationbyaMedicareContractor", "within 60 days of receipt"),
    "om-alj-hearing-filing-window": ("fee-for-service/third-level-appeal", "within 60 days of receipt"),
    "om-appeals-council-filing-window": ("MMCAG/AppealsCouncilReview", "within 60 calendar days after receipt"),
    "om-federal-court-filing-window": ("appeals-level-4-review-by-medicare-appeals-council", "you have 60 days"),
    "va-clinical-appeal": ("www.va.gov/decision-reviews/clinical-appeals", "chief medical officer"),
    "fehb-carrier-reconsideration": ("edocket.access.gpo.gov/cfr_2005/janqtr/5cfr890.105", "6 months from the date"),
    "fehb-carrier-response": ("edocket.access.gpo.gov/cfr_2005/janqtr/5cfr890.105", "30 days after the date of receipt"),
    "fehb-judicial-review-against-opm": ("FR-1995-03-29/html/95-7793", "brought against OPM"),
    "partd-coverage-determination-standard": ("MedPrescriptDrugApplGriev/CoverageDeterminations", "72 hours"),
    "partd-coverage-determination-expedited": ("MedPrescriptDrugApplGriev/CoverageDeterminations", "24 hours"),
    "ma-alj-hearing": ("mmcag/alj.html", "within 60 calendar days from the date of the notice"),
}


@pytest.mark.parametrize("rule_id", sorted(RAISED_TO_PRIMARY))
def test_rules_raised_to_primary_name_the_primary_page_and_quote_it(rule_id):
    page, words = RAISED_TO_PRIMARY[rule_id]
    rule = rules.by_id(rule_id)
    assert rule.seen_in == "primary"
    assert any(page in url and _primary(url) for url in rule.read_at), rule.read_at
    assert words in rule.verified


def test_the_va_clinical_appeal_cites_only_what_was_read():
    rule = rules.by_id("va-clinical-appeal")
    assert "1041" not in rule.citation and "va.gov" in rule.citation


# Claims the audit of 2026-12-06 found no source for (issue 26 point 7): the words must not come back anywhere a
# letter draws text from, the .docx templates included.
UNSOURCED = ("within accepted standards of care", "level 1 evidence", "canmat level 1")


def test_claims_without_a_source_are_gone_from_every_letter_text():
    import zipfile

    from appeal.base.resources import bundled, data_file

    folders = (data_file("rules.yaml").parent, bundled("evidence_snippets"), bundled("letter_templates"))
    texts = {path: path.read_text(encoding="utf-8") for folder in folders
             for path in folder.rglob("*") if path.suffix in {".yaml", ".md", ".py"}}
    for docx in bundled("letter_templates").glob("*.docx"):
        with zipfile.ZipFile(docx) as package:
            texts[docx] = package.read("word/document.xml").decode("utf-8")
    assert len(texts) > 20
    for path, text in texts.items():
        flat = " ".join(text.lower().split())
        assert not [words for words in UNSOURCED if words in flat], path
    letter = " ".join(docx_text(draft.draft(example_case("ketamine-trd-erisa-appeal"), kinds.get("appeal")).content).split())
    assert "A treatment that a national clinical practice guideline suggests for patients in this situation should not " \
        "be treated as investigational" in letter
