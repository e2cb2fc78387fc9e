"""Reading a page's picture with the Tesseract OCR program, and saying plainly where it could not be read.

Tesseract runs as a program (its command-line interface, in every Linux distribution and in Homebrew), one page
at a time, with a time limit. Its TSV output gives each word with its place on the page and how sure Tesseract is
of it (0-100). A line keeps the lowest of its words' confidences, so the fields read from it can be marked for
checking; and the page is judged as a whole, so that nothing is lost silently: a run of lines Tesseract was unsure
of, a dark patch where it found no words, or a page with almost no text is said in words ("Page 2: lines 10-18
(in the middle of the page) could not be read clearly; check them against the paper").
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from appeal.base.errors import UserError
from appeal.intake import photo

INSTALL_TESSERACT = (
    "Reading a scan or a photo needs the Tesseract OCR program, which is not installed. Install it "
    "(Debian/Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-eng; macOS: brew install tesseract), "
    "or give the notice as a text PDF or as text."
)
# One page takes Tesseract a few seconds; a page still not read after this is abandoned with a message.
PAGE_SECONDS = 120
# A line whose words Tesseract is, on average, less sure of than this was not read clearly: said when two such
# lines come together (a name alone can score 55-60 and be right), or when one scores under VERY_UNCLEAR.
UNCLEAR = 60
VERY_UNCLEAR = 40
# Lines this close to the top or the bottom of the picture are the paper's edge or the table, not text.
EDGE = 0.02
# A part of the page this dark after the clean-up (the share of its pixels that are black), with no word found
# in it, is a patch Tesseract could not read: a shadow too deep, a black bar with white writing.
DARK = 0.45
# A page where fewer characters than this were read clearly has almost no text on it that could be read.
FEW_CHARACTERS = 40


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float  # the lowest of its words' confidences
    mean: float  # the mean of its words' confidences
    top: int  # its place on the cleaned page, in pixels from the top
    bottom: int


@dataclass(frozen=True)
class PageReading:
    """What Tesseract read on one page, and the parts of the page (pixel rows from the top) that were dark but
    gave no words."""

    lines: tuple[OcrLine, ...]
    height: int
    dark_parts: tuple[tuple[int, int], ...] = ()


def tesseract_path() -> str:
    found = shutil.which("tesseract")
    if not found:
        raise UserError(INSTALL_TESSERACT)
    return found


def read_page(image: Any, name: str) -> PageReading:
    """One page's picture, cleaned up (appeal/intake/photo.py) and read. Wide gaps between words become three
    spaces, so 'Member ID: X   Group: Y' keeps its two columns apart. `name` says which page of which file, for
    a message."""
    program = tesseract_path()
    page = photo.prepare(image)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", dpi=(300, 300))
    try:
        result = subprocess.run(
            [program, "stdin", "stdout", "-l", "eng", "--psm", "4", "--dpi", "300", "tsv"],
            input=buffer.getvalue(), capture_output=True, check=False, timeout=PAGE_SECONDS,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one page: threads only contend with each other
        )
    except subprocess.TimeoutExpired:
        raise UserError(f"Tesseract took more than {PAGE_SECONDS} seconds to read {name}, so it was stopped; "
                        "try a smaller or clearer photo.") from None
    if result.returncode != 0:
        problem = result.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = " Is the English language data installed (tesseract-ocr-eng)?" if "eng" in " ".join(problem) else ""
        raise UserError(f"Tesseract could not read {name}: {problem[-1] if problem else 'unknown error'}.{hint}")
    lines = tsv_lines(result.stdout.decode("utf-8", "replace"))
    return PageReading(tuple(lines), page.height, _dark_parts(page, lines))


def tsv_lines(tsv: str) -> list[OcrLine]:
    """Tesseract's TSV (one row a word: level, page, block, paragraph, line, word, left, top, width, height,
    confidence, text) as lines, top to bottom as Tesseract found them."""
    grouped: dict[tuple[str, ...], list[tuple[int, int, int, int, float, str]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(cell) for cell in cells[6:10])
        grouped.setdefault(tuple(cells[1:5]), []).append((left, top, width, height, float(cells[10]), cells[11]))
    lines = []
    for words in grouped.values():
        text, end = "", None
        for left, _, width, height, _, word in words:
            if end is not None:
                text += "   " if left - end > 1.5 * height else " "
            text += word
            end = left + width
        confidences = [word[4] for word in words]
        lines.append(OcrLine(text, min(confidences), sum(confidences) / len(confidences),
                             min(word[1] for word in words), max(word[1] + word[3] for word in words)))
    return lines


def _dark_parts(page: Any, lines: list[OcrLine]) -> tuple[tuple[int, int], ...]:
    """Bands of the cleaned page (a fiftieth of its height each) mostly black and holding no word read, joined."""
    from PIL import Image

    bands = 50
    height = page.height
    darkness = page.convert("L").resize((1, bands), Image.Resampling.BOX).tobytes()  # each band's mean
    parts: list[tuple[int, int]] = []
    for band, mean in enumerate(darkness):
        top, bottom = band * height // bands, (band + 1) * height // bands
        if 255 - mean < DARK * 255 or any(line.top < bottom and line.bottom > top for line in lines):
            continue
        if parts and parts[-1][1] == top:
            parts[-1] = (parts[-1][0], bottom)
        else:
            parts.append((top, bottom))
    return tuple(parts)


def _where(top: int, bottom: int, height: int) -> str:
    middle = (top + bottom) / 2 / max(height, 1)
    return "near the top of the page" if middle < 1 / 3 else "in the middle of the page" if middle < 2 / 3 \
        else "near the bottom of the page"


def _spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Runs of line numbers, a single line between two of them taken in: (3, 4, 6, 9) -> (3, 6), (9, 9)."""
    spans: list[tuple[int, int]] = []
    for number in numbers:
        if spans and spans[-1][1] >= number - 2:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))
    return spans


def unclear_notes(page_number: int, reading: PageReading, *, typed_text: bool = False) -> list[str]:
    """What could not be read on this page, in plain words for the person holding the paper; [] when all was.
    With `typed_text` the page has typed lines besides its picture, so a picture with no text is no loss."""
    clear = sum(len(line.text) for line in reading.lines if line.mean >= UNCLEAR)
    if clear < FEW_CHARACTERS and not reading.dark_parts:
        if typed_text:
            return []
        return [f"Page {page_number}: almost no text could be read. If it has writing on it, check that page against "
                "the paper, or take a sharper photo in even light."]
    notes = []
    inside = EDGE * reading.height, (1 - EDGE) * reading.height
    unclear = [number for number, line in enumerate(reading.lines, 1)
               if line.mean < UNCLEAR and line.top > inside[0] and line.bottom < inside[1]]
    for first, last in _spans(unclear):
        if first == last and reading.lines[first - 1].mean >= VERY_UNCLEAR:
            continue
        top, bottom = reading.lines[first - 1].top, reading.lines[last - 1].bottom
        where = _where(top, bottom, reading.height)
        notes.append(f"Page {page_number}: line {first} ({where}) could not be read clearly; check it against the "
                     "paper." if first == last else f"Page {page_number}: lines {first}-{last} ({where}) could not "
                     "be read clearly; check them against the paper.")
    for top, bottom in reading.dark_parts:
        notes.append(f"Page {page_number}: a dark part {_where(top, bottom, reading.height)} could not be read; "
                     "check it against the paper, or take a photo in even light.")
    return notes
