"""Issue 28's three personas run `appeal draft` in a terminal, through the questionnaire's real prompts, as tired
people do (a typo refused and retyped, an answer skipped and then given from the review, `<` to go back once), to
the letter on disk; each test reads that .docx and checks the points the issue names for the persona, and what is
on screen: the review with every answer in full, the case file kept beside the letter and the commands for it."""

from __future__ import annotations

import io
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import questionary
import yaml
from conftest import docx_text
from prompt_toolkit.application.current import create_app_session
from prompt_toolkit.output import DummyOutput

from appeal import cli
from persona_letters import (LOWERCASE_HISTORY, LOWERCASE_QUOTE, PAIN_DOSE, assert_answers_shown_in_full,
                             assert_father_letter, assert_lowercase_letter, assert_pain_letter)
from terminal_harness import CLEAR, FINISH_MULTILINE, Terminal, pick

LAST_MONTH = date.today() - timedelta(days=30)
BACK = "<\r"  # go back one question
SKIP = "\r"


class _Tty(io.StringIO):
    """Standard input that says it is a terminal: `appeal draft` asks its questions only in one."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def person(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", _Tty())
    return Persona(monkeypatch, tmp_path)


class Persona:
    """A person running `appeal draft` with no case file: the questionnaire, the letter, the last screen."""

    def __init__(self, monkeypatch, folder: Path):
        self.terminal = Terminal(monkeypatch)
        self.folder = folder
        self.said: list[str] = []  # what the questionnaire printed (the review, notes, readings)
        monkeypatch.setattr(questionary, "print", lambda text, **kwargs: self.said.append(str(text)))

    def draft(self, script: dict, capsys, command: tuple[str, ...] = ("draft",)) -> tuple[str, str, dict, Path]:
        """Run `appeal draft` (or `command`, such as `--lang es draft`); returns (the letter's text, the last screen, the case file kept, the letter)."""
        ending = {"How would you like to start": pick("questions"), "Make one PDF": pick("no"),
                  "Have you sent this letter yet": pick("later")}

        def run(pipe):
            with create_app_session(input=pipe, output=DummyOutput()):
                return cli.main(list(command))

        assert self.terminal.drive({**ending, **script}, run) == 0
        screen = capsys.readouterr().out
        (letter,) = [path for path in self.folder.glob("*.docx") if not path.stem.endswith("-que-dice-su-carta")]
        (kept,) = self.folder.glob("*.yaml")
        return docx_text(letter), screen, yaml.safe_load(kept.read_text(encoding="utf-8")), letter

    @property
    def asked(self) -> list[str]:
        return self.terminal.asked

    @property
    def review(self) -> str:
        """The last review screen, from 'Here is everything so far' to its end."""
        start = max(n for n, line in enumerate(self.said) if "Here is everything so far" in line)
        return "\n".join(self.said[start:])


# --------------------------------------------------------------------------------------------------------------
# A. A patient with complex regional pain syndrome asks for external review of IV ketamine, "experimental"

PAIN = {
    "Who is writing": pick("patient"),
    "What happened": pick("denial"),
    "Which 'no' is this": pick("final_internal"),
    "Which letter": pick("external-review"),
    "first name": "Alicia\r",
    "last name": "Navarro\r",
    "date of birth": ["04/31/1990\r", CLEAR + "04/17/1990\r"],  # April has 30 days: refused, retyped
    "Your mailing address": ["2716 Sagebrush Way\rLakewood, CO 80227" + FINISH_MULTILINE, FINISH_MULTILINE],
    "Your phone number": [BACK, "303 555 0158\r"],  # back once to look at the address again
    "Insurance company": "Aspenleaf Health\r",
    "kind of coverage": pick("individual_marketplace"),
    "Which state": "co\r",
    "Member ID": "ALH7702194403\r",
    "address for this letter": "External Review, P.O. Box 460218\rDenver, CO 80246" + FINISH_MULTILINE,
    "fax number for this letter": "(720) 555-0143\r",
    "Date printed on the denial letter": f"{LAST_MONTH:%m/%d/%Y}\r",
    "reference number": "APL-2026-0922\r",
    "Main reason": pick("experimental"),
    "word for word": "Intravenous ketamine infusion for CRPS is experimental/investigational." + FINISH_MULTILINE,
    "Which treatment": "\r",  # pre-selected from the plan's words
    "Is this urgent": pick("standard"),
    "Add a diagnosis": pick("add"),
    "Add another diagnosis": pick("done"),
    "Diagnosis code": "crps left arm\r",
    "Codes matching": pick("G90.512"),
    "What kind of clinician": "pain medicine physician\r",
    "prescriber's name": "Dr. Samuel Oyelaran\r",
    "prescriber's office phone": "720 555 0177\r",
    "prescriber's office fax": [SKIP, "720 555 0178\r"],  # skipped, then given from the review
    "dose and schedule": PAIN_DOSE + "\r",
    "How many sessions": "5\r",
    "history with this illness": ("CRPS of the left arm since a wrist fracture in March 2024. Burning pain, "
                                  "swelling and color change of the hand." + FINISH_MULTILINE),
    "symptom score": pick("add"),
    "another symptom score": pick("done"),
    "Which scale": pick(title="pain"),
    "The score": "8\r",
    "When was it measured": f"{LAST_MONTH:%m/%d/%Y}\r",
    "work, family and daily life": "I cannot work or lift my son with my left hand." + FINISH_MULTILINE,
    "if this treatment is denied": "The pain will spread and I will lose the use of my hand." + FINISH_MULTILINE,
    "already tried?": pick("add"),
    "Add another medication": [pick("add")] * 4 + [pick("done")],
    "Name of the medication": ["gabapentin\r", "duloxetine\r", "nortriptyline\r", "physical therapy\r",
                               "stellate ganglion blocks\r"],
    "What kind is it": ["\r"] * 5,  # each one's kind is pre-selected from its name
    "Highest dose reached": ["2400 mg daily\r", "60 mg daily\r", "50 mg at night\r"],
    "how many sessions or procedures": ["twice weekly\r", "three blocks\r"],
    "How many weeks": ["10\r", "12\r", "8\r", "16\r", "6\r"],
    "What happened?": [pick("intolerable"), pick("partial"), pick("none"), pick("partial"), pick("partial")],
    "Side effects, or why": ["dizziness and sedation\r", SKIP, SKIP, SKIP, "relief lasted a few days\r"],
    "Add a document": pick("add"),
    "Add another document": [pick("add"), pick("done")],
    "Name of the document": ["Final denial letter from Aspenleaf Health\r",
                             "Letter of medical necessity from Dr. Oyelaran\r"],
    "Is everything right": [pick(title="Change something in 'Who prescribes"), pick(title="Everything is right")],
    "Which one?": pick(title="fax"),
}


def test_a_pain_patient_reaches_an_external_review_letter_with_no_depression_wording(person, capsys):
    text, screen, case, letter = person.draft(PAIN, capsys)
    asked = " | ".join(person.asked).lower()
    assert "depression" not in asked and "episode" not in asked
    assert person.asked.count("The patient's date of birth") == 0 and person.asked.count("Your date of birth") == 2
    assert person.asked.count("Your mailing address") == 2  # went back to it once
    # the fax skipped, then given from the review, reaches the case and the letter
    assert case["treatment"]["prescriber_fax"] == "(720) 555-0178"
    assert "treatment.prescriber_fax" not in case.get("left_out", [])
    assert case["treatment"]["kind"] == "iv_ketamine"  # pre-selected from the plan's words
    assert_pain_letter(text)
    assert_answers_shown_in_full(person.review, [
        "CRPS of the left arm since a wrist fracture in March 2024. Burning pain, swelling and color change of the "
        "hand.", "Intravenous ketamine infusion for CRPS is experimental/investigational.", PAIN_DOSE,
        "(720) 555-0178", "stellate ganglion blocks (nerve block, three blocks"])
    assert_kept_beside(letter, screen)


def assert_kept_beside(letter: Path, screen: str) -> None:
    """The case file sits beside the letter under the same name, and the last screen gives the commands for it."""
    kept = letter.with_suffix(".yaml")
    assert kept.exists() and kept.parent == letter.parent
    assert f"Your answers (the case file): {kept}" in screen
    for command in (f"appeal check --case {kept}", f"appeal deadline --case {kept}",
                    f"appeal packet --case {kept} --docx {letter}", f"appeal track add --case {kept} --sent "):
        assert command in screen, command
    assert screen.rstrip().splitlines()[-2] == f"Your letter: {letter}"


# --------------------------------------------------------------------------------------------------------------
# B. A daughter appeals for her father (71) under Medicare Advantage: Spravato denied for step therapy

FATHER = {
    "Who is writing": pick("representative"),
    "What happened": pick("denial"),
    "Which 'no' is this": pick("initial"),
    "Which letter": pick("appeal"),
    "Your full name": "Grace Whitaker\r",
    "Your relationship": "daughter\r",
    "signed a paper": pick("to_draft"),
    "Your mailing address": "88 Linden Court\rAkron, OH 44303" + FINISH_MULTILINE,
    "Your phone number": "330 555 0119\r",
    "first name": "Harold\r",
    "last name": ["Whittaker\r", CLEAR + "Whitaker\r"],  # a slip noticed on the next question: back, fixed
    "date of birth": [BACK, "02/30/1955\r", CLEAR + "03/02/1955\r"],
    "Insurance company": "Summit Senior Advantage\r",
    "kind of coverage": "\r",  # a person over 65: Medicare Advantage is offered first
    "Member ID": "SSA4471920\r",
    "fax number for this letter": "(614) 555-0187\r",
    "Date printed on the denial letter": f"{LAST_MONTH:%m/%d/%Y}\r",
    "reference number": "MA-2026-55103\r",
    "Main reason": pick("step_therapy"),
    "another reason": [pick("add"), pick("done")],
    "Which other reason": pick("not_medically_necessary"),
    "word for word": ("Spravato is not medically necessary. Step therapy requirements have not been met: the member "
                      "must try and fail two antidepressants and augmentation first." + FINISH_MULTILINE),
    "Which treatment": "\r",
    "Is this urgent": pick("standard"),
    "Add a diagnosis": pick("add"),
    "Add another diagnosis": pick("done"),
    "Diagnosis code": "F33.2\r",
    "What kind of clinician": "psychiatrist\r",
    "prescriber's name": "Dr. Lena Park\r",
    "prescriber's office phone": "330 555 0140\r",
    "prescriber's office fax": "330 555 0141\r",
    "dose and schedule": "56 mg twice a week for weeks 1-4, then 84 mg once a week\r",
    "Where is the treatment given": "Summit Psychiatry, a SPRAVATO REMS-certified clinic, Akron\r",
    "history with this illness": ("My father has had depression since my mother died in 2019. He has tried "
                                  "four medicines and none helped for long." + FINISH_MULTILINE),
    "current episode of depression begin": "01/15/2025\r",
    "symptom score": pick("add"),
    "another symptom score": pick("done"),
    "Which scale": pick("phq9"),
    "The score": "21\r",
    "When was it measured": f"{LAST_MONTH:%m/%d/%Y}\r",
    "work, family and daily life": "Dad stopped driving and seeing friends; I do his shopping." + FINISH_MULTILINE,
    "if this treatment is denied": "He will keep losing weight and may need the hospital again." + FINISH_MULTILINE,
    "Hospital stays": "Inpatient psychiatric stay, 6 days, February 2025\r",
    "already tried?": pick("add"),
    "Add another medication": [pick("add"), pick("add"), pick("done")],
    "Name of the medication": ["sertraline\r", "mirtazapine\r", "aripiprazole\r"],
    "What kind is it": ["\r", "\r", "\r"],
    "Highest dose reached": ["150 mg daily\r", "30 mg at night\r", "5 mg daily\r"],
    "How many weeks": ["12\r", "8\r", "6\r"],
    "What happened?": [pick("none"), pick("partial"), pick("intolerable")],
    "current episode of depression?": ["\r", "\r", "\r"],
    "Add a document": pick("add"),
    "Add another document": [pick("add"), pick("done")],
    "Name of the document": ["Denial notice from Summit Senior Advantage\r", "Dr. Park's treatment notes\r"],
    "Is everything right": pick(title="Everything is right"),
}


def test_b_a_daughter_appeals_for_her_father_under_medicare_advantage(person, capsys, monkeypatch):
    text, screen, case, letter = person.draft(FATHER, capsys)
    assert person.asked.count("The patient's last name") == 2  # back from the next question, corrected
    assert case["patient"]["last_name"] == "Whitaker" and letter.name.startswith("whitaker-harold-appeal-")
    assert case["insurance"]["plan_type"] == "medicare_advantage"  # offered first to a person of 71
    assert case["sender"]["authorization"] == "to_draft"
    assert_father_letter(text)
    # the authorization she asked the tool to draft: the command that drafts it from the case file kept, which
    # gives the appointment for both to sign
    command = f"appeal draft --case {letter.with_suffix('.yaml')} --letter representative-authorization"
    assert command in screen
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # run as typed, without offering to fill its blanks
    assert cli.main(command.split()[1:] + ["-o", str(person.folder / "appointment.docx")]) == 0
    appointment = docx_text(person.folder / "appointment.docx")
    assert "Harold Whitaker" in appointment and "Grace Whitaker" in appointment
    assert_answers_shown_in_full(person.review, [
        "My father has had depression since my mother died in 2019. He has tried four medicines and none helped "
        "for long.", "Spravato is not medically necessary. Step therapy requirements have not been met: the member "
        "must try and fail two antidepressants and augmentation first.", "Dad stopped driving and seeing friends; "
        "I do his shopping.", "Summit Psychiatry, a SPRAVATO REMS-certified clinic, Akron"])
    assert_kept_beside(letter, screen)


# --------------------------------------------------------------------------------------------------------------
# C. A patient with treatment-resistant depression, who types without apostrophes or capitals

LOWERCASE = {
    "Who is writing": pick("patient"),
    "What happened": pick("denial"),
    "Which 'no' is this": pick("initial"),
    "Which letter": pick("appeal"),
    "first name": "Jordan\r",
    "last name": "Reyes\r",
    "date of birth": "7/9/1988\r",
    "Your mailing address": "501 Cedar St Apt 4\rTacoma, WA 98402" + FINISH_MULTILINE,
    "Your phone number": "253 555 0166\r",
    "Insurance company": "Evergreen Benefit Administrators\r",
    "kind of coverage": pick("employer_self_funded"),
    "How many levels of appeal": pick("one"),
    "Member ID": "EBA20931177\r",
    "Group number": "77120\r",
    "address for this letter": "Appeals Unit, PO Box 3310\rSeattle, WA 98101" + FINISH_MULTILINE,
    "fax number for this letter": SKIP,
    "Date printed on the denial letter": f"{LAST_MONTH:%m/%d/%Y}\r",
    "reference number": "EBA-CLM-880412\r",
    "Main reason": pick("experimental"),
    "word for word": LOWERCASE_QUOTE + FINISH_MULTILINE,
    "'depresion' may be a typo": pick("keep"),
    "Which treatment": "\r",
    "Is this urgent": pick("standard"),
    "Add a diagnosis": pick("add"),
    "Add another diagnosis": pick("done"),
    "Diagnosis code": "f33.2\r",
    "What kind of clinician": "psychiatrist\r",
    "prescriber's name": "dr. amir haddad\r",
    "Spelling: dr. amir haddad → Dr. Amir Haddad?": pick("fix"),
    "prescriber's office phone": "253 555 0190\r",
    "dose and schedule": "0.5 mg/kg over 40 minutes, twice a week for 3 weeks\r",
    "How many sessions": "6\r",
    "history with this illness": LOWERCASE_HISTORY + FINISH_MULTILINE,
    "Spelling: recieved → received?": pick("fix"),
    "Spelling: i → I?": [pick("fix")] * 3,
    "Spelling: cant → can't?": pick("fix"),
    "Spelling: didnt → didn't?": pick("fix"),
    "current episode of depression begin": "03/2025\r",
    "work, family and daily life": "im on leave from work and i dont leave the house most days" + FINISH_MULTILINE,
    "Add a document": pick("add"),
    "Add another document": pick("done"),
    "Name of the document": "denial letter\r",
    "Spelling: im → I'm?": pick("fix"),
    "Spelling: dont → don't?": pick("fix"),
    "already tried?": pick("add"),
    "Add another medication": [pick("add"), pick("add"), pick("done")],
    "Name of the medication": ["sertraline\r", "venlafaxine\r", "bupropion\r"],
    "What kind is it": ["\r", "\r", "\r"],
    "Highest dose reached": ["200 mg daily\r", "225 mg daily\r", "450 mg daily\r"],
    "How many weeks": ["about 10\r", "12\r", "8\r"],
    "What happened?": [pick("none"), pick("partial"), pick("none")],
    "current episode of depression?": ["\r", "\r", "\r"],
    "Is everything right": pick(title="Everything is right"),
}


def test_c_a_patient_who_types_without_apostrophes_or_capitals(person, capsys):
    text, screen, case, letter = person.draft(LOWERCASE, capsys)
    spelling = [prompt for prompt in person.asked if prompt.startswith("Spelling:") or "may be a typo" in prompt]
    for offered in ("Spelling: dr. amir haddad → Dr. Amir Haddad?", "Spelling: recieved → received?", "Spelling: i → I?", "Spelling: cant → can't?",
                    "Spelling: didnt → didn't?", "Spelling: im → I'm?", "'depresion' may be a typo. Check it "
                    "against the notice:"):
        assert offered in spelling, (offered, spelling)
    assert not any("meds" in prompt for prompt in spelling), spelling  # a word, not a typo
    assert case["denial"]["quote"] == LOWERCASE_QUOTE  # the plan's words, verbatim
    assert any("kept 10 weeks (you typed 'about 10')" in line for line in person.said)  # "about 10" said back
    assert_lowercase_letter(text)
    assert_answers_shown_in_full(person.review, [LOWERCASE_QUOTE, "depressed since college, worse since my divorce. "
                                 "I can't work since march, the meds didn't help, I received the denial last month"])
    assert_kept_beside(letter, screen)
