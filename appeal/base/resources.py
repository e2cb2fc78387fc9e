"""Where the bundled data lives: inside the installed package, or at the top of a source checkout.

The wheel carries `letter_templates/` and `evidence_snippets/` inside the `appeal` package (see pyproject.toml);
a source checkout or editable install keeps them at the repository's top level, where advocates find them.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """The folder `name` (letter_templates, evidence_snippets) wherever this installation keeps it."""
    for candidate in (PACKAGE / name, PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the installation is missing its {name} folder; reinstall appeal")


def data_file(name: str) -> Path:
    """A data file that ships inside the package (rules, arguments)."""
    return PACKAGE / "data" / name


def parse_bundled_yaml(text: str):
    """YAML of a file we ship (data files, built-in snippet headers and template descriptions), parsed by libyaml
    when PyYAML was built with it: the same data as the pure-Python parser, about ten times sooner (rules.yaml
    alone took a quarter of a whole `appeal draft`). Only for our own files: a user's file goes through the
    loader for user files, which bounds it and names the line of an error."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def load_data(name: str):
    """A bundled data file (rules, kinds, plan types, arguments, criteria, medications), parsed."""
    return parse_bundled_yaml(data_file(name).read_text(encoding="utf-8"))


def examples_folder() -> Path:
    return PACKAGE / "examples"
