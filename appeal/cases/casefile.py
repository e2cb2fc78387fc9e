"""Reading and writing case files (YAML or JSON), with errors a person can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from appeal.base import loader
from appeal.base.errors import UserError, problem_words, problems
from appeal.base.language import translate as _
from appeal.base.safe_write import write_text
from appeal.cases.case import MAX_TEXT_CHARACTERS, Case


def describe_validation_error(error: ValidationError, source: str, loaded: loader.Loaded | None = None) -> str:
    """One line per problem: the field's path (and its line in the file, when known), what is wrong. Never the
    value's full repr or a traceback."""
    lines = []
    for problem in error.errors():
        path = ".".join(str(part) for part in problem["loc"]) or _("(the whole case)")
        message = problem_words(problem)  # an enum's choices, pydantic's usual words in the person's language
        if problem["type"] == "extra_forbidden":
            message = _("is not a field of a case (a typo?); see `appeal schema` for the field names")
        elif problem["type"] == "string_too_long":
            message = _("is {count} characters long; a letter holds at most {most} characters in one field (about "
                        "40 pages), and never cuts one short. Shorten it, or enclose the full text as a separate "
                        "document (enclosures:)").format(count=f"{len(problem['input']):,}",
                                                        most=f"{MAX_TEXT_CHARACTERS:,}")
        where = loaded.where(problem["loc"]) if loaded else ""
        lines.append(f"  {path}{where}: {message}")
    return problems(source, lines)


def _mapping(loaded: loader.Loaded) -> dict[str, Any]:
    if not isinstance(loaded.data, dict):
        shown = {list: "list", str: "line of text"}.get(type(loaded.data), type(loaded.data).__name__)
        raise UserError(f"{loaded.source} must hold fields like 'patient:' and 'insurance:', not a {shown} "
                        "(see `appeal example --list` for an example).")
    return loaded.data


def read(source: str | bytes | Path, source_name: str | None = None) -> loader.Loaded:
    """A case file's YAML or JSON, read within the loader's limits, as a mapping with each value's line."""
    if isinstance(source, Path):
        source = loader.read_bytes(source, max_bytes=loader.CASE_LIMITS.max_bytes, what="case file")
    loaded = loader.read_yaml(source, source_name=source_name, limits=loader.CASE_LIMITS)
    _mapping(loaded)
    return loaded


def parse(text: str, source: str) -> dict[str, Any]:
    """Turn YAML or JSON text into a dict, naming the line of a problem."""
    return read(text, source).data


def from_data(data: dict[str, Any], source: str, loaded: loader.Loaded | None = None) -> Case:
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise UserError(describe_validation_error(error, source, loaded)) from None


def load(path: str | Path) -> Case:
    path = Path(path)
    if path.suffix.lower() == ".csv":  # read as YAML it gave 'mapping values are not allowed in this context'
        raise UserError(_("{file} is a CSV file of cases, one a row; this reads one case file (.yaml or .json). Draft "
                          "a CSV's letters with `appeal batch {file}`.").format(file=path))
    loaded = read(path, str(path))
    return from_data(loaded.data, str(path), loaded)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def to_data(case: Case) -> dict[str, Any]:
    """The case as plain data, leaving out what is empty, so a saved file reads like one a person wrote."""
    return _prune(case.model_dump(mode="json"))


# libyaml's emitter where PyYAML has it: the questionnaire saves the draft after every answer, and PyYAML's own
# emitter was a tenth of a scripted questionnaire's processor time (11 ms a save for a full case, 2 ms with
# libyaml). Both write YAML that reads back to the same data; only where a long quoted line wraps may differ.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dumps(case: Case, as_json: bool = False) -> str:
    data = to_data(case)
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def save(case: Case, path: str | Path, *, overwrite: bool) -> Path:
    path = Path(path)
    return write_text(path, dumps(case, as_json=path.suffix.lower() == ".json"), overwrite=overwrite)
