"""Issue 28, the facts a letter needs: a patient and a representative answer the real prompts for the dose and
schedule, the prescriber's contact and the representative's authorization, and the drafted letter says them where
a reviewer looks (the requested treatment, the peer-to-peer request, the opening and the Enclosures)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml

from terminal_harness import FINISH_MULTILINE, Terminal, pick

LAST_MONTH = date.today() - timedelta(days=30)


@pytest.fixture
def terminal(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "home").mkdir()
    return Terminal(monkeypatch)


def drafted_text(case) -> tuple[object, str]:
    """The letter the questionnaire's case produces, read back from the .docx, one paragraph a line."""
    from conftest import docx_text

    from appeal.letters import draft, kinds

    drafted = draft.draft(case, kinds.get(case.letter_kind))
    return drafted, docx_text(drafted.content)


DENIAL = {
    "Date printed on the denial letter": f"{LAST_MONTH:%Y-%m-%d}\r",
    "Main reason": pick("experimental"),
    "another reason": pick("done"),
    "Which 'no' is this": pick("initial"),
    "How far has this gone": pick("initial"),
    "Which treatment": pick("iv_ketamine"),
    "Add a diagnosis": pick("add"),
    "Add another diagnosis": pick("done"),
    "Diagnosis code": "F33.2\r",
}
PRESCRIBER = {
    "What kind of clinician": "psychiatrist\r",
    "The prescriber's name": "Dr. Priya Raman\r",
    # a phone typed with dots is kept as the model writes it; a fax that is not a number is refused, then retyped
    "office phone number": "614.555.0148\r",
    "office fax number": ["call the clinic\r", "\x15(614) 555-0149\r"],
    "dose and schedule": "0.5 mg/kg over 40 minutes, twice a week for three weeks\r",
}


def test_a_patient_is_asked_the_dose_and_the_prescribers_contact_and_the_letter_prints_them(terminal, tmp_path):
    script = {"Who is writing": pick("patient"), "What happened": pick("denial"), "Which letter": pick("appeal"),
              "first name": "Maria\r", "last name": "Alvarez\r",
              "kind of coverage": pick("employer_self_funded"),
              **DENIAL, **PRESCRIBER,
              "Is everything right": pick(title="Everything is right")}
    case, path = terminal.run(script)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["treatment"]["prescriber_phone"] == "(614) 555-0148"
    assert data["treatment"]["prescriber_fax"] == "(614) 555-0149"
    assert data["treatment"]["induction"] == "0.5 mg/kg over 40 minutes, twice a week for three weeks"
    assert not any("signed a paper" in prompt for prompt in terminal.asked)  # a patient has no representative
    _, text = drafted_text(case)
    assert "Dose and schedule: 0.5 mg/kg over 40 minutes, twice a week for three weeks" in text
    monitoring = next(line for line in text.splitlines() if line.startswith("Setting and monitoring: "))
    assert "off-label" not in monitoring and "general anesthetic" in text  # said once, in the FDA argument
    assert "APA Council of Research consensus statement [" in monitoring and "pulse oximetry" in monitoring
    assert "PMID 28249076" in text.split("Attachment A")[-1]  # cited in full in the appendix
    assert ("first arrange a peer-to-peer discussion with the treating provider, Dr. Priya Raman (psychiatrist), "
            "who can be reached at (614) 555-0148 (fax (614) 555-0149).") in text
    assert "authorization" not in text.split("Dear")[1].split("\n")[1]  # the patient's own opening line


@pytest.mark.parametrize(("answer", "opening", "listed"), [
    ("to_draft", "(appointment of representative enclosed)", True),
    ("to_follow", "(the patient's signed appointment of representative will be sent separately)", False),
])
def test_a_representative_is_asked_for_the_authorization_and_enclosed_is_said_only_when_it_is_listed(
        terminal, answer, opening, listed):
    script = {"Who is writing": pick("representative"), "What happened": pick("denial"), "Which letter": pick("appeal"),
              "Your full name": "Ana Ruiz\r", "Your relationship": "daughter\r",
              "signed a paper": pick(answer),
              "Your mailing address": "12 Elm Street\rToledo, OH 43604" + FINISH_MULTILINE,
              "first name": "Jorge\r", "last name": "Ruiz\r",
              "kind of coverage": pick("medicare_advantage"),
              **DENIAL, **PRESCRIBER,
              "Is everything right": pick(title="Everything is right")}
    case, _ = terminal.run(script)
    asked = next(prompt for prompt in terminal.asked if "signed a paper" in prompt)
    assert asked == "Has the patient signed a paper that lets you deal with the plan for them?"  # plain words
    assert case.sender.authorization == answer
    drafted, text = drafted_text(case)
    assert f"as Jorge's daughter and authorized representative {opening}," in text
    body, _, enclosures = text.partition("Enclosures:")
    appointment = "Appointment of representative, signed and dated by the patient and the representative"
    assert (appointment in enclosures) is listed and (appointment in drafted.enclosures) is listed
    assert ("enclosed)" in body) is listed
    # a representative is asked the prescriber's contact too, and the letter gives it for the peer-to-peer call
    assert "who can be reached at (614) 555-0148 (fax (614) 555-0149)." in text


def test_a_complaint_about_a_self_funded_plan_asks_the_employer_and_names_it(terminal):
    # the Labor Department (EBSA) knows a self-funded plan by its sponsor (a case file without it shows a blank)
    script = {"Who is writing": pick("patient"), "What happened": pick("denial"),
              "Which letter": pick("regulator-complaint"),
              "kind of coverage": pick("employer_self_funded"),
              "Which employer": "Acme Logistics, Inc.\r",
              "Date printed on the denial letter": f"{LAST_MONTH:%Y-%m-%d}\r",
              "Is everything right": pick(title="Everything is right")}
    case, _ = terminal.run(script)
    assert any("Which employer provides the plan" in prompt for prompt in terminal.asked)
    assert not any("Which state" in prompt for prompt in terminal.asked)  # EBSA is federal
    _, text = drafted_text(case)
    assert "Plan sponsor (employer): Acme Logistics, Inc." in text
