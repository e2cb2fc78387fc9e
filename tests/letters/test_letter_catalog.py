"""The `letters` catalog (README "Translations"): its template holds what the code and the data say today, the .po
follows it and the .mo is the .po compiled; each msgid is its text with the whitespace collapsed (the lookup's key);
each translation keeps its Jinja (it parses, with the same names) and its {placeholders}; and every string the
code builds for a letter (L_(), LN_(), the case model's choice labels) has its Spanish. The texts of the data are
the translators' fragments, merged by the lead: `test_letter_catalog_complete.py` reports those still missing.
"""

from __future__ import annotations

import string
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import meta

from appeal.base import letter_language
from appeal.letters.render_env import make_environment

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "appeal" / "locale"
POT, PO, MO = LOCALE / "letters.pot", LOCALE / "es/LC_MESSAGES/letters.po", LOCALE / "es/LC_MESSAGES/letters.mo"


def _extracted() -> dict[str, set[str]]:
    """msgid -> the files it comes from, as `pybabel extract -F letters.cfg -k L_ -k LN_` finds them."""
    with open(ROOT / "letters.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, set[str]] = {}
    for filename, _, message, *_ in extract_from_dir(str(ROOT), method_map, options_map,
                                                    keywords={"L_": None, "LN_": None}):
        found.setdefault(message, set()).add(filename)
    return found


def _ids(path: Path) -> dict[str, str]:
    return {message.id: message.string for message in read_po(open(path, "rb")) if message.id}


def test_the_template_and_the_catalog_hold_what_the_code_and_data_say_today():
    """A letter string marked or changed, or a data text edited, since the last extract fails here: run the
    README's commands for the letters domain (Translations)."""
    extracted = set(_extracted())
    template, spanish = set(_ids(POT)), set(_ids(PO))
    assert sorted(extracted - template) == [] and sorted(template - extracted) == []
    assert sorted(extracted - spanish) == [] and sorted(spanish - extracted) == []


def test_every_msgid_is_its_text_with_the_whitespace_collapsed():
    """The lookup collapses whitespace (YAML folding, a literal's line breaks): a msgid that is not collapsed would
    never be found."""
    assert [text for text in _ids(POT) if text != letter_language.msgid(text)] == []


def test_the_committed_mo_is_the_po_compiled():
    written = {message.id: message.string for message in read_po(open(PO, "rb"))
               if message.id and message.string and not message.fuzzy}
    compiled = {message.id: message.string for message in read_mo(open(MO, "rb")) if message.id}
    assert compiled == written


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("english, spanish", [(english, spanish) for english, spanish in _ids(PO).items() if spanish])
def test_a_translation_keeps_its_jinja_and_its_placeholders(english, spanish):
    """LETTERS-ES.md: every {{ }} and {% %} with the same names (the logic may branch on v.role), and a Python
    string's {placeholders} all kept."""
    if "{{" in english or "{%" in english:
        environment = jinja2.Environment()
        environment.filters.update(make_environment(for_docx=False).filters)  # the letters' own: money, possessive...
        names = meta.find_undeclared_variables(environment.parse(english))
        assert meta.find_undeclared_variables(environment.parse(spanish)) - {"v"} == names - {"v"}
    elif "{" in english:
        assert _fields(spanish) == _fields(english)


def test_every_string_the_code_builds_for_a_letter_has_its_spanish():
    """The strings of the code (L_(), LN_(), the case model's choice labels) have their Spanish here, whatever the
    fragments bring (the templates' own texts, in letter_templates/build_templates.py, come with theirs)."""
    spanish = _ids(PO)
    from_code = sorted(text for text, files in _extracted().items()
                       if any(name.startswith("appeal/") and name.endswith(".py") for name in files))
    assert len(from_code) > 150
    assert [text for text in from_code if not spanish.get(text)] == []
