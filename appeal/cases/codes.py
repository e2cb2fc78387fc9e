"""Billing codes checked against the plan type and the date of service (`appeal/data/codes.yaml`).

A discontinued code is an error (the claim will be rejected); a code the plan type does not usually take is a
warning naming the usual one. Code never restates a code fact: they live, with their sources, in the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from appeal.base.language import long_date, translate as _
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
            problems.append(CodeProblem(field, code, True, _(
                "{code} ({descriptor}) was discontinued after {day}: use {new} for care given from then on.").format(
                code=code, descriptor=fact.descriptor, day=long_date(fact.valid_until), new=fact.replaced_by)))
        if fact.valid_from and min(dates) < fact.valid_from:
            problems.append(CodeProblem(field, code, True, _(
                "{code} ({descriptor}) starts on {day}: care given before then was billed under the earlier code.").format(
                code=code, descriptor=fact.descriptor, day=long_date(fact.valid_from))))
        if plan and ((fact.only_for and plan not in fact.only_for) or plan in fact.not_for):
            problems.append(CodeProblem(field, code, False, _(
                "{code} is not the usual code for this plan ({plan}); the usual code is {usual}. {why}. Check the "
                "plan's billing rules.").format(code=code, plan=_(plan.label), usual=fact.instead, why=_(fact.why))))
    return problems


def extract_whys(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for codes.yaml (babel.cfg): why a code is not the usual one for a plan, which
    `appeal check` and the draft's warnings say in the person's language (a code's descriptor stays as published)."""
    for code, fact in known_codes().items():
        if fact.why:
            yield 0, None, fact.why, [f"code {code}"]
