"""The case model and case files: validation people can act on, and nothing lost in a round trip."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import EXAMPLES, example_case

from appeal.cases import checks as case_checks, casefile
from appeal.cases.case import Case, Diagnosis, Patient, Sender
from appeal.base.errors import UserError
from appeal.base.resources import examples_folder


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_round_trip_without_loss(name, tmp_path):
    case = example_case(name)
    for suffix in (".yaml", ".json"):
        saved = casefile.save(case, tmp_path / f"again{suffix}", overwrite=False)
        assert casefile.load(saved) == case
        assert saved.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_internally_consistent(name):
    case = example_case(name)
    assert case.patient.full_name and case.patient.member_id and case.insurance.plan_type
    if case.denial:
        assert case.denial.notice_date and case.denial.quote and case.denial.reason
        if case.treatment.dates_of_service:
            assert max(case.treatment.dates_of_service) <= case.denial.notice_date
    for line in case.treatment.services:
        assert line.date in case.treatment.dates_of_service
    birth = case.patient.date_of_birth
    assert birth and (date.today() - birth).days > 18 * 365


def test_dates_accept_the_formats_people_type():
    for typed in ("03/14/1980", "1980-03-14", "March 14 1980", "Mar 14, 1980", "3/14/80",
                  # as a tired person types them: short or misspelt months, ordinals, day first
                  "march 14 1980", "Mar. 14th, 1980", "14 march 1980", "Marhc 14 1980"):
        assert str(Patient(date_of_birth=typed).date_of_birth) == "1980-03-14", typed
    assert str(Patient(date_of_birth="sept 22 1980").date_of_birth) == "1980-09-22"


def test_a_month_and_day_without_a_year_asks_for_the_year():
    with pytest.raises(UserError) as error:
        casefile.from_data({"patient": {"date_of_birth": "sept 22"}}, "case.yaml")
    assert "'sept 22' has no year; write it with the year, like Sept 22" not in str(error.value)
    assert "'sept 22' has no year; write it with the year, like September 22, " in str(error.value)


@pytest.mark.parametrize("typed, why", [
    ("02/30/1990", "February has 28 days in 1990"),
    ("2/29/25", "February has 28 days in 2025"),
    ("13/45/1990", "there is no month 13 (months are 1 to 12)"),
    ("31/12/2020", "there is no month 31; write the month first, like 12/31/2020"),
    ("1/1/0000", "there is no year 0"),
])
def test_a_typed_date_that_is_no_day_says_why_in_words(typed, why):
    """The terminal and the browser both show this message under the question, so a tired person sees what to fix."""
    with pytest.raises(UserError) as error:
        casefile.from_data({"patient": {"date_of_birth": typed}}, "case.yaml")
    assert "patient.date_of_birth" in str(error.value) and f"'{typed}' is not a date: {why}" in str(error.value)


def test_future_birth_date_is_refused_with_the_field_named():
    with pytest.raises(UserError) as error:
        casefile.from_data({"patient": {"date_of_birth": "2099-01-01"}}, "case.yaml")
    assert "patient.date_of_birth" in str(error.value) and "future" in str(error.value)


def test_unknown_field_is_named_as_a_probable_typo():
    with pytest.raises(UserError) as error:
        casefile.from_data({"patient": {"membr_id": "X"}}, "case.yaml")
    assert "patient.membr_id" in str(error.value) and "typo" in str(error.value)


def test_bad_choice_lists_the_valid_ones():
    with pytest.raises(UserError) as error:
        casefile.from_data({"insurance": {"plan_type": "employer"}}, "case.yaml")
    message = str(error.value)
    assert "insurance.plan_type" in message and "employer_self_funded" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("patient:\n  first_name: Ann\n   last_name: Lee\n")
    with pytest.raises(UserError) as error:
        casefile.load(path)
    assert "line 3" in str(error.value)


def test_icd10_codes_are_checked_normalized_and_described():
    assert Diagnosis(code="f332").code == "F33.2"
    assert "recurrent severe" in Diagnosis(code="F33.2").description
    with pytest.raises(ValueError, match="not an ICD-10-CM code"):
        Diagnosis(code="F99.99")
    with pytest.raises(ValueError, match="category"):
        Diagnosis(code="F33")


def test_unspecified_code_gives_a_warning():
    case = Case(diagnoses=[{"code": "F32.A"}])
    assert any("F32.A" in warning and "unspecified" in warning for warning in case_checks.warnings(case))
    assert case_checks.warnings(Case(diagnoses=[{"code": "F33.2"}])) == []


def test_a_date_of_birth_under_two_years_ago_is_questioned_in_words():
    """A Spanish speaker typed 5/3/2025 meaning 5 March: it was kept as May 3, 2025, a date of birth 19 months ago,
    without a word, and a plan matches a claim by the date of birth."""
    today = date(2026, 12, 7)
    recent = Case(patient={"date_of_birth": "2025-05-03"})
    [said] = [warning for warning in case_checks.warnings(recent, today) if warning.startswith("patient.date_of_birth")]
    assert "05/03/2025 makes the patient less than two years old" in said and "5/3/2025 is May 3, 2025" in said
    assert not [warning for warning in case_checks.warnings(Case(patient={"date_of_birth": "1986-04-02"}), today)
                if "date_of_birth" in warning]


def test_npi_check_digit_and_phone_normalization():
    assert Sender(npi="1234567893").npi == "1234567893"
    with pytest.raises(ValueError, match="check digit"):
        Sender(npi="1234567890")
    assert Sender(phone="614.555.0142").phone == "(614) 555-0142"
    assert Sender(fax="+1 614 555 0142").fax == "(614) 555-0142"


def test_json_case_files_are_accepted(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"patient": {"first_name": "Ann"}}))
    assert casefile.load(path).patient.first_name == "Ann"


def test_every_example_file_has_a_summary_line():
    for path in examples_folder().glob("*.yaml"):
        assert path.read_text().startswith("# "), path.name


def test_diagnosis_lookup_forgives_typos_and_abbreviations_and_puts_this_field_first():
    from appeal.cases import icd10

    assert icd10.search("depression")[0][0].startswith(("F33", "F32"))
    assert [code for code, _ in icd10.search("depresion")] == [code for code, _ in icd10.search("depression")]
    assert {"F43.10", "F43.11", "F43.12"} <= {code for code, _ in icd10.search("ptsd")}
    assert icd10.search("crps left arm")[0][0] == "G90.512"
    assert icd10.search("suicide ideation")[0][0] == "R45.851"


def test_a_depression_lookup_offers_the_specific_major_depression_codes_before_other_and_unspecified():
    from appeal.cases import icd10

    codes = [code for code, _ in icd10.search("depression", limit=40)]
    assert codes[:3] == ["F33.0", "F33.1", "F33.2"]
    assert codes.index("F32.2") < codes.index("F32.A") and codes.index("F33.2") < codes.index("F33.8")


def test_the_prescriber_and_what_the_patient_expects_are_described_and_checked():
    from pydantic import ValidationError

    from appeal.cases.case import Case

    fields = Case.model_json_schema()["$defs"]
    assert "psychiatrist" in fields["Treatment"]["properties"]["prescriber_specialty"]["description"]
    assert "own words" in fields["Clinical"]["properties"]["if_denied"]["description"]
    with pytest.raises(ValidationError, match="has no letters"):
        Case.model_validate({"treatment": {"prescriber_specialty": "1234"}})
    with pytest.raises(ValidationError, match="at most 120"):
        Case.model_validate({"treatment": {"prescriber": "x" * 121}})
    case = Case.model_validate({"treatment": {"prescriber": " Dr. Priya Raman ", "prescriber_specialty": "psychiatrist"},
                                "clinical": {"if_denied": "I could lose my job."}})
    assert case.treatment.prescriber == "Dr. Priya Raman" and case.clinical.if_denied == "I could lose my job."


@pytest.mark.parametrize(("typed", "kept"), [
    ("Claim 0526278419310", "0526278419310"), ("Auth #: A123", "A123"), ("Claim No. 55-1", "55-1"),
    ("Reference number: UM88", "UM88"), ("ICN 1234", "1234"),
    # no label, or a label with no number after it: kept as typed
    ("CLM-12345678", "CLM-12345678"), ("claims 12", "claims 12"), ("Appeal", "Appeal"),
])
def test_a_label_typed_before_the_reference_number_is_not_printed_twice(typed, kept):
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.denial.reference = typed
    assert case.denial.reference == kept


@pytest.mark.parametrize(("typed", "kept"), [("co", "CO"), ("Colorado", "CO"), (" new  york", "NY"), ("N.Y.", "NY"),
                                             ("district of columbia", "DC"), ("pr", "PR")])
def test_the_plans_state_is_taken_as_its_code_or_its_name(typed, kept):
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.insurance.state = typed
    assert case.insurance.state == kept


@pytest.mark.parametrize(("typed", "hint"), [("Colorodo", "did you mean CO, Colorado?"), ("ZZ", "not a US state")])
def test_a_state_that_is_none_is_refused_with_the_nearest_names(typed, hint, tmp_path):
    path = tmp_path / "case.yaml"
    text = (examples_folder() / "ketamine-crps-marketplace-external-review.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("state: CO", f"state: {typed}"), encoding="utf-8")
    with pytest.raises(UserError) as error:
        casefile.load(path)
    assert "insurance.state" in str(error.value) and hint in str(error.value)
