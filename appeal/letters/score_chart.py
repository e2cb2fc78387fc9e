"""The rating-score chart of a request to continue treatment: a line chart drawn with matplotlib, placed in the
letter as an inline picture with alt text (the same numbers are in a table beside it, for screen readers).

matplotlib is imported here only, when a letter with a chart is drafted, so `appeal --help` stays fast. It draws
with the Agg backend (no display, no network) straight to PNG bytes in memory.
"""

from __future__ import annotations

import io
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


def png(courses: list[Any], start: Any = None) -> bytes:
    """The courses (appeal.rules.clinical.ScoreCourse) as one line chart: dated points with their values, each scale's
    remission threshold as a dashed line, and the treatment's start as a dotted line. Drawing one is a third of a
    second (profiled), so a chart is kept per what it shows: its numbers and its words, looked up here in the
    letter's language each time (so a word without a translation is still noted, and a changed catalog draws anew)."""
    shown = tuple((course.instrument.label, course.scale.remission_line, course.scale.remission_text,
                   tuple((point.date, point.value) for point in course.points)) for course in courses)
    words = (L_("{scale} remission ({definition})"), L_("treatment started"), L_("Total score"),
             L_("(lower is better)"), L_("Date of rating"))
    return _drawn(shown, start, words, letter_language.current())


@lru_cache(maxsize=32)
def _drawn(courses: tuple, start: Any, words: tuple[str, ...], language: str) -> bytes:
    """`png` of the courses as (scale's name, remission line, its definition, (date, value) points), with `png`'s
    words as the letter's language has them, its dates in `language`."""
    remission, started, total, lower, rated = words
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure  # the object API: no pyplot, no global state between letters

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axes = figure.add_subplot()
    top = 0.0
    for index, (label, line, definition, points) in enumerate(courses):
        color, marker = STYLES[index % len(STYLES)]
        dates = [day for day, _ in points]
        values = [value for _, value in points]
        top = max(top, *values)
        axes.plot(dates, values, color=color, marker=marker, linewidth=2, markersize=6, label=label)
        above = index % 2 == 0  # the first scale's values above its points, the second's below: none collide
        for day, value in zip(dates, values):
            axes.annotate(f"{value:g}", (day, value), textcoords="offset points", xytext=(0, 7 if above else -9),
                          ha="center", va="bottom" if above else "top", fontsize=FONT_POINTS - 1.5, color=color)
        if line is not None:
            axes.axhline(line, color=color, linestyle="--", linewidth=1.2,
                         label=remission.format(scale=label, definition=definition))
    if start is not None:
        axes.axvline(start, color="#555555", linestyle=":", linewidth=1.5, label=started)
    axes.set_ylim(-2, top * 1.18 + 1)
    axes.set_ylabel(total + "\n" + lower, fontsize=FONT_POINTS)
    axes.set_xlabel(rated, fontsize=FONT_POINTS)
    locator = AutoDateLocator(minticks=4, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    if language == letter_language.ENGLISH:
        axes.xaxis.set_major_formatter(DateFormatter("%b %-d\n%Y"))
    else:  # the month in the letter's language ('7 dic'), as its dates are
        from matplotlib.dates import num2date
        from matplotlib.ticker import FuncFormatter

        axes.xaxis.set_major_formatter(FuncFormatter(
            lambda value, _: letter_language.short_date(num2date(value).date())))
    axes.tick_params(labelsize=FONT_POINTS - 1)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=FONT_POINTS - 1.5, loc="upper right", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})  # no tool name in the file
    return buffer.getvalue()


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
