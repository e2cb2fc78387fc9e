"""Files posted to `appeal web` (the packet's attachments, the edited letter, a signature), written to disk as they
arrive and refused at the bound.

Why it is done here and not by Starlette's form parser: that parser bounds only the form's text fields, so a file
was taken whole (spooled to disk, then read into memory by the page) before its size could be checked; a 600 MB
post held 650 MB. Here:

* a body whose Content-Length already says it is over the bound is refused before a byte of it is read;
* otherwise (a length within the bound, a chunked body, or none) the body is read in the chunks the server hands
  over, each file written straight to an owner-only file in the caller's private folder, and the post is refused
  the moment one file, or all of them together, pass the bound: the partial file is removed at once and nothing
  more is stored (the server throws away the rest of the body, so the browser still gets the page that says why);
* the form key is checked before the first file is stored, so a post without it writes nothing.

Memory stays at about one chunk whatever is posted. The files of one packet are bounded together too, because the
packet is built in memory. The edited letter given back has a bound of its own (a .docx's, as for a template), and
is checked as a Word file before it is kept; a signature drawn on the page arrives as a PNG in a text field.
"""

from __future__ import annotations

import base64
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from appeal.base.errors import UserError
from appeal.base.language import translate as _
from appeal.letters import template_package
from appeal.output import packet as packets

try:  # python-multipart's import name since 0.0.13; the older one before
    from python_multipart.multipart import MultipartParser, parse_options_header
except ModuleNotFoundError:  # pragma: no cover - older python-multipart
    from multipart.multipart import MultipartParser, parse_options_header

MAX_FILES = 20
MAX_FIELD = 64 * 1024  # a text field of the form (the form key, how it is sent)
MAX_FIELDS = 50
FORM_ROOM = 4 * 1024 * 1024  # the form's text fields and part headers, beyond the files themselves
MAX_DOCX = template_package.MAX_FILE_BYTES  # the edited letter: as large as a template may be
MAX_SIGNATURE = 15 * 1024 * 1024  # a photo of a signature (a 48-megapixel phone photo as JPEG is about 12 MB)
DRAWN = "drawn"  # the text field holding a signature drawn on the page, as a data: address of a PNG
DRAWN_PREFIX = "data:image/png;base64,"
MAX_DRAWN = 2 * 1024 * 1024  # a drawn signature's text: a 600 x 180 drawing is some 10-40 KB


@dataclass
class Posted:
    """A posted form: its text fields (the last value of each name) and its files, in the order sent, as
    (field name, path). A file's path keeps the name the person's computer gave it."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, Path]] = field(default_factory=list)


class _Reader:
    """python-multipart's callbacks: text fields into memory (bounded), file parts into files (bounded)."""

    def __init__(self, folder: Path, before_files: Callable[[dict[str, str]], None], limit: int):
        self.folder = folder
        self.limit = limit
        self.before_files = before_files
        self.posted = Posted()
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.disposition = b""
        self.name = ""
        self.text: bytearray | None = None  # the text field being read
        self.descriptor: int | None = None  # the file being written
        self.path: Path | None = None
        self.filename = ""
        self.size = 0
        self.total = 0
        self.count = 0

    def on_part_begin(self) -> None:
        self.disposition, self.text, self.path, self.size = b"", None, None, 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]
        if len(self.header_value) > MAX_FIELD:
            raise UserError(_("The form could not be read: a part's header is too long."))

    def on_header_end(self) -> None:
        if bytes(self.header_name).lower() == b"content-disposition":
            self.disposition = bytes(self.header_value)
        self.header_name, self.header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self.disposition)
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.posted.fields) >= MAX_FIELDS:
                raise UserError(_("The form could not be read: it has too many fields."))
            self.text = bytearray()
            return
        self.filename = options[b"filename"].decode("utf-8", "replace")
        if not self.filename:  # a file box left empty
            return
        if self.count == 0:
            self.before_files(self.posted.fields)
        self.count += 1
        if self.count > MAX_FILES:
            raise UserError(_("At most {count} files can be attached at once.").format(count=MAX_FILES))
        name = Path(self.filename).name
        if name in ("", ".", ".."):
            name = f"file-{self.count}"
        self.filename = name
        self.path = self.folder / f"{self.count:02d}" / name  # the packet's bookmark shows the file's own name
        self.path.parent.mkdir(mode=0o700)
        self.descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.text is not None:
            self.text += data[start:end]
            if len(self.text) > (MAX_DRAWN if self.name == DRAWN else MAX_FIELD):
                raise UserError(_("The form could not be read: the field {name} is too long.").format(name=self.name))
        elif self.descriptor is not None:
            self.size += end - start
            self.total += end - start
            if self.size > self.limit:
                raise packets.too_big(self.filename, self.size) if self.limit != MAX_DOCX else UserError(
                    _("The file {name} is more than {size}, more than a letter ever is. Choose the letter you saved "
                      "from Word (.docx).").format(name=self.filename, size=packets.size_in_words(self.limit)))
            if self.total > packets.MAX_TOTAL:
                raise packets.too_big(None, self.total)
            view = memoryview(data)[start:end]
            while view:
                view = view[os.write(self.descriptor, view):]

    def on_part_end(self) -> None:
        if self.text is not None:
            self.posted.fields[self.name] = self.text.decode("utf-8", "replace")
        elif self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None
            self.posted.files.append((self.name, self.path))

    def abandon(self) -> None:
        """The post was refused or cut off: the file being written goes (the caller removes the folder too)."""
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None
            self.path.unlink(missing_ok=True)

    def callbacks(self) -> dict:
        return {name: getattr(self, name) for name in (
            "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
            "on_part_data", "on_part_end")}


async def receive(request, folder: Path, before_files: Callable[[dict[str, str]], None],
                  limit: int | None = None) -> Posted:
    """The multipart form of `request`, its files written into `folder` (private, made by the caller, who removes
    it). `before_files(fields)` runs before the first file is stored (the form-key check); `limit` bounds each
    file (None: an attachment's bound). A post over a bound, or not a form, raises UserError."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise UserError(_("The form could not be read: it was not sent as a form with files."))
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > packets.MAX_TOTAL + FORM_ROOM:
        raise packets.too_big(None, int(length))
    reader = _Reader(folder, before_files, packets.MAX_FILE if limit is None else limit)
    parser = MultipartParser(options[b"boundary"], reader.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except UserError:
        reader.abandon()
        raise
    except Exception:  # python-multipart's refusal of a malformed body, or the browser going away mid-post
        reader.abandon()
        raise UserError(_("The form could not be read (it was cut off or malformed). Try again.")) from None
    return reader.posted


# --------------------------------------------------------------------------------------------------------------
# What a posted file must be


def edited_letter(path: Path) -> bytes:
    """The letter the person edited in Word and gave back: a .docx within MAX_DOCX, a zip holding a Word
    document whose parts do not decompress past a template's bound (a zip bomb), that python-docx opens. Anything
    else is a message naming the file and what to do."""
    from docx import Document

    name = _("Your edited letter {name}").format(name=path.name)
    data = path.read_bytes()  # written by receive() within MAX_DOCX
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.getinfo("word/document.xml")
            if sum(part.file_size for part in archive.infolist()) > template_package.MAX_TOTAL_BYTES:
                raise UserError(_("{file} unpacks to more than {size} MB, more than a letter ever is. Save it again "
                                  "from Word as a .docx and choose that.").format(
                    file=name, size=template_package.MAX_TOTAL_BYTES // 2**20))
        Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise UserError(_("{file} is not a Word .docx file. In Word or LibreOffice choose Save As, pick "
                          "\"Word Document (.docx)\", and choose that file here.").format(file=name)) from None
    except UserError:
        raise
    except Exception:  # python-docx's refusal of a damaged package
        raise UserError(_("{file} cannot be opened as a Word document (it may be damaged). Save it again from "
                          "Word as a .docx and choose that.").format(file=name)) from None
    return data


def signature(posted: Posted) -> bytes | None:
    """The signature posted with the packet form: drawn on the page (a PNG in the DRAWN field) or a photo (the
    `signature` file), as picture bytes; None when neither was given. Both at once is a question back."""
    photos = [path for name, path in posted.files if name == "signature"]
    drawn = posted.fields.get(DRAWN, "").strip()
    if photos and drawn:
        raise UserError(_("Your signature: you drew one and chose a photo too. Clear the drawing, or leave the "
                          "photo out, and make the PDF again."))
    if photos:
        if photos[0].stat().st_size > MAX_SIGNATURE:
            raise UserError(_("The photo {name} is more than {size}, too large for a signature. Take it again "
                              "closer to the signature, or save it smaller.").format(
                name=photos[0].name, size=packets.size_in_words(MAX_SIGNATURE)))
        return photos[0].read_bytes()
    if not drawn:
        return None
    if not drawn.startswith(DRAWN_PREFIX):
        raise UserError(_("Your signature: the drawing did not arrive as a picture. Clear it, draw it again, and "
                          "make the PDF again."))
    try:
        return base64.b64decode(drawn[len(DRAWN_PREFIX):], validate=True)
    except ValueError:
        raise UserError(_("Your signature: the drawing arrived damaged. Clear it, draw it again, and make the "
                          "PDF again.")) from None
