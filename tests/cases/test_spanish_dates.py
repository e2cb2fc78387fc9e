"""Dates typed in Spanish (issue 32): the month's name in Spanish, whole or short, with or without a dot or an
accent, "de" between the parts, dashes or slashes, in any language setting (an English reader may paste a Spanish
date); numbers alone keep the US order (the month first), which the prompts say. A date the calendar does not have
is refused in words, and a date shown to a Spanish reader is in Spanish words."""

from __future__ import annotations

from datetime import date

import pytest

from appeal.base import language
from appeal.cases.case import Patient
from appeal.cases.fields import parse_date

DECEMBER_3 = ["3 de diciembre de 2026", "3 diciembre 2026", "3-dic-2026", "dic 3 2026", "3 de Diciembre del 2026",
              "DIC. 3, 2026", "3 dic. 2026", "3/dic/2026", "diciembre 3 de 2026", "3 de dicembre de 2026",
              "03-DIC-2026", "2026-dic-03", "3º de diciembre de 2026", "December 3, 2026", "3rd of December 2026"]
# every month's Spanish name and short form, "setiembre" and "set" too, and a stray accent
MONTHS = [(typed, month) for month, names in enumerate([
    ("enero", "ene"), ("febrero", "feb"), ("marzo", "mar"), ("abril", "abr"), ("mayo", "may"), ("junio", "jun"),
    ("julio", "jul"), ("agosto", "ago", "agósto"), ("septiembre", "sep", "sept.", "setiembre", "set", "set."),
    ("octubre", "oct"), ("noviembre", "nov"), ("diciembre", "dic", "dic.")], 1) for typed in names]


@pytest.fixture(params=["es", "en"])
def reading(request):
    """Each test in both languages: a Spanish date is a date whatever the person reads."""
    with language.reading(request.param):
        yield request.param


@pytest.mark.parametrize("typed", DECEMBER_3)
def test_each_spanish_form_is_the_date_it_says(typed, reading):
    assert parse_date(typed) == date(2026, 12, 3)
    assert Patient(date_of_birth=typed.replace("2026", "1984")).date_of_birth == date(1984, 12, 3)


@pytest.mark.parametrize("typed, month", MONTHS)
def test_every_spanish_month_name_and_short_form(typed, month, reading):
    assert parse_date(f"14 de {typed} de 2025") == date(2025, month, 14)
    assert parse_date(f"{typed.upper()} 14 2025") == date(2025, month, 14)


def test_numbers_alone_keep_the_month_first(reading):
    """3/12/2026 is March 12 in any language (the prompts say so, and the answer is shown back in words)."""
    assert parse_date("3/12/2026") == date(2026, 3, 12)
    assert parse_date("2026-12-03") == date(2026, 12, 3)


@pytest.mark.parametrize("typed, spanish, english", [
    ("31 de febrero de 2026", "'31 de febrero de 2026' no es una fecha: febrero tiene 28 días en 2026",
     "'31 de febrero de 2026' is not a date: February has 28 days in 2026"),
    ("31-abr-2026", "'31-abr-2026' no es una fecha: abril tiene 30 días en 2026",
     "'31-abr-2026' is not a date: April has 30 days in 2026"),
    ("29 de febrero de 2025", "'29 de febrero de 2025' no es una fecha: febrero tiene 28 días en 2025",
     "'29 de febrero de 2025' is not a date: February has 28 days in 2025"),
    ("3 de diciembre", "'3 de diciembre' no tiene año; escríbala con el año, como 3 de diciembre de ",
     "'3 de diciembre' has no year; write it with the year, like December 3, "),
    ("diciembre de 2026", "'diciembre de 2026' no tiene día; escriba también el día, como 1 de diciembre de 2026",
     "'diciembre de 2026' has no day; write the day too, like December 1, 2026"),
    ("diciembre", "'diciembre' no es una fecha;", "'diciembre' is not a date;"),
    ("3 de diciembre de 2026 o 4", "'3 de diciembre de 2026 o 4' no es una fecha; escríbala con el mes primero, "
     "como 03/14/2026, o con palabras, como 14 de marzo de 2026",
     "'3 de diciembre de 2026 o 4' is not a date; write it like 03/14/2026 or 2026-03-14"),
])
def test_a_spanish_date_the_calendar_does_not_have_is_refused_in_words(typed, spanish, english, reading):
    with pytest.raises(ValueError) as refused:
        parse_date(typed)
    assert str(refused.value).startswith(spanish if reading == "es" else english)


def test_a_future_date_is_refused_in_the_readers_words():
    with language.reading("es"), pytest.raises(ValueError, match="3 de diciembre de 2099 es una fecha futura"):
        Patient(date_of_birth="3 de diciembre de 2099")
    with language.reading("en"), pytest.raises(ValueError, match="12/03/2099 is in the future"):
        Patient(date_of_birth="3 de diciembre de 2099")

