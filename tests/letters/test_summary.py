"""'Qué dice su carta' (appeal/letters/summary.py): what it says is true for the step the letter is for."""

from __future__ import annotations

from datetime import date

from appeal.base import language
from appeal.cases import casefile
from appeal.base.resources import examples_folder
from appeal.letters import kinds, summary


def _sections(example: str) -> dict[str, list[str]]:
    case = casefile.load(examples_folder() / f"{example}.yaml")
    kind = kinds.get(case.letter_kind or kinds.default_name(case.denial is not None))
    with language.reading("es"):
        return {section.heading: section.lines for section in summary.sections(case, kind, date(2026, 12, 7))}


def test_an_external_reviews_answer_is_the_reviewers_and_each_date_is_said_once():
    """The pain patient's external review: two rules (the state's, the federal) give the same date to send it, which
    the page said twice; and 'El plan tiene 45 días' was wrong, the independent reviewer decides."""
    found = _sections("ketamine-crps-marketplace-external-review")
    send = found["Hasta cuándo puede enviarla"]
    assert len(send) == len(set(send)) == 1
    answer = found["Cuándo tiene que llegar la respuesta"]
    assert any("la organización de revisión independiente debe decidir" in line for line in answer), answer
    assert not any("El plan" in line for line in answer)


def test_an_internal_appeals_answer_is_still_the_plans():
    found = _sections("ketamine-trd-erisa-appeal")
    assert any(line.startswith("El plan ") for line in found["Cuándo tiene que responder el plan"])
