"""The signature: a phone photo of a signature on paper cleaned to its ink, and placed above the signer's typed
name; a typed '/s/' line; the messages for pictures that cannot be one. Pictures are made here as a phone makes
them (uneven light, a shadow, JPEG noise), and the cleaned result is read back pixel by pixel."""

from __future__ import annotations

import functools
import io
import math
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import docx_text, drafted_example
from docx import Document
from PIL import Image, ImageDraw, ImageFile, ImageFilter

from appeal.base.errors import UserError
from appeal.cli import main
from appeal.output import signature

TODAY = date(2026, 11, 29)
EXAMPLE = "ketamine-trd-erisa-appeal"


@functools.cache
def paper_photo(*, ink: bool = True, size=(2400, 1800)) -> bytes:
    """A JPEG as a phone takes it: paper lit from the left, a shadow falling across the right, a warm cast, soft
    focus; with `ink`, a looping signature and an underline in blue-black pen. Made once a process (the same
    bytes every time; several tests here and in test_packet_send.py read it)."""
    width, height = size
    light = Image.linear_gradient("L").rotate(90).resize(size).point(lambda value: 235 - value * 95 // 255)
    photo = Image.merge("RGB", (light, light.point(lambda value: value - 6), light.point(lambda value: value - 22)))
    if ink:
        pen = ImageDraw.Draw(photo)
        pen.line([(width * 0.3 + step * 10, height * 0.5 + 90 * math.sin(step / 5)) for step in range(110)],
                 fill=(35, 35, 70), width=8)
        pen.line([(width * 0.32, height * 0.58), (width * 0.75, height * 0.57)], fill=(35, 35, 70), width=6)
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    output = io.BytesIO()
    photo.save(output, "JPEG", quality=78)
    return output.getvalue()


def drawn_png() -> bytes:
    """A signature drawn in a browser's canvas: dark strokes on a transparent background."""
    canvas = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).line([(40, 150), (160, 40), (260, 150), (380, 60), (560, 120)], fill=(0, 0, 0, 255), width=5)
    output = io.BytesIO()
    canvas.save(output, "PNG")
    return output.getvalue()


def opened(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    picture.load()
    return picture


def test_a_phone_photo_becomes_the_ink_alone_cropped_and_scaled_to_a_signature_line():
    cleaned = opened(signature.clean_signature(paper_photo()))
    assert cleaned.format == "PNG" and cleaned.mode == "RGBA"
    assert cleaned.height == round(signature.SIGNATURE_HEIGHT_INCHES * signature.OUTPUT_DPI)
    alpha = cleaned.getchannel("A")
    # the paper is gone, the shadowed side too: the corners and the border are transparent
    border = [alpha.getpixel((x, y)) for x in range(cleaned.width) for y in (0, cleaned.height - 1)]
    assert max(border) == 0
    # ink fills the width (cropped to it, with a small margin) and some, not most, of the area
    box = alpha.getbbox()
    assert box[0] < 0.06 * cleaned.width and box[2] > 0.94 * cleaned.width
    solid = sum(alpha.histogram()[201:]) / (cleaned.width * cleaned.height)
    assert 0.02 < solid < 0.35
    # the ink is dark wherever it shows
    assert all(channel < 60 for channel in cleaned.getpixel(next(
        (x, y) for y in range(cleaned.height) for x in range(cleaned.width) if alpha.getpixel((x, y)) == 255))[:3])
    # a signature 3.5 times as wide as high (the photo's ink) stays so
    assert 2.5 < cleaned.width / cleaned.height < 5


def test_the_edge_of_a_sheet_lying_on_a_dark_table_is_not_taken_for_ink():
    photo = Image.new("RGB", (3000, 2200), (70, 50, 40))  # the table, all around the sheet
    sheet = Image.new("RGB", (2400, 1700), (225, 220, 205))
    ImageDraw.Draw(sheet).line([(600 + step * 10, 850 + 90 * math.sin(step / 5)) for step in range(110)],
                               fill=(35, 35, 70), width=8)
    photo.paste(sheet, (300, 250))
    output = io.BytesIO()
    photo.filter(ImageFilter.GaussianBlur(1.2)).save(output, "JPEG", quality=80)
    cleaned = opened(signature.clean_signature(output.getvalue()))
    assert cleaned.width / cleaned.height > 4  # the stroke's proportions (1090 x 190), not the sheet's (24 x 17)


def test_a_signature_drawn_in_the_browser_is_cleaned_the_same_way():
    cleaned = opened(signature.clean_signature(drawn_png()))
    assert cleaned.height == round(signature.SIGNATURE_HEIGHT_INCHES * signature.OUTPUT_DPI)
    assert cleaned.getchannel("A").getpixel((0, 0)) == 0 and cleaned.getchannel("A").getbbox() is not None


@pytest.mark.parametrize(("data", "message"), [
    (paper_photo(ink=False), "looks blank"),  # a shadow across empty paper is not ink
    (b"", "is empty"),
    (b"%PDF-1.7 a scan", "is not a PNG or JPEG picture"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "is damaged or not a picture"),
])
def test_pictures_that_hold_no_signature_are_named_with_what_to_do(data, message):
    with pytest.raises(UserError, match=message) as raised:
        signature.clean_signature(data, "--signature sig.png")
    assert str(raised.value).startswith("--signature sig.png")


def test_a_picture_too_large_is_refused_by_its_header_before_its_pixels_are_decoded(monkeypatch):
    huge = io.BytesIO()
    Image.new("1", (9000, 7000), 1).save(huge, "PNG")  # 63 million pixels, a small file
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    with pytest.raises(UserError, match="9000 x 7000 pixels, too large"):
        signature.clean_signature(huge.getvalue())
    assert not decoded


def test_a_file_too_large_is_refused_from_its_status_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "sig.jpg"
    with open(big, "wb") as handle:  # sparse: its size without its bytes
        handle.truncate(signature.MAX_SIGNATURE_FILE + 1)
    read = []
    monkeypatch.setattr(signature.loader, "read_regular", lambda *args, **kwargs: read.append(args))
    with pytest.raises(UserError, match="more than 15 MB, too large for a signature picture"):
        signature.read_signature(big)
    assert not read
    with pytest.raises(UserError, match="no such file"):
        signature.read_signature(tmp_path / "missing.png")


@pytest.fixture(scope="module")
def letter() -> bytes:
    return drafted_example(EXAMPLE, "appeal", TODAY).content  # the same letter test_packet.py reads


def closing_block(docx: bytes) -> list[tuple[str, bool]]:
    """(text, holds a picture) of the paragraphs from 'Sincerely,' to the signer's name."""
    paragraphs = Document(io.BytesIO(docx)).paragraphs
    start = next(number for number, paragraph in enumerate(paragraphs) if paragraph.text == "Sincerely,")
    return [(paragraph.text, bool(paragraph._p.xpath(".//w:drawing"))) for paragraph in paragraphs[start:start + 4]]


def test_the_signature_goes_right_above_the_typed_name_with_alt_text(letter):
    assert closing_block(letter) == [("Sincerely,", False), ("", False), ("", False), ("Maria Alvarez", False)]
    signed = signature.place_signature(letter, signature.clean_signature(paper_photo()))
    assert closing_block(signed) == [("Sincerely,", False), ("", False), ("", True), ("Maria Alvarez", False)]
    document = Document(io.BytesIO(signed))
    inline = document.inline_shapes[-1]
    assert inline._inline.docPr.get("descr") == "Signature"
    assert abs(inline.height.inches - signature.SIGNATURE_HEIGHT_INCHES) < 0.01
    assert docx_text(signed) == docx_text(letter)  # nothing else moved
    assert signature.has_signature(signed) and not signature.has_signature(letter)


def test_a_typed_signature_is_dated_above_the_name_and_a_letter_without_a_closing_is_named(letter):
    typed = signature.place_typed_signature(letter, "November 29, 2026")
    assert closing_block(typed) == [("Sincerely,", False), ("", False), ("/s/ Maria Alvarez, November 29, 2026", False),
                                    ("Maria Alvarez", False)]
    document = Document(io.BytesIO(letter))
    for paragraph in document.paragraphs:
        if paragraph.text == "Sincerely,":
            paragraph.text = "Many thanks again for your time."
            paragraph.style = document.styles["Normal"]
    output = io.BytesIO()
    document.save(output)
    with pytest.raises(UserError, match="no closing line"):
        signature.place_signature(output.getvalue(), signature.clean_signature(drawn_png()))


def test_sign_keeps_an_earlier_signature_and_without_one_says_the_line_is_to_sign_by_hand(letter, tmp_path):
    photo = tmp_path / "sig.jpg"
    photo.write_bytes(paper_photo())
    signed, said = signature.sign(letter, picture=photo)
    assert "above your name" in said and signature.has_signature(signed)
    again, said = signature.sign(signed, picture=photo)
    assert again == signed and "signed already" in said
    unsigned, said = signature.sign(letter)
    assert unsigned == letter and "to sign by hand" in said and "--typed-signature only if your plan accepts" in said


def test_draft_signature_signs_the_letter_and_a_bad_picture_writes_nothing(tmp_path, capsys):
    from appeal.cases.examples import text as example_text

    (tmp_path / "case.yaml").write_text(example_text(EXAMPLE))
    (tmp_path / "sig.jpg").write_bytes(paper_photo())
    (tmp_path / "blank.jpg").write_bytes(paper_photo(ink=False))
    out = tmp_path / "letter.docx"
    base = ["draft", "--case", str(tmp_path / "case.yaml"), "-o", str(out)]
    assert main(base + ["--signature", str(tmp_path / "blank.jpg")]) == 2
    assert "--signature blank.jpg looks blank" in capsys.readouterr().err and not out.exists()
    assert main(base + ["--signature", str(tmp_path / "sig.jpg")]) == 0
    assert closing_block(out.read_bytes())[2] == ("", True)
    assert os.stat(out).st_mode & 0o077 == 0
