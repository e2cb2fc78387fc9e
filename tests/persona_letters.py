"""Shared by the persona tests (terminal and browser): what issue 28 asks of each persona's letter, checked on the
text read back from the .docx the person got. The checks read the letter as a reviewer does (its sentences, its
Enclosures list, its table), never the code that wrote it."""

from __future__ import annotations

import re

# The persona's facts, typed the same way in the terminal and in the browser.
PAIN_DOSE = "ketamine 0.35 mg/kg per hour IV over 4 hours, daily for 5 days"
PAIN_PRESCRIBER = ("Dr. Samuel Oyelaran", "pain medicine physician", "(720) 555-0177", "(720) 555-0178")
FATHER_PRESCRIBER = ("Dr. Lena Park", "psychiatrist", "(330) 555-0140", "(330) 555-0141")
LOWERCASE_QUOTE = ("ketamine infusions are considered experimental and investigational for depresion and are not a "
                   "covered benefit under the plan")
LOWERCASE_HISTORY = ("depressed since college, worse since my divorce. i cant work since march, the meds didnt help, "
                     "i recieved the denial last month")


def body(text: str) -> str:
    """The letter from its date to its signature: what the sender says (not the Enclosures, appendix or table)."""
    return text[: text.index("Sincerely,")]


def enclosures(text: str) -> list[str]:
    """The lines of the Enclosures list ([] when the letter has none), up to the attachment the letter carries."""
    lines = text.splitlines()
    if "Enclosures:" not in lines:
        return []
    listed = []
    for line in lines[lines.index("Enclosures:") + 1:]:
        listed.append(line)
        if line.startswith("Attachment A"):
            break
    return listed


# What a sentence may call enclosed, and the Enclosures line that answers it (words a reviewer would look for).
_ENCLOSED = {
    "records": r"record|notes|chart",
    "appointment of representative": r"appointment of representative|authoriz",
    "authorization": r"appointment of representative|authoriz",
    "attachment a": r"^Attachment A",
    "letter of medical necessity": r"medical necessity",
}
# A listed line a reviewer expects without a mention (None: the notice appealed, the provider's letter, records,
# as appeal/data/documents.yaml has them), or the words that must mention it.
_LISTED = {
    r"denial": None,
    r"medical necessity": None,
    r"record|notes|chart": None,
    r"^Attachment A": r"Attachment A",
    r"appointment of representative|authoriz": r"appointment of representative|authoriz",
}


def assert_enclosures_match(text: str) -> None:
    """Every "enclosed X" in the letter has its Enclosures line, and every line is mentioned or is the denial."""
    said, listed = body(text), enclosures(text)
    for match in re.finditer(r"[^.]*\benclosed\b[^.]*", said, re.IGNORECASE):
        sentence = match[0].strip()
        named = [pattern for words, pattern in _ENCLOSED.items() if words in sentence.lower()]
        assert named, f"an enclosure no check knows: {sentence!r}"
        for pattern in named:
            assert any(re.search(pattern, line, re.IGNORECASE) for line in listed), (sentence, listed)
    if re.search(r"\(Attachment A\)|Attachment A\b", said):
        assert any(line.startswith("Attachment A") for line in listed), listed
    for line in listed:
        kind = next((pattern for pattern in _LISTED if re.search(pattern, line, re.IGNORECASE)), None)
        assert kind is not None or line.split()[0] in said, f"listed, never mentioned: {line!r}"
        mention = _LISTED.get(kind) if kind else None
        if mention:
            assert re.search(mention, said, re.IGNORECASE), f"listed, never mentioned: {line!r}"


def assert_prescriber_reachable(text: str, name: str, specialty: str, phone: str, fax: str) -> None:
    """The prescriber's name, specialty, phone and fax are printed together; where the letter asks for a
    peer-to-peer discussion, that sentence names the prescriber and how to reach them."""
    line = next(line for line in text.splitlines() if line.startswith("Prescriber:"))
    for fact in (name, specialty, phone, fax):
        assert fact in line, (fact, line)
    for sentence in re.findall(r"[^.\n]*peer-to-peer[^\n]*", body(text)):
        for fact in (name, phone, fax):
            assert fact in sentence, (fact, sentence)


def assert_no_depression_wording(text: str) -> None:
    found = re.findall(r".{0,50}(?:depress|antidepressant|MADRS|PHQ).{0,30}", text, re.IGNORECASE)
    assert not found, found


def criteria_named(text: str) -> list[str]:
    """The criteria the letter's criteria line names (met, or not known yet)."""
    line = next(line for line in text.splitlines() if line.startswith("The usual coverage criteria for this treatment"))
    return [part.strip(" .") for part in line.split(":", 1)[1].split(";")]


def table_row(text: str, name: str) -> list[str]:
    """The prior-treatment table's row for `name`, as its cells."""
    row = next(line for line in text.splitlines() if " | " in line and line.startswith(name))
    return row.split(" | ")


def assert_pain_letter(text: str) -> None:
    """Persona A: a CRPS patient's IV ketamine letter, whatever the front end."""
    assert_no_depression_wording(text)
    named = criteria_named(text)
    assert len(named) >= 3, named
    assert "a CRPS or chronic pain diagnosis code on the request" in named and not any("patient" in c for c in named)
    # each kind of treatment named as what it is, a non-drug one never "at full dose" nor "other"
    classes = {name: table_row(text, name)[1] for name in ("gabapentin", "duloxetine", "nortriptyline",
                                                            "physical therapy", "stellate ganglion blocks")}
    assert classes == {"gabapentin": "anticonvulsant or gabapentinoid", "duloxetine": "SNRI",
                       "nortriptyline": "tricyclic (TCA)", "physical therapy": "physical or occupational therapy",
                       "stellate ganglion blocks": "nerve block"}, classes
    assert "full dose" not in text and "| other |" not in text
    assert table_row(text, "stellate ganglion blocks")[2] == "three blocks"
    # the dose and schedule asked for, and how it is given safely, with the guideline that says so
    assert f"Dose and schedule: {PAIN_DOSE}" in text
    monitoring = next(line for line in text.splitlines() if line.startswith("Setting and monitoring:"))
    for fact in ("ASRA, AAPM and ASA consensus guidelines [", "pulse oximetry", "dissociation", "blood pressure"):
        assert fact in monitoring, (fact, monitoring)
    number = re.search(r"consensus guidelines \[(\d+)\]", monitoring).group(1)  # cited in full in Attachment A
    appendix = text.split("Attachment A")[-1]
    assert re.search(rf"\[{number}\][^\[]*Cohen SP[^\[]*2018[^\[]*PMID 29870458", appendix), "Cohen 2018 in the appendix"
    # exact claims: FDA-approved as an anesthetic, so its use for pain is off-label
    assert re.search(r"approved by the FDA as a general anesthetic.{0,40}off-label", text), "off-label"
    assert_prescriber_reachable(text, *PAIN_PRESCRIBER)
    assert "G90.512" in text and "experimental/investigational." in text
    assert "Where:" not in text  # skipped on purpose: no empty label
    assert "[ADD:" not in text
    assert_enclosures_match(text)


def assert_father_letter(text: str) -> None:
    """Persona B: a daughter's Spravato appeal for her father under Medicare Advantage, faxed."""
    said = body(text)
    assert "on behalf of Harold Whitaker" in said and "Whittaker" not in text
    # her voice: her father in the third person, never "I have tried" in his voice under her signature
    assert not re.search(r"\bI (?:have|had) (?:tried|been|had)\b|\bmy (?:illness|depression|symptoms)\b", said,
                         re.IGNORECASE), re.findall(r".{40}\b(?:I have|my illness).{40}", said)
    assert "Grace Whitaker (daughter)" in text and "Authorized representative for Harold Whitaker" in text
    # the authorization she does not have yet: drafted by the tool, listed with how it is completed
    listed = enclosures(text)
    assert "Appointment of representative, signed and dated by the patient and the representative" in listed
    # faxed: the fax line, and no blank for the mailing address the fax does not need
    assert "By fax: (614) 555-0187" in text
    assert not re.search(r"\[ADD:[^\]]*address", text), re.findall(r"\[ADD:[^\]]*\]", text)
    # Medicare Advantage, not Original Medicare
    assert "reconsideration by the Medicare Advantage plan" in text
    found = re.findall(r".{0,40}(?:Medicare Summary Notice|\bMSN\b|Medicare Administrative Contractor|"
                       r"redetermination|Qualified Independent Contractor|\bQIC\b).{0,40}", text, re.IGNORECASE)
    assert not found, found
    # Spravato is given under its REMS, with the monitoring it requires
    monitoring = next(line for line in text.splitlines() if line.startswith("Setting and monitoring:"))
    assert "SPRAVATO REMS" in monitoring and "at least 2 hours" in monitoring, monitoring
    assert "Dose and schedule: 56 mg twice a week for weeks 1-4, then 84 mg once a week" in text
    assert_prescriber_reachable(text, *FATHER_PRESCRIBER)
    assert "peer-to-peer" in said
    assert_enclosures_match(text)


def assert_lowercase_letter(text: str) -> None:
    """Persona C: the fixes the person chose are in the letter, the plan's words exactly as typed."""
    history = next(line for line in text.splitlines() if line.startswith("History:"))
    for chosen in ("I can't work", "the meds didn't help", "I received the denial"):
        assert chosen in history, (chosen, history)
    assert not re.search(r"\bi\b|recieved|\bcant\b|\bdidnt\b", history), history
    assert "I'm on leave from work and I don't leave the house" in text
    assert f"“{LOWERCASE_QUOTE}”" in text  # verbatim, its typo included
    assert "Dose and schedule: 0.5 mg/kg over 40 minutes, twice a week for 3 weeks" in text
    # the prescriber's name typed in lower case, given its capitals where the letter names him
    assert "Prescriber: Dr. Amir Haddad, psychiatrist" in text and "haddad" not in text
    assert table_row(text, "sertraline")[3] == "10"  # "about 10" weeks kept as 10
    assert_enclosures_match(text)


def assert_answers_shown_in_full(review: str, answers: list[str]) -> None:
    """Every answer appears whole on the review (wrapped lines joined), so it can be proofread."""
    flat = " ".join(review.split())
    for answer in answers:
        assert " ".join(answer.split()) in flat, answer
