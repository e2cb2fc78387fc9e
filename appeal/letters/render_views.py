"""What a template is handed of a case: read-only views that print as a letter writes.

A case model reaches a template only as a `CaseView`: its declared fields and the properties the case model
defines, nothing else (no pydantic methods, no file paths). A fact the case does not hold prints as a visible
`Blank` (`[ADD: label]`, named after the field), so the drafting step can list it for `--strict`; dates and money
print as a letter writes them (`LetterDate`, `Amount`). The sandbox (appeal/letters/sandbox.py) asks each view which
names it exposes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from appeal.base import letter_language
from appeal.cases.fields import format_money
from appeal.letters.sandbox import TemplateView, model_exposes


class Blank(TemplateView):
    """A fact the letter needs and the case does not hold. Falsy, so `{% if x %}` treats it as missing."""

    def exposes(self, name: str) -> bool:
        return not name.startswith("_")  # any field of a missing section is itself a blank

    def prints_as_text(self) -> bool:
        return True

    def __init__(self, label: str):
        self.label = label

    def __str__(self) -> str:
        return f"[ADD: {letter_language.blank_label(self.label)}]"  # the mark stays what every reader looks for

    def __bool__(self) -> bool:
        return False

    def __iter__(self):
        return iter(())

    def __eq__(self, other: object) -> bool:
        return other is None or (isinstance(other, Blank) and other.label == self.label)

    def __hash__(self) -> int:
        return hash(self.label)

    def __getattr__(self, name: str) -> Blank:
        if name.startswith("_"):
            raise AttributeError(name)
        return Blank(f"{self.label} {name.replace('_', ' ')}")


class LetterDate(date):
    """A date that prints as letters spell it: March 14, 2026 (14 de marzo de 2026 in a Spanish letter)."""

    def __str__(self) -> str:
        return letter_language.long_date(self)


class Amount(Decimal):
    """Money that prints as $1,250.00."""

    def __str__(self) -> str:
        return format_money(Decimal(self))


_GENERIC_NAMES = {"name", "address", "phone", "fax", "email", "date", "description", "codes", "notes", "code"}


def _label(model: type[BaseModel], name: str, owner: str) -> str:
    """The blank's label for a field of the model class `model` under `owner` ('sender'): its title, or its name in
    words; a generic name ('name', 'phone', a date) says whose it is ('sender name')."""
    field = model.model_fields[name]
    label = field.title or name.replace("_", " ").replace(" id", " ID").replace("npi", "NPI")
    return f"{owner} {label}" if name in _GENERIC_NAMES or name.startswith("date") else label


# Facts the letter prints whole but the case keeps in more than one field: their one blank label each, and the
# fields that fill it.
PATIENT_NAME = "patient's name"
TREATMENT_NAME = "treatment requested"
COMPOSITE_BLANKS = {PATIENT_NAME: ("patient.first_name", "patient.last_name"),
                    TREATMENT_NAME: ("treatment.kind", "treatment.name")}
REGULATOR = "regulator's name and address"  # a complaint with no regulator known for the plan type


def blank_labels() -> list[str]:
    """Every label a blank takes from the case model (each field under its owner, as `CaseView` names it), and the
    letter plan's own: what the `letters` catalog translates for a letter in another language."""
    from appeal.cases.case import Case
    from appeal.cases.case_paths import as_model, list_item

    found = [PATIENT_NAME, TREATMENT_NAME, REGULATOR]

    def walk(model: type[BaseModel], owner: str) -> None:
        for name, field in model.model_fields.items():
            found.append(_label(model, name, owner))
            inner = as_model(field.annotation) or as_model(list_item(field.annotation))
            if inner is not None:
                walk(inner, name)

    walk(Case, "")
    return list(dict.fromkeys(found))


def field_blank(path: str) -> Blank:
    """The visible blank for a missing field ("sender.name"), labelled as a template's own blank for it is, so one
    fact has one name wherever the letter misses it. From the model's class: building an empty model for it, once
    for each question about each of a letter's blanks, was a tenth of `appeal draft` (profiled)."""
    from appeal.cases.case_paths import field_at, plain_type

    owner, _, name = path.rpartition(".")
    return Blank(_label(plain_type(field_at(owner).annotation), name, owner))


def present(value: Any, label: str = "") -> Any:
    """Wrap a case value for a template: models become views, dates and money print as a letter writes them."""
    if isinstance(value, TemplateView):
        return value
    if isinstance(value, BaseModel):
        return CaseView(value, label)
    if isinstance(value, list):
        return [present(item, label) for item in value]
    if isinstance(value, Enum):
        return value
    if isinstance(value, date):
        return LetterDate(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return Amount(value)
    return value


class CaseView(TemplateView):
    """A read-only view of a case model for templates.

    It exposes the model's declared fields and the properties the case model defines (`full_name`), nothing else:
    no pydantic methods, no file paths. A missing value prints as a visible blank named after the field; a
    missing section (no denial on a prior-authorization request) is falsy but still answers with blanks; an
    unknown attribute is an error.
    """

    __slots__ = ("_model", "_label", "_present", "_left_out")

    def __init__(self, model: BaseModel, label: str = "", is_present: bool = True, left_out: frozenset[str] = frozenset()):
        self._model = model
        self._label = label
        self._present = is_present
        self._left_out = left_out  # "patient.email": fields the sender chose not to give print as nothing

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        model = object.__getattribute__(self, "_model")
        if name not in model_exposes(type(model)):
            raise AttributeError(f"{self._label or type(model).__name__.lower()} has no field '{name}'")
        value = getattr(model, name)
        if value is None and name in type(model).model_fields:
            if f"{self._label}.{name}" in self._left_out:
                return None
            annotation = type(model).model_fields[name].annotation
            for option in getattr(annotation, "__args__", (annotation,)):
                if isinstance(option, type) and issubclass(option, BaseModel):
                    return CaseView(option(), name, is_present=False)
            return Blank(_label(type(model), name, self._label))
        return present(value, name if isinstance(value, BaseModel | list) else self._label)

    def exposes(self, name: str) -> bool:
        return name in model_exposes(type(self._model))

    def reaches_python(self, name: str) -> bool:
        return hasattr(type(self._model), name) and not self.exposes(name)

    def __bool__(self) -> bool:
        return self._present

    def __str__(self) -> str:
        return ""

    __repr__ = __str__
