"""Deadlines for every plan type, from fixed dates, with the rule that sets each one; and the rules' sources."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
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
    # one external-review date for an insured plan: the state process, with the federal one named in a note; at
    # month-end it gets the safe last day of February, never the federal first-of-next-month a day later
    ("individual_marketplace", "final_internal", "2025-10-27", "2025-10-30", [("aca-external-review-filing-state", "2026-02-28")]),
    # leap year: Oct 29 + 4 months is Feb 29 in 2024
    ("individual_marketplace", "final_internal", "2023-10-25", "2023-10-29", [("aca-external-review-filing-state", "2024-02-29")]),
    ("individual_marketplace", "final_internal", "2023-10-25", "2023-10-31", [("aca-external-review-filing-state", "2024-02-29")]),
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
    assert any("Only 3 day(s) left" in warning for warning in close.warnings)


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
