"""Cases as CSV rows: one row a case, one column a case field, named by its path (`patient.last_name`,
`prior_treatments.0.name`, `diagnoses.0.code`, `treatment.codes.0.code`).

The columns come from the case model (appeal/cases/case.py), so a new field gets its column without a change here.
An empty cell means "not given", as a missing line does in a YAML case file. Cells are text; the model reads
them as it reads a case file (dates like 03/14/2026 or 2026-03-14, amounts like $450.00, true/false).

A list field gets a fixed number of numbered columns in the template (`appeal batch --csv-template`), listed in
LIST_COLUMNS: 6 prior treatments, 4 diagnoses, 6 scores, 4 codes, 12 services, 12 dates of service,
6 enclosures, and so on. A file may add more numbers (`prior_treatments.6.name`); numbers left empty are
skipped, so the 1st and 3rd treatments of a row become the case's first and second, and a message about one
of them names the column the person typed in.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from appeal.base import loader
from appeal.base.errors import UserError
from appeal.base.safe_write import write_text
from appeal.cases.case import MAX_TEXT_CHARACTERS, Case
from appeal.cases.case_paths import as_model, list_item, plain_type
from appeal.cases.casefile import describe_validation_error, to_data

# Bounds on what one row may hold, so a bad row is reported in flat memory and the others go on. A cell holds a
# little more than a text field may, so the case model (not the CSV reader) names an over-long field.
MAX_CELL_CHARACTERS = 4 * MAX_TEXT_CHARACTERS
MAX_LINE_CHARACTERS = 1_000_000
MAX_COLUMNS = 5_000  # the template has a few hundred
MAX_REPORTED_COLUMNS = 20

# How many numbered columns the template gives each list field (path without the numbers). A list not named
# here gets DEFAULT_LIST_COLUMNS. These are the template's numbers only: a file may use higher ones.
LIST_COLUMNS = {
    "prior_treatments": 6,
    "diagnoses": 4,
    "clinical.scores": 6,
    "treatment.codes": 4,
    "treatment.services": 12,
    "treatment.services.codes": 4,
    "treatment.dates_of_service": 12,
    "denial.other_reasons": 4,
    "enclosures": 6,
    "evidence.add": 4,
    "evidence.drop": 4,
}
DEFAULT_LIST_COLUMNS = 4


# --------------------------------------------------------------------------------------------------------------
# The model's shape


_without_none, _as_model, _list_item = plain_type, as_model, list_item  # the one walker: appeal.cases.case_paths


def _walk(model: type[BaseModel], prefix: str, plain_prefix: str) -> Iterator[str]:
    for name, field in model.model_fields.items():
        path, plain = f"{prefix}{name}", f"{plain_prefix}{name}"
        item = _list_item(field.annotation)
        if item is not None:
            for index in range(LIST_COLUMNS.get(plain, DEFAULT_LIST_COLUMNS)):
                item_model = _as_model(item)
                if item_model is None:
                    yield f"{path}.{index}"
                else:
                    yield from _walk(item_model, f"{path}.{index}.", f"{plain}.")
        elif (sub_model := _as_model(field.annotation)) is not None:
            yield from _walk(sub_model, f"{path}.", f"{plain}.")
        else:
            yield path


def columns() -> list[str]:
    """Every column of the CSV template, in the case model's order."""
    return list(_walk(Case, "", ""))


def _column_problem(column: str) -> str | None:
    """Why `column` names no case field (None when it does)."""
    parts = column.split(".")
    model: type[BaseModel] | None = Case
    position = 0
    while position < len(parts):
        name = parts[position]
        if model is None or name not in model.model_fields:
            return "is not a field of a case (a typo?)"
        annotation = model.model_fields[name].annotation
        position += 1
        item = _list_item(annotation)
        if item is not None:
            if position == len(parts) or not parts[position].isdigit():
                return f"needs a number after '{'.'.join(parts[:position])}', like {'.'.join(parts[:position])}.0"
            position += 1
            annotation = item
        model = _as_model(annotation)
        if model is None and position < len(parts):
            return f"goes past '{'.'.join(parts[:position])}', which holds no fields"
    if model is not None:
        return f"is a section; name one of its fields, like {column}.{next(iter(model.model_fields))}"
    return None


def check_header(header: list[str], source: str) -> None:
    """Raise a UserError naming each column of `header` that is not a case field, or that appears twice."""
    if len(header) > MAX_COLUMNS:
        raise UserError(f"{source}: its first row names {len(header):,} columns, more than a case has (at most "
                        f"{MAX_COLUMNS:,}); see `appeal batch --csv-template FILE` for every column.")
    problems = []
    count = 0
    seen: set[str] = set()
    known = columns()
    for column in header:
        if not column:
            continue
        problem = "appears twice" if column in seen else _column_problem(column)
        seen.add(column)
        if problem:
            count += 1
            if count <= MAX_REPORTED_COLUMNS:  # suggestions cost time: only for the columns shown
                near = difflib.get_close_matches(column, known, n=1, cutoff=0.75) if problem != "appears twice" else []
                problems.append(f"  {column[:80]}: {problem}" + (f"; did you mean {near[0]}?" if near else ""))
    if count > MAX_REPORTED_COLUMNS:
        problems.append(f"  ... and {count - MAX_REPORTED_COLUMNS:,} more")
    if problems:
        raise UserError(
            f"{source}: {count:,} column{'s' if count > 1 else ''} of its first row cannot be read "
            f"(see `appeal batch --csv-template FILE` for every column):\n" + "\n".join(problems)
        )


# --------------------------------------------------------------------------------------------------------------
# Row -> case


def _nest(cells: Mapping[str, str]) -> dict[str, Any]:
    """{'prior_treatments.2.name': 'x'} -> {'prior_treatments': {2: {'name': 'x'}}}: numbers stay keys here."""
    data: dict[Any, Any] = {}
    for column, value in cells.items():
        parts: list[Any] = [int(part) if part.isdigit() else part for part in column.split(".")]
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return data


def _to_lists(node: Any, path: tuple, numbers: dict[tuple, list[int]]) -> Any:
    """Numbered dicts become lists in number order; numbers[path] keeps each list's original numbers."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(key, int) for key in node):
        order = sorted(node)
        numbers[path] = order
        return [_to_lists(node[key], (*path, position), numbers) for position, key in enumerate(order)]
    return {key: _to_lists(value, (*path, key), numbers) for key, value in node.items()}


@dataclass
class _Renumbered:
    """A validation error whose list positions are put back to the numbers in the CSV's column names, so
    `describe_validation_error` names the column the person typed in."""

    problems: list[dict[str, Any]]

    def errors(self) -> list[dict[str, Any]]:
        return self.problems


def _renumber(error: ValidationError, numbers: dict[tuple, list[int]]) -> _Renumbered:
    problems = []
    for problem in error.errors():
        location = list(problem["loc"])
        for position, part in enumerate(location):
            original = numbers.get(tuple(problem["loc"][:position]))
            if isinstance(part, int) and original is not None and part < len(original):
                location[position] = original[part]
        problems.append({**problem, "loc": tuple(location)})
    return _Renumbered(problems)


def row_to_case(cells: Mapping[str, str | None], source: str) -> Case:
    """One CSV row (column -> cell) as a case; empty cells are not given. A bad cell raises the UserError a
    case file would give, naming `source` (the file and row) and the column."""
    given = {column: value.strip() for column, value in cells.items() if column and value and value.strip()}
    numbers: dict[tuple, list[int]] = {}
    data = _to_lists(_nest(given), (), numbers)
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        raise UserError(describe_validation_error(_renumber(error, numbers), source)) from None


# --------------------------------------------------------------------------------------------------------------
# Reading a file, lazily


@dataclass
class Row:
    """One case row of a CSV file: its row number as a spreadsheet shows it (the header is row 1), and its cells,
    or why the row cannot be read (the rows after it are read all the same)."""

    path: Path
    number: int
    cells: dict[str, str]
    error: str | None = None

    @property
    def source(self) -> str:
        return f"{self.path} row {self.number}"


def read_rows(path: Path) -> Iterator[Row]:
    """The case rows of a CSV file, one at a time: the file is never read whole, and no line or cell may be
    longer than MAX_LINE_CHARACTERS or MAX_CELL_CHARACTERS. A bad row comes back with its `error`, and the rows
    after it go on. Rows whose cells are all empty are skipped. A problem with the whole file (its header, its
    encoding) raises a UserError when it is reached; the rows before it have been given already."""
    path = Path(path)
    with loader.open_text(path, what="CSV file") as handle:
        lines = loader.BoundedLines(handle, MAX_LINE_CHARACTERS)
        previous_limit = csv.field_size_limit(MAX_CELL_CHARACTERS)
        number = 1
        try:
            reader = csv.reader(lines)
            try:
                header = [column.strip() for column in next(reader, [])]
            except (loader.LineTooLong, csv.Error):
                raise UserError(f"{path}: its first row is longer than a row of column names can be "
                                f"(at most {MAX_LINE_CHARACTERS:,} characters); is this the right file?") from None
            if not any(header):
                raise UserError(f"{path}: the first row is empty; it must name the columns "
                                "(see `appeal batch --csv-template`).")
            check_header(header, str(path))
            while True:
                number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except loader.LineTooLong as error:
                    yield Row(path, number, {}, f"{path} row {number} is {error.length:,} characters long, more "
                              f"than a row can hold ({MAX_LINE_CHARACTERS:,}); it was skipped.")
                    continue
                except csv.Error as error:
                    problem = (f"a cell longer than {MAX_CELL_CHARACTERS:,} characters" if "field larger" in str(error)
                               else str(error))
                    yield Row(path, number, {}, f"{path} row {number} cannot be read: {problem}; it was skipped.")
                    continue
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
                    yield Row(path, number, {}, f"{path} row {number} has more cells than the first row has "
                              "column names.")
                    continue
                named = dict(zip(header, cells))
                if named.pop("", "").strip():
                    yield Row(path, number, {}, f"{path} row {number} has a value in a column without a name in "
                              "the first row.")
                    continue
                yield Row(path, number, named)
        except UnicodeDecodeError:
            raise UserError(f"{path} is not UTF-8 text (after row {number - 1}); save it as 'CSV UTF-8'.") from None
        finally:
            csv.field_size_limit(previous_limit)


# --------------------------------------------------------------------------------------------------------------
# Case -> row, and writing files


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}{key}.", out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}{index}.", out)
    elif value is not None:
        out[prefix[:-1]] = ("true" if value else "false") if isinstance(value, bool) else str(value)


def case_to_row(case: Case) -> dict[str, str]:
    """The case as CSV cells (column -> text), leaving out what is empty; `row_to_case` reads it back equal."""
    out: dict[str, str] = {}
    _flatten(to_data(case), "", out)
    return out


def _csv_text(header: list[str], rows: Iterable[Mapping[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue()


def write_template(path: Path, *, overwrite: bool) -> Path:
    """An empty CSV (the header row only) with every column, written owner-only like every file we write."""
    return write_text(Path(path), _csv_text(columns(), []), overwrite=overwrite)


def write_cases(path: Path, cases: Iterable[Case], *, overwrite: bool) -> Path:
    """Cases as a CSV file: the template's columns, then any further numbered columns the cases need."""
    rows = [case_to_row(case) for case in cases]
    header = columns()
    known = set(header)
    for row in rows:
        for column in row:
            if column not in known:
                header.append(column)
                known.add(column)
    return write_text(Path(path), _csv_text(header, rows), overwrite=overwrite)
