"""The questionnaire's pages for `appeal web`: what each page shows and what a posted form does to the draft.

Nothing here asks a question of its own. The questions, their order, their conditions and the checks of each
answer are the intake engine's (`appeal.intake.engine`, as for the terminal: the same questions.yaml, goal-driven
ordering, the case model's rules and messages), and a draft is the same file in the same drafts folder
(`appeal.intake.drafts`), saved after every answer, locked while a request works on it. So a draft started in a
terminal can be finished here, and the reverse. This module only groups the next few questions into one page
and turns form fields into answers.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterator

from appeal.base.language import N_, translate as _
from appeal.intake import drafts
from appeal.intake.engine import Engine, ItemState, as_typed, from_typed
from appeal.intake.questions import ENTRIES, GROUP_OF, QUESTIONS, SUGGESTED, Group, Question
from appeal.letters.proofread import Typo, corrected

PAGE_SIZE = 4  # questions on one page at most; a choice ends a page, since later questions often depend on it
SKIP = "(skip)"  # form values no option has
AGAIN = "(again)"
NOTHING_CHOSEN = N_("Nothing is chosen yet: choose an answer, or “Skip: leave it out for now”.")


@contextmanager
def opened(path: Path | None) -> Iterator[Engine]:
    """A draft for one request: locked (a terminal session with it open raises DraftInUse), read from its file
    (so an answer given in a terminal meanwhile is seen), and unlocked again. None starts a new draft."""
    if path:
        with drafts.DraftLock(path):
            yield Engine.open(resume=path)
    else:
        engine = Engine.open()
        with drafts.DraftLock(engine.path):
            yield engine


def field_id(key: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")


@dataclass
class Field:
    """One question on a page, as the template shows it."""

    key: str
    prompt: str
    hint: str
    kind: str
    required: bool
    value: str = ""  # the text in the box, or the stored value of the chosen option
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    picks: list[tuple[str, str]] = field(default_factory=list)  # ICD-10 codes matching words typed
    typos: list[Typo] = field(default_factory=list)  # likely typos in the answer saved, for the person to settle

    @property
    def id(self) -> str:
        return field_id(self.key)


@dataclass
class Page:
    """What /questions shows: a few questions, a list to add to, or one entry of that list."""

    kind: str  # "questions", "group" or "item"
    keys: list[str]
    section: str
    fields: list[Field] = field(default_factory=list)
    title: str = ""
    hint: str = ""
    entries: list[str] = field(default_factory=list)  # a group's entries so far, as one line each
    add_label: str = ""
    recommend: bool | None = None  # false: most people skip this list, so "No" is the usual answer
    start: str = "add"  # where a list's buttons start (Engine.list_start): "add" or "done", as in the terminal
    editing: bool = False


# --------------------------------------------------------------------------------------------------------------
# Which questions make a page


def frontier(engine: Engine) -> list[str] | None:
    """The next page: the engine's next question, then the ones it would ask after it in the same section, up to
    PAGE_SIZE, ending at a choice; a list (a group) is a page of its own. None when nothing is left to ask."""
    opened_before = engine.progress.item
    first = engine.next_open()
    if first is None:
        return None
    if isinstance(first, Group):
        if engine.progress.item and not opened_before:  # an entry reopened for a fact the letter needs: kept, so
            engine.save()  # the form posted next fills that entry (its page, as any entry's)
        return [first.key]
    keys, entry = [first.key], first
    while len(keys) < PAGE_SIZE and entry.kind not in ("choice", "confirm"):
        entry = engine.next_after(keys)  # as if the page so far were answered: what the engine asks next
        if entry is None or isinstance(entry, Group) or entry.section != first.section:
            break
        keys.append(entry.key)
    return keys


def still_asked(engine: Engine, keys: list[str]) -> list[str]:
    """The keys of a page visited before that the answers since still ask."""
    return [key for key in keys if key in ENTRIES and engine.asks(ENTRIES[key])]


def progress(engine: Engine) -> tuple[int, int]:
    """(questions done, questions that apply) for the progress bar."""
    asked = [entry for entry in QUESTIONS if engine.asks(entry)]
    return sum(engine.progress.done(entry.key) for entry in asked), len(asked)


def _field(engine: Engine, question: Question, state: ItemState | None) -> Field:
    current = engine.proposed(question, state)
    options: list[tuple[str, str]] = []
    if question.kind in ("choice", "confirm"):
        options = [(str(value), title) for value, title in engine.options(question, state and state["data"])]
        if current is None and question.recommend is not None:
            current = question.recommend
        if isinstance(current, bool):
            value = "yes" if current else "no"
        elif current is None and options and options[0][1].endswith(_(SUGGESTED).strip()):
            value = options[0][0]  # as the terminal's cursor starts on the suggested letter: Next takes it
        elif current is None:
            value = ""  # nothing chosen, not even Skip: Enter (Next) asks for a choice instead of skipping it
        else:
            value = str(current.value if isinstance(current, Enum) else current)
    else:
        value = as_typed(current)
    return Field(question.key, engine.words(question.prompt), engine.hint(question), question.kind,
                 question.required, value, options)


def item_questions(engine: Engine) -> list[Question]:
    """The next few questions about the entry of a list being filled, by the same rule as a page; a question with
    a suggested answer starts a page of its own, so the answers it is suggested from are in ('Zoloft' chooses
    SSRI)."""
    pending = engine.pending()
    shown = pending[:1]
    for question in pending[1:]:
        if len(shown) == PAGE_SIZE or shown[-1].kind in ("choice", "confirm") or question.suggest:
            break
        shown.append(question)
    return shown


def page(engine: Engine, keys: list[str]) -> Page:
    """The page for these keys, with the answers so far."""
    state = engine.progress.item
    if state:
        group = ENTRIES[state["group"]]
        fields = [_field(engine, question, state) for question in item_questions(engine)]
        return Page("item", [question.key for question in group.items], group.section, fields,
                    title=engine.label(group), editing=bool(state.get("editing")))
    first = ENTRIES[keys[0]]
    if isinstance(first, Group):
        entries = [first.show(item) for item in engine.entries(first)]
        return Page("group", keys, first.section, title=engine.words(first.more if entries else first.prompt),
                    hint=engine.words(first.hint or ""), entries=entries, add_label=first.add_label,
                    recommend=first.recommend, start=engine.list_start(first))
    return Page("questions", keys, first.section, [_field(engine, ENTRIES[key], None) for key in keys])


# --------------------------------------------------------------------------------------------------------------
# Answers from a form


def answer_field(engine: Engine, question: Question, form: dict[str, str], state: ItemState | None,
                 shown: Field) -> None:
    """Give one form field to the engine, as the terminal gives a typed answer; a problem goes on `shown`."""
    raw = form.get(question.key)
    if question.kind in ("choice", "confirm"):
        shown.value = raw or ""
        if raw in (None, "") and not question.required:  # never a silent skip: Skip is an answer to choose
            shown.error = _(NOTHING_CHOSEN)
            return
        if raw in (None, "", SKIP):
            value = None
        elif question.kind == "confirm":
            value = raw == "yes"
        else:
            value = raw
    else:
        text = (raw or "").strip()
        shown.value = raw or ""
        pick = form.get(question.key + ":pick")
        if pick and pick != AGAIN:
            text = shown.value = pick
        spelling = _spelling_choices(question, form)
        for word, choice in spelling.items():
            if choice.startswith("use:"):
                text = corrected(text, word, choice[4:])
        value = from_typed(question, text) if text else None
    refusal = engine.answer(question, value, state)
    if refusal is not None:
        shown.error, shown.picks = refusal.reason, refusal.picks
        return
    if question.kind in ("choice", "confirm"):
        return
    for word, choice in spelling.items():
        if choice == "keep":
            engine.settle_typo(question, Typo(question.path, word, None), False, state)
    shown.typos = engine.typos(question, state)
    if shown.typos:
        shown.value = as_typed(engine.current(question, state))


SPELL = ":spell:"


def _spelling_choices(question: Question, form) -> dict[str, str]:
    """The choices posted for the likely typos shown under a field: {word: "use:WORD MEANT" or "keep"}."""
    prefix = question.key + SPELL
    return {str(name)[len(prefix):]: str(form.get(name)) for name in list(form.keys())
            if str(name).startswith(prefix) and form.get(name)}


def submit(engine: Engine, keys: list[str], form: dict[str, str]) -> Page:
    """Every answer on a page, in order (each saved at once, so nothing typed is lost); a question an earlier
    answer on the page no longer asks is passed over. The page returned carries each problem on its field."""
    shown = page(engine, keys)
    if shown.kind == "item":
        return _submit_item(engine, form, shown)
    for entry_field in shown.fields:
        question = ENTRIES[entry_field.key]
        if engine.asks(question):
            answer_field(engine, question, form, None, entry_field)
    return _with_errors(page(engine, keys), shown)


def _with_errors(fresh: Page, answered: Page) -> Page:
    """The page again with the answers as stored, except that a field with a problem keeps what was typed (and
    one with likely typos shows them to settle)."""
    problems = {item.key: item for item in answered.fields if item.error or item.typos}
    fresh.fields = [problems.get(item.key, item) for item in fresh.fields]
    return fresh


def errors(shown: Page) -> list[Field]:
    return [item for item in shown.fields if item.error]


def spelling(shown: Page) -> list[Field]:
    """The fields whose saved answers hold likely typos: the page is shown again with them, to choose."""
    return [item for item in shown.fields if item.typos]


def _submit_item(engine: Engine, form: dict[str, str], shown: Page) -> Page:
    """One entry of a list: its answers, then (when all are given and valid) back to the list."""
    state = engine.progress.item
    for entry_field in shown.fields:
        question = next(q for q in GROUP_OF[entry_field.key].items if q.key == entry_field.key)
        if engine.asks(question, state["data"]):
            answer_field(engine, question, form, state, entry_field)
    if any(item.error or item.typos for item in shown.fields):
        return _with_errors(page(engine, shown.keys), shown)
    if engine.pending():  # an answer here brought in another question about the entry
        return page(engine, shown.keys)
    group = ENTRIES[state["group"]]
    engine.close_entry()
    return page(engine, [group.key])


def removing(engine: Engine, group: Group, action: str) -> str | None:
    """The entry a 'remove-N' would remove, as one line (what the page asks about before removing it), or None
    when there is no such entry (the list changed meanwhile, say in another window)."""
    verb, _, number = action.partition("-")
    entries = engine.entries(group)
    if verb != "remove" or not number.isdigit() or int(number) >= len(entries):
        return None
    return group.show(entries[int(number)])


def group_action(engine: Engine, group: Group, action: str) -> bool:
    """A list's menu: add, change-N, remove-N, or done. True when the list is finished."""
    if action == "done":
        engine.finish_list(group)
        return True
    verb, _, number = action.partition("-")
    if verb == "add":
        engine.add_entry(group)
    elif verb in ("change", "remove") and number.isdigit() and int(number) < len(engine.entries(group)):
        if verb == "remove":
            engine.remove_entry(group, int(number))
        else:
            engine.change_entry(group, int(number))
    engine.save()
    return False


# --------------------------------------------------------------------------------------------------------------
# The review


@dataclass
class Answer:
    key: str
    label: str
    shown: str
    items: list[str]


def review(engine: Engine) -> list[tuple[str, list[Answer]]]:
    """Every answer that applies, by section, as the terminal's review lists them."""
    found = []
    for title, entries in engine.sections().items():
        answers = []
        for entry in entries:
            items = [entry.show(item) for item in engine.entries(entry)] if isinstance(entry, Group) else []
            answers.append(Answer(entry.key, engine.label(entry), engine.shown_answer(entry), items))
        found.append((title, answers))
    return found
