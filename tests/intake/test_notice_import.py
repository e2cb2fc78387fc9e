"""Importing a denial notice: the generated corpus read as text, text PDFs and a few scans; OCR fixes checked against
each field's format; nothing guessed; the notice's deadline shown beside the rule's; the confirm screen driven
through its real prompts; and the command end to end, from a photo to a drafted letter."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from notice_corpus import corpus, make, scan_image, score, write_pdf, write_scan, write_text
from page_harness import cut_below_writing
from prompt_toolkit.application import create_app_session
from prompt_toolkit.output import DummyOutput
from terminal_harness import CLEAR, CTRL_C, Terminal, pick

from appeal.base import images
from appeal.terminal import notice_confirm
from appeal.intake import notice_import, notice_text, ocr
from appeal.cases.case import DenialReason, PlanType
from appeal.base.errors import UserError

NOTICES = corpus(36)


def read(text: str, ocr: bool = False):
    if ocr:
        return notice_import.extract(notice_text.from_ocr([(line, 96.0) for line in text.splitlines()], "scan"))
    return notice_import.extract(notice_text.from_string(text))


def share_right(outcomes) -> float:
    return sum(outcome.right for outcome in outcomes) / len(outcomes)


def test_text_notices_meet_the_target_and_no_wrong_value_is_certain(tmp_path):
    outcomes = [o for notice in NOTICES for o in score(notice, notice_import.extract(notice_text.read(write_text(notice, tmp_path))))]
    assert share_right(outcomes) >= 0.95
    assert [o for o in outcomes if o.wrong_but_certain] == []
    # every plan type and every reason of the corpus was recognized at least once
    assert {o.got for o in outcomes if o.key == "plan_type" and o.right} >= {p.value for p in PlanType} - {"va", "other"}


def test_text_pdfs_are_read_with_their_layout(tmp_path):
    outcomes = []
    for notice in NOTICES[::3]:
        extraction = notice_import.extract(notice_text.read(write_pdf(notice, tmp_path)))
        assert extraction.notice.source == "pdf"
        outcomes += score(notice, extraction)
    assert share_right(outcomes) >= 0.95
    assert [o for o in outcomes if o.wrong_but_certain] == []


@pytest.mark.parametrize("index, as_pdf", [(1, False), (3, True)])
def test_noisy_scans_meet_the_target_and_mark_what_ocr_cannot_vouch_for(tmp_path, index, as_pdf):
    notice = NOTICES[index]
    path = tmp_path / ("scan.pdf" if as_pdf else "scan.jpg")  # as write_scan makes it, cut below its last line
    cut_below_writing(scan_image(notice, seed=index)).save(path, resolution=200.0, quality=80)
    extraction = notice_import.extract(notice_text.read(path))
    assert extraction.notice.ocr
    outcomes = score(notice, extraction)
    assert share_right(outcomes) >= 0.85, [o for o in outcomes if not o.right]
    assert [o for o in outcomes if o.wrong_but_certain] == []
    assert not extraction.found["member_id"].certain  # an ID has no format to check an OCR reading against


HAND_WRITTEN = Path(__file__).resolve().parents[1] / "notices"


def test_notices_written_by_hand_not_by_the_generator():
    """Two notices in real plans' wording (a commercial claim denial; Medicare's 'Notice of Denial of Medical
    Coverage' form), written apart from the corpus so that the extractor is not only fit to its own generator."""
    claim = notice_import.extract(notice_text.read(HAND_WRITTEN / "commercial-claim-denial.txt"))
    assert {key: claim.shown(key) for key in ("patient_name", "member_id", "group_number", "reference",
                                               "notice_date", "date_of_birth", "diagnoses", "appeals_fax")} == {
        "patient_name": "Jane Q. Sample", "member_id": "YRP938477120", "group_number": "00174455",
        "reference": "2026298AB7731", "notice_date": "2026-11-03", "date_of_birth": "1979-02-11",
        "diagnoses": "F33.2", "appeals_fax": "(888) 555-0146",
    }
    assert claim.shown("procedure_codes") == "96365, 96366"
    assert claim.found["appeals_address"].value.splitlines()[-1] == "Atlanta, GA 30348-5568"
    assert not claim.found["plan_type"].certain  # 'subject to ERISA' does not say self-funded or insured
    assert not claim.found["reason"].certain and claim.other_reasons == [DenialReason.not_medically_necessary]
    assert claim.found["appeal_deadline"].value.days == 180
    ndmc = notice_import.extract(notice_text.read(HAND_WRITTEN / "medicare-advantage-ndmc.txt"))
    assert ndmc.shown("plan_type") == "medicare_advantage" and ndmc.shown("member_id") == "1EG4TE5MK72"
    assert ndmc.shown("patient_name") == "Robert L. Greene" and ndmc.shown("notice_date") == "2026-09-15"
    assert ndmc.shown("service") == "Esketamine (Spravato) 56 mg nasal spray" and ndmc.shown("provider_npi") == "1588667638"
    assert ndmc.shown("reason") == "step_therapy" and ndmc.found["appeal_deadline"].value.days == 65
    assert ndmc.shown("appeals_address").endswith("Tampa, FL 33602")
    assert {"insurer", "reference", "date_of_birth"} <= set(ndmc.missing)  # not on the form: not guessed


def test_each_value_keeps_the_line_it_came_from():
    notice = make(0)
    extraction = read(notice.text)
    for found in extraction.found.values():
        assert found.line.text == notice.lines[found.line.number - 1]
    assert extraction.found["member_id"].line.text == f"Member ID: {notice.truth['member_id']}"


def test_the_notice_date_is_the_labelled_one_not_the_latest_date():
    text = """Acme Health Plan
Date of service: 09/30/2026
Date of notice: 08/02/2026
Request received: 09/29/2026
Your appeal must be received by October 1, 2026.
"""
    assert read(text).found["notice_date"].value == date(2026, 8, 2)
    # with no label and two bare dates above the greeting, no date is taken
    assert "notice_date" not in read("Acme Health Plan\n08/02/2026\n08/09/2026\nDear Dana Bell,\n").found
    assert read("Acme Health Plan\nAugust 2, 2026\n\nDear Dana Bell,\n").found["notice_date"].value == date(2026, 8, 2)


def test_nothing_is_guessed_fields_not_found_are_listed():
    extraction = read("Provider ID: P99887766\nMember ID: W123456789\nThe request is denied.\n")
    assert set(extraction.found) == {"member_id"}
    assert "reference" in extraction.missing and "plan_type" in extraction.missing
    case, refused = notice_import.to_case(extraction)
    assert case.patient.member_id == "W123456789" and case.denial is None and refused == []
    lines = notice_confirm.report(extraction, refused)
    assert any(line.startswith("Not found on the notice") and "Claim or reference number" in line for line in lines)


def test_ocr_slips_are_corrected_only_when_the_format_confirms_and_are_marked():
    extraction = read("Diagnosis (ICD-10): F33.Z\nProvider NPI: 1234567B93\nDate of notice: O8/O2/2026\n", ocr=True)
    diagnosis, npi, notice_date = (extraction.found[key] for key in ("diagnoses", "provider_npi", "notice_date"))
    assert diagnosis.value == ["F33.2"] and not diagnosis.certain and "F33.Z" in diagnosis.why
    assert npi.value == "1234567893" and not npi.certain
    assert notice_date.value == date(2026, 8, 2) and not notice_date.certain
    # a code that lost a character in the scan is listed as not used, not dropped silently
    stub = read("Procedure codes: 96365 (IV infusion), 3490 (unclassified drug)\n", ocr=True)
    assert stub.shown("procedure_codes") == "96365" and "'3490'" in stub.rejected[0]
    # a number that fails the NPI check digit, and a code that is not in the code set, are not used
    extraction = read("Provider NPI: 1234567890\nDiagnosis: F99.9 X12.345\n")
    assert "provider_npi" not in extraction.found and "diagnoses" not in extraction.found
    assert any("check digit" in problem for problem in extraction.rejected)
    assert any("'X12.345'" in problem for problem in extraction.rejected)


def test_plan_type_reason_and_the_plans_words():
    extraction = read(make(5).text)  # Original Medicare
    assert extraction.found["plan_type"].value is PlanType.medicare_original
    mixed = read("Our plan is governed by ERISA.\n\nReason for denial:\nThis drug is not FDA-approved for this use "
                 "and is considered experimental.\n")
    assert not mixed.found["plan_type"].certain  # ERISA alone does not say self-funded or insured
    reason = mixed.found["reason"]
    assert reason.value is DenialReason.off_label and not reason.certain
    assert mixed.other_reasons == [DenialReason.experimental]
    assert mixed.found["quote"].value == "This drug is not FDA-approved for this use and is considered experimental."


def test_the_appeals_fax_is_the_one_beside_the_appeal_instructions():
    text = """Your doctor may fax records to (800) 555-0123.
Main office fax: (800) 555-0100

HOW TO APPEAL
Send your written appeal to:
Appeals Unit
PO Box 1
Dayton, OH 45402
Fax: (937) 555-0199
"""
    extraction = read(text)
    assert extraction.found["appeals_fax"].value == "(937) 555-0199" and extraction.found["appeals_fax"].certain
    assert extraction.found["appeals_address"].value == "Appeals Unit\nPO Box 1\nDayton, OH 45402"


def test_a_stated_deadline_that_differs_from_the_rule_is_shown_beside_it_never_replaced():
    text = """Date of notice: 03/02/2026
This plan is fully insured by Summit Mutual Health.
You have 60 days from the date of this notice to file your appeal.
"""
    extraction = read(text)
    case, _ = notice_import.to_case(extraction)
    said = notice_import.deadline_comparison(extraction, case, today=date(2026, 3, 5))
    assert "You have 60 days" in said and "May 1, 2026" in said  # 60 days after March 2
    assert "August 29, 2026" in said  # the rule: at least 180 days (counted from the notice date here)
    assert "29 CFR 2560.503-1" in said and "safe" in said
    assert case.denial.notice_date == date(2026, 3, 2)  # the case keeps its own dates; nothing was replaced


def in_session(action):
    """Run `action` with the test terminal's pipe as the prompts' input (as questionnaire.run does itself)."""

    def run(pipe):
        with create_app_session(input=pipe, output=DummyOutput()):
            return action()

    return run


def test_the_confirm_screen_asks_about_each_unsure_value_and_checks_corrections(monkeypatch):
    terminal = Terminal(monkeypatch)
    extraction = read(make(0).text, ocr=False)
    extraction.found["member_id"] = notice_import.Found("member_id", "W12345678O", extraction.found["member_id"].line,
                                                        False, "read by OCR")
    script = {
        "Member ID: is this right": pick(title="No, let me type it"),
        "Member ID": CLEAR + "W123456780\r",
        "Insurance company: is this right": pick(title="Yes"),
        # a corrected date is checked by the case model: the future is refused, then a real date is taken
        "Is everything right": [pick("notice_date"), pick("plan_type"), pick(title="Everything is right")],
        "Kind of coverage:": pick("employer_fully_insured"),
        "Date of the notice": CLEAR + "12/31/2099\r" + CLEAR + "07/03/2026\r",
    }
    result = terminal.drive(script, in_session(lambda: notice_confirm.confirm(extraction, say=lambda *_: None)))
    assert result.found["member_id"].value == "W123456780" and result.found["member_id"].certain
    assert result.found["notice_date"].value == date(2026, 7, 3)
    assert result.found["plan_type"].value is PlanType.employer_fully_insured
    assert all(found.certain for found in result.found.values())
    case, refused = notice_import.to_case(result)
    assert case.patient.member_id == "W123456780" and refused == []


def test_stopping_the_confirm_screen_keeps_what_was_read_and_confirmed(monkeypatch, tmp_path):
    terminal = Terminal(monkeypatch)
    notice = NOTICES[2]  # its insurer comes from the letterhead only, so it is asked about
    output = tmp_path / "case.yaml"
    script = {"Insurance company: is this right": pick(title="No, let me type it"), "Insurance company:": CTRL_C}
    with pytest.raises(KeyboardInterrupt):
        terminal.drive(script, in_session(lambda: notice_confirm.run(
            str(write_text(notice, tmp_path)), output, interactive=True, force=False)))
    saved = output.read_text()
    assert f"member_id: {notice.truth['member_id']}" in saved
    assert "# Not certain, check against the notice: Insurance company" in saved


def test_the_questionnaire_can_start_from_the_notice(monkeypatch, tmp_path, capsys):
    import questionary

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    notice = NOTICES[4]
    path = write_text(notice, tmp_path)
    terminal = Terminal(monkeypatch)
    monkeypatch.setattr(questionary, "path", questionary.text)  # the harness answers text prompts
    script = {
        "How would you like to start": pick("notice"),
        "Where is the notice": str(path) + "\r",
        "Insurance company: is this right": pick(title="Yes"),
        "Is everything right": [pick(title="Everything is right: save it"), pick(title="Everything is right")],
        "Who is writing": pick("patient"),
        "Which letter": pick("appeal"),
    }
    case, saved_to = terminal.drive(script, in_session(notice_confirm.start_from_notice))
    assert saved_to.parent == tmp_path / "data" / "appeal" / "drafts"
    assert case.patient.member_id == notice.truth["member_id"]
    assert case.denial.reference == notice.truth["reference"]
    assert case.sender.role.value == "patient"
    assert terminal.asked[:2] == ["How would you like to start?",
                                  "Where is the notice? (drag the file here, or type its path)"]
    # the questionnaire then asks only what the notice does not say
    assert "Member ID" not in terminal.asked and "Your mailing address" in terminal.asked
    assert saved_to.read_text().startswith("# Case started from the denial notice")
    # where the letter goes and by when are asked about even when the notice was clear
    assert {"Fax for appeals: is this right?", "Address for appeals: is this right?"} <= set(terminal.asked)


def test_without_tesseract_a_photo_gets_the_install_command(tmp_path, monkeypatch):
    path = write_scan(NOTICES[0], tmp_path)
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="apt-get install tesseract-ocr tesseract-ocr-eng"):
        notice_text.read(path)


def test_an_iphone_heic_photo_opens_like_a_jpeg(tmp_path):
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="HEIF")
    image = images.image_or_none(buffer.getvalue(), tmp_path / "IMG_0042.HEIC")
    assert image is not None and image.size == (40, 30)


def test_unreadable_input_is_one_clear_message(tmp_path):
    for name, data, words in [("x.pdf", b"%PDF-1.4 broken", "damaged PDF"), ("x.bin", b"\x00\x01\x02", "neither")]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(UserError, match=words):
            notice_text.read(tmp_path / name)
    with pytest.raises(UserError, match="No notice at"):
        notice_text.read(tmp_path / "missing.pdf")


def appeal(*args, cwd):
    """`appeal ARGS` as a child process with its standard input closed: no terminal, nothing pasted."""
    return subprocess.run([sys.executable, "-m", "appeal", *args], capture_output=True, text=True, cwd=cwd,
                          stdin=subprocess.DEVNULL)


def in_process(capsys, *args: str):
    """`appeal ARGS` run here (appeal.cli.main) in the current folder: its exit status and what it printed. A child
    Python costs a second of start-up, for tests whose point is not the process."""
    from appeal.cli import main

    status = main(list(args))
    return status, capsys.readouterr()


def test_import_a_photo_then_draft_a_letter_with_the_notices_identifiers(tmp_path, monkeypatch, capsys):
    """The commands as typed, run here; the one that needs no terminal on its standard input is a real process."""
    from conftest import docx_text

    def command(*args: str):
        return in_process(capsys, *args)

    monkeypatch.chdir(tmp_path)
    notice = NOTICES[1]
    (tmp_path / "photo.jpg").write_bytes(write_scan(notice, tmp_path, seed=1).read_bytes())
    status, result = command("import", "photo.jpg", "-o", "case.yaml", "--yes")
    assert status == 0, result.err
    assert "line " in result.out and "\n? Member ID" in result.out  # an OCR reading of an ID is marked
    text = (tmp_path / "case.yaml").read_text()
    assert text.startswith("# Case started from the denial notice photo.jpg")
    assert any(line.startswith("# Not certain, check") and "Member ID" in line for line in text.splitlines())
    assert (tmp_path / "case.yaml").stat().st_mode & 0o777 == 0o600
    status, drafted = command("draft", "--case", "case.yaml", "-o", "letter.docx")
    assert status == 0, drafted.err
    letter = docx_text(tmp_path / "letter.docx")
    for key in ("member_id", "reference", "insurer", "patient_name"):
        assert notice.truth[key] in letter
    # the case file is never overwritten without --force; without a terminal and without --yes, it says so
    status, again = command("import", "photo.jpg", "-o", "case.yaml", "--yes")
    assert status == 2 and "already exists" in again.err
    asked = appeal("import", "-", "-o", "other.yaml", cwd=tmp_path)
    assert asked.returncode == 2 and "--yes" in asked.stderr and "Traceback" not in asked.stderr


def test_pasted_text_and_the_deadline_line(tmp_path, monkeypatch, capsys):
    import io

    notice = NOTICES[2]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(notice.text.encode())))  # pasted, then ended
    status, result = in_process(capsys, "import", "-", "-o", "case.yaml", "--yes")
    assert status == 0, result.err
    assert "Deadline. The notice says" in result.out
    assert "# The notice's appeal deadline" in (tmp_path / "case.yaml").read_text()


def test_a_file_too_large_to_be_a_notice_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from appeal.intake import notice_text

    monkeypatch.setattr(notice_text, "MAX_NOTICE_BYTES", 1000)
    big = tmp_path / "huge.txt"
    big.write_text("Member ID: XJK123\n" * 200)
    with pytest.raises(UserError, match="larger than 1,000 bytes"):
        notice_text.read(big)


def test_a_value_typed_after_saying_the_reading_is_wrong_is_not_run_on_from_the_reading(monkeypatch):
    """A tired person who answers 'No, let me type it' types the right name at once: the box starts empty (the
    reading is shown beside it), so the typed name does not run on from the wrong one."""
    terminal = Terminal(monkeypatch)
    extraction = read(make(0).text, ocr=False)
    line = extraction.found["insurer"].line
    extraction.found["insurer"] = notice_import.Found("insurer", "DEPARTMENT OF HEALTH", line, False, "letterhead")
    script = {
        "Insurance company: is this right": pick(title="No, let me type it"),
        "Insurance company:": "Alaska Department of Health\r",
        "Is everything right": pick(title="Everything is right"),
    }
    screen = terminal.drive(script, in_session(lambda: notice_confirm.confirm(extraction, say=lambda *_: None)))
    assert screen.found["insurer"].value == "Alaska Department of Health"
    assert any("it read: DEPARTMENT OF HEALTH" in hint for hint in terminal.hints)
