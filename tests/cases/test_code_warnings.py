"""The billing-code checks (appeal/cases/codes.py) say each problem in the reader's language: a discontinued code
with its date and the code that replaced it, a Medicare-only code on another plan with why."""

from __future__ import annotations

from datetime import date

from appeal.base import language
from appeal.cases import codes
from conftest import example_case


def _case(code: str, plan: str):
    case = example_case("esketamine-prior-auth-psychiatrist")
    data = case.model_dump(mode="json")
    data["treatment"]["codes"] = [{"code": code}]
    data["insurance"]["plan_type"] = plan
    return type(case).model_validate(data)


def test_code_problems_in_english_and_in_spanish():
    old, medicare_only = _case("S0013", "employer_fully_insured"), _case("G2082", "employer_fully_insured")
    today = date(2026, 12, 1)
    english = [str(problem) for case in (old, medicare_only) for problem in codes.check(case, today)]
    assert any("was discontinued after December 31, 2025: use J0013" in line for line in english)
    assert any("G2082 is not the usual code for this plan" in line and "Check the plan's billing rules." in line
               for line in english)
    language.choose("es")
    try:
        spanish = [str(problem) for case in (old, medicare_only) for problem in codes.check(case, today)]
    finally:
        language.choose(None)
    assert any("dejó de usarse después del 31 de diciembre de 2025: use J0013" in line for line in spanish)
    assert any("G2082 no es el código habitual para este plan" in line and "son códigos de Medicare" in line
               and "Revise las reglas de facturación del plan." in line for line in spanish)
