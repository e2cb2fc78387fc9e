"""Where a thing is in a Word template, said the way a Word user finds it: the words around it, the heading
above it, the table and row, not a paragraph number alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@dataclass
class Place:
    """One paragraph of a template: where it is in words, and the paragraph itself."""

    where: str
    paragraph: Any
    in_table: bool


def _snippet(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _is_heading(paragraph: Any) -> bool:
    style = getattr(paragraph.style, "name", "") or ""
    return style.startswith(("Heading", "Title")) and bool(paragraph.text.strip())


def places(document: Any) -> list[Place]:
    """Every paragraph of the body, its tables, headers and footers, each described in words."""
    found: list[Place] = []
    heading = ""
    for number, paragraph in enumerate(document.paragraphs, 1):
        if _is_heading(paragraph) and not _TAG.search(paragraph.text):
            heading = _snippet(paragraph.text, 60)
        under = f", under the heading \"{heading}\"" if heading else ""
        found.append(Place(f"paragraph {number} (\"{_snippet(paragraph.text)}\"{under})", paragraph, False))
    for t, table in enumerate(document.tables, 1):
        first_row = " | ".join(_snippet(cell.text, 20) for cell in table.rows[0].cells) if table.rows else ""
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row.cells, 1):
                for p, paragraph in enumerate(cell.paragraphs, 1):
                    inner = f", paragraph {p}" if p > 1 else ""
                    found.append(Place(f"table {t}, row {r}, cell {c}{inner} (\"{_snippet(paragraph.text, 40)}\", "
                                       f"in the table that starts \"{first_row}\")", paragraph, True))
    for s, section in enumerate(document.sections, 1):
        for part, label in ((section.header, "header"), (section.footer, "footer")):
            for number, paragraph in enumerate(part.paragraphs, 1):
                found.append(Place(f"the {label} of section {s}, paragraph {number} "
                                   f"(\"{_snippet(paragraph.text)}\")", paragraph, False))
    return found


def locate(document: Any, token: str) -> str | None:
    """The place of the first tag that contains `token` (an attribute, an operator, a filter), if any."""
    if not token:
        return None
    for place in places(document):
        for tag in _TAG.findall(place.paragraph.text):
            if token in tag:
                return f"the tag {_snippet(tag, 70)} in {place.where}"
    return None
