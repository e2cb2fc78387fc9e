"""Conditions as data (appeal/data/conditions.yaml): the file agrees with the case model, the clinical rules and the
criteria, and a pain case is judged, asked and written as a pain case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import docx_text, example_case

from appeal.base.resources import examples_folder, load_data
from appeal.cases import conditions, icd10
from appeal.cases.case import ANTIDEPRESSANT_CLASSES, Case, DrugClass
from appeal.cli import main
from appeal.rules import clinical, readiness
from appeal.rules.clinical import Condition

CRPS_EXAMPLE = "ketamine-crps-marketplace-external-review"


def test_every_treatment_class_of_the_case_model_is_declared_once_with_a_label_and_whether_it_is_a_drug():
    assert list(conditions.all_classes()) == [member.value for member in DrugClass]
    assert DrugClass.physical_therapy.label == "physical or occupational therapy"
    assert DrugClass.tca.label == "tricyclic (TCA)" and DrugClass.other.label == "other"
    assert DrugClass.physical_therapy.drug is False and DrugClass.nerve_block.drug is False
    assert DrugClass.spinal_cord_stimulation.drug is False and DrugClass.psychotherapy.drug is False
    assert DrugClass.gabapentinoid.drug is True and DrugClass.other.drug is None
    assert {member.value for member in ANTIDEPRESSANT_CLASSES} == {"ssri", "snri", "bupropion", "mirtazapine",
                                                                  "tca", "maoi"}


def test_each_condition_the_rules_recognize_is_declared_and_its_codes_are_real():
    declared = list(conditions.all_conditions())
    assert declared[:-1] == [condition.value for condition in Condition] and declared[-1] == conditions.OTHER
    for condition in conditions.all_conditions().values():
        for prefix in condition.codes:
            assert icd10.describe(prefix), (condition.id, prefix)  # a code or category of the code set
    assert "G89.1" not in conditions.of("chronic_pain").codes  # acute pain


def test_each_condition_lists_exactly_the_criteria_that_apply_to_it():
    criteria = readiness.all_criteria()  # raises when conditions.yaml and criteria.yaml disagree
    ids = {criterion.id for criterion in criteria}
    for condition in conditions.all_conditions().values():
        assert set(condition.criteria) <= ids
    pain = set(conditions.of("crps").criteria)
    assert {"adult", "pain_diagnosis", "pain_standard_treatments"} <= pain
    assert not pain & {"trd_adequate_trials", "depression_diagnosis", "severity_documented"}


def test_every_medication_name_suggests_a_declared_class():
    assert set(load_data("medications.yaml")) <= set(conditions.all_classes())


def test_a_pain_patient_is_offered_pain_treatments_and_a_depressed_one_antidepressants():
    pain = conditions.classes_for(["crps"])
    assert pain[0] == "gabapentinoid" and pain[-1] == "other"
    assert {"physical_therapy", "nerve_block", "spinal_cord_stimulation", "snri", "tca"} <= set(pain)
    assert not {"ssri", "maoi", "ect", "tms", "bupropion"} & set(pain)
    assert {"ssri", "ect", "tms"} <= set(conditions.classes_for(["treatment_resistant_depression"]))
    assert conditions.classes_for([]) == list(conditions.of(conditions.OTHER).classes)


def case_with(codes: list[str], **extra) -> Case:
    return Case.model_validate({"treatment": {"kind": "iv_ketamine"},
                                "diagnoses": [{"code": code} for code in codes], **extra})


@pytest.mark.parametrize("codes, names, episodic", [
    (["G90.512"], ["crps"], False),
    (["G56.41"], ["crps"], False),
    (["G89.4"], ["chronic_pain"], False),
    (["G50.0"], ["chronic_pain"], False),
    (["G89.11"], ["other"], True),  # acute pain is not chronic pain
    (["F33.2"], ["treatment_resistant_depression"], True),
    (["F33.2", "G90.512"], ["treatment_resistant_depression", "crps"], True),
    (["F43.10"], ["ptsd"], False),
    ([], ["other"], True),
])
def test_a_case_s_conditions_come_from_its_codes(codes, names, episodic):
    case = case_with(codes)
    assert clinical.condition_names(case) == names
    assert clinical.episodic(case) is episodic


def test_pain_treatments_of_two_kinds_that_failed_meet_the_criterion_and_one_kind_does_not():
    trials = [{"name": "gabapentin", "drug_class": "gabapentinoid", "adequate_weeks": 10, "response": "none"},
              {"name": "pregabalin", "drug_class": "gabapentinoid", "adequate_weeks": 12, "response": "none"}]
    found = {result.criterion.id: result for result in readiness.check(case_with(["G90.512"], prior_treatments=trials))}
    assert found["pain_standard_treatments"].status is readiness.Status.not_met
    trials.append({"name": "physical therapy", "drug_class": "physical_therapy", "adequate_weeks": 40,
                   "response": "partial"})
    found = {result.criterion.id: result for result in readiness.check(case_with(["G90.512"], prior_treatments=trials))}
    assert found["pain_standard_treatments"].status is readiness.Status.met
    assert "physical therapy (physical or occupational therapy, 40 weeks, partial improvement only)" in (
        found["pain_standard_treatments"].detail)
    assert found["pain_diagnosis"].status is readiness.Status.met
    trials.append({"name": "a new one"})
    found = {result.criterion.id: result for result in readiness.check(case_with(["G90.512"], prior_treatments=trials))}
    assert found["pain_standard_treatments"].status is readiness.Status.met  # two kinds already: nothing to add


def test_the_bundled_crps_letter_has_no_depression_wording_and_names_its_criteria(tmp_path: Path, capsys):
    out = tmp_path / "crps.docx"
    assert main(["draft", "--case", str(examples_folder() / f"{CRPS_EXAMPLE}.yaml"), "-o", str(out)]) == 0
    text = docx_text(out)
    assert not re.search(r"depress|antidepressant|episode", text, re.I)
    criteria = next(line for line in text.splitlines() if line.startswith("The usual coverage criteria for this treatment, each met here:"))
    assert criteria.count(";") >= 2
    rows = [line for line in text.splitlines() if " | " in line]
    for name in ("occupational and physical therapy", "stellate ganglion", "spinal cord stimulator"):
        row = next(row for row in rows if row.startswith(name))
        assert "| other |" not in row and "full dose" not in row
    assert "Current condition: Constant burning pain" in text
    assert example_case(CRPS_EXAMPLE).prior_treatments[0].drug_class is DrugClass.physical_therapy


def test_a_depression_letter_keeps_its_episode_wording(tmp_path: Path, capsys):
    out = tmp_path / "trd.docx"
    assert main(["draft", "--case", str(examples_folder() / "esketamine-prior-auth-psychiatrist.yaml"),
                 "-o", str(out)]) == 0
    text = docx_text(out)
    assert "Current episode:" in text and "antidepressant" in text


def test_each_conditions_scales_are_scales_the_case_model_knows():
    from appeal.cases.case import Instrument

    known = {instrument.value for instrument in Instrument}
    for condition in conditions.all_conditions().values():
        assert set(condition.scales) <= known, condition.id
    assert conditions.scales_for(["crps"]) == ["pain"]
    assert conditions.scales_for(["treatment_resistant_depression", "ptsd"]) == ["phq9", "madrs", "hamd", "pcl5"]
