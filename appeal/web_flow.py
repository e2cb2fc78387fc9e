"""The questionnaire's pages for `appeal web`: what each page shows and what a posted form does to the draft.

Nothing here asks a question of its own. The questions, their order, their conditions and the checks of each
answer are the terminal questionnaire's (`appeal.questionnaire`: the same questions.yaml, goal-driven ordering,
the case model's rules and messages), and a draft is the same file in the same drafts folder, saved after every
answer, locked while a request works on it. So a draft started in a terminal can be finished here, and the
reverse. This module only groups the next few questions into one page and turns form fields into answers.
"""

from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from appeal import questionnaire
from appeal.questionnaire import _CODE_SHAPE, ENTRIES, GROUP_OF, _as_text, _convert, _empty, _reason
from appeal.questions import QUESTIONS, Group, Question, applies

PAGE_SIZE = 4  # questions on one page at most; a choice ends a page, since later questions often depend on it
SKIP = "(skip)"  # form values no option has
AGAIN = "(again)"


class Engine(questionnaire._Interview):
    """The terminal questionnaire's engine without its terminal: nothing is printed (the pages say it), nothing
    is asked."""

    def _say(self, text: str, style: str = "") -> None:
        pass


@contextmanager
def opened(path: Path | None) -> Iterator[Engine]:
    """A draft for one request: locked (a terminal session with it open raises DraftInUse), read from its file
    (so an answer given in a terminal meanwhile is seen), and unlocked again. None starts a new draft."""
    if path:
        lock = questionnaire._DraftLock(path)
        try:
            engine = Engine.open(None, path, None)
        except BaseException:
            lock.release()
            raise
    else:
        engine = Engine.open(None, None, None)
        lock = questionnaire._DraftLock(engine.path)
    try:
        yield engine
    finally:
        lock.release()


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
    editing: bool = False


# --------------------------------------------------------------------------------------------------------------
# Which questions make a page


def frontier(engine: Engine) -> list[str] | None:
    """The next page: the engine's next question, then the ones it would ask after it in the same section, up to
    PAGE_SIZE, ending at a choice; a list (a group) is a page of its own. None when nothing is left to ask."""
    opened_before = engine.progress.item
    first = engine._next_open()
    if first is None:
        return None
    if isinstance(first, Group):
        if engine.progress.item and not opened_before:  # an entry reopened for a fact the letter needs: kept, so
            engine._save()  # the form posted next fills that entry (its page, as any entry's)
        return [first.key]
    keys, entry, kept = [first.key], first, copy.deepcopy(engine.progress)
    try:
        while len(keys) < PAGE_SIZE and entry.kind not in ("choice", "confirm"):
            engine.progress.mark(entry.key, skipped=True)  # as if answered, to see what the engine asks next
            entry = engine._next_open(reopen=False)
            if entry is None or isinstance(entry, Group) or entry.section != first.section:
                break
            keys.append(entry.key)
    finally:
        engine.progress = kept
    return keys


def still_asked(engine: Engine, keys: list[str]) -> list[str]:
    """The keys of a page visited before that the answers since still ask."""
    ctx = engine._ctx()
    return [key for key in keys if key in ENTRIES and applies(ENTRIES[key], ctx)]


def progress(engine: Engine) -> tuple[int, int]:
    """(questions done, questions that apply) for the progress bar."""
    ctx = engine._ctx()
    asked = [entry for entry in QUESTIONS if applies(entry, ctx)]
    return sum(engine.progress.done(entry.key) for entry in asked), len(asked)


def _field(engine: Engine, question: Question, state: dict[str, Any] | None) -> Field:
    current = engine._current(question, state)
    if _empty(current) and question.suggest:
        current = question.suggest(engine._ctx(state and state["data"]))
    options: list[tuple[str, str]] = []
    if question.kind in ("choice", "confirm"):
        options = [(str(value), title) for value, title in engine._options(question, state and state["data"])]
        if current is None and question.recommend is not None:
            current = question.recommend
        if isinstance(current, bool):
            value = "yes" if current else "no"
        elif current is None and options and options[0][1].endswith("(suggested)"):
            value = options[0][0]  # as the terminal's cursor starts on the suggested letter: Next takes it
        elif current is None:
            value = "" if question.required else SKIP
        else:
            value = str(current.value if isinstance(current, Enum) else current)
    else:
        value = _as_text(current)
    return Field(question.key, engine._words(question.prompt), engine._hint(question), question.kind,
                 question.required, value, options)


def item_questions(engine: Engine, group: Group, state: dict[str, Any]) -> list[Question]:
    """The next few questions about one entry of a list, by the same rule as a page; a question with a suggested
    answer starts a page of its own, so the answers it is suggested from are in ('Zoloft' chooses SSRI)."""
    ctx = engine._ctx(state["data"])
    pending = [q for q in group.items if q.field_name not in state["done"] and applies(q, ctx)]
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
        fields = [_field(engine, question, state) for question in item_questions(engine, group, state)]
        return Page("item", [question.key for question in group.items], group.section, fields,
                    title=engine._label(group), editing=bool(state.get("editing")))
    first = ENTRIES[keys[0]]
    if isinstance(first, Group):
        entries = [first.show(item) for item in engine._entries(first)]
        return Page("group", keys, first.section, title=engine._words(first.more if entries else first.prompt),
                    hint=engine._words(first.hint or ""), entries=entries, add_label=first.add_label,
                    recommend=first.recommend)
    return Page("questions", keys, first.section, [_field(engine, ENTRIES[key], None) for key in keys])


# --------------------------------------------------------------------------------------------------------------
# Answers from a form


def _answer(engine: Engine, question: Question, form: dict[str, str], state: dict[str, Any] | None,
            shown: Field) -> None:
    """Give one form field to the engine, as the terminal gives a typed answer; a problem goes on `shown`."""
    raw = form.get(question.key)
    if question.kind in ("choice", "confirm"):
        shown.value = raw or SKIP
        if raw in (None, "", SKIP):
            value = None
        elif question.kind == "confirm":
            value = raw == "yes"
        else:
            value = raw
            if raw not in {option for option, _ in shown.options}:
                shown.error = "Choose one of these."
                return
    else:
        text = (raw or "").strip()
        shown.value = raw or ""
        pick = form.get(question.key + ":pick")
        if pick and pick != AGAIN:
            text = shown.value = pick
        if question.kind == "icd10" and text and not _CODE_SHAPE.fullmatch(text.replace(" ", "")):
            shown.picks = engine._search(text)
            shown.error = (f"Choose the code that fits '{text}' below, or type other words or the code."
                           if shown.picks else
                           f"No diagnosis name holds all of '{text}'. Try fewer or other words, or type the code.")
            return
        value = _convert(question, text) if text else None
    if value is None and question.required:
        shown.error = "This one is needed: " + ("choose one." if question.kind in ("choice", "confirm") else "type an answer.")
        return
    try:
        engine._commit(question, value, state)
    except (ValidationError, ValueError) as error:
        shown.error = _reason(error)


def submit(engine: Engine, keys: list[str], form: dict[str, str]) -> Page:
    """Every answer on a page, in order (each saved at once, so nothing typed is lost); a question an earlier
    answer on the page no longer asks is passed over. The page returned carries each problem on its field."""
    shown = page(engine, keys)
    if shown.kind == "item":
        return _submit_item(engine, form, shown)
    for entry_field in shown.fields:
        question = ENTRIES[entry_field.key]
        if applies(question, engine._ctx()):
            _answer(engine, question, form, None, entry_field)
    return _with_errors(page(engine, keys), shown)


def _with_errors(fresh: Page, answered: Page) -> Page:
    """The page again with the answers as stored, except that a field with a problem keeps what was typed."""
    problems = {item.key: item for item in answered.fields if item.error}
    fresh.fields = [problems.get(item.key, item) for item in fresh.fields]
    return fresh


def errors(shown: Page) -> list[Field]:
    return [item for item in shown.fields if item.error]


def _submit_item(engine: Engine, form: dict[str, str], shown: Page) -> Page:
    """One entry of a list: its answers, then (when all are given and valid) back to the list."""
    state = engine.progress.item
    for entry_field in shown.fields:
        question = next(q for q in GROUP_OF[entry_field.key].items if q.key == entry_field.key)
        if applies(question, engine._ctx(state["data"])):
            _answer(engine, question, form, state, entry_field)
    if any(item.error for item in shown.fields):
        return _with_errors(page(engine, shown.keys), shown)
    group = ENTRIES[state["group"]]
    pending = [q for q in group.items if q.field_name not in state["done"] and applies(q, engine._ctx(state["data"]))]
    if pending:  # an answer here brought in another question about the entry
        return page(engine, shown.keys)
    engine.progress.item = None
    engine._save()
    return page(engine, [group.key])


def leave_item(engine: Engine) -> None:
    """'Back to the list' from an entry: a new entry is dropped (as '<' from its first question in the terminal);
    changes to an existing one are already saved."""
    state = engine.progress.item
    group = ENTRIES[state["group"]]
    entries = engine._entries(group)
    if not state.get("editing") and state["index"] < len(entries):
        del entries[state["index"]]
        engine.case = questionnaire.set_path(engine.case, group.path, entries)
    engine.progress.item = None
    engine._save()


def group_action(engine: Engine, group: Group, action: str) -> bool:
    """A list's menu: add, change-N, remove-N, or done. True when the list is finished."""
    entries = engine._entries(group)
    if action == "done":
        engine.progress.mark(group.key, skipped=not entries)
        engine._remember(group.key)
        engine._save()
        return True
    verb, _, number = action.partition("-")
    if verb == "add":
        engine.progress.item = {"group": group.path, "index": len(entries), "data": {}, "done": [], "editing": False}
    elif verb in ("change", "remove") and number.isdigit() and int(number) < len(entries):
        index = int(number)
        if verb == "remove":
            del entries[index]
            engine.case = questionnaire.set_path(engine.case, group.path, entries)
        else:
            data = entries[index].model_dump(mode="json", exclude_none=True) if group.items[0].field_name else {}
            engine.progress.item = {"group": group.path, "index": index, "data": data, "done": [], "editing": True}
    engine._save()
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
    for title, entries in engine._sections().items():
        answers = []
        for entry in entries:
            label = engine._label(entry)
            items = [entry.show(item) for item in engine._entries(entry)] if isinstance(entry, Group) else []
            answers.append(Answer(entry.key, label, engine._summary(entry)[len(label) + 2:], items))
        found.append((title, answers))
    return found


def finish(engine: Engine) -> Path:
    """The case file without its progress line, as the terminal leaves it at the end."""
    engine.finished = True
    engine.current = None
    engine._save()
    return engine.path
