"""Conditions as data (appeal/data/conditions.yaml): for each condition the tool serves, the ICD-10-CM codes that
recognize it, whether payers count trials within an episode, the kinds of treatment tried for it and the criteria
that apply; and for each treatment class, its label and whether it is a drug.

Why data: a pain patient must be offered pain treatments, not antidepressants, and physical therapy is not
"at full dose". Code asks this file instead of assuming depression; a new condition is an entry here (and its name
in appeal.rules.clinical.Condition, which recognizes it). This module reads no case.

    treatment_class(name) -> a class's label and drug flag
    all_conditions()      -> every condition by id, in the file's order (`other` last)
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, model_validator

from appeal.base.resources import load_data

OTHER = "other"  # the condition of a case none of the others fits


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TreatmentClass(_Data):
    """A kind of treatment already tried (the case's `prior_treatments[].drug_class`)."""

    id: str
    label: str
    drug: bool | None  # None: not known (class 'other'), so neither a dose nor "full dose" is assumed
    hint: str | None = None


class ConditionData(_Data):
    """One condition's entry (the file's header documents each field)."""

    id: str
    label: str
    codes: tuple[str, ...]
    episodic: bool
    classes: tuple[str, ...]
    counted: tuple[str, ...]
    criteria: tuple[str, ...]
    scales: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _counted_are_offered(self) -> ConditionData:
        extra = set(self.counted) - set(self.classes)
        if extra:
            raise ValueError(f"{self.id}: counted classes {sorted(extra)} are not among its classes")
        return self


class _File(_Data):
    classes: tuple[TreatmentClass, ...]
    conditions: tuple[ConditionData, ...]

    @model_validator(mode="after")
    def _classes_known(self) -> _File:
        known = {item.id for item in self.classes}
        for condition in self.conditions:
            unknown = set(condition.classes) - known
            if unknown:
                raise ValueError(f"{condition.id}: unknown treatment classes {sorted(unknown)}")
        if self.conditions[-1].id != OTHER:
            raise ValueError(f"the last condition must be '{OTHER}', for a case no other fits")
        return self


@lru_cache(maxsize=1)
def _file() -> _File:
    return _File.model_validate(load_data("conditions.yaml"))


@lru_cache(maxsize=1)
def all_classes() -> dict[str, TreatmentClass]:
    return {item.id: item for item in _file().classes}


def treatment_class(name: str) -> TreatmentClass:
    return all_classes()[name]


@lru_cache(maxsize=1)
def all_conditions() -> dict[str, ConditionData]:
    return {item.id: item for item in _file().conditions}


def of(name: str) -> ConditionData:
    return all_conditions()[name]


def classes_for(names: list[str] | set[str]) -> list[str]:
    """The treatment classes offered for these conditions, most usual first (each once); `other`'s (all of
    them) when none is known."""
    chosen = [of(name) for name in all_conditions() if name in names] or [of(OTHER)]
    offered: list[str] = []
    for condition in chosen:
        offered += [name for name in condition.classes if name not in offered]
    if OTHER in offered:  # 'other' stays last
        offered.remove(OTHER)
        offered.append(OTHER)
    return offered


def scales_for(names: list[str] | set[str]) -> list[str]:
    """The rating scales usual for these conditions, most usual first: the questionnaire offers them first."""
    offered: list[str] = []
    for name in names or [OTHER]:
        offered += [scale for scale in of(name).scales if scale not in offered]
    return offered


def episodic(names: list[str] | set[str]) -> bool:
    """Whether trials are counted within an episode for these conditions (or for an unknown one)."""
    return any(of(name).episodic for name in (names or [OTHER]))
