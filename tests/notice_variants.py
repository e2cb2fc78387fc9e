"""The wide corpus of notices (tests/notices/wide/) and the files a person would actually hand the import.

The notices were written by hand, by someone who had not read the importer, in the styles real plans use
(ERISA and insured group plans, Marketplace, Medicare Advantage, Part D, Original Medicare, Medicaid managed
care and fee-for-service, TRICARE, FEHB; denials and non-denials). Each `<name>.txt` marks a page break with a
form feed on its own line; `<name>.expected.json` holds what a careful human reader takes from it:
the document type, the page count, the fields, the windows that are NOT the appeal deadline (`other_windows`,
each with its role) and a note on what is tricky.

Conventions where a reader could hesitate: the patient is "First Last" (no title, rank or middle initial);
the insurer is the organisation as printed atop the letterhead (capitals kept); when a state Medicaid ID and
the plan's own member number are both printed, the member ID is the plan's; the reference is the number of
THIS decision (the appeal number on an appeal decision, not the original request's); in a table of claim
lines without a "Service" label the service is the first denied line's description (the first line on a paid
EOB); codes are listed once each, in the order first printed; a partial approval carries the reason and quote
of its denied part; the appeal deadline is the window for the next filing the notice offers (external review,
a QIC, OPM or a state hearing included), written "N days" (also for "N calendar days"), "N months" or an ISO
date; the appeals address is the address block's lines, without the fax, joined with ", ".

Only the text is kept in git. This module turns a notice into the source types the benchmark measures:
plain text, a text PDF with one PDF page per notice page, a clean 200-dpi scan (JPEG, or a PDF of page
images), a multi-page fax TIFF, and a phone photo (perspective, skew, uneven light, a soft shadow, blur,
JPEG compression, sometimes an EXIF orientation tag with the pixels stored sideways). Everything is seeded,
so the same seed gives the same file. It imports nothing from the importer.
"""

from __future__ import annotations

import io
import json
import math
import random
import textwrap
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

WIDE = Path(__file__).resolve().parent / "notices" / "wide"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 200
PAGE_PIXELS = (int(8.5 * DPI), 11 * DPI)  # US letter at 200 dpi
MARGIN = 110  # pixels at 200 dpi

FIELD_KEYS = (
    "patient_name", "date_of_birth", "member_id", "group_number", "insurer", "plan_name", "plan_type",
    "notice_date", "reference", "service", "procedure_codes", "diagnoses", "provider_npi", "reason", "quote",
    "appeal_deadline", "appeals_fax", "appeals_address", "adjustment_codes",
)
DOCUMENT_TYPES = (
    "denial_prior_authorization", "denial_claim", "denial_appeal_decision", "final_internal_denial",
    "approval", "partial_approval", "eob_paid", "eob_denied", "request_for_information", "peer_to_peer_offer",
)
DENIALS = ("denial_prior_authorization", "denial_claim", "denial_appeal_decision", "final_internal_denial")
PLAN_TYPES = (
    "employer_self_funded", "employer_fully_insured", "individual_marketplace", "medicare_advantage",
    "medicare_part_d", "medicare_original", "medicaid_managed_care", "medicaid_ffs", "tricare", "fehb",
)
REASONS = (
    "not_medically_necessary", "experimental", "off_label", "no_prior_authorization", "step_therapy",
    "out_of_network", "benefit_exclusion", "insufficient_documentation",
    # the case's other two kinds (appeal/cases/case.py DenialReason), which the third hand-written set (held2-*) uses
    "coding_billing", "other",
)
WINDOW_ROLES = (
    "peer_to_peer", "submit_records", "expedited_decision", "decision_time", "continuation_of_benefits",
    "fair_hearing", "external_review", "renewal_request", "next_level_appeal", "corrected_claim", "extension_request",
    "received_presumption",
    # roles the second hand-written set (held-*) names
    "acknowledgement", "expedited_filing", "opm_review", "reimbursement", "resubmission",
    # a window the sixth writer (h4-*) could name no role for: an approval's end, a concurrent review
    "other",
)
# Sent to a doctor's office by fax rather than mailed to the member: these also come as a fax TIFF.
FAXED_TYPES = ("request_for_information", "peer_to_peer_offer")


@dataclass
class WideNotice:
    name: str
    text: str
    expected: dict

    @cached_property
    def pages(self) -> list[list[str]]:
        """The notice's pages, each a list of lines (the form-feed lines are the breaks)."""
        pages: list[list[str]] = [[]]
        for line in self.text.rstrip("\n").split("\n"):  # not splitlines(): it splits at form feeds too
            if line == "\f":
                pages.append([])
            else:
                pages[-1].append(line)
        return pages

    @property
    def fax_like(self) -> bool:
        """Faxed to a provider, or several pages long: the kind of notice that arrives as a fax TIFF."""
        return self.expected["document_type"] in FAXED_TYPES or len(self.pages) > 1


def load_wide(folder: Path = WIDE) -> list[WideNotice]:
    notices = []
    for path in sorted(folder.glob("*.txt")):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        notices.append(WideNotice(path.stem, path.read_text(encoding="utf-8"), expected))
    return notices


def _rng(notice: WideNotice, seed: int, what: str) -> random.Random:
    """A generator that depends on the notice, the seed and the variant, and on nothing else (no hash())."""
    return random.Random(zlib.crc32(f"{notice.name}/{what}/{seed}".encode()))


def _wrapped(lines: list[str], width: int = 108) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line.rstrip(), width, break_long_words=False, drop_whitespace=False,
                             replace_whitespace=False) or [""]
    return [line.rstrip() for line in out]


# --------------------------------------------------------------------------------------------------------------
# Text and text PDF


def write_text(notice: WideNotice, folder: Path, seed: int = 0) -> Path:
    path = Path(folder) / f"{notice.name}.txt"
    path.write_text(notice.text, encoding="utf-8")
    return path


def write_pdf(notice: WideNotice, folder: Path, seed: int = 0) -> Path:
    """A text PDF as a plan's mail system prints it: one PDF page per notice page, smaller type on a full page."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))
    path = Path(folder) / f"{notice.name}.pdf"
    pdf = canvas.Canvas(str(path), pagesize=letter)
    width, height = letter
    for lines in notice.pages:
        lines = _wrapped(lines)
        leading = min(11.5, (height - 72) / max(len(lines), 1))
        size = leading * 0.8
        usable = width - 72
        longest = max((pdfmetrics.stringWidth(line, "DejaVuSans", size) for line in lines), default=0)
        if longest > usable:
            size *= usable / longest
        y = height - 36 - leading
        for line in lines:
            pdf.setFont("DejaVuSans", size)
            pdf.drawString(36, y, line)
            y -= leading
        pdf.showPage()
    pdf.save()
    return path


# --------------------------------------------------------------------------------------------------------------
# Page images


def page_image(lines: list[str], ink: int = 20):
    """One notice page printed on letter paper at 200 dpi (grayscale); the type shrinks to fit a full page."""
    from PIL import Image, ImageDraw, ImageFont

    lines = _wrapped(lines)
    width, height = PAGE_PIXELS
    size = 26
    while size > 14:
        font = ImageFont.truetype(FONT, size)
        leading = int(size * 1.42)
        longest = max((font.getlength(line) for line in lines), default=0)
        if longest <= width - 2 * MARGIN and leading * len(lines) <= height - 2 * MARGIN:
            break
        size -= 1
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    y = MARGIN
    for line in lines:
        draw.text((MARGIN, y), line, fill=ink, font=font)
        y += leading
    return page


def scan_pages(notice: WideNotice, seed: int = 0) -> list:
    """A clean office scan of each page: faint speckles, a tilt under half a degree, a little softness. Made
    once for the last few notices asked (a notice's scan and its fax start from the same pages); every caller
    gets pictures of its own."""
    return [page.copy() for page in _scanned(notice.name, notice.text, seed)]


@lru_cache(maxsize=4)
def _scanned(name: str, text: str, seed: int) -> tuple:
    from PIL import Image, ImageFilter

    notice = WideNotice(name, text, {})
    rng = _rng(notice, seed, "scan")
    pages = []
    for lines in notice.pages:
        page = page_image(lines, ink=rng.randrange(10, 40))
        pixels = page.load()
        for _ in range(2500):
            pixels[rng.randrange(page.width), rng.randrange(page.height)] = rng.randrange(150, 230)
        page = page.rotate(rng.uniform(-0.45, 0.45), resample=Image.Resampling.BICUBIC, fillcolor=250)
        pages.append(page.filter(ImageFilter.GaussianBlur(0.45)))
    return tuple(pages)


def write_scan(notice: WideNotice, folder: Path, seed: int = 0) -> Path:
    """A 200-dpi scan: a JPEG for a one-page notice, a PDF of page images for a longer one."""
    pages = scan_pages(notice, seed)
    if len(pages) == 1:
        path = Path(folder) / f"{notice.name}-scan.jpg"
        pages[0].save(path, format="JPEG", quality=85, dpi=(DPI, DPI))
    else:
        path = Path(folder) / f"{notice.name}-scan.pdf"
        pages[0].save(path, format="PDF", save_all=True, append_images=pages[1:], resolution=float(DPI))
    return path


def write_tiff(notice: WideNotice, folder: Path, seed: int = 0) -> Path:
    """A received fax: every page as a bilevel frame of one TIFF (CCITT Group 4), as fax servers store them."""
    from PIL import Image

    rng = _rng(notice, seed, "fax")
    frames = []
    for page in scan_pages(notice, seed):
        threshold = rng.randrange(150, 190)
        frames.append(page.point(lambda value: 255 if value > threshold else 0).convert("1"))
    path = Path(folder) / f"{notice.name}-fax.tif"
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:], compression="group4",
                   dpi=(DPI, DPI))
    return path


# --------------------------------------------------------------------------------------------------------------
# Phone photos


def _perspective_coefficients(source: list[tuple[float, float]], target: list[tuple[float, float]]):
    """Pillow's PERSPECTIVE data: for each output pixel (target corner) where to sample in the input (source)."""
    rows = []
    for (x, y), (u, v) in zip(target, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    return _solved(rows)


def _solved(rows: list[list[float]]) -> list[float]:
    """The solution of the square linear system whose augmented rows are `rows`: Gauss-Jordan elimination with
    partial pivoting (eight unknowns here; numpy came only through matplotlib, no longer a dependency)."""
    size = len(rows)
    rows = [[float(value) for value in row] for row in rows]
    for column in range(size):
        pivot = max(range(column, size), key=lambda row: abs(rows[row][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        lead = rows[column][column]
        rows[column] = [value / lead for value in rows[column]]
        for row in range(size):
            if row != column and rows[row][column]:
                factor = rows[row][column]
                rows[row] = [value - factor * base for value, base in zip(rows[row], rows[column])]
    return [row[size] for row in rows]


def photo_page(lines: list[str], rng: random.Random):
    """A page photographed on a table: keystone and a 1-4 degree skew, light falling off to one side, a
    soft-edged shadow darkening part of the page by 40-60% (never to black), a slightly soft focus and the
    warm colour cast of indoor light. (Worked in grayscale and coloured at the end: three times quicker.)"""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    page = page_image(lines, ink=rng.randrange(15, 45)).point(lambda v: 40 + v * 200 // 255)  # gray paper

    # Lay the sheet on a table and look at it a little from one side (one edge narrower), turned by 1-4
    # degrees: one perspective mapping from the flat sheet's corners to where they land in the picture.
    border = 140
    table = rng.randrange(60, 110)
    canvas = Image.new("L", (page.width + 2 * border, page.height + 2 * border), table)
    canvas.paste(page, (border, border))
    w, h = canvas.size
    squeeze = rng.uniform(0.015, 0.04) * w
    flat = [(0, 0), (w, 0), (w, h), (0, h)]
    seen = [(squeeze, 0), (w - squeeze, 0), (w, h), (0, h)] if rng.random() < 0.5 else \
        [(0, 0), (w, 0), (w - squeeze, h), (squeeze, h)]
    angle = math.radians(rng.uniform(1.0, 4.0) * rng.choice((-1, 1)))
    cx, cy = w / 2, h / 2
    seen = [(cx + (x - cx) * math.cos(angle) - (y - cy) * math.sin(angle),
             cy + (x - cx) * math.sin(angle) + (y - cy) * math.cos(angle)) for x, y in seen]
    canvas = canvas.transform(canvas.size, Image.Transform.PERSPECTIVE, _perspective_coefficients(flat, seen),
                              resample=Image.Resampling.BICUBIC, fillcolor=table)

    # The light, drawn at a quarter of the size and enlarged (smooth anyway, and much quicker):
    # uneven, from full brightness on one side to about three quarters on the other...
    w4, h4 = w // 4, h // 4
    low = rng.randrange(175, 200)
    light = Image.linear_gradient("L").point(lambda v: 255 - (255 - low) * v // 255)
    light = light.rotate(rng.uniform(0, 360), resample=Image.Resampling.BICUBIC, fillcolor=255)
    light = light.crop((40, 40, 216, 216)).resize((w4, h4), Image.Resampling.BICUBIC)
    # ...and a soft shadow (the phone, a hand) over a band from one edge: 40-60% darker, blurred edge.
    keep = int(255 * (1 - rng.uniform(0.40, 0.60)))
    shadow = Image.new("L", (w4, h4), 255)
    depth_x, depth_y = int(w4 * rng.uniform(0.25, 0.45)), int(h4 * rng.uniform(0.2, 0.4))
    shapes = {
        "left": [(0, 0), (depth_x, 0), (int(depth_x * 0.7), h4), (0, h4)],
        "right": [(w4 - depth_x, 0), (w4, 0), (w4, h4), (w4 - int(depth_x * 1.2), h4)],
        "bottom": [(0, h4 - int(depth_y * 0.6)), (w4, h4 - depth_y), (w4, h4), (0, h4)],
        "corner": [(w4 - int(depth_x * 1.3), h4), (w4, h4 - int(depth_y * 1.4)), (w4, h4)],
    }
    ImageDraw.Draw(shadow).polygon(shapes[rng.choice(sorted(shapes))], fill=keep)
    shadow = shadow.filter(ImageFilter.GaussianBlur(rng.uniform(9, 18)))
    light = ImageChops.multiply(light, shadow).resize(canvas.size, Image.Resampling.BILINEAR)
    canvas = ImageChops.multiply(canvas, light).filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.2)))

    tint = (rng.randrange(245, 256), rng.randrange(236, 250), rng.randrange(215, 235))
    return Image.merge("RGB", [canvas.point(lambda v, t=t: v * t // 255) for t in tint])


def photo_pages(notice: WideNotice, seed: int = 0) -> list:
    return [photo_page(lines, _rng(notice, seed, f"photo-page-{index}")) for index, lines in enumerate(notice.pages)]


def photo_orientation(notice: WideNotice, seed: int = 0) -> int:
    """The EXIF orientation a phone records for this notice: 1 (upright) mostly, 6 or 8 for about a third."""
    return _rng(notice, seed, "orientation").choice((1, 1, 1, 1, 6, 8))


PHOTO_FORMATS = {"jpeg": ("jpg", "JPEG"), "heic": ("heic", "HEIF"), "png": ("png", "PNG")}


def write_photo(notice: WideNotice, folder: Path, seed: int = 0, page: int | None = None, fmt: str = "jpeg") -> Path:
    """A phone photo (JPEG quality 75; or HEIC, as iPhones save them, or PNG, as screenshots are). A one-page
    notice, or `page=k` (1-based), gives one image, possibly stored sideways with an EXIF orientation tag; a
    longer notice gives the PDF a phone scanning app makes of its pages' JPEG photos."""
    from PIL import Image

    if page is None and len(notice.pages) > 1:
        path = Path(folder) / f"{notice.name}-photo.pdf"
        jpegs = []
        for photo in photo_pages(notice, seed):  # each page JPEG-compressed first, as the app does
            buffer = io.BytesIO()
            photo.save(buffer, format="JPEG", quality=75)
            buffer.seek(0)
            jpegs.append(Image.open(buffer).convert("RGB"))
        jpegs[0].save(path, format="PDF", save_all=True, append_images=jpegs[1:], resolution=float(DPI))
        return path
    index = (page or 1) - 1
    photo = photo_page(notice.pages[index], _rng(notice, seed, f"photo-page-{index}"))
    orientation = photo_orientation(notice, seed + index)
    if orientation == 6:  # the viewer turns it 90 degrees clockwise to show it upright
        photo = photo.transpose(Image.Transpose.ROTATE_90)
    elif orientation == 8:  # the viewer turns it 90 degrees counter-clockwise
        photo = photo.transpose(Image.Transpose.ROTATE_270)
    exif = Image.Exif()
    exif[0x0112] = orientation
    suffix, kind = PHOTO_FORMATS[fmt]
    if fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    path = Path(folder) / f"{notice.name}-photo{f'-p{page}' if page is not None else ''}.{suffix}"
    options = {"quality": 75} if fmt != "png" else {"optimize": False}
    if fmt == "heic":  # the HEVC encoder's quickest preset: its default took 4 s of CPU for one page (how the file
        options["enc_params"] = {"preset": "ultrafast"}  # was made is not what is read; it is HEIC all the same)
    photo.save(path, format=kind, exif=exif.tobytes(), **options)
    return path


WRITERS = {"text": write_text, "pdf": write_pdf, "scan": write_scan, "tiff": write_tiff, "photo": write_photo}


def source_types(notice: WideNotice) -> list[str]:
    """The source types the benchmark reads this notice as: a fax TIFF only for fax-like notices."""
    return ["text", "pdf", "scan", *(["tiff"] if notice.fax_like else []), "photo"]


if __name__ == "__main__":  # write every variant of every notice into a folder, to look at them
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "wide-variants")
    out.mkdir(exist_ok=True)
    for item in load_wide():
        for kind in source_types(item):
            print(WRITERS[kind](item, out))
