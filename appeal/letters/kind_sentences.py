"""A kind's sentences (`requests:`, `enclosures:`, `warnings:`, `refuse:`, `sending:` and their `when:`), rendered
in the .docx templates' sandbox and budget, and any failure named by the kind's file, the field and the tag.

A kind's .yaml travels in a shared template folder as easily as its .docx, so its Jinja is held to the same rules
(appeal/letters/sandbox.py): allow-listed names, the loop counter, the processor-time budget, the bounds on what it
builds, text, numbers and dates only in what it prints. The sentences of one letter plan share one budget
(`letter_plan.context_for` opens it): a kind with many sentences cannot spend a budget on each.
"""

from __future__ import annotations

from typing import Any

from appeal.base import letter_language
from appeal.base.errors import UserError
from appeal.letters.kinds import LetterKind, Sentence
from appeal.letters.render import describe_failure
from appeal.letters.render_env import shared_environment
from appeal.letters.sandbox import render_budget

# The fields whose sentences the letter prints (in the letter's language); `warnings:` and `refuse:` are said to
# the person, in English as before.
LETTER_FIELDS = ("requests", "enclosures", "sending")


def say(kind: LetterKind, field: str, context: dict[str, Any]) -> list[tuple[str, Sentence]]:
    """The sentences of `kind`'s `field` whose `when:` holds, rendered: (text, the sentence it came from)."""
    environment = shared_environment(for_docx=False)  # compiles each sentence and condition once (profiled)
    said = []
    with render_budget():
        for number, sentence in enumerate(getattr(kind, field), 1):
            part = "when"
            try:
                if sentence.when and not environment.compile_expression(sentence.when)(**context):
                    continue
                part = "text"
                # what the letter prints is in the letter's language, and its Jinja is the translated one
                source = letter_language.translate(sentence.text) if field in LETTER_FIELDS else sentence.text
                # plain sentences skip Jinja: a third of the plan's time
                text = environment.from_string(source).render(**context) if "{" in source else source
            except Exception as error:  # noqa: BLE001 - a shared kind's sentence can fail in any way; the person gets words
                raise UserError(_described(error, kind, field, number, part, sentence)) from None
            said.append((" ".join(text.split()), sentence))
    return said


def _described(error: BaseException, kind: LetterKind, field: str, number: int, part: str, sentence: Sentence) -> str:
    """'The requests entry 3 of the letter kind mine (/.../mine.yaml) was stopped (at '__class__' in its text: ...)'."""
    meta = kind.template.with_suffix(".yaml")
    written = " ".join(str(getattr(sentence, part) or "").split())
    written = written if len(written) <= 80 else written[:79] + "…"
    token = getattr(error, "token", "").removeprefix("{{ ").removesuffix(" }}")  # a printed value's tag
    where = f"at '{token}' in its {part}: {written}" if token else f"in its {part}: {written}"
    kind_file = f" ({meta})" if meta.is_file() else ""
    return describe_failure(error, f"The {field} entry {number} of the letter kind {kind.name}{kind_file}", where)
