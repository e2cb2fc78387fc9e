"""A signature on the letter: a picture of the person's own signature, cleaned and placed above their typed name,
or a typed electronic signature ("/s/ Name, date") where they say the plan accepts one.

Why a clean-up: most people sign a sheet of paper and photograph it with a phone. The photo has grey, uneven
paper (a shadow across one side, a warm lamp), lots of empty paper around the ink, and millions of pixels. On a
letter that would print as a grey box, and through a fax as a black smear. So the paper's own brightness is
estimated across the picture (the ink is thin, so the brightest nearby pixels are paper), the ink is what is
clearly darker than the paper around it, everything else becomes transparent, and the picture is cropped to the
ink with a small margin and scaled to the height of a signature line. Where the sheet does not fill the photo,
the dark surface reaching in from the photo's edges (a table, a lap) is left out, so the sheet's edge is not taken
for ink. A signature drawn in the browser (a
transparent PNG) goes through the same steps.

Bounds come before decoding: the file's size is checked from its status before it is read, and the picture's
pixel count from its header before its pixels are decoded (a JPEG is decoded at a reduced scale).

The signature goes where the templates leave room for a handwritten one: the empty paragraph after the closing
("Sincerely,"), above the signer's typed name (letter_templates/build_templates.py, `closing`). A letter edited
in Word keeps that place; one without a closing is named in the message rather than guessed at.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from appeal.base import loader
from appeal.base.errors import UserError
from appeal.base.language import N_, translate as _
from appeal.base.images import otsu_level, upright
from appeal.base.paragraph_styles import style_names

MAX_SIGNATURE_FILE = 15 * 1024 * 1024  # a 48-megapixel phone photo as JPEG is about 12 MB
MAX_PIXELS = 60_000_000  # read from the header, before any pixel is decoded
WORK_SIZE = 1600  # the long side the clean-up works at: plenty for a signature 0.55 in high
SIGNATURE_HEIGHT_INCHES = 0.55  # about two lines of 11-point text: the room a handwritten signature takes
MAX_WIDTH_INCHES = 3.25  # a very long, flat signature is narrowed to this, keeping its proportions
OUTPUT_DPI = 300
INK_RGB = (16, 24, 48)  # a blue-black that prints and faxes as black
SIGNATURE_ALT = "Signature"

_CLOSINGS = re.compile(r"(?i)^\s*(sincerely|respectfully|yours (truly|sincerely)|(with )?(best|kind|warm) regards|"
                       r"regards|thank you|with thanks|cordially)[\s,.!]*(yours)?[\s,.!]*$")


# --------------------------------------------------------------------------------------------------------------
# The picture


def read_signature(path: Path) -> bytes:
    """The signature picture's bytes, refused by its size (from its status) before it is read."""
    path = Path(path)
    name = f"--signature {path}"
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise UserError(_("{name}: there is no such file.").format(name=name)) from None
    except OSError as error:
        raise loader.unreadable(name, error) from None
    if size > MAX_SIGNATURE_FILE:
        raise UserError(_too_large(name))
    return loader.read_regular(path, MAX_SIGNATURE_FILE, name=name, what="picture")


def _too_large(name: str) -> str:
    return _("{name} is more than {size} MB, too large for a signature picture. Take the photo again closer to the "
             "signature, or save it smaller, as PNG or JPEG.").format(name=name, size=MAX_SIGNATURE_FILE // 2**20)


def clean_signature(data: bytes, name: str = N_("The signature picture")) -> bytes:
    """A PNG of the signature's ink alone: transparent background, cropped to the ink with a small margin, scaled
    to SIGNATURE_HEIGHT_INCHES at OUTPUT_DPI. `data` is a PNG or JPEG; anything else, a blank page or a picture
    too large is a UserError starting with `name`."""
    from PIL import Image

    name = _(name)
    gray = upright(_opened(data, name)).convert("L")  # a drawn signature's transparency on white
    if max(gray.size) > WORK_SIZE:
        gray.thumbnail((WORK_SIZE, WORK_SIZE), Image.LANCZOS)
    alpha = _ink(gray)
    box = _ink_box(alpha, name)
    margin = max(4, round((box[3] - box[1]) * 0.06))
    box = (max(0, box[0] - margin), max(0, box[1] - margin),
           min(alpha.width, box[2] + margin), min(alpha.height, box[3] + margin))
    alpha = alpha.crop(box)
    height = round(SIGNATURE_HEIGHT_INCHES * OUTPUT_DPI)
    width = max(1, round(alpha.width * height / alpha.height))
    most = round(MAX_WIDTH_INCHES * OUTPUT_DPI)
    if width > most:
        width, height = most, max(1, round(alpha.height * most / alpha.width))
    alpha = alpha.resize((width, height), Image.LANCZOS)
    signature = Image.new("RGBA", alpha.size, INK_RGB + (0,))
    signature.putalpha(alpha)
    output = io.BytesIO()
    signature.save(output, "PNG", optimize=True, dpi=(OUTPUT_DPI, OUTPUT_DPI))
    return output.getvalue()


def _opened(data: bytes, name: str):
    """The picture, its size checked from its header before its pixels are decoded."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_SIGNATURE_FILE:
        raise UserError(_too_large(name))
    if not data.strip():
        raise UserError(_("{name} is empty. Photograph your signature on white paper (or draw it) and try again.")
                        .format(name=name))
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise UserError(_("{name} is not a PNG or JPEG picture. Photograph your signature on white paper, or save the "
                          "picture as PNG or JPEG, and try again.").format(name=name))
    try:
        picture = Image.open(io.BytesIO(data))
        if picture.width * picture.height > MAX_PIXELS:
            raise UserError(_("{name} is {width} x {height} pixels, too large for a signature picture. Save it "
                              "smaller (a few thousand pixels across is plenty) and try again.").format(
                name=name, width=picture.width, height=picture.height))
        if picture.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale where that still leaves WORK_SIZE
            picture.draft("RGB", (WORK_SIZE, WORK_SIZE))
        picture.load()
    except UserError:
        raise
    except Image.DecompressionBombError:
        raise UserError(_("{name} is a picture too large to open safely. Save it smaller and try again.").format(
            name=name)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise UserError(_("{name} is damaged or not a picture appeal can read ({error}). Save it again as PNG or "
                          "JPEG.").format(name=name, error=str(error) or type(error).__name__)) from None
    return picture


def _ink(gray):
    """How clearly each pixel is ink (0 paper .. 255 ink), against the paper's own brightness around it, so a
    shadow or a lamp's warm corner stays paper."""
    from PIL import Image, ImageChops, ImageFilter

    # the paper: on a small copy, the brightest pixel near each point (ink strokes are thinner than the window),
    # smoothed, brought back to full size
    small = gray.resize((max(1, gray.width // 8), max(1, gray.height // 8)), Image.BOX)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(3))
    paper = paper.resize(gray.size, Image.BILINEAR)
    darker = ImageChops.subtract(paper, gray)  # 0 where the pixel is as bright as the paper around it
    outside = _outside_paper(small, gray.size)
    if outside is not None:  # the paper's edge against a dark table looks like ink to the step above
        darker = ImageChops.subtract(darker, outside)
    threshold = max(otsu_level(darker.histogram(), no_split=0), 28)  # never below what paper grain and JPEG noise reach
    low, high = threshold * 0.6, threshold * 1.4  # a soft edge, so the strokes stay smooth when scaled
    alpha = darker.point(lambda value: 0 if value <= low else 255 if value >= high
                         else round(255 * (value - low) / (high - low)))
    return alpha


def _outside_paper(small, full_size):
    """Where the photo shows something darker than the paper reaching in from its edges (a table, a lap, a
    sleeve): the part of it connected to the picture's border, widened by the paper estimate's reach, at full
    size. None when the paper fills the frame."""
    from collections import deque

    from PIL import Image, ImageFilter

    histogram = small.histogram()
    total, seen, paper = small.width * small.height, 0, 255
    for level in range(255, -1, -1):  # the paper's brightness: the level the brightest tenth of the picture reaches
        seen += histogram[level]
        if seen >= total / 10:
            paper = level
            break
    dark = small.point(lambda value: 255 if value < paper / 2 else 0)
    pixels, width, height = dark.load(), dark.width, dark.height
    outside = Image.new("L", dark.size, 0)
    marked = outside.load()
    queue = deque((x, y) for x in range(width) for y in (0, height - 1))
    queue.extend((x, y) for y in range(height) for x in (0, width - 1))
    count = 0
    while queue:
        x, y = queue.popleft()
        if not (0 <= x < width and 0 <= y < height) or marked[x, y] or not pixels[x, y]:
            continue
        marked[x, y] = 255
        count += 1
        queue.extend(((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)))
    if count < total * 0.02:  # a stroke that touches the edge, not a table
        return None
    return outside.filter(ImageFilter.MaxFilter(9)).resize(full_size, Image.BILINEAR)


def _ink_box(alpha, name: str) -> tuple[int, int, int, int]:
    """The box around the ink, specks of dust left out; a blank page or a dark photo is a message."""
    from PIL import ImageFilter

    solid = alpha.point(lambda value: 255 if value >= 128 else 0).filter(ImageFilter.MedianFilter(3))
    box = solid.getbbox()
    inked = solid.histogram()[255] / (solid.width * solid.height)
    if box is None or inked < 0.0002 or (box[2] - box[0]) < 8 or (box[3] - box[1]) < 4:
        raise UserError(_("{name} looks blank: no signature was found on it. Sign in dark ink on white paper, "
                          "photograph it close up in good light, and try again.").format(name=name))
    if inked > 0.35:
        raise UserError(_("{name} is mostly dark, not a signature on white paper. Sign in dark ink on plain white "
                          "paper, photograph only the signature, and try again.").format(name=name))
    return box


# --------------------------------------------------------------------------------------------------------------
# The letter


def _closing_place(document):
    """(the closing paragraph, the paragraphs after it): the last closing of the letter's body."""
    paragraphs = document.paragraphs
    styles = style_names(document)
    for number in range(len(paragraphs) - 1, -1, -1):
        paragraph, style = paragraphs[number], styles[number]
        if style == "Closing" or _CLOSINGS.match(paragraph.text or ""):
            if paragraph.text.strip():
                return paragraph, paragraphs[number + 1:]
    return None, []


def _holds_picture(paragraph) -> bool:
    from docx.drawing import Drawing

    return any(isinstance(item, Drawing) for run in paragraph.runs for item in run.iter_inner_content())


def _signature_paragraph(docx: bytes, what: str):
    """The document, the empty paragraph under the closing where a signature goes (the last of the empty lines
    the template leaves for a handwritten one, right above the typed name), and that name."""
    from docx import Document

    document = Document(io.BytesIO(docx))
    closing, after = _closing_place(document)
    if closing is None:
        raise UserError(_("The letter has no closing line ('Sincerely,') to put {what} under, so nothing was "
                          "written. Sign the printed letter by hand, or add the closing back in Word.").format(
            what=_(what)))
    empties = []
    for paragraph in after:
        if paragraph.text.strip() or _holds_picture(paragraph):
            break
        empties.append(paragraph)
    name = next((paragraph.text.strip() for paragraph in after if paragraph.text.strip()), "")
    if empties:
        place = empties[-1]
        place.clear()
    elif after:
        place = after[0].insert_paragraph_before("", style=closing.style)
    else:
        place = document.add_paragraph("", style=closing.style)
    try:
        place.style = document.styles["Signature"]
    except KeyError:
        pass
    place.paragraph_format.keep_with_next = True
    return document, place, name


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def place_signature(docx: bytes, signature_png: bytes) -> bytes:
    """The letter with the cleaned signature as an inline picture above the signer's typed name."""
    from docx.shared import Inches, Pt

    document, place, _name = _signature_paragraph(docx, N_("the signature"))
    place.paragraph_format.space_before = Pt(2)
    picture = place.add_run().add_picture(io.BytesIO(signature_png), height=Inches(SIGNATURE_HEIGHT_INCHES))
    if picture.width > Inches(MAX_WIDTH_INCHES):
        ratio = Inches(MAX_WIDTH_INCHES) / picture.width
        picture.width, picture.height = Inches(MAX_WIDTH_INCHES), round(picture.height * ratio)
    picture._inline.docPr.set("descr", SIGNATURE_ALT)  # python-docx has no public way to set alt text
    return _saved(document)


def place_typed_signature(docx: bytes, signed_on: str) -> bytes:
    """The letter with an electronic signature line, '/s/ Name, date', above the signer's typed name. Only where the
    plan accepts electronic signatures: the person says so by asking for it."""
    document, place, name = _signature_paragraph(docx, N_("a typed signature"))
    if not name or "[ADD:" in name:
        raise UserError(_("--typed-signature needs your name under the closing, and the letter has a blank there. "
                          "Add your name (sender.name, or the patient's name) and try again."))
    place.add_run(f"/s/ {name}, {signed_on}")
    return _saved(document)


def has_signature(docx: bytes) -> bool:
    """Whether the paragraphs after the closing hold a picture or a '/s/' line (a letter signed before)."""
    from docx import Document

    _closing, after = _closing_place(Document(io.BytesIO(docx)))
    for paragraph in after[:4]:
        if _holds_picture(paragraph) or paragraph.text.strip().startswith("/s/"):
            return True
    return False


def sign(docx: bytes, *, picture: Path | None = None, typed_on: str | None = None) -> tuple[bytes, str]:
    """The letter signed as the person asked (a picture of their signature, or a typed '/s/' line dated
    `typed_on`), and what to tell them. A letter already signed keeps its signature; with neither, the letter is
    unchanged and the message says the line is left to sign by hand."""
    if has_signature(docx):
        return docx, _("The letter is signed already (under its closing); that signature is kept.")
    if picture is None and typed_on is None:
        return docx, _("The signature line is left empty, to sign by hand: print the letter, sign above your name, "
                       "and send the signed pages. Or add {signature} (a photo of your signature on white paper), or "
                       "{typed} only if your plan accepts electronic signatures.").format(
            signature="--signature " + _("PHOTO"), typed="--typed-signature")
    if picture is not None:
        cleaned = clean_signature(read_signature(picture), f"--signature {Path(picture).name}")
        return place_signature(docx, cleaned), _("Your signature is on the letter, above your name.")
    return place_typed_signature(docx, typed_on), _(
        "The letter is signed electronically ('/s/', dated {date}). Send it this way only if your plan accepts "
        "electronic signatures.").format(date=typed_on)
