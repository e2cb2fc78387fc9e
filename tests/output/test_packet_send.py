"""What is sent is what the person edited and signed (issue 30): the edited letter beside the case file, a signature
on the closing's page, a cover sheet without blanks that names the department, `--strict`, and a fax too long to
send well. Read back as a fax clerk would: pdftotext and pdfimages on the PDF written.

One real LibreOffice conversion (the first test); the others stand a small PDF in for the letter."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, example_case
from docx import Document
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas
from test_signature import paper_photo

from appeal.base.errors import UserError
from appeal.cases.case import AppealLevels
from appeal.cases.examples import text as example_text
from appeal.cli import main
from appeal.letters import draft, kinds
from appeal.letters.written_mark import state
from appeal.output import packet, pdf_convert

TODAY = date(2026, 11, 29)
EXAMPLE = "ketamine-trd-erisa-appeal"
EDIT = "I can also be reached on weekday mornings before nine."


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = ["-f", str(first), "-l", str(last or first)] if first else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pages_with_images(path: Path) -> set[int]:
    listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return {int(line.split()[0]) for line in listed.splitlines()[2:] if line.split()}


def add_edit(letter: Path) -> None:
    """What a person does in Word: a sentence added to the last paragraph before the closing."""
    document = Document(str(letter))
    paragraph = next(item for item in document.paragraphs if item.text.startswith("Please send the written decision"))
    paragraph.add_run(" " + EDIT)
    document.save(str(letter))


def fake_letter_pdf(pages: int = 2) -> bytes:
    output = io.BytesIO()
    sheet = canvas.Canvas(output, pagesize=(612, 792))
    for number in range(pages):
        sheet.drawString(72, 700, f"Letter page {number + 1}" if number < pages - 1 else "Sincerely,")
        sheet.showPage()
    sheet.save()
    return output.getvalue()


@pytest.fixture
def case_file(tmp_path) -> Path:
    path = tmp_path / "alvarez.yaml"
    path.write_text(example_text(EXAMPLE))
    return path


@pytest.fixture
def converter(monkeypatch):
    """LibreOffice stood in for: records each letter it is given, returns a two-page letter."""
    given: list[bytes] = []

    def converted(content: bytes) -> bytes:
        given.append(content)
        return fake_letter_pdf()

    monkeypatch.setattr(pdf_convert, "docx_to_pdf", converted)
    return given


def test_the_edited_letter_beside_the_case_is_sent_signed_with_the_signature_on_the_closings_page(case_file, capsys):
    letter = case_file.with_suffix(".docx")  # as the questionnaire keeps them: NAME.docx by NAME.yaml
    assert main(["draft", "--case", str(case_file), "-o", str(letter)]) == 0
    add_edit(letter)
    assert state(letter.read_bytes()) == "changed"
    photo = case_file.parent / "signature.jpg"
    photo.write_bytes(paper_photo())
    capsys.readouterr()

    assert main(["packet", "--case", str(case_file), "--signature", str(photo)]) == 0  # stdin is not a terminal
    said = capsys.readouterr().out
    sent = case_file.with_suffix(".pdf")  # beside the letter it was made from
    assert f"Using the letter beside the case file, {letter} (your edited version" in said
    assert f"to {sent}" in said and "Your signature is on the letter, above your name." in said
    text = " ".join(pdf_text(sent).split())
    assert EDIT in text
    closing = [number for number, page in enumerate(PdfReader(sent).pages, start=1)
               if "Sincerely," in (page.extract_text() or "")]
    assert len(closing) == 1 and pages_with_images(sent) == set(closing)
    assert "Maria Alvarez" in pdf_text(sent, closing[0]).split("Sincerely,")[1]  # the name under the signature

    cover = pdf_text(sent, 1)
    assert "[ADD" not in cover
    assert "Appeals Unit" in cover and "Meridian Health Administrators" in cover and "(937) 555-0199" in cover
    # the example does not say whether the plan has one appeal level (30 days to decide) or two (15 days each)
    assert "Decision due" not in cover
    total = len(PdfReader(sent).pages)
    assert re.search(rf"Pages\s+{total} \(including this cover sheet\)", cover)


def test_the_cover_gives_the_decision_date_only_when_the_case_settles_which_rule_sets_it():
    """A self-funded employer plan decides a pre-service appeal within 30 days with one appeal level, 15 days at
    each with two (29 CFR 2560.503-1(i)(2)(ii)). The 15 days are read only in a secondary source here, so no
    date is printed for them; but they still count as a reading, so a case that does not say one or two gets no
    date either, not the 30 days as if they were the only rule."""
    case = example_case(EXAMPLE)
    appeal = kinds.get("appeal")

    def with_levels(levels):
        return case.model_copy(update={"insurance": case.insurance.model_copy(update={"internal_appeal_levels": levels})})

    assert case.insurance.internal_appeal_levels is None
    assert packet.decision_due(case, appeal, TODAY) is None
    assert packet.decision_due(with_levels(AppealLevels.one), appeal, TODAY) == (
        "December 29, 2026, if received today: 30 days from receipt (29 CFR 2560.503-1(i)(2)(ii))")
    assert packet.decision_due(with_levels(AppealLevels.two), appeal, TODAY) is None
    cover = " ".join(PdfReader(io.BytesIO(packet.cover_sheet(
        with_levels(AppealLevels.one), "Appeal", 9, [("Letter", 2, 9)], today=TODAY,
        decision=packet.decision_due(with_levels(AppealLevels.one), appeal, TODAY)))).pages[0].extract_text().split())
    assert "Decision due December 29, 2026, if received today: 30 days from receipt" in cover


def test_the_cover_names_the_letters_department_and_leaves_out_what_the_case_lacks():
    case = example_case(EXAMPLE)
    bare = case.model_copy(update={
        "insurance": case.insurance.model_copy(update={"appeals_fax": None, "appeals_address": "PO Box 30547\nSalt Lake City, UT 84130"}),
        "patient": case.patient.model_copy(update={"member_id": None, "phone": None}),
        "sender": case.sender.model_copy(update={"phone": None}),
    })
    docx = draft.draft(bare, kinds.get("appeal"), today=TODAY).content
    department = packet.department_in(docx)
    assert department == "Appeals Department"  # the letter's own address line
    cover = " ".join(PdfReader(io.BytesIO(packet.cover_sheet(bare, "Appeal", 9, [("Letter", 2, 9)], today=TODAY,
                                                              department=department))).pages[0].extract_text().split())
    assert "[ADD" not in cover and "To Appeals Department Meridian Health Administrators" in cover
    assert "Fax (" not in cover and "Phone" not in cover and "Member ID" not in cover
    missing = packet.missing_on_cover(bare, department)
    assert [item.split(" (")[0] for item in missing] == ["the plan's fax number", "your phone number", "the member ID"]


def test_strict_refuses_a_letter_with_blanks_naming_each_and_writes_nothing(case_file, converter, capsys, tmp_path):
    case_file.write_text(example_text(EXAMPLE).replace("member_id: MHA884120537", "member_id:"))
    out = tmp_path / "packet.pdf"
    assert main(["packet", "--case", str(case_file), "--strict", "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert "--strict: the letter still has" in error and "so no packet was written" in error
    assert re.search(r"  - \[ADD: [^\]]*member ID[^\]]*\]", error)
    assert not out.exists() and not converter and not list(tmp_path.glob(".*packet*"))
    assert main(["packet", "--case", str(case_file), "-o", str(out)]) == 0  # without it: written, with a warning
    assert "Warning: The letter still has" in capsys.readouterr().out and out.exists()


def long_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def test_a_300_page_attachment_is_warned_about_with_the_count_and_the_mail_or_portal(tmp_path):
    case = example_case(EXAMPLE)
    docx = draft.draft(case, kinds.get("appeal"), today=TODAY).content
    records = packet.read_attachment(long_pdf(tmp_path / "records.pdf", 300))
    made = packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=fake_letter_pdf(),
                                  attachments=[records], today=TODAY)
    assert made.page_count == 303
    warning = next(item for item in made.warnings if item.startswith("This fax is"))
    assert warning.startswith("This fax is 303 pages long (records.pdf alone is 300 pages)")
    assert "--mail" in warning and "portal" in warning
    mailed = packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=fake_letter_pdf(),
                                    attachments=[records], cover=False, today=TODAY)
    assert not any(item.startswith("This fax is") for item in mailed.warnings)
    short = packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=fake_letter_pdf(),
                                   attachments=[packet.read_attachment(long_pdf(tmp_path / "short.pdf", 40))],
                                   today=TODAY)
    assert short.page_count == 43 and not any(item.startswith("This fax is") for item in short.warnings)


def test_an_attachment_over_the_bound_is_refused_from_its_status_before_a_byte_is_read(tmp_path, monkeypatch):
    big = tmp_path / "scan.pdf"
    with open(big, "wb") as handle:  # sparse: the size without the bytes
        handle.truncate(packet.MAX_FILE + 1)
    read = []
    monkeypatch.setattr(packet.loader, "read_regular", lambda *args, **kwargs: read.append(args))
    with pytest.raises(UserError, match="is more than 50 MB"):
        packet.read_attachment(big)
    assert not read


@pytest.mark.parametrize("use_it", [True, False])
def test_in_a_terminal_the_changed_letter_is_asked_about(case_file, converter, monkeypatch, capsys, use_it):
    import questionary

    letter = case_file.with_suffix(".docx")
    assert main(["draft", "--case", str(case_file), "-o", str(letter)]) == 0
    add_edit(letter)
    asked = []

    class Answer:
        def __init__(self, message, default):
            asked.append((message, default))

        def ask(self):
            return use_it

    monkeypatch.setattr(questionary, "confirm", Answer)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    capsys.readouterr()
    assert main(["packet", "--case", str(case_file), "-o", str(case_file.parent / "out.pdf")]) == 0
    said = capsys.readouterr().out
    assert asked == [(f"{letter} has been changed since appeal draft wrote it. Make the packet from it, with your "
                      "changes?", True)]
    sent_text = "\n".join(paragraph.text for paragraph in Document(io.BytesIO(converter[-1])).paragraphs)
    if use_it:
        assert f"Using the letter {letter} (your edited version" in said and EDIT in sent_text
    else:
        assert f"Drafting the letter afresh from {case_file}; {letter} is not used." in said
        assert EDIT not in sent_text


def test_an_unchanged_letter_is_used_without_a_question_and_a_given_docx_is_named(case_file, converter, capsys,
                                                                                   monkeypatch):
    letter = case_file.with_suffix(".docx")
    assert main(["draft", "--case", str(case_file), "-o", str(letter)]) == 0
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)  # nothing to ask: questionary is never reached
    capsys.readouterr()
    assert main(["packet", "--case", str(case_file), "--mail"]) == 0
    said = capsys.readouterr().out
    assert f"Using the letter beside the case file, {letter} (as appeal draft wrote it)." in said
    assert "left empty, to sign by hand" in said
    other = case_file.parent / "mine.docx"
    other.write_bytes(letter.read_bytes())
    add_edit(other)
    assert main(["packet", "--case", str(case_file), "--docx", str(other), "--typed-signature", "--force",
                 "-o", str(case_file.parent / "x.pdf")]) == 0
    said = capsys.readouterr().out
    assert f"Using the letter {other} (your edited version" in said and "signed electronically ('/s/'" in said
    sent = [paragraph.text for paragraph in Document(io.BytesIO(converter[-1])).paragraphs]
    assert any(re.fullmatch(r"/s/ Maria Alvarez, \w+ \d+, \d{4}", line) for line in sent)
    os.remove(letter)
    assert main(["packet", "--case", str(case_file), "--force", "-o", str(case_file.parent / "y.pdf")]) == 0
    assert f"Drafting the letter afresh from {case_file}" in capsys.readouterr().out


def full_and_bare(name: str) -> tuple:
    """The example, and the same case with the plan's name, insurer, fax and address left out."""
    full = example_case(name)
    return full, full.model_copy(update={"insurance": full.insurance.model_copy(update={
        "insurer": None, "plan_name": None, "appeals_fax": None, "appeals_address": None})})


def test_the_covers_below_are_more_than_forty():
    """The test below runs one example at a time (so pytest -n's workers share its hundred letters); together they
    still make more than 40 cover sheets."""
    from conftest import applicable_kinds

    assert sum(len(applicable_kinds(case)) for name in EXAMPLES for case in full_and_bare(name)) > 40


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_cover_carries_a_blank_for_any_example_and_kind_even_with_the_plans_facts_left_out(name, tmp_path):
    from conftest import applicable_kinds

    attached = [packet.read_attachment(long_pdf(tmp_path / f"file{number}.pdf", 1)) for number in range(3)]
    for case in full_and_bare(name):
        assert applicable_kinds(case), name
        for kind_name in applicable_kinds(case):
            kind = kinds.get(kind_name)
            docx = draft.draft(case, kind, today=TODAY).content
            made = packet.from_letter_pdf(case, kind, docx=docx, letter_pdf=fake_letter_pdf(1),
                                          attachments=attached, today=TODAY)
            cover = PdfReader(io.BytesIO(made.content)).pages[0].extract_text()
            assert "[ADD" not in cover, (name, kind_name, cover)


def test_nobody_types_the_patients_signature_for_them(tmp_path, converter, capsys):
    case_file = tmp_path / "daughter.yaml"
    case_file.write_text(example_text("ketamine-erisa-late-appeal-daughter"))
    assert main(["packet", "--case", str(case_file), "--letter", "representative-authorization",
                 "--typed-signature", "-o", str(tmp_path / "out.pdf")]) == 2
    assert "signed by the patient themself" in capsys.readouterr().err
    assert not (tmp_path / "out.pdf").exists() and not converter
