"""The language the person reads, chosen once: `--lang es` on any command, else the environment as gettext reads it
(LANGUAGE, then LC_ALL, LC_MESSAGES, LANG; the first one set decides), else English.

Everything said to the person goes through `translate()` (imported as `_`) and `ngettext()` (GNU gettext catalogs
under appeal/locale/, made and compiled with Babel: see the README's "Translations"); dates for the person through
`long_date()`. What goes
to the plan (the letter, its appendix, the fax cover) is never passed through here: it stays English whatever the
person reads. A language without a catalog falls back to English, never to an error.

`appeal web` serves many requests from threads, each in its own browser's language: `reading(code)` sets the
language for one request only (a context variable, which Starlette's threads inherit), over the one chosen here.
"""

from __future__ import annotations

import gettext
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path

DOMAIN = "appeal"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
ENGLISH = "en"
# The languages with a catalog (besides English, the language of the code), with the locale their dates use.
CATALOGS = {"es": "es_US"}
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None  # set by `--lang`; None: read the environment
_request: ContextVar[str | None] = ContextVar("appeal_language", default=None)  # one web request's, over _chosen
_loaded: dict[str, gettext.NullTranslations] = {}  # each language's catalog, loaded once (read-only after)


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for, as gettext reads it: the first of LANGUAGE, LC_ALL, LC_MESSAGES and
    LANG that is set (LANGUAGE may list several, 'es:en'); 'C' or 'POSIX' ends the list. 'en' when none has a
    catalog."""
    environ = os.environ if environ is None else environ
    for name in _ENVIRONMENT:
        value = environ.get(name)
        if value:
            for wanted in value.split(":"):
                code = _code(wanted)
                if code in ("c", "posix"):
                    return ENGLISH
                if code in CATALOGS or code == ENGLISH:
                    return code
            return ENGLISH
    return ENGLISH


def _code(locale_name: str) -> str:
    """'es_US.UTF-8' -> 'es', 'C.UTF-8' -> 'c'."""
    return locale_name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()


def choose(wanted: str | None) -> str:
    """`--lang` (None: the environment decides). A language without a catalog is English, said once on stderr
    (no traceback: the person asked for something the tool cannot give yet). Returns the language now in use."""
    global _chosen
    if wanted is None:
        _chosen = None
        return current()
    code = _code(wanted)
    if code not in CATALOGS and code != ENGLISH:
        print(f"appeal: there is no '{wanted}' translation yet; using English.", file=sys.stderr)
        code = ENGLISH
    _chosen = code
    return code


def current() -> str:
    """The language in use: this web request's, else 'en' or a key of CATALOGS as chosen or from the environment."""
    return _request.get() or _chosen or from_environment()


@contextmanager
def reading(code: str) -> Iterator[None]:
    """Everything said inside, in this language ('en' or a key of CATALOGS): one web request's, whatever other
    threads say at the same time."""
    token = _request.set(code if code in CATALOGS else ENGLISH)
    try:
        yield
    finally:
        _request.reset(token)


def from_accept_language(header: str) -> str | None:
    """The language a browser asks for (Accept-Language, 'es-MX,es;q=0.9,en;q=0.8'): the one with a catalog, or
    English, that it wants most; None when it names neither (the launch's language then decides)."""
    wanted = []
    for order, part in enumerate(header.split(",")):
        name, _, quality = part.strip().partition(";")
        try:
            weight = float(quality.strip()[2:]) if quality.strip().startswith("q=") else 1.0
        except ValueError:
            weight = 0.0
        code = _code(name.strip()) if name.strip() else ""
        if weight > 0 and (code in CATALOGS or code == ENGLISH):
            wanted.append((-weight, order, code))
    return min(wanted)[2] if wanted else None


def translations() -> gettext.NullTranslations:
    """The catalog of the language in use (English: the messages as written), loaded once per language."""
    code = current()
    found = _loaded.get(code)
    if found is None:
        found = _loaded.setdefault(code, gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
                                   if code in CATALOGS else gettext.NullTranslations())
    return found


def translate(message: str) -> str:
    """A message in the person's language (the message itself when its catalog has none)."""
    return translations().gettext(message) if message else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """One of two messages by a count, in the person's language (its own plural rule)."""
    return translations().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is declared; `_()` translates it where it is shown."""
    return message


def listed(items: list[str]) -> str:
    """Items as a sentence lists them, in the person's language: 'a', 'a and b', 'a, b and c'."""
    if len(items) < 2:
        return "".join(items)
    return translate(N_("{items} and {last}")).format(items=", ".join(items[:-1]), last=items[-1])


def long_date(day: date) -> str:
    """A date for the person to read: 'March 14, 2026' in English, '14 de marzo de 2026' in Spanish (Babel's CLDR
    data, so the month names and order are the locale's)."""
    code = current()
    if code not in CATALOGS:
        return f"{day:%B} {day.day}, {day.year}"
    from babel.dates import format_date

    return format_date(day, format="long", locale=CATALOGS[code])


def month_name(number: int) -> str:
    """A month's name in the person's language ('February', 'febrero')."""
    code = current()
    if code not in CATALOGS:
        import calendar

        return calendar.month_name[number]
    from babel.dates import get_month_names

    return get_month_names("wide", locale=CATALOGS[code])[number]


def shown_date(day: date, english: str = "%m/%d/%Y") -> str:
    """A date shown back to the person: in English as `english` formats it (03/14/2026, as it is typed; a check's
    findings give '%Y-%m-%d', as the case file writes it), in words in another language ('14 de marzo de 2026'),
    where 03/04 could be read day first."""
    return long_date(day) if current() in CATALOGS else day.strftime(english)


# Spanish words that are never English ones (no "a", "me", "no", "son": English has them too), for telling an
# answer typed in Spanish: the letter to the plan is English, so the person is told it will appear as typed.
_SPANISH_WORDS = frozenset("""de la que el en y los las se por con una para mi es lo al del su muy pero más
    como cuando porque desde hace años trabajo puedo tengo estoy está ella él mis sus nada dolor también
    durante cada hasta entre después antes veces vez minutos horas días semanas semana meses dos tres cuatro cinco
    seis siete ocho diez tiene tenía fue hay ayudó mejoré sesiones pastillas""".split())


def looks_spanish(text: str) -> bool:
    """Whether free text reads as Spanish: at least two Spanish words, and one word in five."""
    words = re.findall(r"[a-záéíóúñü]+", text.lower())
    hits = sum(word in _SPANISH_WORDS for word in words)
    return hits >= 2 and hits * 5 >= len(words)
