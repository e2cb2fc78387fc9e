"""How a requested treatment is given safely (appeal/data/administration.yaml): the setting and monitoring a letter
states in its requested-treatment section, each with the evidence it rests on.

Data, not code, so a treatment or a condition is an entry: the first entry for the case's treatment whose conditions
the case has (or that names none) applies. The letter plan prints it with the source's Attachment A number."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from appeal.base.resources import load_data
from appeal.cases.case import Case, TreatmentKind
from appeal.rules import clinical


@dataclass(frozen=True)
class Administration:
    """One entry: the text with its `{source}` place, the evidence snippet behind it, and an optional short cite."""

    treatment: TreatmentKind
    conditions: frozenset[clinical.Condition]
    text: str
    source: str
    cite: str = ""


@lru_cache(maxsize=1)
def all_entries() -> tuple[Administration, ...]:
    """Every entry, checked: a misspelled treatment or condition is an error here, not a paragraph quietly missing."""
    entries = []
    for number, item in enumerate(load_data("administration.yaml"), start=1):
        where = f"appeal/data/administration.yaml entry {number}"
        try:
            treatment = TreatmentKind(item["treatment"])
            conditions = frozenset(clinical.Condition(name) for name in item.get("conditions", []))
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if "{source}" not in item["text"]:
            raise ValueError(f"{where}: the text has no {{source}} place for its citation")
        entries.append(Administration(treatment, conditions, " ".join(item["text"].split()), item["source"],
                                      item.get("cite", "")))
    return tuple(entries)


def for_case(case: Case) -> Administration | None:
    """The entry for this case's treatment and conditions, or None (a treatment the data does not describe)."""
    if case.treatment.kind is None:
        return None
    found = clinical.conditions(case)
    return next((entry for entry in all_entries() if entry.treatment is case.treatment.kind
                 and (not entry.conditions or entry.conditions & found)), None)
