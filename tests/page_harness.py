"""Pictures of pages for the OCR tests, cut below their last line of writing: where a test is about the pages
(every page read, a fax's pixels) and not about the paper's size, the blank part below the writing was cleaned up
and read by Tesseract all the same, about a second a page."""

from __future__ import annotations

from pathlib import Path

# A row of the picture is writing when more than about 1% of it is ink (darker than INK): a speck is not.
INK = 100
WRITING_ROW = 2  # the row's mean, ink as 255 and paper as 0
BELOW = 80  # pixels of paper kept under the last line


def cut_below_writing(picture):
    """The picture (any mode) cut BELOW pixels under its last row of writing; its edges are left out of the search
    (a turned photo's corners are dark)."""
    from PIL import Image

    ink = picture.convert("L").point(lambda value: 255 if value < INK else 0)
    inner = ink.crop((100, 0, picture.width - 100, picture.height - 60))
    rows = inner.resize((1, inner.height), Image.Resampling.BOX).tobytes()
    last = max(row for row, mean in enumerate(rows) if mean > WRITING_ROW)
    return picture.crop((0, 0, picture.width, min(picture.height, last + BELOW)))


def cut_fax(path: Path) -> Path:
    """A multi-page fax TIFF written again with every page cut below its writing, as it was stored (Group 4,
    its resolution)."""
    from PIL import Image, ImageSequence

    with Image.open(path) as fax:
        dpi = fax.info.get("dpi")
        frames = [cut_below_writing(frame.copy()) for frame in ImageSequence.Iterator(fax)]
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=dpi)
    return path
