"""The request to continue treatment (reauthorization): the score history judged against the scales' definitions
(appeal/data/scales.yaml), the letter drafted from the bundled maintenance example, and its chart read back
from the .docx as a reviewer's software would (the picture part, its pixels, its alt text, the table's numbers)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from conftest import docx_text, example_case
from docx import Document
from PIL import Image

from appeal.cases import casefile, scales
from appeal.rules import clinical
from appeal.letters import draft, kinds, score_chart
from appeal.cases.case import Case, Instrument
from appeal.base.errors import UserError

TODAY = date(2026, 11, 28)
EXAMPLE = "esketamine-maintenance-reauthorization"


def case_with(scores: list[dict], start: str | None = "2026-05-12") -> Case:
    return Case.model_validate({"treatment": {"kind": "esketamine_nasal", "start_date": start},
                                "clinical": {"scores": scores}, "diagnoses": [{"code": "F33.2"}]})


def test_a_score_above_its_scale_is_refused_naming_the_field_and_the_range(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("clinical:\n  scores:\n    - {instrument: phq9, value: 31, date: 2026-05-05}\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        casefile.load(path)
    message = str(raised.value)
    assert "clinical.scores" in message and "0 to 27" in message and "31" in message
    # a scale whose versions differ in range (HAM-D 17 or 21 items) takes any total up to the model's bound
    assert case_with([{"instrument": "hamd", "value": 60}]).clinical.scores[0].value == 60


def test_response_and_remission_follow_the_definitions_in_the_data():
    madrs = scales.get("madrs")
    assert madrs.response_reduction == 0.5 and madrs.remission_at_most == 12 and "doi:10.1007/s40263-023-01026-3" in madrs.source
    assert scales.get("phq9").remission_below == 5
    course, = clinical.score_courses(case_with([
        {"instrument": "madrs", "value": 30, "date": "2026-04-01"},  # before the start: not the baseline
        {"instrument": "madrs", "value": 34, "date": "2026-05-05"},  # the last before the start: the baseline
        {"instrument": "madrs", "value": 17, "date": "2026-06-05"},
        {"instrument": "madrs", "value": 12, "date": "2026-07-05"},
    ]))
    assert course.baseline.value == 34 and course.latest.value == 12
    assert course.response is True and course.remission is True  # 12 is remission on the MADRS (12 or less)
    phq, = clinical.score_courses(case_with([{"instrument": "phq9", "value": 20, "date": "2026-05-05"},
                                             {"instrument": "phq9", "value": 11, "date": "2026-07-05"}]))
    assert phq.response is False and phq.remission is False  # 45% lower: short of 50%
    pain, = clinical.score_courses(case_with([{"instrument": "pain", "value": 8, "date": "2026-05-05"},
                                              {"instrument": "pain", "value": 2, "date": "2026-07-05"}]))
    assert pain.response is None and pain.remission is None  # no definition for this scale: nothing is claimed
    assert clinical.score_courses(case_with([{"instrument": "madrs", "value": 30, "date": "2026-05-05"}])) == []


@pytest.fixture(scope="module")
def letter():
    case = example_case(EXAMPLE)
    drafted = draft.draft(case, kinds.get("reauthorization"), today=TODAY)
    return case, drafted, Document(io.BytesIO(drafted.content))


def test_the_letter_states_the_history_response_remission_and_dosing(letter):
    case, drafted, _ = letter
    text = " ".join(docx_text(drafted.content).split())
    assert drafted.blanks == []
    assert "Request to continue esketamine nasal spray (Spravato) (reauthorization)" in text
    assert "Current authorization: KHP-UM-26-0518834, ends December 11, 2026" in text
    assert ("MADRS: 34 on May 5, 2026 (baseline before treatment) to 8 on November 5, 2026, 76% lower: a response, "
            "and remission (12 or less).") in text
    assert "PHQ-9: 21 on May 5, 2026 (baseline before treatment) to 4 on November 5, 2026, 81% lower" in text
    assert "remission means a MADRS total of 12 or less or a PHQ-9 total below 5" in text
    assert "CNS Drugs 2023;37(8):715-723, doi:10.1007/s40263-023-01026-3" in text
    assert case.treatment.maintenance in text
    # the label's own schedule was read only on the maker's pages, never in the FDA label: the letter leaves it out
    assert "Labeled schedule" not in text and "prescribing information, Dosage and Administration" not in text
    assert "REMS" in text and "for 13 further sessions" in text
    assert "Symptom ratings:" not in text  # the ratings are in the score section, not listed twice


def test_the_table_holds_the_case_numbers_by_date(letter):
    case, _, document = letter
    table = next(table for table in document.tables if table.rows[0].cells[1].text == "Total scores")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    expected: dict[str, list[str]] = {}
    for score in case.clinical.scores:
        day = f"{score.date:%B} {score.date.day}, {score.date.year}"
        expected.setdefault(day, []).append(f"{score.instrument.label} {score.number}")
    assert {row[0]: row[1].split("; ") for row in rows} == expected
    assert rows[0][2] == "baseline" and rows[-1][2] == "MADRS 76% lower; PHQ-9 81% lower"


def test_the_chart_is_an_inline_png_of_print_size_with_alt_text(letter):
    case, _, document = letter
    pictures = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(pictures) == 1
    image = Image.open(io.BytesIO(pictures[0].blob))
    assert image.format == "PNG" and image.width >= 1200 and 450 <= image.height < image.width
    assert image.info.get("dpi", (0, 0))[0] == pytest.approx(200, abs=1)
    inline = document.inline_shapes[0]
    assert inline.width.inches == pytest.approx(6.5, abs=0.01)
    description = inline._inline.docPr.get("descr")
    assert description.startswith("Line chart of MADRS and PHQ-9 total scores from May 5, 2026 to November 5, 2026")
    assert "76% lower" in description
    # the chart is drawn from the case: another history gives another picture
    other = case.model_copy(deep=True)
    other.clinical.scores = [score for score in other.clinical.scores if score.instrument is Instrument.madrs]
    again = Document(io.BytesIO(draft.draft(other, kinds.get("reauthorization"), today=TODAY).content))
    blob = next(part.blob for part in again.part.package.parts if part.content_type == "image/png")
    assert blob != pictures[0].blob
    assert again.inline_shapes[0]._inline.docPr.get("descr").startswith("Line chart of MADRS total scores")


def test_the_charts_axes_label_a_few_evenly_spaced_dates_inside_the_span_and_round_totals_from_0():
    first = date(2026, 5, 5)
    for days in (2, 9, 30, 120, 200, 400, 1200, 4000, 20000):
        last = first + timedelta(days)
        ticks = score_chart._date_ticks(first, last)
        assert 2 <= len(ticks) <= score_chart.MAX_TICKS and first <= ticks[0] and ticks[-1] <= last, (days, ticks)
        steps = [(later - earlier).days for earlier, later in zip(ticks, ticks[1:])]
        assert max(steps) - min(steps) <= 3, (days, ticks)  # months differ by up to 3 days, years by 1
    for high in (3, 8, 13, 33, 43, 72):
        ticks = score_chart._value_ticks(-2, high)
        assert ticks[0] == 0 and 3 <= len(ticks) <= 8 and ticks[-1] <= high, (high, ticks)


def test_without_dejavu_sans_the_chart_is_drawn_in_pillows_own_font(letter, monkeypatch):
    from PIL import ImageFont

    case = letter[0]
    courses = clinical.score_courses(case)
    drawn = score_chart.png(courses, case.treatment.start_date)
    installed = ImageFont.truetype

    def not_installed(font, *args, **kwargs):  # a font file looked up by name is missing; Pillow's own is not
        if isinstance(font, str):
            raise OSError("cannot open resource")
        return installed(font, *args, **kwargs)

    monkeypatch.setattr(ImageFont, "truetype", not_installed)
    try:
        score_chart._font.cache_clear()
        score_chart._drawn.cache_clear()
        fallback = score_chart.png(courses, case.treatment.start_date)
    finally:
        score_chart._font.cache_clear()
        score_chart._drawn.cache_clear()
    assert fallback != drawn
    assert Image.open(io.BytesIO(fallback)).size == Image.open(io.BytesIO(drawn)).size


def test_without_a_score_history_the_letter_asks_for_one_and_draws_nothing():
    case = example_case(EXAMPLE)
    case.clinical.scores = case.clinical.scores[:1]
    drafted = draft.draft(case, kinds.get("reauthorization"), today=TODAY)
    document = Document(io.BytesIO(drafted.content))
    assert not document.inline_shapes
    assert any("dated rating scores" in blank for blank in drafted.blanks)


def test_other_letters_draw_no_chart():
    drafted = draft.draft(example_case(EXAMPLE), kinds.get("prior-auth"), today=TODAY)
    assert not Document(io.BytesIO(drafted.content)).inline_shapes
    assert "Symptom ratings:" in docx_text(drafted.content)


def test_from_a_baseline_of_0_no_percentage_and_no_response_is_claimed():
    """`ScoreCourse.change` and the letter's table once disagreed here: the table said 'no change' for a rise
    from 0. A fall or rise from 0 is no fraction of it; the letter says the rating is higher and claims nothing."""
    from appeal.letters import letter_plan

    case = case_with([{"instrument": "phq9", "value": 0, "date": "2026-05-05"},
                      {"instrument": "phq9", "value": 6, "date": "2026-07-05"},
                      {"instrument": "phq9", "value": 0, "date": "2026-08-05"}])
    course, = clinical.score_courses(case)
    assert course.baseline.value == 0 and course.change is None
    assert [course.change_at(point) for point in course.points] == [None, None, None]
    assert course.response is None and clinical.judged_courses([course]) == []
    letter = letter_plan.context_for(case, kinds.get("reauthorization"), today=TODAY)["letter"]
    assert [row.change for row in letter.score_rows] == ["baseline", "PHQ-9 higher (baseline 0)", "PHQ-9 no change"]
    assert letter.score_summary == ["PHQ-9: 0 on May 5, 2026 (baseline before treatment) to 0 on August 5, 2026."]
    assert letter.score_definition == "" and letter.facts["rated"] == [] and letter.facts["responded"] == []
