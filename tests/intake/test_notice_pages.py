"""Every page of a notice, and photos as people take them (issue 29): a two-page PDF (typed, scanned, or one of
each) and a two-page fax TIFF are read to the end, where the fax number is; photos turned by the camera, HEIC
photos, and a photo with a shadow and a tilt are read; what could not be read is said page by page, in the import's
report, the case file and the terminal, and asked about rather than left out silently."""

from __future__ import annotations

import functools
import io
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from notice_corpus import Notice, corpus, photo_image, scan_image, score, write_photo
from page_harness import cut_below_writing
from prompt_toolkit.application import create_app_session
from prompt_toolkit.output import DummyOutput
from terminal_harness import Terminal, pick

from appeal.base.errors import UserError
from appeal.intake import notice_import, notice_text, ocr, photo
from appeal.terminal import notice_confirm

NOTICES = corpus(8)
APPEAL_FIELDS = ("appeals_fax", "appeals_address", "appeal_deadline")
# The HEVC encoder's quickest preset: its default took 3 s of CPU to write one page (how the file was made is not
# what is tested; what it holds is HEIC all the same).
QUICK_HEIC = {"preset": "ultrafast"}


def halves(notice: Notice) -> tuple[Notice, Notice]:
    """The notice as two pages: the second starts at 'HOW TO APPEAL', so the fax and the address are on it."""
    split = notice.lines.index("HOW TO APPEAL")
    return (Notice(notice.name + "-p1", notice.lines[:split], {}),
            Notice(notice.name + "-p2", notice.lines[split:], {}))


def typed_pages(pdf, lines: list[str]) -> None:
    y = 740
    for line in lines:
        pdf.setFont("Helvetica", 10)
        pdf.drawString(60, y, line)
        y -= 14


def read_and_score(path: Path, notice: Notice):
    extraction = notice_import.extract(notice_text.read(path))
    return extraction, score(notice, extraction)


def assert_appeal_section_read(extraction, notice: Notice) -> None:
    for key in APPEAL_FIELDS:
        if notice.truth[key]:
            assert extraction.shown(key).replace("\n", ", ") == notice.truth[key], key


# --------------------------------------------------------------------------------------------------------------
# Every page


def test_a_typed_two_page_pdf_is_read_to_its_second_page_where_the_fax_is(tmp_path):
    from reportlab.pdfgen import canvas

    notice = NOTICES[0]
    first, second = halves(notice)
    path = tmp_path / "two-pages.pdf"
    pdf = canvas.Canvas(str(path))
    typed_pages(pdf, first.lines)
    pdf.showPage()
    typed_pages(pdf, second.lines)
    pdf.save()
    extraction, outcomes = read_and_score(path, notice)
    assert extraction.notice.source == "pdf" and extraction.notice.pages_said() == "pages 1-2 of 2"
    assert_appeal_section_read(extraction, notice)
    fax = extraction.found["appeals_fax"]
    assert fax.line.page == 2 and extraction.notice.where(fax.line).startswith("page 2, line ")
    report = "\n".join(notice_confirm.report(extraction, []))
    assert "pages 1-2 of 2 read" in report and f"{extraction.notice.where(fax.line)}: \"Fax:" in report


@functools.cache
def photographed_halves(index: int) -> tuple:
    """The two halves of NOTICES[index] photographed, cut below their writing: made once, for the tests that
    save them as one kind of file or another (they only read them)."""
    return tuple(cut_below_writing(photo_image(half, seed=number, shadow=1.0, skew=1.0))
                 for number, half in enumerate(halves(NOTICES[index])))


@functools.cache
def upright_scan(index: int):
    """NOTICES[index] scanned (seed `index`), cut below its writing: made once, only read."""
    return cut_below_writing(scan_image(NOTICES[index], seed=index))


@pytest.mark.parametrize("kind", ["scanned PDF", "fax TIFF"])
def test_every_page_of_a_scan_is_read(tmp_path, kind):
    notice = NOTICES[1]
    pictures = photographed_halves(1)
    if kind == "fax TIFF":  # black and white, Group 4, as fax machines and fax servers save them
        path = tmp_path / "fax.tif"
        from PIL import Image

        pages = [picture.convert("L").convert("1", dither=Image.Dither.NONE) for picture in pictures]
        pages[0].save(path, format="TIFF", save_all=True, append_images=pages[1:], compression="group4",
                      dpi=(200, 200))
    else:
        path = tmp_path / "scan.pdf"
        pictures[0].save(path, format="PDF", save_all=True, append_images=pictures[1:], resolution=200.0)
    extraction, outcomes = read_and_score(path, notice)
    assert extraction.notice.ocr and extraction.notice.pages_said() == "pages 1-2 of 2"
    assert {line.page for line in extraction.notice.lines} == {1, 2}
    assert_appeal_section_read(extraction, notice)
    assert extraction.found["appeals_fax"].line.page == 2
    assert extraction.shown("member_id") == notice.truth["member_id"]  # and page 1 too


def test_a_pdf_with_a_typed_page_and_a_scanned_page_reads_both(tmp_path):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    notice = NOTICES[2]
    first, second = halves(notice)
    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(612, 792))
    typed_pages(pdf, first.lines)
    pdf.showPage()
    scan = cut_below_writing(photo_image(second, seed=2, shadow=1.0, skew=1.0))
    height = 612 * scan.height / scan.width
    pdf.drawImage(ImageReader(scan), 0, 792 - height, 612, height)
    pdf.showPage()
    pdf.save()
    extraction, _ = read_and_score(path, notice)
    assert extraction.notice.ocr  # values from the scanned page are marked for checking
    assert extraction.found["member_id"].line.confidence is None  # typed on page 1
    assert extraction.found["appeals_fax"].line.page == 2 and extraction.found["appeals_fax"].line.confidence
    assert_appeal_section_read(extraction, notice)


def test_pages_past_the_bound_are_left_unread_and_said_to_be(tmp_path, monkeypatch):
    from reportlab.pdfgen import canvas

    notice = NOTICES[0]
    path = tmp_path / "long.pdf"
    pdf = canvas.Canvas(str(path))
    for _ in range(3):
        typed_pages(pdf, notice.lines[:20])
        pdf.showPage()
    pdf.save()
    monkeypatch.setattr(notice_text, "MAX_PAGES", 2)
    read = notice_text.read(path)
    assert read.pages_said() == "pages 1-2 of 3" and {line.page for line in read.lines} == {1, 2}
    assert read.notes == ("Only pages 1-2 of 3 were read: a notice is rarely longer. If what you need is on a later "
                          "page, save those pages as a file of their own and import that.",)


# --------------------------------------------------------------------------------------------------------------
# Photos as people take them


@pytest.mark.parametrize(("kind", "orientation", "stored_turn"), [("JPEG", 6, 90), ("PNG", 8, 270)])
def test_a_photo_turned_by_the_camera_is_read_upright(tmp_path, kind, orientation, stored_turn):
    from PIL import Image

    notice = NOTICES[3]
    upright = upright_scan(3)
    stored = upright.rotate(stored_turn, expand=True)  # the pixels as the sensor saw them, sideways
    exif = Image.Exif()
    exif[0x0112] = orientation  # what the camera says: turn me to show me
    path = tmp_path / f"photo.{kind.lower()}"
    stored.save(path, format=kind, exif=exif.tobytes())
    extraction, outcomes = read_and_score(path, notice)
    assert extraction.shown("member_id") == notice.truth["member_id"]
    assert sum(outcome.right for outcome in outcomes) >= 15, [o for o in outcomes if not o.right]


def test_an_iphone_heic_photo_of_a_notice_is_read(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    notice = NOTICES[4]
    path = tmp_path / "IMG_0042.HEIC"
    photo_image(notice, seed=4).save(path, format="HEIF", quality=90, enc_params=QUICK_HEIC)
    extraction, outcomes = read_and_score(path, notice)
    assert extraction.shown("member_id") == notice.truth["member_id"]
    assert sum(outcome.right for outcome in outcomes) >= 15, [o for o in outcomes if not o.right]


def test_without_pillow_heif_a_heic_notice_gets_a_message_naming_it(tmp_path, monkeypatch):
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0043.HEIC"
    photo_image(NOTICES[4]).resize((400, 520)).save(path, format="HEIF", enc_params=QUICK_HEIC)
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # as on a machine where it could not be installed
    with pytest.raises(UserError, match="save the photo as JPEG first") as refused:
        notice_text.read(path)
    assert str(path) in str(refused.value)


def test_a_photo_with_a_shadow_and_a_tilt_is_read_in_the_shadow_too(tmp_path, monkeypatch):
    """The phone's shadow halves the light over the lower part of the page (the appeal section), and the page is
    tilted 3 degrees. One threshold for the whole page turned the shadow black and lost its lines; with the
    paper's brightness divided out first, they are read."""
    notice = NOTICES[0]
    path = write_photo(notice, tmp_path, shadow=0.5, skew=3.0)
    extraction, outcomes = read_and_score(path, notice)
    assert_appeal_section_read(extraction, notice)
    assert sum(outcome.right for outcome in outcomes) >= 17, [o for o in outcomes if not o.right]
    assert [o for o in outcomes if o.wrong_but_certain] == []
    assert extraction.notice.notes == ()

    monkeypatch.setattr(photo, "even_lighting", lambda gray: gray)  # as before: one threshold over the shadow
    before = notice_import.extract(notice_text.read(path))
    assert not set(APPEAL_FIELDS) & set(before.found)
    assert any("a dark part near the bottom of the page could not be read" in note for note in before.notice.notes)


def test_the_clean_ups_median_is_pillows_median_filter_pixel_for_pixel():
    """photo.median_3x3 compares whole pictures instead of sorting nine values at each pixel: the same answer,
    edges included, on pictures one pixel wide or tall, on mostly black-and-white ones, and on a photo's page."""
    import random

    from PIL import Image, ImageFilter

    rng = random.Random(7)
    pictures = [Image.frombytes("L", size, bytes(rng.choice((0, 1, 128, 254, 255, rng.randrange(256)))
                                                 for _ in range(size[0] * size[1])))
                for size in [(1, 1), (1, 6), (6, 1), (2, 2), (3, 7), (31, 17)] for _ in range(20)]
    pictures.append(photo.upright_gray(photo_image(NOTICES[0], seed=0)))
    for picture in pictures:
        assert photo.median_3x3(picture).tobytes() == picture.filter(ImageFilter.MedianFilter(3)).tobytes(), \
            picture.size


# --------------------------------------------------------------------------------------------------------------
# What could not be read is said, and asked about


def out_of_focus(notice: Notice, seed: int = 0):
    """A photo whose lower half is out of focus, as when the phone is held too close and tilted."""
    from PIL import ImageFilter

    picture = photo_image(notice, seed=seed, shadow=1.0, skew=0.0).convert("L")
    box = (0, 1150, picture.width, picture.height)
    picture.paste(picture.crop(box).filter(ImageFilter.GaussianBlur(3.5)), box)
    return picture


def test_lines_that_could_not_be_read_are_said_in_the_report_and_the_case_file(tmp_path, monkeypatch, capsys):
    from appeal.cli import main

    notice = NOTICES[2]
    out_of_focus(notice, seed=2).save(tmp_path / "blurred.jpg", quality=90)
    monkeypatch.chdir(tmp_path)  # the command as typed there; its process is not what this is about
    status = main(["import", "blurred.jpg", "-o", "case.yaml", "--yes"])
    said = capsys.readouterr()
    assert status == 0, said.err
    notes = [line.strip() for line in said.out.splitlines() if line.strip().startswith("Page 1: lines ")]
    assert notes and "could not be read clearly; check them against the paper." in notes[0], said.out
    assert "(in the middle of the page)" in notes[0] or "(near the bottom of the page)" in notes[0]
    assert "Not everything could be read:" in said.out and "its one page read" in said.out
    header = (tmp_path / "case.yaml").read_text().splitlines()
    assert f"# {notes[0]}" in header and "# Read: its one page." in header


def test_a_dark_patch_with_no_words_is_said_to_be_unread():
    from PIL import ImageDraw

    picture = cut_below_writing(scan_image(NOTICES[5], seed=5))
    ImageDraw.Draw(picture).rectangle((0, 150, picture.width, 420), fill=0)  # the letterhead under a black bar
    reading = ocr.read_page(picture, "page 1 of scan.jpg")
    assert ocr.unclear_notes(1, reading) == [
        "Page 1: a dark part near the top of the page could not be read; check it against the paper, or take a "
        "photo in even light."]


def test_a_blank_page_is_said_to_have_almost_no_text():
    from PIL import Image

    reading = ocr.read_page(Image.new("L", (1700, 550), 250), "page 2 of fax.tif")  # blank; its size is not the point
    assert ocr.unclear_notes(2, reading) == [
        "Page 2: almost no text could be read. If it has writing on it, check that page against the paper, or take "
        "a sharper photo in even light."]


def in_session(action):
    def run(pipe):
        with create_app_session(input=pipe, output=DummyOutput()):
            return action()

    return run


@pytest.mark.parametrize("choice", ["Go on", "Stop"])
def test_the_terminal_asks_before_going_on_past_what_could_not_be_read(monkeypatch, tmp_path, choice):
    notice = NOTICES[6]
    note = "Page 2: lines 10-18 (in the middle of the page) could not be read clearly; check them against the paper."
    read = replace(notice_text.from_string(notice.text, str(tmp_path / "fax.tif"), source="ocr"), pages=2,
                   pages_read=2, notes=(note,))
    monkeypatch.setattr(notice_text, "read", lambda path: read)
    monkeypatch.setattr(notice_confirm, "confirm", lambda extraction: extraction)  # the values: tested elsewhere
    shown = []
    monkeypatch.setattr("builtins.print", lambda *words, **_: shown.append(" ".join(map(str, words))))
    output = tmp_path / "case.yaml"
    terminal = Terminal(monkeypatch)
    script = {"Part of the notice could not be read": pick(title=choice),
              "Who is writing": pick("patient"), "Which letter": pick("appeal")}
    run = in_session(lambda: notice_confirm.run("fax.tif", output, interactive=True, force=False))
    if choice == "Stop":
        with pytest.raises(UserError, match="Stopped; nothing was saved. Photograph fax.tif flat, in even light"):
            terminal.drive(script, run)
        assert not output.exists()
    else:
        terminal.drive(script, run)
        assert f"# {note}" in output.read_text()
    assert "Part of the notice could not be read (listed above). What would you like to do?" in terminal.asked
    assert any(f"  {note}" in said for said in shown)
