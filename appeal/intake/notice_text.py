"""A denial notice as lines of text, whatever it came as: plain text, a text PDF, a scanned PDF, a fax TIFF or a
photo; every page of it, and a plain account of what could not be read.

Everything stays on this machine. PDFs are read with pypdf (pure Python, well kept, no system library): each page
by its own text, or, when a page has none, by OCR of its picture, so a scanned page after a typed one is read
too. Pictures (JPEG, PNG, TIFF with each of its pages, an iPhone's HEIC) are cleaned up (appeal/intake/photo.py)
and read by Tesseract (appeal/intake/ocr.py), which also says which lines it could not read clearly.

A file is a notice only within bounds, all checked before the text is parsed: at most 50 MB read (a regular file
only: a pipe or a device is refused by name), a text notice at most 2 MB, at most 20 pages read, 3,000 lines and
500,000 characters in all, 20,000 characters a line, 50 million pixels a picture (Pillow's decompression-bomb
limit first), and 20 seconds of processor time for pypdf's work on a PDF (a subprocess's timeout for Tesseract's).
A file past a bound is a message that names it and says what is wrong; pages past the page bound are left unread
and said to be.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appeal.base.errors import UserError
from appeal.base.language import translate as _
from appeal.intake.photo import TARGET_WIDTH

# A PDF page with less text than this is a scanned image, not typed text.
MIN_TEXT_CHARS = 40
MAX_NOTICE_BYTES = 50 * 1024 * 1024  # a scanned multi-page notice is a few MB; a larger file is not a notice
MAX_TEXT_BYTES = 2 * 1024 * 1024  # a notice typed out is a few kB a page
MAX_PAGES = 20  # a notice is 1-10 pages; an explanation of benefits a few more
MAX_LINES = 3_000  # 20 full pages, with room: the field search looks back over lines, so lines cost time
MAX_TEXT_CHARS = 500_000
MAX_LINE_CHARS = 20_000  # a paragraph pasted as one line is a few thousand characters
MAX_PICTURE_PIXELS = 50_000_000  # a 48-megapixel phone photo; a larger JPEG is decoded at a smaller scale first
PDF_SECONDS = 20
# A page's drawing instructions, decompressed: a typed page is 10-100 kB, one with charts a few MB. Millions of
# instructions cost pypdf seconds and hundreds of MB before its own token limit stops it.
MAX_PAGE_CONTENT = 10 * 1024 * 1024
# A large JPEG is decoded at the smallest scale (a half, a quarter, an eighth) still this size.
_FIT = (TARGET_WIDTH, TARGET_WIDTH)
# A page with this little typed text and a picture this large is a scan with a typed stamp (a fax header): both
# are read.
STAMP_CHARS = 400
SCAN_PIXELS = 1_000_000


@dataclass(frozen=True)
class Line:
    """One line of the notice. `confidence` is Tesseract's lowest word confidence (0-100); None for typed text.
    `number` counts the lines of the whole notice; `page` is the page it is on."""

    number: int
    text: str
    confidence: float | None = None
    page: int = 1


@dataclass(frozen=True)
class NoticeText:
    name: str
    source: str  # "text", "pdf" or "ocr" (a picture, or a PDF with at least one page read from its picture)
    lines: tuple[Line, ...]
    pages: int = 1  # the pages the file has
    pages_read: int = 1  # the first `pages_read` of them were read
    notes: tuple[str, ...] = field(default=())  # what could not be read, in plain words, page by page

    @property
    def ocr(self) -> bool:
        return self.source == "ocr"

    def where(self, line: Line) -> str:
        """'line 12', or 'page 2, line 3' in a notice of several pages (lines counted on their page)."""
        if self.pages_read <= 1 or line.number == 0:  # one page, or a value the person typed
            return _("line {number}").format(number=line.number)
        first = next((item.number for item in self.lines if item.page == line.page), line.number)
        return _("page {page}, line {number}").format(page=line.page, number=line.number - first + 1)

    def pages_said(self) -> str:
        """Which pages were read: 'its one page', 'pages 1-3 of 3', 'pages 1-20 of 45'."""
        if self.pages <= 1:
            return _("its one page")
        return (_("pages 1-{read} of {pages}") if self.pages_read > 1 else _("page 1 of {pages}")).format(
            read=self.pages_read, pages=self.pages)


def from_string(text: str, name: str = "the notice", source: str = "text") -> NoticeText:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    return NoticeText(name, source, tuple(Line(n, line.rstrip()) for n, line in enumerate(lines, 1)))


def from_ocr(lines: list[tuple[str, float]], name: str) -> NoticeText:
    return NoticeText(name, "ocr", tuple(Line(n, text, conf) for n, (text, conf) in enumerate(lines, 1)))


def read(path: str | Path) -> NoticeText:
    """The notice at `path` ('-' for standard input), read by what its bytes are, not by its name."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        pasted = stream.read(MAX_TEXT_BYTES + 1) if stream else sys.stdin.read(MAX_TEXT_BYTES + 1).encode()
        return _text_notice(pasted, _("the pasted text"))
    from appeal.base import images, loader

    path = Path(path)
    data = loader.read_bytes(path, max_bytes=MAX_NOTICE_BYTES, what="notice")
    if data.lstrip()[:5] == b"%PDF-":
        return _read_pdf(data, str(path))
    image = images.image_or_none(data, path, max_pixels=MAX_PICTURE_PIXELS, fit=_FIT)  # HEIC too (pillow-heif)
    if image is not None:
        return _read_picture(image, str(path))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(_("{path} is neither a PDF, an image nor text; give the notice as a PDF, a photo or text.").format(
            path=path))
    return _text_notice(data, str(path))


# --------------------------------------------------------------------------------------------------------------
# Text, and the bounds every notice's text is held to


def _text_notice(data: bytes, name: str) -> NoticeText:
    if len(data) > MAX_TEXT_BYTES:
        raise UserError(_("{name} is more than {size} MB of text, far more than a denial notice (a few pages). Check "
                          "that it is the right file, or copy just the notice into a file of its own.").format(
            name=name, size=MAX_TEXT_BYTES // (1024 * 1024)))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    notice = from_string(text, name)
    problem = _past_bounds(notice.lines)
    if problem:
        raise UserError(_("{name} {problem}, more than a denial notice holds. Check that it is the right file.").format(
            name=name, problem=problem))
    return notice


def _past_bounds(lines: tuple[Line, ...] | list[Line]) -> str | None:
    """What makes these lines more than a notice: too many, too long in all, or one too long; None if nothing."""
    if len(lines) > MAX_LINES:
        return _("has {count:,} lines").format(count=len(lines))
    if sum(len(line.text) for line in lines) > MAX_TEXT_CHARS:
        return _("has more than {count:,} characters").format(count=MAX_TEXT_CHARS)
    longest = max(lines, key=lambda line: len(line.text), default=None)
    if longest is not None and len(longest.text) > MAX_LINE_CHARS:
        return _("has a line {count:,} characters long (line {number})").format(count=len(longest.text),
                                                                                number=longest.number)
    return None


@dataclass
class _Pages:
    """A notice put together page by page, stopping at the bounds: the pages after are left unread, and said."""

    name: str
    pages: int
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    read: int = 0
    ocr: bool = False
    full: bool = False

    def add(self, number: int, texts: list[tuple[str, float | None]]) -> None:
        start = len(self.lines)
        new = [Line(start + index, text.rstrip(), confidence, number)
               for index, (text, confidence) in enumerate(texts, 1)]
        if _past_bounds(self.lines + new):
            self.full = True
            self.notes.append(_("Page {number} and the pages after it were not read: together with the pages before "
                                "they hold more text than a notice. If what you need is there, save those pages as a "
                                "file of their own and import that.").format(number=number))
            return
        self.lines += new
        self.read = number

    def notice(self, source: str) -> NoticeText:
        if self.read < self.pages and not self.full:
            self.notes.append(_("Only pages 1-{read} of {pages} were read: a notice is rarely longer. If what you need "
                                "is on a later page, save those pages as a file of their own and import that.").format(
                read=self.read, pages=self.pages))
        if not any(line.text.strip() for line in self.lines):
            raise UserError(_("{name} has no text and no scanned pages that could be read.").format(name=self.name)
                            + (" " + " ".join(self.notes) if self.notes else ""))
        return NoticeText(self.name, "ocr" if self.ocr else source, tuple(self.lines), self.pages, self.read,
                          tuple(self.notes))


# --------------------------------------------------------------------------------------------------------------
# Pictures: a photo, a scan, each page of a TIFF


def _read_picture(image: Any, name: str) -> NoticeText:
    """A photo or a scan; every page of a multi-page TIFF (a fax), each within the picture bound."""
    from appeal.base.images import too_large

    count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
    pages = _Pages(name, count, ocr=True)
    for number in range(1, min(count, MAX_PAGES) + 1):
        if number > 1:
            image.seek(number - 1)
            width, height = image.size
            if width * height > MAX_PICTURE_PIXELS:
                raise too_large(_("Page {number} of {name}").format(number=number, name=name), width, height)
        _ocr_page(pages, number, image)
        if pages.full:
            break
    return pages.notice("ocr")


def _ocr_page(pages: _Pages, number: int, picture: Any, typed: list[tuple[str, None]] | None = None) -> None:
    """The page's picture read by OCR, after the page's typed lines if it has any (a fax header)."""
    from appeal.intake import ocr

    try:
        reading = ocr.read_page(picture, _("page {number} of {name}").format(number=number, name=pages.name))
    except (OSError, ValueError, SyntaxError, EOFError) as error:  # a frame damaged past its header
        raise UserError(_("Page {number} of {name} is a damaged picture that cannot be read ({error}). Save or scan "
                          "it again.").format(number=number, name=pages.name,
                                              error=str(error) or type(error).__name__)) from None
    pages.notes += ocr.unclear_notes(number, reading, typed_text=bool(typed))
    pages.add(number, (typed or []) + [(line.text, line.confidence) for line in reading.lines])


# --------------------------------------------------------------------------------------------------------------
# PDFs: each page by its text, or by its picture


def _read_pdf(data: bytes, name: str) -> NoticeText:
    from appeal.base.time_bound import processor_time_bound

    late = _("{name} took more than {seconds} seconds of work to read, so reading it was stopped: it may be damaged. "
             "Open it and print it to a new PDF (Print, then Save as PDF), and import that.").format(
        name=name, seconds=PDF_SECONDS)
    with processor_time_bound(PDF_SECONDS, late):
        reader, count = _opened_pdf(data, name)
        pages = _Pages(name, count)
        for number in range(1, min(count, MAX_PAGES) + 1):
            page = _pdf_step(name, lambda: _bounded_page(reader, number, name))
            text = _pdf_step(name, lambda: _page_text(page))
            typed = [(line, None) for line in text.replace("\r", "\n").split("\n")] if text.strip() else []
            picture = None
            if len(text.strip()) < STAMP_CHARS:
                picture = _pdf_step(name, lambda: _page_picture(page, number, name))
            if picture is not None and (len(text.strip()) < MIN_TEXT_CHARS
                                        or picture.width * picture.height >= SCAN_PIXELS):
                pages.ocr = True
                _ocr_page(pages, number, picture, typed)
            else:
                pages.add(number, typed)
            if pages.full:
                break
    return pages.notice("pdf")


def _opened_pdf(data: bytes, name: str) -> tuple[Any, int]:
    from pypdf import PdfReader

    def opened() -> tuple[Any, int]:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock(reader, name)
        return reader, len(reader.pages)

    reader, count = _pdf_step(name, opened)
    if count == 0:
        raise UserError(_("{name} is a PDF with no pages.").format(name=name))
    return reader, count


def _unlock(reader: Any, name: str) -> None:
    """Most 'encrypted' PDFs from portals open with an empty password (AES, read with the cryptography package);
    one that needs a real password is a message."""
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except DependencyError:  # pragma: no cover - cryptography is installed with appeal
        raise UserError(_("{name} is encrypted, and opening it needs the cryptography package: pip install "
                          "cryptography.").format(name=name)) from None
    if not opened:
        raise UserError(_("{name} is protected by a password. Open it with the password, print it to a new PDF "
                          "(Print, then Save as PDF), and import that.").format(name=name))


def _pdf_step(name: str, step):
    """One step of pypdf's work, its failures in words: a PDF can be damaged, or built to break readers."""
    from pypdf.errors import LimitReachedError

    try:
        return step()
    except UserError:
        raise
    except RecursionError:
        raise UserError(_("{name} is built in a way too deeply nested to read (it may be damaged). Open it and "
                          "print it to a new PDF (Print, then Save as PDF), and import that.").format(name=name)) from None
    except (LimitReachedError, MemoryError):
        raise UserError(_("{name} holds a part too large to read safely (a picture or a page's contents). Open it "
                          "and print it to a new PDF, or scan the paper again, and import that.").format(name=name)) from None
    except Exception as error:  # pypdf raises many kinds for a damaged file; each means the same to the person
        raise UserError(_("{name} is a damaged PDF that cannot be read ({error}). Download or scan it again, or open "
                          "it and print it to a new PDF.").format(name=name, error=type(error).__name__)) from None


def _bounded_page(reader: Any, number: int, name: str) -> Any:
    page = reader.pages[number - 1]
    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    if size > MAX_PAGE_CONTENT:
        raise UserError(_("Page {number} of {name} holds {size:,.0f} MB of drawing instructions, far more than a page "
                          "of a letter; it was not read. Open the PDF and print it to a new PDF (Print, then Save as "
                          "PDF), or scan the paper, and import that.").format(number=number, name=name,
                                                                              size=size / 1024 / 1024))
    return page


def _page_text(page: Any) -> str:
    """Layout mode keeps the blank lines between paragraphs and the gaps between columns, which the labels and
    paragraphs are found by; plain mode is the fallback for the rare page layout mode cannot handle."""
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except (RecursionError, MemoryError):
        raise
    except Exception:  # pypdf's layout mode is newer and less tested than its plain mode
        return page.extract_text() or ""


def _page_picture(page: Any, number: int, name: str) -> Any:
    """A scanned page's picture (the largest if there are several), its size checked before it is decoded;
    None for a page with no picture."""
    from appeal.base.images import too_large

    resources = page.get("/Resources")
    objects = resources.get_object().get("/XObject") if resources is not None else None
    sizes = []
    for key, value in (objects.get_object().items() if objects is not None else []):
        entry = value.get_object()
        if entry.get("/Subtype") == "/Image":
            width, height = int(entry.get("/Width", 0)), int(entry.get("/Height", 0))
            sizes.append((width * height, key, width, height))
    if not sizes:
        return None
    _area, key, width, height = max(sizes)
    if width * height > MAX_PICTURE_PIXELS:
        raise too_large(_("The picture on page {number} of {name}").format(number=number, name=name), width, height)
    return page.images[key].image
