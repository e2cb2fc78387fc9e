"""The questionnaire in Spanish: every question, hint, choice and message has its Spanish, none is left in English,
each Spanish prompt fills in its words for every sender, and the engine speaks Spanish when the language is."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from english_left import english_in, words

from appeal.base import language
from appeal.cases.case import Case
from appeal.intake import question_strings
from appeal.intake.engine import Engine, Progress
from appeal.intake.questions import _PERSON_WORDS, _TREATMENT_WORDS, ENTRIES, QUESTIONS, Context, Group

PO = Path(language.LOCALE_DIR) / "es" / "LC_MESSAGES" / "appeal.po"
CATALOG = {message.id: message for message in read_po(open(PO, "rb")) if message.id}

_words = words


def _spanish(message_id: str) -> str:
    message = CATALOG[message_id]
    assert not message.fuzzy, f"fuzzy, to check: {message_id!r}"
    return message.string


def _trivial(text: str) -> bool:
    """A name or code that reads the same in Spanish (PHQ-9, NPI, Medicare Advantage, {dose_asked})."""
    return not any(word.islower() and len(word) > 2 for word in _words(text))


def test_every_question_hint_label_and_choice_has_its_spanish():
    shown = list(question_strings.shown_strings())
    assert len(shown) > 300  # the whole questionnaire, not a part of it
    missing = [where for where, text in shown if not CATALOG.get(text) or not CATALOG[text].string]
    assert missing == []
    same = [text for _, text in shown if _spanish(text) == text and not _trivial(text)]
    assert same == []


def test_no_message_of_the_catalog_is_left_in_english():
    left = {}
    for message_id, message in CATALOG.items():
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            assert text, f"no Spanish for {message_id!r}"
            english = english_in(text)
            if english:
                left[text] = english
    assert left == {}


def test_the_stop_word_check_finds_english():
    """The check above can fail: an English sentence trips it, a Spanish one does not."""
    assert english_in("Date the denial letter reached {patient}")
    assert not english_in("Fecha en que {patient} recibió la carta")


@pytest.mark.parametrize("patient_writes", [True, False])
@pytest.mark.parametrize("drug", [True, False, None])
def test_every_spanish_prompt_fills_in_its_words_for_every_sender(patient_writes, drug):
    with language.reading("es"):
        score = Context(Case(), {}, {"instrument": "pain"}).words["score_asked"]
    words = {**_PERSON_WORDS["es"][patient_writes],
             **{name: _spanish(text) for name, text in _TREATMENT_WORDS[drug].items()}, "score_asked": score}
    for _, text in question_strings.shown_strings():
        filled = _spanish(text).format_map(words)  # a name the Spanish uses that the words lack: KeyError
        assert "{" not in filled and "  " not in filled.strip(), filled
    assert score == "Un número del 0 al 10."


def test_the_engine_asks_in_spanish(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    language.choose(None)
    engine = Engine(Case(), tmp_path / "draft.yaml", Progress(), [], resumed=False)
    role = ENTRIES["sender.role"]
    assert engine.words(role.prompt) == "¿Quién escribe esta carta?"
    assert ("patient", "Soy el paciente") in engine.options(role)
    assert engine.label(role) == "Quién escribe"
    plan_type = ENTRIES["insurance.plan_type"]
    assert ("medicare_original", "Medicare Original") in engine.options(plan_type)
    refusal = engine.answer(ENTRIES["sender.role"], None)
    assert refusal.message == "Quién escribe: esta hace falta: elija una."
    first_name = ENTRIES["patient.first_name"]
    assert engine.words(first_name.prompt) == "Nombre del paciente"
    engine.answer(role, "patient")
    assert engine.words(first_name.prompt) == "Nombre"
    groups = [entry for entry in QUESTIONS if isinstance(entry, Group)]
    assert all("¿" in engine.words(group.prompt) and engine.words(group.more).startswith("¿") for group in groups)


def test_the_models_refusals_and_number_readings_are_spanish_and_the_english_ones_unchanged(monkeypatch):
    """A date, phone, NPI, code or state typed wrong is refused in the person's language, and a number typed in
    words is said back in it; with English chosen, the very same English as before."""
    from pydantic import ValidationError

    from appeal.intake import number_words

    def refusal(**fields) -> str:
        try:
            Case.model_validate(fields)
        except ValidationError as error:
            return error.errors()[0]["msg"].removeprefix("Value error, ")
        raise AssertionError(f"taken: {fields}")

    wrong = [{"patient": {"date_of_birth": "02/30/1984"}}, {"patient": {"phone": "555 12"}},
             {"sender": {"npi": "12345"}}, {"diagnoses": [{"code": "Q99.99"}]}, {"insurance": {"state": "Texsa"}},
             {"patient": {"date_of_birth": "14/03/1984"}}]
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    language.choose(None)
    spanish = [refusal(**fields) for fields in wrong]
    assert spanish[0] == ("'02/30/1984' no es una fecha: febrero tiene 29 días en 1984; escríbala con el mes primero, "
                          "como 03/14/2026, o con palabras, como 14 de marzo de 2026")
    assert spanish[1] == "'555 12' no es un número de teléfono de EE. UU. de 10 dígitos, como (555) 123-4567"
    assert spanish[2] == "'12345' no es un NPI: un NPI tiene exactamente 10 dígitos"
    assert spanish[3].endswith("no es un código ICD-10-CM (los códigos son como F33.2)")
    assert spanish[4].startswith("'Texsa' no es un estado ni un territorio de EE. UU. (¿quiso decir TX, Texas?)")
    assert spanish[5] == "'14/03/1984' no es una fecha: no existe el mes 14; escriba primero el mes, así: 03/14/1984"
    assert [text for text in spanish if english_in(text)] == []
    assert number_words.read("about 10", "weeks").said == "se guardó: 10 semanas (usted escribió 'about 10')."
    assert number_words.read("1 week", "weeks").said == "se guardó: 1 semana (usted escribió '1 week')."
    assert number_words.read("10-12", "weeks").question.startswith("'10-12' es un rango: escriba un solo número de "
                                                                   "semanas. ¿No está seguro? El más bajo, 10,")
    monkeypatch.setenv("LANG", "C.UTF-8")
    language.choose(None)
    english = [refusal(**fields) for fields in wrong]
    assert english[0] == ("'02/30/1984' is not a date: February has 29 days in 1984; write it like 03/14/2026 or "
                          "2026-03-14")
    assert english[1] == "'555 12' is not a 10-digit US phone number, like (555) 123-4567"
    assert english[4].startswith("'Texsa' is not a US state or territory (did you mean TX, Texas?)")
    assert number_words.read("about 10", "weeks").said == "kept 10 weeks (you typed 'about 10')."


def test_a_date_asked_again_is_offered_in_words_in_spanish_and_read_back():
    """The default shown when a date question is asked again: 07/09/1984 could be read as 7 September by a Spanish
    reader, so it is offered in words, which the model reads back as the same day; English keeps 07/09/1984."""
    from datetime import date

    from appeal.cases.fields import parse_date
    from appeal.intake.engine import as_typed

    with language.reading("es"):
        assert as_typed(date(1984, 7, 9)) == "9 de julio de 1984"
        assert parse_date(as_typed(date(1984, 7, 9))) == date(1984, 7, 9)
    with language.reading("en"):
        assert as_typed(date(1984, 7, 9)) == "07/09/1984"


def test_no_english_spelling_fix_is_offered_to_a_person_answering_in_spanish(tmp_path):
    """A Spanish speaker's dose and schedule were offered 'minutos -> minutes?', 'veces -> vices?', 'por -> for?',
    each fix selected: pressing Siguiente put 'dos vices for semang' in the letter. No English spelling check is
    offered to a person answering in Spanish, nor on an answer that reads as Spanish; an English answer still is."""
    engine = Engine(Case(), tmp_path / "draft.yaml", Progress(), [], resumed=False)
    schedule, history = ENTRIES["treatment.induction"], ENTRIES["clinical.history"]
    assert engine.answer(schedule, "0.5 mg/kg en 40 minutos, dos veces por semana durante tres semanas") is None
    assert engine.typos(schedule) == []
    assert engine.answer(history, "I recieve my infusions weekly") is None
    assert [typo.word for typo in engine.typos(history)] == ["recieve"]
    with language.reading("es"):
        assert engine.typos(history) == []


def test_a_list_entry_typed_in_spanish_is_named_by_the_review_too(tmp_path):
    """The review said which answers stay in Spanish in the English letter, but not a list's entries: a treatment's
    'me dio mucho insomnio y casi no mejoré' reached the letter's table without a word."""
    engine = Engine(Case(), tmp_path / "draft.yaml", Progress(), [], resumed=False)
    trials = ENTRIES["prior_treatments"]
    engine.add_entry(trials)
    given = {"name": "sertraline", "drug_class": "ssri", "reason_stopped": "me dio mucho insomnio y casi no mejoré"}
    while engine.pending():
        question = engine.pending()[0]
        assert engine.answer(question, given.get(question.field_name), engine.progress.item) is None
    engine.close_entry()
    named = engine.typed_in_spanish()
    assert len(named) == 1 and named[0].endswith(engine.label(next(item for item in trials.items
                                                                   if item.field_name == "reason_stopped")))
