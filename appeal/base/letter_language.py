"""The language the LETTER is written in, apart from the language the person reads (appeal/base/language.py):
a Spanish speaker may read the tool in Spanish while the letter to the plan stays English (the default), and a
plan that accepts Spanish correspondence may get the letter in Spanish (`--letter-lang es`, issue 32).

Every English text that reaches a letter (the wording data, the kinds' sentences, the rules' letter sentences, the
evidence, the strings the letter plan builds in Python) goes through `translate()` (imported as `L_` where a Python
literal is marked for Babel's extraction of the `letters` domain; `LN_` marks one declared away from its use).
In English it returns the text untouched, so the English letter stays byte for byte what it was. In another
language it looks the text up in the `letters` catalog (appeal/locale/LANG/LC_MESSAGES/letters.mo) by its
msgid, the English with its whitespace collapsed (YAML folding and line breaks never matter), and falls back to
the English, noting the gap: a letter drafted with gaps is refused by whoever drafts it (`gaps()`), never sent
half English.

The language is a context variable set for one letter (`writing(code)`): `appeal web` drafts from threads, a
batch from processes, each letter in its own language.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path

DOMAIN = "letters"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
ENGLISH = "en"
# The languages a letter can be written in besides English, with the locale their dates are written in.
LANGUAGES = {"es": "es_US"}
NAMES = {"en": "English", "es": "Spanish"}

_writing: ContextVar[str] = ContextVar("appeal_letter_language", default=ENGLISH)
# The msgids looked up without a translation while the letter in `writing` was drafted, in the order met.
_gaps: ContextVar[dict[str, None] | None] = ContextVar("appeal_letter_gaps", default=None)
_loaded: dict[tuple[str, Path], gettext.NullTranslations] = {}


def add_option(parser) -> None:
    """`--letter-lang CODE` on a command that drafts letters (draft, batch); the person's own messages stay in
    `--lang`. Its help is in the person's language, like every command's."""
    from appeal.base.language import translate as _

    parser.add_argument("--letter-lang", metavar=_("CODE"), default=ENGLISH,
                        help=_("the language of the letter itself: en (default) or es, for a plan that accepts "
                               "Spanish correspondence; your own messages stay in --lang"))


def choose(wanted: str | None) -> str:
    """`--letter-lang CODE` checked: 'en' (also for None) or a key of LANGUAGES; anything else is a UserError
    naming the languages a letter can be written in."""
    code = (wanted or ENGLISH).strip().lower().replace("_", "-").split("-")[0]
    if code != ENGLISH and code not in LANGUAGES:
        from appeal.base.errors import UserError

        raise UserError(f"--letter-lang {wanted}: a letter can be written in "
                        f"{', '.join(f'{name} ({key})' for key, name in NAMES.items())}.")
    return code


def current() -> str:
    """The language of the letter being drafted: 'en' unless inside `writing()`."""
    return _writing.get()


@contextmanager
def writing(code: str) -> Iterator[dict[str, None]]:
    """Everything drafted inside is for a letter in this language; yields the gaps (msgids without a translation
    met so far, in order), empty for English."""
    gaps: dict[str, None] = {}
    language_token = _writing.set(code if code in LANGUAGES else ENGLISH)
    gaps_token = _gaps.set(gaps)
    try:
        yield gaps
    finally:
        _gaps.reset(gaps_token)
        _writing.reset(language_token)


class _Gap(gettext.NullTranslations):
    """The catalog's fallback: a text it has no translation for is noted as a gap and kept in English."""

    def gettext(self, message: str) -> str:
        gaps = _gaps.get()
        if gaps is not None:
            gaps[message] = None
        return message


def catalog(code: str) -> gettext.NullTranslations:
    """The `letters` catalog of a language (a missing .mo is a catalog of gaps), loaded once."""
    key = (code, LOCALE_DIR)
    found = _loaded.get(key)
    if found is None:
        found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
        found.add_fallback(_Gap())
        found = _loaded.setdefault(key, found)
    return found


def msgid(text: str) -> str:
    """The catalog's key for an English text: its whitespace collapsed."""
    return " ".join(text.split())


_TAGS = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_WORD = re.compile(r"[^\W\d_]")


def has_words(text: str) -> bool:
    """Whether a text has words of its own to translate: a sentence that is only Jinja tags ('{{ regulator.note }}')
    prints what its tags give, each translated where it comes from."""
    return bool(_WORD.search(_TAGS.sub("", text)))


def translate(text: str) -> str:
    """An English text of the letter in the letter's language: untouched in English; else its translation, or the
    English with the gap noted."""
    code = _writing.get()
    if code == ENGLISH or not isinstance(text, str) or not has_words(text):
        return text
    return catalog(code).gettext(msgid(text))


def blank_label(label: str) -> str:
    """What an [ADD: ...] blank names, in the letter's language: the person fills it in before sending, so a label
    the catalog lacks (a field's name put together from others) stays English rather than refusing the letter."""
    code = _writing.get()
    return label if code == ENGLISH else _looked_up(code, label)


def labels_of(label: str) -> set[str]:
    """A blank's label as each letter language names it (the English and its translations), so a blank read back
    from a letter in any language is matched to the field it names."""
    return {label} | {_looked_up(code, label) for code in LANGUAGES}


def _looked_up(code: str, text: str) -> str:
    """A text's translation in a language's catalog, or the text, without noting a gap."""
    token = _gaps.set(None)
    try:
        return catalog(code).gettext(msgid(text))
    finally:
        _gaps.reset(token)


def LN_(text: str) -> str:  # noqa: N802 - the marker's name is Babel's keyword for the letters domain
    """Marks a letter's English text for the `letters` catalog where it is declared; `translate` where it is used."""
    return text


def long_date(day: date) -> str:
    """A date as a letter spells it: 'March 14, 2026' in English, '14 de marzo de 2026' in Spanish (Babel's CLDR
    data for the language's US locale)."""
    code = _writing.get()
    if code == ENGLISH:
        return f"{day:%B} {day.day}, {day.year}"
    from babel.dates import format_date

    return format_date(day, format="long", locale=LANGUAGES[code])


def short_date(day: date) -> str:
    """A chart's tick: the day and short month over the year ('7 dic' / '2026'), as the chart's English 'Dec 7'."""
    from babel.dates import format_date

    return format_date(day, format="d MMM", locale=LANGUAGES.get(_writing.get(), "en_US")) + f"\n{day.year}"
