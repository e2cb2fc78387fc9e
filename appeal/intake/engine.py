"""The intake engine: the questions of appeal/data/questions.yaml asked of one draft, with no screen.

As docassemble's interview engine does for its front ends, the engine holds the state (the case so far and the
progress beside it), says what to ask next, judges an answer with the case model's own rules, stores it and
saves the draft; a front end only shows what the engine says and hands the person's answers back. The terminal
(`appeal.terminal.questionnaire`, questionary) and the browser (`appeal.web.flow`) are two such front ends, so they ask the
same questions in the same order, refuse the same answers with the same words and write the same draft files.
Nothing here prints or prompts.

Why it works the way it does:

* Nothing is lost: the draft is saved (atomically, owner-only) after every answer; which questions are answered
  or skipped is its progress line (appeal.intake.drafts), so a draft resumes at its first open question.
* What is asked, and in which order, is decided from the answers (appeal.intake.questions: `asking_order`, `next_open`;
  appeal.letters.goals: what the chosen letter uses). That costs building the letter plan, so the question Context is
  made once per state of the answers and kept until an answer changes them.
* An answer the model refuses changes nothing; the engine returns a `Refusal` naming the question and the
  model's reason in words, for the front end to show beside it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from appeal.base import language, loader
from appeal.base.language import looks_spanish, shown_date, translate as _
from appeal.base.control_chars import control_problem, printable
from appeal.base.errors import UserError, problem_words
from appeal.base.safe_write import write_text
from appeal.cases import casefile, icd10
from appeal.cases.case import Case
from appeal.cases.case_paths import get_path, item_type, model_rule, set_path
from appeal.cases.fields import format_money
from appeal.intake import drafts, number_words
from appeal.intake.questions import (ENTRIES, GROUP_OF, PROMPTS, QUESTIONS, SUGGESTED, Context, Entry, Group, Question,
                                     applies, enum_options, field_info, incomplete_item, next_open, prompt_words,
                                     situation_for, skipped_key)
from appeal.letters import kinds, proofread

ItemState = dict[str, Any]  # the list entry being filled: group, index, data, done, editing

_CODE_SHAPE = re.compile(r"[A-Za-z]\d[0-9A-Za-z]\.?[0-9A-Za-z]{0,4}")


# --------------------------------------------------------------------------------------------------------------
# Progress: what has been asked, kept beside the case


@dataclass
class Progress:
    """What the questionnaire has done, kept beside the case (never inside it)."""

    answered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    item: ItemState | None = None  # the group entry being filled: group, index, data, done, editing

    def to_data(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "skipped": self.skipped,
            "extras": self.extras,
            "history": self.history,
            "item": self.item,
        }

    @classmethod
    def from_data(cls, data: Any) -> Progress:
        """The progress a draft's last line records. Raises ValueError for anything but the shape `to_data` writes
        (a line edited by hand), so it is worked out again from the answers instead of failing later."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        lists = {name: data.get(name, []) for name in ("answered", "skipped", "history")}
        if not all(isinstance(keys, list) and all(isinstance(key, str) for key in keys) for keys in lists.values()):
            raise ValueError("a list of question keys is not one")
        if not isinstance(data.get("extras", {}), dict):
            raise ValueError("extras is not an object")
        item = data.get("item")
        if item is not None and not _item_shape(item):
            raise ValueError("item is not a list entry")
        return cls(answered=lists["answered"], skipped=lists["skipped"], extras=dict(data.get("extras", {})),
                   history=lists["history"], item=item)

    def mark(self, key: str, *, skipped: bool) -> None:
        for seen in (self.answered, self.skipped):
            if key in seen:
                seen.remove(key)
        (self.skipped if skipped else self.answered).append(key)

    def forget(self, key: str) -> None:
        for seen in (self.answered, self.skipped):
            if key in seen:
                seen.remove(key)

    def done(self, key: str) -> bool:
        return key in self.answered or key in self.skipped


def _item_shape(item: Any) -> bool:
    """Whether a progress line's list entry in the making has the shape `Engine.add_entry` and `change_entry` give."""
    return (isinstance(item, dict) and isinstance(ENTRIES.get(item.get("group")), Group)
            and isinstance(item.get("index"), int) and not isinstance(item.get("index"), bool)
            and isinstance(item.get("data"), dict) and isinstance(item.get("done"), list)
            and all(isinstance(name, str) for name in item["done"]) and isinstance(item.get("editing", False), bool))


def _item_fits(item: ItemState | None, case: Case) -> bool:
    """Whether the entry in the making is one the case has (changing it), or the last one or the next (adding it:
    its answers so far are already in the case), so leaving it can never remove another entry."""
    if item is None:
        return True
    count = len(get_path(case, item["group"]) or [])
    if item.get("editing"):
        return 0 <= item["index"] < count
    return 0 <= item["index"] and item["index"] in (count - 1, count)


def _derive_progress(case: Case) -> Progress:
    """For a case file made by hand: whatever is filled in counts as answered."""
    progress = Progress()
    situation = situation_for(case.letter_kind, case.denial is not None)
    if situation:
        progress.extras["situation"] = situation
    for entry in QUESTIONS:
        value = progress.extras.get(entry.key[1:]) if entry.key.startswith("@") else get_path(case, entry.key)
        if entry.key == "letter_kind" and value not in kinds.all_kinds():
            continue  # a letter kind this installation does not have: ask
        if not is_empty(value):
            progress.answered.append(entry.key)
        elif entry.key in case.left_out:
            progress.skipped.append(entry.key)
    return progress


# --------------------------------------------------------------------------------------------------------------
# Answers as typed and as shown


def is_empty(value: Any) -> bool:
    """No answer: None, empty text or an empty list."""
    return value is None or value == "" or value == []


def looks_like_code(text: str) -> bool:
    """Whether typed text has the shape of an ICD-10 code (F33.2, f332), rather than words to look one up."""
    return _CODE_SHAPE.fullmatch(text.replace(" ", "")) is not None


def from_typed(question: Question, text: str) -> Any:
    """Typed text to what the model is given: a list for list questions, the text itself otherwise."""
    if question.kind == "list":
        return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
    return text


def as_typed(value: Any) -> str:
    """An answer as the person would type it again (the default shown when a question is asked again): a date as
    typed in English (03/14/2026), in words in another language (14 de marzo de 2026: 03/14 could be read day first),
    both read back by the model."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return shown_date(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(as_typed(item) for item in value)
    return str(value)


def _display(value: Any) -> str:
    """An answer as the review shows it."""
    if is_empty(value):
        return _("(blank)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Enum):
        return _(getattr(value, "label", str(value.value)))
    if isinstance(value, date):
        return shown_date(value)
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, float):
        return f"{value:g}"
    return "\n".join(printable(line.rstrip()) for line in str(value).strip().splitlines())


def reason_in_words(error: Exception) -> str:
    """The model's reason for refusing an answer, in words a person can act on."""
    if not isinstance(error, ValidationError):
        return str(error)
    problem = error.errors()[0]
    kind = problem["type"]
    if kind == "int_parsing" or kind == "int_from_float":
        return _("Type a whole number, like 6.")
    if kind in ("float_parsing", "decimal_parsing"):
        return _("Type a number, like 8 or 10.5.")
    if kind in ("greater_than_equal", "greater_than"):
        bound = problem["ctx"].get("ge", problem["ctx"].get("gt"))
        return _("The number must be at least {number}.").format(number=bound)
    if kind in ("less_than_equal", "less_than"):
        bound = problem["ctx"].get("le", problem["ctx"].get("lt"))
        return _("The number must be at most {number}.").format(number=bound)
    return problem_words(problem)


@dataclass(frozen=True)
class Refusal:
    """Why an answer was not taken: the question it was for (as the review names it) and the reason in words.
    For diagnosis words instead of a code, `picks` holds the matching codes to choose from."""

    label: str
    reason: str
    picks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        """'Date of birth: type a date...': the reason named after its question, for a line of its own."""
        reason = self.reason
        if reason[:1].isupper() and reason[1:2].islower():  # "Type a number" after a colon reads "type a number"
            reason = reason[0].lower() + reason[1:]
        return f"{self.label}: {reason}"


# --------------------------------------------------------------------------------------------------------------
# The engine


class Engine:
    """One draft being filled in: the case so far, the progress beside it, where it is saved."""

    def __init__(self, case: Case, path: Path, progress: Progress, header: list[str], resumed: bool):
        self.case = case
        self.path = path
        self.progress = progress
        self.header = header  # the comment lines the file starts with, kept on every save
        self.resumed = resumed
        self.saved = path.exists()
        self.finished = False
        self.reopened: int | None = None  # the list entry the last `next_open` opened again for a missing fact
        self.progress_redone = False  # the draft's progress line could not be read (edited by hand): see `notice`
        self._searches: dict[str, list[tuple[str, str]]] = {}
        self._context: Context | None = None
        self._context_extras: dict[str, Any] = {}
        self.readings: list[str] = []  # how answers typed in words were read ("kept 10 weeks"), for a front end to say

    # ---- opening and saving

    @classmethod
    def open(cls, draft_path: Path | None = None, resume: Path | None = None, case_path: Path | None = None,
             overwrite_case: bool = False) -> Engine:
        """A new draft (at draft_path, or a new file in the drafts folder), a draft resumed, or a case file to
        complete (its answers go to `drafts.completed_path` beside it unless overwrite_case). A draft_path that
        exists is resumed."""
        draft_path, resume, case_path = (Path(p) if p else None for p in (draft_path, resume, case_path))
        source = resume or case_path or (draft_path if draft_path and draft_path.exists() else None)
        completed = (case_path if overwrite_case else drafts.completed_path(case_path)) if case_path else None
        target = draft_path or resume or completed or drafts.new_path()
        if source and target != source and target.exists():
            raise UserError(f"{target} already exists. Resume it, or choose another name for the draft.")
        if source is None:
            return cls(Case(), target, Progress(), list(drafts.NEW_DRAFT_HEADER), resumed=False)
        text = loader.read_text(source, what="draft" if resume else "case file")
        loaded = casefile.read(text, str(source))
        case = casefile.from_data(loaded.data, str(source), loaded)
        progress, redone = None, False
        line = drafts.progress_line(text)
        if line is not None:
            try:
                progress = Progress.from_data(json.loads(line))
                if not _item_fits(progress.item, case):
                    raise ValueError("item is not an entry of the list")
            except (ValueError, TypeError, AttributeError, RecursionError):  # hand-edited: derive it again
                progress, redone = None, True
        engine = cls(case, target, progress or _derive_progress(case), drafts.header_lines(text), resumed=True)
        engine.progress_redone = redone
        return engine

    @property
    def notice(self) -> str | None:
        """What a front end says when it opens the draft, if anything: that its progress line was worked out again."""
        if not self.progress_redone:
            return None
        return _("The last line of {file}, which records the questions done, was changed and could not be read, so "
                 "the questions done were worked out again from your answers: every answer in the file is kept. A "
                 "list entry you were in the middle of adding, if any, needs adding again.").format(file=self.path.name)

    def save(self) -> None:
        """After every answer: the whole draft, atomically, readable by its owner only."""
        if self.path.suffix.lower() == ".json":
            text = casefile.dumps(self.case, as_json=True)
        else:
            text = "".join(f"{line}\n" for line in self.header) + casefile.dumps(self.case)
            if not self.finished:
                text += drafts.PROGRESS_MARK + json.dumps(self.progress.to_data(), separators=(",", ":")) + "\n"
        write_text(self.path, text, overwrite=True)
        self.saved = True

    def finish(self) -> Path:
        """The case file without its progress line: the questions are done."""
        self.finished = True
        self.save()
        return self.path

    # ---- what the answers so far say

    def context(self, item: dict[str, Any] | None = None) -> Context:
        """The answers so far, as conditions and choice lists see them; made once per state of the answers (it
        keeps what the letter's goals cost to work out), with `item` the data of a list entry being filled."""
        ctx = self._context
        if ctx is None or ctx.case is not self.case or self._context_extras != self.progress.extras:
            self._context_extras = dict(self.progress.extras)
            ctx = self._context = Context(self.case, dict(self._context_extras))
        return ctx if item is None else ctx.with_item(item)

    def asks(self, entry: Entry, item: dict[str, Any] | None = None) -> bool:
        """Whether the answers so far ask this entry at all (`item`: the data of the list entry being filled)."""
        return applies(entry, self.context(item))

    def words(self, text: str) -> str:
        """A prompt in the person's language (its catalog), in the words for this sender ("your" to the patient,
        "the patient's" to others)."""
        item = self.progress.item
        return _(text).format_map(self.context(item["data"] if item else None).words)

    def label(self, entry: Entry) -> str:
        """The short name of a question or list, as the review and a refusal name it."""
        return self.words(entry.label or entry.prompt).rstrip("?").removeprefix("¿")

    def hint(self, question: Question) -> str:
        """The plain-words help shown with a question (the field's description when the file gives none)."""
        if question.hint is None:
            info = field_info(question.path)
            return info.description or "" if info else ""
        return self.words(question.hint)

    def options(self, question: Question, item: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(stored value, what the person sees) for a choice or yes/no question; the values its `default:` gives
        come first, in its order (Medicare first for a patient over 65)."""
        options = self._options(question, item)
        if question.kind != "choice" or question.default is None:
            return options
        first = self.defaults(question, {"data": item} if item is not None else None)
        return sorted(options, key=lambda option: first.index(str(option[0])) if str(option[0]) in first else len(first))

    def _options(self, question: Question, item: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        if question.kind == "confirm":
            return [("yes", _("Yes")), ("no", _("No"))]
        if question.choices is not None:
            return question.choices(self.context(item))
        return [(value, _(label)) for value, label in enum_options(question.path)]

    def current(self, question: Question, state: ItemState | None = None) -> Any:
        """The answer stored for a question (in the list entry being filled, given its state)."""
        if question.path.startswith("@"):
            return self.progress.extras.get(question.path[1:])
        if state is None:
            return get_path(self.case, question.path)
        if question.field_name:
            return state["data"].get(question.field_name)
        items = get_path(self.case, GROUP_OF[question.path].path) or []
        return items[state["index"]] if state["index"] < len(items) else None

    def proposed(self, question: Question, state: ItemState | None = None) -> Any:
        """The answer a question starts on: the stored one, else its suggestion ('Zoloft' suggests SSRI), else its
        `default:` from what was already said (the first of a list), else its recommended yes or no."""
        current = self.current(question, state)
        if is_empty(current) and question.suggest:
            current = question.suggest(self.context(state and state["data"]))
        if is_empty(current):
            defaults = self.defaults(question, state)
            current = defaults[0] if defaults else None
        if current is None and question.recommend is not None:
            current = question.recommend
        return current

    def defaults(self, question: Question, state: ItemState | None = None) -> list[str]:
        """What a question's `default:` gives for the answers so far, as a list ('medicare_advantage', ... for a
        patient over 65), keeping only the values the question offers: a default can never be a wrong answer."""
        if question.default is None:
            return []
        given = question.default.value(self.context(state and state["data"]))
        given = [given] if isinstance(given, str) else list(given) if isinstance(given, (list, tuple)) else []
        if question.kind != "choice":
            return [str(value) for value in given if value]
        offered = {str(value) for value, _ in self._options(question, state and state["data"])}
        return [str(value) for value in given if str(value) in offered]

    def list_start(self, group: Group) -> str:
        """Where a list's menu starts, the same for every list: on 'add' for the first entry of a list the letter
        counts on, on 'No' once it has an entry (a tired person pressing Enter moves on instead of opening an
        empty entry; one more is a deliberate choice, and the review can add it) and for an optional list most
        people skip (`recommend: false`)."""
        return "done" if group.recommend is False or self.entries(group) else "add"

    def search(self, words: str) -> list[tuple[str, str]]:
        """Billable ICD-10-CM codes whose names hold these words: (code, name)."""
        if words not in self._searches:
            self._searches[words] = icd10.search(words, limit=15)
        return self._searches[words]

    # ---- what to ask next

    def next_open(self, reopen: bool = True) -> Entry | None:
        """The entry to ask next, or None when every question is done. A list with an entry that lacks a fact the
        letter needs (a draft or case file from before the letter needed it) comes back with that entry open
        (`open_incomplete`; its index in `reopened`), so every front end asks just its missing questions;
        `reopen=False` only looks (the browser's look-ahead)."""
        self.reopened = None
        item = self.progress.item
        if item:
            group = ENTRIES.get(item.get("group", ""))
            if isinstance(group, Group) and applies(group, self.context()):
                return group
            self.progress.item = None
        entry = next_open(self.context(), self.progress.done)
        if reopen and isinstance(entry, Group):
            self.reopened = self.open_incomplete(entry)
        return entry

    def next_after(self, keys: list[str]) -> Entry | None:
        """The entry the engine would ask once these were answered, changing nothing (a page of a few questions
        looks ahead with it)."""
        real, reopened = self.progress, self.reopened
        self.progress = copy.deepcopy(real)
        try:
            for key in keys:
                self.progress.mark(key, skipped=True)
            return self.next_open(reopen=False)
        finally:
            self.progress, self.reopened = real, reopened

    def open_incomplete(self, group: Group) -> int | None:
        """Open the first entry of the list that lacks facts the letter's case needs, to be asked just those
        (the entry's other answers count as done, as when changing it). Its index, or None when every entry has
        them."""
        lacking = incomplete_item(group, self.context(), self.progress.done)
        if not lacking:
            return None
        index, missing = lacking
        entries = self.entries(group)
        wanted = {question.field_name for question in missing}
        data = entries[index].model_dump(mode="json", exclude_none=True)
        done = [question.field_name for question in group.items if question.field_name not in wanted]
        self.progress.item = {"group": group.path, "index": index, "data": data, "done": done, "editing": True}
        return index

    def previous(self, current: str) -> Entry | None:
        """The question answered before `current` that the answers still ask (for going back), or None."""
        ctx = self.context()
        while self.progress.history:
            key = self.progress.history.pop()
            entry = ENTRIES.get(key)
            if key != current and entry is not None and applies(entry, ctx):
                return entry
        return None

    def _remember(self, key: str) -> None:
        if key in self.progress.history:
            self.progress.history.remove(key)
        self.progress.history.append(key)

    # ---- answering

    def refusal(self, question: Question, reason: str) -> Refusal:
        return Refusal(self.label(question), reason)

    def answer(self, question: Question, value: Any, state: ItemState | None = None) -> Refusal | None:
        """Judge an answer and, when the model takes it, store it and save the draft; None leaves the question
        out (skipped on purpose). `state` is the list entry being filled, for a question about one. Returns why
        the answer was refused (nothing is changed then), or None."""
        if value is None and question.required:
            wanted = _("choose one.") if question.kind in ("choice", "confirm") else _("type an answer.")
            return self.refusal(question, _("This one is needed: {what}").format(what=wanted))
        for typed in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
            problem = isinstance(typed, str) and control_problem(typed)
            if problem:  # before anything quotes the answer back (a code search names the words it looked for)
                return self.refusal(question, _("The answer {problem}.").format(problem=problem))
        reading = number_words.read(value, question.unit) if question.kind == "number" and isinstance(value, str) else None
        if reading is not None:  # "about 10" is 10, said back; "10-12" is asked about, never guessed
            if reading.question:
                return self.refusal(question, reading.question)
            value = reading.text
        if question.kind == "icd10" and isinstance(value, str) and not looks_like_code(value):
            picks = self.search(value)
            reason = (_("Choose the code that fits '{words}' below, or type other words or the code.") if picks else
                      _("No diagnosis name holds all of '{words}'. Try fewer or other words, or type the code.")
                      ).format(words=value)
            return Refusal(self.label(question), reason, picks)
        if question.kind == "choice" and value is not None:
            allowed = {str(option) for option, _ in self.options(question, state and state["data"])}
            if str(value) not in allowed:
                return self.refusal(question, _("Choose one of these."))
        try:
            self._commit(question, value, state)
        except (ValidationError, ValueError) as error:
            return self.refusal(question, reason_in_words(error))
        if reading is not None and reading.said:
            self.readings.append(f"{self.label(question)}: {reading.said}")
        return None

    # ---- proofreading a free-text answer

    def typos(self, question: Question, state: ItemState | None = None) -> list[proofread.Typo]:
        """The likely typos in a free-text answer as stored, for the person to settle one by one (the words kept
        as typed in this field and the case's names are not among them)."""
        text = self.current(question, state)
        if not proofread.checks(question.path) or not isinstance(text, str) or not text.strip():
            return []
        # an English spelling check would "correct" Spanish words ('veces -> vices?'): not for text that reads as
        # Spanish, nor for a person answering in Spanish at all (the review says where Spanish stays in the letter)
        if looks_spanish(text) or language.current() != language.ENGLISH:
            return []
        return proofread.typos(text, question.path, proofread.case_words(self.case),
                               self.case.kept_spellings.get(question.path, []))

    def settle_typo(self, question: Question, typo: proofread.Typo, fix: bool,
                    state: ItemState | None = None) -> Refusal | None:
        """The person's choice for a likely typo, saved at once: the word meant put into the answer (`fix`), or
        the word kept as typed, remembered in the case so this field never asks about it again."""
        if fix and typo.suggestion:
            text = self.current(question, state)
            return self.answer(question, proofread.corrected(text, typo.word, typo.suggestion), state)
        kept = dict(self.case.kept_spellings)
        kept[question.path] = list(dict.fromkeys([*kept.get(question.path, []), typo.word]))
        self.case = model_rule(self.case, "kept_spellings", kept)
        self.save()
        return None

    def typed_in_spanish(self) -> list[str]:
        """The free-text answers written in Spanish, by their labels: the letter to the plan is in English and
        prints them as typed, so both reviews say so and offer to change them."""
        found = [self.label(entry) for entry in QUESTIONS if isinstance(entry, Question)
                 and proofread.checks(entry.path) and applies(entry, self.context())
                 and isinstance(self.current(entry), str) and looks_spanish(self.current(entry))]
        # a list's entries too: 'Probados antes 2: Por qué se dejó'
        for group in (entry for entry in QUESTIONS if isinstance(entry, Group)):
            for item in group.items:
                if not proofread.checks(item.path):
                    continue
                for number, entry in enumerate(self.entries(group), 1):
                    value = getattr(entry, item.field_name) if item.field_name else entry
                    if isinstance(value, str) and looks_spanish(value):
                        found.append(f"{self.label(group)} {number}: {self.label(item)}")
        return found

    def _item_owner(self, group: Group, data: dict[str, Any]) -> BaseModel:
        """The group entry being filled, as a model holding only the answers given so far."""
        owner = item_type(group.path).model_construct()
        for name, value in data.items():
            owner = model_rule(owner, name, value)
        return owner

    def _trial(self, question: Question, value: Any, state: ItemState | None) -> Any:
        """Validate an answer as the model would, without keeping it."""
        if question.path.startswith("@"):
            return value
        if state is None:
            return set_path(self.case, question.path, value, question.validator)
        group = GROUP_OF[question.path]
        if question.field_name:
            owner = self._item_owner(group, state["data"])
            return (question.validator or model_rule)(owner, question.field_name, value)
        items = list(get_path(self.case, group.path) or [])
        index = state["index"]
        if index < len(items):
            items[index] = value
        else:
            items.append(value)
        return set_path(self.case, group.path, items)

    def _commit(self, question: Question, value: Any, state: ItemState | None) -> None:
        skipped = value is None
        if question.path.startswith("@"):
            name = question.path[1:]
            changed = self.progress.extras.get(name) != value
            self.progress.extras[name] = value
        elif state is None:
            before = get_path(self.case, question.path)
            self.case = set_path(self.case, question.path, value, question.validator)
            changed = before != get_path(self.case, question.path)
        else:
            changed = False
            self._commit_item(question, value, state)
        if state is None:
            self._leave_out(question, skipped)
            self.progress.mark(question.key, skipped=skipped)
            self._remember(question.key)
            if changed:
                for key in question.resets:
                    self.progress.forget(key)
        else:
            if skipped:  # so a draft resumed later does not ask the entry for it again
                self.progress.mark(skipped_key(question, state["index"]), skipped=True)
            name = question.field_name
            if name in state["done"]:
                state["done"].remove(name)
            state["done"].append(name)
        self.save()

    def _leave_out(self, question: Question, skipped: bool) -> None:
        """A fact skipped on purpose is optional for the letter (its line is left out), unless the letter cannot
        do without it (`essential:`), when it stays a visible blank to fill in."""
        if question.path.startswith("@") or question.required:
            return
        left_out = [path for path in self.case.left_out if path != question.path]
        if skipped and not question.essential:
            left_out.append(question.path)
        if left_out != self.case.left_out:
            self.case = model_rule(self.case, "left_out", left_out)

    def _commit_item(self, question: Question, value: Any, state: ItemState) -> None:
        group = GROUP_OF[question.path]
        if question.field_name:
            if value is None:
                state["data"].pop(question.field_name, None)
            else:
                trial = self._trial(question, value, state)
                state["data"][question.field_name] = to_jsonable_python(getattr(trial, question.field_name))
            self._store_item(group, state)
        elif value is not None:
            self.case = self._trial(question, value, state)

    def _store_item(self, group: Group, state: ItemState) -> None:
        """Put the entry into the case as soon as it is a valid item (until then only the progress line holds it)."""
        try:
            item = item_type(group.path).model_validate(state["data"])
        except ValidationError:
            return
        items = list(get_path(self.case, group.path) or [])
        if state["index"] < len(items):
            items[state["index"]] = item
        else:
            items.append(item)
            state["index"] = len(items) - 1
        self.case = set_path(self.case, group.path, items)

    # ---- lists: entries added, changed, removed

    def entries(self, group: Group) -> list[Any]:
        """The list's entries so far."""
        return list(get_path(self.case, group.path) or [])

    def add_entry(self, group: Group) -> None:
        """Start a new entry of the list; its questions come next (`pending`)."""
        self.progress.item = {
            "group": group.path, "index": len(self.entries(group)), "data": {}, "done": [], "editing": False
        }

    def change_entry(self, group: Group, index: int) -> None:
        """Open an entry of the list again, its answers kept, to change them."""
        entry = self.entries(group)[index]
        data = entry.model_dump(mode="json", exclude_none=True) if group.items[0].field_name else {}
        self.progress.item = {"group": group.path, "index": index, "data": data, "done": [], "editing": True}

    def remove_entry(self, group: Group, index: int) -> None:
        entries = self.entries(group)
        del entries[index]
        self.case = set_path(self.case, group.path, entries)
        self.save()

    def finish_list(self, group: Group) -> None:
        """No more entries: the list is done (skipped when it has none)."""
        self.progress.mark(group.key, skipped=not self.entries(group))
        self._remember(group.key)
        self.save()

    def pending(self, state: ItemState | None = None) -> list[Question]:
        """The questions about the entry being filled that are still to ask, in order."""
        state = state or self.progress.item
        group = ENTRIES[state["group"]]
        ctx = self.context(state["data"])
        return [question for question in group.items if question.field_name not in state["done"]
                and applies(question, ctx)]

    def close_entry(self) -> Any | None:
        """The entry's questions are done: close it. Returns the entry as stored in the case (None if it never
        became a valid entry)."""
        state = self.progress.item
        self.progress.item = None
        entries = self.entries(ENTRIES[state["group"]])
        self.save()
        return entries[state["index"]] if state["index"] < len(entries) else None

    def step_back_in_entry(self) -> bool:
        """Back to the entry's previous question; False from its first (then `leave_entry`)."""
        state = self.progress.item
        if not state["done"]:
            return False
        state["done"].pop()
        return True

    def leave_entry(self) -> None:
        """Out of the entry being filled, back to its list: a new entry is dropped; changes to an existing one are
        already saved."""
        state = self.progress.item
        group = ENTRIES[state["group"]]
        entries = self.entries(group)
        if not state.get("editing") and state["index"] < len(entries):
            del entries[state["index"]]
            self.case = set_path(self.case, group.path, entries)
        self.progress.item = None
        self.save()

    # ---- the review

    def sections(self) -> dict[str, list[Entry]]:
        """Every entry that applies, by section title, in the file's order."""
        ctx = self.context()
        sections: dict[str, list[Entry]] = {}
        for entry in QUESTIONS:
            if applies(entry, ctx):
                sections.setdefault(entry.section, []).append(entry)
        return sections

    def shown_answer(self, entry: Entry) -> str:
        """An entry's answer as the review shows it: a list's entries on one line, a choice by its title."""
        if isinstance(entry, Group):
            entries = self.entries(entry)
            return "; ".join(entry.show(item) for item in entries) if entries else _("(none)")
        value = self.current(entry, None)
        if entry.choices is not None and value is not None:
            titles = dict(entry.choices(self.context()))
            key = value.value if isinstance(value, Enum) else value
            value = titles.get(key, key).removesuffix(_(SUGGESTED)).split(":")[0]
        return _display(value)

    def summary(self, entry: Entry, width: int | None = None) -> str:
        """'Label: answer' as the review shows it, every word of the answer (to proofread); `width` shortens it to
        one line of that many characters, for a menu that only names the answer to change."""
        text = f"{self.label(entry)}: {self.shown_answer(entry)}"
        if width is None:
            return text
        line = " / ".join(part.strip() for part in text.splitlines() if part.strip())
        return line if len(line) <= width else line[:width - 3].rstrip() + "..."

    def readiness(self) -> list[tuple[str, str, str | None]]:
        """`appeal check` in plain words: (status, criterion, what would settle it) for each coverage criterion;
        for one not met, the one question that would settle it (or the check's own detail). The terminal review
        and `appeal web` both show it."""
        from appeal.letters import goals
        from appeal.rules.readiness import Status

        kind = self.context().kind
        results = goals.criteria_needs(self.case) if kind and kind.argues_case else []
        shown = []
        own = self.case.sender.role and self.case.sender.role.value == "provider"
        for result, missing in results:
            settle = None
            if result.status is not Status.met:
                prompt = next((prompt_words(path) for path in missing
                               if path in PROMPTS and (own or not path.startswith("sender."))), None)
                settle = _("The question that settles it: {question}").format(question=self.words(prompt)) \
                    if prompt else result.detail
            shown.append((_(result.status.label).capitalize(), result.criterion.said_title, settle))
        return shown
