"""The language the person reads: `--lang` before or after the command, else the environment as gettext reads it,
an unknown language English with a note and no traceback; and the catalogs: the .pot holds what the code and
questions.yaml say today, the committed .mo is the .po compiled."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from appeal import cli
from appeal.base import language

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "appeal" / "locale"
PO = LOCALE / "es" / "LC_MESSAGES" / "appeal.po"
MO = LOCALE / "es" / "LC_MESSAGES" / "appeal.mo"


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "es_US.UTF-8"}, "es"),
    ({"LC_ALL": "es_MX.UTF-8", "LANG": "en_US.UTF-8"}, "es"),
    ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),  # the first of LANGUAGE's list with a catalog
    ({"LANGUAGE": "es", "LC_ALL": "C"}, "es"),  # LANGUAGE first, as gettext reads them
    ({"LC_MESSAGES": "C", "LANG": "es_US.UTF-8"}, "en"),  # the first one set decides; C is English
    ({"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalog
    ({}, "en"),
])
def test_the_environment_chooses_as_gettext_reads_it(environ, expected):
    assert language.from_environment(environ) == expected


def test_lang_before_or_after_the_command_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    assert cli._take_lang(["deadline", "--case", "x.yaml", "--lang", "en"]) == ("en", ["deadline", "--case", "x.yaml"])
    assert cli._take_lang(["--lang=es", "deadline"]) == ("es", ["deadline"])
    assert cli._take_lang(["draft", "--", "--lang"]) == (None, ["draft", "--", "--lang"])
    cli.main(["--lang", "en", "letters"])
    assert language.current() == "en"
    cli.main(["letters"])
    assert language.current() == "es"


def test_an_unknown_language_is_english_with_a_note_and_no_traceback(capsys):
    assert cli.main(["letters", "--lang", "klingon"]) == 0
    out, err = capsys.readouterr()
    assert "there is no 'klingon' translation yet; using English" in err
    assert "Traceback" not in err
    assert "appeal" in out and language.current() == "en"
    assert language.translate("Is everything right?") == "Is everything right?"


def test_spanish_dates_are_the_locale_s():
    language.choose("es")
    assert language.long_date(date(2026, 3, 14)) == "14 de marzo de 2026"
    assert language.shown_date(date(2026, 3, 4)) == "4 de marzo de 2026"  # never 03/04, read day first
    language.choose("en")
    assert language.long_date(date(2026, 3, 14)) == "March 14, 2026"
    assert language.shown_date(date(2026, 3, 4)) == "03/04/2026"


@pytest.mark.parametrize("text, spanish", [
    ("Tengo depresión desde el año 2015. Probé muchos medicamentos y ninguno me ayudó.", True),
    ("No puedo trabajar desde marzo y casi no salgo de la casa.", True),
    ("Dad stopped driving and seeing friends; I do his shopping.", False),
    ("im on leave from work and i dont leave the house most days", False),
    ("No improvement after 10 weeks; me and my wife are worried.", False),
    ("José García, Los Angeles", False),
    # a dose and schedule, the hint's own example: English spelling 'fixes' made it 'dos vices for semang'
    ("0.5 mg/kg en 40 minutos, dos veces por semana durante tres semanas", True),
    ("0.5 mg/kg over 40 minutes, twice a week for three weeks", False),
])
def test_an_answer_typed_in_spanish_is_told_from_english(text, spanish):
    assert language.looks_spanish(text) is spanish


def _extracted() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {message if isinstance(message, str) else message[0]
            for _, _, message, *_ in extract_from_dir(str(ROOT), method_map, options_map)}


def test_the_template_and_the_catalog_hold_what_the_code_says_today():
    """A message marked or changed since the last `pybabel extract` / `update` fails here: run the README's
    commands (Translations) and translate what they add."""
    extracted = _extracted()
    template = {message.id if isinstance(message.id, str) else message.id[0]
                for message in read_po(open(LOCALE / "appeal.pot", "rb")) if message.id}
    spanish = {message.id if isinstance(message.id, str) else message.id[0]
               for message in read_po(open(PO, "rb")) if message.id}
    assert sorted(extracted - template) == [] and sorted(template - extracted) == []
    assert sorted(extracted - spanish) == [] and sorted(spanish - extracted) == []


def test_the_committed_mo_is_the_po_compiled():
    """`pybabel compile` after every change to the .po (the .mo is what the wheel ships and gettext reads)."""
    def pairs(messages) -> dict:
        return {_tuple(message.id): _tuple(message.string) for message in messages
                if message.id and _translated(message.string) and not message.fuzzy
                and _tuple(message.string) != _tuple(message.id)}

    compiled, written = pairs(read_mo(io.BytesIO(MO.read_bytes()))), pairs(read_po(open(PO, "rb")))
    assert {message: compiled.get(message) for message in written} == written


def _tuple(text: str | list | tuple) -> str | tuple:
    return text if isinstance(text, str) else tuple(text)


def _translated(text: str | list | tuple) -> bool:
    return bool(text) if isinstance(text, str) else all(text)
