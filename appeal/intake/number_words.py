"""A number typed as people type it: "about 10", "10 weeks", "ten", "$1,200", read as the number it means, and
said back; a range ("10-12") or a number of another unit ("3 months" for weeks) gets a question instead.

Why: a tired person answers "about 10" or "ten", and refusing it with "type a number" loses the answer for
nothing, while reading "10-12" as either end would be a guess put in a letter. So what is certain is kept and
said ("kept 10 weeks"), and what is not is asked, naming the choice that is safe to make.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from appeal.base.language import N_, ngettext, translate as _

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
WORDS: dict[str, int] = {word: number for number, word in enumerate(_ONES)} | _TENS | {"a dozen": 12, "dozen": 12}
# The same in Spanish, matched without accents (people type "veintidos" as often as "veintidós"): one to
# twenty-nine are one word each, then "treinta y dos".
_ONES_ES = ("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciseis "
            "diecisiete dieciocho diecinueve veinte veintiuno veintidos veintitres veinticuatro veinticinco "
            "veintiseis veintisiete veintiocho veintinueve").split()
_TENS_ES = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
            "noventa": 90}
_WORDS_ES = ({word: number for number, word in enumerate(_ONES_ES)} | _TENS_ES
             | {"un": 1, "una": 1, "veintiun": 21, "una docena": 12, "docena": 12})

# Words that soften a number without changing it ("about 10", "at least 8": the number is what is known).
_SOFTENERS = re.compile(r"^(?:about|around|approximately|approx\.?|roughly|circa|ca\.?|~|at least|over|"
                        r"more than|maybe|probably|unos|unas|aproximadamente|mas o menos|alrededor de|cerca de|"
                        r"como|al menos|por lo menos|mas de|quizas|tal vez|probablemente)\s*", re.IGNORECASE)
# Units people type after a number, by the unit a question counts in.
# Spanish ones as typed without accents (the text is read without them).
UNITS = {"week": ("weeks", "week", "wks", "wk", "w", "semanas", "semana", "sem"),
         "month": ("months", "month", "mos", "mo", "meses", "mes"),
         "year": ("years", "year", "yrs", "yr", "y", "anos", "ano"), "day": ("days", "day", "d", "dias", "dia"),
         "session": ("sessions", "session", "infusions", "infusion", "treatments", "treatment", "visits", "visit",
                     "sesiones", "sesion", "infusiones", "tratamientos", "tratamiento", "visitas", "visita")}
# The units a question counts in, as the person reads them, with a number.
_UNIT_NAMES = (N_("weeks"), N_("sessions"), N_("years"))  # for the catalog: `_(unit)` below
_UNIT_WORDS = {"weeks": lambda count: ngettext("{number} week", "{number} weeks", count),
               "sessions": lambda count: ngettext("{number} session", "{number} sessions", count),
               "years": lambda count: ngettext("{number} year", "{number} years", count)}
_NUMBER = r"\$?\s*\d[\d,]*(?:\.\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})\s*(?:-|–|—|to|or|/|\ba\b|\bo\b)\s*({_NUMBER})(?:\s+([a-z]+))?$", re.IGNORECASE)
_PLAIN = re.compile(rf"^({_NUMBER})(?:\s*([a-z]+\.?))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """What a typed number was read as: `text` the plain number for the model, `said` what to tell the person
    (None when it was typed as a plain number already), or `question` when it cannot be read without a guess."""

    text: str | None = None
    said: str | None = None
    question: str | None = None


def _unit_of(word: str) -> str | None:
    word = word.lower().rstrip(".")
    return next((unit for unit, spellings in UNITS.items() if word in spellings), None)


def _words_to_digits(text: str) -> str:
    """'ten' -> '10', 'twenty four' / 'twenty-four' -> '24', 'a dozen' -> '12', and in Spanish 'diez' -> '10',
    'treinta y dos' -> '32'; other text unchanged."""
    for tens, words, joint in ((_TENS, WORDS, r"[\s-]+"), (_TENS_ES, _WORDS_ES, r"\s+y\s+")):
        ones = "|".join(word for word, number in words.items() if 0 < number < 10)
        text = re.sub(rf"\b({'|'.join(tens)}){joint}({ones})\b",
                      lambda match: str(tens[match.group(1).lower()] + words[match.group(2).lower()]), text,
                      flags=re.IGNORECASE)
    for word, number in sorted((WORDS | _WORDS_ES).items(), key=lambda item: len(item[0]), reverse=True):
        text = re.sub(rf"\b{word}\b", str(number), text, flags=re.IGNORECASE)
    return text


def _without_accents(text: str) -> str:
    """'más', 'años' -> 'mas', 'anos': Spanish words are matched as typed with or without accents."""
    return "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))


def _plain(number: str) -> str:
    return number.replace("$", "").replace(",", "").replace(" ", "")


def read(typed: str, unit: str = "") -> Reading:
    """Read a typed number for a question counting in `unit` ('weeks', 'sessions', 'years'; '' for an amount)."""
    text = " ".join(typed.strip().split())
    if re.fullmatch(_NUMBER, text) and "$" not in text and "," not in text:
        return Reading(text)  # typed as a plain number: nothing to say
    softened = _SOFTENERS.sub("", _without_accents(text))
    digits = _words_to_digits(softened)
    unit_word = unit.rstrip("s") if unit else ""
    units = _(unit) if unit in _UNIT_WORDS else unit  # 'weeks', 'semanas'
    wanted = _("one number of {unit}").format(unit=units) if unit else _("one number")
    ranged = _RANGE.match(digits)
    if ranged:
        low = _plain(ranged.group(1))
        return Reading(question=_("'{text}' is a range: type {wanted}. Not sure? The lower one, {low}, is the safe "
                                  "choice: it is what you know for certain.").format(text=text, wanted=wanted, low=low))
    plain = _PLAIN.match(digits)
    if not plain:
        return Reading(text)  # not a number in words either: the model's own message says what to type
    number, typed_unit = _plain(plain.group(1)), plain.group(2)
    if typed_unit:
        found = _unit_of(typed_unit)
        if unit_word and found is not None and found != _unit_of(unit_word):
            return Reading(question=_("'{text}': this question counts in {unit}; type {wanted}.").format(
                text=text, unit=units, wanted=wanted))
        if found is None or not unit_word:
            return Reading(question=_("'{text}': type {wanted}, like {number}.").format(
                text=text, wanted=wanted, number=number))
    if unit in _UNIT_WORDS:
        shown = _UNIT_WORDS[unit](1 if number == "1" else 2).format(number=number)
    else:
        shown = f"{number} {unit}".strip() if number != "1" or not unit else f"1 {unit_word}"
    return Reading(number, said=_("kept {number} (you typed '{text}').").format(number=shown, text=text))
