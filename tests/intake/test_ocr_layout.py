"""OCR'd text laid out as the notice was typed (issue 29), because the parser finds fields by layout as much as by
words: a paragraph ends at a blank line (a plan's reason quoted past its paragraph took in the next one), a value
ends at a wide gap, a table's header has columns two or more spaces apart, an explanation is indented under its
code, and a value Tesseract read as a block of its own after the rest belongs on its label's row. Tesseract
reads the gray page, whose shaded letter edges tell ')' from '}'. Photos and scans from tests/notice_variants.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notice_scoring import expected_fields, judge  # noqa: E402
from notice_variants import load_wide, write_photo, write_scan, write_tiff  # noqa: E402
from ocr_fidelity import exact_lines, lost_lines  # noqa: E402
from page_harness import cut_below_writing, cut_fax  # noqa: E402

from appeal.intake import notice_import, notice_text, ocr  # noqa: E402

WIDE = {notice.name: notice for notice in load_wide()}


def words(top: int, *placed: tuple[int, str]) -> list[ocr._Word]:
    """A line of words as Tesseract's TSV gives them: each at its left edge, 20 pixels a letter, 30 high."""
    return [ocr._Word(left, top, 20 * len(text), 30, 95.0, text) for left, text in placed]


def after(placed: list[tuple[int, str]], gap: int) -> list[tuple[int, str]]:
    """The words placed left to right, `gap` pixels apart."""
    out, left = [], placed[0][0]
    for _, text in placed:
        out.append((left, text))
        left += 20 * len(text) + gap
    return out


def test_paragraphs_columns_indents_and_split_rows_are_laid_out_as_typed():
    space = 17  # the usual gap between two words
    lines = [
        words(0, *after([(100, "Member"), (0, "ID:"), (0, "X1")], space)),
        words(50, (100, "Line"), (100 + 80 + 30, "Date"), (100 + 80 + 30 + 80 + 40, "Code")),
        words(100, *after([(148, "continued"), (0, "text")], space)),
        words(250, *after([(100, "Next"), (0, "paragraph")], space)),
        words(300, *after([(102, "ends"), (0, "here.")], space)),  # two pixels right: a slant, not an indent
        words(2, *after([(1000, "Group:"), (0, "G7")], space)),  # read last, but level with the first line
    ]
    laid = ocr.laid_out(lines)
    assert [line.text for line in laid] == [
        "Member ID: X1" + " " * 54 + "Group: G7",  # the gap (646 px) in spaces of 0.7 of the usual gap
        "Line  Date   Code",  # 30 px is two spaces, 40 three: a table's header
        "    continued text",  # indented by four spaces' width
        "",  # three lines' distance: a paragraph ended
        "Next paragraph",
        "ends here.",
    ]
    assert laid[3].confidence == 100.0 and laid[1].confidence == 95.0


def read(path: Path):
    return notice_import.extract(notice_text.read(path))


def right(name: str, extraction, *keys: str) -> dict[str, bool]:
    fields = expected_fields(WIDE[name].expected["fields"])
    return {judged.key: judged.right for judged in judge(fields, extraction) if judged.key in keys}


def test_a_scan_keeps_its_blank_lines_table_gaps_and_indents_and_the_quote_stops_at_its_paragraph(tmp_path):
    notice = WIDE["erisa-eob-denied-ketamine"]
    extraction = read(write_scan(notice, tmp_path))
    texts = [line.text for line in extraction.notice.lines]
    assert "Line  Date(s) of   Procedure   Charge     Allowed    Deductible  Coinsurance  Paid      Remarks" in texts
    assert "        authorization was obtained before the date of service, so this line is denied." in texts
    typed = notice.pages[0]
    assert exact_lines(typed, texts) >= 0.9 * len(typed)  # blank lines and column gaps included
    assert [index for index, text in enumerate(texts) if not text] == \
        [index for index, text in enumerate(typed) if not text]

    final = "erisa-final-ketamine-crps"  # its reason is followed, after a blank line, by 'This is the Plan's final'
    assert right(final, read(write_scan(WIDE[final], tmp_path)), "quote") == {"quote": True}


def test_every_page_of_a_fax_tiff_is_read_and_the_fax_number_on_page_two_is_found(tmp_path):
    name = "erisa-claim-ketamine-crps"
    extraction = read(cut_fax(write_tiff(WIDE[name], tmp_path)))
    assert extraction.notice.pages_said() == "pages 1-2 of 2"
    assert extraction.found["appeals_fax"].line.page == 2  # '(480) 555-0124', which a thresholded page gave as '(480}'
    assert right(name, extraction, "appeals_fax", "patient_name") == {"appeals_fax": True, "patient_name": True}


def test_a_standard_resolution_fax_with_pixels_twice_as_tall_as_wide_is_read_unsquashed(tmp_path):
    """A fax in standard resolution: 204 dots an inch across, 98 down (the pages are half as many pixels tall)."""
    from PIL import Image

    from notice_variants import scan_pages

    name = "erisa-claim-ketamine-crps"
    frames = [page.resize((round(page.width * 204 / 200), round(page.height * 98 / 200)), Image.Resampling.LANCZOS)
              .point(lambda value: 255 if value > 170 else 0).convert("1")
              for page in map(cut_below_writing, scan_pages(WIDE[name]))]
    path = tmp_path / "standard-fax.tif"
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(204, 98))
    extraction = read(path)
    assert extraction.notice.pages_said() == "pages 1-2 of 2"
    for number, typed in enumerate(WIDE[name].pages, 1):
        texts = [line.text for line in extraction.notice.lines if line.page == number]
        assert exact_lines(typed, texts) >= 0.85 * len(typed), number
    assert right(name, extraction, "appeals_fax", "patient_name") == {"appeals_fax": True, "patient_name": True}


def test_a_phone_photo_with_a_shadow_has_every_line_read_and_its_rows_whole(tmp_path):
    name = "erisa-partial-tms"
    notice = WIDE[name]
    extraction = read(write_photo(notice, tmp_path))
    texts = [line.text for line in extraction.notice.lines]
    assert lost_lines([" ".join(line.split()) for line in notice.pages[0] if line.strip()],
                      [" ".join(text.split()) for text in texts]) == []
    assert "Member ID: RHS00397120   Date of birth: 01/30/1977" in [re.sub(" {3,}", "   ", text.strip())
                                                                   for text in texts]
    assert right(name, extraction, "member_id", "date_of_birth", "group_number") == \
        {"member_id": True, "date_of_birth": True, "group_number": True}
