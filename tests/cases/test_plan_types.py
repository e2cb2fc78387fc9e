"""Plan types are data (appeal/data/plan_types.yaml): every plan type of the case model has its entry, the entries
point at things that exist, and the code follows the data rather than naming plan types."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from conftest import example_case

from appeal.rules import deadlines, regulators
from appeal.letters import letter_plan, kinds
from appeal.output import packet
from appeal.cases import casefile, checks as case_checks, plan_types
from appeal.cases.case import Case, PlanType
from appeal.base.resources import load_data
from appeal.rules.dispute import Step
from appeal.rules.rule_book import all_rules

TODAY = date(2026, 11, 27)


def test_every_plan_type_of_the_case_model_has_an_entry_and_every_entry_is_one():
    assert set(plan_types.all_plan_types()) == {plan_type.value for plan_type in PlanType}


def test_each_entry_points_at_what_exists():
    agencies = load_data("regulators.yaml")
    named_by_rules = {plan_type for rule in all_rules() for plan_type in rule.plan_types}
    for name, data in plan_types.all_plan_types().items():
        assert data.steps and all(Step(item.step) for item in data.steps), name
        assert data.regulator in (None, *regulators.STATE_KINDS, *agencies["federal"]), name
        assert name in named_by_rules, f"no rule of rules.yaml reaches {name}: its letters would cite no right"
        for cue in data.notice_cues:
            re.compile(cue.pattern)


def test_a_case_without_a_plan_type_counts_as_other_but_still_shows_it_is_not_given():
    case = Case()
    assert case.insurance.plan_type is None  # so the questionnaire asks for it and a letter prints its blank
    assert case.insurance.coverage() == plan_types.of(PlanType.other)
    assert deadlines.report(case, TODAY).warnings[0].startswith("The plan type is not in the case")


def _with_changed(monkeypatch, name: str, **changes) -> None:
    """The data file as if `name`'s entry said `changes`."""
    changed = dict(plan_types.all_plan_types())
    changed[name] = changed[name].model_copy(update=changes)
    monkeypatch.setattr(plan_types, "all_plan_types", lambda: changed)


def test_the_member_id_label_is_the_plan_types_data(monkeypatch):
    case = Case(patient={"first_name": "Ana", "last_name": "Ruiz", "member_id": "XJ4471"},
                insurance={"plan_type": "individual_marketplace", "insurer": "Acme Health"})
    kind = kinds.get("prior-auth")
    labels = [line.label for line in letter_plan.context_for(case, kind, today=TODAY)["letter"].re_lines]
    assert "Member ID" in labels and packet.stamp_text(case, 2, 3)[0].startswith("Ana Ruiz")
    assert "Member ID XJ4471" in packet.stamp_text(case, 2, 3)[0]

    _with_changed(monkeypatch, "individual_marketplace",
                  member_id=plan_types.MemberId(label="Subscriber number", short="Sub. no."))
    labels = [line.label for line in letter_plan.context_for(case, kind, today=TODAY)["letter"].re_lines]
    assert "Subscriber number" in labels and "Member ID" not in labels
    assert "Sub. no. XJ4471" in packet.stamp_text(case, 2, 3)[0]


def test_presumed_mail_days_are_the_plan_types_data(monkeypatch):
    case = Case(insurance={"plan_type": "individual_marketplace"},
                denial={"level_exhausted": "initial", "reason": "experimental", "notice_date": "2026-11-01"})
    assert deadlines.report(case, TODAY).filing[0].start == date(2026, 11, 1)

    _with_changed(monkeypatch, "individual_marketplace", presumed_mail_days=7)
    counted = deadlines.report(case, TODAY).filing[0]
    assert counted.start == date(2026, 11, 8) and "plus 7 days" in counted.start_label


@pytest.mark.parametrize("plan_type", list(PlanType), ids=str)
def test_a_plan_type_has_a_regulator_or_says_why_not(plan_type):
    case = Case(insurance={"plan_type": plan_type.value})
    data = case.insurance.coverage()
    assert (regulators.for_case(case) is None) == (data.regulator is None)
    assert regulators.why_none(case) == " ".join((data.no_regulator or plan_types.of(None).no_regulator).split())


def test_of_equally_strong_notice_cues_the_plan_type_listed_first_wins():
    """Medicare Advantage is listed before Part D in plan_types.yaml, as its cue was in the code's own table."""
    from appeal.intake import notice_import, notice_text

    both = notice_import.extract(notice_text.from_string(
        "Notice of Denial of Medical Coverage\nThis is not a coverage determination for Part D drugs.\n"))
    found = both.found["plan_type"]
    assert found.value is PlanType.medicare_advantage and not found.certain
    assert found.why == "the notice also mentions Medicare Part D"


def test_a_case_naming_another_plan_types_own_papers_is_warned_field_by_field(tmp_path):
    # the daughter's Original Medicare case, with the plan type changed to Medicare Advantage after the answers
    case = example_case("esketamine-medicare-denied").model_copy(deep=True)
    assert case_checks.other_plan_types_words(case) == []  # its own plan type: nothing to say
    case.insurance.plan_type = "medicare_advantage"
    said = case_checks.other_plan_types_words(case)
    assert any(line.startswith("insurance.plan_name names 'Medicare Administrative Contractor'") for line in said)
    assert any(line.startswith("enclosures[2] names 'CMS-20027'") for line in said)
    assert any(line.startswith("enclosures[3] names 'Medicare Summary Notice'") for line in said)
    assert any(line.startswith("enclosures[5] names 'Advance Beneficiary Notice'") for line in said)
    assert all("insurance.plan_type is Medicare Advantage" in line for line in said)
    assert set(said) <= set(case_checks.warnings(case))  # what `check`, `draft` and the review screens print
    path = tmp_path / "ma.yaml"
    casefile.save(case, path, overwrite=False)
    result = subprocess.run([sys.executable, "-m", "appeal", "check", "--case", str(path)], capture_output=True,
                            text=True, cwd=tmp_path)
    assert "enclosures[3] names 'Medicare Summary Notice'" in result.stdout + result.stderr


def test_own_words_are_matched_as_whole_names_not_inside_other_words():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.enclosures = ["Machine-readable summary (MACHINE) of the ABNORMAL labs", "Letter from Dr. Mac Abney"]
    assert case_checks.other_plan_types_words(case) == []
    case.enclosures = ["Copy of the ABN I signed"]
    assert case_checks.other_plan_types_words(case)[0].startswith("enclosures[1] names 'ABN'")
