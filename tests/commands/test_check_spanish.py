"""`appeal check` in Spanish (issue 32): every criterion, what the case shows beside it, what to add, why each study
was chosen, the code problems and the warnings, on every example and on cases edited to reach each criterion's
not met and not known; and the English as it was.

What stays English on purpose: what the person typed (treatment names, the facility, the prescriber, an enclosure,
a specialty), the official names of ICD-10-CM and billing codes, the studies' ids, and the field paths (what to
look for in the case file), which the Spanish names in words beside them."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from check_cases import EDITS, all_cases
from english_left import english_in, words

from appeal.cases import casefile, codes, icd10
from appeal.cli import main
from appeal.rules import evidence

# Words both languages print: names of scales, programs and plans, and words that are Spanish too ('use': 'use
# J0013', 'plan', 'nasal').
SHARED = {"PHQ", "MADRS", "HAM", "REMS", "SPRAVATO", "ICD", "CM", "MD", "PMHNP", "BC", "CRPS", "ERISA", "Medicare",
          "Original", "a", "no", "No", "nasal", "plan", "use"}


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, Path]:
    return all_cases(tmp_path_factory.mktemp("check-cases"))


def _check(path: Path, *lang: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main([*lang, "check", "--case", str(path)])
    return out.getvalue()


@functools.cache
def _typed(path: Path) -> tuple[str, ...]:
    """What the output may quote as it is: every text of the case file, the official names of its codes and the
    studies' ids, longest first (so a name inside a longer one goes with it). Found once for each case file (they
    are the module's, never changed), whether its English or its Spanish output is read."""
    def texts(value) -> list[str]:
        if isinstance(value, dict):
            return [text for item in value.values() for text in texts(item)]
        if isinstance(value, list):
            return [text for item in value for text in texts(item)]
        return [str(value)] if isinstance(value, str) and len(value) > 3 else []

    case = casefile.load(path)
    known = codes.known_codes()
    found = texts(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    found += [icd10.describe(diagnosis.code) for diagnosis in case.diagnoses]
    found += [known[item.code].descriptor for item in case.treatment.codes if item.code in known]
    found += list(evidence.load_library())
    return tuple(sorted(set(found), key=len, reverse=True))


def _own_words(text: str, path: Path) -> str:
    for typed in _typed(path):  # as a whole, never part of a field path ('patient' in patient.date_of_birth)
        text = re.sub(rf"(?<![\w.]){re.escape(typed)}(?![\w\[]|\.\w)", " ", text)
    return text


# a field path, a field's name, a list of the case, a field named alone in brackets ('(dose)')
_FIELD = re.compile(r"\b[a-z_]+(?:(?:\[[^]]*\])?\.[a-z_0-9]+)+\b|\b[a-z]+_[a-z_]+\b|\b(?:diagnoses|enclosures)\b"
                    r"|\([a-z]+\)")


def _words(text: str) -> list[str]:
    """The words of an output beside its field names (patient.date_of_birth, drug_class, diagnoses, '(dose)') and
    codes' letters (F32.x, HAM-D)."""
    return [word for word in words(_FIELD.sub(" ", text)) if len(word) > 1]


def test_every_case_reads_spanish_with_no_english_left_but_what_was_typed(cases):
    assert len(cases) == 8 + len(EDITS)
    left, english_left = {}, {}
    for name, path in cases.items():
        spanish, english = _own_words(_check(path, "--lang", "es"), path), _own_words(_check(path), path)
        assert spanish != english, name
        found = english_in(spanish)
        if found:
            left[name] = found
        # a word the English prints and the Spanish prints too, beyond the names both use: a string left English
        # (a label such as 'chronic pain' has no stop word for english_in to catch)
        same = sorted(set(_words(spanish)) & set(_words(english)) - SHARED)
        if same:
            english_left[name] = same
    assert left == {} and english_left == {}


def test_the_stop_word_check_would_catch_a_criterion_left_english(cases):
    """The test above can fail: the English output of a case, read as if it were the Spanish, trips it."""
    path = cases["trials-not-known"]
    assert english_in(_own_words(_check(path), path))


def test_the_spanish_names_each_field_in_words_beside_its_path(cases):
    spanish = _check(cases["trials-not-known"], "--lang", "es")
    assert "agregue el resultado del tratamiento 1 de la lista (prior_treatments[0].response)" in spanish
    assert "el tipo del tratamiento 2 de la lista (prior_treatments[1].drug_class)" in spanish
    assert "Agregue la fecha de nacimiento del paciente (patient.date_of_birth)." in spanish
    spanish = _check(cases["ketamine-crps-marketplace-external-review"], "--lang", "es")
    # a date in words, not the case file's 1990-04-17 (found reading it as a Spanish-speaking patient would)
    assert "Fecha de nacimiento del paciente (patient.date_of_birth): 17 de abril de 1990; edad:" in spanish
    assert "(anticonvulsivo o gabapentinoide, 10 semanas, efectos secundarios que no se podían tolerar)" in spanish
    assert ("coincide con las afecciones: síndrome de dolor regional complejo (CRPS) y dolor crónico, tratamiento: "
            "ketamina intravenosa, responde a los motivos de la denegación: experimental o de investigación y no es "
            "médicamente necesario") in spanish


def _age(born: date) -> int:
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_the_english_is_as_it_was(cases):
    """The lines the English printed before the Spanish came, word for word."""
    crps = _check(cases["ketamine-crps-marketplace-external-review"])
    assert f"patient.date_of_birth 1990-04-17: age {_age(date(1990, 4, 17))}." in crps
    assert ("[met]     Standard treatments for the pain have been tried without enough relief\n          6 treatments "
            "of 5 kinds tried without enough relief: occupational and physical therapy (graded motor imagery, mirror "
            "therapy, desensitization) (physical or occupational therapy, 40 weeks, partial improvement only), "
            "gabapentin (anticonvulsant or gabapentinoid, 10 weeks, intolerable side effects)") in crps
    assert ("[1] cohen-2018-ketamine-chronic-pain-consensus-guidelines: matches conditions CRPS and chronic pain, "
            "treatment IV ketamine, answers denial reasons experimental or investigational and not medically "
            "necessary\n") in crps
    assert "[4] fda-off-label-use-of-approved-drugs: matches conditions CRPS and chronic pain, treatment IV " \
           "ketamine, answers denial reason experimental or investigational\n" in crps
    unknown = _check(cases["trials-not-known"])
    assert ("[unknown] Two or more adequate antidepressant trials have failed in the current episode\n          No "
            "antidepressant trial qualifies so far. Add prior_treatments[0].response, prior_treatments[1].drug_class, "
            "prior_treatments[2].adequate_weeks to decide.\n") in unknown
    assert "[unknown] The patient is an adult (18 or older)\n          Add patient.date_of_birth.\n" in unknown
    child = _check(cases["child-unscreened-untried"])
    assert child.startswith(
        "[CODE ERROR] treatment.codes[0]: S0013 (Esketamine, nasal spray, 1 mg) was discontinued after December 31, "
        "2025: use J0013 for care given from then on.\nWarning: enclosures[1] names 'Medicare Summary Notice' (the "
        "Medicare Summary Notice, which Original Medicare sends), but insurance.plan_type is employer plan, "
        "self-funded (ERISA): correct the one that is wrong, or the letter will mix the two.\nWarning: "
        "clinical.history ('History') speaks of you in the third person ('Patient reports'), but the letter is in "
        "your own voice (I, my): put it in your own words, or leave it as it is if it quotes someone else.\n")
    assert f"patient.date_of_birth 2012-03-04: age {_age(date(2012, 3, 4))}; plans cover these treatments for " \
           "adults only." in child
    responded = _check(cases["esketamine-maintenance-reauthorization"])
    assert ("MADRS 34 (2026-05-05) to 8 (2026-11-05), 76% lower: a response, in remission (12 or less); PHQ-9 21 "
            "(2026-05-05) to 4 (2026-11-05), 81% lower: a response, in remission (below 5).") in responded
    assert ("MADRS 34 (2026-05-05) to 20 (2026-11-05), 41% lower: short of a response (at least 50% lower); PHQ-9 21 "
            "(2026-05-05) to 15 (2026-11-05), 29% lower: short of a response (at least 50% lower).") \
        in _check(cases["no-response"])
    counted = _check(cases["trials-not-counted"])
    assert ("Not counted: sertraline: 3 weeks at an adequate dose, fewer than 6; venlafaxine XR: it was not in the "
            "current episode; bupropion XL: the outcome was relapse, not little or no improvement; aripiprazole "
            "(added to bupropion): 1 week at an adequate dose, fewer than 6.") in counted
    added = _check(cases["one-class-twice"])
    assert "feder-2021-ketamine-ptsd-repeated: added by request in the case's evidence.add list" in added
    assert re.search(r"is a guideline or consensus statement, included whatever the denial reason", added)


def test_a_case_file_or_evidence_list_check_cannot_read_is_told_in_spanish(tmp_path):
    """What stops `appeal check` (a case file's problems, evidence the case names that does not exist) is Spanish
    too, the field paths and the values to type as they are."""
    import contextlib
    import io

    bad = tmp_path / "bad.yaml"
    bad.write_text("patient:\n  date_of_birth: 2030-01-01\n  foo: 1\ninsurance:\n  plan_type: bogus\n",
                   encoding="utf-8")
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("evidence:\n  add: [cohen-2018-ketamine]\n", encoding="utf-8")
    both = tmp_path / "both.yaml"
    both.write_text("evidence:\n  add: [rush-2006-star-d-stepwise-remission]\n  drop: "
                    "[rush-2006-star-d-stepwise-remission]\n", encoding="utf-8")
    for path in (bad, unknown, both):
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            assert main(["--lang", "es", "check", "--case", str(path)]) == 2
        said = errors.getvalue()
        assert said.startswith("appeal: ") and not english_in(_FIELD.sub(" ", said.replace(str(path), " "))), said
    with contextlib.redirect_stderr(io.StringIO()) as errors:
        main(["check", "--case", str(bad)])
    assert errors.getvalue() == (
        f"appeal: {bad} has 3 problems:\n  patient.date_of_birth (line 2): 01/01/2030 is in the future; this date must "
        "be today or earlier\n  patient.foo (line 3): is not a field of a case (a typo?); see `appeal schema` for the "
        "field names\n  insurance.plan_type (line 5): must be one of: 'employer_self_funded', "
        "'employer_fully_insured', 'individual_marketplace', 'medicare_original', 'medicare_advantage', "
        "'medicare_part_d', 'medicaid_ffs', 'medicaid_managed_care', 'va', 'tricare', 'fehb' or 'other'\n")
