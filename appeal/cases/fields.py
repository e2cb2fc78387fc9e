"""Field types shared by the case model: the formats people actually type, checked once, here.

Each type is an ``Annotated`` pydantic type, so the same rule serves a case file, the questionnaire and a CSV row.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

from appeal.base.errors import UserError
from appeal.base.language import long_date, month_name, shown_date, translate as _

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")  # numeric: the month first, as in the US


_ISO_SHAPE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_US_SHAPE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
def _example() -> str:
    """How to write a date, in the person's language (each refusal of a date ends with it)."""
    return _("write it like 03/14/2026 or 2026-03-14")


def _why_not_a_day(value: str, year: int, month: int, day: int) -> str | None:
    """Why year/month/day name no day of the calendar, in words (None when they do)."""
    if year == 0:
        return _("'{value}' is not a date: there is no year 0; {example}").format(value=value, example=_example())
    if not 1 <= month <= 12:
        return _("'{value}' is not a date: there is no month {month} (months are 1 to 12); {example}").format(
            value=value, month=month, example=_example())
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return _("'{value}' is not a date: {month} has {days} days in {year}; {example}").format(
            value=value, month=month_name(month), days=days, year=year, example=_example())
    return None


def _why_not_iso(value: str, match: re.Match) -> str:
    """Why text shaped like 2026-02-30 (or 2026-11-02 25:61:00) is not a date, in words."""
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    why = _why_not_a_day(value, year, month, day)
    if why:
        return why
    time = match.string[match.end(3):].strip(" T")
    return _("'{value}' is not a date: {time} is not a time of day (a date needs no time: write {date})").format(
        value=value, time=time, date=f"{year:04d}-{month:02d}-{day:02d}")


def _why_not_us(value: str, match: re.Match) -> str:
    """Why text shaped like 02/30/1990 or 13/45/90 (month first, as in the US) is not a date, in words."""
    month, day, year = (int(part) for part in match.group(1, 2, 3))
    if len(match.group(3)) == 2:  # as strptime's %y reads two digits: 69-99 are 1969-1999, 00-68 are 2000-2068
        year += 1900 if year >= 69 else 2000
    if month > 12 and 1 <= day <= 12:  # day first, as much of the world writes it
        return _("'{value}' is not a date: there is no month {month}; write the month first, like {date}").format(
            value=value, month=month, date=f"{day:02d}/{month:02d}/{match.group(3)}")
    return _why_not_a_day(value, year, month, day) or _("'{value}' is not a date; {example}").format(
        value=value, example=_example())


# A month's name as people type it, whatever language they read (an English reader may paste a Spanish date): the
# English and the Spanish names ("setiembre" is Spanish too), or their first three letters or more ("sept", "dic.").
_MONTHS = [calendar.month_name[number].lower() for number in range(1, 13)]
_SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                   "noviembre", "diciembre"]
_NAMES = {name: number for names in (_MONTHS, _SPANISH_MONTHS) for number, name in enumerate(names, 1)} | {
    "setiembre": 9}
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|ro|o|\.?º|\.?°)(?!\w)", re.IGNORECASE)  # 22nd, 1º, 1.º, 1ro
_JOINING = {"de", "del", "of"}  # "3 de diciembre del 2026", "3rd of December 2026"


def _month_number(word: str) -> int | None:
    """The month a word names ('Dic.', 'setiembre', 'Febuary', 'agósto'), or None: a whole name or its start
    (three letters or more), else a name one letter off; case and accents do not matter."""
    bare = "".join(char for char in unicodedata.normalize("NFKD", word.rstrip(".,").lower())
                   if not unicodedata.combining(char))
    if not bare.isalpha() or len(bare) < 3:
        return None
    start = next((number for name, number in _NAMES.items() if name.startswith(bare)), None)
    if start:
        return start
    near = difflib.get_close_matches(bare, _NAMES, n=1, cutoff=0.75)
    return _NAMES[near[0]] if near else None


def _in_words(text: str) -> tuple[int, list[str]] | None:
    """A date written with its month's name, as (month, the other parts: its numbers, or any word left over); None
    when no word names a month. Dashes, slashes, dots and commas between the parts are spaces ('3-dic-2026')."""
    parts = [part for part in re.split(r"[\s,./-]+", _ORDINAL.sub(r"\1", text).strip()) if part]
    months = [number for number in map(_month_number, parts) if number]
    if len(months) != 1:
        return None
    rest = [part.rstrip(".") for part in parts if not _month_number(part) and part.lower() not in _JOINING]
    return months[0], rest


def _from_words(value: str, month: int, rest: list[str]) -> date:
    """A date from a month's name, a day (one or two digits) and a year (four), in any order ('3 de diciembre de
    2026', 'dic 3 2026', 'December 3, 2026'); a day the month does not have, or no year, or no day, says why."""
    days = [int(part) for part in rest if re.fullmatch(r"\d{1,2}", part)]
    years = [int(part) for part in rest if re.fullmatch(r"\d{4}", part)]
    if len(days) + len(years) != len(rest) or len(days) > 1 or len(years) > 1 or not rest:
        raise ValueError(_("'{value}' is not a date; {example}").format(value=value, example=_example()))
    year = years[0] if years else date.today().year  # no year: the day named this year, to show how to write it
    day = days[0] if days else 1  # no day: the first of the month, likewise
    why = _why_not_a_day(value, year, month, day)
    if why:
        raise ValueError(why)
    if not years:
        raise ValueError(_("'{value}' has no year; write it with the year, like {date}").format(
            value=value, date=long_date(date(year, month, day))))
    if not days:
        raise ValueError(_("'{value}' has no day; write the day too, like {date}").format(
            value=value, date=long_date(date(year, month, day))))
    return date(year, month, day)


def parse_date(value: object) -> object:
    """Accept 2026-03-14, 03/14/2026, 3/14/26 (the month first) and a month's name with a day and a year, in English
    or Spanish ('March 14 2026', '14 de marzo de 2026', '14-mar-2026'; and 2026-03-14 10:30, the date of a
    timestamp); leave anything else for pydantic to reject. Text shaped like a date that is none says why."""
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    words = _in_words(text)
    if words:
        return _from_words(text, *words)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    iso = _ISO_SHAPE.fullmatch(text)
    if iso:
        if iso.group(4):
            try:
                return datetime.fromisoformat(text.replace(" ", "T", 1)).date()
            except ValueError:
                pass
        raise ValueError(_why_not_iso(text, iso))
    us = _US_SHAPE.fullmatch(text)
    if us:
        raise ValueError(_why_not_us(text, us))
    raise ValueError(_("'{value}' is not a date; {example}").format(value=value, example=_example()))


def parse_day(value: str, where: str) -> date:
    """A date a person typed for a command-line option or into a form box, in any format a case file accepts;
    a mistake is a UserError that names `where` it was typed ('--sent', 'The day you sent it')."""
    try:
        return parse_date(value)
    except ValueError as error:
        raise UserError(f"{where}: {error}") from None


def not_in_future(value: date | None) -> date | None:
    """Dates of things that already happened (a birth, a denial notice) cannot be after today."""
    if value is not None and value > date.today():
        raise ValueError(_("{date} is in the future; this date must be today or earlier").format(
            date=shown_date(value)))
    return value


Date = Annotated[date, BeforeValidator(parse_date)]
PastDate = Annotated[date, BeforeValidator(parse_date), AfterValidator(not_in_future)]


def normalize_phone(value: object) -> object:
    """US phone and fax numbers: keep the digits, print them as (555) 123-4567; keep an extension."""
    if not isinstance(value, str | int):
        return value
    text = str(value).strip()
    main, extension = text, ""
    match = re.search(r"\s*(?:ext\.?|x)\s*(\d+)\s*$", text, flags=re.I)
    if match:
        main, extension = text[: match.start()], match.group(1)
    digits = re.sub(r"\D", "", main)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError(_("'{value}' is not a 10-digit US phone number, like (555) 123-4567").format(value=value))
    formatted = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return f"{formatted} ext. {extension}" if extension else formatted


Phone = Annotated[str, BeforeValidator(normalize_phone)]


def npi_check_digit_ok(npi: str) -> bool:
    """The NPI's last digit is a Luhn check digit computed with the prefix 80840 (CMS NPI standard)."""
    digits = [int(d) for d in "80840" + npi[:-1]]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[-1])


def check_npi(value: object) -> object:
    if not isinstance(value, str | int):
        return value
    npi = re.sub(r"[\s-]", "", str(value))
    if not re.fullmatch(r"\d{10}", npi):
        raise ValueError(_("'{value}' is not an NPI: an NPI has exactly 10 digits").format(value=value))
    if not npi_check_digit_ok(npi):
        raise ValueError(_("'{value}' is not a valid NPI: its check digit does not match (a typo?)").format(
            value=value))
    return npi


NPI = Annotated[str, BeforeValidator(check_npi)]


MAX_AMOUNT = Decimal("10000000")  # no single charge or payment a letter argues about is near $10 million


def parse_money(value: object) -> object:
    """Amounts as people write them: 450, 450.00, $1,250.50; never more than MAX_AMOUNT, never infinite."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return value
    text = str(value).strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(text) if len(text) <= 30 else Decimal("NaN")
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValueError(_("'{value}' is not an amount of money, like 450.00").format(value=str(value)[:30]))
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("{value} is more than {limit}; check the amount (like 450.00)").format(
            value=str(value)[:30], limit=format_money(MAX_AMOUNT)))
    return amount


def non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(_("an amount cannot be negative"))
    return value.quantize(Decimal("0.01"))


Money = Annotated[
    Decimal,
    BeforeValidator(parse_money),
    AfterValidator(non_negative),
    PlainSerializer(lambda amount: float(amount), return_type=float, when_used="json"),
]


def format_money(amount: Decimal | None) -> str:
    return "" if amount is None else f"${amount:,.2f}"


def format_date(value: date | None) -> str:
    """Letters spell dates out (March 14, 2026): no one misreads them, whatever their country."""
    return "" if value is None else f"{value:%B} {value.day}, {value.year}"
