"""The mark `appeal draft` leaves in a letter: read back unchanged, changed after an edit (python-docx saving, as
a word processor would), unknown without it; other custom properties of the document are kept."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from conftest import docx_text, example_case
from docx import Document

from appeal.cli import main
from appeal.letters import draft, kinds
from appeal.letters.written_mark import PROPERTY, mark, state


def letter() -> bytes:
    return draft.draft(example_case("ketamine-trd-erisa-appeal"), kinds.get("appeal"), today=date(2026, 11, 29)).content


def edited(docx: bytes, words: str) -> bytes:
    document = Document(io.BytesIO(docx))
    document.paragraphs[-1].add_run(words)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_a_marked_letter_reads_unchanged_until_it_is_edited_and_its_text_is_untouched():
    plain = letter()
    marked = mark(plain)
    assert state(plain) == "unknown" and state(marked) == "unchanged" and state(mark(marked)) == "unchanged"
    assert docx_text(marked) == docx_text(plain)
    assert state(edited(marked, " A sentence the person added.")) == "changed"
    assert state(b"not a zip") == "unknown"


def test_the_mark_is_one_custom_property_beside_the_documents_own():
    plain = letter()
    source = io.BytesIO(plain)
    output = io.BytesIO()
    own = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/'
           'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Clinic">'
           '<vt:lpwstr>North Clinic</vt:lpwstr></property></Properties>')
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(output, "w") as target:
        for info in archive.infolist():
            target.writestr(info, archive.read(info.filename))
        target.writestr("docProps/custom.xml", own)
    twice = mark(mark(output.getvalue()))
    with zipfile.ZipFile(io.BytesIO(twice)) as archive:
        custom = archive.read("docProps/custom.xml").decode()
        assert custom.count(PROPERTY) == 1 and "North Clinic" in custom and 'pid="3"' in custom
        assert archive.read("[Content_Types].xml").decode().count("/docProps/custom.xml") == 1
        assert archive.read("_rels/.rels").decode().count("relationships/custom-properties") == 1
    assert state(twice) == "unchanged"


def test_appeal_draft_writes_the_mark(tmp_path):
    from appeal.cases.examples import text as example_text

    (tmp_path / "case.yaml").write_text(example_text("ketamine-trd-erisa-appeal"))
    assert main(["draft", "--case", str(tmp_path / "case.yaml"), "-o", str(tmp_path / "case.docx")]) == 0
    assert state((tmp_path / "case.docx").read_bytes()) == "unchanged"
