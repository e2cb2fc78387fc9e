"""Where a dispute stands: the one calculator of steps that letters, `appeal deadline`, `appeal next-steps` and
the questionnaire all ask, so they cannot disagree.

The steps of a dispute per plan type are data (each plan type's `steps:` in appeal/data/plan_types.yaml). A
case's position is read from its denial (`denial.level_exhausted`): no denial means the initial request;
otherwise the next step to file is the one after the last level decided, skipping levels this plan type does
not have (a Marketplace plan has one internal level, so after it comes external review; Medicaid fee-for-service
goes straight to a fair hearing). An employer plan may have one internal level or two: when the case says it has
one (`insurance.internal_appeal_levels`), its second level is not a step of this case.

    position(case)            -> Position: the step to file now, the one after it, or none left
    steps_for(plan_type)      -> every step of that plan type, in order
    case_steps(case)          -> the steps of this case's plan (without a second level the plan does not have)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from appeal.base.letter_language import LN_
from appeal.cases import plan_types
from appeal.cases.case import Case, PlanType, ReviewLevel


class Step(StrEnum):
    initial_request = "initial_request"
    internal_appeal = "internal_appeal"
    second_internal_appeal = "second_internal_appeal"
    external_review = "external_review"
    fair_hearing = "fair_hearing"
    later_levels = "later_levels"


@dataclass(frozen=True)
class StepInfo:
    step: Step
    name: str
    title: str = "Appeal"  # what the request is called, for the letter's Re: line


@lru_cache(maxsize=1)
def _steps() -> dict[str, tuple[StepInfo, ...]]:
    return {
        name: tuple(StepInfo(Step(item.step), item.name, item.title) for item in data.steps)
        for name, data in plan_types.all_plan_types().items()
    }


def steps_for(plan_type: PlanType | None) -> tuple[StepInfo, ...]:
    """Every step of that plan type's dispute, in order (a plan type not given: `other`'s)."""
    return _steps()[plan_types.of(plan_type).name]


def has_second_level(plan_type: PlanType | None) -> bool:
    """Whether plans of this type may have a second internal appeal level (so a case may say how many it has)."""
    return any(info.step is Step.second_internal_appeal for info in steps_for(plan_type))


def case_steps(case: Case) -> tuple[StepInfo, ...]:
    """The steps of this case's plan: its plan type's, without the second internal level when the case says the
    plan has one level (29 CFR 2560.503-1(c)(2) lets an employer plan require one or two)."""
    steps = steps_for(case.insurance.plan_type)
    if not has_second_level(case.insurance.plan_type):
        return steps
    levels = case.insurance.internal_appeal_levels
    if levels is not None and levels.value == "one":
        return tuple(info for info in steps if info.step is not Step.second_internal_appeal)
    return steps


_INTERNAL = {Step.internal_appeal, Step.second_internal_appeal}


def next_step_index(case: Case) -> int | None:
    """The index (in case_steps) of the step to file next, or None when the steps are used up."""
    steps = case_steps(case)
    level = case.denial.level_exhausted if case.denial else None
    if level in (None, ReviewLevel.initial):
        index = 0
    elif level is ReviewLevel.first_internal:
        index = next((n for n, s in enumerate(steps) if s.step is Step.second_internal_appeal), None)
        if index is None:  # one internal level only: the next step is whatever follows it
            index = next((n for n, s in enumerate(steps) if s.step not in _INTERNAL), len(steps))
    elif level is ReviewLevel.final_internal:
        index = next((n for n, s in enumerate(steps) if s.step not in _INTERNAL), len(steps))
    else:  # external review decided
        index = next((n for n, s in enumerate(steps) if s.step is Step.later_levels), len(steps))
    return index if index < len(steps) else None


@dataclass(frozen=True)
class Position:
    """Where a case stands. `current` is the step to file now (None: none left, or no denial yet);
    `following` is the one after it."""

    plan_type: PlanType
    steps: tuple[StepInfo, ...]
    requested: bool  # True before any decision: the initial request is what is pending
    index: int | None

    @property
    def current(self) -> StepInfo | None:
        return None if self.requested or self.index is None else self.steps[self.index]

    @property
    def following(self) -> StepInfo | None:
        if self.requested:
            return self.steps[0] if self.steps else None
        if self.index is None or self.index + 1 >= len(self.steps):
            return None
        return self.steps[self.index + 1]

    @property
    def step(self) -> Step | None:
        """The step of the dispute the case is at: the initial request, the step to file, or None (used up)."""
        if self.requested:
            return Step.initial_request
        return self.current.step if self.current else None


def position(case: Case) -> Position:
    plan_type = PlanType(case.insurance.coverage().name)
    requested = case.denial is None
    if requested:  # the request is pending: its steps are the plan type's (the number of levels matters later)
        return Position(plan_type, steps_for(plan_type), True, None)
    return Position(plan_type, case_steps(case), False, next_step_index(case))


def request_title(case: Case) -> str:
    """What the request a letter makes is called for this plan at this step: 'Request for redetermination'..."""
    current = position(case).current
    return current.title if current else LN_("Appeal")
