"""Every appeal names the rule that makes it timely (issue 26): for each kind that answers a denial by starting a
step after it, and each plan type whose dispute has that step, the drafted letter is opened and its rights section
read for the filing rule's citation and sentence."""

from __future__ import annotations

import pytest
from conftest import docx_text, example_case

from appeal.cases.case import PlanType
from appeal.letters import draft, kinds, letter_rules
from appeal.rules import dispute
from appeal.rules.rule_book import Topic, select

APPEAL_KINDS = [kind for kind in kinds.all_kinds().values()
                if kind.needs_denial and kind.starts in ("next", "external_review")]
# the denial an appeal of each kind answers: an internal appeal the first one, an external review the final one
ANSWERS = {"next": "initial", "external_review": "final_internal"}
# (kind, plan type) where no filing rule is named yet, and why; every other pair must name one
NOT_YET = {
    # Part D's ALJ window (42 CFR 423.2002) was seen only in CFR mirrors, and Medicare.gov counts it from the date of
    # the IRE's decision while the mirrors count from receipt: no sentence until a primary text settles it
    ("external-review", "medicare_part_d"),
}
# the four letters the audit found silent, with the citation each must now give
AUDITED = {
    "medicare_original": "42 CFR 405.942(a)", "medicaid_managed_care": "42 CFR 438.402(c)(2)",
    "medicare_advantage": "42 CFR 422.582(b)", "tricare": "32 CFR 199.10",
}


def _pairs():
    for kind in APPEAL_KINDS:
        for plan in PlanType:
            if plan is PlanType.other:
                continue
            case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
            case.insurance.plan_type = plan
            case.denial.level_exhausted = ANSWERS[kind.starts]
            step = letter_rules.letter_step(case, kind)
            if step in {info.step for info in dispute.steps_for(plan)}:
                yield pytest.param(kind, case, id=f"{kind.name}-{plan.value}")


@pytest.mark.parametrize(("kind", "case"), list(_pairs()))
def test_every_appeal_letter_names_its_filing_rule(kind, case):
    plan, step = case.insurance.plan_type.value, letter_rules.letter_step(case, kind)
    text = " ".join(docx_text(draft.draft(case, kind).content).split())
    named = letter_rules.timely_by(case, kind, step)
    if (kind.name, plan) in NOT_YET:
        assert named == []
        return
    assert named, f"{kind.name} for {plan}: no filing rule with a letter sentence at {step.value}"
    assert {rule.id for rule in named} <= {rule.id for rule in select(case, step, {Topic.filing_deadline})}
    for rule in named:
        assert rule.citation.split(";")[0].split("(")[0].strip() in text and " ".join(rule.letter_text.split()) in text
    if plan in AUDITED and kind.starts == "next":
        assert AUDITED[plan] in text


def test_the_filing_rule_comes_first_and_only_in_appeals():
    case = example_case("ketamine-trd-erisa-appeal")
    appeal = kinds.get("appeal")
    assert letter_rules.for_letter(case, appeal)[0].id == "aca-internal-appeal-filing-window"
    text = " ".join(docx_text(draft.draft(case, appeal).content).split())
    assert "29 CFR 2560.503-1(h)(3)(i) requires the plan to allow at least 180 days following receipt" in text
    for name in ("medical-necessity", "prior-auth", "reimbursement"):
        assert "aca-internal-appeal-filing-window" not in {rule.id for rule in letter_rules.for_letter(case, name)}


def test_an_insured_plans_external_review_names_both_processes_each_with_when_it_applies():
    """The state or the federal external review: the tool cannot tell which one the state runs, so the letter names
    both rules, each sentence saying when it applies, instead of naming neither or guessing."""
    for plan in (PlanType.employer_fully_insured, PlanType.individual_marketplace):
        case = example_case("ketamine-crps-marketplace-external-review").model_copy(deep=True)
        case.insurance.plan_type = plan
        text = " ".join(docx_text(draft.draft(case, kinds.get("external-review")).content).split())
        assert "Under 45 CFR 147.136(d)(2)(i), a request for external review may be filed within four months" in text
        assert "Where a State external review process applies, 45 CFR 147.136(c) requires it to allow at least four" \
            " months" in text
    case.insurance.plan_type = PlanType.employer_self_funded  # the federal process only
    text = " ".join(docx_text(draft.draft(case, kinds.get("external-review")).content).split())
    assert "147.136(d)(2)(i)" in text and "Where a State external review process applies" not in text


def test_a_medicare_hearing_request_names_its_own_rule():
    case = example_case("esketamine-medicare-denied").model_copy(deep=True)
    case.denial.level_exhausted = "final_internal"
    for plan, rule in ((PlanType.medicare_advantage, "Under 42 CFR 422.602(b), a request for an ALJ hearing"),
                       (PlanType.medicare_original, "Under 42 CFR 405.1002(a), a request for an ALJ hearing")):
        case.insurance.plan_type = plan
        text = " ".join(docx_text(draft.draft(case, kinds.get("external-review")).content).split())
        assert rule in text
