"""Where the bundled data lives: inside the installed package, or at the top of a source checkout.

The wheel carries `letter_templates/` and `evidence_snippets/` inside the `appeal` package (see pyproject.toml);
a source checkout or editable install keeps them at the repository's top level, where advocates find them.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """The folder `name` (letter_templates, evidence_snippets) wherever this installation keeps it."""
    for candidate in (PACKAGE / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the installation is missing its {name} folder; reinstall appeal")


def data_file(name: str) -> Path:
    """A data file that ships inside the package (rules, arguments)."""
    return PACKAGE / "data" / name


def examples_folder() -> Path:
    return PACKAGE / "examples"
