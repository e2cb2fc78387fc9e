"""The wide corpus of hand-written notices is itself correct: every expected value is one a reader can find in
the notice, and the writers give files with the notice's pages. (How well the importer reads it is measured by
the benchmark, not here.)"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notice_variants import (  # noqa: E402
    DENIALS, DOCUMENT_TYPES, FIELD_KEYS, PLAN_TYPES, REASONS, WIDE, WINDOW_ROLES, load_wide, photo_orientation,
    photo_page, write_pdf, write_photo, write_scan, write_text, write_tiff,
)

NOTICES = load_wide()
IDS = [notice.name for notice in NOTICES]
MINIMUM_PER_TYPE = {
    "denial_prior_authorization": 8, "denial_claim": 6, "denial_appeal_decision": 3, "final_internal_denial": 3,
    "approval": 4, "partial_approval": 3, "eob_paid": 3, "eob_denied": 3, "request_for_information": 3,
    "peer_to_peer_offer": 3,
}
CODE_FIELDS = ("procedure_codes", "diagnoses", "adjustment_codes")
VERBATIM_FIELDS = ("member_id", "group_number", "insurer", "plan_name", "reference", "service", "provider_npi",
                   "appeals_fax", "quote")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def flat(text: str) -> str:
    """The text as one line: line breaks, form feeds and runs of spaces become one space."""
    return " ".join(text.split())


def wrapped_cell(value: str, text: str) -> bool:
    """A table cell printed over two lines: the value's start ends one line's cell (before the amounts) and its
    rest starts the next line."""
    lines = text.split("\n")
    for first, second in zip(lines, lines[1:]):
        for cell in re.split(r"\s{2,}", first.strip()):
            for head in (cell, cell.partition(" ")[2]):  # the cell, or what follows a code in it ('81162 BRCA1...')
                if head and value.startswith(head) and value[len(head):].strip() == re.split(r"\s{2,}", second.strip())[0]:
                    return True
    return False


def date_forms(iso: str) -> list[str]:
    """The ways a notice may print a date: 03/09/2026, 3/9/2026, 03/09/26, March 9, 2026, 09 MAR 2026..."""
    day = date.fromisoformat(iso)
    month = f"{day:%B}"
    return [
        iso, f"{day:%m/%d/%Y}", f"{day.month}/{day.day}/{day.year}", f"{day:%m/%d/%y}", f"{day:%m-%d-%Y}",
        f"{month} {day.day}, {day.year}", f"{month[:3]} {day.day}, {day.year}", f"{day.day} {month} {day.year}",
        f"{day:%d} {month[:3].upper()} {day.year}", f"{day:%d-%b-%Y}",
    ]


def test_the_corpus_is_wide_enough():
    assert len(NOTICES) >= 45
    plans = Counter(notice.expected["fields"]["plan_type"] for notice in NOTICES)
    assert all(plans[plan] >= 3 for plan in PLAN_TYPES), plans
    kinds = Counter(notice.expected["document_type"] for notice in NOTICES)
    assert all(kinds[kind] >= least for kind, least in MINIMUM_PER_TYPE.items()), kinds
    assert Counter(len(notice.pages) for notice in NOTICES).keys() >= {1, 2, 3}
    windows = [window["role"] for notice in NOTICES for window in notice.expected["other_windows"]]
    assert windows.count("peer_to_peer") >= 3 and windows.count("submit_records") >= 3


def test_every_notice_has_its_expectations():
    for path in sorted(WIDE.glob("*")):
        assert path.name.endswith((".txt", ".expected.json")), path.name
        partner = (path.with_suffix(".expected.json") if path.suffix == ".txt"
                   else path.with_name(path.name.removesuffix(".expected.json") + ".txt"))
        assert partner.exists(), f"{path.name} has no {partner.name}"


@pytest.mark.parametrize("notice", NOTICES, ids=IDS)
def test_expected_values_are_well_formed(notice):
    expected = notice.expected
    assert set(expected) == {"document_type", "pages", "fields", "other_windows", "notes"}
    fields = expected["fields"]
    assert tuple(fields) == FIELD_KEYS or set(fields) == set(FIELD_KEYS)
    assert expected["document_type"] in DOCUMENT_TYPES
    assert fields["plan_type"] in PLAN_TYPES
    assert fields["notice_date"] and ISO.fullmatch(fields["notice_date"])
    assert fields["date_of_birth"] is None or ISO.fullmatch(fields["date_of_birth"])
    for key in ("notice_date", "date_of_birth"):
        if fields[key]:
            date.fromisoformat(fields[key])
    deadline = fields["appeal_deadline"]
    assert deadline is None or ISO.fullmatch(deadline) or re.fullmatch(r"\d+ (days|months)", deadline), deadline
    if expected["document_type"] in DENIALS + ("eob_denied",):
        assert fields["reason"] in REASONS and fields["quote"], "a denial says why"
    elif expected["document_type"] not in ("partial_approval", "peer_to_peer_offer"):  # an offer may say why
        assert fields["reason"] is None and fields["quote"] is None, "nothing denied, no reason"
    assert fields["reason"] is None or fields["reason"] in REASONS
    for window in expected["other_windows"]:
        assert set(window) == {"role", "text"} and window["role"] in WINDOW_ROLES
    assert expected["notes"].strip()
    assert all(value is None or (isinstance(value, str) and value.strip() == value and value)
               for value in fields.values())


@pytest.mark.parametrize("notice", NOTICES, ids=IDS)
def test_pages_are_marked_by_form_feeds(notice):
    assert notice.expected["pages"] == notice.text.count("\f") + 1 == len(notice.pages)
    assert "\f" not in notice.text.replace("\n\f\n", ""), "a form feed stands on its own line"
    assert all(any(line.strip() for line in page) for page in notice.pages)


@pytest.mark.parametrize("notice", NOTICES, ids=IDS)
def test_every_expected_value_is_in_the_notice(notice):
    text = flat(notice.text)
    lower = text.lower()
    fields = notice.expected["fields"]
    digits = re.sub(r"\D", "", text)
    for key in VERBATIM_FIELDS:
        if key == "appeals_fax" and fields[key]:  # the second set writes a fax as (NNN) NNN-NNNN: its digits count
            assert re.sub(r"\D", "", fields[key]) in digits, f"{key}: {fields[key]!r} is not in the notice"
        elif key == "service" and fields[key]:  # a table's cell may wrap under its row, the row's amounts between
            assert flat(fields[key]).lower() in lower or wrapped_cell(fields[key], notice.text), \
                f"{key}: {fields[key]!r} is not in the notice"
        elif fields[key]:  # a name the notice prints in capitals is written as a name ('NATIONAL ... PLAN High Option')
            assert flat(fields[key]).lower() in lower, f"{key}: {fields[key]!r} is not in the notice"
    for key in CODE_FIELDS:
        for code in (fields[key] or "").split(", "):
            assert code in text, f"{key}: {code!r} is not in the notice"
    for part in (fields["appeals_address"] or "").split(", "):
        assert part in text, f"appeals_address: {part!r} is not in the notice"
    if fields["patient_name"]:
        first, *_, last = fields["patient_name"].split()
        assert re.search(rf"\b{re.escape(first.lower())}\b.*\b{re.escape(last.lower())}\b|"
                         rf"\b{re.escape(last.lower())}, {re.escape(first.lower())}\b", lower), fields["patient_name"]
    for key in ("notice_date", "date_of_birth"):
        if fields[key]:
            assert any(form.lower() in lower for form in date_forms(fields[key])), f"{key} {fields[key]}"
    deadline = fields["appeal_deadline"]
    if deadline and ISO.fullmatch(deadline):
        assert any(form.lower() in lower for form in date_forms(deadline)), deadline
    elif deadline:  # "60 days" stands for "60 days" or "60 calendar days" as printed
        number, unit = deadline.split()
        assert re.search(rf"\b{number}\)? (calendar )?{unit}\b", text), deadline  # or 'four (4) months'
    for window in notice.expected["other_windows"]:  # as printed, or a date in ISO, or 'N days' for 'N calendar days'
        forms = date_forms(window["text"]) if ISO.fullmatch(window["text"]) else [window["text"]]
        assert any(form.lower() in lower for form in forms) or re.search(
            r"\b" + window["text"].replace(" ", r" (?:calendar )?") + r"\b", text), window


def test_expected_files_are_tidy_json():
    for path in sorted(WIDE.glob("*.expected.json")):
        json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------------
# The writers


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


@pytest.mark.parametrize("notice", NOTICES, ids=IDS)
def test_text_and_pdf_keep_every_page(notice, tmp_path):
    assert write_text(notice, tmp_path).read_text(encoding="utf-8") == notice.text
    from pypdf import PdfReader

    reader = PdfReader(write_pdf(notice, tmp_path))  # read once: its pages counted, its last page's text
    assert len(reader.pages) == notice.expected["pages"]
    last_page = flat(reader.pages[-1].extract_text())
    last_line = [line for line in notice.pages[-1] if line.strip() and line.isascii()][-1]
    assert flat(last_line)[:20] in last_page, "the last page holds the notice's last lines"


SAMPLE = [next(notice for notice in NOTICES if len(notice.pages) == 3),
          next(notice for notice in NOTICES if len(notice.pages) == 1 and notice.fax_like)]


@pytest.mark.parametrize("notice", SAMPLE, ids=[notice.name for notice in SAMPLE])
def test_images_keep_every_page(notice, tmp_path):
    from PIL import Image, ImageOps

    pages = notice.expected["pages"]
    scan = write_scan(notice, tmp_path, seed=1)
    if pages == 1:
        with Image.open(scan) as image:
            assert image.format == "JPEG" and image.size == (1700, 2200)
    else:
        assert scan.suffix == ".pdf" and _pdf_pages(scan) == pages
    with Image.open(write_tiff(notice, tmp_path, seed=1)) as fax:
        assert fax.n_frames == pages and fax.mode == "1"
    photo = write_photo(notice, tmp_path, seed=1)
    if pages == 1:
        with Image.open(photo) as image:
            assert image.format == "JPEG"
            assert image.getexif().get(0x0112) == photo_orientation(notice, 1)
            upright = ImageOps.exif_transpose(image)
            assert upright.height > upright.width, "shown upright, the page is portrait"
    else:
        assert _pdf_pages(photo) == pages


def test_photos_are_seeded_and_some_are_stored_sideways(tmp_path):
    notice = next(notice for notice in NOTICES if len(notice.pages) == 1)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = (write_photo(notice, tmp_path / folder, seed=4) for folder in "ab")
    assert first.read_bytes() == second.read_bytes()
    orientations = {photo_orientation(item, seed) for item in NOTICES for seed in range(2)}
    assert {1, 6, 8} <= orientations


@pytest.mark.parametrize("seed", range(3))
def test_a_photo_has_a_shadow_but_no_black_region(seed):
    """On a blank sheet the paper's brightness is the light: somewhere 30% darker or more, nowhere black."""
    import random

    from PIL import ImageStat

    gray = photo_page([""], random.Random(seed)).convert("L")
    width, height = gray.size
    inset, step = 340, 60  # always on the paper, whatever the tilt and keystone
    paper = [ImageStat.Stat(gray.crop((x, y, x + step, y + step))).median[0]
             for x in range(inset, width - inset - step, step) for y in range(inset, height - inset - step, step)]
    assert min(paper) < 0.7 * max(paper), "light is uneven and a shadow falls on the page"
    assert min(paper) > 0.3 * max(paper), "the shadow darkens the page, it does not blacken it"


@pytest.mark.parametrize("fmt", ["heic", "png"])
def test_photos_come_as_heic_and_png_too(fmt, tmp_path):
    import pillow_heif
    from PIL import Image, ImageOps

    pillow_heif.register_heif_opener()
    notice = next(item for item in NOTICES if len(item.pages) == 1 and photo_orientation(item, 0) != 1)
    path = write_photo(notice, tmp_path, seed=0, fmt=fmt)
    assert path.suffix == {"heic": ".heic", "png": ".png"}[fmt]
    with Image.open(path) as image:
        upright = ImageOps.exif_transpose(image)
        assert upright.height > upright.width, "shown upright, the page is portrait"
