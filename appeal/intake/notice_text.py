"""A denial notice as lines of text, whatever it came as: plain text, a text PDF, a scanned PDF or a photo.

Everything stays on this machine. Text PDFs are read with pypdf (pure Python, well kept, no system library; it
also hands over the page images of a scanned PDF, so one library serves both). Scans and photos are read by the
Tesseract OCR program, after the usual clean-up with Pillow: grayscale, contrast, speckle removal, deskew and a
threshold. Tesseract reports how sure it is of each word; each OCR line keeps the lowest of these, so the fields
read from it can be marked for checking.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from appeal.base.errors import UserError
from appeal.base.images import image_or_none

INSTALL_TESSERACT = (
    "Reading a scan or a photo needs the Tesseract OCR program, which is not installed. Install it "
    "(Debian/Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-eng; macOS: brew install tesseract), "
    "or give the notice as a text PDF or as text."
)
# A PDF page with less text than this is a scanned image, not typed text.
MIN_TEXT_CHARS = 40
# Tesseract reads best when capital letters are 20-40 pixels tall: photos are scaled to about 300 dpi.
TARGET_WIDTH = 2500


@dataclass(frozen=True)
class Line:
    """One line of the notice. `confidence` is Tesseract's lowest word confidence (0-100); None for typed text."""

    number: int
    text: str
    confidence: float | None = None


@dataclass(frozen=True)
class NoticeText:
    name: str
    source: str  # "text", "pdf" or "ocr"
    lines: tuple[Line, ...]

    @property
    def ocr(self) -> bool:
        return self.source == "ocr"


def from_string(text: str, name: str = "the notice", source: str = "text") -> NoticeText:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    return NoticeText(name, source, tuple(Line(n, line.rstrip()) for n, line in enumerate(lines, 1)))


MAX_NOTICE_BYTES = 50 * 1024 * 1024  # a scanned multi-page notice is a few MB; a larger file is not a notice


def read(path: str | Path) -> NoticeText:
    """The notice at `path` ('-' for standard input), read by what its bytes are, not by its name."""
    if str(path) == "-":
        return from_string(sys.stdin.read(), "the pasted text")
    from appeal.base import loader

    path = Path(path)
    data = loader.read_bytes(path, max_bytes=MAX_NOTICE_BYTES, what="notice")
    if data.lstrip()[:5] == b"%PDF-":
        return _read_pdf(data, path)
    image = image_or_none(data, path)  # an iPhone's HEIC photo too (pillow-heif)
    if image is not None:
        return from_ocr(ocr_lines(image), str(path))
    if b"\x00" in data[:4096]:
        raise UserError(f"{path} is neither a PDF, an image nor text; give the notice as a PDF, a photo or text.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return from_string(text, str(path))


def from_ocr(lines: list[tuple[str, float]], name: str) -> NoticeText:
    return NoticeText(name, "ocr", tuple(Line(n, text, conf) for n, (text, conf) in enumerate(lines, 1)))


def _read_pdf(data: bytes, path: Path) -> NoticeText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(f"{path} is protected by a password; save an unprotected copy and import that.")
        pages = list(reader.pages)
        texts = [_page_text(page) for page in pages]
    except PdfReadError as error:
        raise UserError(f"{path} is a damaged PDF ({error}); try printing it to a new PDF.") from None
    if sum(len(text.strip()) for text in texts) >= MIN_TEXT_CHARS * len(pages):
        return from_string("\n".join(texts), str(path), source="pdf")
    lines: list[tuple[str, float]] = []
    for page in pages:  # a scan: one picture per page, the largest if there are several
        images = [item.image for item in page.images]
        if images:
            lines += ocr_lines(max(images, key=lambda image: image.width * image.height))
    if not lines:
        raise UserError(f"{path} has no text and no scanned pages to read.")
    return from_ocr(lines, str(path))


def _page_text(page) -> str:
    """Layout mode keeps the blank lines between paragraphs and the gaps between columns, which the labels and
    paragraphs are found by; plain mode is the fallback for the rare page layout mode cannot handle."""
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # pypdf's layout mode is newer and less tested than its plain mode
        return page.extract_text() or ""


# --------------------------------------------------------------------------------------------------------------
# Cleaning a scan up before OCR


def clean(image):
    """Grayscale, scaled, contrast stretched, speckles removed, straightened, and black on white."""
    from PIL import Image, ImageFilter, ImageOps

    gray = ImageOps.grayscale(ImageOps.exif_transpose(image))
    if gray.width < TARGET_WIDTH * 0.8 or gray.width > TARGET_WIDTH * 1.6:  # a phone photo: no need for 500 dpi
        scale = TARGET_WIDTH / gray.width
        gray = gray.resize((TARGET_WIDTH, round(gray.height * scale)), Image.Resampling.LANCZOS)
    gray = ImageOps.autocontrast(gray.filter(ImageFilter.MedianFilter(3)), cutoff=1)
    angle = skew_angle(gray)
    if abs(angle) >= 0.1:
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    level = otsu_threshold(gray)
    return gray.point(lambda value: 255 if value > level else 0)


def otsu_threshold(gray) -> int:
    """The gray level that best separates ink from paper (Otsu's method, on the histogram)."""
    histogram = gray.histogram()[:256]
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))
    background = weighted = 0.0
    best, best_level = -1.0, 128
    for level, count in enumerate(histogram):
        background += count
        if background == 0 or background == total:
            continue
        weighted += level * count
        mean_dark = weighted / background
        mean_light = (weighted_total - weighted) / (total - background)
        between = background * (total - background) * (mean_dark - mean_light) ** 2
        if between > best:
            best, best_level = between, level
    return best_level


def skew_angle(gray, limit: float = 5.0, step: float = 0.25) -> float:
    """The rotation that makes the text lines horizontal: where rows of ink are sharpest (projection profile)."""
    from PIL import Image

    small = gray.resize((800, max(1, round(gray.height * 800 / gray.width))))
    level = otsu_threshold(small)
    ink = small.point(lambda value: 255 if value <= level else 0)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        width = turned.width
        data = turned.tobytes()
        rows = [sum(data[start : start + width]) for start in range(0, len(data), width)]
        return sum((a - b) ** 2 for a, b in zip(rows, rows[1:]))

    angles = [n * step for n in range(-round(limit / step), round(limit / step) + 1)]
    return max(angles, key=lambda angle: (sharpness(angle), -abs(angle)))


# --------------------------------------------------------------------------------------------------------------
# OCR


def tesseract_path() -> str:
    found = shutil.which("tesseract")
    if not found:
        raise UserError(INSTALL_TESSERACT)
    return found


def ocr_lines(image) -> list[tuple[str, float]]:
    """The picture's text lines, each with Tesseract's lowest word confidence. Wide gaps become three spaces,
    so 'Member ID: X   Group: Y' keeps its two columns apart."""
    program = tesseract_path()
    buffer = io.BytesIO()
    clean(image).save(buffer, format="PNG", dpi=(300, 300))
    try:
        result = subprocess.run(
            [program, "stdin", "stdout", "-l", "eng", "--psm", "4", "--dpi", "300", "tsv"],
            input=buffer.getvalue(), capture_output=True, check=False, timeout=300,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one page: threads only contend with each other
        )
    except subprocess.TimeoutExpired:
        raise UserError("Tesseract took too long to read the picture; try a smaller or clearer photo.") from None
    if result.returncode != 0:
        problem = result.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = " Is the English language data installed (tesseract-ocr-eng)?" if "eng" in " ".join(problem) else ""
        raise UserError(f"Tesseract could not read the picture: {problem[-1] if problem else 'unknown error'}.{hint}")
    return _tsv_lines(result.stdout.decode("utf-8", "replace"))


def _tsv_lines(tsv: str) -> list[tuple[str, float]]:
    grouped: dict[tuple[str, ...], list[tuple[int, int, int, float, str]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        key = tuple(cells[1:5])
        left, width, height = int(cells[6]), int(cells[8]), int(cells[9])
        grouped.setdefault(key, []).append((left, width, height, float(cells[10]), cells[11]))
    lines = []
    for words in grouped.values():
        text, end = "", None
        for left, width, height, _, word in words:
            if end is not None:
                text += "   " if left - end > 1.5 * height else " "
            text += word
            end = left + width
        lines.append((text, min(conf for _, _, _, conf, _ in words)))
    return lines
