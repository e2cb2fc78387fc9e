"""The style name and the text of each paragraph of a Word document, as python-docx gives them, read faster.

python-docx's `paragraph.style` searches the document's style list (an XPath query) every time it is asked; a
letter has a few hundred paragraphs in a dozen styles, and reading every paragraph's style was a fifth of drafting
a letter (profiled: the enclosure check, the packet's address and enclosure list, the signature's closing).
Its `paragraph.text` runs an XPath query for the paragraph and another for each run: reading a drafted letter's
text back (its blanks, the enclosure check) was a sixth of drafting it (profiled).
"""

from __future__ import annotations

from functools import cache
from typing import Any


def style_names(document: Any) -> list[str]:
    """Each of `document.paragraphs`' style names, in order ("" for none), as `paragraph.style.name` gives them:
    a paragraph without a style, or naming one the document lacks or not declared a paragraph style, has the
    default's (the last paragraph style marked default). Read from the XML as python-docx reads it, without its
    objects for every style and paragraph (they were most of this reading, profiled)."""
    from docx.oxml.ns import qn
    from docx.styles import BabelFish

    fallback = ""
    known: dict[str, tuple[str | None, str]] = {}
    for style in document.styles.element.iterchildren(qn("w:style")):
        named = style.find(qn("w:name"))
        name = BabelFish.internal2ui(named.get(qn("w:val"))) if named is not None else ""
        kind = style.get(qn("w:type"))
        if kind == "paragraph" and style.get(qn("w:default")) in ("1", "true", "on"):
            fallback = name or ""
        known.setdefault(style.get(qn("w:styleId")), (kind, name or ""))  # the first of a repeated id wins
    names = []
    for paragraph in document.element.body.iterchildren(qn("w:p")):
        properties = paragraph.find(qn("w:pPr"))
        chosen = properties.find(qn("w:pStyle")) if properties is not None else None
        kind, name = known.get(chosen.get(qn("w:val")), (None, "")) if chosen is not None else (None, "")
        names.append(name if kind == "paragraph" else fallback)
    return names


@cache  # python-docx loads only where a document is read
def _tags() -> tuple[str, str, frozenset[str]]:
    """A run's tag, a hyperlink's, and those of a run's children that python-docx reads as text."""
    from docx.oxml.ns import qn

    return qn("w:r"), qn("w:hyperlink"), frozenset(map(qn, ("w:br", "w:cr", "w:noBreakHyphen", "w:ptab", "w:t", "w:tab")))


def paragraph_text(paragraph: Any) -> str:
    """`Paragraph(paragraph).text` of a `w:p` element: its runs' and hyperlinks' runs' text, a tab, a line break
    and a non-breaking hyphen each as python-docx writes it (`str()` of its own element classes)."""
    run, hyperlink, inner = _tags()
    parts = []
    for child in paragraph:
        for item in (child,) if child.tag == run else child if child.tag == hyperlink else ():
            if item.tag == run:
                parts += (str(text) for text in item if text.tag in inner)
    return "".join(parts)


def paragraph_texts(document: Any) -> list[str]:
    """Each of `document.paragraphs`' text, in order, as `paragraph.text` gives it (see `paragraph_text`)."""
    return [paragraph_text(paragraph) for paragraph in document.element.body.p_lst]


def document_texts(document: Any) -> list[str]:
    """Every paragraph's text, then every table cell's, in order: what a letter says, read once."""
    return paragraph_texts(document) + [cell.text for table in document.tables for row in table.rows
                                        for cell in row.cells]
