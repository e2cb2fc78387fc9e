"""Opening a photo or a scan with Pillow, once for every reader: a packet's attachments and an imported notice.

An iPhone saves photos as HEIC, which Pillow opens only with the pillow-heif package; the bytes say whether a file
is one, whatever its name. A picture too large to open safely, or damaged, is a message naming the file. A picture
is then turned upright and made plain (transparency on white) the same way for a packet's page and a signature.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from appeal.base.errors import UserError

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")


def looks_like_heif(data: bytes) -> bool:
    """The bytes are a HEIC/HEIF picture (its `ftyp` box names one of the HEIF brands)."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def open_image(data: bytes, path: Path) -> Any:
    """The picture in `data` (read from `path`), loaded; a UserError naming the file when it cannot be opened."""
    from PIL import Image, UnidentifiedImageError

    if looks_like_heif(data) or path.suffix.lower() in (".heic", ".heif"):
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            raise UserError(
                f"Attachment {path} is a HEIC photo (the iPhone's format), and reading HEIC needs the pillow-heif "
                "package: pip install pillow-heif. Or export the photo as JPG and attach that."
            ) from None
        register_heif_opener()
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except Image.DecompressionBombError:
        raise UserError(f"Attachment {path} is a picture too large to add safely; scan or save it smaller.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise UserError(f"Attachment {path} is not a picture appeal can read, or it is damaged "
                        f"({str(error) or type(error).__name__}). Save it again as JPG or PDF.") from None


def image_or_none(data: bytes, path: Path) -> Any:
    """The picture, or None when the bytes are not one (a file that may be a picture or text). A HEIC photo
    opens as `open_image` opens it."""
    from PIL import Image, UnidentifiedImageError

    if looks_like_heif(data):
        return open_image(data, path)
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        return None
    return image


def upright_and_plain(frame: Any) -> Any:
    """A picture turned upright (as the camera held it), in a colour mode a PDF and a clean-up take: transparency
    laid on white paper (a signature drawn in a browser), 16-bit and CMYK made plain."""
    from PIL import Image, ImageOps

    picture = ImageOps.exif_transpose(frame)
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
