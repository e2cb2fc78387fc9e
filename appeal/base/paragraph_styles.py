"""The style name of each paragraph of a Word document, looked up once per style.

python-docx's `paragraph.style` searches the document's style list (an XPath query) every time it is asked; a
letter has a few hundred paragraphs in a dozen styles, and reading every paragraph's style was a fifth of drafting
a letter (profiled: the enclosure check, the packet's address and enclosure list, the signature's closing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def style_names() -> Callable[[Any], str]:
    """A function giving a paragraph's style name ("" for none), remembering each style id it has looked up.
    Use one for the paragraphs of one document only: another document may give the same id another name."""
    found: dict[str | None, str] = {}

    def name(paragraph: Any) -> str:
        style_id = paragraph._p.style  # the paragraph's w:pStyle value, None for the document's default
        if style_id not in found:
            style = paragraph.style
            found[style_id] = (style.name if style is not None else "") or ""
        return found[style_id]

    return name
