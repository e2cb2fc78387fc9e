"""What weakens a case without stopping its letter: an unspecified diagnosis code, a treatment with no name, a
billing code that does not fit the plan or the date. The letter's draft warnings, the questionnaire's review and
the browser's review page all ask here.

Kept out of the case model because the billing-code check reads the model (and codes.yaml) itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from appeal.base.language import shown_date, translate as _
from appeal.cases import codes, icd10, plan_types
from appeal.cases.case import Case, TreatmentKind


def warnings(case: Case, today: date | None = None) -> list[str]:
    """Things that will not stop a letter but weaken it, in the person's language."""
    found = [warning for diagnosis in case.diagnoses if (warning := icd10.weakness(diagnosis.code))]
    if case.treatment.kind is TreatmentKind.other and not case.treatment.name:
        found.append(_("treatment.name: the treatment kind is 'other' but no name is given"))
    found += [str(problem) for problem in codes.check(case)]
    found += other_plan_types_words(case)
    born = case.patient.date_of_birth
    if born is not None and (today or date.today()).toordinal() - born.toordinal() < 730:
        # '5/3/2025' typed for 5 March, read as May 3: a date of birth the plan will not match
        found.append(_("patient.date_of_birth: {date} makes the patient less than two years old. Check the year, and "
                       "the order of month and day (dates are read month first: 5/3/2025 is May 3, 2025).").format(
            date=shown_date(born)))
    return found


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) of every text in a case's data, lists numbered from 1 as the error messages number them."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            yield from _texts(item, f"{path}[{number}]")


def other_plan_types_words(case: Case) -> list[str]:
    """A text that names another plan type's own document or office (plan_types.yaml `own_words`): the case says
    Medicare Advantage but its enclosures list a Medicare Summary Notice. Such a case was likely copied from an old
    one, or the plan type changed after the answers; the letter would print both, and a reviewer notices."""
    own = case.insurance.plan_type
    if own is None:
        return []
    others = [words for name, data in plan_types.all_plan_types().items() if name != own for words in data.own_words]
    if not others:
        return []
    any_word, patterns = _compiled(tuple(words.pattern for words in others))
    found = []
    for path, text in _texts(case.model_dump(mode="json", exclude={"insurance": {"plan_type"}})):
        if not any_word.search(text):  # most texts name none: one search instead of one a pattern
            continue
        for pattern, words in zip(patterns, others):
            match = pattern.search(text)
            if match:
                found.append(_("{field} names '{words}' ({what}), but insurance.plan_type is {plan}: correct the "
                               "one that is wrong, or the letter will mix the two.").format(
                    field=path, words=match.group(0), what=_(words.what), plan=_(plan_types.of(own).label)))
                break
    return found


@functools.cache
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], list[re.Pattern[str]]]:
    """Any of `patterns` in one regular expression (most texts name none: one search instead of one a pattern),
    and each one, compiled once."""
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns)), [re.compile(p) for p in patterns]
