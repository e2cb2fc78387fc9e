"""Opening a photo or a scan with Pillow, once for every reader: a packet's attachments and an imported notice.

An iPhone saves photos as HEIC, which Pillow opens only with the pillow-heif package; the bytes say whether a file
is one, whatever its name. A picture too large to open safely, or damaged, is a message naming the file. A picture
is then turned upright and made plain (transparency on white) the same way for a packet's page, an imported
notice and a signature.

Its size is judged from its header, before a pixel is decoded: Pillow refuses a picture of more than about 179
million pixels (a 'decompression bomb': a few bytes that claim 50,000 x 50,000 pixels), and a reader can ask for
a lower bound. A large JPEG (a 200-megapixel phone photo) can be decoded at a half, a quarter or an eighth of its
size directly (`fit`), which costs a fraction of the memory, when the reader needs no more.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

from appeal.base.errors import UserError
from appeal.base.language import translate as _

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")
# The formats photos and scans come in. Pillow knows dozens more; trying them all on any file costs time (a second
# on 30 MB of text) and reaches formats no one sends (EPS would start Ghostscript).
PICTURE_FORMATS = ("JPEG", "MPO", "PNG", "TIFF", "GIF", "BMP", "WEBP", "HEIF")


def looks_like_heif(data: bytes) -> bool:
    """The bytes are a HEIC/HEIF picture (its `ftyp` box names one of the HEIF brands)."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _heif_opener(path: Path, name: str) -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        raise UserError(_(
            "{name} is a HEIC photo (the iPhone's format), and reading HEIC needs the pillow-heif package: pip "
            "install pillow-heif. Or save the photo as JPEG first (on an iPhone: Settings > Camera > Formats > "
            "Most Compatible) and use that.").format(name=name)) from None
    register_heif_opener()


def too_large(name: str, width: int, height: int) -> UserError:
    return UserError(_("{name} is a picture too large to open safely ({width:,} x {height:,} pixels); scan or save "
                       "it smaller (a page needs no more than about 3,000 pixels across).").format(
        name=name, width=width, height=height))


def open_image(data: bytes, path: Path, *, name: str | None = None, max_pixels: int | None = None,
               fit: tuple[int, int] | None = None) -> Any:
    """The picture in `data` (read from `path`), loaded; a UserError starting with `name` ('Attachment scan.jpg'
    by default) when it cannot be opened, or when it has more than `max_pixels` (after a JPEG is decoded at the
    smallest scale still at least `fit`)."""
    name = name or _("Attachment {path}").format(path=path)
    if looks_like_heif(data) or path.suffix.lower() in (".heic", ".heif"):
        _heif_opener(path, name)
    image = _opened(data, name)
    if image is None:
        raise UserError(_("{name} is not a picture appeal can read, or it is damaged. Save it again as JPEG or PDF.")
                        .format(name=name))
    return _loaded(image, name, max_pixels, fit)


def image_or_none(data: bytes, path: Path, *, name: str | None = None, max_pixels: int | None = None,
                  fit: tuple[int, int] | None = None) -> Any:
    """The picture, or None when the bytes are not one (a file that may be a picture or text). A HEIC photo
    opens as `open_image` opens it; a picture too large or damaged is a UserError, as there."""
    name = name or str(path)
    if looks_like_heif(data):
        _heif_opener(path, name)
    image = _opened(data, name)
    return None if image is None else _loaded(image, name, max_pixels, fit)


def _opened(data: bytes, name: str) -> Any:
    """The picture's header read (no pixels yet), or None when the bytes are no picture Pillow knows."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # a picture Pillow only warns about is judged by the caller's bound
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            Image.init()  # registers Pillow's plugins; only those in PICTURE_FORMATS are tried
            return Image.open(io.BytesIO(data), formats=[kind for kind in PICTURE_FORMATS if kind in Image.OPEN])
    except Image.DecompressionBombError:
        raise UserError(_("{name} is a picture too large to open safely (its header claims more than {pixels:,} "
                          "pixels); scan or save it smaller.").format(name=name, pixels=2 * Image.MAX_IMAGE_PIXELS)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None


def _loaded(image: Any, name: str, max_pixels: int | None, fit: tuple[int, int] | None) -> Any:
    from PIL import Image

    if fit is not None and image.format == "JPEG":
        image.draft(image.mode if image.mode in ("L", "RGB") else None, fit)
    width, height = image.size
    if width * height > (max_pixels or 2 * Image.MAX_IMAGE_PIXELS):
        raise too_large(name, width, height)
    try:
        image.load()
    except Image.DecompressionBombError:  # pragma: no cover - Pillow checks the header before this
        raise too_large(name, width, height) from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as error:
        raise UserError(_("{name} is a damaged picture that cannot be read ({error}). Save it again as JPEG or PDF.")
                        .format(name=name, error=str(error) or type(error).__name__)) from None
    return image


def upright(picture: Any) -> Any:
    """A picture (or one page of a TIFF) turned as the camera was held (its EXIF orientation), in a plain colour
    mode: transparency on white, 16-bit scans made 8-bit, CMYK and the rest made RGB; 1, L and RGB kept."""
    from PIL import Image, ImageOps

    picture = ImageOps.exif_transpose(picture)
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if picture.mode in ("1", "L", "RGB"):
        return picture.copy()
    if picture.mode.startswith("I"):
        return picture.point(lambda value: value / 256).convert("L")
    return picture.convert("RGB")


def otsu_level(histogram: list[int], no_split: int) -> int:
    """The gray level that best splits a histogram in two, ink from paper (Otsu's method): the level whose two
    sides differ most in mean, weighted by their sizes. A histogram of one level only has no split: `no_split`."""
    total = sum(histogram)
    weighted = sum(level * count for level, count in enumerate(histogram))
    below = below_weighted = 0
    best, best_level = -1.0, no_split
    for level, count in enumerate(histogram):
        below += count
        if below == 0:
            continue
        above = total - below
        if above == 0:
            break
        below_weighted += level * count
        mean_below, mean_above = below_weighted / below, (weighted - below_weighted) / above
        between = below * above * (mean_below - mean_above) ** 2
        if between > best:
            best, best_level = between, level
    return best_level
