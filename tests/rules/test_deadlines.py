"""Deadlines for every plan type, from fixed dates, with the rule that sets each one; and the rules' sources."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import yaml
from conftest import docx_text, example_case

from appeal.rules import deadlines, dispute, next_steps
from appeal.letters import draft, kinds
from appeal.cases.case import Case, PlanType
from appeal.rules.rule_book import all_rules

TODAY = date(2026, 11, 27)


def case(plan_type: str, level: str = "initial", notice: str | None = None, received: str | None = None,
         **treatment) -> Case:
    denial = {"level_exhausted": level, "reason": "experimental"}
    if notice:
        denial["notice_date"] = notice
    if received:
        denial["received_date"] = received
    return Case(insurance={"plan_type": plan_type}, denial=denial, treatment=treatment or {})


# plan type, level exhausted, notice date, received date -> [(rule id, due date)], earliest first
TABLE = [
    ("employer_self_funded", "initial", "2026-01-05", "2026-01-10", [("aca-internal-appeal-filing-window", "2026-07-09")]),
    ("employer_fully_insured", "initial", "2026-02-27", "2026-03-02", [("aca-internal-appeal-filing-window", "2026-08-29")]),
    # an insured plan's external review: the state's process or the federal one, both dated (which one applies is
    # the state's, see test_insured_external_review_shows_both_processes_with_their_reasons); at month-end the state
    # date is the last day of February, the federal one the first of March (45 CFR 147.136(d)(2)(i))
    ("individual_marketplace", "final_internal", "2025-10-27", "2025-10-30",
     [("aca-external-review-filing-state", "2026-02-28"), ("aca-external-review-filing-federal", "2026-03-01")]),
    # leap year: Oct 29 + 4 months is Feb 29 in 2024
    ("individual_marketplace", "final_internal", "2023-10-25", "2023-10-29",
     [("aca-external-review-filing-state", "2024-02-29"), ("aca-external-review-filing-federal", "2024-02-29")]),
    ("individual_marketplace", "final_internal", "2023-10-25", "2023-10-31",
     [("aca-external-review-filing-state", "2024-02-29"), ("aca-external-review-filing-federal", "2024-03-01")]),
    # a self-funded plan has only the federal process, with its own month-end rule (Oct 30 + 4 months = Mar 1)
    ("employer_self_funded", "final_internal", "2025-10-27", "2025-10-30", [("aca-external-review-filing-federal", "2026-03-01")]),
    ("employer_self_funded", "first_internal", "2026-03-01", "2026-03-04", []),  # second level: plan-set, no rule
    ("employer_self_funded", "final_internal", "2026-03-01", "2026-03-04", [("aca-external-review-filing-federal", "2026-07-04")]),
    # Original Medicare: no received date, so receipt is presumed 5 days after the notice date
    ("medicare_original", "initial", "2026-01-10", None, [("om-redetermination-filing-window", "2026-05-15")]),
    ("medicare_original", "first_internal", "2026-01-10", "2026-01-20", [("om-qic-reconsideration-filing-window", "2026-07-19")]),
    ("medicare_original", "final_internal", "2026-01-10", None, [("om-alj-hearing-filing-window", "2026-03-16")]),
    # Medicare Advantage since 2025, like Part D: 60 days after receipt (42 CFR 422.582(b) as amended by CMS-4205-F)
    ("medicare_advantage", "initial", "2026-03-31", "2026-04-10", [("ma-reconsideration-filing-window", "2026-06-09")]),
    ("medicare_advantage", "initial", "2026-10-13", None, [("ma-reconsideration-filing-window", "2026-12-17")]),
    ("medicare_part_d", "initial", "2026-01-10", None, [("partd-redetermination-filing-window", "2026-03-16")]),
    ("medicaid_managed_care", "initial", "2026-02-01", "2026-02-03", [("mmc-appeal-filing-window", "2026-04-02")]),
    ("medicaid_managed_care", "first_internal", "2026-02-01", None, [("mmc-fair-hearing-filing-window", "2026-05-02")]),
    ("medicaid_ffs", "initial", "2026-02-01", None, [("medicaid-ffs-fair-hearing-filing-window", None)]),
    ("tricare", "initial", "2026-02-01", None, [("tricare-factual-appeal", "2026-05-02"),
                                                  ("tricare-medical-necessity-reconsideration", "2026-05-02")]),
    ("fehb", "initial", "2025-08-31", None, [("fehb-carrier-reconsideration", "2026-02-28")]),
    ("fehb", "final_internal", "2026-01-31", None, [("fehb-opm-review", "2026-05-01")]),
    ("va", "initial", "2024-02-29", None, [("va-health-benefits-decision-review", "2025-02-28")]),
]


@pytest.mark.parametrize(("plan_type", "level", "notice", "received", "expected"), TABLE)
def test_filing_deadline_for_each_plan_type(plan_type, level, notice, received, expected):
    report = deadlines.report(case(plan_type, level, notice, received), TODAY)
    got = [(item.rule.id, item.due.isoformat() if item.due else None) for item in report.filing]
    assert sorted(got, key=lambda pair: (pair[1] or "", pair[0])) == sorted(
        expected, key=lambda pair: (pair[1] or "", pair[0])
    )
    if expected and expected[0][1]:
        assert report.earliest.due.isoformat() == min(due for _, due in expected if due)


def test_the_tricare_expedited_track_is_only_for_urgent_cases():
    urgent = case("tricare", "initial", "2026-02-01", "2026-02-02", urgency="expedited")
    ids = {item.rule.id: item.due for item in deadlines.report(urgent, TODAY).filing}
    assert ids["tricare-expedited-appeal"] == date(2026, 2, 5)
    assert "tricare-expedited-appeal" not in {i.rule.id for i in deadlines.report(case("tricare", "initial", "2026-02-01"), TODAY).filing}


@pytest.mark.parametrize(
    ("plan_type", "level", "decision_ids", "next_step"),
    [
        ("employer_self_funded", "initial",
         {"aca-internal-decision-pre-service-one-level", "erisa-internal-decision-pre-service-two-levels-first"},
         "a second-level internal appeal, if the plan has two levels"),
        ("medicare_original", "initial", {"om-redetermination-decision"},
         "a reconsideration by a Qualified Independent Contractor (QIC)"),
        ("medicaid_managed_care", "initial", {"mmc-appeal-decision-standard"}, "a state fair hearing"),
        ("individual_marketplace", "initial", {"aca-internal-decision-pre-service-one-level"}, "an independent external review"),
    ],
)
def test_decision_deadline_and_next_level(plan_type, level, decision_ids, next_step):
    report = deadlines.report(case(plan_type, level, "2026-11-01", "2026-11-03"), TODAY)
    assert {rule.id for rule in report.decision} == decision_ids
    assert report.next_step.name == next_step


def test_urgent_cases_get_the_expedited_decision_deadline():
    report = deadlines.report(case("employer_self_funded", "initial", "2026-11-01", "2026-11-03", urgency="expedited"), TODAY)
    assert {rule.id for rule in report.decision} == {"aca-internal-decision-urgent"}


def test_a_missing_denial_date_is_named_not_guessed():
    report = deadlines.report(case("employer_self_funded", "initial"), TODAY)
    assert report.filing[0].due is None
    assert "denial.notice_date" in report.filing[0].missing
    assert any("Cannot count the deadline for an internal appeal to the plan without denial.notice_date" in warning
               for warning in report.warnings)


def test_without_a_denial_the_step_and_the_address_fit_the_request():
    claim = example_case("ketamine-oon-reimbursement-superbill")
    assert deadlines.report(claim, TODAY).step.name == "a decision on the claim for payment"
    prior_auth = example_case("esketamine-prior-auth-psychiatrist")
    assert deadlines.report(prior_auth, TODAY).step.name == "a decision on the prior-authorization request"
    for example in (claim, prior_auth):
        example.insurance.appeals_address = example.insurance.appeals_fax = None
        sent = next(section for section in next_steps.sections(example, []) if section.heading.startswith("Where"))
        assert "denial notice" not in " ".join(sent.lines)
    assert "claims address" in " ".join(next_steps.sections(claim, [])[0].lines)


def test_received_date_missing_counts_from_the_notice_date_and_says_so():
    report = deadlines.report(case("employer_self_funded", "initial", "2026-11-01"), TODAY)
    assert report.filing[0].due == date(2026, 11, 1) + timedelta(days=180)
    assert any("received_date" in note for note in report.filing[0].notes)


def test_passed_and_close_deadlines_are_flagged():
    passed = deadlines.report(case("medicare_advantage", "initial", "2026-08-01"), TODAY)
    assert any("has passed" in warning for warning in passed.warnings)
    close = deadlines.report(case("medicare_advantage", "initial", "2026-09-26"), TODAY)  # due Nov 30: 3 days left
    assert any("Only 3 days left" in warning for warning in close.warnings)


def test_appeal_deadline_gives_a_medicare_advantage_reconsideration_65_days_from_the_notice(tmp_path, capsys):
    """CMS's guidance of 11/20/2024: "from 60 calendar days to 65 days calendar days from the date of the notice"."""
    from appeal import cli

    path = tmp_path / "case.yaml"
    path.write_text("insurance: {plan_type: medicare_advantage}\n"
                    "denial: {notice_date: 2026-10-13, level_exhausted: initial}\n", encoding="utf-8")
    cli.main(["deadline", "--case", str(path)])
    printed = capsys.readouterr().out
    assert "File by December 17, 2026" in printed and "42 CFR 422.582(b)" in printed
    assert "December 12, 2026" not in printed  # the old 60 days from the notice date
    later = case("medicare_advantage", "initial", "2026-10-13", "2026-10-20")  # a notice that came late
    assert deadlines.report(later, TODAY).filing[0].due == date(2026, 12, 19)


def test_prior_authorization_has_a_decision_deadline_and_no_filing_deadline():
    pa = Case(insurance={"plan_type": "employer_fully_insured"})
    report = deadlines.report(pa, TODAY)
    assert report.filing == [] and {rule.id for rule in report.decision} == {"aca-initial-pre-service-decision"}


def test_add_months_month_end_conventions():
    assert deadlines.add_months(date(2025, 10, 30), 4, "first_of_next_month") == date(2026, 3, 1)
    assert deadlines.add_months(date(2025, 10, 30), 4) == date(2026, 2, 28)
    assert deadlines.add_months(date(2023, 10, 31), 4) == date(2024, 2, 29)
    assert deadlines.add_months(date(2026, 8, 31), 6, "first_of_next_month") == date(2027, 3, 1)
    assert deadlines.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert deadlines.add_business_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Friday + 5 weekdays


def test_calendar_file_has_an_event_and_a_reminder_per_deadline():
    text = deadlines.ics(deadlines.report(case("individual_marketplace", "final_internal", "2025-10-27", "2025-10-30"), TODAY),
                         Case())
    # one external-review deadline, not one per process: the calendar must not hold two dates a day apart
    assert text.count("BEGIN:VEVENT") == 1 and text.count("TRIGGER:-P7D") == 1
    assert "DTSTART;VALUE=DATE:20260228" in text and "DTSTART;VALUE=DATE:20260301" not in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_every_rule_has_a_source_and_was_checked_within_a_year():
    for rule in all_rules():
        assert rule.citation.strip() and rule.source_url.startswith("http"), rule.id
        assert (date.today() - rule.checked).days <= 365, f"{rule.id} was last checked {rule.checked}"


def test_every_plan_type_has_steps_and_a_first_filing_rule_or_note():
    for plan_type in PlanType:
        steps = dispute.steps_for(plan_type)
        assert steps, plan_type
        if plan_type is not PlanType.other:
            report = deadlines.report(case(plan_type.value, "initial", "2026-11-01", "2026-11-02"), TODAY)
            assert report.filing, f"{plan_type.value}: no rule for {steps[0].name}"


def test_next_steps_say_where_by_when_what_and_what_if():
    example = example_case("ketamine-trd-erisa-appeal")
    found = next_steps.sections(example, ["Copy of the denial notice"], TODAY)
    text = next_steps.as_text(found)
    assert "Fax it to (937) 555-0199" in text and "certified mail" in text
    assert "by May 5, 2027" in text and "29 CFR 2560.503-1(h)(3)(i)" in text
    assert "Copy of the denial notice" in text
    assert "treated as having finished the internal appeal process" in text  # deemed exhaustion
    assert "The next step is a second-level internal appeal" in text
    document = docx_text(next_steps.as_docx(found, example))
    assert "What happens next: Maria Alvarez" in document and "by May 5, 2027" in document


def test_letters_state_the_decision_deadline_for_the_plan_type():
    text = docx_text(draft.draft(example_case("esketamine-medicare-denied"), kinds.get("appeal")).content)
    assert "within 60 days" in text and "405.9" in text


# --------------------------------------------------------------------------------------------------------------
# Issue 26 point 6: the decision time for the plan's own number of appeal levels (29 CFR 2560.503-1(i)(2)(ii)-(iii))


def _deadline_output(tmp_path, capsys, data: dict) -> str:
    from appeal.cli import main

    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["deadline", "--case", str(path)]) == 0
    return capsys.readouterr().out


POST_SERVICE_ERISA = {
    "insurance": {"plan_type": "employer_self_funded"},
    "treatment": {"dates_of_service": ["2026-09-01"]},
    "denial": {"notice_date": "2026-10-01", "received_date": "2026-10-05", "level_exhausted": "initial"},
    "history": [{"step": "internal_appeal", "sent": "2026-10-20", "method": "mail", "received": "2026-10-23"}],
}


def test_a_two_level_plan_prints_thirty_days_for_the_first_level_and_no_sixty_day_line(tmp_path, capsys):
    data = {**POST_SERVICE_ERISA, "insurance": {"plan_type": "employer_self_funded", "internal_appeal_levels": 2}}
    out = _deadline_output(tmp_path, capsys, data)
    # received October 23, 2026 + 30 days (29 CFR 2560.503-1(i)(2)(iii), each of two levels)
    assert "The plan must decide by November 22, 2026 (counted from October 23, 2026" in out
    assert "within 30 days after it receives it. This is the first level." in out
    assert "[erisa-internal-decision-post-service-two-levels-first]" in out and "29 CFR 2560.503-1(i)(2)(iii)" in out
    assert "60 days" not in out and "December 22, 2026" not in out and "Both decision times" not in out
    assert "If the answer is no: a second-level internal appeal" in out


def test_a_one_level_plan_prints_sixty_days_and_goes_on_to_external_review(tmp_path, capsys):
    data = {**POST_SERVICE_ERISA, "insurance": {"plan_type": "employer_self_funded", "internal_appeal_levels": "one"}}
    out = _deadline_output(tmp_path, capsys, data)
    assert "The plan must decide by December 22, 2026 (counted from October 23, 2026" in out  # + 60 days
    assert "[aca-internal-decision-post-service-one-level]" in out
    assert "two-levels" not in out and "November 22, 2026" not in out
    # no second level for this plan: a no on the appeal leads to the federal external review (self-funded)
    assert "If the answer is no: an independent external review" in out
    assert "Which external review: If your employer pays claims itself" in out and "29 CFR 2590.715-2719(d)" in out
    denied = Case.model_validate({**data, "denial": {**data["denial"], "level_exhausted": "first_internal"}})
    assert deadlines.report(denied, TODAY).step.step is dispute.Step.external_review


def test_an_unknown_number_of_levels_shows_both_times_and_says_why(tmp_path, capsys):
    out = _deadline_output(tmp_path, capsys, POST_SERVICE_ERISA)
    assert "The plan must decide by December 22, 2026" in out and "The plan must decide by November 22, 2026" in out
    assert "Note: Both decision times are shown because the case does not say whether the plan has one level" in out
    assert "insurance.internal_appeal_levels" in out
    steps = next_steps.as_text(next_steps.sections(Case.model_validate(POST_SERVICE_ERISA), [], TODAY))
    answer = steps[steps.index("WHEN THE PLAN MUST ANSWER"):steps.index("IF THE PLAN MISSES")]
    assert "within 60 days" in answer and "within 30 days" in answer and "Both decision times are shown" in answer


def test_a_wrong_number_of_levels_is_named_not_a_traceback(tmp_path, capsys):
    from appeal.cli import main

    path = tmp_path / "case.yaml"
    path.write_text("insurance:\n  plan_type: employer_self_funded\n  internal_appeal_levels: 3\n", encoding="utf-8")
    assert main(["deadline", "--case", str(path)]) != 0
    err = capsys.readouterr().err
    assert "insurance.internal_appeal_levels (line 3): '3' is not a number of appeal levels: write 1 or 2" in err
    assert "Traceback" not in err


def test_the_letter_cites_only_the_plans_own_decision_time_when_the_case_says():
    example = example_case("ketamine-trd-erisa-appeal")
    both = docx_text(draft.draft(example, kinds.get("appeal")).content)
    assert "Where the plan provides a single level of appeal" in both and "Where the plan provides two levels" in both
    example.insurance.internal_appeal_levels = "two"
    two = docx_text(draft.draft(example, kinds.get("appeal")).content)
    assert "Where the plan provides two levels" in two and "single level of appeal" not in two


# --------------------------------------------------------------------------------------------------------------
# Issue 26 point 5: the state's external review or the federal one (45 CFR 147.136(c), (d))

MARKETPLACE_FINAL = {
    "insurance": {"plan_type": "individual_marketplace"},
    "denial": {"notice_date": "2026-10-27", "received_date": "2026-10-30", "level_exhausted": "final_internal"},
}


def test_unknown_state_for_a_marketplace_plan_prints_the_state_and_federal_dates_with_reasons(tmp_path, capsys):
    out = _deadline_output(tmp_path, capsys, MARKETPLACE_FINAL)
    state = out.index("File by February 28, 2027")  # Oct 30 + 4 months, last day of the month (147.136(c))
    federal = out.index("File by March 1, 2027")  # first day of the fifth month (147.136(d)(2)(i))
    assert state < federal
    assert "If your state runs its own external review process" in out[state:federal]
    assert "[aca-external-review-filing-state]" in out[state:federal]
    assert "If your state does not run its own external review process" in out[federal:]
    assert "[aca-external-review-filing-federal]" in out[federal:]
    assert "Which external review: If your plan is insured" in out and "42 USC 300gg-19(a)(1)(B), (b)" in out
    assert "CMS decides whether a state's own process meets the federal standards" in out
    assert "add the state whose law governs the plan as insurance.state" in out
    assert "send it by the earlier date, February 28, 2027" in out
    assert out.count("has passed") + len(re.findall(r"Only \d+ days? left until", out)) <= 1  # one step, warned once


def test_a_known_state_names_its_insurance_department_and_still_shows_both(tmp_path, capsys):
    data = {**MARKETPLACE_FINAL, "insurance": {"plan_type": "individual_marketplace", "state": "tx"}}
    out = _deadline_output(tmp_path, capsys, data)
    assert "File by February 28, 2027" in out and "File by March 1, 2027" in out
    assert "Texas Department of Insurance (1-800-252-3439) can tell you too" in out
    assert "insurance.state" not in out


def test_a_self_funded_plan_has_only_the_federal_external_review():
    data = {**MARKETPLACE_FINAL, "insurance": {"plan_type": "employer_self_funded", "state": "TX"}}
    report = deadlines.report(Case.model_validate(data), TODAY)
    assert [item.rule.id for item in report.filing] == ["aca-external-review-filing-federal"]
    assert report.process_choice == []
    assert [rule.id for rule in report.process] == ["aca-self-funded-federal-external-review"]


def test_the_note_on_which_external_review_sits_with_the_step_it_is_about():
    """At the internal appeal, the note on the state's or the federal review explains the next step, so it is under
    'Which external review', not under the internal appeal's 'By when'; at external review it is under 'By when'."""
    case = example_case("ketamine-crps-marketplace-external-review").model_copy(deep=True)
    for level, home, away in (("initial", "Which external review", "By when"),
                              ("final_internal", "By when", "Which external review")):
        case.denial.level_exhausted = level
        found = {section.heading: " ".join(section.lines) for section in next_steps.sections(case, [], TODAY)}
        assert "Both are shown because which one applies depends on the state" in found[home], level
        assert "Both are shown" not in found.get(away, ""), level
