"""Every string the questionnaire shows that is declared as data, not code: each section title, prompt, hint, label,
`more` and `add_label` of appeal/data/questions.yaml, and the labels of the choices its questions offer (the case
model's choice labels, plan types, kinds of treatment, letter kinds); and the names of each plan type's dispute
steps (appeal/data/plan_types.yaml), which `appeal deadline`, `next-steps` and `status` print. The data stays the
one source: Babel reads them from here into the catalog (`extract`, `extract_steps`, named in babel.cfg), and the
tests walk the same list to prove each one has its translation.

The strings the code itself says (`_()` in the engine and the terminal) are Babel's own Python extraction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

SHOWN_KEYS = ("title", "prompt", "hint", "label", "more", "add_label")


def yaml_strings(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, key, text) of each shown string of questions.yaml, in file order."""
    def walk(node: yaml.Node) -> Iterator[tuple[int, str, str]]:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value in SHOWN_KEYS and isinstance(value, yaml.ScalarNode) and value.value.strip():
                    yield value.start_mark.line + 1, key.value, value.value
                else:
                    yield from walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                yield from walk(item)

    root = yaml.compose(text)
    if root is not None:
        yield from walk(root)


def choice_labels() -> Iterator[tuple[str, str]]:
    """(where, label) of every choice a question offers, as the questionnaire makes them: the field's own choices
    (the case model's labels, plan types from plan_types.yaml), the kinds of treatment with their hints
    (conditions.yaml) and the letter kinds' titles and summaries. The choice lists written in code (roles,
    situations) are marked there; the evidence titles are citations, not translated."""
    from appeal.cases import conditions
    from appeal.intake.questions import QUESTIONS, Group, enum_options
    from appeal.letters import kinds

    for entry in QUESTIONS:
        for question in entry.items if isinstance(entry, Group) else (entry,):
            if question.kind == "choice" and question.choices is None:
                for _, label in enum_options(question.path):
                    yield question.path, label
    for name in conditions.all_classes():
        kind = conditions.treatment_class(name)
        yield f"treatment class {name}", kind.label
        if kind.hint:
            yield f"treatment class {name}", kind.hint
    for name, kind in kinds.all_kinds().items():
        if kind.source != "built-in":
            continue
        yield f"letter {name}", kind.title
        yield f"letter {name}", kind.summary


def shown_strings() -> Iterator[tuple[str, str]]:
    """(where, text) of every string of questions.yaml and every choice label, each once."""
    from appeal.intake.questions import QUESTIONS_FILE

    seen: set[str] = set()
    found = [(f"questions.yaml line {line} ({key})", text)
             for line, key, text in yaml_strings(QUESTIONS_FILE.read_text(encoding="utf-8"))]
    for where, text in found + list(choice_labels()):
        if text not in seen:
            seen.add(text)
            yield where, text


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for questions.yaml (babel.cfg): its shown strings with their lines, then the
    choice labels, each with a comment saying where it is shown."""
    text = fileobj.read().decode("utf-8")
    strings = list(yaml_strings(text))
    for line, key, message in strings:
        yield line, None, message, [f"questions.yaml {key}"]
    for where, label in choice_labels():
        yield 0, None, label, [f"choice: {where}"]


def extract_steps(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for plan_types.yaml: the name of each step of each plan type's dispute (the
    steps' titles name the request in the letter, which stays English), why a notice's words leave its plan
    type to be checked (`notice_cues:` `unsure:`, shown by `appeal import`), and what a plan type's own words name
    (`own_words:` `what:`, in the warning of `appeal check` and the reviews)."""
    from appeal.cases import plan_types

    for name, data in plan_types.all_plan_types().items():
        for step in data.steps:
            yield 0, None, step.name, [f"dispute step of {name}"]
        for cue in data.notice_cues:
            if cue.unsure:
                yield 0, None, cue.unsure, [f"why a notice's words leave {name} to be checked"]
        for words in data.own_words:
            yield 0, None, words.what, [f"what the words of {name} name"]
