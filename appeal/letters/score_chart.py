"""The rating-score chart of a request to continue treatment: a line chart drawn with Pillow, placed in the
letter as an inline picture with alt text (the same numbers are in a table beside it, for screen readers).

Pillow, not a plotting library: a batch worker that drafts one of these stays small (matplotlib and numpy were
45 MiB of it). The chart is drawn twice as large and reduced, so its lines and markers are antialiased, in
DejaVu Sans (the face matplotlib used), else in the scalable font Pillow ships; no display, no network.
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Inches

from appeal.base import letter_language
from appeal.base.letter_language import translate as L_

# Printed size and resolution: the width of a letter's text (8.5 in less two 1-in margins) at 200 dots an inch,
# so the labels print at their point size and a 100-dpi screen page still reads them.
WIDTH_INCHES = 6.5
HEIGHT_INCHES = 2.55
DPI = 200
FONT_POINTS = 10.5
# One color and marker a scale, readable in grey print and by the color-blind (blue / orange / green / purple).
STYLES = [("#1f4e9a", "o"), ("#c05a00", "s"), ("#2e7d32", "^"), ("#6a3d9a", "D")]
SCALE = 2  # drawn this many times larger, then reduced: every edge antialiased (3 looks no better, 2.2x the memory)
PIXELS = DPI / 72 * SCALE  # drawing pixels a point
INK, GRID, STARTED = "#000000", "#dddddd", "#555555"
# (width in points, dash and gap as widths): matplotlib's '--' and ':', which this chart was first drawn with
DASHED, DOTTED = (1.2, 3.7, 1.6), (1.5, 1, 1.65)
LINE_POINTS, MARKER_POINTS, THIN_POINTS = 2, 3, 0.8  # a scale's line, its markers' radius, the axes and grid
TWO_LINES = {"align": "center", "spacing": round(2.5 * PIXELS)}  # a label of two lines, centred
MAX_TICKS = 8


def png(courses: list[Any], start: Any = None) -> bytes:
    """The courses (appeal.rules.clinical.ScoreCourse) as one line chart: dated points with their values, each scale's
    remission threshold as a dashed line, and the treatment's start as a dotted line. A chart is kept per what it
    shows: its numbers and its words, looked up here in the letter's language each time (so a word without a
    translation is still noted, and a changed catalog draws anew)."""
    shown = tuple((course.instrument.label, course.scale.remission_line, course.scale.remission_text,
                   tuple((point.date, point.value) for point in course.points)) for course in courses)
    words = (L_("{scale} remission ({definition})"), L_("treatment started"), L_("Total score"),
             L_("(lower is better)"), L_("Date of rating"))
    return _drawn(shown, start, words, letter_language.current())


def _px(points: float) -> int:
    return round(points * PIXELS)


@lru_cache(maxsize=8)
def _font(points: float) -> Any:
    """DejaVu Sans where the system has it (Pillow looks in the system's font folders), else the scalable font
    Pillow ships."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans.ttf", _px(points))
    except OSError:
        return ImageFont.load_default(_px(points))


def _date_ticks(first: date, last: date) -> list[date]:
    """Dates to label from `first` to `last`, as many as fit MAX_TICKS: every 1, 2, 3, 7 or 14 days, else the
    first of every 1, 2, 3, 4 or 6 months, else of every 1, 2, 5, 10 ... years."""
    span = (last - first).days
    for step in (1, 2, 3, 7, 14):
        if span // step < MAX_TICKS:
            return [day for day in (first + timedelta(n) for n in range(span + 1)) if day.toordinal() % step == 0]
    months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
    for step in (1, 2, 3, 4, 6, 12, 24, 60, 120, 240, 600):
        ticks = [date(month // 12, month % 12 + 1, 1) for month in months if month % step == 0]
        ticks = [day for day in ticks if first <= day <= last]
        if len(ticks) <= MAX_TICKS:
            return ticks
    return [first, last]


def _value_ticks(low: float, high: float) -> list[float]:
    """Round totals to label from 0 to `high`, at most 7 of them."""
    step = next((step for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if (high - low) / step <= 7), 1000)
    return [step * n for n in range(max(math.ceil(low / step), 0), math.floor(high / step) + 1)]


def _dashed(draw: Any, ends: tuple[tuple[float, float], tuple[float, float]], color: str,
            pattern: tuple[float, float, float]) -> None:
    """A straight line in DASHED or DOTTED `pattern`."""
    width = _px(pattern[0])
    length = math.dist(*ends)
    along = 0.0
    while along < length:
        stop = min(along + width * pattern[1], length)
        draw.line([_between(*ends, along / length), _between(*ends, stop / length)], fill=color, width=width)
        along = stop + width * pattern[2]


def _between(start: tuple[float, float], end: tuple[float, float], fraction: float) -> tuple[float, float]:
    return start[0] + (end[0] - start[0]) * fraction, start[1] + (end[1] - start[1]) * fraction


def _marker(draw: Any, center: tuple[float, float], shape: str, color: str) -> None:
    radius = _px(MARKER_POINTS)
    if shape == "o":
        x, y = center
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=color)
    else:  # square, triangle pointing up, diamond: about as much ink as the circle
        sides, rotation, size = {"s": (4, 0, 1.25), "^": (3, 0, 1.35), "D": (4, 45, 1.3)}[shape]
        draw.regular_polygon((center, radius * size), sides, rotation=rotation, fill=color)


@lru_cache(maxsize=32)
def _drawn(courses: tuple, start: Any, words: tuple[str, ...], language: str) -> bytes:
    """`png` of the courses as (scale's name, remission line, its definition, (date, value) points), with `png`'s
    words as the letter's language has them, its dates in `language`."""
    from PIL import Image, ImageDraw

    remission, started, total, lower, rated = words
    width, height = round(WIDTH_INCHES * DPI) * SCALE, round(HEIGHT_INCHES * DPI) * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    label_font, tick_font, small_font = _font(FONT_POINTS), _font(FONT_POINTS - 1), _font(FONT_POINTS - 1.5)

    # what is shown: the days (with the treatment's start) and the totals, with room around them
    days = [day for *_, points in courses for day, _ in points] + ([start] if start is not None else [])
    first, last = min(days), max(days)
    margin = max((last - first).days * 0.05, 1)
    x_low, x_high = first.toordinal() - margin, last.toordinal() + margin
    y_low, y_high = -2, max(value for *_, points in courses for _, value in points) * 1.18 + 1
    date_ticks = _date_ticks(first - timedelta(margin), last + timedelta(margin))
    english = language == letter_language.ENGLISH
    date_labels = [f"{day:%b} {day.day}\n{day.year}" if english else letter_language.short_date(day)
                   for day in date_ticks]
    value_ticks = _value_ticks(y_low, y_high)

    # the plotting area: inside the axis titles, the tick labels and the ticks
    tick = pad = _px(3.5)
    y_title = f"{total}\n{lower}"
    y_title_box = draw.multiline_textbbox((0, 0), y_title, font=label_font, **TWO_LINES)
    tick_width = max(draw.textlength(f"{value:g}", font=tick_font) for value in value_ticks)
    x_label_boxes = [draw.multiline_textbbox((0, 0), text, font=tick_font, **TWO_LINES) for text in date_labels]
    left = _px(4) + y_title_box[3] + pad + tick_width + pad + tick
    right = width - max((box[2] for box in x_label_boxes), default=0) / 2 - _px(4)
    top = _px(8)
    bottom = height - (_px(4) + draw.textbbox((0, 0), rated, font=label_font)[3] + 2 * pad
                       + max((box[3] for box in x_label_boxes), default=0) + pad + tick)

    def x_of(day: date) -> float:
        return left + (day.toordinal() - x_low) / (x_high - x_low) * (right - left)

    def y_of(value: float) -> float:
        return bottom - (value - y_low) / (y_high - y_low) * (bottom - top)

    for value in value_ticks:
        draw.line([(left, y_of(value)), (right, y_of(value))], fill=GRID, width=_px(THIN_POINTS))
    legend = []  # (label, color, marker or None, dash pattern or None)
    drawn_lines = []  # every line's ends, for placing the legend where it covers the least
    for index, (label, line, definition, points) in enumerate(courses):
        color, shape = STYLES[index % len(STYLES)]
        legend.append((label, color, shape, None))
        if line is not None:
            drawn_lines.append(((left, y_of(line)), (right, y_of(line))))
            _dashed(draw, drawn_lines[-1], color, DASHED)
            legend.append((remission.format(scale=label, definition=definition), color, None, DASHED))
    if start is not None:
        drawn_lines.append(((x_of(start), top), (x_of(start), bottom)))
        _dashed(draw, drawn_lines[-1], STARTED, DOTTED)
        legend.append((started, STARTED, None, DOTTED))
    for index, (label, line, definition, points) in enumerate(courses):
        color, shape = STYLES[index % len(STYLES)]
        corners = [(x_of(day), y_of(value)) for day, value in points]
        draw.line(corners, fill=color, width=_px(LINE_POINTS), joint="curve")
        drawn_lines.extend(zip(corners, corners[1:]))
        above = index % 2 == 0  # the first scale's values above its points, the second's below: none collide
        for (day, value), (x, y) in zip(points, corners):
            _marker(draw, (x, y), shape, color)
            # each value on a white edge, so a line under it does not cross it out
            draw.text((x, y - _px(7) if above else y + _px(9)), f"{value:g}", font=small_font, fill=color,
                      anchor="ms" if above else "mt", stroke_width=_px(1), stroke_fill="white")

    # the axes: the left and bottom lines, their ticks and labels, their titles
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=INK, width=_px(THIN_POINTS))
    for value in value_ticks:
        draw.line([(left - tick, y_of(value)), (left, y_of(value))], fill=INK, width=_px(THIN_POINTS))
        draw.text((left - tick - pad, y_of(value)), f"{value:g}", font=tick_font, fill=INK, anchor="rm")
    for day, text in zip(date_ticks, date_labels):
        draw.line([(x_of(day), bottom), (x_of(day), bottom + tick)], fill=INK, width=_px(THIN_POINTS))
        draw.multiline_text((x_of(day), bottom + tick + pad), text, font=tick_font, fill=INK, anchor="ma",
                            **TWO_LINES)
    draw.text(((left + right) / 2, height - _px(4)), rated, font=label_font, fill=INK, anchor="md")
    turned = Image.new("L", (math.ceil(y_title_box[2]), math.ceil(y_title_box[3])))
    ImageDraw.Draw(turned).multiline_text((0, 0), y_title, font=label_font, fill=255, **TWO_LINES)
    turned = turned.rotate(90, expand=True)
    image.paste(INK, (_px(4), round((top + bottom - turned.height) / 2)), turned)

    _legend(image, legend, drawn_lines, (left, top, right, bottom), small_font)
    buffer = io.BytesIO()
    image.reduce(SCALE).save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def _legend(image: Any, entries: list[tuple], lines: list[tuple], area: tuple[float, float, float, float],
            font: Any) -> None:
    """The key, in the corner of the plotting area that the lines cross least (the upper right first), on a
    veil of white: a line it still crosses shows faintly behind its words."""
    from PIL import Image, ImageDraw

    draw = ImageDraw.Draw(image)
    row, swatch, gap, inset = round(font.size * 1.4), 2 * font.size, round(font.size * 0.8), font.size // 2
    box_width = swatch + gap + max(draw.textlength(label, font=font) for label, *_ in entries)
    box_height = row * len(entries)
    left, top, right, bottom = area
    corners = [(right - inset - box_width, top + inset), (left + 2 * inset, top + inset),
               (left + 2 * inset, bottom - inset - box_height),
               (right - inset - box_width, bottom - inset - box_height)]

    def crossings(corner: tuple[float, float]) -> int:
        x, y = corner
        return sum(x <= px <= x + box_width and y <= py <= y + box_height
                   for ends in lines for px, py in (_between(*ends, n / 40) for n in range(41)))

    x, y = min(corners, key=crossings)
    box = tuple(round(edge) for edge in (x - inset, y, x + box_width + inset, y + box_height))
    behind = image.crop(box)
    image.paste(Image.blend(behind, Image.new("RGB", behind.size, "white"), 0.8), box[:2])
    for label, color, shape, pattern in entries:
        ends = (x, y + row / 2), (x + swatch, y + row / 2)
        if pattern is None:
            draw.line(ends, fill=color, width=_px(LINE_POINTS))
            _marker(draw, _between(*ends, 0.5), shape, color)
        else:
            _dashed(draw, ends, color, pattern)
        draw.text((x + swatch + gap, y + row / 2), label, font=font, fill=INK, anchor="lm")
        y += row


class Picture:
    """An inline picture for a docxtpl template, as its finished run XML (like the Attachment A sub-document):
    the PNG is added to the document's main part, and the picture carries its alt text (wp:docPr descr)."""

    def __init__(self, template: Any, content: bytes, alt: str):
        part = template.docx.part
        inline = part.new_pic_inline(io.BytesIO(content), Inches(WIDTH_INCHES), None)
        properties = inline.find(qn("wp:docPr"))
        properties.set("name", L_("Chart of rating scores"))
        properties.set("descr", alt)
        self.xml = inline.xml

    def __html__(self) -> str:
        # Closes the text run the tag sits in, adds a run holding the drawing, and opens a run for what follows.
        return f'</w:t></w:r><w:r><w:drawing>{self.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


def chart_picture(template: Any, courses: list[Any], alt: str, start: Any = None) -> Any:
    """The chart for `{{ score_chart }}`, or nothing when the case has no score history to draw."""
    if not courses:
        return Empty()
    return Picture(template, png(courses, start), alt)


class Empty:
    def __html__(self) -> str:
        return ""
