"""Every English text of the data that a letter may print, for the `letters` catalog (appeal/base/letter_language.py):
the answers to denial reasons (arguments.yaml), the built-in kinds' titles and the sentences the letter prints
(requests, enclosures, sending), the rules' letter sentences (rules.yaml), the evidence's titles and summaries,
and the labels the letter takes from data (plan types, their member-ID labels and dispute steps, treatment
classes, coverage criteria, the Setting and monitoring text, the case model's choices). Each is walked from the
same objects the letter reads, so the catalog and the letter cannot disagree; each msgid is the text with its
whitespace collapsed (`letter_language.msgid`).

Babel reads them through the extraction methods below, named in letters.cfg (README "Translations"); the strings
the code itself builds are marked `L_()` / `LN_()` and read by Babel's Python extractor from the same file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from appeal.base.letter_language import has_words, msgid

Found = Iterator[tuple[str, str]]  # (where, English text)


def argument_strings() -> Found:
    """arguments.yaml: each reason's headings and paragraphs."""
    from appeal.letters.letter_plan import argument_wordings

    for reason, entry in argument_wordings().items():
        for key in ("heading", "heading_without_denial"):
            if entry.get(key):
                yield f"{reason} {key}", entry[key]
        for number, paragraph in enumerate(entry.get("paragraphs", []), 1):
            yield f"{reason} paragraph {number}", paragraph["text"]


def kind_strings(name: str | None = None) -> Found:
    """A built-in kind's title and the sentences its letter prints (all kinds when `name` is None)."""
    from appeal.letters import kinds
    from appeal.letters.kind_sentences import LETTER_FIELDS

    for kind in kinds.all_kinds().values():
        if kind.source != "built-in" or (name is not None and kind.name != name):
            continue
        yield f"{kind.name}.yaml title", kind.title
        for field in LETTER_FIELDS:
            for number, sentence in enumerate(getattr(kind, field), 1):
                yield f"{kind.name}.yaml {field} {number}", sentence.text


def rule_strings() -> Found:
    """rules.yaml: each rule's sentence as a letter cites it (its letter_text, else its text)."""
    from appeal.rules import rule_book

    for rule in rule_book.all_rules():
        yield f"rule {rule.id}", rule.letter_text or rule.text


def snippet_strings(path: Path | None = None) -> Found:
    """An evidence snippet's title and summary (Attachment A; every built-in snippet when `path` is None)."""
    from appeal.base.resources import bundled
    from appeal.rules import evidence

    for snippet in map(evidence.read_snippet, [path] if path else sorted(bundled("evidence_snippets").glob("*.md"))):
        yield f"snippet {snippet.id} title", snippet.title
        yield f"snippet {snippet.id} summary", snippet.summary


def plan_type_strings() -> Found:
    """plan_types.yaml: each plan type's label, member-ID label, and its dispute steps' names and titles."""
    from appeal.cases import plan_types

    for name, data in plan_types.all_plan_types().items():
        yield f"plan type {name}", data.label
        yield f"plan type {name} member ID", data.member_id.label
        for step in data.steps:
            yield f"plan type {name} step {step.step}", step.name
            yield f"plan type {name} step {step.step} title", step.title


def condition_strings() -> Found:
    """conditions.yaml: each treatment class's label (the prior-treatment table, the classes tried)."""
    from appeal.cases import conditions

    for name in conditions.all_classes():
        yield f"treatment class {name}", conditions.treatment_class(name).label


def criteria_strings() -> Found:
    """criteria.yaml: each criterion as a letter lists it when met."""
    from appeal.rules import readiness

    for criterion in readiness.all_criteria():
        yield f"criterion {criterion.id}", criterion.met or criterion.title


def administration_strings() -> Found:
    """administration.yaml: the Setting and monitoring text (with its {source} place)."""
    from appeal.rules import administration

    for entry in administration.all_entries():
        yield f"administration {entry.treatment.value}", entry.text


def blank_strings() -> Found:
    """What each [ADD: ...] blank names: every field of the case model under its owner, and the letter plan's own."""
    from appeal.letters.render_views import blank_labels

    for label in blank_labels():
        yield "blank", label


def choice_strings() -> Found:
    """The case model's choices, each by its label (a denial reason, a response, a scale, a network status...)."""
    from appeal.cases import case

    for choice in vars(case).values():
        if isinstance(choice, type) and issubclass(choice, case.Choice) and choice not in (
                case.Choice, case.PlanType, case.DrugClass):  # those two are labelled by their data files
            for member in choice:
                yield f"choice {choice.__name__}.{member.name}", member.label


SOURCES = {
    "arguments.yaml": argument_strings,
    "rules.yaml": rule_strings,
    "plan_types.yaml": plan_type_strings,
    "conditions.yaml": condition_strings,
    "criteria.yaml": criteria_strings,
    "administration.yaml": administration_strings,
}


def letter_strings() -> Found:
    """(where, msgid) of every data text a letter may print, each once."""
    seen: set[str] = set()
    every = [*(source() for source in SOURCES.values()), kind_strings(), snippet_strings(), choice_strings(),
             blank_strings()]
    for found in every:
        for where, text in found:
            key = msgid(text)
            if has_words(text) and key not in seen:
                seen.add(key)
                yield where, key


def _messages(found: Found) -> Iterator[tuple]:
    """Babel's tuples: (line, function name, msgid, comments)."""
    for where, text in found:
        if has_words(text):
            yield 0, None, msgid(text), [where]


def extract_data(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for the data files of appeal/data/ that SOURCES names (letters.cfg)."""
    source = SOURCES.get(Path(getattr(fileobj, "name", "")).name)
    if source is not None:
        yield from _messages(source())


def extract_kind(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for a built-in kind's letter_templates/NAME.yaml."""
    yield from _messages(kind_strings(Path(fileobj.name).stem))


def extract_snippet(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for an evidence snippet, evidence_snippets/NAME.md."""
    yield from _messages(snippet_strings(Path(fileobj.name)))


def extract_template_builder(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for letter_templates/build_templates.py: the templates' own texts, marked `_()`
    there (it builds the Spanish templates es/KIND.docx from this catalog)."""
    from babel.messages.extract import extract_python

    for line, _, message, comments in extract_python(fileobj, {"_": None}, comment_tags, options):
        yield line, None, message, comments  # named by no keyword of the letters domain's (-k L_ -k LN_)


def extract_case_model(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel's extraction method for appeal/cases/case.py: its marked strings (Babel's own Python extraction),
    then the labels of its choices and what a blank names for each of its fields."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    yield from _messages(choice_strings())
    yield from _messages(blank_strings())
