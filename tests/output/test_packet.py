"""The send-ready packet, read back as a fax machine or a reviewer would: pypdf opens the PDF we wrote, and every
page's text, the page count, the stamps, the bookmarks and the pictures' placement are checked.

One real LibreOffice conversion (the module's `letter` fixture) is shared by every test here; tests of the
converter's failures use small stand-in programs instead of LibreOffice."""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import converted_once, drafted_example, example_case
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream
from reportlab.pdfgen import canvas

from appeal.letters import kinds
from appeal.output import office_server, packet, pdf_convert
from appeal.cli import main
from appeal.base.errors import UserError
from appeal.letters.appendix import APPENDIX_HEADING

TODAY = date(2026, 11, 28)  # the review's date: its converted letter (conftest.converted_once) is this one
EXAMPLE = "ketamine-trd-erisa-appeal"
PATIENT, MEMBER, REFERENCE = "Maria Alvarez", "MHA884120537", "PA-2026-1102-55817"


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    """The example's appeal letter as .docx and as the PDF LibreOffice makes of it (converted once in the run:
    tests/output/test_kept_office.py compares its kept LibreOffice's PDF of the same letter with this one)."""
    docx = drafted_example(EXAMPLE, "appeal", TODAY).content
    return example_case(EXAMPLE), docx, converted_once([docx], tmp_path_factory)[0]


def make_pdf(path: Path, lines: list[str], size=(612, 792)) -> Path:
    output = io.BytesIO()
    sheet = canvas.Canvas(output, pagesize=size)
    for line in lines:
        sheet.drawString(72, size[1] / 2, line)
        sheet.showPage()
    sheet.save()
    path.write_bytes(output.getvalue())
    return path


def phone_photo(path: Path) -> Path:
    """A photo as a phone saves it: the sensor's landscape pixels, and an EXIF tag saying 'turn me upright'."""
    picture = Image.new("RGB", (1600, 1200), "white")
    ImageDraw.Draw(picture).rectangle([0, 0, 400, 1200], fill="red")  # the document's top, as the sensor saw it
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    picture.save(path, "JPEG", exif=exif)
    return path


def texts(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def cover_count(cover_text: str) -> int:
    return int(re.search(r"Pages\s+(\d+)\s+\(including this cover sheet\)", cover_text).group(1))


def outline(content: bytes) -> list[tuple[str, int]]:
    reader = PdfReader(io.BytesIO(content))
    return [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]


def image_placements(page) -> list[tuple[float, float, float, float]]:
    """(x, y, width, height) of each picture drawn on a page, from its content stream."""
    placed, matrix = [], None
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"cm":
            matrix = [float(value) for value in operands]
        elif operator == b"Do" and matrix:
            placed.append((matrix[4], matrix[5], matrix[0], matrix[3]))
    return placed


def test_packet_holds_cover_letter_attachment_a_and_attachments_in_order_every_page_stamped(letter, tmp_path):
    case, docx, letter_pdf = letter
    attached = [
        packet.read_attachment(make_pdf(tmp_path / "denial.pdf", ["DENIAL NOTICE PAGE ONE", "DENIAL NOTICE PAGE TWO"])),
        packet.read_attachment(phone_photo(tmp_path / "photo.jpg")),
    ]
    made = packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=letter_pdf, attachments=attached,
                                  today=TODAY)
    pages = texts(made.content)
    total = len(pages)
    assert total == made.page_count == cover_count(pages[0]) == 1 + len(PdfReader(io.BytesIO(letter_pdf)).pages) + 3

    cover = " ".join(pages[0].split())
    for expected in ("FAX", "(937) 555-0199", "Appeals Unit", PATIENT, MEMBER, REFERENCE, "November 28, 2026",
                     "(614) 555-0142", "Appeal of the denial of IV ketamine infusion therapy", "CONFIDENTIAL"):
        assert expected in cover, expected
    assert "Page 1 of" not in cover
    for number, text in enumerate(pages[1:], 2):
        assert f"Page {number} of {total}" in text, number
        assert PATIENT in text and f"Member ID {MEMBER}" in text and f"Claim/ref. {REFERENCE}" in text, number

    first_denial = next(n for n, text in enumerate(pages, 1) if "DENIAL NOTICE PAGE ONE" in text)
    assert "DENIAL NOTICE PAGE TWO" in pages[first_denial] and first_denial + 2 == total
    appendix = next(n for n, text in enumerate(pages, 1) if text.startswith(APPENDIX_HEADING))
    assert 2 < appendix < first_denial and "Dear" in pages[1]
    expected_contents = [("Letter", 2, appendix - 1), (APPENDIX_HEADING, appendix, first_denial - 1),
                         ("denial.pdf", first_denial, first_denial + 1), ("photo.jpg", total, total)]
    assert made.contents == expected_contents
    assert outline(made.content) == [("Fax cover sheet", 1)] + [(title, first) for title, first, _ in expected_contents]
    for title, first, last in expected_contents:
        span = f"{first}–{last}" if first != last else f"{first}"
        assert re.search(rf"{re.escape(title)}\s+{span}", cover), title
    # the letter lists three enclosures and the packet attaches two: the person is told
    assert any("lists 3 enclosure(s), but the packet attaches 2 file(s)" in warning and "- photo.jpg" in warning for warning in made.warnings)


def test_attachments_matching_the_letters_list_take_its_names_and_each_pair_is_shown_to_check(letter, tmp_path):
    """Matched by place alone, so the cover's names are only as right as the files' order: a clinic's denial notice
    put first was called the psychiatric evaluation. Each pair is listed for the person to check."""
    case, docx, letter_pdf = letter
    listed = [item for item in packet.enclosures_in(docx) if not item.startswith("Attachment A")]
    assert listed[-1] == "Copy of the denial notice" and len(listed) == 3
    files = [make_pdf(tmp_path / f"file{n}.pdf", [f"ENCLOSURE {n}"]) for n in range(3)]
    made = packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=letter_pdf,
                                  attachments=[packet.read_attachment(path) for path in files], today=TODAY)
    assert not [warning for warning in made.warnings if "enclosure(s)" in warning]  # no count mismatch
    [pairs] = [warning for warning in made.warnings if "in the same place" in warning]
    assert pairs.splitlines()[1:] == [f"    - file{n}.pdf = {item}" for n, item in enumerate(listed)]
    assert [title for title, _, _ in made.contents][2:] == [f"{item} (file{n}.pdf)" for n, item in enumerate(listed)]
    pages = texts(made.content)
    for n, (_, first, _) in enumerate(made.contents[2:]):
        assert f"ENCLOSURE {n}" in pages[first - 1]


def test_stamps_sit_below_the_letters_text_and_attachment_pages_shrink_above_the_band(letter, tmp_path):
    case, docx, letter_pdf = letter
    lowest = []
    for page in PdfReader(io.BytesIO(letter_pdf)).pages:
        found = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and found.append(tm[5] * cm[3] + cm[5]))
        lowest.append(min(found))
    assert min(lowest) > packet.STAMP_BASELINE + 20  # the letter's bottom margin keeps the stamp clear

    full_page = make_pdf(tmp_path / "full.pdf", ["x"], size=(612, 792))
    writer = PdfWriter(clone_from=full_page)
    writer.pages[0].rotation = 90
    rotated = tmp_path / "rotated.pdf"
    writer.write(rotated)
    made = packet.assemble(case, "Internal appeal", [], [packet.read_attachment(make_pdf(tmp_path / "a4.pdf", ["A4 PAGE"], size=(595, 842))),
                                                         packet.read_attachment(rotated)], cover=False, today=TODAY)
    reader = PdfReader(io.BytesIO(made.content))
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (packet.PAGE_WIDTH, packet.PAGE_HEIGHT)
        assert page.rotation == 0
    found = []
    reader.pages[0].extract_text(visitor_text=lambda text, cm, tm, font, size: "A4" in text and found.append(tm[5] * cm[3] + cm[5]))
    assert found and packet.STAMP_BAND < found[0] < packet.PAGE_HEIGHT


def test_a_phone_photo_is_upright_scaled_within_the_page_and_above_the_stamp(tmp_path, letter):
    case = letter[0]
    part = packet.read_attachment(phone_photo(tmp_path / "IMG_0001.JPG"))
    huge = tmp_path / "scan.png"
    Image.new("L", (5000, 7000), 255).save(huge)
    made = packet.assemble(case, "Internal appeal", [], [part, packet.read_attachment(huge)], cover=False, today=TODAY)
    reader = PdfReader(io.BytesIO(made.content))
    for page in reader.pages:
        [(x, y, width, height)] = image_placements(page)
        assert x >= 0 and x + width <= packet.PAGE_WIDTH
        assert y >= packet.STAMP_BAND and y + height <= packet.PAGE_HEIGHT
        assert width > packet.PAGE_WIDTH / 2 or height > packet.PAGE_HEIGHT / 2  # scaled to fill, not a stamp
    photo = reader.pages[0].images[0].image
    assert photo.height > photo.width  # turned as the camera's EXIF tag says: portrait
    assert photo.getpixel((photo.width // 2, 10))[0] > 200 > photo.getpixel((photo.width // 2, 10))[1]  # red on top
    scan = reader.pages[1].images[0].image
    assert scan.height <= 11 * packet.IMAGE_DPI  # a 7000-pixel scan is not embedded at full size
    assert "Page 1 of 2" in reader.pages[0].extract_text() and "Page 2 of 2" in reader.pages[1].extract_text()


def test_a_mail_packet_has_no_cover_and_numbers_from_the_first_page(letter):
    case, docx, letter_pdf = letter
    made = packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=letter_pdf, attachments=[],
                                  cover=False, today=TODAY)
    pages = texts(made.content)
    assert len(pages) == len(PdfReader(io.BytesIO(letter_pdf)).pages) == made.page_count
    assert "FAX" not in pages[0] and f"Page 1 of {len(pages)}" in pages[0] and "Dear" in pages[0]
    assert [title for title, _ in outline(made.content)] == ["Letter", APPENDIX_HEADING]


def test_without_its_bookmarks_the_letter_is_split_where_a_page_begins_with_attachment_a(letter):
    """LibreOffice's bookmarks say where Attachment A begins; a letter PDF without them is read page by page, as
    its .docx names the heading (a letter whose .docx never names it is not read)."""
    case, docx, letter_pdf = letter
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(letter_pdf)).pages:  # the pages alone, without the outline
        writer.add_page(page)
    bare = io.BytesIO()
    writer.write(bare)
    with_marks, without = (packet.from_letter_pdf(case, kinds.get("appeal"), docx=docx, letter_pdf=pdf, attachments=[],
                                                  cover=False, today=TODAY).contents
                           for pdf in (letter_pdf, bare.getvalue()))
    assert [title for title, _, _ in without] == ["Letter", APPENDIX_HEADING] and without == with_marks


def test_a_long_attachment_list_is_counted_with_a_two_page_cover(letter, tmp_path):
    case = letter[0]
    parts = [packet.read_attachment(make_pdf(tmp_path / f"record-{n:02}.pdf", [f"R{n}"])) for n in range(45)]
    made = packet.assemble(case, "Internal appeal", [], parts, today=TODAY)
    pages = texts(made.content)
    covers = next(n for n, text in enumerate(pages) if "Page " in text and " of " in text)
    assert covers >= 2 and "CONFIDENTIAL" in pages[covers - 1]  # the list ran onto a second cover page
    assert "FAX cover sheet, continued (cover page 2)" in pages[1] and "Enclosed" in pages[1]
    assert cover_count(pages[0]) == len(pages) == covers + 45 == made.page_count
    assert f"Page {covers + 1} of {len(pages)}" in pages[covers] and "R0" in pages[covers]
    assert made.contents[0] == ("record-00.pdf", covers + 1, covers + 1)
    assert made.contents[-1] == ("record-44.pdf", len(pages), len(pages))


def _encrypted(path: Path, password: str) -> Path:
    writer = PdfWriter(clone_from=make_pdf(path, ["SECRET"]))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    writer.write(path)
    return path


@pytest.mark.parametrize("name, content, message", [
    ("empty.pdf", b"", "is empty"),
    ("blank.jpg", b"   \n", "is empty"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
     "damaged PDF"),
    ("cut.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01", "not a picture appeal can read, or it is damaged"),
    ("notes.txt", b"just some words", "not a PDF or a picture"),
])
def test_bad_attachments_are_refused_with_the_files_name(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError, match=re.escape(message)) as refused:
        packet.read_attachment(path)
    assert name in str(refused.value)


def test_password_protected_pdf_is_refused_but_an_edit_locked_one_is_added(tmp_path):
    with pytest.raises(UserError, match="protected by a password") as refused:
        packet.read_attachment(_encrypted(tmp_path / "locked.pdf", "secret"))
    assert "locked.pdf" in str(refused.value)
    part = packet.read_attachment(_encrypted(tmp_path / "portal.pdf", ""))
    assert "SECRET" in part.pages[0].extract_text()


def test_missing_file_and_folder_are_named(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        packet.read_attachment(tmp_path / "nothere.pdf")
    with pytest.raises(UserError, match="is a folder"):
        packet.read_attachment(tmp_path)


def test_cli_packet_from_an_edited_docx_writes_owner_only_and_nothing_for_a_bad_attachment(letter, tmp_path, monkeypatch,
                                                                                          capsys):
    case, docx, letter_pdf = letter
    edited = tmp_path / "edited.docx"
    edited.write_bytes(docx)
    conversions = []

    def converted(content: bytes) -> bytes:  # the module's one LibreOffice conversion, for exactly that letter
        conversions.append(content)
        assert content == docx
        return letter_pdf

    monkeypatch.setattr(pdf_convert, "docx_to_pdf", converted)
    from appeal.cases.examples import text as example_text

    (tmp_path / "case.yaml").write_text(example_text(EXAMPLE))
    photo = phone_photo(tmp_path / "photo.jpg")
    out = tmp_path / "packet.pdf"
    broken = tmp_path / "records.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    base = ["packet", "--case", str(tmp_path / "case.yaml"), "--docx", str(edited), "-o", str(out)]
    assert main(base + ["--attach", str(photo), "--attach", str(broken)]) == 2
    assert "records.pdf" in capsys.readouterr().err and not out.exists() and not conversions
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".packet")]

    assert main(base + ["--attach", str(photo)]) == 0
    said = capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    pages = texts(out.read_bytes())
    assert f"Wrote the fax packet ({len(pages)} pages) to {out}" in said and "Warning: The letter lists 3 enclosure(s), but the packet attaches 1 file(s)" in said
    assert cover_count(pages[0]) == len(pages) and f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert main(base) == 2 and "already exists" in capsys.readouterr().err
    assert main(base + ["--mail", "--force"]) == 0
    assert "FAX" not in texts(out.read_bytes())[0]

    (tmp_path / "notes.docx").write_text("not a word file")
    assert main(["packet", "--case", str(tmp_path / "case.yaml"), "--docx", str(tmp_path / "notes.docx"),
                 "-o", str(tmp_path / "other.pdf")]) == 2
    assert "is not a Word .docx file" in capsys.readouterr().err


def _stand_in(folder: Path, script: str) -> None:
    """A program called soffice that does what `script` says instead of converting."""
    folder.mkdir(exist_ok=True)
    program = folder / "soffice"
    program.write_text(f"#!{sys.executable}\nimport sys, pathlib\nargs = sys.argv[1:]\n{script}\n")
    program.chmod(0o755)


def test_converter_says_how_to_install_libreoffice_when_it_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf_convert, "_ELSEWHERE", ())
    with pytest.raises(UserError, match="LibreOffice is needed") as missing:
        pdf_convert.docx_to_pdf(b"docx")
    assert "sudo apt-get install libreoffice-writer" in str(missing.value)


@pytest.mark.parametrize("script, message", [
    ("sys.stderr.write('Error: source file could not be loaded\\n'); sys.exit(1)", "source file could not be loaded"),
    ("pass", "wrote no PDF"),
    ("out = pathlib.Path(args[args.index('--outdir') + 1]); out.mkdir()\n"
     "(out / pathlib.Path(args[-1]).with_suffix('.pdf').name).write_bytes(b'%PDF-1.4 nothing')", "cannot be read"),
])
def test_converter_checks_what_libreoffice_did(tmp_path, monkeypatch, script, message):
    _stand_in(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(UserError, match=message):
        pdf_convert.docx_to_pdf(b"docx")


def test_converter_gives_each_run_its_own_profile_and_leaves_nothing_behind(tmp_path, monkeypatch):
    record = tmp_path / "calls.txt"
    _stand_in(tmp_path / "bin", f"""
import os
profile = [a for a in args if a.startswith('-env:UserInstallation=')][0]
with open({str(record)!r}, 'a') as log:
    log.write(profile + ' ' + os.environ['HOME'] + '\\n')
out = pathlib.Path(args[args.index('--outdir') + 1]); out.mkdir()
pathlib.Path(out / pathlib.Path(args[-1]).with_suffix('.pdf').name).write_bytes(pathlib.Path({str(tmp_path / 'one.pdf')!r}).read_bytes())
""")
    make_pdf(tmp_path / "one.pdf", ["CONVERTED"])
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    for _ in range(2):
        assert "CONVERTED" in texts(pdf_convert.docx_to_pdf(b"docx"))[0]
    calls = record.read_text().splitlines()
    profiles = [line.split()[0].split("=", 1)[1] for line in calls]
    assert len(set(profiles)) == 2 and all(item.startswith("file:///") for item in profiles)
    for line in calls:
        home = line.split()[1]
        assert home != os.environ.get("HOME") and not Path(home).exists()  # private, and removed afterwards


def test_the_questionnaires_last_step_offers_the_packet_and_checks_each_file(monkeypatch, tmp_path):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from terminal_harness import Terminal, pick

    from appeal.terminal import questionnaire

    good = make_pdf(tmp_path / "denial notice.pdf", ["DENIAL"])
    (tmp_path / "empty.pdf").write_bytes(b"")
    photo = phone_photo(tmp_path / "photo.jpg")
    terminal = Terminal(monkeypatch)

    def ask(script):
        terminal.script = {key: list(value) for key, value in script.items()}
        with create_pipe_input() as pipe:
            terminal.pipe = pipe
            return questionnaire.ask_packet(input=pipe, output=DummyOutput())

    typed = [f"'{good}'\r", f"{tmp_path / 'empty.pdf'}\r", f"{photo}\r"]  # quoted as a file manager drops it
    assert ask({"Make one PDF": [pick("fax")], "to attach": typed}) == (True, [good, photo])
    assert [message for message in terminal.asked if "to attach" in message][-1].startswith("File 3")
    assert ask({"Make one PDF": [pick("mail")]}) == (False, [])
    assert ask({"Make one PDF": [pick("no")]}) is None


def test_batch_packet_writes_a_stamped_pdf_beside_each_letter(letter, tmp_path, monkeypatch, capsys):
    case, docx, letter_pdf = letter
    monkeypatch.setattr(pdf_convert, "docx_to_pdf", lambda content: letter_pdf)  # the module's one conversion
    # no LibreOffice is kept for the run (as where LibreOffice's Python is missing): each letter goes to the stand-in
    # above, instead of a real LibreOffice started for the run (tests/output/test_kept_office.py tests that one)
    monkeypatch.setattr(office_server, "uno_pythons", lambda: [])
    from appeal.cases.examples import text as example_text

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "case.yaml").write_text(example_text(EXAMPLE))
    out = tmp_path / "out"
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--packet", "--jobs", "1"]) == 0
    [docx_file] = out.glob("*.docx")
    pdf = docx_file.with_suffix(".pdf")
    said = capsys.readouterr().out
    assert f"{docx_file.name.removesuffix('.docx')}.pdf" in said
    # what `appeal packet` warns of is said for each case too: the letter lists enclosures no file of the run holds
    assert re.search(r"Warning: The letter lists \d+ enclosure\(s\), but the packet attaches 0 file\(s\)", said)
    assert "The packets' letters are not signed" in said
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    pages = texts(pdf.read_bytes())
    assert cover_count(pages[0]) == len(pages) and f"Page 2 of {len(pages)}" in pages[1] and MEMBER in pages[1]
    assert main(["batch", str(tmp_path / "in"), "-o", str(out), "--packet", "mail", "--jobs", "1"]) == 1
    assert "already exists" in capsys.readouterr().out


def test_an_iphone_heic_photo_is_added_and_without_pillow_heif_the_message_says_what_to_do(tmp_path, monkeypatch):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.new("RGB", (300, 400), "red").save(tmp_path / "IMG_0002.HEIC", quality=60)
    heic = tmp_path / "IMG_0002.HEIC"
    part = packet.read_attachment(heic)
    [(x, y, width, height)] = image_placements(part.pages[0])
    assert height > width and y >= packet.STAMP_BAND
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # as on a machine where it could not be installed
    with pytest.raises(UserError, match="pip install pillow-heif") as refused:
        packet.read_attachment(heic)
    assert "IMG_0002.HEIC" in str(refused.value)


def test_cover_names_the_department_and_the_representative():
    case = example_case("esketamine-medicare-denied")
    text = " ".join(texts(packet.cover_sheet(case, "Request for redetermination", 9, [("Letter", 2, 9)],
                                             today=TODAY))[0].split())
    assert "Part B Redeterminations" in text and "Karen Whitfield-Moss, authorized representative" in text
    assert "Medicare number (MBI) 3QF7-WD2-RN48" in text and "Pages 9 (including this cover sheet)" in text
    assert "Letter 2–9" in text and "(803) 555-0131" in text and "URGENT" not in text
    urgent = texts(packet.cover_sheet(case, "Request", 9, [("Letter", 2, 9)], urgent=True, today=TODAY))[0]
    assert "URGENT: EXPEDITED REVIEW REQUESTED" in urgent


def test_the_cover_gives_the_date_of_birth_and_a_reauthorizations_current_authorization():
    """What a plan files a fax by, besides the name and member ID: the date of birth, and for a request to continue
    treatment the authorization it continues (a clinic found it only inside the letter)."""
    case = example_case("esketamine-maintenance-reauthorization")
    text = " ".join(texts(packet.cover_sheet(case, "Reauthorization", 9, [("Letter", 2, 9)], today=TODAY))[0].split())
    born = case.patient.date_of_birth
    assert f"Date of birth {born:%B} {born.day}, {born.year}" in text
    assert f"Authorization no. {case.treatment.authorization_number}" in text


def test_stamp_drops_a_repeated_claim_word_and_a_missing_fax_number_is_left_off_the_cover_and_warned(letter):
    case, docx, letter_pdf = letter
    medicare = example_case("esketamine-medicare-denied")
    assert packet.stamp_text(medicare, 3, 9) == ("Harold Whitfield  |  MBI 3QF7-WD2-RN48  |  Claim/ref. 0526278419310",
                                                 "Page 3 of 9")
    no_fax = case.model_copy(update={"insurance": case.insurance.model_copy(update={"appeals_fax": None})})
    made = packet.from_letter_pdf(no_fax, kinds.get("appeal"), docx=docx, letter_pdf=letter_pdf, attachments=[],
                                  today=TODAY)
    assert any("The cover sheet leaves out the plan's fax number (insurance.appeals_fax)" in warning
               for warning in made.warnings)
    cover = texts(made.content)[0]
    assert "[ADD" not in cover and "Fax\n" not in cover and "Appeals Unit" in cover


def test_a_hung_conversion_is_stopped_with_every_process_it_started(tmp_path, monkeypatch):
    import subprocess
    import time

    pids = tmp_path / "pids.txt"
    _stand_in(tmp_path / "bin", f"""
import os, subprocess, time
child = subprocess.Popen(['sleep', '300'])
pathlib.Path({str(pids)!r} + '.part').write_text(f'{{os.getpid()}} {{child.pid}}')
os.rename({str(pids)!r} + '.part', {str(pids)!r})
time.sleep(300)
""")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    real = subprocess.Popen.communicate

    def hangs(self, input=None, timeout=None):
        if timeout is None:
            return real(self, input)
        while not pids.exists():  # the stand-in and its child are running: now it "hangs"
            assert subprocess.Popen.poll(self) is None, "the stand-in stopped early"
            time.sleep(0.01)
        raise subprocess.TimeoutExpired(self.args, timeout)

    monkeypatch.setattr(subprocess.Popen, "communicate", hangs)
    with pytest.raises(UserError, match="did not finish turning the letter into a PDF within 120 seconds"):
        pdf_convert.docx_to_pdf(b"docx")
    for pid in map(int, pids.read_text().split()):
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "\nState:\tZ" in status.read_text(), pid  # gone (or dead, not yet reaped)
