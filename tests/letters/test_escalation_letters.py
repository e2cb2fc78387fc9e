"""The letters after a plan says no or does not answer: the complaint to the plan's regulator, the letter to the
employer of a self-funded plan, and the patient's authorization of a representative. Each is drafted from a
bundled example, opened, and read back: who it is addressed to for each plan type, the dispute's timeline, the
deadline rules the dates show the plan broke (with their sources, and nothing the dates do not show), the
representative's names and the enclosures."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

import pytest
from conftest import docx_text, example_case

from appeal.rules import complaint, regulators
from appeal.letters import draft, kinds
from appeal.tracking import status as track_status, store as track_store
from appeal.cases.case import HistoryEntry, PlanType
from appeal.cli import main
from appeal.base.errors import UserError

TODAY = date(2026, 11, 28)
LATE = "ketamine-erisa-late-appeal-daughter"
TEN_STATES = {"CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI"}
# State agencies whose own site is not under .gov: the Florida Department of Financial Services' domain.
STATE_OFFICIAL_DOMAINS = {"myfloridacfo.com"}


def squash(text: str) -> str:
    return " ".join(text.split())


def letter(case, kind: str) -> tuple[str, draft.Drafted]:
    drafted = draft.draft(case, draft.choose_kind(case, kind), today=TODAY)
    return docx_text(drafted.content), drafted


def _official(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host.endswith(".gov") or host in STATE_OFFICIAL_DOMAINS or host.endswith(tuple(
        "." + domain for domain in STATE_OFFICIAL_DOMAINS))


# --------------------------------------------------------------------------------------------------------------
# Where a complaint goes: data with sources


def test_every_regulator_is_sourced_on_its_own_official_site():
    agencies = regulators.all_agencies()
    assert agencies
    for agency in agencies:
        assert _official(agency.source_url), f"{agency.id}: {agency.source_url} is not the agency's own site"
        assert _official(agency.url), f"{agency.id}: {agency.url}"
        assert isinstance(agency.checked, date) and agency.checked <= date.today()
        assert len(agency.verified) > 40, f"{agency.id}: say what was read on the page"
        assert agency.address or agency.url, agency.id


def test_the_ten_most_populous_states_are_listed_and_every_plan_type_has_a_regulator_or_a_reason():
    by_id = {agency.id for agency in regulators.all_agencies()}
    assert {f"{state} state_insurance" for state in TEN_STATES} <= by_id
    # Michigan's Medicaid agency could not be confirmed on its own pages: it falls back to Medicaid.gov's directory.
    assert {f"{state} state_medicaid" for state in TEN_STATES - {"MI"}} <= by_id
    assert {"ebsa", "medicare", "opm", "directory state_insurance", "directory state_medicaid"} <= by_id
    for plan_type in PlanType:
        case = example_case(LATE)
        case.insurance.plan_type = plan_type
        assert regulators.for_case(case) is not None or len(regulators.why_none(case)) > 40, plan_type


# plan type, state -> what the address block must hold
ADDRESSEES = [
    ("employer_self_funded", "PA", ["U.S. Department of Labor, Employee Benefits Security Administration",
                                    "200 Constitution Avenue NW", "Washington, DC 20210"]),
    ("employer_fully_insured", "NY", ["New York State Department of Financial Services", "Consumer Assistance Unit",
                                      "One Commerce Plaza", "Albany, NY 12257"]),
    ("individual_marketplace", "CA", ["California Department of Insurance", "300 South Spring Street, South Tower"]),
    ("individual_marketplace", "PA", ["Pennsylvania Insurance Department",
                                      "Online: https://www.insurance.pa.gov/Consumers/ConsumerServicesFAQ/Pages/default.aspx"]),
    ("medicare_advantage", "PA", ["Medicare (Centers for Medicare & Medicaid Services)", "Online: https://www.medicare.gov/"]),
    ("medicare_part_d", "PA", ["Medicare (Centers for Medicare & Medicaid Services)"]),
    ("medicaid_managed_care", "TX", ["Texas Health and Human Services Commission", "P.O. Box 13247",
                                     "Austin, TX 78711-3247"]),
    ("medicaid_ffs", "MN", ["[ADD: name and address of your state's Medicaid agency (listed at "
                            "https://www.medicaid.gov/about-us/contact-us/index.html)]"]),
    ("fehb", "PA", ["U.S. Office of Personnel Management, Healthcare and Insurance"]),
]


@pytest.mark.parametrize(("plan_type", "state", "lines"), ADDRESSEES, ids=[f"{p}-{s}" for p, s, _ in ADDRESSEES])
def test_the_complaint_is_addressed_to_the_regulator_of_the_plan_type(plan_type, state, lines):
    case = example_case(LATE)
    case.insurance.plan_type, case.insurance.state = plan_type, state
    text, drafted = letter(case, "regulator-complaint")
    head = text.split("Re: ")[0]
    for line in lines:
        assert any(row.startswith(line) for row in head.splitlines()), (line, head)
    assert "Summit Benefit Administrators" not in head  # never addressed to the plan itself
    assert drafted.sending, "how to send it is said after drafting"


@pytest.mark.parametrize("plan_type", ["medicare_original", "va", "tricare", "other"])
def test_a_plan_type_without_a_regulator_is_refused_with_the_reason(plan_type):
    case = example_case(LATE)
    case.insurance.plan_type = plan_type
    with pytest.raises(UserError, match="--letter regulator-complaint cannot be drafted for this case") as refused:
        draft.choose_kind(case, "regulator-complaint")
    assert str(refused.value).split("this case. ", 1)[1] == regulators.why_none(case)


# --------------------------------------------------------------------------------------------------------------
# The timeline and the rules broken


def test_the_complaint_reads_the_timeline_and_the_missed_deadline_with_its_source():
    case = example_case(LATE)
    text, drafted = letter(case, "regulator-complaint")
    flat = squash(text)
    rows = [line for line in text.splitlines() if " | " in line]
    assert rows[0] == "Date | What happened"
    assert rows[1:] == [
        "August 4, 2026 | The plan denied IV ketamine infusion therapy (reference SBA-PA-2026-0804-3391), in a notice "
        "of this date.",
        "August 8, 2026 | The denial notice arrived.",
        "August 20, 2026 | The internal appeal was sent to the plan by fax.",
        "September 19, 2026 | The plan's decision on the internal appeal was due (29 CFR 2560.503-1(i)(2)(ii)); "
        "none came.",
    ]
    broken = flat.split("The rules the plan did not follow")[1].split("What I ask you to do")[0]
    assert "The plan received the internal appeal on August 20, 2026 (sent by fax that day)." in broken
    assert "(29 CFR 2560.503-1(i)(2)(ii); source: https://www.ecfr.gov/current/title-29/section-2560.503-1). Counted" in broken
    assert "30 days ran to September 19, 2026. No decision had come by November 28, 2026, 70 days after it was due." \
        in broken
    assert "on behalf of Robert Chen, as Robert's daughter and authorized representative" in flat
    assert "Lisa Chen (daughter)" in text
    enclosures = text.split("Enclosures:")[1]
    assert "Authorization of representative, signed by the patient" in enclosures
    assert "Copies of each request and appeal sent to the plan, with proof of the date sent" in enclosures
    assert "Ask the plan to decide, now and in writing, the internal appeal it has not yet decided" in flat
    # a self-funded ERISA plan: the Labor Department's rule, not HHS's (issue 26)
    assert "Under the Labor Department's rule for group health plans that are not grandfathered, 29 CFR " \
           "2590.715-2719(b)(2)(ii)(F)" in flat and "see also 29 CFR 2560.503-1(l)" in flat
    assert "147.136(b)(2)(ii)(F)" not in flat
    assert drafted.blanks == []


def history(**fields) -> HistoryEntry:
    return HistoryEntry(step="internal_appeal", sent=date(2026, 8, 20), **fields)


@pytest.mark.parametrize(("entry", "claimed"), [
    (history(method="mail"), None),  # mailed, arrival unknown: the clock's start is not shown
    (history(method="mail", received=date(2026, 8, 25)), "No decision had come by November 28, 2026, 65 days"),
    (history(method="fax", decided=date(2026, 9, 10), result="denied"), None),  # decided in time
    (history(method="portal", decided=date(2026, 10, 1), result="denied"),
     "The decision came on October 1, 2026, 12 days after it was due"),
    (HistoryEntry(step="external_review", sent=date(2026, 8, 20), method="fax"), None),  # decided by an IRO
])
def test_a_missed_deadline_is_claimed_only_when_the_dates_show_it(entry, claimed):
    case = example_case(LATE)
    case.history = [entry]
    found = complaint.breaches(case, TODAY)
    text = squash(letter(case, "regulator-complaint")[0])
    if claimed is None:
        assert found == []
        assert "The dates above do not by themselves show a missed deadline, so none is claimed here." in text
        assert "days after it was due" not in text and "deemed to have exhausted" not in text
    else:
        assert [item.rule.citation for item in found] == ["29 CFR 2560.503-1(i)(2)(ii)"]
        assert claimed in text


def test_before_the_deadline_nothing_is_claimed_and_an_urgent_appeal_is_held_to_72_hours():
    case = example_case(LATE)
    assert complaint.breaches(case, date(2026, 9, 19)) == []  # the last day the plan has
    assert len(complaint.breaches(case, date(2026, 9, 20))) == 1
    case.treatment.urgency = "expedited"
    urgent = complaint.breaches(case, date(2026, 8, 24))
    assert [item.rule.citation for item in urgent] == ["29 CFR 2560.503-1(i)(2)(i)"]
    assert "72 hours ran to August 23, 2026" in urgent[0].text


def test_no_deadline_is_claimed_from_a_rule_whose_figure_was_seen_only_in_summaries():
    case = example_case(LATE)
    case.insurance.plan_type = "medicare_advantage"  # an IV ketamine request: a Part B drug determination
    case.history = [HistoryEntry(step="initial_request", sent=date(2026, 7, 1), method="fax")]
    assert all(rule.seen_in == "secondary" for rule in complaint.select(case, complaint.Step.initial_request,
                                                                          {complaint.Topic.decision_deadline}))
    assert complaint.breaches(case, TODAY) == []
    case.history = [HistoryEntry(step="internal_appeal", sent=date(2026, 8, 20), method="fax")]
    assert [item.rule.seen_in for item in complaint.breaches(case, TODAY)] == ["primary"]


def test_the_tracked_record_becomes_the_complaints_history(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    case = example_case(LATE)
    case.history = []
    with track_store.open_store() as store:
        appeal_id, _ = store.add(case, date(2026, 8, 20), kind="appeal", method="fax", today=TODAY)
        appeal = store.get(appeal_id)
    tracked = track_status.case_with_history(appeal, TODAY)
    assert [(entry.step.value, entry.sent, entry.method.value, entry.decided) for entry in tracked.history] == [
        ("internal_appeal", date(2026, 8, 20), "fax", None)]
    assert [item.due for item in complaint.breaches(tracked, TODAY)] == [date(2026, 9, 19)]
    monkeypatch.chdir(tmp_path)
    assert main(["draft", "--from-track", str(appeal_id), "--letter", "regulator-complaint", "-o", "c.docx",
                 "--today", TODAY.isoformat()]) == 0
    assert "none came." in docx_text(tmp_path / "c.docx")


# --------------------------------------------------------------------------------------------------------------
# The employer of a self-funded plan


def test_the_employer_letter_goes_to_the_benefits_office_with_the_story():
    text, drafted = letter(example_case(LATE), "employer-letter")
    head = text.split("Re: ")[0].splitlines()
    assert head[-6:-1] == ["Harborview Manufacturing Co.", "Human Resources / Employee Benefits",
                           "Attn: Benefits Office", "1200 River Road", "Pittsburgh, PA 15212"]
    flat = squash(text)
    assert "Harborview Manufacturing Co. sponsors this self-funded plan and pays its claims from its own funds" in flat
    assert "August 20, 2026 | The internal appeal was sent to the plan by fax." in text
    assert "Under ERISA section 104(b)(4), copies of the latest summary plan description" in flat
    assert "keep it out of personnel files" in flat
    assert "The plan's own appeal process is being pursued as well; this letter does not replace it." in flat
    assert "Authorization of representative, signed by the patient" in text.split("Enclosures:")[1]
    assert drafted.blanks == []


@pytest.mark.parametrize("plan_type", [p.value for p in PlanType if p is not PlanType.employer_self_funded])
def test_the_employer_letter_is_only_for_a_self_funded_plan(plan_type):
    case = example_case(LATE)
    case.insurance.plan_type = plan_type
    with pytest.raises(UserError, match="It is for a self-funded employer plan") as refused:
        draft.choose_kind(case, "employer-letter")
    assert case.insurance.plan_type.label in str(refused.value)


def test_without_the_employers_address_the_letter_shows_a_blank_and_says_where_to_find_it():
    case = example_case(LATE)
    case.insurance.employer_address = None
    _, drafted = letter(case, "employer-letter")
    assert drafted.blanks == ["employer address"]  # named by its field, as every blank is
    assert any("summary plan description names the plan administrator" in line for line in drafted.sending)


# --------------------------------------------------------------------------------------------------------------
# The patient's authorization of a representative


def test_the_authorization_names_patient_representative_plan_claim_scope_and_duration():
    text, drafted = letter(example_case(LATE), "representative-authorization")
    flat = squash(text)
    assert text.splitlines()[0] == "Robert Chen"  # the patient's letter, not the representative's
    assert ("I, Robert Chen, born March 22, 1965, member ID HVM203348817, authorize Lisa Chen, my daughter, to act as "
            "my authorized representative with Summit Benefit Administrators about my claim for IV ketamine infusion "
            "therapy (reference SBA-PA-2026-0804-3391, denial notice dated August 4, 2026).") in flat
    assert "every appeal, grievance and request for external review of this claim" in flat
    assert "lasts until this claim, and every appeal and review of it, is finally decided" in flat
    assert "I may revoke it at any time by writing to the plan" in flat
    assert "My representative: Lisa Chen (daughter); phone (412) 555-0163; lisa.chen@example.com" in text
    signature = text.split("Sincerely,")[1]
    assert "Robert Chen" in signature and "Date signed:" in signature and "Lisa Chen" not in signature
    assert drafted.blanks == []
    assert any("Have Robert sign and date it" in line for line in drafted.sending)


def test_the_authorization_is_refused_without_a_representative():
    case = example_case(LATE)
    case.sender.role = "patient"
    with pytest.raises(UserError, match="set sender.role to representative"):
        draft.choose_kind(case, "representative-authorization")


def test_the_cli_drafts_each_new_kind_and_says_how_to_send_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["example", LATE, "-o", "case.yaml"]) == 0
    for kind in ("regulator-complaint", "employer-letter", "representative-authorization"):
        assert main(["draft", "--case", "case.yaml", "--letter", kind, "-o", f"{kind}.docx",
                     "--today", TODAY.isoformat()]) == 0, kind
        out = capsys.readouterr().out
        assert "How to send it" in out and "Traceback" not in out
        assert "Robert Chen" in docx_text(tmp_path / f"{kind}.docx")
    assert main(["example", "ketamine-trd-erisa-appeal", "-o", "fully.yaml"]) == 0
    (tmp_path / "fully.yaml").write_text((tmp_path / "fully.yaml").read_text().replace(
        "employer_self_funded", "employer_fully_insured"))
    assert main(["draft", "--case", "fully.yaml", "--letter", "employer-letter", "-o", "no.docx"]) == 2
    assert "It is for a self-funded employer plan" in capsys.readouterr().err
    assert not (tmp_path / "no.docx").exists()
    assert kinds.get("regulator-complaint").recipient == "regulator"


# plan type -> the deemed-exhaustion citation its letters and next steps give, and one they must not (issue 26):
# the Labor Department's rule for an ERISA plan, HHS's for the insurer and for individual coverage
DEEMED_EXHAUSTION = {
    "employer_self_funded": ("29 CFR 2590.715-2719(b)(2)(ii)(F); 29 CFR 2560.503-1(l)", "147.136"),
    "employer_fully_insured": ("29 CFR 2590.715-2719(b)(2)(ii)(F); 45 CFR 147.136(b)(2)(ii)(F); 29 CFR 2560.503-1(l)",
                               "147.136(b)(3)"),
    "individual_marketplace": ("45 CFR 147.136(b)(3)(ii)(F)", "2590.715-2719"),
}


@pytest.mark.parametrize("plan_type", sorted(DEEMED_EXHAUSTION))
def test_deemed_exhaustion_is_cited_by_plan_type_in_the_complaint_and_the_next_steps(plan_type):
    from appeal.rules import next_steps

    citation, wrong = DEEMED_EXHAUSTION[plan_type]
    case = example_case(LATE).model_copy(deep=True)
    case.insurance.plan_type = plan_type
    case.history = [history(method="fax")]
    text = squash(letter(case, "regulator-complaint")[0])
    asked = text.split("What I ask you to do")[1]
    assert "deemed to have exhausted the internal claims and appeals process" in asked
    assert "not grandfathered" in asked and citation.split(";")[0] in asked and wrong not in asked
    late = next(section for section in next_steps.sections(case, [], TODAY)
                if section.heading == "If the plan misses its deadline")
    [line] = [line for line in late.lines if "finished the internal appeal process" in line]
    assert line.endswith(f"[{citation}]") and "not grandfathered" in line and wrong not in line
