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


def free_text_paths(model: BaseModel, prefix: str = "") -> list[tuple[BaseModel, str]]:
    """Every plain-str field (no parser or validator of its own) in the model tree, with its owner."""
    found = []
    validated = {
        name for decorator in model.__pydantic_decorators__.field_validators.values() for name in decorator.info.fields
    }
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += free_text_paths(value, f"{prefix}{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for item in value:
                found += free_text_paths(item, f"{prefix}{name}[].")
        elif name not in SKIPPED and name not in validated and field.annotation in (str, typing.Optional[str]):
            found.append((model, name))
    return found


def filled(text: str) -> Case:
    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.sender.name = "placeholder"
    for owner, name in free_text_paths(case):
        setattr(owner, name, text)
    case.enclosures = [text]
    return case


def squash(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def baseline(name: str) -> int:
    """How many times a plain word typed into every field shows in kind `name`'s letter: drafted when a test of
    that kind first needs it (not as the module is collected, which every `pytest -n` worker does)."""
    return squash(docx_text(draft.draft(filled("Zqxj"), kinds.get(name)).content)).count("Zqxj")


TRICKY = ["&", "<", ">", "{{", "}}", "{%", "%}", "{_{", "}_}", "{#", "'", '"', "\\", "😀", "שלום", "مرحبا", "\u2028",
          "\u2029", "\t", "\n", "\r\n", "\u200f"]
typed_text = (
    st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY)), min_size=1, max_size=40)
    .map("".join)
    .filter(lambda text: control_problem(text) is None and squash(xml_safe(text)) != "")
)


# One test per kind, so a parallel run (pytest -n) spreads the kinds over its workers.
@pytest.mark.parametrize("name", sorted(kinds.all_kinds()))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=typed_text)
@example(text="\ue000 \ue001 \ue002 {_{ x }_} {_% y %_}")  # docxtpl's own escapes and our parking characters
@example(text="Smith & Sons <LLC> {{ patient.member_id }}")
@example(text="0\u2028")  # a line separator: str.splitlines() breaks there, a typed address must not
def test_any_typed_text_renders_in_every_letter(name, text):
    marked = f"Ω{text}Ω"
    content = draft.draft(filled(marked), kinds.get(name)).content
    rendered = squash(docx_text(content))  # opening it with python-docx proves Word-valid XML
    assert rendered.count(squash(xml_safe(marked))) >= baseline(name), (name, text)


def test_every_free_text_field_is_exercised():
    names = {name for _, name in free_text_paths(filled("x"))}
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
