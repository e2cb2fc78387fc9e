"""Reading and writing case files (YAML or JSON), with errors a person can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from appeal.case import Case
from appeal.errors import UserError, cannot_read, describe_validation, yaml_problem
from appeal.safe_write import write_text


_CASE_MESSAGES = {"extra_forbidden": "is not a field of a case (a typo?); see `appeal schema` for the field names"}


def describe_validation_error(error: ValidationError, source: str) -> str:
    """One line per problem: the field's path, what is wrong. Never the value's full repr or a traceback."""
    return describe_validation(error, source, whole="(the whole case)", messages=_CASE_MESSAGES)


def parse(text: str, source: str) -> dict[str, Any]:
    """Turn YAML or JSON text into a dict, naming the line of a syntax error."""
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as error:
        where, problem = yaml_problem(error)
        raise UserError(f"{source} cannot be read{where}: {problem}. Check the indentation and quotes there.") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{source} must hold fields like 'patient:' and 'insurance:', not a {type(data).__name__}.")
    return data


def from_data(data: dict[str, Any], source: str) -> Case:
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise UserError(describe_validation_error(error, source)) from None


def load(path: str | Path) -> Case:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"No case file at {path}. Check the name, or run `appeal example --list`.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; give the path of a case file (.yaml or .json).") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a text file; a case file is YAML or JSON text.") from None
    except OSError as error:
        raise cannot_read(path, error) from None
    return from_data(parse(text, str(path)), str(path))


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


def dumps(case: Case, as_json: bool = False) -> str:
    data = to_data(case)
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save(case: Case, path: str | Path, *, overwrite: bool) -> Path:
    path = Path(path)
    return write_text(path, dumps(case, as_json=path.suffix.lower() == ".json"), overwrite=overwrite)
