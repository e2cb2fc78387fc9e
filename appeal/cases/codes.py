"""Billing codes checked against the plan type and the date of service (`appeal/data/codes.yaml`).

A discontinued code is an error (the claim will be rejected); a code the plan type does not usually take is a
warning naming the usual one. Code never restates a code fact: they live, with their sources, in the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from appeal.base.resources import load_data
from appeal.cases.case import Case, PlanType


class CodeFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    descriptor: str
    valid_from: date | None = None
    valid_until: date | None = None
    replaced_by: str | None = None
    only_for: list[PlanType] = []
    not_for: list[PlanType] = []
    instead: str | None = None
    why: str | None = None
    source: str
    verified: str
    checked: date


@dataclass(frozen=True)
class CodeProblem:
    field: str
    code: str
    error: bool
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@lru_cache(maxsize=1)
def known_codes() -> dict[str, CodeFact]:
    data = load_data("codes.yaml")
    return {code: CodeFact.model_validate(fact) for code, fact in data.items()}


def _service_dates(case: Case, today: date) -> list[date]:
    """The dates the codes are billed for: the dates of service, else the planned start, else today."""
    treatment = case.treatment
    dates = list(treatment.dates_of_service) + [line.date for line in treatment.services if line.date]
    if not dates and treatment.start_date:
        dates = [treatment.start_date]
    return dates or [today]


def _codes(case: Case) -> list[tuple[str, str]]:
    found = [(f"treatment.codes[{n}]", item.code) for n, item in enumerate(case.treatment.codes)]
    for n, line in enumerate(case.treatment.services):
        found += [(f"treatment.services[{n}].codes[{m}]", code) for m, code in enumerate(line.codes)]
    return found


def check(case: Case, today: date | None = None) -> list[CodeProblem]:
    today = today or date.today()
    dates = _service_dates(case, today)
    plan = case.insurance.plan_type
    problems: list[CodeProblem] = []
    for field, raw in _codes(case):
        code = raw.strip().upper()
        fact = known_codes().get(code)
        if fact is None:
            continue
        if fact.valid_until and max(dates) > fact.valid_until:
            problems.append(CodeProblem(field, code, True, (
                f"{code} ({fact.descriptor}) was discontinued after {fact.valid_until:%B} {fact.valid_until.day}, "
                f"{fact.valid_until.year}: use {fact.replaced_by} for care given from then on.")))
        if fact.valid_from and min(dates) < fact.valid_from:
            problems.append(CodeProblem(field, code, True, (
                f"{code} ({fact.descriptor}) starts on {fact.valid_from:%B} {fact.valid_from.day}, "
                f"{fact.valid_from.year}: care given before then was billed under the earlier code.")))
        if plan and ((fact.only_for and plan not in fact.only_for) or plan in fact.not_for):
            problems.append(CodeProblem(field, code, False, (
                f"{code} is not the usual code for this plan ({plan.label}); the usual code is {fact.instead}. "
                f"{fact.why}. Check the plan's billing rules.")))
    return problems
