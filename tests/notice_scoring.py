"""Comparing what the import read with what a notice says: the same fact written two ways counts as the same.

Shared by tests/import_benchmark.py and the import's tests, so both judge a value alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def norm(key: str, value) -> str:
    """The value as compared: the same fact written two ways is the same (a fax's digits, '180 calendar days' and
    '180 days', a company's name in capitals or not)."""
    text = " ".join(str(value or "").replace("\n", ", ").split())
    if key == "appeal_deadline":
        text = re.sub(r"(?i)\b(?:calendar) ", "", text)
    if key == "appeals_fax":
        text = re.sub(r"\D", "", text)[-10:]
    if key == "insurer":  # 'Larkspur Rx Plans, Inc.' is Larkspur Rx Plans, Inc and Larkspur Rx Plans
        text = re.sub(r"(?:,? (?:inc|llc|co|corp|corporation|company|ltd)\.?)?\.?$", "", text.casefold())
    if key in UNORDERED:  # 'CPT 93798, 93797' and '93797, 93798' are the same codes
        text = ", ".join(sorted(set(filter(None, text.split(", ")))))
    if key == "patient_name":  # 'Raymond T Okonkwo' is Raymond Okonkwo
        text = re.sub(r"(?<=\S) [A-Z]\.?(?= \S)", "", text)
    if key == "group_number":  # 'GRP 00581129' is group 00581129: the prefix only says what the number is
        text = re.sub(r"(?i)^(?:grp|group)\.?\s+(?=\w*\d)", "", text)
    if key in ("patient_name", "plan_name"):  # a name printed in capitals is the same name: 'AUBREY McCALLISTER'
        text = text.casefold()
    return text


def same(key: str, truth: str, got: str) -> bool:
    """The plan's words are right when one holds the other and they are nearly as long (a lead-in such as 'We
    denied your request because' kept or left out)."""
    if truth == got or key == "service" and truth.lower() == got.lower():  # 'Admission to...' is 'the admission to...'
        return True
    if key == "service" and truth and got.lower().startswith(truth.lower()):  # the service and its dose, frequency, quantity or phase,
        # or a drug's generic name in brackets: 'Breztri Aerosphere (budesonide/glycopyrrolate/formoterol) 160-9-4.8 mcg'
        return bool(re.match(r",? (?:\d|per\b|every\b|once\b|twice\b|daily\b|weekly\b|monthly\b|x ?\d|#\s?\d|qty\b|\([a-z]"
                             r"|quantity\b|(?:induction|maintenance|initial|continuation|acute) (?:phase|course)\b)",
                             got[len(truth):]))
    if key == "quote" and truth and got:
        short, long = sorted((truth, got), key=len)
        return short in long and len(short) >= 0.7 * len(long)
    return False


# Code lists whose order means nothing: a claim's procedure codes and its adjustment codes are compared as sets.
# A claim's diagnoses are not: its first is the principal one.
UNORDERED = ("procedure_codes", "adjustment_codes")

FIELD_KEYS = ("patient_name", "date_of_birth", "member_id", "group_number", "insurer", "plan_name", "plan_type",
              "notice_date", "reference", "service", "procedure_codes", "diagnoses", "provider_npi", "reason", "quote",
              "appeal_deadline", "appeals_fax", "appeals_address", "adjustment_codes")
DENIALS = {"denial_prior_authorization", "denial_claim", "denial_appeal_decision", "final_internal_denial", "eob_denied"}


def valid_npi(value: str) -> bool:
    from appeal.cases.fields import check_npi

    try:
        check_npi(value)
    except ValueError:
        return False
    return True


def unbillable_codes(diagnoses: str | None) -> list[str]:
    """The diagnosis codes a notice prints that are not billable in the current ICD-10-CM code set (a category such
    as G35 since its subcodes came in): the import refuses them, saying so."""
    from appeal.cases import icd10

    refused = []
    for code in filter(None, (diagnoses or "").split(", ")):
        try:
            icd10.check(code)
        except ValueError:
            refused.append(code)
    return refused


def expected_fields(fields: dict) -> dict:
    """A notice's true fields as the import must give them: an NPI that fails its check digit, and a diagnosis code
    that is not billable, must be refused."""
    fields = dict(fields)
    if fields.get("provider_npi") and not valid_npi(fields["provider_npi"]):
        fields["provider_npi"] = None
    refused = unbillable_codes(fields.get("diagnoses"))
    if refused:
        fields["diagnoses"] = ", ".join(code for code in fields["diagnoses"].split(", ") if code not in refused) or None
    return fields


@dataclass(frozen=True)
class Judged:
    key: str
    truth: str
    got: str
    certain: bool

    @property
    def right(self) -> bool:
        return same(self.key, self.truth, self.got)

    @property
    def wrong_but_certain(self) -> bool:
        return bool(self.got) and not self.right and self.certain


def judge(fields: dict, extraction) -> list[Judged]:
    """Each field of the notice: what it says, what the import read, and whether the import vouched for it."""
    judged = []
    for key in FIELD_KEYS:
        found = extraction.found.get(key)
        judged.append(Judged(key, norm(key, fields.get(key)), norm(key, extraction.shown(key)),
                             bool(found is not None and found.certain)))
    return judged
