"""Shared by the tests that read the notice corpus: each notice's text read by the importer once per test process.

Several tests read every notice of the wide corpus and the generated one (what the document is, that no value is
wrong and unmarked, that no EOB's "NOT A BILL" is taken for the plan's words): the reading was most of their
time. The reading is the real `notice_import.extract`; it must only be read. A test that changes an extraction
(or reads a notice's file, a scan, a PDF) reads its own.
"""

from __future__ import annotations

import functools

from appeal.base import language
from appeal.intake import notice_import, notice_text


def read_once(text: str) -> notice_import.Extraction:
    """`notice_import.extract` of the text, read once per test process and language (the values the import
    refuses are said in the person's language)."""
    return _read(text, language.current())


@functools.cache
def _read(text: str, language_code: str) -> notice_import.Extraction:
    return notice_import.extract(notice_text.from_string(text))
