"""The Spanish letter is complete: every text of the `letters` catalog has its Spanish, and every bundled example
drafted as every kind it fits, with `--letter-lang es` (the bundled es/ templates, the committed catalog), is
written, with no English sentence left but the case's own words, the sources' citations and proper names.

These fail until the translators' fragments (/work/wt/letters-po/*.po) are merged into letters.po and the Spanish
templates (letter_templates/es/) are in: the first lists each text still without Spanish (also written to
test-artifacts/letters-untranslated.txt, with where each is used), the second each letter refused or each line
left in English.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import EXAMPLES, applicable_kinds, example_case
from docx import Document
from english_left import english_in

from appeal.base import letter_language
from appeal.base.paragraph_styles import paragraph_text, style_names
from appeal.base.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "appeal" / "locale"
REPORT = Path(os.environ.get("APPEAL_ARTIFACTS") or ROOT / "test-artifacts") / "letters-untranslated.txt"
# A run of capitalized words, joined by the small words of a name: 'Mental Health Parity and Addiction Equity Act',
# 'Council of Research': a name the Spanish keeps (LETTERS-ES.md), often beside its Spanish.
NAME = re.compile(r"(?:[A-Z][\w.'&/-]*,?\s+(?:(?:of|and|or|for|on|the|in|to|&)\s+)?)+[A-Z][\w.'&/-]*")
# A term's English name in brackets after its Spanish: '(peer-to-peer)', '(not grandfathered)'.
BRACKETED_TERM = re.compile(r"\((?:[^()\s]+\s?){1,3}\)")


def test_every_text_of_a_letter_has_its_spanish():
    """The untranslated-strings report: each msgid of letters.pot without a Spanish msgstr in letters.po."""
    spanish = {message.id: message.string for message in read_po(open(LOCALE / "es/LC_MESSAGES/letters.po", "rb"))
               if message.id}
    missing = [message for message in read_po(open(LOCALE / "letters.pot", "rb"))
               if message.id and not spanish.get(message.id)]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("".join(f"{', '.join(sorted({place for place, _ in message.locations}))}"
                              f"{' (' + '; '.join(message.auto_comments) + ')' if message.auto_comments else ''}\n"
                              f"  {message.id}\n" for message in missing), encoding="utf-8")
    assert [message.id for message in missing] == [], f"{len(missing)} texts without Spanish: see {REPORT}"


def _own_words(case) -> list[str]:
    """The case's typed texts (each paragraph of one, its whitespace collapsed), longest first: they print as typed.
    """
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.extend(" ".join(part.split()) for part in re.split(r"\n\s*\n", value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(case.model_dump(mode="json"))
    # a phrase, or a number as typed ('OR77142'); never one word, which may be a choice's value ('patient')
    return sorted({text for text in found if " " in text or any(ch.isdigit() for ch in text)}, key=len, reverse=True)


def _english_left(content: bytes, own_words: list[str]) -> list[str]:
    """The letter's lines that still hold an English word once the case's own words (`_own_words`), Attachment A's
    citations (the 'Small Print' paragraphs), names and bracketed English terms are taken out."""
    document = Document(io.BytesIO(content))
    lines = [paragraph_text(paragraph) for style, paragraph in zip(style_names(document), document.element.body.p_lst)
             if style != "Small Print"]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    left = []
    for line in lines:
        text = " ".join(line.split())
        for own in own_words:
            text = text.replace(own, " ")
        text = BRACKETED_TERM.sub(" ", NAME.sub(" ", text))
        if english_in(text):
            left.append(f"{english_in(text)}: {line}")
    return left


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_as_every_kind_reads_spanish(example):
    from appeal.letters import draft, kinds

    case = example_case(example)
    own_words = _own_words(case)
    found = []
    for name in applicable_kinds(case):
        try:
            drafted = draft.draft(case, kinds.get(name), date(2026, 12, 1), language="es")
        except UserError as refused:
            found.append(f"{name}: refused: {refused}")
            continue
        found += [f"{name}: {line}" for line in _english_left(drafted.content, own_words)]
    assert letter_language.current() == "en"
    assert found == []


def test_the_documents_a_spanish_letter_lists_to_draft_are_drafted_in_spanish_too():
    from appeal.letters import draft, kinds

    case = example_case("ketamine-erisa-late-appeal-daughter")
    spanish = draft.draft(case, kinds.get("appeal"), date(2026, 12, 1), language="es")
    english = draft.draft(case, kinds.get("appeal"), date(2026, 12, 1))
    assert spanish.to_draft and all(line.endswith("--letter representative-authorization --letter-lang es")
                                    for line in spanish.to_draft)
    assert english.to_draft and not any("--letter-lang" in line for line in english.to_draft)
