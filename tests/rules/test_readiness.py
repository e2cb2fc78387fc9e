"""Readiness: each payer criterion is marked met, not met or unknown correctly, and says what to add."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from conftest import EXAMPLES, example_case

from appeal.rules import readiness
from appeal.cases.case import Case
from appeal.rules.readiness import Status

TODAY = date(2026, 11, 27)

# An esketamine request that meets every criterion.
READY = {
    "sender": {"role": "provider", "name": "A. Doctor", "credentials": "MD", "specialty": "Psychiatry"},
    "patient": {"date_of_birth": "1980-05-01"},
    "treatment": {"kind": "esketamine_nasal", "facility": "Lakeside Psychiatry (SPRAVATO REMS-certified)"},
    "diagnoses": [{"code": "F33.2"}],
    "clinical": {
        "episode_start": "2025-01-01",
        "substance_use_screened": True,
        "scores": [{"instrument": "madrs", "value": 34, "date": "2026-10-01"}],
    },
    "prior_treatments": [
        {"name": "sertraline", "drug_class": "ssri", "adequate_weeks": 10, "response": "none", "current_episode": True},
        {
            "name": "duloxetine",
            "drug_class": "snri",
            "adequate_weeks": 8,
            "response": "partial",
            "current_episode": True,
        },
    ],
}


def case_from(changes: dict | None = None, base: dict = READY) -> Case:
    data = copy.deepcopy(base)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return Case.model_validate(data)


def results(case: Case) -> dict[str, readiness.Result]:
    return {result.criterion.id: result for result in readiness.check(case, today=TODAY)}


def test_every_criterion_in_the_data_has_a_check_and_a_source():
    criteria = readiness.all_criteria()
    assert len(criteria) >= 7
    assert len({criterion.id for criterion in criteria}) == len(criteria)
    for criterion in criteria:
        assert criterion.source.strip() and criterion.when_unknown.strip() and criterion.description.strip()
        assert "policy number" not in criterion.source.lower()


def first_request_criteria() -> set[str]:
    """Every criterion for esketamine (READY's treatment) but those for continuing a treatment already started."""
    return {criterion.id for criterion in readiness.all_criteria()
            if not criterion.continuing and "esketamine_nasal" in criterion.applies_to.treatments}


def test_a_ready_case_meets_every_criterion():
    found = results(case_from())
    assert set(found) == first_request_criteria()
    assert {criterion: result.status for criterion, result in found.items() if result.status is not Status.met} == {}
    assert "age 46" in found["adult"].detail
    assert "sertraline" in found["trd_adequate_trials"].detail and "duloxetine" in found["trd_adequate_trials"].detail
    assert "Psychiatry" in found["psychiatric_prescriber"].detail
    assert "MADRS 34" in found["severity_documented"].detail


def test_a_case_with_nothing_known_is_unknown_everywhere_and_says_what_to_add():
    found = results(Case.model_validate({"treatment": {"kind": "esketamine_nasal"}}))
    assert set(found) == first_request_criteria()
    assert {result.status for result in found.values()} == {Status.unknown}
    assert "patient.date_of_birth" in found["adult"].detail
    assert "diagnoses" in found["depression_diagnosis"].detail
    assert "prior_treatments" in found["trd_adequate_trials"].detail
    assert "clinical.substance_use_screened" in found["substance_use_screened"].detail
    assert "clinical.scores" in found["severity_documented"].detail
    assert "treatment.facility" in found["rems_certified_setting"].detail


SERTRALINE = READY["prior_treatments"][0]
SSRI_SHORT = {**SERTRALINE, "name": "fluoxetine", "adequate_weeks": 4}
SECOND_SSRI = {**SERTRALINE, "name": "escitalopram", "adequate_weeks": 8}
THERAPY_ONLY = [{"name": "CBT", "drug_class": "psychotherapy"}]


@pytest.mark.parametrize(
    ("criterion", "changes", "in_detail"),
    [
        ("adult", {"patient.date_of_birth": "2010-12-01"}, "age 15"),
        ("trd_adequate_trials", {"prior_treatments": [SERTRALINE, SSRI_SHORT]}, "4 weeks at an adequate dose"),
        ("trd_adequate_trials", {"prior_treatments": [SERTRALINE, SECOND_SSRI]}, "same class count once"),
        (
            "trd_adequate_trials",
            {"prior_treatments": [SERTRALINE, {**SECOND_SSRI, "drug_class": "snri", "response": "intolerable"}]},
            "intolerable side effects",
        ),
        (
            "trd_adequate_trials",
            {"prior_treatments": [SERTRALINE, {**SECOND_SSRI, "drug_class": "snri", "current_episode": False}]},
            "not in the current episode",
        ),
        ("trd_adequate_trials", {"prior_treatments": THERAPY_ONLY}, "No antidepressant"),
        ("depression_diagnosis", {"diagnoses": [{"code": "R45.851"}]}, "R45.851"),
        ("psychiatric_prescriber", {"sender.specialty": "Family medicine"}, "do not show psychiatry"),
        ("substance_use_screened", {"clinical.substance_use_screened": False}, "is no"),
    ],
)
def test_a_case_that_fails_a_criterion_is_not_met(criterion, changes, in_detail):
    result = results(case_from(changes))[criterion]
    assert result.status is Status.not_met
    assert in_detail in result.detail


@pytest.mark.parametrize(
    ("criterion", "changes", "in_detail"),
    [
        ("adult", {"patient.date_of_birth": None}, "patient.date_of_birth"),
        ("trd_adequate_trials", {"prior_treatments": []}, "prior_treatments"),
        (
            "trd_adequate_trials",
            {"prior_treatments": [SERTRALINE, {"name": "duloxetine", "drug_class": "snri", "response": "none"}]},
            "prior_treatments[1].adequate_weeks, prior_treatments[1].current_episode",
        ),
        (
            "trd_adequate_trials",
            {"prior_treatments": [SERTRALINE, {"name": "nortriptyline"}]},
            "prior_treatments[1].drug_class",
        ),
        ("psychiatric_prescriber", {"sender.specialty": None, "sender.credentials": None}, "sender.specialty"),
        ("psychiatric_prescriber", {"sender": {"role": "patient"}}, "does not sign"),
        ("substance_use_screened", {"clinical.substance_use_screened": None}, "clinical.substance_use_screened"),
        ("severity_documented", {"clinical.scores": [{"instrument": "gad7", "value": 12}]}, "clinical.scores"),
        ("rems_certified_setting", {"treatment.facility": None}, "treatment.facility"),
        ("rems_certified_setting", {"treatment.facility": "Main Street Clinic"}, "does not say it is SPRAVATO REMS"),
    ],
)
def test_missing_data_is_unknown_and_names_the_field(criterion, changes, in_detail):
    result = results(case_from(changes))[criterion]
    assert result.status is Status.unknown
    assert in_detail in result.detail


def test_psychiatric_credentials_count_without_a_specialty():
    found = results(case_from({"sender.specialty": None, "sender.credentials": "PMHNP-BC"}))
    assert found["psychiatric_prescriber"].status is Status.met


@pytest.mark.parametrize("specialty", ["psiquiatra", "Psiquiatría"])
def test_a_prescribers_specialty_typed_in_spanish_counts(specialty):
    """A Spanish speaker typed 'psiquiatra' and read 'Dra. Elena Ruiz es psiquiatra, no un profesional de psiquiatría'."""
    case = case_from({"sender": {"role": "patient"}})
    case.treatment.prescriber_specialty = specialty
    assert results(case)["psychiatric_prescriber"].status is Status.met


def test_a_trial_dated_inside_the_episode_counts_without_the_current_episode_flag():
    undated_flag = {"name": "duloxetine", "drug_class": "snri", "adequate_weeks": 8, "response": "none"}
    inside = {**undated_flag, "start_date": "2025-03-01", "end_date": "2025-06-01"}
    before = {**undated_flag, "start_date": "2023-03-01", "end_date": "2023-06-01"}
    assert results(case_from({"prior_treatments": [SERTRALINE, inside]}))["trd_adequate_trials"].status is Status.met
    outside = results(case_from({"prior_treatments": [SERTRALINE, before]}))["trd_adequate_trials"]
    assert outside.status is Status.not_met


def test_only_criteria_for_the_treatment_and_condition_apply():
    crps = case_from({"treatment": {"kind": "iv_ketamine"}, "diagnoses": [{"code": "G90.512"}]})
    assert set(results(crps)) == {"adult", "substance_use_screened", "pain_diagnosis", "pain_standard_treatments"}
    iv_depression = results(case_from({"treatment": {"kind": "iv_ketamine"}}))
    assert "rems_certified_setting" not in iv_depression and "trd_adequate_trials" in iv_depression
    assert readiness.check(case_from({"treatment": {"kind": "other", "name": "TMS"}}), today=TODAY) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_gets_a_result_with_a_detail_for_each_applicable_criterion(name):
    for result in readiness.check(example_case(name), today=TODAY):
        assert result.detail.strip()
        assert result.status in Status


def madrs(*pairs: tuple[int, str]) -> list[dict]:
    return [{"instrument": "madrs", "value": value, "date": day} for value, day in pairs]


def test_a_request_to_continue_is_checked_for_a_response_on_the_same_scale():
    started = {"treatment.start_date": "2026-09-15"}
    found = results(case_from({**started, "clinical.scores": madrs((34, "2026-09-10"), (15, "2026-11-01"))}))
    assert found["response_on_treatment"].status is Status.met
    assert "MADRS 34 (2026-09-10) to 15 (2026-11-01), 56% lower: a response" in found["response_on_treatment"].detail
    found = results(case_from({**started, "clinical.scores": madrs((34, "2026-09-10"), (10, "2026-11-01"))}))
    assert "in remission (12 or less)" in found["response_on_treatment"].detail
    found = results(case_from({**started, "clinical.scores": madrs((34, "2026-09-10"), (20, "2026-11-01"))}))
    assert found["response_on_treatment"].status is Status.not_met
    assert "short of a response" in found["response_on_treatment"].detail
    # one rating since the start, none before it on the same scale: what to add
    found = results(case_from({**started, "clinical.scores": madrs((20, "2026-11-01"))}))
    assert found["response_on_treatment"].status is Status.unknown
    assert "before treatment.start_date" in found["response_on_treatment"].detail
    # a first request (nothing rated since a start) is not asked for a response
    assert "response_on_treatment" not in results(case_from({"clinical.scores": madrs((34, "2026-09-10"),
                                                                                       (20, "2026-11-01"))}))


def test_a_patient_names_the_prescriber_s_specialty_and_the_criterion_is_decided():
    from appeal.rules import readiness
    from appeal.cases.case import Case

    def status(specialty):
        case = Case.model_validate({"sender": {"role": "patient"}, "treatment": {
            "kind": "iv_ketamine", "prescriber": "Dr. Lee", "prescriber_specialty": specialty},
            "diagnoses": [{"code": "F33.2"}]})
        return next((r.status.value, r.detail) for r in readiness.check(case) if r.criterion.id == "psychiatric_prescriber")

    assert status("psychiatrist") == ("met", "treatment.prescriber_specialty: the prescriber, Dr. Lee, is a psychiatrist.")
    assert status("family doctor")[0] == "not_met" and "not a psychiatric clinician" in status("family doctor")[1]
    assert status(None)[0] == "unknown"
