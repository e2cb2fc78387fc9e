"""Shared test helpers: the bundled examples, and reading a .docx back as a reviewer would see its text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from appeal import casefile, kinds
from appeal.resources import examples_folder

EXAMPLES = sorted(path.stem for path in examples_folder().glob("*.yaml"))


def docx_text(source: bytes | Path) -> str:
    """All visible text of a document: paragraphs and table cells, in order, one per line."""
    document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def example_case(name: str):
    return casefile.load(examples_folder() / f"{name}.yaml")


def applicable_kinds(case) -> list[str]:
    return [name for name, kind in kinds.all_kinds().items() if case.denial is not None or not kind.needs_denial]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path
