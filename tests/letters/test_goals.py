"""Goal-driven questions: the chosen letter, its arguments and the coverage criteria decide what is asked."""

from __future__ import annotations

from datetime import date

import pytest

from appeal.rules import clinical, readiness
from appeal.letters import goals, letter_plan
from appeal.intake import questions
from appeal.cases.case import Case
from appeal.rules.readiness import Criterion, Status

START_DATE = "treatment.start_date"


def patient_appeal() -> questions.Context:
    case = Case.model_validate({
        "letter_kind": "appeal",
        "sender": {"role": "patient"},
        "insurance": {"plan_type": "employer_self_funded"},
        "treatment": {"kind": "iv_ketamine"},
        "denial": {"reason": "experimental"},
    })
    return questions.Context(case, {"situation": "denial"})


def entry(path: str) -> questions.Entry:
    return next(item for item in questions.every_question() + questions.QUESTIONS if item.key == path)


def test_the_criteria_and_the_template_bring_in_the_strong_letter_facts_for_a_patient():
    ctx = patient_appeal()
    needed = ctx.goals()
    # the criteria first, in criteria.yaml's order: the most important facts are asked about first
    assert needed[:2] == ["patient.date_of_birth", "prior_treatments"]
    for path in ("clinical.scores", "clinical.substance_use_screened", "prior_treatments[].current_episode",
                 "denial.level_exhausted", "clinical.functional_impairment"):
        assert path in needed
        assert questions.applies(entry(path), ctx), path
    # a question of the provider's own stays with its when:, however much a criterion wants the specialty
    assert "sender.specialty" in needed and not questions.applies(entry("sender.specialty"), ctx)
    # a fact this letter never uses is not asked, nor one the answers rule out (no "why urgent" when it is not)
    assert not questions.applies(entry(START_DATE), ctx)
    assert "treatment.urgency_reason" in needed and not questions.applies(entry("treatment.urgency_reason"), ctx)


NOTES = "clinical.provider_notes"  # asked of providers; no argument or criterion reads it (the letter prints it)


def test_a_new_criterion_that_needs_a_fact_makes_the_questionnaire_ask_for_it(monkeypatch):
    ctx = patient_appeal()
    assert not questions.applies(entry(NOTES), ctx)
    new = Criterion(id="starts_soon", title="The treatment starts within 30 days",
                    applies_to={"treatments": ["iv_ketamine"], "conditions": ["treatment_resistant_depression"]},
                    description="x", when_unknown="Add clinical.provider_notes.", needs=[NOTES], source="x",
                    checked=date(2026, 11, 29))
    existing = readiness.all_criteria()
    monkeypatch.setattr(readiness, "all_criteria", lambda: (*existing, new))
    monkeypatch.setitem(readiness._CHECKS, "starts_soon", lambda case, today: (Status.unknown, None))
    goals.forget()
    try:
        assert questions.applies(entry(NOTES), patient_appeal())
    finally:
        goals.forget()


def test_a_new_argument_that_reads_a_case_field_makes_the_questionnaire_ask_for_it(monkeypatch):
    library = {key: dict(value) for key, value in letter_plan.argument_wordings().items()}
    library["experimental"]["paragraphs"] = [
        *library["experimental"]["paragraphs"],
        {"when": "case.clinical.provider_notes", "text": "{{ case.clinical.provider_notes }}"},
    ]
    assert not questions.applies(entry(NOTES), patient_appeal())
    monkeypatch.setattr(letter_plan, "argument_wordings", lambda: library)
    goals.forget()
    try:
        assert questions.applies(entry(NOTES), patient_appeal())
    finally:
        goals.forget()


def test_a_criterion_naming_a_field_the_case_does_not_have_is_refused():
    with pytest.raises(ValueError, match="clinical.mood_score"):
        Criterion(id="x", title="x", applies_to={"treatments": ["iv_ketamine"], "conditions": ["ptsd"]},
                  description="x", when_unknown="x", needs=["clinical.mood_score"], source="x", checked=date(2026, 1, 1))


def asked_order(ctx: questions.Context) -> list[str]:
    return [item.key for item in questions.asking_order(ctx)]


def test_only_what_the_letter_uses_is_asked_and_the_case_s_facts_come_first_in_criteria_order(monkeypatch):
    order = asked_order(patient_appeal())
    # the opening and the basics keep the file's order, ahead of everything else
    assert order[:4] == ["sender.role", "@situation", "denial.level_exhausted", "letter_kind"]  # the level first: it picks the letter
    assert order.index("insurance.insurer") < order.index("denial.reason") < order.index("prior_treatments")
    # the facts that settle a criterion, in criteria.yaml's order, before what is at stake and the nice-to-haves
    ranked = ["prior_treatments", "treatment.prescriber_specialty", "clinical.substance_use_screened",
              "clinical.scores", "clinical.functional_impairment", "clinical.if_denied", "treatment.facility",
              "enclosures"]
    assert [order.index(path) for path in ranked] == sorted(order.index(path) for path in ranked)
    # a question whose `when:` holds but whose field no part of this letter reads is not asked
    ctx = patient_appeal()
    for unused in ("insurance.employer", "clinical.illness_years", NOTES):
        assert entry(unused).when(ctx.as_provider()) and unused not in order, unused
    # the order comes from the criteria, not from a list: reversed, the scores come before the trials (the pain
    # criteria, which also apply while no diagnosis is given and ask for the trials, are left out of this one)
    existing = tuple(criterion for criterion in readiness.all_criteria() if not criterion.id.startswith("pain_"))
    monkeypatch.setattr(readiness, "all_criteria", lambda: tuple(reversed(existing)))
    goals.forget()
    try:
        reordered = asked_order(patient_appeal())
    finally:
        goals.forget()
    assert reordered.index("clinical.scores") < reordered.index("prior_treatments")


def test_what_each_derived_fact_reads_is_found_by_running_it():
    case = Case.model_validate({"treatment": {"kind": "esketamine_nasal"}, "diagnoses": [{"code": "F33.2"}],
                                "prior_treatments": [{"name": "sertraline", "drug_class": "ssri",
                                                      "adequate_weeks": 10, "response": "none"}]})
    found = goals.fact_inputs(case)
    assert "prior_treatments[].current_episode" in found["adequate_in_episode"]
    assert "prior_treatments[].adequate_weeks" in found["adequate_trials"]
    assert found["total_paid"] == ["treatment.services"]
    assert "diagnoses[].code" in found["on_label"] and "treatment.kind" in found["on_label"]
    assert set(found) == set(clinical.FACTS)


def test_each_missing_fact_is_listed_once_with_the_questions_that_fill_it():
    from appeal.letters import draft, kinds

    case = Case.model_validate({"letter_kind": "appeal", "sender": {"role": "representative"},
                                "insurance": {"plan_type": "employer_self_funded"},
                                "treatment": {"kind": "iv_ketamine"}, "denial": {"reason": "experimental"}})
    drafted = draft.draft(case, kinds.get("appeal"))
    facts = questions.blank_facts(drafted.blanks)
    labels = [label for label, _ in facts]
    # one name per fact: no "patient name" beside "patient's name", no "representative name" beside "sender name"
    assert "patient name" not in drafted.blanks and "representative name" not in drafted.blanks
    assert labels.count("patient's name") == 1 and "first name" not in labels and "last name" not in labels
    assert [question.path for question in dict(facts)["patient's name"]] == ["patient.first_name", "patient.last_name"]
    assert [question.path for question in dict(facts)["appeals address"]] == ["insurance.appeals_address"]
    paths = [question.path for _, found in facts for question in found]
    assert len(paths) == len(set(paths))


def test_recording_sees_field_and_list_entry_reads_and_leaves_the_models_as_they_were():
    from appeal.letters import reads
    from appeal.cases.case import Model

    case = Case.model_validate({"patient": {"first_name": "Ana"}, "prior_treatments": [{"name": "sertraline"}]})
    with reads.recording(case) as read:
        _ = case.patient.full_name, [trial.dose for trial in case.prior_treatments]
    assert read == ["patient.first_name", "patient.last_name", "prior_treatments", "prior_treatments[].dose"]
    assert "__getattribute__" not in Model.__dict__  # nothing is watched outside the block
    with reads.recording(case) as again:
        pass
    assert again == []


def test_what_a_representative_expects_is_said_as_the_representative_s_never_as_the_patient_s():
    from conftest import docx_text

    from appeal.letters import draft, kinds

    case = Case.model_validate({"letter_kind": "appeal", "sender": {"role": "representative", "name": "Ana Ruiz"},
                                "patient": {"first_name": "Jorge", "last_name": "Ruiz"},
                                "treatment": {"kind": "esketamine_nasal", "prescriber": "Dr. Lee",
                                              "prescriber_specialty": "Psychiatrist"},
                                "denial": {"reason": "not_medically_necessary"},
                                "clinical": {"if_denied": "He would likely be hospitalized again.\n"}})
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    # Ana typed it: printing it as "What Jorge Ruiz expects" would put her words in his mouth
    assert "What I expect for Jorge Ruiz if this treatment is denied: He would likely be hospitalized again." in text
    assert "Jorge Ruiz expects" not in text
    assert "Prescriber: Dr. Lee, Psychiatrist" in text and "(the prescriber's specialty: psychiatrist)" in text
    assert "What is at stake" in text  # the section stands on the expectation alone
