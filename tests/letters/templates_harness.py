"""The letter templates' builder (letter_templates/build_templates.py), run in the test process, and one build of
every committed template (English, and Spanish in es/) per test process: the English and the Spanish tests compare
the committed files with the same build instead of each running the whole builder (both built both languages)."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
BUILDER = ROOT / "letter_templates" / "build_templates.py"
SPANISH = ROOT / "letter_templates" / "es"
SHIPPED = ROOT / "appeal" / "locale" / "es" / "LC_MESSAGES" / "letters.mo"
# The catalog the committed Spanish templates come from: the shipped one, else the translator's fragment kept
# beside the templates (until the lead merges it into letters.po).
CATALOG = SHIPPED if SHIPPED.is_file() else SPANISH / "templates.po"


@functools.cache
def builder() -> ModuleType:
    """build_templates.py as a module (it is a script beside the templates, not part of the package)."""
    spec = importlib.util.spec_from_file_location("build_templates", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def built_templates(tmp_path_factory) -> Path:
    """A folder holding every template as the builder writes it now (its command line, with CATALOG): the same
    folder for every test of this process. Tests only read it."""
    return _built(tmp_path_factory.getbasetemp() / "built-templates")


@functools.cache
def _built(folder: Path) -> Path:
    with contextlib.redirect_stdout(io.StringIO()):
        builder().main([str(folder), "--catalog", str(CATALOG)])
    return folder
