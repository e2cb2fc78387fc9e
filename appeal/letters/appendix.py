"""Attachment A: the chosen evidence as a docxtpl sub-document of the letter, one heading, summary and citation
an item, in the template's own styles (so a user's restyled template restyles it too).

It starts on a new page so the letter itself stays short, and is built without re-reading python-docx's blank
document or re-resolving a style name for every paragraph (each was a large part of a letter's time, profiled).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from appeal.base.letter_language import LN_, translate
from appeal.base.xml_text import xml_safe
from appeal.rules.evidence import Chosen, citation_text

if TYPE_CHECKING:
    from docxtpl import DocxTemplate
    from docxtpl.subdoc import Subdoc


class _StyleIds:
    """Each paragraph style's id in one template, looked up once per appendix.

    python-docx resolves a style name on every `add_paragraph(style=...)` by scanning the whole style sheet
    twice (the name, then the default style), which was a third of a letter's drafting time (profiled). The
    ids are the same ones python-docx would set: None for the document's default paragraph style.
    """

    def __init__(self, template: DocxTemplate):
        self._styles = template.get_docx().styles
        self._found: dict[str, tuple[str | None, bool]] = {}
        self._default: Any = False  # the default paragraph style, once asked (None: the template has none)

    def __call__(self, style: str) -> tuple[str | None, bool]:
        """(the style id to set, whether the template has `style`) for `style`, or for Normal when it lacks it:
        python-docx's `get_style_id`, with the default style found once (it scans the sheet for it each time)."""
        if style not in self._found:
            from docx.enum.style import WD_STYLE_TYPE

            present = style in self._styles
            chosen = self._styles[style if present else "Normal"]
            if chosen.type != WD_STYLE_TYPE.PARAGRAPH:  # as get_style_id refuses it
                raise ValueError(f"assigned style is type {chosen.type}, need type {WD_STYLE_TYPE.PARAGRAPH}")
            if self._default is False:
                self._default = self._styles.default(WD_STYLE_TYPE.PARAGRAPH)
            self._found[style] = (None if chosen == self._default else chosen.style_id, present)
        return self._found[style]


def _add_paragraph(subdoc: Subdoc, style_ids: _StyleIds, text: str, style: str, heading: bool = False) -> Any:
    """Add text in `style`, or in Normal when a user's own template lacks that style (bold, for a heading).

    Written on python-docx's own element, as it writes them: its public style setter resolves the style again for
    every paragraph (with a style object too), and its run text is read one character at a time with each element
    inserted in the schema's order; that was most of the appendix's time (profiled). No public API sets a known
    style id."""
    from docx.oxml.ns import qn
    from lxml.etree import SubElement

    style_id, present = style_ids(style)
    paragraph = subdoc.add_paragraph()
    element = paragraph._p
    text, bold = xml_safe(text), heading and not present
    if bold or any(character in text for character in "\t\r\n"):  # tabs and line breaks: python-docx's own way
        element.style = style_id
        paragraph.add_run(text).bold = True if bold else None
        return paragraph
    properties = SubElement(element, qn("w:pPr"))  # a plain line: the elements python-docx writes for it
    if style_id is not None:
        SubElement(properties, qn("w:pStyle")).set(qn("w:val"), style_id)
    run = SubElement(element, qn("w:r"))
    SubElement(run, qn("w:rPr"))  # python-docx leaves an empty one when it sets bold to None
    if text:
        words = SubElement(run, qn("w:t"))
        words.text = text
        if len(text.strip()) < len(text):
            words.set(qn("xml:space"), "preserve")
    return paragraph


APPENDIX_HEADING = LN_("Attachment A: Evidence of medical necessity")
APPENDIX_INTRO = LN_(
    "Each source below is summarized in plain language and followed by its full citation; the numbers match "
    "the references in the letter."
)


def headings() -> tuple[str, ...]:
    """Attachment A's heading in every language a letter is written in (English first): a packet finds the one its
    letter has."""
    from appeal.base import letter_language

    found = [APPENDIX_HEADING]
    for code in letter_language.LANGUAGES:
        with letter_language.writing(code):
            found.append(translate(APPENDIX_HEADING))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _blank_document():
    """The element tree of python-docx's blank document, parsed once per process: its document part alone, read
    from the .docx python-docx opens for `Document()` (opening the whole package, every part parsed, was 2% of a
    draft process)."""
    import zipfile
    from pathlib import Path

    import docx
    from docx.oxml.parser import parse_xml

    try:
        with zipfile.ZipFile(Path(docx.__file__).parent / "templates" / "default.docx") as package:
            return parse_xml(package.read("word/document.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):  # a python-docx that keeps its blank document elsewhere
        return docx.Document().element


def _new_subdoc(template: DocxTemplate) -> Subdoc:
    """`template.new_subdoc()`, without opening python-docx's blank document (a .docx file) for every letter.

    docxtpl's Subdoc opens that blank document and points it at the template's part; this gives the Subdoc a
    copy of the blank document's element tree, parsed once, and the same part. Opening the file was 15% of a
    letter in a batch (profiled); the XML the Subdoc produces is the same.
    """
    import copy

    try:
        from docx.document import Document as WordDocument
        from docxtpl.subdoc import Subdoc

        document = template.get_docx()
        subdoc = Subdoc.__new__(Subdoc)
        subdoc.tpl, subdoc.docx = template, document
        subdoc.subdocx = WordDocument(copy.deepcopy(_blank_document()), document.part)
        return subdoc
    except (ImportError, AttributeError, TypeError):  # a docxtpl that builds its Subdoc differently
        return template.new_subdoc()


def appendix_subdoc(template: DocxTemplate, chosen: list[Chosen]) -> Subdoc:
    """Attachment A as a docxtpl Subdoc, for `{{p letter.evidence_appendix }}` in its own paragraph.

    It starts on a new page so the letter itself stays short. Empty when nothing was chosen, so the
    placeholder paragraph simply disappears.
    """
    subdoc = _new_subdoc(template)
    if not chosen:
        return subdoc
    style_ids = _StyleIds(template)
    # Heading 2 then Heading 3, like the letter's own sections: no skipped heading level for screen readers.
    # "Page break before" rather than a break paragraph, which leaves a blank page when the letter fills its last.
    # in the letter's language: the heading, the introduction, each title and summary (the citation is the source's)
    heading = _add_paragraph(subdoc, style_ids, translate(APPENDIX_HEADING), "Heading 2", heading=True)
    heading.paragraph_format.page_break_before = True
    _add_paragraph(subdoc, style_ids, translate(APPENDIX_INTRO), "Body Text Letter")
    for item in chosen:
        _add_paragraph(subdoc, style_ids, f"[{item.number}] {translate(item.snippet.title)}", "Heading 3", heading=True)
        _add_paragraph(subdoc, style_ids, translate(item.snippet.summary), "Body Text Letter")
        _add_paragraph(subdoc, style_ids, citation_text(item.snippet), "Small Print")
    return subdoc
