"""What weakens a case without stopping its letter: an unspecified diagnosis code, a treatment with no name, a
billing code that does not fit the plan or the date. The letter's draft warnings, the questionnaire's review and
the browser's review page all ask here.

Kept out of the case model because the billing-code check reads the model (and codes.yaml) itself.
"""

from __future__ import annotations

from appeal.cases import codes, icd10
from appeal.cases.case import Case, TreatmentKind


def warnings(case: Case) -> list[str]:
    """Things that will not stop a letter but weaken it."""
    found = [warning for diagnosis in case.diagnoses if (warning := icd10.weakness(diagnosis.code))]
    if case.treatment.kind is TreatmentKind.other and not case.treatment.name:
        found.append("treatment.name: the treatment kind is 'other' but no name is given")
    found += [str(problem) for problem in codes.check(case)]
    return found
