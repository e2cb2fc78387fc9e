"""The intake engine driven without any screen: what it asks next, what it refuses and in which words, going
back, a list entry, and a draft resumed from its file. The terminal (test_questionnaire) and the browser
(test_web) are front ends over this same engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from appeal.intake import drafts
from appeal.letters import goals
from appeal.intake.engine import Engine, Progress
from appeal.intake.questions import ENTRIES

OPENING = [("sender.role", "patient"), ("@situation", "denial"), ("denial.level_exhausted", "initial"),
           ("letter_kind", "appeal")]


@pytest.fixture
def engine(tmp_path) -> Engine:
    return Engine.open(draft_path=tmp_path / "draft.yaml")


def answer(engine: Engine, key: str, value) -> None:
    refusal = engine.answer(ENTRIES[key], value)
    assert refusal is None, refusal


def opened_appeal(engine: Engine) -> Engine:
    for key, value in OPENING:
        assert engine.next_open().key == key
        answer(engine, key, value)
    return engine


def progress_of(path: Path) -> dict:
    import json

    return json.loads(drafts.progress_line(path.read_text()))


def test_the_engine_says_what_to_ask_next_and_saves_after_every_answer(engine, capsys):
    assert not engine.saved and engine.next_open().key == "sender.role"
    answer(engine, "sender.role", "patient")
    assert engine.saved and yaml.safe_load(engine.path.read_text())["sender"] == {"role": "patient"}
    assert progress_of(engine.path)["answered"] == ["sender.role"]
    answer(engine, "@situation", "denial")
    answer(engine, "denial.level_exhausted", "initial")
    answer(engine, "letter_kind", "appeal")
    # once the letter is chosen, what it uses is asked, the basics first; the prompts speak to the patient
    first = engine.next_open()
    assert first.key == "patient.first_name" and engine.words(first.prompt) == "Your first name"
    assert progress_of(engine.path)["extras"] == {"situation": "denial"}
    # a look ahead (a page of a few questions) changes nothing
    before = engine.progress.to_data()
    assert engine.next_after(["patient.first_name"]).key == "patient.last_name"
    assert engine.progress.to_data() == before and engine.next_open().key == "patient.first_name"
    assert capsys.readouterr() == ("", "")  # nothing printed: the front ends say it


def test_a_refused_answer_is_named_after_its_question_and_changes_nothing(engine):
    opened_appeal(engine)
    before = engine.path.read_text()
    refusal = engine.answer(ENTRIES["patient.date_of_birth"], "13/45/2026")
    assert refusal.label == "Date of birth" and "is not a date" in refusal.reason
    assert refusal.message.startswith("Date of birth: '13/45/2026' is not a date")
    assert engine.case.patient.date_of_birth is None and engine.path.read_text() == before
    assert not engine.progress.done("patient.date_of_birth")
    # a number the model bounds, in its words; the first word after the colon is not capitalised
    sessions = engine.answer(ENTRIES["treatment.sessions"], "0")
    assert sessions.reason == "The number must be at least 1." and sessions.message == (
        f"{engine.label(ENTRIES['treatment.sessions'])}: the number must be at least 1.")


def test_a_needed_answer_an_unknown_choice_and_diagnosis_words_are_refused(engine):
    assert engine.answer(ENTRIES["sender.role"], None).reason == "This one is needed: choose one."
    assert engine.answer(ENTRIES["sender.role"], "martian").reason == "Choose one of these."
    assert engine.case.sender.role is None
    opened_appeal(engine)
    code = ENTRIES["diagnoses"].items[0]
    engine.add_entry(ENTRIES["diagnoses"])
    words = engine.answer(code, "depressive recurrent severe", engine.progress.item)
    assert "F33.2" in [found for found, _ in words.picks] and words.reason.startswith("Choose the code that fits")
    nothing = engine.answer(code, "zzzz qqqq", engine.progress.item)
    assert nothing.picks == [] and nothing.reason.startswith("No diagnosis name holds all of 'zzzz qqqq'")
    assert engine.answer(code, "F33.2", engine.progress.item) is None


def test_a_typed_control_character_is_refused_by_name_and_a_persons_own_text_is_kept(engine):
    """An escape sequence pasted into an answer would act on a terminal that prints it later; accents, ñ, emoji,
    apostrophes and a Windows line end (a browser's text box sends one) are a person's own text."""
    opened_appeal(engine)
    before = engine.path.read_text()
    for question, typed in (("patient.first_name", "Maria\x1b[31m"), ("patient.last_name", "Ruiz\x9b2J"),
                            ("enclosures", "records, bill\x07"), ("@situation", "denial\x00")):
        refusal = engine.answer(ENTRIES[question], typed)
        assert refusal is not None and refusal.label == engine.label(ENTRIES[question]), (question, refusal)
        assert "control character U+" in refusal.reason and "\x1b" not in refusal.message
    assert engine.path.read_text() == before and engine.case.patient.first_name is None
    answer(engine, "patient.first_name", "José Ñoño 😀")
    answer(engine, "patient.last_name", "O’Brien-D'Arcy")
    answer(engine, "patient.address", "1 Calle Mayor\r\nApt 2")
    assert (engine.case.patient.full_name, engine.case.patient.address) == (
        "José Ñoño 😀 O’Brien-D'Arcy", "1 Calle Mayor\nApt 2")


def test_a_skipped_fact_is_left_out_of_the_letter_unless_it_is_essential(engine):
    opened_appeal(engine)
    answer(engine, "patient.first_name", None)  # essential: it stays a visible blank
    answer(engine, "patient.phone", None)
    assert engine.case.left_out == ["patient.phone"]
    assert engine.progress.skipped == ["patient.first_name", "patient.phone"]


def test_going_back_gives_the_question_before_that_is_still_asked(engine):
    opened_appeal(engine)
    answer(engine, "patient.first_name", "Ana")
    current = engine.next_open()
    assert current.key == "patient.last_name"
    assert engine.previous(current.key).key == "patient.first_name"
    assert engine.previous("patient.first_name").key == "letter_kind"


def test_changing_an_answer_asks_again_the_questions_it_resets(engine):
    answer(engine, "sender.role", "patient")
    answer(engine, "@situation", "denial")
    answer(engine, "letter_kind", "appeal")
    situation = ENTRIES["@situation"]
    assert "letter_kind" in situation.resets
    answer(engine, "@situation", "prior_auth")  # the engine's conditions see the new situation at once
    assert not engine.progress.done("letter_kind") and engine.context().situation == "prior_auth"
    assert engine.next_open().key == "letter_kind"


@pytest.mark.parametrize("scale, said", [("pain", "A number from 0 to 10."), ("phq9", "A number from 0 to 27."),
                                          ("hamd", "A number: the total the form gives.")])
def test_a_scores_help_gives_the_range_of_the_scale_chosen_for_it(engine, scale, said):
    """A pain score was helped with "A number, like 22.": a PHQ-9's example, out of a 0-10 scale's range."""
    opened_appeal(engine)
    scores = ENTRIES["clinical.scores"]
    engine.add_entry(scores)
    assert engine.answer(scores.items[0], scale, engine.progress.item) is None
    score = engine.pending()[0]
    assert score.field_name == "value" and engine.hint(score) == said


@pytest.mark.parametrize("name, kind, said", [("sertraline", "ssri", "An adequate trial of a medication is usually"),
                                              ("physical therapy", "physical_therapy", "From the first session")])
def test_the_weeks_of_a_treatment_tried_are_helped_as_a_medication_or_a_therapy(engine, name, kind, said):
    """Physical therapy's weeks were helped with a medication's 'at least 6 weeks at a full dose'."""
    opened_appeal(engine)
    trials = ENTRIES["prior_treatments"]
    engine.add_entry(trials)
    given = {"name": name, "drug_class": kind}
    while (question := engine.pending()[0]).field_name != "adequate_weeks":
        assert engine.answer(question, given.get(question.field_name), engine.progress.item) is None
    assert engine.hint(question).startswith(said) and ("full dose" in engine.hint(question)) == (kind == "ssri")


def test_a_misspelled_medication_name_is_offered_its_spelling_as_it_is_typed(engine):
    """'mirtazepine' went into the letter's table: the name of a treatment tried was never proofread."""
    opened_appeal(engine)
    trials = ENTRIES["prior_treatments"]
    engine.add_entry(trials)
    name = trials.items[0]
    assert engine.answer(name, "mirtazepine 30 mg", engine.progress.item) is None
    assert [(typo.word, typo.suggestion) for typo in engine.typos(name, engine.progress.item)] == [
        ("mirtazepine", "mirtazapine")]


def test_a_list_entry_is_filled_question_by_question_and_stored_in_the_case(engine):
    opened_appeal(engine)
    trials = ENTRIES["prior_treatments"]
    engine.add_entry(trials)
    asked = []
    given = {"name": "Zoloft 100 mg", "adequate_weeks": "10", "response": "none"}
    while engine.pending():
        question = engine.pending()[0]
        asked.append(question.field_name)
        if question.field_name == "drug_class":
            assert engine.proposed(question, engine.progress.item) == "ssri"  # suggested from the name
            value = "ssri"
        else:
            value = given.get(question.field_name)
        assert engine.answer(question, value, engine.progress.item) is None
    assert asked[:2] == ["name", "drug_class"]
    stored = engine.close_entry()
    assert stored.name == "Zoloft 100 mg" and stored.adequate_weeks == 10 and engine.progress.item is None
    assert [trial.name for trial in engine.case.prior_treatments] == ["Zoloft 100 mg"]
    assert yaml.safe_load(engine.path.read_text())["prior_treatments"][0]["name"] == "Zoloft 100 mg"
    engine.finish_list(trials)
    assert engine.progress.done("prior_treatments")


def test_leaving_a_new_entry_drops_it_and_a_changed_one_keeps_its_answers(engine):
    opened_appeal(engine)
    trials = ENTRIES["prior_treatments"]
    name = trials.items[0]
    engine.add_entry(trials)
    engine.answer(name, "sertraline", engine.progress.item)
    assert engine.step_back_in_entry() and not engine.step_back_in_entry()  # back to its first question, then out
    engine.leave_entry()
    assert engine.entries(trials) == [] and engine.progress.item is None
    engine.add_entry(trials)
    engine.answer(name, "sertraline", engine.progress.item)
    engine.close_entry()
    engine.change_entry(trials, 0)
    engine.answer(name, "bupropion", engine.progress.item)
    engine.leave_entry()
    assert [trial.name for trial in engine.entries(trials)] == ["bupropion"]
    engine.remove_entry(trials, 0)
    assert engine.entries(trials) == []


def test_a_draft_resumed_from_its_file_carries_on_where_it_stopped(engine):
    opened_appeal(engine)
    answer(engine, "patient.first_name", "Ana")
    engine.add_entry(ENTRIES["prior_treatments"])
    engine.answer(ENTRIES["prior_treatments"].items[0], "sertraline", engine.progress.item)
    expected = engine.next_open()
    resumed = Engine.open(resume=engine.path)
    assert resumed.resumed and resumed.case == engine.case
    assert resumed.progress == engine.progress and isinstance(resumed.progress, Progress)
    assert resumed.next_open().key == expected.key == "prior_treatments"  # the open entry first
    assert [question.field_name for question in resumed.pending()] == [q.field_name for q in engine.pending()]
    assert resumed.header == drafts.NEW_DRAFT_HEADER


def test_a_finished_draft_loses_its_progress_line(engine):
    opened_appeal(engine)
    assert drafts.progress_line(engine.path.read_text()) is not None
    assert engine.finish() == engine.path
    assert drafts.progress_line(engine.path.read_text()) is None and "letter_kind: appeal" in engine.path.read_text()


def test_what_the_letter_uses_is_worked_out_once_per_answer_not_once_per_question(engine, monkeypatch):
    opened_appeal(engine)
    real, made = goals.letter_goals, []
    monkeypatch.setattr(goals, "letter_goals", lambda case, kind: made.append(1) or real(case, kind))
    for _ in range(3):
        engine.next_open(), engine.sections(), engine.readiness(), engine.asks(ENTRIES["clinical.scores"])
    assert len(made) == 1
    answer(engine, "patient.first_name", "Ana")
    engine.next_open(), engine.sections()
    assert len(made) == 2
    # and the answers it is worked out from are the engine's own: what a fresh look at the case says
    from appeal.intake.questions import Context

    assert engine.context().goals() == Context(engine.case, {"situation": "denial"}).goals()


def test_the_engine_imports_no_terminal_code():
    code = ("import sys, appeal.intake.engine, appeal.web.flow; "
            "assert 'questionary' not in sys.modules and 'prompt_toolkit' not in sys.modules; "
            "assert 'appeal.terminal.questionnaire' not in sys.modules; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


# --------------------------------------------------------------------------------------------------------------
# Issue 28: defaults follow what was said, numbers in words, the review in full


def test_defaults_follow_what_was_already_said(engine):
    """Past 65 the menu of plan types starts with Medicare; the treatment the plan's quoted words name is chosen
    already; a final internal denial suggests external review (a first one, the appeal); no reason is
    preselected; every list starts on 'add' while empty and on 'No' once it has an entry."""
    from datetime import date

    answer(engine, "sender.role", "patient")
    answer(engine, "@situation", "denial")
    answer(engine, "denial.level_exhausted", "final_internal")
    letters = engine.options(ENTRIES["letter_kind"])
    assert letters[0][0] == "external-review" and letters[0][1].endswith("(suggested)")
    answer(engine, "denial.level_exhausted", "initial")
    assert engine.options(ENTRIES["letter_kind"])[0][0] == "appeal"
    answer(engine, "letter_kind", "appeal")

    plan_type = ENTRIES["insurance.plan_type"]
    assert engine.proposed(plan_type) is None and engine.options(plan_type)[0][0] == "employer_self_funded"
    answer(engine, "patient.date_of_birth", f"{date.today().year - 70}-01-01")
    assert engine.proposed(plan_type) == "medicare_advantage"
    assert [value for value, _ in engine.options(plan_type)[:3]] == ["medicare_advantage", "medicare_original",
                                                                      "medicare_part_d"]
    answer(engine, "patient.date_of_birth", f"{date.today().year - 40}-01-01")
    assert engine.proposed(plan_type) is None

    kind = ENTRIES["treatment.kind"]
    assert engine.proposed(kind) is None
    answer(engine, "denial.quote", "Spravato (esketamine) is not covered until two oral antidepressants fail.")
    assert engine.proposed(kind) == "esketamine_nasal"
    answer(engine, "denial.quote", "Intravenous ketamine infusion is experimental for this use.")
    assert engine.proposed(kind) == "iv_ketamine"
    answer(engine, "denial.quote", "Physical therapy beyond 20 visits is not medically necessary.")
    assert engine.proposed(kind) is None  # no treatment named: nothing guessed
    answer(engine, "treatment.kind", "esketamine_nasal")
    answer(engine, "denial.quote", "IV ketamine infusion is experimental.")
    assert engine.proposed(kind).value == "esketamine_nasal"  # an answer given is never replaced by a default

    assert engine.proposed(ENTRIES["denial.reason"]) is None  # no reason preselected
    for group in ("diagnoses", "prior_treatments", "clinical.scores", "enclosures", "treatment.codes"):
        assert engine.list_start(ENTRIES[group]) == ("done" if ENTRIES[group].recommend is False else "add")
    engine.add_entry(ENTRIES["prior_treatments"])
    assert engine.answer(ENTRIES["prior_treatments"].items[0], "sertraline", engine.progress.item) is None
    engine.close_entry()
    assert engine.list_start(ENTRIES["prior_treatments"]) == "done"


def sertraline_weeks(engine: Engine):
    """A first treatment tried, sertraline (a medication: its weeks are 'Weeks at full dose'), up to its weeks
    question: (the entry's state, that question)."""
    opened_appeal(engine)
    group = ENTRIES["prior_treatments"]
    engine.add_entry(group)
    state = engine.progress.item
    assert engine.answer(group.items[0], "sertraline", state) is None
    kind = next(question for question in group.items if question.field_name == "drug_class")
    assert engine.answer(kind, "ssri", state) is None
    return state, next(question for question in group.items if question.field_name == "adequate_weeks")


@pytest.mark.parametrize("typed, stored, said", [
    ("about 10", 10, "kept 10 weeks (you typed 'about 10')."),
    ("ten", 10, "kept 10 weeks (you typed 'ten')."),
    ("~8 weeks", 8, "kept 8 weeks (you typed '~8 weeks')."),
    ("12", 12, None),
])
def test_a_number_typed_in_words_is_kept_and_said_back(engine, typed, stored, said):
    state, weeks = sertraline_weeks(engine)
    assert engine.answer(weeks, typed, state) is None
    assert state["data"]["adequate_weeks"] == stored
    assert engine.readings == ([f"Weeks at full dose: {said}"] if said else [])


@pytest.mark.parametrize("typed, words", [
    ("10-12", "'10-12' is a range: type one number of weeks. Not sure? The lower one, 10, is the safe choice"),
    ("10 to 12 weeks", "is a range"),
    ("3 months", "this question counts in weeks"),
    ("a few", "Type a number"),
])
def test_a_number_that_cannot_be_read_without_a_guess_is_asked_and_the_correction_is_what_is_kept(engine, typed, words):
    state, weeks = sertraline_weeks(engine)
    refusal = engine.answer(weeks, typed, state)
    assert refusal is not None and words.lower() in refusal.reason.lower()
    assert "adequate_weeks" not in state["data"] and engine.readings == []
    assert engine.answer(weeks, "10", state) is None
    engine.close_entry()
    saved = yaml.safe_load(engine.path.read_text())["prior_treatments"][0]
    assert saved["adequate_weeks"] == 10 and typed not in engine.path.read_text()


def test_the_review_shows_every_word_of_a_long_answer(engine):
    opened_appeal(engine)
    quote = ("Intravenous ketamine infusion therapy for treatment-resistant depression is considered experimental "
             "and investigational because its safety and efficacy have not been established in peer-reviewed "
             "literature; the plan does not cover it under the medical benefit.\nSee policy MP-0412.")
    answer(engine, "denial.quote", quote)
    shown = engine.shown_answer(ENTRIES["denial.quote"])
    assert shown == quote and "..." not in engine.summary(ENTRIES["denial.quote"])
    assert len(engine.summary(ENTRIES["denial.quote"], width=90)) == 90  # only a menu naming it is shortened


@pytest.mark.parametrize(("code", "first"), [("G90.512", "pain"), ("G89.4", "pain"), ("F33.2", "phq9"),
                                             ("F43.12", "pcl5")])
def test_the_rating_scales_offered_first_are_the_conditions_own(engine, code, first):
    """A CRPS patient was offered the PHQ-9 first and typed her pain score into it: the scale list starts on the
    scales conditions.yaml names for the case's condition (the rest stay offered after them)."""
    opened_appeal(engine)
    group = ENTRIES["diagnoses"]
    engine.add_entry(group)
    assert engine.answer(group.items[0], code, engine.progress.item) is None
    engine.close_entry()
    scores = ENTRIES["clinical.scores"]
    engine.add_entry(scores)
    state, question = engine.progress.item, scores.items[0]
    offered = [value for value, _ in engine.options(question, state["data"])]
    assert offered[0] == first and engine.proposed(question, state) == first
    assert set(offered) >= {"phq9", "madrs", "pain", "pcl5"}  # every scale still there


def test_a_tried_therapy_is_listed_in_weeks_never_at_full_dose():
    """The list of treatments tried showed 'physical therapy (..., 40 weeks at full dose)' in tmux."""
    from appeal.cases.case import PriorTreatment
    from appeal.intake.questions import SHOW

    therapy = PriorTreatment(name="physical therapy", drug_class="physical_therapy", dose="twice a week",
                             adequate_weeks=40, response="partial")
    drug = PriorTreatment(name="gabapentin", drug_class="gabapentinoid", dose="2400 mg a day", adequate_weeks=10)
    assert SHOW["treatment"](therapy) == ("physical therapy (physical or occupational therapy, twice a week, 40 weeks): "
                                          "partial improvement only")
    assert "10 weeks at full dose" in SHOW["treatment"](drug)
