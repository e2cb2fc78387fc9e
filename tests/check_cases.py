"""Example cases edited to reach every branch of `appeal check`: each criterion met, not met and not known, the
code problems, the warnings of checks.py and voice.py, and each reason a study is chosen. Shared by the Spanish
check's test and the English one (tests/commands/test_check_spanish.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from appeal.base.resources import examples_folder


def _example(name: str) -> dict[str, Any]:
    return yaml.safe_load((examples_folder() / f"{name}.yaml").read_text(encoding="utf-8"))


def _trials(case: dict, *changes: dict) -> None:
    """Each change updates one prior treatment, in order; a None value removes the field."""
    for trial, change in zip(case["prior_treatments"], changes):
        for key, value in change.items():
            if value is None:
                trial.pop(key, None)
            else:
                trial[key] = value


def _child_unscreened_untried(case: dict) -> None:
    case["patient"]["date_of_birth"] = "2012-03-04"
    case["clinical"]["substance_use_screened"] = False
    case["diagnoses"] = [{"code": "F41.1"}]  # anxiety: suicidal ideation asks for a depression code
    case["clinical"]["suicide_risk"] = "Active suicidal ideation with a plan last week."
    case["clinical"]["scores"] = []
    case["treatment"]["prescriber_specialty"] = "family medicine"
    case["treatment"]["codes"] = [{"code": "S0013"}]
    case["enclosures"] = ["Medicare Summary Notice for March"]
    case["clinical"]["history"] = "Patient reports she has tried to keep working but missed 14 shifts since August."


def _trials_not_counted(case: dict) -> None:
    _trials(case, {"adequate_weeks": 3}, {"current_episode": False}, {"response": "relapse"},
            {"drug_class": "ssri", "response": "none", "adequate_weeks": 1})


def _trials_not_known(case: dict) -> None:
    case["patient"].pop("date_of_birth", None)
    case["clinical"].pop("substance_use_screened", None)
    _trials(case, {"response": None}, {"drug_class": None}, {"current_episode": None, "adequate_weeks": None})
    case["treatment"].pop("prescriber_specialty", None)
    case["denial"]["reason"] = "not_medically_necessary"


def _one_class_twice(case: dict) -> None:
    case["prior_treatments"] = [dict(case["prior_treatments"][0]),
                                dict(case["prior_treatments"][0], name="escitalopram")]
    case["diagnoses"] = [{"code": "F32.9"}]  # an unspecified code: a warning
    case["treatment"]["prescriber"] = None
    case["treatment"]["prescriber_specialty"] = "PMHNP"
    case["enclosures"] = ["Letter from Dr. Raman, psychiatrist"]
    case["denial"]["reason"] = "step_therapy"
    case["evidence"] = {"add": ["feder-2021-ketamine-ptsd-repeated"]}


def _patient_with_psychiatric_enclosure(case: dict) -> None:
    case["treatment"].pop("prescriber_specialty", None)
    case["enclosures"] = ["Letter of medical necessity from my psychiatrist"]
    case["prior_treatments"] = []
    case.pop("denial", None)
    case["letter_kind"] = "prior-auth"


def _provider_unknown(case: dict) -> None:
    case["sender"].pop("specialty", None)
    case["sender"].pop("credentials", None)
    case["treatment"].pop("facility", None)
    case["diagnoses"] = []
    case["denial"] = {"notice_date": "2026-11-02"}  # a denial whose reasons the case does not say


def _provider_not_psychiatric(case: dict) -> None:
    case["sender"]["specialty"] = "family medicine"
    case["sender"]["credentials"] = "MD"
    case["treatment"]["facility"] = "Main Street Clinic"


def _no_response(case: dict) -> None:
    """Every rating since treatment began well short of half the one before (MADRS 34 to 20, PHQ-9 21 to 15)."""
    for score in case["clinical"]["scores"]:
        if str(score["date"]) > str(case["treatment"]["start_date"]):
            score["value"] = {"madrs": 20, "phq9": 15}[score["instrument"]]


def _pain_not_known(case: dict) -> None:
    case["prior_treatments"] = case["prior_treatments"][:3]
    _trials(case, {"drug_class": None}, {"response": None})


def _other_treatment_unnamed(case: dict) -> None:
    case["treatment"]["kind"] = "other"
    case["treatment"].pop("name", None)


def _pain_one_kind(case: dict) -> None:
    case["prior_treatments"] = [trial for trial in case["prior_treatments"] if "gabapentin" in trial["name"]]
    case["diagnoses"] = [{"code": "F33.2"}, {"code": "G90.512"}]


def _pain_nothing_failed(case: dict) -> None:
    case["prior_treatments"] = [dict(case["prior_treatments"][0], response="relapse")]


def _pain_untried(case: dict) -> None:
    case["prior_treatments"] = []


EDITS: dict[str, tuple[str, Callable[[dict], None]]] = {
    "child-unscreened-untried": ("ketamine-trd-erisa-appeal", _child_unscreened_untried),
    "trials-not-counted": ("ketamine-trd-erisa-appeal", _trials_not_counted),
    "trials-not-known": ("ketamine-trd-erisa-appeal", _trials_not_known),
    "one-class-twice": ("ketamine-trd-erisa-appeal", _one_class_twice),
    "patient-psychiatric-enclosure": ("ketamine-trd-erisa-appeal", _patient_with_psychiatric_enclosure),
    "provider-unknown": ("esketamine-prior-auth-psychiatrist", _provider_unknown),
    "provider-not-psychiatric": ("esketamine-prior-auth-psychiatrist", _provider_not_psychiatric),
    "no-response": ("esketamine-maintenance-reauthorization", _no_response),
    "pain-not-known": ("ketamine-crps-marketplace-external-review", _pain_not_known),
    "other-treatment-unnamed": ("ketamine-crps-marketplace-external-review", _other_treatment_unnamed),
    "pain-one-kind": ("ketamine-crps-marketplace-external-review", _pain_one_kind),
    "pain-nothing-failed": ("ketamine-crps-marketplace-external-review", _pain_nothing_failed),
    "pain-untried": ("ketamine-crps-marketplace-external-review", _pain_untried),
}


def write_edited(folder: Path) -> dict[str, Path]:
    """Each edited case written as a case file in `folder`, by its name."""
    written = {}
    for name, (example, edit) in EDITS.items():
        case = _example(example)
        edit(case)
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(case, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written[name] = path
    return written


def all_cases(folder: Path) -> dict[str, Path]:
    """The bundled examples and the edited cases, by name."""
    return {path.stem: path for path in sorted(examples_folder().glob("*.yaml"))} | write_edited(folder)
