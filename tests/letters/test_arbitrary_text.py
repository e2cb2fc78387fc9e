"""Whatever a person types (ampersands, brackets, braces, emoji, right-to-left text, tabs and line breaks, very
long notes) goes into every text field, and every letter still renders, opens, and contains it. (Other control
characters never reach a letter: the case model refuses them, tests/base/test_hostile_input.py.)"""

from __future__ import annotations

import functools
import re
import typing

import pytest
from conftest import docx_text, example_case
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from appeal.letters import draft, kinds
from appeal.cases.case import Case
from appeal.base.control_chars import control_problem
from appeal.base.xml_text import xml_safe

SKIPPED = {"letter_kind"}  # chooses the template; not free text


def free_text_paths(model: BaseModel, prefix: str = "") -> list[tuple[BaseModel, str, str]]:
    """Every plain-str field (no parser or validator of its own) in the model tree: its owner, name and path."""
    found = []
    validated = {
        name for decorator in model.__pydantic_decorators__.field_validators.values() for name in decorator.info.fields
    }
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += free_text_paths(value, f"{prefix}{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for number, item in enumerate(value):
                found += free_text_paths(item, f"{prefix}{name}[{number}].")
        elif name not in SKIPPED and name not in validated and field.annotation in (str, typing.Optional[str]):
            found.append((model, name, f"{prefix}{name}"))
    return found


def _example():
    return example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)


FIELDS = [path for _, _, path in free_text_paths(_example())] + ["enclosures[0]"]


def filled(texts: list[str]) -> Case:
    """The example with the text for each of FIELDS in it, in order."""
    case = _example()
    case.sender.name = "placeholder"
    paths = free_text_paths(case)
    assert [path for _, _, path in paths] + ["enclosures[0]"] == FIELDS
    for (owner, name, _), text in zip(paths, texts):
        setattr(owner, name, text)
    case.enclosures = [texts[-1]]
    return case


def squash(text: str) -> str:
    return " ".join(text.split())


def marked(field: int, pieces: list[str]) -> str:
    """What field number `field` holds: each piece between markers that name the field (Ω3Ω...Ω3Ω...Ω)."""
    return "".join(f"Ω{field}Ω{piece}" for piece in pieces) + "Ω"


@functools.cache
def baseline(name: str) -> list[int]:
    """How many times each field's plain word shows in kind `name`'s letter (a field may show twice, or not at
    all): drafted when a test of that kind first needs it (not as the module is collected, which every `pytest -n`
    worker does)."""
    words = [f"Zqxj{field}q" for field in range(len(FIELDS))]
    rendered = squash(docx_text(draft.draft(filled(words), kinds.get(name)).content))
    return [rendered.count(word) for word in words]


TRICKY = ["&", "<", ">", "{{", "}}", "{%", "%}", "{_{", "}_}", "{#", "'", '"', "\\", "😀", "שלום", "مرحبا", "\u2028",
          "\u2029", "\t", "\n", "\r\n", "\u200f"]
# A refused control character is left out one character at a time (the same texts as refusing whole texts that
# hold one: `control_problem` looks at single characters); filtering whole texts threw away so many of a letter's
# 24 that Hypothesis's filter_too_much health check failed some runs.
kept_character = st.characters(codec="utf-8").filter(lambda character: control_problem(character) is None)
typed_text = (
    st.lists(st.one_of(kept_character, st.sampled_from(TRICKY)), min_size=1, max_size=40)
    .map("".join)
    .filter(lambda text: control_problem(text) is None and squash(xml_safe(text)) != "")
)
DRAWN, PIECES = 24, 6  # typed texts drawn for one letter; each field holds six of them, in turn
EXAMPLES = 6  # each field holds 36 typed texts in a run (144 different ones), as when each letter held one typed
# text in every field for 33 letters; a letter's draft is this test's time, so each one carries many texts


def spread(texts: list[str]) -> list[list[str]]:
    """Each field's pieces: field n holds texts n to n+5 (in turn), so each text is in a quarter of the fields."""
    return [[texts[(field + piece) % len(texts)] for piece in range(PIECES)] for field in range(len(FIELDS))]


# One test per kind, so a parallel run (pytest -n) spreads the kinds over its workers. A letter is drafted once for
# two dozen typed texts (drafting was all of this test's time), each field holding six, between markers naming it.
@pytest.mark.parametrize("name", sorted(kinds.all_kinds()))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(typed_text, min_size=DRAWN, max_size=DRAWN))
@example(texts=["\ue000 \ue001 \ue002 {_{ x }_} {_% y %_}"])  # docxtpl's own escapes and our parking characters
@example(texts=["Smith & Sons <LLC> {{ patient.member_id }}"])  # one text alone: in every field
@example(texts=["0\u2028"])  # a line separator: str.splitlines() breaks there, a typed address must not
def test_any_typed_text_renders_in_every_letter(name, texts):
    values = [marked(field, pieces) for field, pieces in enumerate(spread(texts))]
    content = draft.draft(filled(values), kinds.get(name)).content
    rendered = squash(docx_text(content))  # opening it with python-docx proves Word-valid XML
    missing = [(FIELDS[field], value) for field, (value, shown) in enumerate(zip(values, baseline(name)))
               if rendered.count(squash(xml_safe(value))) < shown]
    assert not missing, (name, missing)


def test_every_free_text_field_is_exercised():
    names = {name for _, name, _ in free_text_paths(filled(["x"] * len(FIELDS)))}
    assert {"quote", "provider_notes", "first_name", "member_id", "reason_stopped", "appeals_address"} <= names


def test_very_long_notes_render_whole():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    paragraph = "Word " * 400
    case.clinical.provider_notes = "\n\n".join(f"{index} {paragraph}" for index in range(30))
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert text.count(paragraph.strip()) == 30


def test_control_characters_are_refused_by_the_case_and_removed_by_the_letter_and_nothing_else():
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    quote = "Denied\x00 as \x0bexperimental\x1f & <unproven>"
    with pytest.raises(ValueError, match="control character U\\+0000"):
        case.denial.quote = quote
    # a value built in code, past the model's rule: the letter still removes them, and nothing else
    case = case.model_copy(update={"denial": case.denial.model_copy(update={"quote": quote})})
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert "Denied as experimental & <unproven>" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
