"""A packet of a Spanish letter (`--letter-lang es`) finds its Attachment A by the heading the letter has ("Anexo A:
..."), as it finds the English one: the appendix gets its own bookmark, and the letter's enclosure line for it is
not counted as a file to attach."""

from __future__ import annotations

import io

from reportlab.pdfgen import canvas

from appeal.base import letter_language
from appeal.letters.appendix import APPENDIX_HEADING, headings
from appeal.output import packet


def _letter_pdf(first_lines: list[str]) -> bytes:
    """A PDF with one page per line given, each page beginning with its line (no bookmarks: the pages are read)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(612, 792))
    for line in first_lines:
        page.drawString(72, 720, line)
        page.showPage()
    page.save()
    return buffer.getvalue()


def test_attachment_a_is_found_by_its_spanish_heading():
    with letter_language.writing("es"):
        spanish = letter_language.translate(APPENDIX_HEADING)
    assert spanish == "Anexo A: Evidencia de necesidad médica" and headings() == (APPENDIX_HEADING, spanish)
    parts = packet.letter_parts(_letter_pdf(["Estimado(a) revisor(a):", "Atentamente,", spanish, "[1] Un ensayo"]))
    assert [(part.title, len(part.pages)) for part in parts] == [(packet.LETTER_TITLE, 2), (spanish, 2)]


def test_the_english_letter_is_split_as_before():
    parts = packet.letter_parts(_letter_pdf(["Dear reviewer:", APPENDIX_HEADING, "[1] A trial"]))
    assert [(part.title, len(part.pages)) for part in parts] == [(packet.LETTER_TITLE, 1), (APPENDIX_HEADING, 2)]
