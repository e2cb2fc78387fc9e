"""The guided questionnaire in a terminal: the intake engine's questions (appeal.intake.engine), one at a time,
on questionary.

The engine decides what to ask, judges each answer and saves the draft after every one; this module only shows
its questions and what it says, reads the keys and hands the answers back:

* Keys: Enter on an empty answer skips a question (the letter leaves its line out, or shows a blank for an
  essential fact); ``<`` then Enter goes back one question (lists have a "Go back" choice); Ctrl-C stops and
  says how to carry on (every answer is already saved).
* A refused answer is named right under the question with the model's reason in words, and the question is
  asked again with the answer typed in, to be corrected (not in questionary's bottom toolbar, 20 lines below).
* New drafts go to the drafts folder (appeal.intake.drafts), one file per draft; the draft is locked while asked.
"""

from __future__ import annotations

import textwrap
from enum import Enum
from pathlib import Path
from typing import Any

import questionary
from prompt_toolkit.application import create_app_session

from appeal.base.control_chars import printable
from appeal.base.language import N_, ngettext, translate as _
from appeal.base.errors import UserError
from appeal.cases import checks as case_checks, voice
from appeal.cases.case import Case
from appeal.intake import drafts
from appeal.intake.engine import Engine, ItemState, Refusal, as_typed, from_typed, is_empty
from appeal.intake.questions import Entry, Group, Question
from appeal.terminal import prompts

RESUME_HINT = N_("To carry on, run `appeal draft` again and choose to resume, or run: appeal draft --resume {path}")
# a draft kept outside the drafts folder (a case file of the person's own, one from `appeal import`): `appeal draft`
# offers only the drafts folder's, so the command is the way back
RESUME_ELSEWHERE_HINT = N_("To carry on, run: appeal draft --resume {path}")
BACK = "<"

HINT_STYLE = "fg:ansibrightblack italic"
ERROR_STYLE = "fg:ansired bold"
TITLE_STYLE = "bold"

_SKIP = object()
_BACK_VALUE = "\x00back"
_SKIP_VALUE = "\x00skip"
_AGAIN_VALUE = "\x00again"
_CHOOSE_VALUE = "\x00choose"  # where the cursor starts when nothing is known: Enter there chooses nothing
CHOOSE_TITLE = N_("(choose an answer below with the arrow keys)")
SKIP_TITLE = N_("Skip: leave it out for now")
BACK_TITLE = N_("<  Go back")
NOTHING_CHOSEN = N_("Nothing is chosen yet: move to an answer, or to “Skip: leave it out for now”, then press "
                    "Enter.")
_FINISH_VALUE = "\x00finish"


class GoBack(Exception):
    """The person asked to return to the previous question."""


class QuestionnaireStopped(KeyboardInterrupt):
    """Ctrl-C: the draft is saved; `path` is where (None when nothing was answered yet)."""

    def __init__(self, path: Path | None, next_question: str | None):
        super().__init__(f"stopped; draft at {path}")
        self.path = path
        self.next_question = next_question


# --------------------------------------------------------------------------------------------------------------
# The interview in a terminal


class _Terminal:
    """The engine's questions as questionary prompts."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.current: str | None = None  # the question on screen, named when Ctrl-C stops

    # ---- talking

    def _say(self, text: str, style: str = "") -> None:
        questionary.print(printable(text), style=style)

    def _ask(self, question: questionary.Question) -> Any:
        """Ctrl-C raises KeyboardInterrupt; a None answer (questionary's own Ctrl-C) means the same."""
        answer = question.unsafe_ask()
        if answer is None:
            raise KeyboardInterrupt
        return answer

    def _select(self, message: str, choices: list[questionary.Choice], default: Any = None) -> Any:
        values = [choice.value for choice in choices]
        return self._ask(prompts.select(message, choices=choices, default=default if default in values else None))

    # ---- the main flow

    def run(self) -> tuple[Case, Path]:
        with drafts.DraftLock(self.engine.path):
            try:
                self._welcome()
                while True:
                    self._questions()
                    if self._review():
                        break
                return self._finish()
            except (KeyboardInterrupt, EOFError):
                raise self._stopped() from None

    def _welcome(self) -> None:
        engine = self.engine
        if engine.resumed:
            count = len(engine.progress.answered) + len(engine.progress.skipped)
            self._say(ngettext("Carrying on with {path} ({count} question done so far).",
                               "Carrying on with {path} ({count} questions done so far).", count).format(
                path=engine.path, count=count), TITLE_STYLE)
            if engine.notice:
                self._say(engine.notice, ERROR_STYLE)
        else:
            self._say(_("Let's fill in the case, one question at a time."), TITLE_STYLE)
        self._say("  " + _("Your answers are saved after each one, in {path}.").format(path=engine.path), HINT_STYLE)
        self._say("  " + _("Enter on an empty answer skips a question: the letter leaves that line out (a few facts it "
                           "cannot do\n  without stay as [ADD: ...] blanks, listed at the end)."), HINT_STYLE)
        self._say("  " + _("Type < and Enter to go back one question; in a list, choose 'Go back'."), HINT_STYLE)
        self._say("  " + _("Ctrl-C stops at any time; your answers stay saved."), HINT_STYLE)

    def _stopped(self) -> QuestionnaireStopped:
        """Ctrl-C: say where the draft is and how to carry on (every answer is already saved)."""
        engine, where = self.engine, self.current
        self._say("")
        if engine.saved:
            self._say(_("Stopped. Your answers so far are saved in {path}.").format(path=engine.path), TITLE_STYLE)
            if where:
                self._say(_("Next question: {question}").format(question=where))
            offered = engine.path.resolve().parent == drafts.folder().resolve()  # by `appeal draft`'s question
            self._say(_(RESUME_HINT if offered else RESUME_ELSEWHERE_HINT).format(path=engine.path))
        else:
            self._say(_("Stopped before any answer, so nothing was saved."), TITLE_STYLE)
        return QuestionnaireStopped(engine.path if engine.saved else None, where)

    def _say_reopened(self, group: Group, index: int | None) -> None:
        """An entry of a list opened again by the engine, for a fact the letter needs that it lacks."""
        if index is not None:
            entry = self.engine.entries(group)[index]
            self._say(_("  {number}. {entry}: the letter needs a little more about it.").format(
                number=index + 1, entry=group.show(entry)), TITLE_STYLE)

    def _questions(self) -> None:
        """Ask every question that applies and is not answered yet, in order; '<' steps back through history."""
        engine = self.engine
        forced: Entry | None = None
        while True:
            entry = forced or engine.next_open()
            if forced is None and isinstance(entry, Group):
                self._say_reopened(entry, engine.reopened)
            forced = None
            if entry is None:
                return
            try:
                self._run_entry(entry)
            except GoBack:
                forced = engine.previous(entry.key)
                if forced is None:
                    self._say(_("This is the first question."), HINT_STYLE)
                    forced = entry

    def _run_entry(self, entry: Entry) -> None:
        if isinstance(entry, Group):
            self._run_group(entry)
        else:
            self._ask_question(entry)

    # ---- one question

    def _ask_question(self, question: Question, state: ItemState | None = None) -> None:
        """Ask until the engine takes the answer (or it is skipped). A refused answer is named right under the
        question, in words, and asked again with what was typed, to be corrected."""
        engine = self.engine
        self.current = engine.words(question.prompt)
        typed: str | None = None
        while True:
            answer = self._prompt(question, state, typed)
            typed = None
            if answer is _SKIP:
                if question.required:
                    self._refuse(engine.refusal(question, _("this one is needed: type an answer, or < to go back.")))
                    continue
                answer = None
            refusal = engine.answer(question, answer, state)
            if refusal is not None and refusal.picks:  # words instead of a code: choose one of the codes found
                answer = self._pick_code(answer, refusal.picks)
                if answer is None:
                    continue
                refusal = engine.answer(question, answer, state)
            if refusal is None:
                self._say_readings()
                typed = self._proofread(question, state)
                if typed is None:
                    return
                continue
            self._refuse(refusal)
            typed = as_typed(answer)

    def _proofread(self, question: Question, state: ItemState | None) -> str | None:
        """Each likely typo in the answer just taken, for the person to settle ("recieve → receive?": the fix, or
        as typed; each choice saved at once). Words quoted from the plan's notice are only checked against it.
        Returns the answer to show again when the person wants to correct what they copied, else None."""
        engine = self.engine
        for typo in engine.typos(question, state):
            if typo.suggestion is None:
                answer = self._select(_("'{word}' may be a typo. Check it against {source}:").format(
                    word=typo.word, source=_(typo.source)), [
                    questionary.Choice(_("It is as {source} has it: keep it").format(source=_(typo.source)),
                                       value="keep"),
                    questionary.Choice(_("Let me correct what I copied"), value="edit")])
                if answer == "edit":
                    return as_typed(engine.current(question, state))
            else:
                answer = self._select(_("Spelling: {word} → {suggestion}?").format(
                    word=typo.word, suggestion=typo.suggestion), [
                    questionary.Choice(_("Use '{suggestion}'").format(suggestion=typo.suggestion), value="fix"),
                    questionary.Choice(_("Keep '{word}' as typed").format(word=typo.word), value="keep")])
            refusal = engine.settle_typo(question, typo, answer == "fix", state)
            if refusal is not None:
                self._refuse(refusal)
        return None

    def _say_readings(self) -> None:
        """How an answer typed in words was read ('Weeks at full dose: Kept 10 weeks (you typed 'about 10')')."""
        for reading in self.engine.readings:
            self._say(f"  ✓ {reading}", HINT_STYLE)
        self.engine.readings.clear()

    def _refuse(self, refusal: Refusal) -> None:
        """Why an answer was not taken, on the line under the question, naming it."""
        self._say(f"  ✗ {refusal.message}", ERROR_STYLE)

    def _prompt(self, question: Question, state: ItemState | None, typed: str | None = None) -> Any:
        """One prompt; `typed` is a refused answer, shown again to correct (its hint is already on screen)."""
        engine = self.engine
        message = engine.words(question.prompt)
        hint = engine.hint(question)
        if hint and typed is None:
            self._say(f"  {hint}", HINT_STYLE)
        current = typed if typed is not None else engine.proposed(question, state)
        if question.kind in ("choice", "confirm"):
            options = engine.options(question, state and state["data"])
            choices = [questionary.Choice(title, value=value) for value, title in options]
            if not question.required:
                choices.append(questionary.Choice(_(SKIP_TITLE), value=_SKIP_VALUE))
            choices.append(questionary.Choice(_(BACK_TITLE), value=_BACK_VALUE))
            if isinstance(current, bool):
                default = "yes" if current else "no"
            elif current is None and not question.required:
                # Nothing said or implied yet: Enter must neither claim an answer never given nor skip the question
                # unseen, so the cursor starts on a line that chooses nothing, and Skip is an answer to move to.
                choices.insert(0, questionary.Choice(_(CHOOSE_TITLE), value=_CHOOSE_VALUE))
                default = _CHOOSE_VALUE
            else:
                default = current.value if isinstance(current, Enum) else current
            answer = self._select(message, choices, default)
            while answer == _CHOOSE_VALUE:
                self._say(f"  ✗ {_(NOTHING_CHOSEN)}", ERROR_STYLE)
                answer = self._select(message, choices, default)
            if answer == _BACK_VALUE:
                raise GoBack
            if answer == _SKIP_VALUE:
                return _SKIP
            return answer == "yes" if question.kind == "confirm" else answer
        multiline = question.kind == "multiline"
        if multiline:
            keys = _("Enter on an empty line finishes; ")
        elif typed is not None:  # the refused answer, shown to correct: Enter alone would only refuse it again
            keys = _("correct it and press Enter; ")
        elif not is_empty(current):
            keys = _("Enter keeps it; ")
        else:
            keys = "" if question.required else _("Enter skips; ")
        back = _("< goes back")  # not inside the f-string, where Babel's extractor cannot see it
        instruction = f"({keys}{back})" + ("\n " if multiline else "")  # long answers get the full width
        shown = as_typed(current)
        text = self._ask(
            questionary.text(
                message,
                default=shown,
                multiline=multiline,
                instruction=instruction,
                **({"key_bindings": _finish_on_empty_line()} if multiline else {}),
            )
        )
        text = text.strip()
        if text == BACK or (shown.strip() and text == shown.strip() + BACK):  # '<' typed after the answer shown
            raise GoBack
        if not text:
            return _SKIP
        return from_typed(question, text)

    def _pick_code(self, words: str, found: list[tuple[str, str]]) -> str | None:
        """Words typed instead of a code: offer the matching billable codes."""
        choices = [questionary.Choice(f"{code}  {text}", value=code) for code, text in found]
        choices.append(questionary.Choice(_("None of these: try other words, or type the code"), value=_AGAIN_VALUE))
        answer = self._select(_("Codes matching '{words}': which one?").format(words=words), choices)
        return None if answer == _AGAIN_VALUE else answer

    # ---- repeating groups

    def _run_group(self, group: Group) -> None:
        """The list so far, then: add one, change one, remove one, that's all, or go back."""
        engine = self.engine
        self.current = engine.words(group.prompt)
        while True:
            state = engine.progress.item
            if state and state.get("group") == group.path:
                self._fill_item(group)
                continue
            reopened = engine.open_incomplete(group)  # an entry from before the letter needed these facts
            if reopened is not None:
                self._say_reopened(group, reopened)
                continue
            entries = engine.entries(group)
            hint = engine.words(group.hint or "")
            if hint and not entries:
                self._say(f"  {hint}", HINT_STYLE)
            if entries:
                self._say("  " + _("{list} so far:").format(list=engine.label(group)), TITLE_STYLE)
                for number, entry in enumerate(entries, 1):
                    self._say(f"    {number}. {group.show(entry)}")
            choices = [
                questionary.Choice(_(group.add_label), value="add"),
                questionary.Choice(_("No, go on") if entries else _("No"), value="done"),
            ]
            if entries:
                choices.append(questionary.Choice(_("Change one of them"), value="change"))
                choices.append(questionary.Choice(_("Remove one of them"), value="remove"))
            choices.append(questionary.Choice(_(BACK_TITLE), value=_BACK_VALUE))
            answer = self._select(engine.words(group.more if entries else group.prompt), choices,
                                  engine.list_start(group))
            if answer == _BACK_VALUE:
                raise GoBack
            if answer == "done":
                engine.finish_list(group)
                return
            if answer == "add":
                engine.add_entry(group)
                continue
            index = self._pick_entry(group, entries, "change" if answer == "change" else "remove")
            if index is None:
                continue
            if answer == "remove":
                engine.remove_entry(group, index)
            else:
                engine.change_entry(group, index)

    def _pick_entry(self, group: Group, entries: list[Any], verb: str) -> int | None:
        choices = [questionary.Choice(f"{n}. {group.show(entry)}", value=n - 1) for n, entry in enumerate(entries, 1)]
        choices.append(questionary.Choice(_("<  Cancel"), value=_BACK_VALUE))
        question = _("Which one do you want to change?") if verb == "change" else _("Which one do you want to remove?")
        answer = self._select(question, choices)
        return None if answer == _BACK_VALUE else answer

    def _fill_item(self, group: Group) -> None:
        """Ask the item's questions in turn; '<' steps back inside the item, and from its first question, out."""
        engine = self.engine
        while True:
            pending = engine.pending()
            if not pending:
                stored = engine.close_entry()
                if stored is not None:
                    self._say("  " + _("Saved: {entry}").format(entry=group.show(stored)), HINT_STYLE)
                return
            try:
                self._ask_question(pending[0], engine.progress.item)
            except GoBack:
                if engine.step_back_in_entry():
                    continue
                engine.leave_entry()
                return

    # ---- review and finish

    def _show_readiness(self) -> None:
        """The readiness check before writing, printed."""
        shown = self.engine.readiness()
        if not shown:
            return
        self._say("\n" + _("What the plan usually looks for, and where your answers stand:"), TITLE_STYLE)
        for status, title, settle in shown:
            self._say(f"  {status}: {title}")
            if settle:
                self._say(f"    {settle}", HINT_STYLE)

    def _review(self) -> bool:
        """Everything at once, grouped; True when the person is happy, False after a change."""
        engine = self.engine
        self.current = _("the review of your answers")
        engine.save()
        sections = engine.sections()
        self._say("\n" + _("Here is everything so far."), TITLE_STYLE)
        for title, entries in sections.items():
            self._say(f"\n{_(title)}", TITLE_STYLE)
            for entry in entries:
                items = engine.entries(entry) if isinstance(entry, Group) else []
                if items:
                    self._say(f"  {engine.label(entry)}:")
                    for number, item in enumerate(items, 1):
                        self._say(f"    {number}. {entry.show(item)}")
                else:
                    self._say_answer(engine.label(entry), engine.shown_answer(entry))
        for warning in case_checks.warnings(engine.case) + voice.warnings(engine.case):
            self._say("\n" + _("Note: {warning}").format(warning=warning), HINT_STYLE)
        for label in engine.typed_in_spanish():
            self._say("\n" + _("Note: “{answer}” is written in Spanish. The letter to the plan is in English and will "
                                "show it as you typed it: keep it, or change it and write it in English.").format(
                answer=label), HINT_STYLE)
        self._show_readiness()  # last, next to the choice, so it is on screen when the person decides
        choices = [questionary.Choice(_("Everything is right: save the case"), value=_FINISH_VALUE)]
        choices += [questionary.Choice(_("Change something in '{section}'").format(section=_(title)), value=title)
                    for title in sections]
        answer = self._select(_("Is everything right?"), choices)
        if answer == _FINISH_VALUE:
            return True
        entries = sections[answer]
        picks = [questionary.Choice(engine.summary(entry, width=90), value=n) for n, entry in enumerate(entries)]
        picks.append(questionary.Choice(_("<  Back to the summary"), value=_BACK_VALUE))
        pick = self._select(_("Which one?"), picks)
        if pick == _BACK_VALUE:
            return False
        try:
            self._run_entry(entries[pick])
        except GoBack:
            pass
        return False

    def _say_answer(self, label: str, shown: str) -> None:
        """One answer of the review, every word of it (to proofread): a long or multi-line answer starts on the
        line under its label, each of its lines indented, so it never runs off the screen or gets cut."""
        lines = shown.splitlines() or [""]
        if len(lines) == 1 and len(label) + len(lines[0]) <= 90:
            self._say(f"  {label}: {lines[0]}")
            return
        self._say(f"  {label}:")
        for line in lines:
            for part in textwrap.wrap(line, width=90, break_long_words=False, break_on_hyphens=False) or [""]:
                self._say(f"      {part}")

    def _finish(self) -> tuple[Case, Path]:
        self.current = None
        path = self.engine.finish()
        self._say("\n" + _("Every answer is saved."), TITLE_STYLE)  # where: the command says, once the letter is beside it
        return self.engine.case, path


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


def ask_packet(*, input=None, output=None) -> tuple[bool, list[Path]] | None:
    """The last step, once the letter is written: offer it as one PDF to fax or mail, with the person's files.
    Returns (with a fax cover sheet?, files in order), or None for 'not now'. Each file is checked as it is named."""
    from appeal.output.packet import read_attachment

    with create_app_session(input=input, output=output):
        choice = prompts.select(
            _("Make one PDF to send now (your letter, page numbers, and your files such as the denial notice)?"),
            choices=[questionary.Choice(_("Yes, to fax it (with a fax cover sheet)"), value="fax"),
                     questionary.Choice(_("Yes, to print and mail it (no cover sheet)"), value="mail"),
                     questionary.Choice(_("Not now"), value="no")],
        ).ask()
        if choice in (None, "no"):
            return None
        from appeal.output import office_server

        office_server.start_soon()  # LibreOffice starts while the person names the files
        files: list[Path] = []
        while True:
            typed = questionary.text(
                _("File {number} to attach (a PDF or a photo; drag it here), in the letter's order. "
                  "Press Enter when done:").format(number=len(files) + 1)
            ).ask()
            if typed is None or not typed.strip():
                return choice == "fax", files
            path = Path(typed.strip().strip("'\"")).expanduser()
            try:
                read_attachment(path)
            except UserError as error:
                questionary.print(printable(error), style=ERROR_STYLE)
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

    draft_path: where to save (default: a new file in `drafts.folder()`); if it exists it is resumed.
    resume: a draft to carry on, at its first unanswered question.
    case_path: an existing case file to complete; only what is missing is asked. The answers go to a new file
    beside it (`drafts.completed_path`), or to draft_path; back into case_path only with overwrite_case (--force).
    A draft another session has open raises drafts.DraftInUse (offer `drafts.copy_draft`).
    input, output: prompt_toolkit input and output (tests pass a pipe and DummyOutput).
    Ctrl-C raises QuestionnaireStopped (a KeyboardInterrupt) after saying where the draft is.
    """
    engine = Engine.open(draft_path, resume, case_path, overwrite_case)
    with create_app_session(input=input, output=output):
        return _Terminal(engine).run()


__all__ = ["run", "ask_packet", "QuestionnaireStopped"]
