"""The appeal tracker: a full history per plan type, migrations, concurrent writers, a damaged file, export/import.

Every date is fixed and passed in (`today`); nothing reads the clock. The store lives in tmp_path, and HOME and
XDG_DATA_HOME point there too, so no test touches a real user's data."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import threading
from datetime import date, timedelta

import pytest
from conftest import docx_text

from appeal.cases import casefile
from appeal.commands import track as cli_track
from appeal.rules import next_steps
from appeal.tracking import status as track_status, store as track_store, text as track_text
from appeal.cases.case import Case
from appeal.cli import main
from appeal.base.errors import UserError

NOTICE, RECEIVED, SENT = date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 15)
DENIED, SENT_AGAIN, APPROVED = date(2025, 2, 10), date(2025, 2, 20), date(2025, 3, 15)
LATE_TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))


@pytest.fixture
def store(tmp_path):
    """The record in the (temporary) user's data folder, where the commands find it too."""
    with track_store.open_store() as opened:
        assert opened.folder == tmp_path / "home" / "data" / "appeal" / "track"
        yield opened


def make_case(plan_type: str, name: str = "Dana Reyes") -> Case:
    first, last = name.split()
    return Case.model_validate({
        "letter_kind": "appeal",
        "patient": {"first_name": first, "last_name": last, "member_id": "M123"},
        "insurance": {"insurer": "Acme Health", "plan_type": plan_type},
        "treatment": {"kind": "iv_ketamine"},
        "denial": {"notice_date": NOTICE.isoformat(), "received_date": RECEIVED.isoformat(), "reference": "REF-1",
                   "reason": "experimental", "quote": "Ketamine is investigational.", "level_exhausted": "initial"},
    })


# --------------------------------------------------------------------------------------------------------------
# sent -> denied -> next level -> approved, for every plan type

# plan type -> (the level the first letter starts, the next level after its denial, the next letter, its filing
# deadline counted from the denial of Feb 10 2025 by the plan type's rule, or None where no rule sets one)
AFTER_DENIAL = {
    "employer_self_funded": ("an internal appeal to the plan",
                             "a second-level internal appeal, if the plan has two levels", "appeal", None),
    "employer_fully_insured": ("an internal appeal to the plan",
                               "a second-level internal appeal, if the plan has two levels", "appeal", None),
    # 4 months after the notice of the final internal denial (45 CFR 147.136(d)(2)(i)); one internal level only
    "individual_marketplace": ("an internal appeal to the insurer (one level)", "an independent external review",
                               "external-review", date(2025, 6, 10)),
    # 180 days after receipt, presumed 5 days after the notice date (42 CFR 405.962, 405.942)
    "medicare_original": ("a redetermination by the Medicare contractor",
                          "a reconsideration by a Qualified Independent Contractor (QIC)", "appeal", date(2025, 8, 14)),
    "medicare_advantage": ("a reconsideration by the Medicare Advantage plan",
                           "review by the Independent Review Entity (automatic)", "appeal", None),
    # 60 days (42 CFR 423.600(a))
    "medicare_part_d": ("a redetermination by the drug plan", "a reconsideration by the Independent Review Entity",
                        "appeal", date(2025, 4, 11)),
    "medicaid_ffs": ("a state fair hearing", None, None, None),
    # at least 90 days after the plan's appeal decision (42 CFR 438.408(f)(2)); a fair hearing is named, not drafted
    "medicaid_managed_care": ("an appeal to the managed care plan (one level)", "a state fair hearing", None,
                              date(2025, 5, 11)),
    "va": ("a clinical appeal or a decision review at VA", None, None, None),
    # the earlier of a formal review (60 days) and a second reconsideration (90 days) (32 CFR 199.10)
    "tricare": ("a reconsideration", "a second reconsideration or formal review", "appeal", date(2025, 4, 11)),
    # 90 days after the carrier's decision (5 CFR 890.105(e))
    "fehb": ("asking the plan (carrier) to reconsider", "review by the Office of Personnel Management (OPM)",
             "external-review", date(2025, 5, 11)),
    "other": ("an internal appeal to the plan", "an independent external review", "external-review", None),
}


@pytest.mark.parametrize("plan_type", sorted(AFTER_DENIAL))
def test_sent_denied_next_level_approved(plan_type, store, tmp_path):
    first_level, next_level, next_kind, next_due = AFTER_DENIAL[plan_type]
    appeal_id, _ = store.add(make_case(plan_type), SENT, method="fax", today=SENT)
    waiting = track_status.status(store.get(appeal_id), SENT)
    assert waiting.level == first_level and waiting.waiting and not waiting.overdue

    store.outcome(appeal_id, track_store.Result.denied, DENIED, quote="Still investigational.", reference="REF-2",
                  today=DENIED)
    after = track_status.status(store.get(appeal_id), date(2025, 2, 11))
    assert not after.waiting
    assert after.next_step == next_level
    assert after.next_kind == next_kind
    assert after.next_due == next_due
    if next_level is None:
        assert any("used every appeal step" in line for line in after.meaning)
        return

    case, kind, filled = track_status.next_case(store.get(appeal_id), date(2025, 2, 11))
    assert case.denial.notice_date == DENIED and case.denial.reference == "REF-2"
    assert case.denial.quote == "Still investigational." and case.denial.received_date is None
    assert any("February 10, 2025" in line for line in filled)
    if kind is None:
        return
    output = tmp_path / "next.docx"
    assert main(["draft", "--from-track", str(appeal_id), "-o", str(output), "--today", "2025-02-11"]) == 0
    text = docx_text(output)
    assert "February 10, 2025" in text and "Still investigational." in text and "REF-2" in text
    assert "Copy of my letter of January 15, 2025 and the plan's decision of February 10, 2025" in text

    store.add(case, SENT_AGAIN, packet=output, continues=appeal_id, today=SENT_AGAIN)
    appeal = store.get(appeal_id)
    assert [letter.level for letter in appeal.letters] == [1, 2]
    assert (store.folder / appeal.last.packet_file).read_bytes() == output.read_bytes()
    assert track_status.status(appeal, SENT_AGAIN).waiting

    store.outcome(appeal_id, track_store.Result.approved, APPROVED, today=APPROVED)
    assert [item.appeal.id for item in track_status.statuses(store, APPROVED)] == []
    closed = track_status.statuses(store, APPROVED, include_closed=True)
    assert closed[0].closed and store.get(appeal_id).closed == APPROVED


# --------------------------------------------------------------------------------------------------------------
# sent -> the plan is late -> the next move, for every plan type

# plan type -> (decision due for a letter received Jan 15 2025 by the plan type's rule or None, the next move's
# letter (drafted) or None (named), a citation the explanation must give, the next level's decision due once it
# is sent on Jun 30 2025)
WHEN_LATE = {
    # 30 days for a one-level plan (29 CFR 2560.503-1(i)(2)(ii)); deemed exhaustion under each plan type's own rule
    # (29 CFR 2590.715-2719 for ERISA, 45 CFR 147.136 for individual coverage); the external reviewer decides within
    # 45 days (45 CFR 147.136(d)(2)(ii))
    "employer_self_funded": (date(2025, 2, 14), "external-review", "29 CFR 2590.715-2719(b)(2)(ii)(F)", date(2025, 8, 14)),
    "employer_fully_insured": (date(2025, 2, 14), "external-review", "42 USC 300gg-19", date(2025, 8, 14)),
    "individual_marketplace": (date(2025, 2, 14), "external-review", "45 CFR 147.136(b)(3)(ii)(F)", date(2025, 8, 14)),
    # the carrier has 30 days (5 CFR 890.105(b)(2)); if it does not answer, OPM reviews (5 CFR 890.105)
    "fehb": (date(2025, 2, 14), "external-review", "5 CFR 890.105", None),
    # 60 days (42 CFR 405.950); no deemed exhaustion: named, not drafted
    "medicare_original": (date(2025, 3, 16), None, None, None),
    "medicaid_managed_care": (date(2025, 2, 14), None, "42 CFR 438.408(c)(3)", None),
    "va": (None, None, None, None),
    "tricare": (None, None, None, None),
    "other": (None, None, None, None),
}


@pytest.mark.parametrize("plan_type", sorted(WHEN_LATE))
def test_sent_plan_late_next_move(plan_type, store, tmp_path, capsys):
    due, next_kind, citation, next_decision = WHEN_LATE[plan_type]
    appeal_id, _ = store.add(make_case(plan_type), SENT, method="fax", today=SENT)
    item = track_status.status(store.get(appeal_id), LATE_TODAY)
    assert item.decision_due == due
    if due is None:  # no rule sets the plan's deadline here: late only once the person records no answer
        assert not item.overdue
        store.outcome(appeal_id, track_store.Result.no_answer, date(2025, 6, 1), today=LATE_TODAY)
        item = track_status.status(store.get(appeal_id), LATE_TODAY)
    assert item.overdue and item.waiting
    assert item.next_kind == next_kind
    text = " ".join(item.meaning)
    assert citation in text if citation else next_steps.IF_LATE_FALLBACK in text
    rendered = track_text.status_text([item])
    assert "OVERDUE" in rendered

    output = tmp_path / "late.docx"
    if next_kind is None:  # named, with what it means, and nothing written
        assert main(["draft", "--from-track", str(appeal_id), "-o", str(output), "--today", "2025-06-30"]) == 2
        error = capsys.readouterr().err
        assert "No decision came by" in error and (citation or next_steps.IF_LATE_FALLBACK) in error
        assert not output.exists()
        return
    assert main(["draft", "--from-track", str(appeal_id), "-o", str(output), "--today", "2025-06-30"]) == 0
    letter = docx_text(output)
    assert "Request for independent external review" in letter
    assert "exhausted or deemed exhausted" in letter
    assert "Copy of my letter of January 15, 2025 and proof of sending (fax), to which the plan did not answer" in letter

    # the external review is sent, the reviewer decides for the patient
    case, kind, _ = track_status.next_case(store.get(appeal_id), LATE_TODAY)
    store.add(case, LATE_TODAY, continues=appeal_id, today=LATE_TODAY)
    sent = track_status.status(store.get(appeal_id), LATE_TODAY)
    assert sent.level == item.next_step and sent.decision_due == next_decision
    store.outcome(appeal_id, track_store.Result.approved, date(2025, 7, 30), today=date(2025, 7, 30))
    assert track_status.statuses(store, date(2025, 7, 30)) == []


def test_status_sorts_by_urgency_and_flags_what_overdue_means(store):
    waiting = store.add(make_case("medicare_original", "Al Waits"), date(2025, 6, 1), today=date(2025, 6, 1))[0]
    late = store.add(make_case("employer_self_funded", "Bo Late"), SENT, today=SENT)[0]
    denied = store.add(make_case("individual_marketplace", "Cy Denied"), SENT, today=SENT)[0]
    store.outcome(denied, track_store.Result.denied, DENIED, today=DENIED)
    items = track_status.statuses(store, date(2025, 6, 2))
    assert [item.appeal.id for item in items] == [late, denied, waiting]
    text = track_text.status_text(items)
    assert "Bo Late" in text.split("\n\n")[0] and "OVERDUE" in text.split("\n\n")[0]
    assert "let you go on to an independent external review now" in text and "Draft it: appeal draft --from-track" in text
    assert "June 10, 2025 (8 days left)" in text  # Cy's external review: 4 months after the denial


def test_a_mailed_letter_without_its_arrival_date_says_the_plan_clock_may_start_later(store):
    appeal_id, _ = store.add(make_case("medicare_original"), SENT, method="mail", today=SENT)
    assert any("--received" in note for note in track_status.status(store.get(appeal_id), SENT).notes)
    other, _ = store.add(make_case("medicare_original"), SENT, method="mail", received=date(2025, 1, 20), today=SENT)
    item = track_status.status(store.get(other), SENT)
    assert item.decision_due == date(2025, 3, 21) and not item.notes


def test_a_due_date_the_case_does_not_settle_is_the_later_one_and_says_the_plan_may_have_less_time(store):
    """An employer plan decides an appeal in 30 days with one level, 15 days at each of two; a case that does not
    say which shows the later date, and says so (a clinic read the 30 days as certain)."""
    from appeal.cases.case import AppealLevels

    unsettled, _ = store.add(make_case("employer_self_funded"), SENT, method="fax", today=SENT)
    item = track_status.status(store.get(unsettled), SENT)
    assert item.decision_due == SENT + timedelta(days=30)
    assert any("The plan may have less time than this" in note for note in item.notes)
    one = make_case("employer_self_funded", "Ana Ruiz")
    one.insurance.internal_appeal_levels = AppealLevels.one
    settled, _ = store.add(one, SENT, method="fax", today=SENT)
    item = track_status.status(store.get(settled), SENT)
    assert item.decision_due == SENT + timedelta(days=30) and not any("less time" in note for note in item.notes)


def test_bad_input_is_a_clear_message(store, tmp_path):
    case = make_case("employer_self_funded")
    with pytest.raises(UserError, match="before the denial notice"):
        store.add(case, date(2025, 1, 2), today=SENT)
    with pytest.raises(UserError, match="in the future"):
        store.add(case, date(2025, 2, 1), today=SENT)
    with pytest.raises(UserError, match="--packet: there is no file"):
        store.add(case, SENT, packet=tmp_path / "missing.docx", today=SENT)
    with pytest.raises(UserError, match="no tracked appeal 42"):
        store.outcome(42, track_store.Result.denied, DENIED, today=DENIED)
    appeal_id, _ = store.add(case, SENT, today=SENT)
    with pytest.raises(UserError, match="before the letter was sent"):
        store.outcome(appeal_id, track_store.Result.denied, date(2025, 1, 10), today=DENIED)
    assert len(store.appeals()) == 1 and store.get(appeal_id).last.outcome is None


# --------------------------------------------------------------------------------------------------------------
# The file: owner-only, migrations, concurrent writers, damage, export and import

# The first schema as it shipped, written out here on purpose (not imported from MIGRATIONS): if anyone edits
# migration 1 instead of adding a new one, old files in the field would no longer match, and this test says so.
V1_SCHEMA = """
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, person TEXT, plan TEXT, plan_type TEXT,
    created TEXT NOT NULL, closed TEXT);
CREATE TABLE letters (
    id INTEGER PRIMARY KEY, appeal_id INTEGER NOT NULL REFERENCES appeals(id), level INTEGER NOT NULL,
    kind TEXT NOT NULL, step TEXT NOT NULL, sent TEXT NOT NULL, method TEXT, case_json TEXT NOT NULL,
    case_file TEXT, packet_file TEXT);
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), result TEXT NOT NULL,
    date TEXT NOT NULL, notice_file TEXT);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY, appeal_id INTEGER NOT NULL REFERENCES appeals(id), written TEXT NOT NULL,
    text TEXT NOT NULL);
PRAGMA user_version = 1;
"""


def test_a_first_schema_file_opens_and_is_migrated_without_loss(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    old = sqlite3.connect(folder / "track.db")
    old.executescript(V1_SCHEMA)
    case_json = json.dumps(casefile.to_data(make_case("employer_self_funded")))
    old.execute("INSERT INTO appeals VALUES (1, 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', 'Dana Reyes', 'Acme Health', "
                "'employer_self_funded', '2025-01-15', NULL)")
    old.execute("INSERT INTO letters VALUES (1, 1, 1, 'appeal', 'internal_appeal', '2025-01-15', 'fax', ?, NULL, NULL)",
                (case_json,))
    old.execute("INSERT INTO outcomes VALUES (1, 1, 'denied', '2025-02-10', NULL)")
    old.execute("INSERT INTO notes VALUES (1, 1, '2025-01-20', 'Called the plan')")
    old.commit()
    old.close()

    with track_store.open_store(folder) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == track_store.SCHEMA_VERSION == 3
        appeal = store.get(1)
        assert appeal.person == "Dana Reyes" and appeal.notes[0].text == "Called the plan"
        assert appeal.last.received is None and appeal.last.outcome.result is track_store.Result.denied
        assert appeal.last.outcome.quote is None
        item = track_status.status(appeal, date(2025, 2, 11))
        assert item.next_step == "a second-level internal appeal, if the plan has two levels"
        # the new columns work on the migrated file
        store.outcome(1, track_store.Result.denied, date(2025, 2, 12), quote="Upheld.", today=date(2025, 2, 12))
        assert store.get(1).last.outcome.quote == "Upheld."
    with track_store.open_store(folder) as again:  # a second open finds nothing to migrate
        assert again.connection.execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_file_from_a_newer_version_is_refused_and_left_as_it_is(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    newer = sqlite3.connect(folder / "track.db")
    newer.execute("PRAGMA user_version = 99")
    newer.commit()
    newer.close()
    before = (folder / "track.db").read_bytes()
    with pytest.raises(UserError, match="newer version of appeal"):
        track_store.open_store(folder)
    assert (folder / "track.db").read_bytes() == before


def test_store_files_are_owner_only(store, tmp_path):
    packet = tmp_path / "sent.pdf"
    packet.write_bytes(b"%PDF-1.4 letter as faxed")
    appeal_id, _ = store.add(make_case("fehb"), SENT, packet=packet, today=SENT)
    letter = store.get(appeal_id).last
    logs = list(store.folder.glob("track.db-*"))  # the write-ahead log and its index, while the record is open
    assert logs
    for path in (store.folder / "track.db", store.folder / letter.case_file, store.folder / letter.packet_file, *logs):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (store.folder, store.files, (store.folder / letter.case_file).parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert (store.folder / letter.packet_file).read_bytes() == packet.read_bytes()


def test_concurrent_writers_lose_nothing(tmp_path):
    folder = tmp_path / "store"
    with track_store.open_store(folder) as store:
        shared, _ = store.add(make_case("employer_self_funded", "Shared Case"), SENT, today=SENT)
    writers, each = 4, 6
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            with track_store.open_store(folder) as mine:
                start.wait()  # every writer begins together
                for index in range(each):
                    mine.add(make_case("medicare_original", f"Writer{number} Case{index}"), SENT, today=SENT)
                    mine.add(make_case("employer_self_funded", "Shared Case"), SENT, continues=shared, today=SENT)
                    mine.note(shared, f"writer {number} note {index}", today=SENT)
        except BaseException as error:  # reported to the main thread below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with track_store.open_store(folder) as store:
        appeals = store.appeals()
        assert len(appeals) == 1 + writers * each
        levels = [letter.level for letter in store.get(shared).letters]
        assert levels == list(range(1, 2 + writers * each))  # no level taken twice, none skipped
        assert len(store.get(shared).notes) == writers * each
        assert len({appeal.uid for appeal in appeals}) == len(appeals)


def test_a_damaged_file_is_moved_aside_untouched_and_nothing_else_is_lost(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "home" / "data" / "appeal" / "track"
    with track_store.open_store(folder) as store:
        appeal_id, _ = store.add(make_case("va"), SENT, today=SENT)
        kept = store.folder / store.get(appeal_id).last.case_file
    kept_bytes = kept.read_bytes()
    damaged = b"This is not a database; a disk error or a bad copy wrote over it." * 100
    (folder / "track.db").write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        (folder / f"track.db{suffix}").unlink(missing_ok=True)

    assert main(["status", "--today", "2025-02-01"]) == 0
    captured = capsys.readouterr()
    assert "is damaged" in captured.err and "moved, unchanged" in captured.err and "appeal track import" in captured.err
    assert "Traceback" not in captured.err
    aside = [path for path in folder.iterdir() if path.name.startswith("track.db.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    assert kept.read_bytes() == kept_bytes  # the copies of what was sent are still there
    assert "No open appeals" in captured.out
    with track_store.open_store(folder) as fresh:  # the new record works
        assert fresh.notices == []
        fresh.add(make_case("va"), SENT, today=SENT)
        assert len(fresh.appeals()) == 1


def test_export_and_import_carry_everything_and_never_duplicate(store, tmp_path):
    notice = tmp_path / "decision.pdf"
    notice.write_bytes(b"%PDF the plan's decision")
    appeal_id, _ = store.add(make_case("individual_marketplace"), SENT, method="portal", today=SENT)
    store.outcome(appeal_id, track_store.Result.denied, DENIED, notice=notice, quote="No.", today=DENIED)
    store.note(appeal_id, "Asked for the claim file", today=DENIED)
    exported = tmp_path / "backup"
    assert store.export(exported) == 1
    with pytest.raises(UserError, match="not empty"):
        store.export(exported)

    with track_store.open_store(tmp_path / "other-machine") as other:
        assert other.import_(exported) == (1, 0)
        assert other.import_(exported) == (0, 1)
        moved = other.get(other.appeals()[0].id)
        original = store.get(appeal_id)
        assert track_text.status_data(track_status.status(moved, DENIED)) | {"id": 0} == (
            track_text.status_data(track_status.status(original, DENIED)) | {"id": 0})
        assert moved.notes[0].text == "Asked for the claim file"
        assert (other.folder / moved.last.outcome.notice_file).read_bytes() == notice.read_bytes()
        assert (other.folder / moved.last.case_file).read_bytes() == (store.folder / original.last.case_file).read_bytes()


def test_a_damaged_export_imports_nothing(store, tmp_path):
    store.add(make_case("fehb"), SENT, today=SENT)
    store.export(tmp_path / "backup")
    data = json.loads((tmp_path / "backup" / "appeals.json").read_text())
    data["appeals"].append({"uid": "not-a-uid"})
    (tmp_path / "backup" / "appeals.json").write_text(json.dumps(data))
    with track_store.open_store(tmp_path / "other") as other:
        with pytest.raises(UserError, match="appeal number 2 is incomplete or damaged; nothing was imported|number 2"):
            other.import_(tmp_path / "backup")
        assert other.appeals() == []


# --------------------------------------------------------------------------------------------------------------
# The commands, as a provider uses them


def test_commands_from_sending_to_status_json_and_calendar(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for number, plan_type in enumerate(("employer_fully_insured", "medicare_original", "medicaid_managed_care")):
        path = tmp_path / f"case{number}.yaml"
        casefile.save(make_case(plan_type, f"Pat Number{number}"), path, overwrite=False)
        assert main(["track", "add", "--case", str(path), "--sent", "01/15/2025", "--method", "fax",
                     "--today", "2025-01-15"]) == 0
    assert main(["track", "outcome", "2", "denied", "--date", "2025-02-10", "--quote", "Not necessary.",
                 "--today", "2025-02-11"]) == 0
    assert main(["track", "note", "3", "Spoke", "to", "Sam", "--today", "2025-02-11"]) == 0
    capsys.readouterr()
    assert main(["status", "--json", "--ics", "dates.ics", "--today", "2025-02-11"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {row["person"]: row for row in data["appeals"]}
    assert rows["Pat Number0"]["decision_due"] == "2025-02-14" and rows["Pat Number0"]["days_left"] == 3
    assert rows["Pat Number1"]["next_step"] == "a reconsideration by a Qualified Independent Contractor (QIC)"
    assert rows["Pat Number1"]["next_due"] == "2025-08-14" and not rows["Pat Number1"]["waiting_for_decision"]
    calendar = (tmp_path / "dates.ics").read_text()
    assert calendar.count("BEGIN:VEVENT") == 3  # two decisions due (Pat Number0 and 2), one filing deadline (1)
    assert "DTSTART;VALUE=DATE:20250814" in calendar and "DTSTART;VALUE=DATE:20250214" in calendar
    assert main(["track", "show", "3", "--today", "2025-02-11"]) == 0
    assert "note: Spoke to Sam" in capsys.readouterr().out

    assert main(["track", "add", "--case", "case0.yaml", "--sent", "2025-13-40", "--today", "2025-02-11"]) == 2
    assert "--sent: '2025-13-40' is not a date" in capsys.readouterr().err
    assert main(["track", "outcome", "9", "approved", "--date", "2025-02-11", "--today", "2025-02-11"]) == 2
    assert "no tracked appeal 9" in capsys.readouterr().err



def test_dates_typed_and_shown_in_spanish(tmp_path, capsys):
    """`appeal --lang es track ...`: dates typed with Spanish month names are taken, and `track show` (which printed
    'January 15, 2025', 'sent' and 'note' to a Spanish reader) says its dates and words in Spanish."""
    path = tmp_path / "case.yaml"
    casefile.save(make_case("employer_fully_insured"), path, overwrite=False)
    assert main(["--lang", "es", "track", "add", "--case", str(path), "--sent", "15 de enero de 2025",
                 "--method", "mail", "--received", "ene. 17 2025", "--today", "2025-01-20"]) == 0
    capsys.readouterr()
    assert main(["--lang", "es", "draft", "--from-track", "1", "--today", "2025-01-20"]) == 2  # nothing to draft yet
    waiting = capsys.readouterr().err
    assert "La apelación registrada n.º 1 está esperando la decisión del plan, que vence el " in waiting
    assert re.search(r"que vence el \d{1,2} de (enero|febrero|marzo) de 2025;", waiting)
    assert main(["--lang", "es", "track", "outcome", "1", "denied", "--date", "10-feb-2025",
                 "--today", "2025-02-11"]) == 0
    assert main(["track", "note", "1", "llamé", "al", "plan", "--today", "11 de febrero de 2025"]) == 0
    assert main(["--lang", "es", "track", "add", "--case", str(path), "--sent", "31 de febrero de 2025"]) == 2
    assert "--sent: '31 de febrero de 2025' no es una fecha: febrero tiene 28 días en 2025" in capsys.readouterr().err
    assert main(["--lang", "es", "track", "outcome", "1", "denied", "--date", "3 de enero de 2025",
                 "--today", "2025-02-11"]) == 2  # refused in Spanish, the dates in words
    assert ("--date: 3 de enero de 2025 es anterior al día en que se envió la carta (15 de enero de 2025)."
            in capsys.readouterr().err)
    assert main(["--lang", "es", "track", "show", "1", "--today", "2025-02-11"]) == 0
    shown = capsys.readouterr().out
    assert "15 de enero de 2025  enviada appeal por correo (" in shown
    assert "17 de enero de 2025  recibida por el plan" in shown and "10 de febrero de 2025  denegada" in shown
    assert "11 de febrero de 2025  nota: llamé al plan" in shown and "January" not in shown
    assert main(["track", "show", "1", "--today", "2025-02-11"]) == 0
    english = capsys.readouterr().out
    assert "January 15, 2025  sent appeal by mail (" in english and "February 10, 2025  denied" in english

def test_export_and_import_commands(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    casefile.save(make_case("tricare"), path, overwrite=False)
    assert main(["track", "add", "--case", str(path), "--sent", "2025-01-15", "--today", "2025-01-15"]) == 0
    assert main(["track", "export", str(tmp_path / "backup")]) == 0
    assert main(["track", "import", str(tmp_path / "backup")]) == 0
    assert "1 were already here" in capsys.readouterr().out
    assert main(["track", "import", str(tmp_path / "nowhere")]) == 2
    assert "holds no appeals.json" in capsys.readouterr().err


def test_a_prior_authorization_the_plan_never_decided_names_deemed_exhaustion(store, tmp_path, capsys):
    case = make_case("employer_fully_insured").model_copy(update={"denial": None, "letter_kind": "prior-auth"})
    appeal_id, _ = store.add(case, SENT, method="portal", today=SENT)
    item = track_status.status(store.get(appeal_id), LATE_TODAY)
    # 15 days for a non-urgent pre-service request (29 CFR 2560.503-1(f)(2)(iii)(A))
    assert item.level == "a decision on the prior-authorization request" and item.decision_due == date(2025, 1, 30)
    assert item.overdue and item.next_step.startswith("an independent external review") and item.next_kind is None
    assert main(["draft", "--from-track", str(appeal_id), "-o", str(tmp_path / "x.docx"), "--today", "2025-06-30"]) == 2
    error = capsys.readouterr().err  # an insured employer plan: the Labor Department's rule and HHS's for its insurer
    assert "29 CFR 2590.715-2719(b)(2)(ii)(F); 45 CFR 147.136(b)(2)(ii)(F)" in error and not (tmp_path / "x.docx").exists()


def test_the_questionnaire_end_records_a_letter_sent_on_another_day(tmp_path, monkeypatch):
    """Driven through questionary's real prompts: each prompt gets its keys as it is created."""
    import questionary
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    keys = {"Have you sent": "\x1b[B\x1b[B\r", "On what day": "01/16/2025\r", "How was it sent": "\x1b[B\r"}
    asked = []
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        for name in ("select", "text"):
            real = getattr(questionary, name)

            def prompt(message, *args, _real=real, **kwargs):
                asked.append(message)
                pipe.send_text(next(value for key, value in keys.items() if key in message))
                return _real(message, *args, **kwargs)

            monkeypatch.setattr(questionary, name, prompt)
        case_path, letter = tmp_path / "case.yaml", tmp_path / "letter.docx"
        casefile.save(make_case("fehb"), case_path, overwrite=False)
        letter.write_bytes(b"the letter as written")
        appeal_id = cli_track.ask_and_record(make_case("fehb"), case_path, "appeal", letter, today=date(2025, 1, 20))
    assert len(asked) == 3
    with track_store.open_store() as store:
        sent = store.get(appeal_id).last
        assert (sent.sent, sent.method, sent.kind) == (date(2025, 1, 16), "mail", "appeal")
        assert (store.folder / sent.case_file).read_bytes() == case_path.read_bytes()
        assert (store.folder / sent.packet_file).read_bytes() == b"the letter as written"


def test_a_record_that_cannot_be_opened_for_another_reason_is_left_alone(store, monkeypatch):
    store.add(make_case("fehb"), SENT, today=SENT)
    store.close()
    before = (store.folder / "track.db").read_bytes()

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(track_store.sqlite3, "connect", refuse)
    with pytest.raises(UserError, match="it was not changed"):
        track_store.open_store()
    assert (store.folder / "track.db").read_bytes() == before
    assert not [path for path in store.folder.iterdir() if "damaged" in path.name]


def test_a_writer_that_finds_the_record_locked_changes_nothing_and_says_so(store, monkeypatch):
    store.add(make_case("fehb"), SENT, today=SENT)
    holder = sqlite3.connect(store.folder / "track.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        store.connection.execute("PRAGMA busy_timeout = 0")  # give up at once instead of waiting for the holder
        with pytest.raises(UserError, match="Another appeal command is writing"):
            store.add(make_case("fehb", "Second Person"), SENT, today=SENT)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [appeal.person for appeal in store.appeals()] == ["Dana Reyes"]


def test_a_partial_approval_keeps_the_appeal_open_with_the_next_level_for_the_rest(store):
    appeal_id, _ = store.add(make_case("individual_marketplace"), SENT, today=SENT)
    store.outcome(appeal_id, track_store.Result.partial, DENIED, quote="Six of twelve infusions approved.", today=DENIED)
    item = track_status.status(store.get(appeal_id), DENIED)
    assert not item.closed and not item.waiting
    assert item.next_step == "an independent external review" and item.next_due == date(2025, 6, 10)
    assert "Partial February 10, 2025." in track_text.status_text([item])


# --------------------------------------------------------------------------------------------------------------
# One home for each idea: the letter that starts a step, a sent letter recorded, a refused value named


def test_the_letter_that_starts_each_step_is_the_one_the_kinds_declare():
    from appeal.letters import kinds
    from appeal.rules.dispute import Step

    assert {step.value: kinds.kind_for_step(step) for step in Step} == {
        "initial_request": "prior-auth", "internal_appeal": "appeal", "second_internal_appeal": "appeal",
        "external_review": "external-review", "fair_hearing": None, "later_levels": None}
    declared = {"initial_request": "initial_request", "internal_appeal": "next", "second_internal_appeal": "next",
                "external_review": "external_review"}
    for step, starts in declared.items():
        assert kinds.get(kinds.kind_for_step(step)).starts == starts


def test_a_sent_letter_is_recorded_alike_from_the_terminal_and_the_browser(tmp_path):
    """Both front ends record through track_record.record_sent. Where their two copies differed, a case file
    without a suffix (the terminal kept its copy without one, the browser as .yaml), the copy is .yaml."""
    from appeal.tracking import record as track_record

    case_path, letter = tmp_path / "case", tmp_path / "letter.docx"
    case_path.write_text(casefile.dumps(make_case("fehb")), encoding="utf-8")
    letter.write_bytes(b"the letter as written")
    from_terminal = track_record.record_sent(make_case("fehb"), SENT, kind="appeal", method="fax",
                                             case_path=case_path, packet=letter, today=SENT)
    from_browser = track_record.record_sent(make_case("fehb"), SENT, kind="appeal", method="fax",
                                            case_path=case_path, packet=("letter.docx", b"the letter as written"),
                                            today=SENT)
    with track_store.open_store() as store:
        kept = [store.get(recorded.appeal_id).last for recorded in (from_terminal, from_browser)]
        for sent in kept:
            assert sent.case_file.endswith("-case.yaml") and sent.packet_file.endswith("-sent-letter.docx")
            assert (store.folder / sent.case_file).read_bytes() == case_path.read_bytes()
            assert (store.folder / sent.packet_file).read_bytes() == b"the letter as written"
    assert from_terminal.status.decision_due == from_browser.status.decision_due is not None


def test_a_refused_value_names_its_field_and_the_command_line_names_its_option(store, tmp_path, capsys):
    with pytest.raises(track_store.FieldError) as refused:
        store.add(make_case("fehb"), date(2025, 2, 1), today=SENT)
    assert refused.value.field == "sent" and str(refused.value).startswith("sent: 02/01/2025 is in the future")
    path = tmp_path / "case.yaml"
    casefile.save(make_case("fehb"), path, overwrite=False)
    assert main(["track", "add", "--case", str(path), "--sent", "2025-01-15", "--received", "2025-01-10",
                 "--today", "2025-01-15"]) == 2
    assert "appeal: --received: the plan cannot have received" in capsys.readouterr().err
    store.add(make_case("fehb"), SENT, today=SENT)
    assert main(["track", "export", str(tmp_path / "backup")]) == 0
    assert main(["track", "export", str(tmp_path / "backup")]) == 2
    assert "is not empty. Choose an empty or new folder, or add --force." in capsys.readouterr().err


def test_a_letter_recorded_once_is_found_again_not_added_twice(tmp_path, monkeypatch):
    """The browser's "I sent it" (once=True): the same case and kind, or the same file sent, gives back the record
    already made; another letter is a new record."""
    from appeal.tracking.record import record_sent

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = tmp_path / "case.yaml"
    casefile.save(make_case("tricare"), path, overwrite=False)
    case = casefile.load(path)
    first = record_sent(case, SENT, kind="appeal", method="fax", case_path=path, packet=("a.pdf", b"%PDF one"),
                        today=SENT, once=True)
    again = record_sent(case, SENT, kind="appeal", method="fax", case_path=path, packet=("b.pdf", b"%PDF two"),
                        today=SENT, once=True)
    assert not first.already and again.already and again.appeal_id == first.appeal_id
    other = record_sent(case, SENT, kind="external-review", method="fax", case_path=path,
                        packet=("c.pdf", b"%PDF three"), today=SENT, once=True)
    assert not other.already and other.appeal_id != first.appeal_id
    with track_store.open_store() as store:
        assert len(store.appeals()) == 2
