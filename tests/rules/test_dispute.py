"""One dispute-step calculator: the letter, `appeal deadline` and `appeal next-steps` agree on every plan type
and every level already decided."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import EXAMPLES, example_case

from appeal.rules import deadlines, dispute, next_steps
from appeal.letters import kinds, letter_plan
from appeal.cases.case import Case, PlanType, ReviewLevel
from appeal.rules.dispute import Step
from appeal.letters.letter_rules import for_letter, letter_step

TODAY = date(2026, 11, 27)
LEVELS = [None, *ReviewLevel]
# Plan types whose first dispute step has rules written for a letter (rules.yaml `letters:`); the others
# (VA, TRICARE, 'other') have only filing rules, which `appeal deadline` prints and the letter does not.
CITED_AT_FIRST_STEP = set(PlanType) - {PlanType.va, PlanType.tricare, PlanType.other}


def case(plan_type: PlanType, level: ReviewLevel | None) -> Case:
    denial = {"reason": "experimental", "notice_date": "2026-11-01", "received_date": "2026-11-03"}
    if level is not None:
        denial["level_exhausted"] = level.value
    return Case(insurance={"plan_type": plan_type.value}, denial=denial)


@pytest.mark.parametrize("level", LEVELS, ids=str)
@pytest.mark.parametrize("plan_type", list(PlanType), ids=str)
def test_letter_deadline_and_next_steps_agree(plan_type, level):
    disputed = case(plan_type, level)
    where = dispute.position(disputed)
    report = deadlines.report(disputed, TODAY)
    appeal = kinds.get(kinds.DEFAULT_FOR_DENIAL)
    assert report.step == where.current and report.next_step == where.following
    assert letter_step(disputed, appeal) == (report.step.step if report.step else None)
    rights = for_letter(disputed, appeal)
    assert all(rule.step is report.step.step for rule in rights), [rule.id for rule in rights]
    letter = letter_plan.context_for(disputed, appeal, today=TODAY)["letter"]
    assert letter.request_title == (report.step.title if report.step else "Appeal")
    text = next_steps.as_text(next_steps.sections(disputed, [], TODAY))
    if report.step is None:
        assert "used every appeal step" in text and letter.rights == []
    if report.next_step:
        assert f"The next step is {report.next_step.name}." in text
    if report.step and report.step.step in (Step.internal_appeal, Step.fair_hearing) and plan_type in CITED_AT_FIRST_STEP:
        assert letter.rights, "the letter cites the rules of the step the deadline is counted for"


def test_the_two_disagreements_of_the_issue_are_gone():
    marketplace = case(PlanType.individual_marketplace, ReviewLevel.first_internal)
    assert deadlines.report(marketplace, TODAY).step.step is Step.external_review
    ids = [rule.id for rule in for_letter(marketplace, kinds.get("appeal"))]
    assert "aca-external-review-decision-standard" in ids
    medicaid = case(PlanType.medicaid_ffs, ReviewLevel.initial)
    assert deadlines.report(medicaid, TODAY).step.step is Step.fair_hearing
    assert "medicaid-ffs-hearing-decision" in [rule.id for rule in for_letter(medicaid, kinds.get("appeal"))]


def test_each_kind_starts_the_step_its_description_names():
    denied = case(PlanType.employer_self_funded, ReviewLevel.initial)
    assert letter_step(denied, kinds.get("prior-auth")) is Step.initial_request
    assert letter_step(denied, kinds.get("appeal")) is Step.internal_appeal
    assert letter_step(denied, kinds.get("external-review")) is Step.external_review
    assert letter_step(denied, kinds.get("claim-file-request")) is None
    assert letter_step(Case(), kinds.get("appeal")) is Step.initial_request
    assert dispute.position(Case()).step is Step.initial_request and dispute.position(Case()).current is None


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_agrees(name):
    example = example_case(name)
    kind = kinds.get(example.letter_kind)
    step = letter_step(example, kind)
    assert all(rule.step is step for rule in for_letter(example, kind) if kind.starts != "none")
    report = deadlines.report(example, TODAY)
    if example.denial is not None and kind.starts == "next":
        assert step is report.step.step
