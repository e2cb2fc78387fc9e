"""Where the bundled data lives: inside the installed package, or at the top of a source checkout.

The wheel carries `letter_templates/` and `evidence_snippets/` inside the `appeal` package (see pyproject.toml);
a source checkout or editable install keeps them at the repository's top level, where advocates find them.
"""

from __future__ import annotations

from functools import lru_cache
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
    loader for user files, which bounds it and names the line of an error.

    The parsed data is kept in the user's cache (appeal/base/disk_cache.py), named by the text's hash: reading it
    back is about twenty times sooner again (libyaml only parses; building Python's objects from it was still a
    tenth of a cold `appeal draft`, profiled)."""
    import yaml

    disk = _parsed_cache()
    key = disk.key("bundled YAML", text)
    kept = disk.load(key, expected=object)
    if kept is not None:
        return kept
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)
    if data is not None:
        disk.store(key, data)
    return data


@lru_cache(maxsize=1)
def _parsed_cache():
    """Kept only beside the compiled templates: `appeal check` or `deadline` alone leave no cache folder behind."""
    import sys

    from appeal.base.disk_cache import DiskCache, cache_folder

    def salt() -> bytes:
        import yaml

        return f"PyYAML {yaml.__version__} {hasattr(yaml, 'CSafeLoader')} {sys.implementation.cache_tag}".encode()

    return DiskCache(cache_folder(), salt, makes_folder=False, pickled=True)


def load_data(name: str):
    """A bundled data file (rules, kinds, plan types, arguments, criteria, medications), parsed."""
    return parse_bundled_yaml(data_file(name).read_text(encoding="utf-8"))


def examples_folder() -> Path:
    return PACKAGE / "examples"
