"""The stop-word check the Spanish tests share: words that are English and never Spanish, so one of them left in
a translation, a prompt or a screen line means a sentence left in English."""

from __future__ import annotations

import re
from datetime import date

ENGLISH = {"the", "and", "of", "to", "your", "you", "is", "are", "with", "for", "this", "that", "what", "which",
           "or", "if", "it", "was", "has", "have", "will", "on", "in", "be", "an", "by", "from", "at", "who", "how",
           "when", "why", "not", "letter", "plan's", "patient", "date", "name", "number", "add", "another"}


def words(text: str) -> list[str]:
    """The words of a text a reader reads as the translation's own: not 'quoted' words (the English a person looks
    for on their papers), nor {names} or %(names)s filled in later, commands, field paths or file paths."""
    text = re.sub(r"\{[^}]*\}|%\([a-z_]+\)[sdr]", " ", text)  # {names}, the pages' %(names)s and argparse's
    text = re.sub(r"`[^`]*`|\bappeal [a-z-]+ [^.:;)]*|\b[a-z_]+(\.[a-z_0-9]+)+\b", " ", text)  # commands, field paths
    text = re.sub(r"'[^']*'|“[^”]*”|\[[^]]*\]", " ", text)  # [ADD: ...] is the letter's mark
    text = re.sub(r"(?<!\S)/\S+", " ", text)  # a file's path
    return re.findall(r"[A-Za-zÁÉÍÓÚÑáéíóúñü']+", text)


def english_in(text: str) -> list[str]:
    """The English stop words in a text ("no" is Spanish too)."""
    return [word for word in words(text) if word.lower() in ENGLISH and word.lower() != "no"]


def english_by_design(case_file) -> list[str]:
    """What stays English on a Spanish screen, on purpose: the words the letter and its sources use. The official
    ICD-10-CM names and the documents as the letter names them (the rules' plain-words text is translated:
    Rule.said; the coverage criteria too: Criterion.said_title). Shared by the terminal's and the browser's Spanish
    journeys."""
    from appeal.cases import casefile, icd10
    from appeal.letters import draft

    case = casefile.load(case_file)
    drafted = draft.draft(case, draft.choose_kind(case, None, ()), date.today())
    return ([icd10.describe(diagnosis.code) for diagnosis in case.diagnoses]
            + drafted.enclosures + drafted.suggested_enclosures)
