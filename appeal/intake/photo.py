"""A photo or a scan of a page made ready for OCR: upright, gray, specks removed, evenly lit, straight.

People photograph a notice on a table with a phone: the light falls off across the page, and the phone and the
hand throw a shadow over part of it. One threshold for the whole page then turns the shadowed part black, and
Tesseract reads nothing there. So the paper's own brightness is estimated first, everywhere on the page, and each
pixel is divided by it: a shadowed part of the paper becomes as white as the rest, and its ink as dark.

The paper's brightness is what is left when the writing is taken away: on a copy an eighth of the size, a
morphological closing (the brightest value nearby, then the darkest) fills in every stroke and line of text,
which are thin there, but keeps a shadow, which is wide. Then the page is straightened (the angle at which its
rows of ink are sharpest). It is left gray for Tesseract; a black-and-white copy (Otsu's threshold) shows the
parts still dark. Pillow only, no other image library.
"""

from __future__ import annotations

from array import array
from typing import Any

from appeal.base.images import otsu_level

# Tesseract reads best when capital letters are 20-40 pixels tall: a page is scaled to about 300 dpi.
TARGET_WIDTH = 2500
# The copy the paper's brightness is estimated on, and the width of the closing there (about two lines of text
# at full size): wider than any stroke or line of text, narrower than a shadow.
_BACKGROUND_WIDTH = 320
_CLOSING = 9
# A picture with pixels taller than wide is stretched to square pixels up to this size, shrunk beyond it.
_MOST_STRETCHED = 20_000_000


def prepare(image: Any) -> Any:
    """`image` (a photo or a scan, any mode) as an evenly lit, straight gray page at about 300 dpi, ready for
    Tesseract. It stays gray: Tesseract's recognition reads the shades at the letters' edges (what tells 0 from O
    and ) from }), which a threshold here would throw away; it finds its own threshold for the layout."""
    from PIL import Image

    gray = upright_gray(square_pixels(image))
    if gray.width < TARGET_WIDTH * 0.8 or gray.width > TARGET_WIDTH * 1.6:  # a phone photo: no need for 500 dpi
        gray = gray.resize((TARGET_WIDTH, max(1, round(gray.height * TARGET_WIDTH / gray.width))),
                           Image.Resampling.LANCZOS)
    return straightened(even_lighting(median_3x3(gray)))  # specks of dust gone first


def median_3x3(gray: Any) -> Any:
    """Pillow's MedianFilter(3), pixel for pixel (the edge pixels repeated outward, as Pillow does), in a quarter
    of its time: Pillow sorts nine values at every pixel; here whole pictures are compared. Each pixel's column of
    three is sorted first (least, middle, greatest); the median of the nine is then the middle one of: the greatest
    of the three columns' least, the middle of their middles, and the least of their greatest."""
    from PIL import Image, ImageChops

    width, height = gray.size
    grown = Image.new(gray.mode, (width + 2, height + 2))
    grown.paste(gray, (1, 1))
    grown.paste(gray.crop((0, 0, width, 1)), (1, 0))
    grown.paste(gray.crop((0, height - 1, width, height)), (1, height + 1))
    grown.paste(grown.crop((1, 0, 2, height + 2)), (0, 0))
    grown.paste(grown.crop((width, 0, width + 1, height + 2)), (width + 1, 0))
    darker, lighter = ImageChops.darker, ImageChops.lighter

    def middle(a: Any, b: Any, c: Any) -> Any:
        return lighter(darker(a, b), darker(lighter(a, b), c))

    def across(picture: Any) -> list[Any]:  # each pixel's left neighbour, itself, its right neighbour
        return [picture.crop((left, 0, left + width, height)) for left in range(3)]

    above, level, below = (grown.crop((0, top, width + 2, top + height)) for top in range(3))
    low, high = darker(above, level), lighter(above, level)
    least, middles, greatest = (across(picture) for picture in
                                (darker(low, below), lighter(low, darker(high, below)), lighter(high, below)))
    return middle(lighter(lighter(*least[:2]), least[2]), middle(*middles), darker(darker(*greatest[:2]), greatest[2]))


def square_pixels(image: Any) -> Any:
    """A picture whose pixels are not square (its dpi across and down differ) stretched to square ones: a fax sent
    in standard resolution is 204 dots an inch across but 98 down, and its letters were read squashed to half
    their height."""
    from PIL import Image

    dpi = image.info.get("dpi")
    try:
        across, down = (float(value) for value in dpi)
    except (TypeError, ValueError):
        return image
    if across <= 0 or down <= 0 or abs(across / down - 1) < 0.1 or not 0.25 <= across / down <= 4:
        return image
    picture = image.convert("L") if image.mode in ("1", "P") else image
    width, height = picture.size
    stretch = max(across, down) / min(across, down)
    if width * height * stretch > _MOST_STRETCHED:  # a large picture: the denser side shrunk instead
        size = (width, round(height / stretch)) if down > across else (round(width / stretch), height)
    else:
        size = (width, round(height * stretch)) if across > down else (round(width * stretch), height)
    return picture.resize(size, Image.Resampling.LANCZOS)


def black_and_white(gray: Any) -> Any:
    """The prepared page as ink and paper only (Otsu's threshold): where it is still dark, nothing was read."""
    level = otsu_threshold(gray)
    return gray.point(lambda value: 255 if value > level else 0)


def upright_gray(image: Any) -> Any:
    """Turned as the camera was held (EXIF orientation), in shades of gray; transparency on white."""
    from PIL import ImageOps

    from appeal.base.images import upright

    picture = upright(image)
    return picture if picture.mode == "L" else ImageOps.grayscale(picture)


def paper_brightness(gray: Any) -> Any:
    """How bright the paper is at each pixel, the writing taken away (a closing on a small copy, smoothed)."""
    from PIL import Image, ImageFilter

    small = gray.resize((_BACKGROUND_WIDTH, max(1, round(gray.height * _BACKGROUND_WIDTH / gray.width))),
                        Image.Resampling.BOX)
    closed = small.filter(ImageFilter.MaxFilter(_CLOSING)).filter(ImageFilter.MinFilter(_CLOSING))
    smooth = closed.filter(ImageFilter.GaussianBlur(2))
    return smooth.resize(gray.size, Image.Resampling.BILINEAR)


def even_lighting(gray: Any) -> Any:
    """Each pixel divided by the paper's brightness there, so the paper is white everywhere and the ink dark,
    in the light and in a shadow alike; then the contrast stretched."""
    from PIL import ImageMath, ImageOps

    paper = paper_brightness(gray)
    ratio = ImageMath.lambda_eval(lambda image: image["ink"] * 255 / (image["paper"] + 1),
                                  ink=gray.convert("F"), paper=paper.convert("F"))
    evened = ratio.convert("L")  # clipped to 0-255: a speck brighter than the paper is white
    return ImageOps.autocontrast(evened, cutoff=1)


def straightened(gray: Any) -> Any:
    from PIL import Image

    angle = skew_angle(gray)
    if abs(angle) < 0.1:
        return gray
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def otsu_threshold(gray: Any) -> int:
    """The gray level that best separates ink from paper (128 for a page of one level)."""
    return otsu_level(gray.histogram()[:256], no_split=128)


def skew_angle(gray: Any, limit: float = 5.0) -> float:
    """The rotation (degrees, within +-`limit`) that makes the text lines horizontal: the angle at which the
    rows of ink are sharpest (a projection profile: each row's mean ink, and how much it changes from row to row),
    searched in half degrees, then in tenths around the best."""
    from PIL import Image

    small = gray.resize((800, max(1, round(gray.height * 800 / gray.width))))
    level = otsu_threshold(small)
    ink = small.point(lambda value: 255 if value <= level else 0)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        rows = array("f", turned.convert("F").resize((1, turned.height), Image.Resampling.BOX).tobytes())
        return sum((a - b) ** 2 for a, b in zip(rows, rows[1:]))

    def best(angles: list[float]) -> float:
        return max(angles, key=lambda angle: (sharpness(angle), -abs(angle)))

    coarse = best([step / 2 for step in range(-round(2 * limit), round(2 * limit) + 1)])
    return best([round(coarse + step / 10, 1) for step in range(-5, 6) if abs(coarse + step / 10) <= limit])
