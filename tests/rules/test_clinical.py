"""One clinical rule: what the letter calls an adequate trial is what `appeal check` counts."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import example_case

from appeal.rules import clinical, readiness
from appeal.letters import kinds, letter_plan
from appeal.cases.case import ANTIDEPRESSANT_CLASSES, Response

TODAY = date(2026, 11, 27)
TRD_EXAMPLES = ["esketamine-medicare-denied", "esketamine-prior-auth-psychiatrist", "ketamine-trd-erisa-appeal"]
TRD_SENTENCE = "which meets the common definition of treatment-resistant depression"


def letter_and_check(case):
    letter = letter_plan.context_for(case, kinds.get(case.letter_kind), today=TODAY)["letter"]
    status = next(result.status for result in readiness.check(case, TODAY) if result.criterion.id == "trd_adequate_trials")
    return letter, status


@pytest.mark.parametrize("response", list(Response), ids=str)
@pytest.mark.parametrize("name", TRD_EXAMPLES)
def test_the_letter_claims_adequate_trials_only_when_the_check_counts_them(name, response):
    case = example_case(name)
    for trial in case.prior_treatments:
        if trial.drug_class in ANTIDEPRESSANT_CLASSES:
            trial.response = response
    letter, status = letter_and_check(case)
    text = " ".join(paragraph for section in letter.arguments for paragraph in section.paragraphs)
    adequate = letter.facts["adequate_in_episode"]
    assert adequate == clinical.adequate_trials(case, TODAY)
    if response in (Response.relapse, Response.intolerable):  # the issue: 'relapse' made the letter claim 4 trials
        assert adequate == [] and status is readiness.Status.not_met
    if status is readiness.Status.met:
        assert len(adequate) >= 2
    if case.denial and "not_medically_necessary" in case.denial.reasons:
        assert (TRD_SENTENCE in text) == (len(adequate) >= 2)


def test_a_trial_outside_the_current_episode_is_not_adequate():
    case = example_case("esketamine-medicare-denied")
    assert len(clinical.adequate_trials(case, TODAY)) >= 2
    for trial in case.prior_treatments:
        trial.current_episode = False
    assert clinical.adequate_trials(case, TODAY) == []
    letter, status = letter_and_check(case)
    assert letter.facts["adequate_in_episode"] == [] and status is readiness.Status.not_met
    assert letter.facts["on_label"] is False


def test_episode_from_dates_when_the_trial_does_not_say():
    case = example_case("esketamine-medicare-denied")
    trial = case.prior_treatments[0]
    trial.current_episode = None
    trial.start_date, trial.end_date = date(2020, 1, 1), date(2020, 6, 1)
    assert clinical.in_current_episode(case, trial, TODAY) is False
    trial.end_date = None
    assert clinical.in_current_episode(case, trial, TODAY) is True
    case.clinical.episode_start = None
    assert clinical.in_current_episode(case, trial, TODAY) is None
