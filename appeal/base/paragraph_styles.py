"""The style name of each paragraph of a Word document, the style list read once.

python-docx's `paragraph.style` searches the document's style list (an XPath query) every time it is asked; a
letter has a few hundred paragraphs in a dozen styles, and reading every paragraph's style was a fifth of drafting
a letter (profiled: the enclosure check, the packet's address and enclosure list, the signature's closing).
"""

from __future__ import annotations

from typing import Any


def style_names(document: Any) -> list[str]:
    """Each of `document.paragraphs`' style names, in order ("" for none), as `paragraph.style.name` gives them:
    a paragraph without a style, or naming one the document lacks or of another type, has the default's."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
    fallback = (default.name if default is not None else "") or ""
    known: dict[str, tuple[Any, str]] = {}
    for style in styles:  # the first of a repeated id wins, as python-docx's own search finds it
        known.setdefault(style.style_id, (style.type, style.name or ""))
    names = []
    for paragraph in document.element.body.p_lst:
        kind, name = known.get(paragraph.style, (None, fallback))
        names.append(name if kind == WD_STYLE_TYPE.PARAGRAPH else fallback)
    return names
