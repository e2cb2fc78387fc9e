"""The questionnaire in Spanish: every question, hint, choice and message has its Spanish, none is left in English,
each Spanish prompt fills in its words for every sender, and the engine speaks Spanish when the language is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from appeal.base import language
from appeal.cases.case import Case
from appeal.intake import question_strings
from appeal.intake.engine import Engine, Progress
from appeal.intake.questions import _PERSON_WORDS, _TREATMENT_WORDS, ENTRIES, QUESTIONS, Group

PO = Path(language.LOCALE_DIR) / "es" / "LC_MESSAGES" / "appeal.po"
CATALOG = {message.id: message for message in read_po(open(PO, "rb")) if message.id}

# Words that are English and never Spanish: one of them left in a translation means a sentence left untranslated.
ENGLISH = {"the", "and", "of", "to", "your", "you", "is", "are", "with", "for", "this", "that", "what", "which",
           "or", "if", "it", "was", "has", "have", "will", "on", "in", "be", "an", "by", "from", "at", "who", "how",
           "when", "why", "not", "letter", "plan's", "patient", "date", "name", "number", "add", "another"}


def _spanish(message_id: str) -> str:
    message = CATALOG[message_id]
    assert not message.fuzzy, f"fuzzy, to check: {message_id!r}"
    return message.string


def _words(text: str) -> list[str]:
    """The words of a text a reader reads as the translation's own: not 'quoted' words (the English a person looks
    for on their papers), nor {names} filled in later."""
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"`[^`]*`|\bappeal [a-z-]+ [^.:;)]*|\b[a-z_]+(\.[a-z_]+)+\b", " ", text)  # commands, field paths
    text = re.sub(r"'[^']*'|“[^”]*”|\[[^]]*\]", " ", text)  # [ADD: ...] is the letter's mark
    return re.findall(r"[A-Za-zÁÉÍÓÚÑáéíóúñü']+", text)


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
            english = [word for word in _words(text) if word.lower() in ENGLISH and word.lower() != "no"]
            if english:
                left[text] = english
    assert left == {}


def test_the_stop_word_check_finds_english():
    """The check above can fail: an English sentence trips it, a Spanish one does not."""
    assert [word for word in _words("Date the denial letter reached {patient}") if word.lower() in ENGLISH]
    assert not [word for word in _words("Fecha en que {patient} recibió la carta") if word.lower() in ENGLISH]


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
