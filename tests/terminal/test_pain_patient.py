"""A patient with complex regional pain syndrome asks for external review through the questionnaire's real prompts:
she is asked about pain treatments, never about an episode of depression, a non-drug treatment is saved as what it
is, and the letter (read back from the .docx) has no depression wording and names the pain criteria."""

from __future__ import annotations

import re
from datetime import date, timedelta

import questionary
from conftest import docx_text

from appeal.letters import draft, kinds
from terminal_harness import FINISH_MULTILINE, Terminal, pick

LAST_MONTH = date.today() - timedelta(days=30)

SCRIPT = {
    "Who is writing": pick("patient"),
    "What happened": pick("denial"),
    "Which letter": pick("external-review"),
    "first name": "Alicia\r",
    "last name": "Navarro\r",
    "date of birth": "04/17/1990\r",
    "Your mailing address": "2716 Sagebrush Way\rLakewood, CO 80227" + FINISH_MULTILINE,
    "Your phone number": "303 555 0158\r",
    "Insurance company": "Aspenleaf Health\r",
    "kind of coverage": pick("individual_marketplace"),
    "Member ID": "ALH7702194403\r",
    "address for this letter": "P.O. Box 460218\rDenver, CO 80246" + FINISH_MULTILINE,
    "fax number for this letter": "(720) 555-0143\r",
    "Date printed on the denial letter": f"{LAST_MONTH:%Y-%m-%d}\r",
    "reference number": "APL-2026-0922\r",
    "Main reason": pick("experimental"),
    "word for word": "Ketamine infusion for CRPS is experimental and investigational." + FINISH_MULTILINE,
    "Which 'no' is this": pick("final_internal"),
    "Which treatment": pick("iv_ketamine"),
    "How many sessions": "10\r",
    "Add a diagnosis": pick("add"),
    "Add another diagnosis": pick("done"),
    "Diagnosis code": "G90.512\r",
    "history with this illness": "CRPS of the left arm since a wrist fracture in 2024." + FINISH_MULTILINE,
    "limit your work": "I cannot work or lift my son with my left hand." + FINISH_MULTILINE,
    "What kind of clinician": "pain medicine physician\r",
    "prescriber's name": "Dr. Samuel Oyelaran\r",
    "already tried?": pick("add"),
    "Add another medication": [pick("add"), pick("add"), pick("add"), pick("done")],
    "Name of the medication": ["gabapentin\r", "physical therapy\r", "stellate ganglion blocks\r",
                               "spinal cord stimulator trial\r"],
    "What kind is it": ["\r", "\r", "\r", "\r"],  # each one's kind is pre-selected from its name
    "Highest dose reached": ["2400 mg daily\r"],
    "how many sessions or procedures": ["twice weekly\r", "three blocks\r", "temporary leads\r"],
    "How many weeks": ["10\r", "40\r", "6\r", "1\r"],
    "What happened?": [pick("intolerable"), pick("partial"), pick("partial"), pick("none")],
    "Is everything right": pick(title="Everything is right"),
}


def test_a_crps_patient_is_asked_about_pain_treatments_and_gets_a_letter_without_depression_wording(monkeypatch):
    terminal = Terminal(monkeypatch)
    offered: list[list[str]] = []
    harness_select = questionary.select

    def select(message, choices, default=None, **kwargs):
        if "What kind is it" in message:
            offered.append([str(getattr(choice, "value", choice)) for choice in choices])
        return harness_select(message, choices, default=default, **kwargs)

    monkeypatch.setattr(questionary, "select", select)
    case, _ = terminal.run(SCRIPT)
    asked = " | ".join(terminal.asked)

    # no question about an episode of depression; a non-drug treatment is never asked about "full dose"
    assert "depression" not in asked.lower() and "episode" not in asked.lower()
    assert terminal.asked.count("How many weeks at that full dose?") == 1  # gabapentin only
    assert terminal.asked.count("How many weeks did it last?") == 3
    # the kinds offered are the pain treatments, not antidepressants
    assert offered and all("gabapentinoid" in kinds_ and "nerve_block" in kinds_ for kinds_ in offered)
    assert not any({"ssri", "maoi", "bupropion", "ect", "tms"} & set(kinds_) for kinds_ in offered)
    # each treatment saved as what it is: physical therapy is not psychotherapy
    assert [trial.drug_class.value for trial in case.prior_treatments] == [
        "gabapentinoid", "physical_therapy", "nerve_block", "spinal_cord_stimulation"]
    assert all(trial.current_episode is None for trial in case.prior_treatments)

    text = docx_text(draft.draft(case, kinds.get(case.letter_kind)).content)
    assert not re.search(r"depress|antidepressant|episode", text, re.I), re.findall(r".{60}(?:depress|episode).{40}",
                                                                               text, re.I)
    criteria = next(line for line in text.splitlines() if line.startswith("The usual coverage criteria for this treatment, each met here:"))
    assert criteria.count(";") >= 2, criteria  # three criteria or more
    for met in ("adult age (18 or older)", "a CRPS or chronic pain diagnosis code on the request",
                "standard pain treatments tried without enough relief"):
        assert met in criteria
    assert "The patient is" not in criteria  # her own letter never calls her "the patient"
    rows = [line for line in text.splitlines() if " | " in line]
    for name, kind in (("physical therapy", "physical or occupational therapy"), ("stellate", "nerve block"),
                       ("spinal cord stimulator", "spinal cord stimulation")):
        row = next(row for row in rows if row.startswith(name))
        assert f"| {kind} |" in row and "| other |" not in row, row
    assert "full dose" not in text
