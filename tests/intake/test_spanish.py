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
from appeal.intake.questions import _PERSON_WORDS, _TREATMENT_WORDS, ENTRIES, QUESTIONS, Group

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
    words = {**_PERSON_WORDS["es"][patient_writes],
             **{name: _spanish(text) for name, text in _TREATMENT_WORDS[drug].items()}}
    for _, text in question_strings.shown_strings():
        filled = _spanish(text).format_map(words)  # a name the Spanish uses that the words lack: KeyError
        assert "{" not in filled and "  " not in filled.strip(), filled


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
