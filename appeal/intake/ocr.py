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
from appeal.base.language import N_, translate as _
from appeal.intake import photo

INSTALL_TESSERACT = N_(
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
# A part of the page this dark after the clean-up and the threshold (the share of its pixels that are black), with no word found
# in it, is a patch Tesseract could not read: a shadow too deep, a black bar with white writing.
DARK = 0.45
# Layout (`laid_out`): a gap this many times the usual gap between words is two spaces, WIDER_GAP three or more;
# each space beyond the first widens a gap by SPACE_STEP of the usual gap (measured on scans of the wide corpus,
# DejaVu Sans: one space 0.7-1.25 (99%), two 1.4-1.9, three 2.0-2.7, four 2.6-3.5, seventeen 12.5). A line this many times the usual distance
# below the one before has a blank line before it (a paragraph's end), and a line's indent is measured from the
# leftmost of the lines this close to it (a phone photo's page is narrower at one end).
WIDE_GAP = 1.6
WIDER_GAP = 1.95
SPACE_STEP = 0.7
PARAGRAPH = 1.6
MARGIN_LINES = 6
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
        raise UserError(_(INSTALL_TESSERACT))
    return found


def read_page(image: Any, name: str) -> PageReading:
    """One page's picture, cleaned up (appeal/intake/photo.py) and read, its lines laid out as typed (blank lines
    between paragraphs, columns apart: `laid_out`). `name` says which page of which file, for a message."""
    program = tesseract_path()
    page = photo.prepare(image)
    buffer = io.BytesIO()
    # The least compression: the page only crosses a pipe. Pillow's default level took 0.3 s a page, level 1 takes
    # 0.1 s; no compression would take none, but Tesseract reads standard input slowly, about 0.04 s a megabyte.
    page.save(buffer, format="PNG", dpi=(300, 300), compress_level=1)
    try:
        result = subprocess.run(
            [program, "stdin", "stdout", "-l", "eng", "--psm", "4", "--dpi", "300", "tsv"],
            input=buffer.getvalue(), capture_output=True, check=False, timeout=PAGE_SECONDS,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one page: threads only contend with each other
        )
    except subprocess.TimeoutExpired:
        raise UserError(_("Tesseract took more than {seconds} seconds to read {name}, so it was stopped; try a "
                          "smaller or clearer photo.").format(seconds=PAGE_SECONDS, name=name)) from None
    if result.returncode != 0:
        problem = result.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = " " + _("Is the English language data installed (tesseract-ocr-eng)?") if "eng" in " ".join(problem) else ""
        raise UserError(_("Tesseract could not read {name}: {problem}.").format(
            name=name, problem=problem[-1] if problem else _("unknown error")) + hint)
    lines = tsv_lines(result.stdout.decode("utf-8", "replace"))
    return PageReading(tuple(lines), page.height,
                       _dark_parts(photo.black_and_white(page), [line for line in lines if line.text]))


def tsv_lines(tsv: str) -> list[OcrLine]:
    """Tesseract's TSV (one row a word: level, page, block, paragraph, line, word, left, top, width, height,
    confidence, text) as the lines of the page, laid out as they were typed (`laid_out`)."""
    grouped: dict[tuple[str, ...], list[_Word]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(cell) for cell in cells[6:10])
        grouped.setdefault(tuple(cells[1:5]), []).append(_Word(left, top, width, height, float(cells[10]), cells[11]))
    return laid_out(list(grouped.values()))


@dataclass(frozen=True)
class _Word:
    left: int
    top: int
    width: int
    height: int
    confidence: float
    text: str


def laid_out(lines: list[list[_Word]]) -> list[OcrLine]:
    """The words of each line (top to bottom, as Tesseract found them) as text laid out as it was typed, because
    the notice's fields are found by its layout as much as by its words: paragraphs end at a blank line, a value
    ends at a wide gap, a table's columns are two or more spaces apart, an explanation is indented under its code.
    So a gap between words wider than a space becomes as many spaces as fit in it, a line that starts right of
    the lines near it is indented by the spaces that fit there, and a line further below the one before than
    lines usually are has a blank line before it (empty text, sure)."""
    lines = _rows(lines)
    gaps = [b.left - (a.left + a.width) for words in lines for a, b in zip(words, words[1:])]
    # A space between two words, with the letters' own margins: the usual gap. Each space more adds SPACE_STEP
    # of it (a space is narrower than the margins and the space together).
    usual = max(_median(gaps) if len(gaps) >= 3 else 0, 1)
    step = SPACE_STEP * usual
    tops = [min(word.top for word in words) for words in lines]
    pitch = _median([b - a for a, b in zip(tops, tops[1:]) if b > a])
    lefts = [words[0].left for words in lines]
    found: list[OcrLine] = []
    for index, words in enumerate(lines):
        if pitch and index and tops[index] - tops[index - 1] > PARAGRAPH * pitch:
            found.append(OcrLine("", 100.0, 100.0, tops[index - 1], tops[index - 1]))
        margin = min(lefts[max(0, index - MARGIN_LINES): index + MARGIN_LINES + 1])
        indent = round((words[0].left - margin) / step)
        text = " " * indent if indent >= 2 else ""  # one space is the slant of a photo's margin, not an indent
        for before, word in zip([None, *words], words):
            if before is not None:
                gap = word.left - (before.left + before.width)
                text += " " if gap < WIDE_GAP * usual else "  " if gap < WIDER_GAP * usual \
                    else " " * max(3, 1 + round((gap - usual) / step))
            text += word.text
        confidences = [word.confidence for word in words]
        found.append(OcrLine(text, min(confidences), sum(confidences) / len(confidences), tops[index],
                             max(word.top + word.height for word in words)))
    return found


def _rows(lines: list[list[_Word]]) -> list[list[_Word]]:
    """Lines Tesseract found side by side put back into one row, top to bottom: a value far to the right of its
    label is sometimes taken for a block of its own and read after the rest. A line joins a row when its middle is
    level with the row's first line's and it lies wholly left or right of the row's words."""
    rows: list[list[_Word]] = []
    levels: list[tuple[float, float]] = []  # each row's first line: its middle and half its height
    for words in lines:
        if not words:
            continue
        middle = sum(word.top + word.height / 2 for word in words) / len(words)
        start, end = words[0].left, words[-1].left + words[-1].width
        for row, (level, half) in zip(reversed(rows), reversed(levels)):
            if abs(level - middle) < half and (start > row[-1].left + row[-1].width or end < row[0].left):
                row.extend(words)
                row.sort(key=lambda word: word.left)
                break
        else:
            rows.append(list(words))
            levels.append((middle, max(word.height for word in words) / 2))
    return sorted(rows, key=lambda row: min(word.top for word in row))


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    return float(ordered[len(ordered) // 2]) if ordered else 0.0


def _dark_parts(page: Any, lines: list[OcrLine]) -> tuple[tuple[int, int], ...]:
    """Bands of the black-and-white page (a fiftieth of its height each) mostly black and holding no word read, joined."""
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
    return _("near the top of the page") if middle < 1 / 3 else _("in the middle of the page") if middle < 2 / 3 \
        else _("near the bottom of the page")


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
        return [_("Page {number}: almost no text could be read. If it has writing on it, check that page against "
                  "the paper, or take a sharper photo in even light.").format(number=page_number)]
    notes = []
    inside = EDGE * reading.height, (1 - EDGE) * reading.height
    unclear = [number for number, line in enumerate(reading.lines, 1)
               if line.mean < UNCLEAR and line.top > inside[0] and line.bottom < inside[1]]
    for first, last in _spans(unclear):
        if first == last and reading.lines[first - 1].mean >= VERY_UNCLEAR:
            continue
        top, bottom = reading.lines[first - 1].top, reading.lines[last - 1].bottom
        where = _where(top, bottom, reading.height)
        notes.append((_("Page {number}: line {first} ({where}) could not be read clearly; check it against the "
                        "paper.") if first == last else
                      _("Page {number}: lines {first}-{last} ({where}) could not be read clearly; check them against "
                        "the paper.")).format(number=page_number, first=first, last=last, where=where))
    for top, bottom in reading.dark_parts:
        notes.append(_("Page {number}: a dark part {where} could not be read; check it against the paper, or take a "
                       "photo in even light.").format(number=page_number, where=_where(top, bottom, reading.height)))
    return notes
