"""Free text in another voice: notes about the patient in the third person, in a letter the patient writes.

A patient's letter says "I" (rubric item 17). Text pasted from a chart ("Patient reports ...", "she has tried ...")
and printed in it reads as someone else's note and makes a reviewer wonder who wrote the letter. The person's words
are never rewritten: each such field is named in a warning (after drafting, and on the review screens), with the
words that gave it away, so the person can put it in their own voice or leave it.
"""

from __future__ import annotations

import re

from appeal.base.language import translate as _
from appeal.cases.case import Case, SenderRole

# The typed fields a patient's letter prints as the patient's own words, with the label the letter gives them.
# (The provider's statement is printed as the provider's; the plan's quote as the plan's.)
OWN_WORDS = {
    "clinical.history": "History",
    "clinical.current_episode": "Current episode",
    "clinical.functional_impairment": "Effect on daily life",
    "clinical.hospitalizations": "Hospitalizations",
    "clinical.suicide_risk": "Suicide risk",
    "clinical.contraindications": "Why other options are unsuitable",
    "clinical.if_denied": "What I expect if this treatment is denied",
    "treatment.urgency_reason": "Why this is urgent",
}

# A chart's words for the person it is about: always another voice in the patient's own text.
_CHART = re.compile(r"\b(?:the patient|patient (?:reports|states|has|had|is|was|denies|endorses|describes|tried|feels|"
                    r"notes|presents|complains|continues)|pt\.? (?:reports|states|has|is|was|denies)|"
                    r"(?:the )?client (?:reports|states|has|is|was)|^patient\b)", re.IGNORECASE | re.MULTILINE)
# 'she has', 'he was', 'her job': someone else, unless the text also speaks as 'I' (then 'she' is likely the doctor)
_THIRD = re.compile(r"\b(?:she|he|her|his|herself|himself)\b", re.IGNORECASE)
_FIRST = re.compile(r"\b(?:I|I'm|I've|I'd|(?i:my|me|mine|myself))\b")  # 'I' only as a capital


def _found(text: str, case: Case) -> str | None:
    """The words that show `text` speaks of the patient in the third person, or None."""
    match = _CHART.search(text)
    if match:
        return match.group(0)
    names = [name for name in (case.patient.first_name, case.patient.last_name) if name and len(name) > 1]
    for name in names:
        match = re.search(rf"\b(?:(?:Ms|Mr|Mrs|Mx)\.? )?{re.escape(name)}\b(?:'s)?", text)
        if match:
            return match.group(0)
    if not _FIRST.search(text):
        match = _THIRD.search(text)
        if match:
            tail = text[match.end():].split()
            return " ".join([match.group(0), *tail[:2]]).rstrip(".,;:")
    return None


def _texts(case: Case) -> list[tuple[str, str, str]]:
    """(field path, label, text) of every typed text the patient's letter prints as the patient's own."""
    found = []
    for path, label in OWN_WORDS.items():
        section, name = path.split(".")
        value = getattr(getattr(case, section), name)
        if value:
            found.append((path, label, value))
    for number, tried in enumerate(case.prior_treatments, 1):
        if tried.reason_stopped:
            found.append((f"prior_treatments[{number}].reason_stopped", f"Why {tried.name or 'it'} was stopped",
                          tried.reason_stopped))
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def warnings(case: Case, printed: str | None = None) -> list[str]:
    """One warning per field of a patient's letter that speaks of the patient in the third person (in the person's
    language; the label and the words found as the letter prints them); given the
    letter's `printed` text, only for the fields that letter prints (on a review screen, every field typed)."""
    if (case.sender.role or SenderRole.patient) is not SenderRole.patient:
        return []
    letter = _flat(printed) if printed is not None else None
    said = []
    for path, label, text in _texts(case):
        if letter is not None and _flat(text)[:60].rstrip(".") not in letter:
            continue
        words = _found(text, case)
        if words:
            said.append(_("{field} ('{label}') speaks of you in the third person ('{words}'), but the letter is in "
                          "your own voice (I, my): put it in your own words, or leave it as it is if it quotes someone "
                          "else.").format(field=path, label=label, words=words))
    return said
