"""The guided questionnaire, driven end to end through its real prompts (prompt_toolkit pipe input), by the
scripted person of tests/terminal_harness.py.
"""

from __future__ import annotations

import os
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
import questionary
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from appeal.cases import casefile, icd10
from appeal.intake import drafts, questions
from appeal.terminal import questionnaire
from terminal_harness import CLEAR, CTRL_C, FINISH_MULTILINE, Terminal, pick

@pytest.fixture
def terminal(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "home").mkdir()
    return Terminal(monkeypatch)


def us(day: date) -> str:
    return f"{day:%m/%d/%Y}"


TODAY = date.today()
LAST_MONTH = TODAY - timedelta(days=30)
NEXT_YEAR = TODAY + timedelta(days=365)


def letter_text(case) -> str:
    """The letter the questionnaire's case produces, read back from the .docx."""
    from conftest import docx_text

    from appeal.letters import draft, kinds

    return docx_text(draft.draft(case, kinds.get(case.letter_kind)).content)


def saved(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def assert_owner_only(path: Path) -> None:
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_declarations_name_real_case_fields():
    questions.check_declarations()


def test_a_patient_appeals_a_self_funded_plan_denial(terminal, tmp_path):
    assert "F33.2" in [code for code, _ in icd10.search("depressive recurrent severe", limit=15)]
    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "first name": "Maria\r",
        "last name": "Alvarez\r",
        # an impossible date is refused with the model's reason; the person wipes it and types a real one
        "date of birth": ["13/45/2026\r", CLEAR + "June 12 1985\r"],
        "Your mailing address": "418 Birchwood Lane\rColumbus, OH 43214" + FINISH_MULTILINE,
        "Your phone number": "614.555.0142\r",
        "Insurance company": "Meridian Health Administrators\r",
        "kind of coverage": pick("employer_self_funded"),
        "Which employer": "Acme Logistics, Inc.\r",
        "Member ID": "MHA884120537\r",
        "Group number": "0047210\r",
        # a denial dated in the future is refused
        "Date printed on the denial letter": [us(NEXT_YEAR) + "\r", CLEAR + f"{LAST_MONTH:%Y-%m-%d}\r"],
        "reference number": "PA-2026-1102-55817\r",
        "Main reason": pick("experimental"),
        "another reason": pick("done"),
        "word for word": "Ketamine is experimental for depression." + FINISH_MULTILINE,
        "How far has this gone": pick("initial"),
        "Which treatment": pick("iv_ketamine"),
        "billing code": pick("done"),
        "How many sessions": "6\r",
        "Is this urgent": pick("standard"),
        "already given": pick("done"),
        "Add a diagnosis": pick("add"),
        "Add another diagnosis": pick("done"),
        # a category code is refused, then words are looked up and the billable code picked from the list
        "Diagnosis code": ["F33\r", CLEAR + "depression\r", "depressive recurrent severe\r"],
        "Codes matching 'depression'": pick(title="None of these"),
        "Codes matching 'depressive recurrent severe'": pick("F33.2"),
        "already tried?": pick("add"),
        "Add another medication": [pick("add"), pick("add"), pick("add"), pick("remove"), pick("done")],
        "Which one do you want to remove": pick(3),
        "Name of the medication": ["sertraline\r", "venlafaxine XR\r", "bupropion XL\r", "oops\r"],
        "What kind is it": [pick("ssri"), pick("snri"), pick("bupropion")],
        "Highest dose": ["200 mg daily\r", "225 mg daily\r", "450 mg daily\r"],
        "How many weeks": ["10\r", "12\r", "8\r"],
        "What happened?": [pick("none"), pick("partial"), pick("intolerable")],
        "Add a document": pick("done"),
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script)

    assert path.parent == tmp_path / "data" / "appeal" / "drafts"
    assert_owner_only(path)
    data = saved(path)
    assert "# appeal-questionnaire:" not in path.read_text()
    assert casefile.load(path) == case
    assert data["letter_kind"] == "appeal"
    assert data["sender"] == {"role": "patient"}
    assert data["patient"]["date_of_birth"] == "1985-06-12"
    assert data["patient"]["address"] == "418 Birchwood Lane\nColumbus, OH 43214"
    assert data["patient"]["phone"] == "(614) 555-0142"  # normalized by the model
    assert data["patient"]["member_id"] == "MHA884120537"
    assert data["insurance"]["plan_type"] == "employer_self_funded"
    assert "employer" not in data["insurance"]  # its when: holds (an employer plan) but no letter line uses it
    assert not any("Which employer" in prompt for prompt in terminal.asked)
    assert data["denial"]["notice_date"] == LAST_MONTH.isoformat()
    assert data["denial"]["reason"] == "experimental"
    assert data["treatment"]["kind"] == "iv_ketamine"
    assert data["treatment"]["sessions"] == 6
    assert [d["code"] for d in data["diagnoses"]] == ["F33.2"]
    assert [(t["name"], t["drug_class"], t["adequate_weeks"], t["response"]) for t in data["prior_treatments"]] == [
        ("sertraline", "ssri", 10, "none"),
        ("venlafaxine XR", "snri", 12, "partial"),
        ("bupropion XL", "bupropion", 8, "intolerable"),
    ]
    # questions this letter does not need were never asked
    assert not any("NPI" in prompt for prompt in terminal.asked)
    assert not any("When should the treatment start" in prompt for prompt in terminal.asked)
    # and the answers reach the letter itself
    text = letter_text(case)
    assert "I am writing to appeal Meridian Health Administrators' decision" in text
    assert "Ketamine is experimental for depression." in text
    for row in ("sertraline | SSRI | 200 mg daily | 10", "venlafaxine XR | SNRI | 225 mg daily | 12", "bupropion XL"):
        assert row in text
    assert "oops" not in text


def test_b_a_provider_requests_prior_authorization(terminal, tmp_path):
    start = TODAY + timedelta(days=14)
    script = {
        "Who is writing": pick("provider"),
        "What happened": pick("prior_auth"),
        "Which letter": pick("prior-auth"),
        "Your full name": "Priya Raman\r",
        "Your credentials": "MD\r",
        "Your specialty": "Psychiatry\r",
        "Your NPI number": ["1234567890\r", CLEAR + "1234567893\r"],  # bad check digit refused
        "Your phone number": "614 555 0100\r",
        "Your fax number": "(614) 555-0101\r",
        "first name": "Sam\r",
        "last name": "Lee\r",
        "date of birth": "1979-02-03\r",
        "kind of coverage": pick("individual_marketplace"),
        "Which state": "oh\r",
        "Member ID": "XJ123\r",
        "Which treatment": pick("esketamine_nasal"),
        "billing code": pick("add"),
        "another billing code": pick("done"),
        "The code": "G2082\r",
        "How many sessions": ["0\r", CLEAR + "8\r"],  # the model's lower bound
        "When should the treatment start": f"{start:%B} {start.day} {start.year}\r",  # a future date is fine here
        "Is this urgent": pick("expedited"),
        "Why is it urgent": "Active suicidal thoughts." + FINISH_MULTILINE,
        "Add a diagnosis": pick("add"),
        "Add another diagnosis": pick("done"),
        "Diagnosis code": "f332\r",
        "symptom score": pick("add"),
        "another symptom score": pick("done"),
        "Which scale": pick("madrs"),
        "The score": "34\r",
        "substance-use screening": pick("yes"),
        "already tried?": pick("add"),
        "Name of the medication": "Lexapro 20 mg\r",
        "What kind is it": "\r",  # Enter accepts the kind pre-selected for a known medication
        "Add another medication": pick("done"),
        "Add a document": pick("add"),
        "Add another document": pick("done"),
        "Name of the document": "Psychiatric records\r",
        "Leave any of them out?": pick("add"),
        "Leave out another?": pick("done"),
        "Which one?": pick("reif-2023-escape-trd"),
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script, draft_path=tmp_path / "lee.yaml")

    assert path == tmp_path / "lee.yaml"
    assert_owner_only(path)
    data = saved(path)
    assert data["letter_kind"] == "prior-auth"
    assert data["sender"]["npi"] == "1234567893"
    assert data["sender"]["phone"] == "(614) 555-0100"
    assert "state" not in data["insurance"]  # no line of this letter uses the plan's state
    assert data["treatment"]["codes"] == [{"code": "G2082"}]
    assert data["treatment"]["sessions"] == 8
    assert data["treatment"]["start_date"] == start.isoformat()
    assert data["treatment"]["urgency"] == "expedited"
    assert data["treatment"]["urgency_reason"] == "Active suicidal thoughts."
    assert data["diagnoses"][0]["code"] == "F33.2"
    assert data["clinical"]["scores"] == [{"instrument": "madrs", "value": 34.0}]
    assert data["clinical"]["substance_use_screened"] is True
    assert data["enclosures"] == ["Psychiatric records"]
    assert "denial" not in data
    assert not any("denial letter" in prompt for prompt in terminal.asked)
    assert case.sender.npi == "1234567893"
    assert data["evidence"] == {"drop": ["reif-2023-escape-trd"]}
    assert data["prior_treatments"] == [{"name": "Lexapro 20 mg", "drug_class": "ssri"}]
    text = letter_text(case)
    assert "my patient, Sam Lee" in text and "NPI 1234567893" in text and "URGENT" in text
    assert "Active suicidal thoughts." in text and "Psychiatric records" in text
    assert "Reif A" not in text and "Janik A" in text  # the dropped study is gone from Attachment A


def test_c_ctrl_c_keeps_the_draft_and_resume_asks_only_the_rest(terminal, tmp_path):
    first = {
        "Who is writing": pick("patient"),
        "What happened": pick("claim_file"),
        "Which letter": pick("claim-file-request"),
        "first name": "Ana\r",
        "last name": "Lopez\r",
        "date of birth": CTRL_C,
    }
    with pytest.raises(KeyboardInterrupt) as stopped:
        terminal.run(first)
    draft = stopped.value.path
    assert isinstance(stopped.value, questionnaire.QuestionnaireStopped)
    assert "date of birth" in stopped.value.next_question
    assert draft.parent == tmp_path / "data" / "appeal" / "drafts"
    assert_owner_only(draft)
    assert drafts.find_unfinished() == [draft]
    assert saved(draft)["patient"] == {"first_name": "Ana", "last_name": "Lopez"}
    assert "# appeal-questionnaire:" in draft.read_text()

    second = {
        "date of birth": "01/31/1990\r",
        "Member ID": "Q77\r",
        "Date printed on the denial letter": us(LAST_MONTH) + "\r",
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(second, resume=draft)
    assert path == draft
    assert not {"Who is writing this letter?", "Which letter should we write?", "Your first name", "Your last name"} & set(
        terminal.asked
    )
    assert terminal.asked[0].endswith("date of birth")
    data = saved(path)
    assert data["patient"] == {
        "first_name": "Ana", "last_name": "Lopez", "date_of_birth": "1990-01-31", "member_id": "Q77"
    }
    assert data["letter_kind"] == "claim-file-request"
    assert case.denial.notice_date == LAST_MONTH
    assert drafts.find_unfinished() == []
    assert_owner_only(path)
    text = letter_text(case)
    assert "Ana Lopez" in text and "January 31, 1990" in text and "Q77" in text


# A spouse asking for a parity analysis: the shortest way to the patient's name questions
SPOUSES_PARITY_REQUEST = {
    "Who is writing": pick("representative"),
    "What happened": pick("parity"),
    "Which letter": pick("parity-request"),
    "Your full name": "Jo Lopez\r",
    "relationship": "spouse\r",
}


def test_d_going_back_and_changing_an_answer_in_the_review(terminal, tmp_path):
    script = {
        **SPOUSES_PARITY_REQUEST,
        # '<' on the last name goes back to the first name, which is corrected
        "first name": ["Ana\r", CLEAR + "Anna\r"],
        "last name": ["<\r", "Lopez\r", CLEAR + "Lopez-Ruiz\r"],
        "Is everything right": [pick(title="Change something in 'The patient'"), pick(title="Everything is right")],
        "Which one?": pick(title="Last name"),
    }
    case, path = terminal.run(script, draft_path=tmp_path / "anna.yaml")
    assert [prompt for prompt in terminal.asked if prompt.startswith("The patient's") and prompt.endswith("name")] == [
        "The patient's first name",
        "The patient's last name",
        "The patient's first name",
        "The patient's last name",
        "The patient's last name",
    ]
    data = saved(path)
    assert data["patient"]["first_name"] == "Anna"
    assert data["patient"]["last_name"] == "Lopez-Ruiz"
    assert data["sender"] == {"role": "representative", "name": "Jo Lopez", "relationship": "spouse"}
    assert case.patient.full_name == "Anna Lopez-Ruiz"
    text = letter_text(case)
    assert "on behalf of Anna Lopez-Ruiz, as Anna's spouse and authorized representative" in text
    assert "Ana Lopez" not in text.replace("Anna Lopez", "")


def test_lt_typed_after_an_answer_already_shown_goes_back_instead_of_being_refused(terminal, tmp_path):
    # back at the first name (shown, 'Enter keeps it'), a tired person types '<' at the end of it: that goes back
    script = {
        **SPOUSES_PARITY_REQUEST,
        "first name": ["Ana\r", "<\r"],
        "last name": ["<\r", "Lopez\r"],
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script, draft_path=tmp_path / "ana.yaml")
    asked = terminal.asked
    second = asked.index("The patient's first name", asked.index("The patient's first name") + 1)
    assert asked[second + 1] == "Your phone number"  # the question before it, not a refusal of 'Ana<'
    assert not any("is not" in prompt for prompt in asked)
    assert saved(path)["patient"]["first_name"] == "Ana" and case.patient.last_name == "Lopez"


def test_a_half_filled_list_entry_survives_ctrl_c_and_an_entry_can_be_changed(terminal):
    first_day, second_day = LAST_MONTH, LAST_MONTH + timedelta(days=1)
    first = {
        "Who is writing": pick("patient"),
        "What happened": pick("reimbursement"),
        "Which letter": pick("reimbursement"),
        "Add a service": [pick("add"), pick("add")],
        "Date of the service": ["<\r", us(first_day) + "\r"],  # '<' on an entry's first question leaves the entry
        "Codes on that line": "96365, J3490\r",
        "What was done": CTRL_C,
    }
    with pytest.raises(questionnaire.QuestionnaireStopped) as stopped:
        terminal.run(first)
    draft = stopped.value.path
    assert saved(draft)["treatment"]["services"] == [{"date": first_day.isoformat(), "codes": ["96365", "J3490"]}]

    second = {
        "What was done": "IV ketamine infusion\r",
        "Amount charged": ["abc\r", CLEAR + "$475\r"],  # not an amount: refused
        "Amount you paid": "475\r",
        "Add another service": [pick("change"), pick("done")],
        "Which one do you want to change": pick(0),
        "Date of the service": CLEAR + us(second_day) + "\r",  # the other answers are kept with Enter
        "NPI of the provider who billed": "1234567893\r",
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(second, resume=draft)
    assert terminal.asked[0] == "What was done"
    assert saved(path)["treatment"]["services"] == [
        {
            "date": second_day.isoformat(),
            "codes": ["96365", "J3490"],
            "description": "IV ketamine infusion",
            "charge": 475.0,
            "paid": 475.0,
        }
    ]
    assert case.treatment.billing_npi == "1234567893"


def test_completing_a_case_file_asks_only_what_is_missing(terminal, tmp_path):
    source = tmp_path / "case.yaml"
    source.write_text(
        "# my notes stay\nletter_kind: claim-file-request\nsender: {role: patient}\n"
        "patient: {first_name: Ana, last_name: Lopez}\n",
        encoding="utf-8",
    )
    before = source.read_bytes()
    case, path = terminal.run({"Is everything right": pick(title="Everything is right"),
                               "date of birth": "01/31/1990\r"}, case_path=source)
    assert path == tmp_path / "case-completed.yaml"
    asked = " | ".join(terminal.asked)
    assert "Who is writing" not in asked and "first name" not in asked and "Which letter" not in asked
    assert "date of birth" in asked
    assert source.read_bytes() == before  # never rewritten without --force
    assert path.read_text().startswith("# my notes stay\n")
    assert saved(path)["patient"]["date_of_birth"] == "1990-01-31"
    assert case.patient.first_name == "Ana"
    assert drafts.completed_path(source) == tmp_path / "case-completed-2.yaml"


def test_completing_a_case_file_with_force_writes_into_it(terminal, tmp_path):
    source = tmp_path / "case.yaml"
    source.write_text("# my notes stay\nletter_kind: claim-file-request\nsender: {role: patient}\n", encoding="utf-8")
    case, path = terminal.run({"Is everything right": pick(title="Everything is right"), "first name": "Ana\r"},
                              case_path=source, overwrite_case=True)
    assert path == source and saved(source)["patient"]["first_name"] == "Ana"
    assert source.read_text().startswith("# my notes stay\n")


def test_a_second_session_on_the_same_draft_is_told_and_can_carry_on_in_a_copy(terminal, tmp_path):
    with pytest.raises(questionnaire.QuestionnaireStopped) as stopped:
        terminal.run({"Who is writing": pick("patient"), "What happened": pick("claim_file"),
                      "Which letter": pick("claim-file-request"), "first name": "Ana\r", "last name": CTRL_C})
    draft = stopped.value.path
    first = drafts.DraftLock(draft)  # the first session has it open again
    try:
        with pytest.raises(drafts.DraftInUse) as in_use:
            terminal.run({}, resume=draft)
        assert str(draft) in str(in_use.value) and "another appeal session" in str(in_use.value)
        copy = drafts.copy_draft(draft)
        case, path = terminal.run({"last name": "Lopez\r", "Is everything right": pick(title="Everything is right")},
                                  resume=copy)
        assert path == copy and case.patient.full_name == "Ana Lopez"
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    finally:
        first.release()
    assert saved(draft)["patient"] == {"first_name": "Ana"}  # the original is the first session's alone
    case, path = terminal.run({"last name": "Lopez\r", "Is everything right": pick(title="Everything is right")},
                              resume=draft)  # released: it opens again
    assert path == draft


def test_a_damaged_draft_is_set_aside_with_a_message(terminal, tmp_path):
    folder = drafts.folder()
    folder.mkdir(parents=True)
    damaged = folder / "draft-2026-01-01-100000.yaml"
    damaged.write_text("- a list, not fields\n# appeal-questionnaire: {}\n", encoding="utf-8")
    good = folder / "draft-2026-01-02-100000.yaml"
    good.write_text("patient: {first_name: Ana}\n# appeal-questionnaire: {}\n", encoding="utf-8")
    told = drafts.set_aside_damaged()
    assert len(told) == 1 and "draft-2026-01-01-100000.yaml cannot be read" in told[0] and "not a list" in told[0]
    assert not damaged.exists()
    assert (folder / "draft-2026-01-01-100000.yaml.damaged").read_text().startswith("- a list")
    assert drafts.find_unfinished() == [good]


def test_a_draft_with_its_progress_line_edited_by_hand_resumes_with_every_answer_and_says_so(terminal, tmp_path,
                                                                                              monkeypatch):
    folder = drafts.folder()
    folder.mkdir(parents=True)
    draft = folder / "draft-2026-01-01-100000.yaml"
    draft.write_text("sender: {role: patient}\nletter_kind: appeal\npatient: {first_name: Ana, last_name: Lopez}\n"
                     '# appeal-questionnaire: {"item": "hand-edited"}\n', encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(questionary, "print", lambda text, **kwargs: shown.append(text))
    with pytest.raises(questionnaire.QuestionnaireStopped):
        terminal.run({"What happened": pick("denial"), "date of birth": CTRL_C}, resume=draft)
    said = " ".join(" ".join(shown).split())
    assert "could not be read, so the questions done were worked out again from your answers" in said
    assert not any("last name" in asked for asked in terminal.asked)  # in the file: not asked again
    assert saved(draft)["patient"] == {"first_name": "Ana", "last_name": "Lopez"}


def test_drafts_go_under_home_when_xdg_data_home_is_not_set(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert drafts.folder() == tmp_path / ".local" / "share" / "appeal" / "drafts"
    assert drafts.find_unfinished() == []


# --------------------------------------------------------------------------------------------------------------
# Three people, answering truthfully: the letter carries what its criteria and arguments need


def draft_of(case):
    from appeal.letters import draft, kinds

    from conftest import docx_text

    drafted = draft.draft(case, kinds.get(case.letter_kind))
    return drafted, docx_text(drafted.content)


def test_persona_a_patient_appeals_an_experimental_denial_under_an_employer_plan(terminal, tmp_path):
    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "first name": "Maria\r",
        "last name": "Alvarez\r",
        "date of birth": "06/12/1985\r",
        "Your mailing address": "418 Birchwood Lane\rColumbus, OH 43214" + FINISH_MULTILINE,
        "Your phone number": "614.555.0142\r",
        # skipped on purpose: "Your email address", "Group number"
        "Insurance company": "Meridian Health Administrators\r",
        "kind of coverage": pick("employer_self_funded"),
        "Which employer": "Acme Logistics, Inc.\r",
        "Member ID": "MHA884120537\r",
        "address for this letter": "PO Box 1200\rDayton, OH 45401" + FINISH_MULTILINE,
        "fax number for this letter": "(937) 555-0199\r",
        "Date printed on the denial letter": f"{LAST_MONTH:%Y-%m-%d}\r",
        "reference number": "PA-2026-1102-55817\r",
        "Main reason": pick("experimental"),
        "word for word": "Ketamine is experimental for depression." + FINISH_MULTILINE,
        "Which 'no' is this": pick("initial"),
        "Which treatment": pick("iv_ketamine"),
        "How many sessions": "6\r",
        "Is this urgent": pick("standard"),
        "Where is the treatment given": "Riverside Ketamine Clinic, Columbus\r",
        "Add a diagnosis": pick("add"),
        "Add another diagnosis": pick("done"),
        "Diagnosis code": "depression\r",
        "Codes matching 'depression'": pick("F33.2"),
        "current episode of depression begin": "03/01/2025\r",
        "symptom score": pick("add"),
        "another symptom score": pick("done"),
        "Which scale": pick("phq9"),
        "The score": "22\r",
        "When was it measured": "10/01/2026\r",
        "limit your work": "On leave from work since May; cannot drive my kids to school." + FINISH_MULTILINE,
        "What kind of clinician": "psychiatrist\r",
        "prescriber's name": "Dr. Priya Raman\r",
        "if this treatment is denied": "I would stay on disability leave and could lose my job." + FINISH_MULTILINE,
        "Hospital stays": "Inpatient psychiatric stay, 5 days, January 2026\r",
        "substance-use screening": pick("yes"),
        "already tried?": pick("add"),
        "Add another medication": [pick("add"), pick("add"), pick("done")],
        "Name of the medication": ["sertraline\r", "venlafaxine XR\r", "bupropion XL\r"],
        "What kind is it": ["\r", "\r", "\r"],  # each known medication's class is pre-selected
        "Highest dose": ["200 mg daily\r", "225 mg daily\r", "450 mg daily\r"],
        "How many weeks": ["10\r", "12\r", "8\r"],
        "What happened?": [pick("none"), pick("partial"), pick("none")],
        "Side effects, or why": ["no improvement\r", "partial improvement only\r", "no improvement\r"],
        "current episode of depression?": ["\r", "\r", "\r"],  # Enter keeps the recommended "yes"
        "Add a document": pick("add"),
        "Add another document": pick("done"),
        "Name of the document": "Letter from Dr. Patel\r",
        "Is everything right": pick(title="Everything is right"),
    }
    case, _ = terminal.run(script)
    asked = " | ".join(terminal.asked)
    # identity and the plan first; then the facts that settle a coverage criterion, most important first (the
    # trials, the prescriber, screening, scores), then what is at stake, then the nice-to-haves
    order = ["first name", "Member ID", "Main reason", "Which treatment", "Add a diagnosis", "already tried?",
             "What kind of clinician", "substance-use screening", "symptom score", "limit your work",
             "if this treatment is denied", "Where is the treatment given", "Add a document"]
    assert [asked.index(words) for words in order] == sorted(asked.index(words) for words in order)
    # nothing this letter does not use, even where the question's own condition holds
    for unused in ("Which employer", "How many years since the illness began", "In your own words"):
        assert unused not in asked, unused
    assert case.left_out and {"patient.email", "patient.group_number"} <= set(case.left_out)
    assert all(trial.current_episode for trial in case.prior_treatments)
    drafted, text = draft_of(case)
    # the criteria the answers meet are listed as met, with the score and its date, and the appeal level
    for met in ("adult age (18 or older)", "two or more adequate antidepressant trials failed",
                "substance use screened", "depression severity documented"):
        assert met in text, met
    assert "PHQ-9 22 on October 1, 2026" in text
    assert "Appeal level: An internal appeal to the plan" in text
    assert "On leave from work since May" in text and "Inpatient psychiatric stay" in text
    # the prescriber she named, and what she expects, in her own words
    assert "a psychiatric clinician prescribing or overseeing the treatment" in text
    assert "Prescriber: Dr. Priya Raman, psychiatrist" in text
    assert "first arrange a peer-to-peer discussion with the treating provider, Dr. Priya Raman (psychiatrist)." in text
    assert "same or a similar specialty as the treating provider (the prescriber's specialty: psychiatrist)" in text
    assert "What I expect if this treatment is denied: I would stay on disability leave and could lose my job." in text
    # no invented enclosure; the usual documents are suggested for the next steps instead
    assert "Letter from Dr. Patel" in text
    assert "Letter of medical necessity from the treating provider" not in text
    assert "Medical records supporting the request" not in text
    assert "Medical records supporting the request" in drafted.suggested_enclosures
    # no blank for what she skipped on purpose
    assert "[ADD: patient email]" not in text and "group number]" not in text
    assert not [blank for blank in drafted.blanks if "email" in blank or "group" in blank]


def test_persona_b_a_daughter_appeals_for_her_father_under_medicare_advantage(terminal, tmp_path, monkeypatch):
    script = {
        "Who is writing": pick("representative"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "Your full name": "Ana Ruiz\r",
        "Your relationship": "daughter\r",
        "Your mailing address": "12 Elm Street\rToledo, OH 43604" + FINISH_MULTILINE,
        "Your phone number": "419 555 0123\r",
        "first name": "Jorge\r",
        "last name": "Ruiz\r",
        "date of birth": "04/02/1950\r",
        "Insurance company": "Buckeye Senior Advantage\r",
        "kind of coverage": pick("medicare_advantage"),
        "Member ID": "BSA5521\r",
        "address for this letter": "Appeals, PO Box 9\rColumbus, OH 43215" + FINISH_MULTILINE,
        "Date printed on the denial letter": f"{LAST_MONTH:%Y-%m-%d}\r",
        "reference number": "MA-7781\r",
        "Main reason": pick("not_medically_necessary"),
        "Which 'no' is this": pick("initial"),
        "Which treatment": pick("esketamine_nasal"),
        "Where is the treatment given": "Lakeside Psychiatry, a SPRAVATO REMS-certified clinic, Toledo\r",
        "Add a diagnosis": pick("add"),
        "Add another diagnosis": pick("done"),
        "Diagnosis code": "F33.1\r",
        "symptom score": pick("add"),
        "another symptom score": pick("done"),
        "Which scale": pick("phq9"),
        "The score": "19\r",
        "When was it measured": "09/15/2026\r",
        "substance-use screening": pick("yes"),
        "already tried?": pick("add"),
        "Add another medication": [pick("add"), pick("done")],
        "Name of the medication": ["escitalopram\r", "duloxetine\r"],
        "What kind is it": ["\r", "\r"],
        "Highest dose": ["20 mg daily\r", "60 mg daily\r"],
        "How many weeks": ["9\r", "10\r"],
        "What happened?": [pick("none"), pick("none")],
        "current episode of depression?": ["\r", "\r"],
        "Is everything right": pick(title="Everything is right"),
    }
    said: list[str] = []
    monkeypatch.setattr(questionary, "print", lambda text, **kwargs: said.append(text))
    case, _ = terminal.run(script)
    # before writing, the readiness check in plain words, with what would settle each unknown
    shown = "\n".join(said)
    assert "Met: Two or more adequate antidepressant trials have failed in the current episode" in shown
    assert "Not known yet: A psychiatric clinician prescribes or oversees the treatment" in shown
    assert "The question that settles it: What kind of clinician prescribes or oversees this treatment?" in shown
    assert shown.index("What the plan usually looks for") > shown.index("Here is everything so far")
    drafted, text = draft_of(case)
    assert "on behalf of Jorge Ruiz" in text
    assert "two or more adequate antidepressant trials failed in the current episode" in text
    assert "PHQ-9 19 on September 15, 2026" in text
    assert "Appeal level: A reconsideration by the Medicare Advantage plan" in text
    assert "Signed authorization for the representative" not in text  # she did not say she has it
    # Medicare: the written appointment that takes the place of form CMS-1696 is drafted by this tool, so listed
    assert "Appointment of representative, signed and dated by the patient and the representative" in text
    assert any(item.endswith("appeal draft --letter representative-authorization") for item in drafted.to_draft)
    assert not any("email" in blank for blank in drafted.blanks)


def test_persona_c_a_provider_requests_spravato_prior_authorization(terminal, tmp_path):
    script = {
        "Who is writing": pick("provider"),
        "What happened": pick("prior_auth"),
        "Which letter": pick("prior-auth"),
        "Your full name": "Priya Raman\r",
        "Your credentials": "MD\r",
        "Your specialty": "Psychiatry\r",
        "Your NPI number": "1234567893\r",
        "first name": "Sam\r",
        "last name": "Lee\r",
        "date of birth": "1979-02-03\r",
        "Insurance company": "Ohio Care Plan\r",
        "kind of coverage": pick("individual_marketplace"),
        "Which state": "OH\r",
        "Member ID": "XJ123\r",
        "Which treatment": pick("esketamine_nasal"),
        "Where is the treatment given": "Raman Psychiatry, SPRAVATO REMS-certified, Columbus\r",
        "Add a diagnosis": pick("add"),
        "Add another diagnosis": pick("done"),
        "Diagnosis code": "F33.2\r",
        "symptom score": pick("add"),
        "another symptom score": pick("done"),
        "Which scale": pick("madrs"),
        "The score": "34\r",
        "When was it measured": "10/20/2026\r",
        "substance-use screening": pick("yes"),
        "already tried?": pick("add"),
        "Add another medication": [pick("add"), pick("done")],
        "Name of the medication": ["sertraline\r", "bupropion XL\r"],
        "What kind is it": ["\r", "\r"],
        "Highest dose": ["200 mg daily\r", "450 mg daily\r"],
        "How many weeks": ["8\r", "10\r"],
        "What happened?": [pick("none"), pick("partial")],
        "current episode of depression?": ["\r", "\r"],
        "Is everything right": pick(title="Everything is right"),
    }
    case, _ = terminal.run(script)
    drafted, text = draft_of(case)
    for met in ("a psychiatric clinician prescribing", "SPRAVATO REMS-certified setting",
                "two or more adequate antidepressant trials failed", "depression severity documented"):
        assert met in text, met
    assert "MADRS 34 on October 20, 2026" in text
    assert "Medical records supporting the request" not in text
    assert drafted.blanks == [] or all("email" not in blank for blank in drafted.blanks)


def test_appeal_draft_tells_a_second_session_and_carries_on_in_a_copy(terminal, tmp_path, monkeypatch, capsys):
    from prompt_toolkit.application.current import create_app_session

    from appeal.commands import draft as cli_draft

    with pytest.raises(questionnaire.QuestionnaireStopped) as stopped:
        terminal.run({"Who is writing": pick("patient"), "What happened": pick("claim_file"),
                      "Which letter": pick("claim-file-request"), "first name": "Ana\r", "last name": CTRL_C})
    draft = stopped.value.path
    real_confirm = questionary.confirm
    confirmed: list[str] = []

    def confirm(message, **kwargs):
        confirmed.append(message)
        terminal.pipe.send_text("y")
        return real_confirm(message, **kwargs)

    monkeypatch.setattr(questionary, "confirm", confirm)
    first = drafts.DraftLock(draft)  # the first session still has it open
    try:
        terminal.script = {"last name": ["Lopez\r"], "Is everything right": [pick(title="Everything is right")]}
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            terminal.pipe = pipe
            case, path = cli_draft._resume(draft)
    finally:
        first.release()
    assert "is open in another appeal session" in capsys.readouterr().err
    assert confirmed and "copy" in confirmed[0]
    assert path == draft.with_name(draft.stem + "-copy.yaml") and case.patient.full_name == "Ana Lopez"
    assert saved(draft)["patient"] == {"first_name": "Ana"}


def test_a_refused_answer_is_named_right_under_its_question_and_asked_again(terminal, tmp_path):
    """Through the real prompt on a real terminal output: the reason is printed on the line after the refused
    answer, naming the question, before anything else is asked (not in a bottom toolbar), and the question comes
    back holding what was typed, to correct."""
    import io
    import re

    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=120), term="xterm")
    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("claim_file"),
        "Which letter": pick("claim-file-request"),
        "first name": "Ana\r",
        "last name": "Lopez\r",
        "date of birth": ["13/45/1990\r", CLEAR + "01/31/1990\r"],
        "Member ID": CTRL_C,
    }
    with pytest.raises(questionnaire.QuestionnaireStopped) as stopped:
        terminal.drive(script, lambda pipe: questionnaire.run(input=pipe, output=output, draft_path=tmp_path / "d.yaml"))
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB0-2]|\r", "", screen.getvalue())
    refusal = shown.index("✗ Date of birth: ")
    reason = shown[refusal:].splitlines()[0]
    assert "13/45/1990" in reason and "not a date" in reason
    assert "date of birth" in shown[:refusal] and "Member ID" not in shown[:refusal]
    again = shown[refusal:]
    assert again.index("date of birth") < again.index("Member ID")  # asked again, right away
    assert "13/45/1990" in again[len(reason):again.index("Member ID")]  # with the typed answer to correct
    assert terminal.asked.count("Your date of birth") == 2
    assert saved(stopped.value.path)["patient"]["date_of_birth"] == "1990-01-31"
    # a draft outside the drafts folder is not offered by `appeal draft`: the way back is the command alone
    told = shown[shown.index("Stopped. Your answers so far are saved"):]
    assert "To carry on, run: appeal draft --resume" in told and "d.yaml" in told and "choose to resume" not in told


def test_an_older_case_file_is_asked_the_per_trial_facts_the_letter_now_needs_once(terminal, tmp_path):
    """A case file (or a draft from before) whose trials lack what the criteria read: resuming asks just those,
    entry by entry; one skipped on purpose is not asked again."""
    from appeal.base.resources import examples_folder

    data = yaml.safe_load((examples_folder() / "ketamine-trd-erisa-appeal.yaml").read_text(encoding="utf-8"))
    del data["prior_treatments"][0]["current_episode"], data["prior_treatments"][1]["current_episode"]
    del data["prior_treatments"][2]["adequate_weeks"]
    source = tmp_path / "older.yaml"
    source.write_text(yaml.safe_dump(data), encoding="utf-8")
    first = {
        "current episode of depression?": [pick("yes"), pick(title="Skip")],
        "How many weeks": CTRL_C,
    }
    with pytest.raises(questionnaire.QuestionnaireStopped) as stopped:
        terminal.run(first, case_path=source)
    assert terminal.asked.count("Was it tried during your current episode of depression?") == 2
    draft = stopped.value.path
    second = {"How many weeks": "10\r", "Is everything right": pick(title="Everything is right")}
    case, path = terminal.run(second, resume=draft)
    assert not any("current episode" in prompt for prompt in terminal.asked)  # the skipped one stays skipped
    assert terminal.asked.count("How many weeks at that full dose?") == 1  # a medication: weeks at full dose
    trials = case.prior_treatments
    assert (trials[0].current_episode, trials[1].current_episode, trials[2].adequate_weeks) == (True, None, 10)
    assert [trial.name for trial in trials] == [item["name"] for item in data["prior_treatments"]]


def test_an_insured_employer_plan_is_asked_its_levels_of_appeal_then_its_state(terminal):
    # issue 26 points 5 and 6: asked in plain words, read back from the case, and the next steps print only the
    # decision time for the plan's own number of levels (29 CFR 2560.503-1(i)(2)(ii)) and the state's office
    from appeal.rules import next_steps

    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "kind of coverage": pick("employer_fully_insured"),
        "How many levels of appeal": pick("one"),
        "Which state": "oh\r",
        "Date printed on the denial letter": f"{LAST_MONTH:%Y-%m-%d}\r",
        "Which 'no' is this": pick("initial"),
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script)
    levels = next(n for n, prompt in enumerate(terminal.asked) if "How many levels of appeal" in prompt)
    state = next(n for n, prompt in enumerate(terminal.asked) if "Which state" in prompt)
    assert levels < state
    data = saved(path)
    assert data["insurance"]["internal_appeal_levels"] == "one" and data["insurance"]["state"] == "OH"
    text = next_steps.as_text(next_steps.sections(case, []))
    answer = text[text.index("WHEN THE PLAN MUST ANSWER"):text.index("IF THE PLAN MISSES")]
    assert "a plan with one appeal level must decide within 30 days" in answer
    assert "15 days" not in answer and "Both decision times" not in answer
    assert "The next step is an independent external review (usually through your state)." in text
    assert "Ohio Department of Insurance" in text and "CMS decides whether a state's own process" in text


def test_a_marketplace_appeal_asks_the_state_but_not_the_levels(terminal):
    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "kind of coverage": pick("individual_marketplace"),
        "Which state": "tx\r",
        "Which 'no' is this": pick("initial"),
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script)
    assert any("Which state is the plan in" in prompt for prompt in terminal.asked)
    assert not any("How many levels of appeal" in prompt for prompt in terminal.asked)  # one level by law
    assert saved(path)["insurance"]["state"] == "TX"


def test_a_self_funded_plan_is_not_asked_its_state(terminal):
    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "kind of coverage": pick("employer_self_funded"),
        "How many levels of appeal": pick("two"),
        "Which 'no' is this": pick("initial"),
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script)
    assert not any("Which state" in prompt for prompt in terminal.asked)
    assert saved(path)["insurance"]["internal_appeal_levels"] == "two"


def test_a_likely_typo_is_shown_with_its_fix_and_the_person_chooses(terminal, tmp_path):
    """"recieve → receive?" after a free-text answer: one fix accepted, one word kept as typed (and never asked
    again in that field), a typo in the plan's quoted words only checked against the notice, never changed."""
    script = {
        "Who is writing": pick("patient"),
        "What happened": pick("denial"),
        "Which letter": pick("appeal"),
        "first name": "Dana\r",
        "last name": "Okonkwo\r",
        "word for word": "Ketamine infusions are experimental for depresion." + FINISH_MULTILINE,
        "'depresion' may be a typo": pick("keep"),
        "history with this illness": "I recieve my infusions weekly and dont want to stop" + FINISH_MULTILINE,
        "Spelling: recieve → receive?": pick("fix"),
        "Spelling: dont → don't?": pick("keep"),
        "Is everything right": pick(title="Everything is right"),
    }
    case, path = terminal.run(script, draft_path=tmp_path / "okonkwo.yaml")

    spelling = [prompt for prompt in terminal.asked if "Spelling:" in prompt or "may be a typo" in prompt]
    assert spelling == ["'depresion' may be a typo. Check it against the notice:",
                        "Spelling: recieve → receive?", "Spelling: dont → don't?"]
    data = saved(path)
    assert data["clinical"]["history"] == "I receive my infusions weekly and dont want to stop"
    assert data["denial"]["quote"] == "Ketamine infusions are experimental for depresion."  # verbatim
    assert data["kept_spellings"] == {"denial.quote": ["depresion"], "clinical.history": ["dont"]}
    text = letter_text(case)
    assert "I receive my infusions weekly" in text and "recieve" not in text
    assert "experimental for depresion." in text
    # the word kept as typed is not asked about again in that field, even when the answer changes
    from appeal.intake.engine import Engine
    from appeal.intake.questions import ENTRIES

    engine = Engine.open(draft_path=path)
    history = ENTRIES["clinical.history"]
    assert engine.answer(history, "I dont sleep and recieve nothing") is None
    assert [typo.word for typo in engine.typos(history)] == ["recieve"]


def test_the_last_screen_names_the_case_file_the_commands_and_where_to_mail_it_as_chosen(terminal, tmp_path,
                                                                                         monkeypatch, capsys):
    """`appeal draft` with no case, through its real prompts to the end: the person chooses to mail it, and the last
    screen names the case file kept beside the letter, the commands for it, and "mail it to" the plan's address."""
    from prompt_toolkit.application.current import create_app_session

    from appeal import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)  # a person at a terminal (the prompts read the pipe)
    terminal.script = {
        "Who is writing": [pick("patient")], "What happened": [pick("claim_file")],
        "Which letter": [pick("claim-file-request")], "first name": ["Ana\r"], "last name": ["Lopez\r"],
        "Insurance company": ["Acme Health Plan\r"], "Date printed on the denial": [us(LAST_MONTH) + "\r"],
        "The plan's address for this letter": ["PO Box 100\rSpringfield, IL 62701" + FINISH_MULTILINE],
        "Is everything right": [pick(title="Everything is right")],
        "Make one PDF": [pick("mail")], "Have you sent": [pick("later")], "How would you like to start": [pick("questions")],
    }
    terminal.asked = []
    real_ask_packet = questionnaire.ask_packet  # its own prompt session: on the same pipe
    monkeypatch.setattr(questionnaire, "ask_packet",
                        lambda: real_ask_packet(input=terminal.pipe, output=DummyOutput()))
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        terminal.pipe = pipe
        assert cli.main(["draft"]) == 0
    shown = capsys.readouterr().out
    (letter,) = tmp_path.glob("lopez-ana-*.docx")
    case_file = letter.with_suffix(".yaml")
    assert saved(case_file)["insurance"]["appeals_address"].startswith("PO Box 100")
    assert f"Your answers (the case file): {case_file}" in shown
    for command in ("appeal check --case", "appeal deadline --case", "appeal packet --case", "appeal track add --case"):
        assert f"{command} {case_file}" in shown, command
    assert f"--sent {TODAY:%Y-%m-%d}" in shown and letter.with_suffix(".pdf").is_file()
    last = shown.strip().splitlines()[-1]
    assert last.startswith("Next: ") and "mail it to PO Box 100, Springfield, IL 62701" in last, last
    assert not any("fax it" in line for line in shown.splitlines()[-3:])


def test_enter_on_a_choice_never_skips_it_unseen(terminal, tmp_path):
    """Nothing is preselected in an optional choice with no answer yet: the cursor starts on a line that chooses
    nothing, Enter there is told so under the question and asked again; Skip is an answer to move to."""
    from terminal_harness import ENTER

    with pytest.raises(questionnaire.QuestionnaireStopped):
        terminal.run({"Who is writing": pick("patient"), "What happened": pick("denial"),
                      "Which letter": pick("appeal"), "first name": "Ana\r", "last name": "Lopez\r",
                      "date of birth": "\r", "mailing address": FINISH_MULTILINE, "phone": "\r",
                      "Insurance company": "Acme\r", "kind of coverage": [ENTER, CTRL_C]})
    asked = [message for message in terminal.asked if "kind of coverage" in message]
    assert len(asked) == 2  # Enter on the first line chose nothing: asked again, not skipped
    draft = drafts.find_unfinished()[0]
    assert "plan_type" not in (saved(draft).get("insurance") or {})
