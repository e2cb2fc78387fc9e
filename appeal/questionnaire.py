"""The guided questionnaire: asks the questions declared in `appeal.questions`, one at a time, on questionary.

Why it works the way it does:

* Nothing is lost. The draft case file is saved (atomically, owner-only) after every answer. Which questions are
  answered or skipped is kept on the file's last line, a YAML comment starting with ``# appeal-questionnaire:``,
  so the case itself holds only case fields (the Case model forbids unknown keys) and one file is one draft.
  The comment goes away when the questionnaire finishes. A JSON case file cannot hold comments: it is resumed
  by asking whatever is still empty.
* New drafts go to ``$XDG_DATA_HOME/appeal/drafts/`` (``~/.local/share/appeal/drafts/`` when XDG_DATA_HOME is not
  set), one ``draft-<date>-<time>.yaml`` file per draft; `find_unfinished_drafts` lists the unfinished ones.
* Keys: Enter on an empty answer skips a question (the letter leaves its line out, or shows a blank for an essential fact); ``<`` then Enter
  goes back one question (lists have a "Go back" choice); Ctrl-C stops and says how to carry on.
* Answers are checked by the case model itself, so the questionnaire and a case file agree on what is valid; a
  rejected answer is named right under the question with the model's reason in words, and the question is asked
  again with the answer typed in, to be corrected (not in questionary's bottom toolbar, 20 lines below).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import questionary
from prompt_toolkit.application import create_app_session
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from appeal import casefile, icd10, kinds, loader
from appeal.case import Case
from appeal.errors import UserError, cannot_read, problem_words
from appeal.fields import format_money
from appeal.questions import (
    PROMPTS,
    QUESTIONS,
    Context,
    Entry,
    Group,
    Question,
    applies,
    incomplete_item,
    next_open,
    plain_type,
    skipped_key,
    enum_options,
    field_info,
    get_path,
    item_type,
    model_rule,
    situation_for,
)
from appeal.safe_write import describe_os_error, write_text

PROGRESS_MARK = "# appeal-questionnaire: "
NEW_DRAFT_HEADER = [
    "# Case file drafted with appeal's guided questionnaire (saved after every answer).",
    "# While it is unfinished, the last line records which questions are done; it goes away at the end.",
]
RESUME_HINT = "To carry on, run `appeal draft` again and choose to resume, or run: appeal draft --resume {path}"
BACK = "<"

HINT_STYLE = "fg:ansibrightblack italic"
ERROR_STYLE = "fg:ansired bold"
TITLE_STYLE = "bold"

_SKIP = object()
_BACK_VALUE = "\x00back"
_SKIP_VALUE = "\x00skip"
_AGAIN_VALUE = "\x00again"
_FINISH_VALUE = "\x00finish"
_CODE_SHAPE = re.compile(r"[A-Za-z]\d[0-9A-Za-z]\.?[0-9A-Za-z]{0,4}")

ENTRIES: dict[str, Entry] = {entry.key: entry for entry in QUESTIONS}
GROUP_OF: dict[str, Group] = {
    question.path: entry for entry in QUESTIONS if isinstance(entry, Group) for question in entry.items
}


class GoBack(Exception):
    """The person asked to return to the previous question."""


class QuestionnaireStopped(KeyboardInterrupt):
    """Ctrl-C: the draft is saved; `path` is where (None when nothing was answered yet)."""

    def __init__(self, path: Path | None, next_question: str | None):
        super().__init__(f"stopped; draft at {path}")
        self.path = path
        self.next_question = next_question


# --------------------------------------------------------------------------------------------------------------
# Where drafts live


def drafts_folder() -> Path:
    """In the per-user data folder (appeal.folders): drafts hold health information, so not the current directory."""
    from appeal.folders import user_data

    return user_data() / "drafts"


def _new_draft_path() -> Path:
    folder = drafts_folder()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    stem = f"draft-{datetime.now():%Y-%m-%d-%H%M%S}"
    path, number = folder / f"{stem}.yaml", 2
    while path.exists():
        path, number = folder / f"{stem}-{number}.yaml", number + 1
    return path


def _progress_line(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.startswith(PROGRESS_MARK)]
    return lines[-1][len(PROGRESS_MARK) :] if lines else None


def find_unfinished_drafts() -> list[Path]:
    """Drafts in the drafts folder that the questionnaire has not finished, newest first."""
    folder = drafts_folder()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.yaml"):
        try:
            if _progress_line(loader.read_text(path, what="draft")) is not None:
                found.append(path)
        except UserError:
            continue
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def _unused_name(path: Path, tail: str) -> Path:
    """`path` with `tail` added to its name (before the suffix when it keeps one), numbered until free."""
    candidate, number = path.with_name(path.stem + tail + path.suffix), 2
    while candidate.exists():
        candidate, number = path.with_name(f"{path.stem}{tail}-{number}{path.suffix}"), number + 1
    return candidate


def set_aside_damaged_drafts() -> list[str]:
    """Move each unfinished draft that can no longer be read as a case (hand-edited into a list, say) out of the
    way, renamed to NAME.yaml.damaged, so `appeal draft` starts fresh instead of failing. Returns what to tell."""
    told = []
    for path in find_unfinished_drafts():
        try:
            loaded = casefile.read(path, str(path))
            casefile.from_data(loaded.data, str(path), loaded)
        except UserError as error:
            aside = _unused_name(path.with_name(path.name + ".damaged"), "")
            os.replace(path, aside)
            told.append(f"The draft {path.name} cannot be read, so it was set aside as {aside} (nothing in it "
                        f"was deleted; open it in a text editor to copy your answers). Why:\n{error}")
    return told


class DraftInUse(UserError):
    """Another appeal session has this draft open; saving from both would lose the answers of one."""

    def __init__(self, path: Path):
        super().__init__(f"{path} is open in another appeal session. Finish or stop that one first, or carry on "
                         "in a copy of the draft.")
        self.path = path


class _DraftLock:
    """An exclusive lock on a draft while a session has it open: `flock` on a lock file beside it, which the
    operating system releases if the session dies, so a crash never leaves a draft locked."""

    def __init__(self, draft: Path):
        import fcntl

        self.file = draft.with_name(f".{draft.name}.lock")
        while True:
            try:
                descriptor = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:
                raise UserError(f"Cannot open the draft {draft}: {describe_os_error(error)}.") from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                raise DraftInUse(draft) from None
            try:
                current = os.stat(self.file).st_ino == os.fstat(descriptor).st_ino
            except FileNotFoundError:
                current = False
            if current:  # not a lock file the previous holder removed while we waited to open it
                self.descriptor = descriptor
                return
            os.close(descriptor)

    def release(self) -> None:
        try:
            os.unlink(self.file)
        except OSError:
            pass
        os.close(self.descriptor)


def copy_draft(path: Path) -> Path:
    """A copy of a draft (owner-only), for carrying on while another session has the original open."""
    copy = _unused_name(path, "-copy")
    write_text(copy, loader.read_text(path, what="draft"), overwrite=False)
    return copy


def completed_path(case_path: Path) -> Path:
    """Where the answers completing a case file go: a new file beside it, never the file itself."""
    return _unused_name(case_path, "-completed")


# --------------------------------------------------------------------------------------------------------------
# Progress, and reading and writing values by path


@dataclass
class Progress:
    """What the questionnaire has done, kept beside the case (never inside it)."""

    answered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    item: dict[str, Any] | None = None  # the group entry being filled: group, index, data, done, editing

    def to_data(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "skipped": self.skipped,
            "extras": self.extras,
            "history": self.history,
            "item": self.item,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Progress:
        return cls(
            answered=list(data.get("answered", [])),
            skipped=list(data.get("skipped", [])),
            extras=dict(data.get("extras", {})),
            history=list(data.get("history", [])),
            item=data.get("item"),
        )

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


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def set_path(root: BaseModel, path: str, value: Any, validator=model_rule) -> BaseModel:
    """A copy of `root` with the value at `path` set, each model on the way validating its own part."""
    name, _, rest = path.partition(".")
    if not rest:
        return (validator or model_rule)(root, name, value)
    child = getattr(root, name)
    if child is None:
        if value is None:
            return root
        child = plain_type(type(root).model_fields[name].annotation)()
    return model_rule(root, name, set_path(child, rest, value, validator))


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
        if not _empty(value):
            progress.answered.append(entry.key)
        elif entry.key in case.left_out:
            progress.skipped.append(entry.key)
    return progress


def _reason(error: Exception) -> str:
    """The model's reason, in words a person can act on."""
    if not isinstance(error, ValidationError):
        return str(error)
    problem = error.errors()[0]
    kind = problem["type"]
    if kind == "int_parsing" or kind == "int_from_float":
        return "Type a whole number, like 6."
    if kind in ("float_parsing", "decimal_parsing"):
        return "Type a number, like 8 or 10.5."
    if kind in ("greater_than_equal", "greater_than"):
        return f"The number must be at least {problem['ctx'].get('ge', problem['ctx'].get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"The number must be at most {problem['ctx'].get('le', problem['ctx'].get('lt'))}."
    return problem_words(problem)


def _as_text(value: Any) -> str:
    """An answer as the person would type it again (the default shown when a question is asked again)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return f"{value:%m/%d/%Y}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value)
    return str(value)


def _display(value: Any) -> str:
    """An answer as the review shows it."""
    if _empty(value):
        return "(blank)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return getattr(value, "label", str(value.value))
    if isinstance(value, date):
        return f"{value:%m/%d/%Y}"
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, float):
        return f"{value:g}"
    text = " / ".join(line.strip() for line in str(value).splitlines() if line.strip())
    return text if len(text) <= 70 else text[:67] + "..."


# --------------------------------------------------------------------------------------------------------------
# The interview


class _Interview:
    def __init__(self, case: Case, path: Path, progress: Progress, header: list[str], resumed: bool):
        self.case = case
        self.path = path
        self.progress = progress
        self.header = header
        self.resumed = resumed
        self.saved = path.exists()
        self.finished = False
        self.current: str | None = None
        self._searches: dict[str, list[tuple[str, str]]] = {}

    # ---- opening and saving

    @classmethod
    def open(cls, draft_path: Path | None, resume: Path | None, case_path: Path | None,
             overwrite_case: bool = False) -> _Interview:
        draft_path, resume, case_path = (Path(p) if p else None for p in (draft_path, resume, case_path))
        source = resume or case_path or (draft_path if draft_path and draft_path.exists() else None)
        completed = (case_path if overwrite_case else completed_path(case_path)) if case_path else None
        target = draft_path or resume or completed or _new_draft_path()
        if source and target != source and target.exists():
            raise UserError(f"{target} already exists. Resume it, or choose another name for the draft.")
        if source is None:
            return cls(Case(), target, Progress(), list(NEW_DRAFT_HEADER), resumed=False)
        text = loader.read_text(source, what="draft" if resume else "case file")
        loaded = casefile.read(text, str(source))
        case = casefile.from_data(loaded.data, str(source), loaded)
        header = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            if not line.startswith(PROGRESS_MARK):
                header.append(line)
        progress = None
        line = _progress_line(text)
        if line is not None:
            try:
                progress = Progress.from_data(json.loads(line))
            except (ValueError, TypeError, AttributeError, RecursionError):  # hand-edited: derive it again
                progress = None
        return cls(case, target, progress or _derive_progress(case), header, resumed=True)

    def _save(self) -> None:
        """After every answer: the whole draft, atomically, readable by its owner only."""
        if self.path.suffix.lower() == ".json":
            text = casefile.dumps(self.case, as_json=True)
        else:
            text = "".join(f"{line}\n" for line in self.header) + casefile.dumps(self.case)
            if not self.finished:
                text += PROGRESS_MARK + json.dumps(self.progress.to_data(), separators=(",", ":")) + "\n"
        write_text(self.path, text, overwrite=True)
        self.saved = True

    # ---- talking

    def _ctx(self, item: dict[str, Any] | None = None) -> Context:
        return Context(self.case, self.progress.extras, item)

    def _words(self, text: str) -> str:
        return text.format_map(self._ctx().words)

    def _say(self, text: str, style: str = "") -> None:
        questionary.print(text, style=style)

    def _ask(self, question: questionary.Question) -> Any:
        """Ctrl-C raises KeyboardInterrupt; a None answer (questionary's own Ctrl-C) means the same."""
        answer = question.unsafe_ask()
        if answer is None:
            raise KeyboardInterrupt
        return answer

    def _select(self, message: str, choices: list[questionary.Choice], default: Any = None) -> Any:
        values = [choice.value for choice in choices]
        return self._ask(questionary.select(message, choices=choices, default=default if default in values else None))

    # ---- the main flow

    def run(self) -> tuple[Case, Path]:
        lock = _DraftLock(self.path)
        try:
            self._welcome()
            while True:
                self._questions()
                if self._review():
                    break
            return self._finish()
        except (KeyboardInterrupt, EOFError):
            raise self._stopped() from None
        finally:
            lock.release()

    def _welcome(self) -> None:
        if self.resumed:
            count = len(self.progress.answered) + len(self.progress.skipped)
            self._say(f"Carrying on with {self.path} ({count} questions done so far).", TITLE_STYLE)
        else:
            self._say("Let's fill in the case, one question at a time.", TITLE_STYLE)
        self._say(f"  Your answers are saved after each one, in {self.path}.", HINT_STYLE)
        self._say("  Enter on an empty answer skips a question: the letter leaves that line out (a few facts it cannot do\n"
                  "  without stay as [ADD: ...] blanks, listed at the end).", HINT_STYLE)
        self._say("  Type < and Enter to go back one question; in a list, choose 'Go back'.", HINT_STYLE)
        self._say("  Ctrl-C stops at any time; your answers stay saved.", HINT_STYLE)

    def _stopped(self) -> QuestionnaireStopped:
        """Ctrl-C: say where the draft is and how to carry on (every answer is already saved)."""
        where = self.current
        self._say("")
        if self.saved:
            self._say(f"Stopped. Your answers so far are saved in {self.path}.", TITLE_STYLE)
            if where:
                self._say(f"Next question: {where}")
            self._say(RESUME_HINT.format(path=self.path))
        else:
            self._say("Stopped before any answer, so nothing was saved.", TITLE_STYLE)
        return QuestionnaireStopped(self.path if self.saved else None, where)

    def _next_open(self, reopen: bool = True) -> Entry | None:
        """The entry to ask next. A list with an entry that lacks a fact the letter needs (a draft or case file
        from before the letter needed it) comes back with that entry open (`_open_incomplete`), so the terminal
        and the browser both ask just its missing questions; `reopen=False` only looks (the browser's look-ahead)."""
        item = self.progress.item
        if item:
            group = ENTRIES.get(item.get("group", ""))
            if isinstance(group, Group) and applies(group, self._ctx()):
                return group
            self.progress.item = None
        entry = next_open(self._ctx(), self.progress.done)
        if reopen and isinstance(entry, Group):
            self._open_incomplete(entry)
        return entry

    def _open_incomplete(self, group: Group) -> bool:
        """Open the first entry of the list that lacks facts the letter's case needs, to be asked just those
        (the entry's other answers count as done, as when changing it). False when every entry has them."""
        lacking = incomplete_item(group, self._ctx(), self.progress.done)
        if not lacking:
            return False
        index, missing = lacking
        entries = self._entries(group)
        self._say(f"  {index + 1}. {group.show(entries[index])}: the letter needs a little more about it.", TITLE_STYLE)
        wanted = {question.field_name for question in missing}
        data = entries[index].model_dump(mode="json", exclude_none=True)
        done = [question.field_name for question in group.items if question.field_name not in wanted]
        self.progress.item = {"group": group.path, "index": index, "data": data, "done": done, "editing": True}
        return True

    def _questions(self) -> None:
        """Ask every question that applies and is not answered yet, in order; '<' steps back through history."""
        forced: Entry | None = None
        while True:
            entry = forced or self._next_open()
            forced = None
            if entry is None:
                return
            try:
                self._run_entry(entry)
            except GoBack:
                forced = self._previous(entry.key)
                if forced is None:
                    self._say("This is the first question.", HINT_STYLE)
                    forced = entry

    def _remember(self, key: str) -> None:
        if key in self.progress.history:
            self.progress.history.remove(key)
        self.progress.history.append(key)

    def _previous(self, current: str) -> Entry | None:
        ctx = self._ctx()
        while self.progress.history:
            key = self.progress.history.pop()
            entry = ENTRIES.get(key)
            if key != current and entry is not None and applies(entry, ctx):
                return entry
        return None

    def _run_entry(self, entry: Entry) -> None:
        if isinstance(entry, Group):
            self._run_group(entry)
        else:
            self._ask_question(entry)

    # ---- one question

    def _label(self, entry: Entry) -> str:
        return self._words(entry.label or entry.prompt).rstrip("?")

    def _hint(self, question: Question) -> str:
        if question.hint is None:
            info = field_info(question.path)
            return info.description or "" if info else ""
        return self._words(question.hint)

    def _options(self, question: Question, item: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        if question.kind == "confirm":
            return [("yes", "Yes"), ("no", "No")]
        if question.choices is not None:
            return question.choices(self._ctx(item))
        return enum_options(question.path)

    def _current(self, question: Question, state: dict[str, Any] | None) -> Any:
        if question.path.startswith("@"):
            return self.progress.extras.get(question.path[1:])
        if state is None:
            return get_path(self.case, question.path)
        if question.field_name:
            return state["data"].get(question.field_name)
        items = get_path(self.case, GROUP_OF[question.path].path) or []
        return items[state["index"]] if state["index"] < len(items) else None

    def _ask_question(self, question: Question, state: dict[str, Any] | None = None) -> None:
        """Ask until the model accepts the answer (or it is skipped); then store it and save. A rejected answer is
        named right under the question, in words, and asked again with what was typed, to be corrected."""
        self.current = self._words(question.prompt)
        typed: str | None = None
        while True:
            answer = self._prompt(question, state, typed)
            typed = None
            if answer is _SKIP:
                if question.required:
                    self._refuse(question, "this one is needed: type an answer, or < to go back.")
                    continue
                self._commit(question, None, state)
                return
            if question.kind == "icd10" and not _CODE_SHAPE.fullmatch(answer.replace(" ", "")):
                if not self._search(answer):
                    self._refuse(question, f"no diagnosis name holds all of '{answer}'. Try fewer or other words, "
                                           "or type the code.")
                    typed = answer
                    continue
                answer = self._pick_code(answer)
                if answer is None:
                    continue
            try:
                self._commit(question, answer, state)
            except (ValidationError, ValueError) as error:
                self._refuse(question, _reason(error))
                typed = _as_text(answer)
                continue
            return

    def _refuse(self, question: Question, reason: str) -> None:
        """Why an answer was not taken, on the line under the question, naming it."""
        if reason[:1].isupper() and reason[1:2].islower():  # "Type a number" after a colon reads "type a number"
            reason = reason[0].lower() + reason[1:]
        self._say(f"  ✗ {self._label(question)}: {reason}", ERROR_STYLE)

    def _prompt(self, question: Question, state: dict[str, Any] | None, typed: str | None = None) -> Any:
        """One prompt; `typed` is a refused answer, shown again to correct (its hint is already on screen)."""
        message = self._words(question.prompt)
        hint = self._hint(question)
        if hint and typed is None:
            self._say(f"  {hint}", HINT_STYLE)
        current = typed if typed is not None else self._current(question, state)
        if _empty(current) and question.suggest:
            current = question.suggest(self._ctx(state and state["data"]))
        if question.kind in ("choice", "confirm"):
            options = self._options(question, state and state["data"])
            choices = [questionary.Choice(title, value=value) for value, title in options]
            if not question.required:
                choices.append(questionary.Choice("Skip: leave it out for now", value=_SKIP_VALUE))
            choices.append(questionary.Choice("<  Go back", value=_BACK_VALUE))
            if current is None and question.recommend is not None:
                current = question.recommend
            if isinstance(current, bool):
                default = "yes" if current else "no"
            elif question.kind == "confirm" and current is None and not question.required:
                default = _SKIP_VALUE  # no recommended answer: Enter must not claim a yes the person never gave
            else:
                default = current.value if isinstance(current, Enum) else current
            answer = self._select(message, choices, default)
            if answer == _BACK_VALUE:
                raise GoBack
            if answer == _SKIP_VALUE:
                return _SKIP
            return answer == "yes" if question.kind == "confirm" else answer
        multiline = question.kind == "multiline"
        if multiline:
            keys = "Enter on an empty line finishes; "
        elif typed is not None:  # the refused answer, shown to correct: Enter alone would only refuse it again
            keys = "correct it and press Enter; "
        elif not _empty(current):
            keys = "Enter keeps it; "
        else:
            keys = "" if question.required else "Enter skips; "
        instruction = f"({keys}< goes back)" + ("\n " if multiline else "")  # long answers get the full width
        text = self._ask(
            questionary.text(
                message,
                default=_as_text(current),
                multiline=multiline,
                instruction=instruction,
                **({"key_bindings": _finish_on_empty_line()} if multiline else {}),
            )
        )
        text = text.strip()
        if text == BACK:
            raise GoBack
        if not text:
            return _SKIP
        return _convert(question, text)

    def _search(self, words: str) -> list[tuple[str, str]]:
        if words not in self._searches:
            self._searches[words] = icd10.search(words, limit=15)
        return self._searches[words]

    def _pick_code(self, words: str) -> str | None:
        """Words typed instead of a code: offer the matching billable codes."""
        choices = [questionary.Choice(f"{code}  {text}", value=code) for code, text in self._search(words)]
        choices.append(questionary.Choice("None of these: try other words, or type the code", value=_AGAIN_VALUE))
        answer = self._select(f"Codes matching '{words}': which one?", choices)
        return None if answer == _AGAIN_VALUE else answer

    # ---- storing an answer

    def _item_owner(self, group: Group, data: dict[str, Any]) -> BaseModel:
        """The group entry being filled, as a model holding only the answers given so far."""
        owner = item_type(group.path).model_construct()
        for name, value in data.items():
            owner = model_rule(owner, name, value)
        return owner

    def _trial(self, question: Question, value: Any, state: dict[str, Any] | None) -> Any:
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

    def _commit(self, question: Question, value: Any, state: dict[str, Any] | None) -> None:
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
        self._save()

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

    def _commit_item(self, question: Question, value: Any, state: dict[str, Any]) -> None:
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

    def _store_item(self, group: Group, state: dict[str, Any]) -> None:
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

    # ---- repeating groups

    def _entries(self, group: Group) -> list[Any]:
        return list(get_path(self.case, group.path) or [])

    def _run_group(self, group: Group) -> None:
        """The list so far, then: add one, change one, remove one, that's all, or go back."""
        self.current = self._words(group.prompt)
        while True:
            state = self.progress.item
            if state and state.get("group") == group.path:
                self._fill_item(group, state)
                continue
            if self._open_incomplete(group):  # an entry from before the letter needed these facts: ask just them
                continue
            entries = self._entries(group)
            hint = self._words(group.hint or "")
            if hint and not entries:
                self._say(f"  {hint}", HINT_STYLE)
            if entries:
                self._say(f"  {self._label(group)} so far:", TITLE_STYLE)
                for number, entry in enumerate(entries, 1):
                    self._say(f"    {number}. {group.show(entry)}")
            choices = [
                questionary.Choice(group.add_label, value="add"),
                questionary.Choice("No, go on" if entries else "No", value="done"),
            ]
            if entries:
                choices.append(questionary.Choice("Change one of them", value="change"))
                choices.append(questionary.Choice("Remove one of them", value="remove"))
            choices.append(questionary.Choice("<  Go back", value=_BACK_VALUE))
            start = "done" if group.recommend is False else None  # an optional list most people skip starts on No
            answer = self._select(self._words(group.more if entries else group.prompt), choices, start)
            if answer == _BACK_VALUE:
                raise GoBack
            if answer == "done":
                self.progress.mark(group.key, skipped=not entries)
                self._remember(group.key)
                self._save()
                return
            if answer == "add":
                self.progress.item = {
                    "group": group.path, "index": len(entries), "data": {}, "done": [], "editing": False
                }
                continue
            index = self._pick_entry(group, entries, "change" if answer == "change" else "remove")
            if index is None:
                continue
            if answer == "remove":
                del entries[index]
                self.case = set_path(self.case, group.path, entries)
                self._save()
            else:
                data = entries[index].model_dump(mode="json", exclude_none=True) if group.items[0].field_name else {}
                self.progress.item = {"group": group.path, "index": index, "data": data, "done": [], "editing": True}

    def _pick_entry(self, group: Group, entries: list[Any], verb: str) -> int | None:
        choices = [questionary.Choice(f"{n}. {group.show(entry)}", value=n - 1) for n, entry in enumerate(entries, 1)]
        choices.append(questionary.Choice("<  Cancel", value=_BACK_VALUE))
        answer = self._select(f"Which one do you want to {verb}?", choices)
        return None if answer == _BACK_VALUE else answer

    def _fill_item(self, group: Group, state: dict[str, Any]) -> None:
        """Ask the item's questions in turn; '<' steps back inside the item, and from its first question, out."""
        while True:
            ctx = self._ctx(state["data"])
            pending = [q for q in group.items if q.field_name not in state["done"] and applies(q, ctx)]
            if not pending:
                self.progress.item = None
                entries = self._entries(group)
                if state["index"] < len(entries):
                    self._say(f"  Saved: {group.show(entries[state['index']])}", HINT_STYLE)
                self._save()
                return
            try:
                self._ask_question(pending[0], state)
            except GoBack:
                if state["done"]:
                    state["done"].pop()
                    continue
                entries = self._entries(group)
                if not state["editing"] and state["index"] < len(entries):
                    del entries[state["index"]]
                    self.case = set_path(self.case, group.path, entries)
                self.progress.item = None
                self._save()
                return

    # ---- review and finish

    def _sections(self) -> dict[str, list[Entry]]:
        ctx = self._ctx()
        sections: dict[str, list[Entry]] = {}
        for entry in QUESTIONS:
            if applies(entry, ctx):
                sections.setdefault(entry.section, []).append(entry)
        return sections

    def _summary(self, entry: Entry) -> str:
        if isinstance(entry, Group):
            entries = self._entries(entry)
            shown = "; ".join(entry.show(item) for item in entries) if entries else "(none)"
            return f"{self._label(entry)}: {shown if len(shown) <= 90 else shown[:87] + '...'}"
        value = self._current(entry, None)
        if entry.choices is not None and value is not None:
            titles = dict(entry.choices(self._ctx()))
            key = value.value if isinstance(value, Enum) else value
            value = titles.get(key, key).removesuffix("  (suggested)").split(":")[0]
        return f"{self._label(entry)}: {_display(value)}"

    def _readiness(self) -> list[tuple[str, str, str | None]]:
        """`appeal check` in plain words: (status, criterion, what would settle it) for each coverage criterion;
        for one not met, the one question that would settle it (or the check's own detail). The terminal review
        and `appeal web` both show it."""
        from appeal import goals
        from appeal.readiness import Status

        results = goals.criteria_needs(self.case) if self._ctx().kind and self._ctx().kind.argues_case else []
        shown = []
        own = self.case.sender.role and self.case.sender.role.value == "provider"
        for result, missing in results:
            settle = None
            if result.status is not Status.met:
                prompt = next((PROMPTS[path] for path in missing if path in PROMPTS and (own or not path.startswith("sender."))), None)
                settle = f"The question that settles it: {self._words(prompt)}" if prompt else result.detail
            shown.append((result.status.label.capitalize(), result.criterion.title, settle))
        return shown

    def _show_readiness(self) -> None:
        """The readiness check before writing, printed."""
        shown = self._readiness()
        if not shown:
            return
        self._say("\nWhat the plan usually looks for, and where your answers stand:", TITLE_STYLE)
        for status, title, settle in shown:
            self._say(f"  {status}: {title}")
            if settle:
                self._say(f"    {settle}", HINT_STYLE)

    def _review(self) -> bool:
        """Everything at once, grouped; True when the person is happy, False after a change."""
        self.current = "the review of your answers"
        self._save()
        sections = self._sections()
        self._say("\nHere is everything so far.", TITLE_STYLE)
        for title, entries in sections.items():
            self._say(f"\n{title}", TITLE_STYLE)
            for entry in entries:
                items = self._entries(entry) if isinstance(entry, Group) else []
                if items:
                    self._say(f"  {self._label(entry)}:")
                    for number, item in enumerate(items, 1):
                        self._say(f"    {number}. {entry.show(item)}")
                else:
                    self._say(f"  {self._summary(entry)}")
        for warning in self.case.warnings():
            self._say(f"\nNote: {warning}", HINT_STYLE)
        self._show_readiness()  # last, next to the choice, so it is on screen when the person decides
        choices = [questionary.Choice("Everything is right: save the case", value=_FINISH_VALUE)]
        choices += [questionary.Choice(f"Change something in '{title}'", value=title) for title in sections]
        answer = self._select("Is everything right?", choices)
        if answer == _FINISH_VALUE:
            return True
        entries = sections[answer]
        picks = [questionary.Choice(self._summary(entry), value=n) for n, entry in enumerate(entries)]
        picks.append(questionary.Choice("<  Back to the summary", value=_BACK_VALUE))
        pick = self._select("Which one?", picks)
        if pick == _BACK_VALUE:
            return False
        try:
            self._run_entry(entries[pick])
        except GoBack:
            pass
        return False

    def _finish(self) -> tuple[Case, Path]:
        self.finished = True
        self.current = None
        self._save()
        self._say(f"\nSaved the case to {self.path}", TITLE_STYLE)
        return self.case, self.path


def _finish_on_empty_line():
    """Multi-line answers: Enter starts a new line, Enter on an empty line finishes (as in many mail programs).

    Esc then Enter also finishes. A tired person who presses Enter twice is done, not stuck."""
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    def _(event) -> None:
        buffer = event.current_buffer
        text = buffer.document.text_before_cursor
        if not buffer.text.strip() or buffer.text.strip() == BACK or text.endswith("\n") or not text:
            if text.endswith("\n"):
                buffer.delete_before_cursor(1)
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    return bindings


def _convert(question: Question, text: str) -> Any:
    """Typed text to what the model is given: a list for list questions, the text itself otherwise."""
    if question.kind == "list":
        return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
    return text


def ask_packet(*, input=None, output=None) -> tuple[bool, list[Path]] | None:
    """The last step, once the letter is written: offer it as one PDF to fax or mail, with the person's files.
    Returns (with a fax cover sheet?, files in order), or None for 'not now'. Each file is checked as it is named."""
    from appeal.packet import read_attachment

    with create_app_session(input=input, output=output):
        choice = questionary.select(
            "Make one PDF to send now (your letter, page numbers, and your files such as the denial notice)?",
            choices=[questionary.Choice("Yes, to fax it (with a fax cover sheet)", value="fax"),
                     questionary.Choice("Yes, to print and mail it (no cover sheet)", value="mail"),
                     questionary.Choice("Not now", value="no")],
        ).ask()
        if choice in (None, "no"):
            return None
        files: list[Path] = []
        while True:
            typed = questionary.text(
                f"File {len(files) + 1} to attach (a PDF or a photo; drag it here), in the letter's order. "
                "Press Enter when done:"
            ).ask()
            if typed is None or not typed.strip():
                return choice == "fax", files
            path = Path(typed.strip().strip("'\"")).expanduser()
            try:
                read_attachment(path)
            except UserError as error:
                questionary.print(str(error), style=ERROR_STYLE)
                continue
            files.append(path)


# --------------------------------------------------------------------------------------------------------------
# Public API


def run(
    *,
    draft_path: Path | None = None,
    resume: Path | None = None,
    case_path: Path | None = None,
    overwrite_case: bool = False,
    input=None,
    output=None,
) -> tuple[Case, Path]:
    """Ask the questions and return the finished case and the path of its saved case file.

    draft_path: where to save (default: a new file in `drafts_folder()`); if it exists it is resumed.
    resume: a draft to carry on, at its first unanswered question.
    case_path: an existing case file to complete; only what is missing is asked. The answers go to a new file
    beside it (`completed_path`), or to draft_path; back into case_path only with overwrite_case (--force).
    A draft another session has open raises DraftInUse (offer `copy_draft`).
    input, output: prompt_toolkit input and output (tests pass a pipe and DummyOutput).
    Ctrl-C raises QuestionnaireStopped (a KeyboardInterrupt) after saying where the draft is.
    """
    interview = _Interview.open(draft_path, resume, case_path, overwrite_case)
    with create_app_session(input=input, output=output):
        return interview.run()


__all__ = ["run", "ask_packet", "find_unfinished_drafts", "drafts_folder", "QuestionnaireStopped", "DraftInUse",
           "copy_draft", "set_aside_damaged_drafts", "completed_path"]
