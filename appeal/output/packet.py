"""A send-ready packet: one PDF to fax or mail. A fax cover sheet (with the real page count), the letter as the
person last saw it (their edited .docx, or a fresh draft) turned into PDF, Attachment A, then their attachments
in order; every page after the cover stamped with the patient, member ID, claim number and "Page X of N", so a
page that comes loose can be put back; bookmarks for each part.

pypdf merges the pages, fits attachment pages onto letter-size paper and adds the bookmarks: pure Python, and
it moves each page with its links and form-field appearances. reportlab draws the cover sheet, the stamps and
the photo pages: it lays out wrapped text in fonts it embeds, which the PDF a fax server prints needs. Pillow
reads photos and scans (pillow-heif adds iPhone HEIC photos).

Everything is built in memory and checked before anything is written, so a bad attachment leaves no file.
"""

from __future__ import annotations

import functools
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from appeal.base import loader
from appeal.base.errors import UserError
from appeal.base.language import N_, ngettext, translate as _
from appeal.base.images import looks_like_heif, open_image, upright
from appeal.base.paragraph_styles import paragraph_texts, style_names
from appeal.cases.case import Case, SenderRole
from appeal.cases.fields import format_date
from appeal.letters.appendix import APPENDIX_HEADING, headings

POINTS_PER_INCH = 72
PAGE_WIDTH, PAGE_HEIGHT = 8.5 * POINTS_PER_INCH, 11 * POINTS_PER_INCH  # US letter, what fax machines print
STAMP_BAND = 0.55 * POINTS_PER_INCH  # kept clear at the foot of every attachment page for the stamp
STAMP_BASELINE = 0.3 * POINTS_PER_INCH  # inside the letter's 0.8 in bottom margin, above a fax's cut-off edge
MARGIN = 0.5 * POINTS_PER_INCH
TOP_OF_PAGE = 1.5 * POINTS_PER_INCH  # a heading bookmarked this near the top of its page begins that page
IMAGE_DPI = 200  # fine fax resolution; more only makes the file bigger
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff", ".gif", ".bmp", ".webp"}
LETTER_TITLE = N_("Letter")  # the PDF's bookmark, in English; said to the person in their language
COVER_TITLE = "Fax cover sheet"
CONFIDENTIAL = (
    "CONFIDENTIAL: this fax holds protected health information, which federal and state privacy laws protect. "
    "It is meant only for the office named above. If it reached you by mistake, please call the sender at the "
    "number above, and destroy every page. Do not read, copy or pass it on."
)


@dataclass
class Part:
    """A run of pages with one bookmark: the letter, Attachment A, or one attachment."""

    title: str
    pages: list[Any]  # pypdf PageObjects
    fit: bool = True  # scale onto a letter page, leaving the stamp band clear (attachments)
    source: str | None = None  # the attached file's name


@dataclass
class Packet:
    """The finished PDF in memory, with what it holds and what the person should look at."""

    content: bytes
    page_count: int
    contents: list[tuple[str, int, int]]  # (title, first page, last page), pages counted in the packet
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------------------
# Attachments


# The packet is built in memory, so what it holds is bounded: the same limits on the command line and in the browser.
MAX_FILE = 50 * 1024 * 1024  # one attached file
MAX_TOTAL = 150 * 1024 * 1024  # all files of one packet together
# Past this many pages a fax takes long and is more likely to break off partway, and then all of it is sent again:
# our own threshold (no plan's rule) for suggesting the mail or the plan's portal instead.
FAX_PAGES_WELL = 50


def size_in_words(count: int) -> str:
    """A byte count as a person reads it: '52 MB', or '3 KB' below one megabyte."""
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{max(1, round(count / 1024))} KB"


def too_big(name: str | None, size: int) -> UserError:
    """The message for one file over MAX_FILE (`name`), or for files over MAX_TOTAL together (no name)."""
    if name is None:
        return UserError(_("These files are {size} together; the files for one PDF can be at most {most} together. "
                           "Attach fewer or smaller files (for example, scan at a lower resolution) and try again.")
                         .format(size=size_in_words(size), most=size_in_words(MAX_TOTAL)))
    return UserError(_("The file {name} is more than {most}; a file to attach can be at most {most}. Make it smaller "
                       "(for example, scan at a lower resolution) and try again.").format(
        name=name, most=size_in_words(MAX_FILE)))


def read_attachment(path: Path) -> Part:
    """One attached file as pages: a PDF, or a photo or scan (each frame of a TIFF a page). Anything that
    cannot be sent gets a message naming the file."""
    path = Path(path)
    name = path.name
    if path.is_dir():
        raise UserError(_("Attachment {path} is a folder, not a file; attach the files in it one by one.").format(
            path=path))
    try:  # its size from its status first: a file over the bound is refused before a byte of it is read
        size = os.stat(path).st_size
    except OSError:
        size = 0  # a missing or unreadable file: read_regular names what is wrong
    if size > MAX_FILE:
        raise too_big(str(path), size)
    # a pipe or a device: named, never opened; read no more than one byte past the bound
    data = loader.read_regular(path, MAX_FILE + 1, name=_("Attachment {path}").format(path=path), cut=True)
    if len(data) > MAX_FILE:
        raise too_big(str(path), len(data))
    if not data.strip():
        raise UserError(_("Attachment {path} is empty (nothing in it). Save or scan it again, then attach it.").format(
            path=path))
    if b"%PDF" in data[:1024]:
        return Part(name, _pdf_pages(data, path), fit=True, source=name)
    if path.suffix.lower() in IMAGE_SUFFIXES or looks_like_heif(data):
        return Part(name, _image_pages(data, path), fit=False, source=name)
    raise UserError(_("Attachment {path} is not a PDF or a picture appeal can read (JPG, PNG, HEIC, TIFF). Save it "
                      "as PDF (in most programs: Print, then Save as PDF) and attach that.").format(path=path))


def _pdf_pages(data: bytes, path: Path) -> list[Any]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opened_without_password(reader):
            raise UserError(_("Attachment {path} is protected by a password, so it cannot be added. Open it, "
                              "print it to a new PDF (Print, then Save as PDF), and attach that.").format(path=path))
        pages = list(reader.pages)
        for page in pages:  # a damaged file often fails only here, when a page is read
            page.mediabox, page.get_contents()
    except UserError:
        raise
    except Exception as error:  # pypdf raises many kinds for a damaged file; each means the same to the person
        raise UserError(_("Attachment {path} is a damaged PDF that cannot be read ({error}). Download or scan it "
                          "again, or open it and print it to a new PDF.").format(
            path=path, error=type(error).__name__)) from None
    if not pages:
        raise UserError(_("Attachment {path} is a PDF with no pages.").format(path=path))
    return pages


def _opened_without_password(reader) -> bool:
    """Many PDFs from portals are 'encrypted' only against editing, and open with an empty password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an encryption pypdf cannot open without extra packages counts as locked
        return False


def _image_pages(data: bytes, path: Path) -> list[Any]:
    """Each frame of a photo or scan on a letter page of its own: upright (as the camera held it), scaled to
    fit inside the margins and above the stamp band, at most IMAGE_DPI."""
    from PIL import ImageSequence
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    image = open_image(data, path, name=_("Attachment {path}").format(path=path))
    output = io.BytesIO()
    sheet = canvas.Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    box_width, box_height = PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - MARGIN - STAMP_BAND - MARGIN / 2
    try:
        for frame in ImageSequence.Iterator(image):
            picture = upright(frame)
            scale = min(box_width / picture.width, box_height / picture.height)
            width, height = picture.width * scale, picture.height * scale
            picture = _downsampled(picture, width, height)
            x = (PAGE_WIDTH - width) / 2
            y = STAMP_BAND + MARGIN / 2 + (box_height - height)  # at the top of the box, as a page is read
            sheet.drawImage(_encoded(picture, image.format), x, y, width, height)
            sheet.showPage()
    except (OSError, ValueError) as error:
        raise UserError(_("Attachment {path} is a damaged picture ({error}). Save it again as JPG or PDF.").format(
            path=path, error=error)) from None
    sheet.save()
    return list(PdfReader(io.BytesIO(output.getvalue())).pages)


def _downsampled(picture, width: float, height: float):
    from PIL import Image

    most = (max(1, round(width / POINTS_PER_INCH * IMAGE_DPI)), max(1, round(height / POINTS_PER_INCH * IMAGE_DPI)))
    if picture.width > most[0] or picture.height > most[1]:
        picture = picture.resize(most, Image.LANCZOS if picture.mode != "1" else Image.NEAREST)
    return picture


def _encoded(picture, source_format: str | None):
    """Photos as JPEG (small); scans and screenshots losslessly, so small print stays sharp."""
    from reportlab.lib.utils import ImageReader

    if source_format in ("JPEG", "HEIF", "MPO") and picture.mode in ("L", "RGB"):
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85, optimize=True)
        buffer.seek(0)
        return ImageReader(buffer)
    return ImageReader(picture)


# --------------------------------------------------------------------------------------------------------------
# The letter


@functools.lru_cache(maxsize=1)
def _opened(docx: bytes):
    """The letter parsed once for the several things a packet reads from it (a parse takes 15-20 ms), only read."""
    from docx import Document

    return Document(io.BytesIO(docx))


@functools.lru_cache(maxsize=1)
def _paragraphs(docx: bytes) -> tuple[tuple[str, str], ...]:
    """Each paragraph's (style name, text), read once for the enclosure list, the Re: line and the address: each
    read of every paragraph's style and text took as long as building the cover sheet."""
    document = _opened(docx)
    return tuple(zip(style_names(document), paragraph_texts(document)))


def enclosures_in(docx: bytes) -> list[str]:
    """The letter's own 'Enclosures:' list, read from the document (so an edited letter's list is the one used)."""
    found: list[str] = []
    listing = False
    for style, text in _paragraphs(docx):
        text = text.strip()
        if re.fullmatch(r"(?i)enclosures?:?", text):
            listing, found = True, []
            continue
        if listing:
            if text and style.lower().startswith("list"):
                found.append(text)
            elif text or found:
                listing = False
    return found


def subject_in(docx: bytes) -> str | None:
    """The letter's own Re: line ('Request for redetermination of ...'), for the cover sheet; None when it still
    holds a blank (the cover then names the kind of letter)."""
    for _style, text in _paragraphs(docx):
        text = " ".join(text.split())
        if text.lower().startswith("re:") and len(text) > 4:
            return None if "[ADD:" in text else text[3:].strip()
    return None


def department_in(docx: bytes) -> str | None:
    """The department the letter is addressed to: the first line of its address block ('Appeals Department'), as
    the person left it; None when it is a blank or the letter has no address block."""
    for style, text in _paragraphs(docx):
        text = " ".join(text.split())
        if style == "Address Block" and text:
            return None if "[ADD:" in text else text
    return None


def letter_parts(letter_pdf: bytes, read_pages: bool = True) -> list[Part]:
    """The letter's pages, split where Attachment A begins (on a page of its own) so each has a bookmark.
    `read_pages`: False when the letter's .docx never names its heading, so no page can begin with it (reading
    each page's text for it took 40-75 ms of a letter without Attachment A)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(letter_pdf))
    pages = list(reader.pages)
    # LibreOffice bookmarks each heading, with its page and height: the heading at the top of a page (reading every
    # page's text instead took 80% of a packet's assembly). A letter without that bookmark (a heading restyled in
    # Word) is read page by page.
    # the heading in the letter's own language (a Spanish letter's "Anexo A: ..."), English first
    marks = _bookmarks(reader, pages)
    heading, marked = next(((title, marks[title]) for title in headings() if title in marks), (APPENDIX_HEADING, None))
    if marked is not None:
        number, top = marked
        start = number if number and top is not None and top >= float(pages[number].mediabox.top) - TOP_OF_PAGE else None
    else:
        heading, start = next(((title, number) for number, page in enumerate(pages) if number and read_pages
                               and (title := _begins_with(page, headings()))), (APPENDIX_HEADING, None))
    fit = not all(_is_letter_size(page) for page in pages)
    if start is None:
        return [Part(LETTER_TITLE, pages, fit=fit)]
    return [Part(LETTER_TITLE, pages[:start], fit=fit), Part(heading, pages[start:], fit=fit)]


def _bookmarks(reader, pages: list[Any]) -> dict[str, tuple[int, float | None]]:
    """The PDF's top-level bookmarks, title -> (page from 0, height), read along the outline's own links: pypdf's
    `outline` builds every item's destination, each time it is asked (12 of a packet's 100 ms). An item whose
    destination is not a page of this PDF is left out; a damaged outline gives none (the pages are read instead)."""
    numbers = {page.indirect_reference.idnum: number for number, page in enumerate(pages)}
    found: dict[str, tuple[int, float | None]] = {}
    try:
        outlines = reader.trailer["/Root"].get("/Outlines")
        item = outlines.get_object().get("/First") if outlines is not None else None
        seen = set()
        while item is not None and item.idnum not in seen:  # a damaged outline may loop
            seen.add(item.idnum)
            node = item.get_object()
            dest = node.get("/Dest")
            dest = dest.get_object() if dest is not None else None
            if isinstance(dest, list) and len(dest) > 1 and getattr(dest[0], "idnum", None) in numbers:
                place = {"/XYZ": 3, "/FitH": 2, "/FitBH": 2}.get(dest[1])
                top = dest[place] if place is not None and len(dest) > place else None
                found.setdefault(" ".join(str(node.get("/Title", "")).split()),
                                 (numbers[dest[0].idnum], float(top) if isinstance(top, (int, float)) else None))
            item = node.get("/Next")
    except Exception:  # pypdf raises many kinds for a damaged file
        return {}
    return found


def _begins_with(page, titles: tuple[str, ...]) -> str | None:
    """The one of `titles` the page's text begins with (its text read once), or None."""
    text = " ".join((page.extract_text() or "").split())
    return next((title for title in titles if text.startswith(title)), None)


def _is_letter_size(page) -> bool:
    box = page.mediabox
    return abs(float(box.width) - PAGE_WIDTH) < 2 and abs(float(box.height) - PAGE_HEIGHT) < 2 and not page.rotation


def check_docx(path: Path) -> bytes:
    """An edited letter the person gives with --docx: a Word file that opens."""
    path = Path(path)
    data = loader.read_regular(path, MAX_FILE, name=f"--docx {path}", what="Word file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise UserError(_("{given} is not a Word .docx file. Save the letter as .docx (Word Document) and give "
                          "that.").format(given=f"--docx {path}")) from None
    return data


# --------------------------------------------------------------------------------------------------------------
# The packet


def stamp_text(case: Case, number: int, total: int) -> tuple[str, str]:
    """What every page after the cover carries: who and which claim (left), and where it goes (right)."""
    member_label = case.insurance.coverage().member_id.short
    left = [case.patient.full_name or "Patient"]
    if case.patient.member_id:
        left.append(f"{member_label} {case.patient.member_id}")
    if case.denial is not None and case.denial.reference:
        reference = re.sub(r"(?i)^(claim|case|reference|ref\.?)\s*(no\.?|number|#)?\s*:?\s*(?=\S*\d)", "",
                        case.denial.reference.strip())
        left.append(f"Claim/ref. {reference}")
    return "  |  ".join(left), f"Page {number} of {total}"


def assemble(case: Case, subject: str, letter: list[Part], attachments: list[Part], *, cover: bool = True,
             listed: list[str] | None = None, urgent: bool = False, today: date | None = None,
             department: str | None = None, decision: str | None = None) -> Packet:
    """Cover (optional), letter parts and attachments in one PDF, stamped and bookmarked."""
    from pypdf import PdfReader, PdfWriter, Transformation

    today = today or date.today()
    warnings = _mismatch(listed, letter, attachments)
    named = _named(attachments, listed)
    if named is not attachments:  # matched by place alone: the person should see which file became which
        warnings.append(_("The cover calls each attached file by the letter's enclosure in the same place. Check "
                          "each pair, and put the files in the letter's order if one is wrong (name them 1-..., "
                          "2-...):") + "".join(f"\n    - {part.source} = {item.title.removesuffix(f' ({part.source})')}"
                                             for part, item in zip(attachments, named)))
    attachments = named
    parts = letter + attachments
    body_pages = sum(len(part.pages) for part in parts)
    cover_pages: list[Any] = []
    if cover:
        guess = 1
        for _attempt in range(5):  # the cover's own length is part of the count it prints; a long list may need two pages
            contents = _ranges(parts, guess)
            cover_pages = list(PdfReader(io.BytesIO(
                cover_sheet(case, subject, guess + body_pages, contents, urgent=urgent, today=today,
                            department=department, decision=decision))).pages)
            if len(cover_pages) == guess:
                break
            guess = len(cover_pages)
    total = len(cover_pages) + body_pages
    contents = _ranges(parts, len(cover_pages))
    if cover and total > FAX_PAGES_WELL:
        longest = max(attachments, key=lambda part: len(part.pages), default=None)
        biggest = (" " + _("({name} alone is {count} pages)").format(name=longest.source or longest.title,
                                                                     count=len(longest.pages))
                   if longest is not None and len(longest.pages) > FAX_PAGES_WELL // 2 else "")
        warnings.append(_(
            "This fax is {total} pages long{biggest}: past about {well} pages a fax takes long and is more likely to "
            "break off partway, and then all of it is sent again. Consider mailing it instead (--mail, by certified "
            "mail with a return receipt), or uploading the records on the plan's member portal if it has one and "
            "faxing the letter with a line saying where the records are; or call the plan and ask how it wants a "
            "long appeal sent.").format(total=total, biggest=biggest, well=FAX_PAGES_WELL))

    writer = PdfWriter()
    for page in cover_pages:
        writer.add_page(page)
    for part in parts:
        try:
            for page in part.pages:
                if part.fit or not _is_letter_size(page):
                    blank = writer.add_blank_page(PAGE_WIDTH, PAGE_HEIGHT)
                    blank.merge_transformed_page(page, _fitting(page, Transformation))
                else:
                    writer.add_page(page)
        except Exception as error:  # a PDF that opened but whose pages cannot be copied (damaged inside)
            raise UserError(_("{name} could not be added to the packet ({error}). Open it and print it to a new PDF "
                              "(Print, then Save as PDF), and attach that.").format(
                name=part.source or part.title, error=type(error).__name__)) from None
    _stamp(writer, writer.pages[len(cover_pages):], PdfReader(io.BytesIO(_stamps(case, len(cover_pages), total))).pages)
    if cover:
        writer.add_outline_item(title=COVER_TITLE, page_number=0)
    for title, first, _last in contents:
        writer.add_outline_item(title=title, page_number=first - 1)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": "Send-ready packet"})
    writer.compress_identical_objects()
    output = io.BytesIO()
    writer.write(output)
    return Packet(output.getvalue(), total, contents, warnings)


def _ranges(parts: list[Part], before: int) -> list[tuple[str, int, int]]:
    ranges, first = [], before + 1
    for part in parts:
        ranges.append((part.title, first, first + len(part.pages) - 1))
        first += len(part.pages)
    return ranges


def _fitting(page, Transformation):
    """Move a page of any size or rotation onto a letter page, upright, centred, above the stamp band."""
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    turn = page.rotation % 360  # /Rotate turns the page clockwise when shown
    move = Transformation().translate(-float(box.left), -float(box.bottom)).rotate(-turn)
    move = move.translate(*{0: (0, 0), 90: (0, width), 180: (width, height), 270: (height, 0)}[turn])
    if turn in (90, 270):
        width, height = height, width
    area_height = PAGE_HEIGHT - STAMP_BAND
    scale = min(PAGE_WIDTH / width, area_height / height)
    x = (PAGE_WIDTH - width * scale) / 2
    y = STAMP_BAND + (area_height - height * scale) / 2
    return move.scale(scale).translate(x, y)


def _stamp(writer, pages: list[Any], stamps: list[Any]) -> None:
    """Each page's stamp drawn over it: the page's own content streams kept as they are, between q and Q, then the
    stamp's, its font under a name of its own. pypdf's merge_page decoded each page's content and wrote it back
    uncompressed: a tenth of a packet's assembly, and a packet a third larger."""
    from pypdf.generic import ArrayObject, ContentStream, DecodedStreamObject, DictionaryObject, NameObject

    def added(data: bytes):
        stream = DecodedStreamObject()
        stream.set_data(data)
        return writer._add_object(stream)  # pypdf has no public way to add a new stream to a writer

    save, restore = added(b"q\n"), added(b"\nQ\n")
    fonts: dict[int, Any] = {}  # the stamps' fonts, each copied into the packet once
    for page, stamp in zip(pages, stamps):
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject):
            resources = page[NameObject("/Resources")] = DictionaryObject()
        own = resources.get("/Font")
        own = own.get_object() if own is not None else None
        if not isinstance(own, DictionaryObject):
            own = resources[NameObject("/Font")] = DictionaryObject()
        names = {}
        for name, font in stamp["/Resources"]["/Font"].items():
            names[name] = NameObject(f"/AppealStamp{name[1:]}")
            if font.idnum not in fonts:
                fonts[font.idnum] = font.clone(writer)
            own[names[name]] = fonts[font.idnum]
        drawn = ContentStream(stamp.get_contents(), stamp.pdf)
        drawn.operations = [([names.get(operand, operand) for operand in operands] if operator == b"Tf" else operands,
                             operator) for operands, operator in drawn.operations]
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        kept = list(contents) if isinstance(contents, ArrayObject) else [page["/Contents"]] if contents is not None else []
        page[NameObject("/Contents")] = ArrayObject([save, *kept, restore, added(drawn.get_data())])


def _stamps(case: Case, cover_pages: int, total: int) -> bytes:
    from reportlab.pdfgen import canvas

    regular, _bold = fonts()
    output = io.BytesIO()
    sheet = canvas.Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    for number in range(cover_pages + 1, total + 1):
        left, right = stamp_text(case, number, total)
        size = 8.0
        room = PAGE_WIDTH - 2 * MARGIN - sheet.stringWidth(right, regular, size) - 18
        while sheet.stringWidth(left, regular, size) > room and size > 6:
            size -= 0.5
        while sheet.stringWidth(left, regular, size) > room and len(left) > 10:
            left = left[:-2] + "…"
        sheet.setFont(regular, size)
        sheet.setFillGray(0.2)
        sheet.drawString(MARGIN, STAMP_BASELINE, left)
        sheet.drawRightString(PAGE_WIDTH - MARGIN, STAMP_BASELINE, right)
        sheet.showPage()
    sheet.save()
    return output.getvalue()


def _mismatch(listed: list[str] | None, letter: list[Part], attachments: list[Part]) -> list[str]:
    """Does the letter's enclosure list match what the packet holds? A reviewer who finds an enclosure missing
    may decide without it."""
    if listed is None:
        return []
    warnings = []
    called = tuple(heading.split(":")[0].lower() for heading in headings())  # "attachment a", "anexo a"
    in_letter = [item for item in listed if item.lower().startswith(called)]
    others = [item for item in listed if item not in in_letter]
    has_appendix = any(part.title in headings() for part in letter)
    if in_letter and not has_appendix:
        warnings.append(_("The letter lists Attachment A, but no page of the letter begins with its heading "
                          "('{heading}'). Check the letter still holds it.").format(heading=APPENDIX_HEADING))
    if len(others) != len(attachments):
        named = "".join(f"\n    - {item}" for item in others) or " " + _("none")
        files = "".join(f"\n    - {part.source or part.title}" for part in attachments) or " " + _("none")
        said = ngettext("The letter lists {listed} enclosure(s), but the packet attaches {attached} file(s).",
                        "The letter lists {listed} enclosure(s), but the packet attaches {attached} file(s).",
                        len(others)).format(listed=len(others), attached=len(attachments))
        warnings.append(said + " " + _(
            "Attach each enclosure (with `appeal packet`, --attach FILE; with `appeal batch`, a file in the case's "
            "--attach-dir folder), in the letter's order, or change the letter's list, so the plan gets what the "
            "letter says it sent.")
            + "\n  " + _("The letter lists:") + named + "\n  " + _("Attached:") + files)
    return warnings


def _named(attachments: list[Part], listed: list[str] | None) -> list[Part]:
    """When the attachments match the letter's list one for one, each is called what the letter calls it."""
    others = [item for item in listed or [] if not item.lower().startswith("attachment a")]
    if len(others) != len(attachments) or not attachments:
        return attachments
    return [Part(part.title if "[ADD:" in item else f"{item} ({part.source})" if part.source else item,
                 part.pages, part.fit, part.source)  # a line with a blank in it: the file's own name on the cover
            for item, part in zip(others, attachments)]


# --------------------------------------------------------------------------------------------------------------
# The cover sheet


_fonts: tuple[str, str] | None = None
_FONT_FILES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)


def fonts() -> tuple[str, str]:
    """A regular and a bold font that print accented and non-Latin names (DejaVu where installed; otherwise
    the Vera fonts reportlab ships, which cover Western European letters)."""
    global _fonts
    if _fonts is None:
        import os

        import reportlab
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        shipped = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
        candidates = [pair for pair in _FONT_FILES if all(os.path.isfile(item) for item in pair)]
        regular, bold = candidates[0] if candidates else (f"{shipped}/Vera.ttf", f"{shipped}/VeraBd.ttf")
        pdfmetrics.registerFont(TTFont("PacketRegular", regular))
        pdfmetrics.registerFont(TTFont("PacketBold", bold))
        pdfmetrics.registerFontFamily("PacketRegular", normal="PacketRegular", bold="PacketBold",
                                      italic="PacketRegular", boldItalic="PacketBold")
        _fonts = ("PacketRegular", "PacketBold")
    return _fonts


def _department(case: Case) -> str | None:
    address = case.insurance.appeals_address or ""
    first = address.strip().splitlines()[0].strip() if address.strip() else ""
    match = re.match(r"(?i)(attn|attention)\s*[:.]?\s*(.+)", first)
    if match:
        return match.group(2).strip()
    # 'Part B Redeterminations' above the street or box: a department's name, not an address line
    lines = [line for line in address.strip().splitlines() if line.strip()]
    if len(lines) >= 3 and not re.match(r"(?i)\s*(\d|p\.?\s*o\.?\s*box)", first):
        return first
    return None


def _sender_lines(case: Case) -> tuple[str, str | None, str | None]:
    """(name, phone, fax) of whoever sends it: the sender, or the patient writing for themselves."""
    sender, patient = case.sender, case.patient
    name = sender.name or patient.full_name or ""
    if sender.credentials and sender.name:
        name = f"{name}, {sender.credentials}"
    if sender.role is SenderRole.representative and sender.name:
        name = f"{name}, authorized representative of the patient"
    if sender.organization:
        name = f"{name}, {sender.organization}" if name else sender.organization
    phone = sender.phone or patient.phone
    return name, str(phone) if phone else None, str(sender.fax) if sender.fax else None


def _continued(sheet, document) -> None:
    """The top of a second cover page, so nobody takes it for part of the letter."""
    sheet.saveState()
    sheet.setFont(fonts()[1], 11)
    sheet.drawString(POINTS_PER_INCH, PAGE_HEIGHT - 0.55 * POINTS_PER_INCH,
                     f"FAX cover sheet, continued (cover page {document.page})")
    sheet.restoreState()


def cover_rows(case: Case, subject: str, total: int, *, department: str | None = None, decision: str | None = None,
               today: date | None = None) -> list[tuple[str, str]]:
    """(label, plain text) of each line of the cover sheet that the case has a value for: to (the department and
    the plan), the plan's fax, from, phone, date, pages, re, patient, date of birth (which a plan matches with the
    name and member ID), member ID, reference, the current authorization and when the decision is due. A fact the
    case does not hold leaves its line out: a fax clerk reads '[ADD: ...]' as the sender's mistake, and
    `missing_on_cover` tells the sender instead."""
    name, phone, fax = _sender_lines(case)
    insurance = case.insurance
    plan = " / ".join(item for item in (insurance.insurer, insurance.plan_name) if item)
    department = _department(case) or department
    to_lines = [line for line in (department, plan) if line]
    rows = [
        ("To", "\n".join(to_lines)),
        ("Fax", insurance.appeals_fax),
        ("From", name),
        ("Phone", phone),
        ("Reply fax", fax),
        ("Date", format_date(today or date.today())),
        ("Pages", f"{total} (including this cover sheet)"),
        ("Re", subject),
        ("Patient", case.patient.full_name),
        ("Date of birth", format_date(case.patient.date_of_birth) if case.patient.date_of_birth else None),
        (insurance.coverage().member_id.label, case.patient.member_id),
        ("Claim or reference no.", case.denial.reference if case.denial is not None else None),
        ("Authorization no.", case.treatment.authorization_number),  # a reauthorization's: what the plan files it by
        ("Decision due", decision),
    ]
    return [(label, str(value)) for label, value in rows if value not in (None, "")]


def missing_on_cover(case: Case, department: str | None = None) -> list[str]:
    """The facts the cover sheet leaves out because the case does not hold them, as the person would add them."""
    insurance = case.insurance
    wanted = [
        (N_("the plan's name (insurance.insurer)"), insurance.insurer or insurance.plan_name),
        (N_("the appeals department (the first line of insurance.appeals_address, 'Attn: ...')"),
         _department(case) or department),
        (N_("the plan's fax number (insurance.appeals_fax)"), insurance.appeals_fax),
        (N_("your name (sender.name)"), _sender_lines(case)[0]),
        (N_("your phone number (sender.phone)"), _sender_lines(case)[1]),
        (N_("the patient's name"), case.patient.full_name),
        (N_("the member ID (patient.member_id)"), case.patient.member_id),
    ]
    if case.denial is not None:
        wanted.append((N_("the claim or reference number (denial.reference)"), case.denial.reference))
    return [label for label, value in wanted if not value]


def decision_due(case: Case, kind, sent: date) -> str | None:
    """When the plan must decide the request this letter starts, counted as if it receives the fax the day it is
    sent, with the rule that says so; None when no rule sets one day for this case (no rule, or several the case
    does not choose between, such as one or two appeal levels), or when the rule's own text was not read in a
    primary source. A rule of the second kind still counts as a reading the case does not rule out: leaving it
    out made the cover give one level's 30 days as if a two-level plan's 15 did not exist."""
    from appeal.letters.letter_rules import letter_step
    from appeal.rules.deadlines import due_date
    from appeal.rules.rule_book import Topic, select

    step = letter_step(case, kind)
    if step is None:
        return None
    rules = [rule for rule in select(case, step, {Topic.decision_deadline})
             if rule.deadline is not None and rule.deadline.counted_from == "request_received"]
    if len({(rule.deadline.amount, rule.deadline.unit) for rule in rules}) != 1:
        return None
    rule = next((rule for rule in rules if rule.seen_in != "secondary"), None)
    if rule is None:
        return None
    amount, unit = rule.deadline.amount, rule.deadline.unit.replace("_", " ")
    if rule.deadline.unit == "hours":
        return f"within {amount} hours of receipt ({rule.citation})"
    return (f"{format_date(due_date(rule.deadline, sent))}, if received today: {amount} {unit} from receipt "
            f"({rule.citation})")


def cover_sheet(case: Case, subject: str, total: int, contents: list[tuple[str, int, int]], *,
                urgent: bool = False, today: date | None = None, department: str | None = None,
                decision: str | None = None) -> bytes:
    """The fax cover sheet: to, from, date, the real page count, who and which claim, when the decision is due,
    what is enclosed on which pages, and the confidentiality notice; no line for a fact the case lacks."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=14)
    label = ParagraphStyle("label", parent=body, fontName=bold)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=26, leading=32, spaceAfter=6)
    banner = ParagraphStyle("banner", parent=body, fontName=bold, fontSize=15, leading=19, textColor=colors.white,
                            backColor=colors.black, borderPadding=6, spaceAfter=10, alignment=1)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)

    def text(value: str) -> str:
        return escape(value).replace("\n", "<br/>")

    rows = [(label, f"<b>{total}</b> (including this cover sheet)" if label == "Pages" else text(value))
            for label, value in cover_rows(case, subject, total, department=department, decision=decision,
                                           today=today)]
    table = Table(
        [[Paragraph(key, label), Paragraph(value, body)] for key, value in rows],
        colWidths=[1.9 * POINTS_PER_INCH, 4.6 * POINTS_PER_INCH],
    )
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
    ]))
    enclosed = Table(
        [[Paragraph("Enclosed", label), Paragraph("Pages", label)]]
        + [[Paragraph(text(item), body), Paragraph(f"{first}" if first == last else f"{first}–{last}", body)]
           for item, first, last in contents],
        colWidths=[5.5 * POINTS_PER_INCH, 1.0 * POINTS_PER_INCH], repeatRows=1,
    )
    enclosed.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    story = [Paragraph("FAX", title)]
    if urgent:
        story.append(Paragraph("URGENT: EXPEDITED REVIEW REQUESTED", banner))
    story += [table, Spacer(1, 14), enclosed, Spacer(1, 16), KeepTogether(Paragraph(escape(CONFIDENTIAL), small))]
    output = io.BytesIO()
    SimpleDocTemplate(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=POINTS_PER_INCH,
                      rightMargin=POINTS_PER_INCH, topMargin=0.8 * POINTS_PER_INCH,
                      bottomMargin=0.8 * POINTS_PER_INCH, title="Fax cover sheet").build(story, onLaterPages=_continued)
    return output.getvalue()


# --------------------------------------------------------------------------------------------------------------
# From a case to the packet


def refuse_blanks(docx: bytes, *, refused: str = N_("--strict: the letter still has {count} blank(s), so no packet "
                                                    "was written"),
                  fill_in: str = N_("in the case file, or in the letter with --docx")) -> None:
    """A letter that still has [ADD: ...] blanks is refused, each named, before anything is made (`--strict`, and
    the browser's PDF to send, each saying it in its own words: what was refused, and how to fill them in)."""
    from appeal.letters.draft import blanks_in

    blanks = blanks_in(docx)
    if blanks:
        listed = "\n".join(f"  - [ADD: {label}]" for label in blanks)
        raise UserError(_("{refused}. Fill each in ({fill_in}), then try again:").format(
            refused=_(refused).format(count=len(blanks)), fill_in=_(fill_in)) + f"\n{listed}")


def build(case: Case, kind, *, docx: bytes, attachments: list[Path] = (), cover: bool = True,
          today: date | None = None, strict: bool = False, office=None) -> Packet:
    """The whole packet: with `strict`, a letter with blanks refused; attachments checked first (a bad one stops it
    before the slow conversion), then the letter converted by LibreOffice (through `office`, a kept one, when given),
    then everything assembled in memory."""
    from appeal.output import office_server

    if strict:
        refuse_blanks(docx)

    sizes = {str(path): os.stat(path).st_size for path in attachments if os.path.isfile(path)}
    for name, size in sizes.items():  # each, then all together, before anything is read
        if size > MAX_FILE:
            raise too_big(name, size)
    if sum(sizes.values()) > MAX_TOTAL:
        raise too_big(None, sum(sizes.values()))
    parts = [read_attachment(Path(path)) for path in attachments]
    letter_pdf = office_server.docx_to_pdf(docx, office)  # a kept LibreOffice (`office`, the process's), or its own
    return from_letter_pdf(case, kind, docx=docx, letter_pdf=letter_pdf, attachments=parts, cover=cover,
                           today=today)


def from_letter_pdf(case: Case, kind, *, docx: bytes, letter_pdf: bytes, attachments: list[Part], cover: bool = True,
                    today: date | None = None, blanks: list[str] | None = None) -> Packet:
    """`build` after the conversion: the letter's PDF and its .docx (for the enclosure list and any blanks; `blanks`
    when the drafting that made the .docx has just read them, as a batch has: reading them again took 6 ms, and a
    batch lists them itself, so they get no warning here)."""
    from appeal.letters.draft import blanks_in_document
    from appeal.letters.letter_plan import is_urgent

    urgent = is_urgent(case, kind)  # the kind's own can_be_urgent, as the letter decides it
    department = department_in(docx) if kind.recipient == "plan" else None
    named = any(title in text for _style, text in _paragraphs(docx) for title in headings())
    packet = assemble(case, subject_in(docx) or kind.title, letter_parts(letter_pdf, named), attachments, cover=cover,
                      listed=enclosures_in(docx), urgent=urgent, today=today, department=department,
                      decision=decision_due(case, kind, today or date.today()) if kind.recipient == "plan" else None)
    if cover:
        missing = missing_on_cover(case, department)
        if missing:
            packet.warnings.append(ngettext(
                "The cover sheet leaves out {missing}, which the case does not hold: add it to the case file and make "
                "the packet again, or write it on the cover by hand before faxing.",
                "The cover sheet leaves out {missing}, which the case does not hold: add it to the case file and make "
                "the packet again, or write it on the cover by hand before faxing.",
                len(missing)).format(missing=", ".join(_(label) for label in missing)))
    if blanks is None and (blanks := blanks_in_document(_opened(docx))):
        packet.warnings.insert(0, ngettext(
            "The letter still has {count} blank(s) ([ADD: ...]) that will be sent as they are: {blanks}.",
            "The letter still has {count} blank(s) ([ADD: ...]) that will be sent as they are: {blanks}.",
            len(blanks)).format(count=len(blanks), blanks="; ".join(f"[ADD: {label}]" for label in blanks)))
    return packet


def default_name(letter_name: Path) -> Path:
    """patient-kind-date.pdf, beside the letter's own name."""
    return Path(letter_name).with_suffix(".pdf")


def save(case: Case, kind, docx: bytes, path: Path, *, attachments: list[Path] = (), cover: bool = True,
         force: bool = False, strict: bool = False) -> str:
    """Build the packet and write it (atomically, owner-only); what to tell the person."""
    from appeal.base.safe_write import write_bytes

    made = build(case, kind, docx=docx, attachments=attachments, cover=cover, strict=strict)
    write_bytes(path, made.content, overwrite=force)
    return report(made, path, cover)


def report(packet: Packet, path: Path, cover: bool) -> str:
    """What `appeal packet` prints: what was written, what is on which pages, and what to check."""
    wrote = (ngettext("Wrote the fax packet ({count} page) to {path}", "Wrote the fax packet ({count} pages) to {path}",
                      packet.page_count) if cover
             else ngettext("Wrote the mail packet ({count} page) to {path}",
                           "Wrote the mail packet ({count} pages) to {path}", packet.page_count))
    lines = [wrote.format(count=packet.page_count, path=path)]
    lines += ["  " + (_("pages {first}-{last}: {title}") if first != last else _("page {first}: {title}")).format(
        first=first, last=last, title=_(title) if title == LETTER_TITLE else title)
              for title, first, last in packet.contents]
    lines += ["\n" + _("Warning: {warning}").format(warning=warning) for warning in packet.warnings]
    return "\n".join(lines)
