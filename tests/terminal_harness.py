"""Shared by the tests that drive the terminal: a scripted person answering the questionnaire's real prompts.

It answers each prompt as it appears: it types keys into a prompt_toolkit pipe when the questionnaire creates a
prompt, so the keys go through the real questionary/prompt_toolkit application. Prompts a test does not script
are skipped, as a tired person pressing Enter would (for a list, the harness moves to "Skip").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import prompt_toolkit.application.application
import prompt_toolkit.styles.style
import questionary
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.key_binding.defaults import load_key_bindings
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.styles import Style

from appeal.terminal import questionnaire


@functools.cache
def _default_key_bindings():
    """prompt_toolkit's default key bindings (Emacs, Vi, mouse), built once per test process instead of once per
    prompt: building them was a fifth of a scripted questionnaire's processor time (profiled). They hold no state
    of their own (each key's handler acts on the application it is given), so the prompts behave the same."""
    return load_key_bindings()


@functools.cache
def _style(rules: tuple[tuple[str, str], ...]) -> Style:
    """The style a prompt's merged style rules make, parsed once per test process for the same rules instead of
    once per prompt: every prompt merges the same default rules (hundreds, each parsed anew), which was a tenth of
    a scripted questionnaire's processor time (profiled). A Style is never changed once made, so the prompts
    look and behave the same."""
    return Style(list(rules))


def _merged_style(merged) -> Style:
    return _style(tuple(merged.style_rules))


ENTER = "\r"
CLEAR = "\x15"  # Ctrl-U: wipe the line, to type a corrected answer
CTRL_C = "\x03"
FINISH_MULTILINE = "\x1b\r"  # Esc then Enter
DOWN, UP = "\x1b[B", "\x1b[A"


@dataclass
class Pick:
    """Choose a list entry by its stored value, or by words in its title."""

    value: Any = None
    title: str | None = None


def pick(value: Any = None, *, title: str | None = None) -> Pick:
    return Pick(value, title)


class Terminal:
    """Answers the questionnaire's prompts from a script: {words in the prompt: [answers, in order]}."""

    def __init__(self, monkeypatch):
        self.asked: list[str] = []
        self.hints: list[str] = []  # what each prompt shows beside its question (its key hint), as asked
        self.script: dict[str, list[Any]] = {}
        self.pipe = None
        real_text, real_select = questionary.text, questionary.select

        def text(message, **kwargs):
            answer = self._next(message)
            if answer is None and self.asked and self.asked[-1] == message:
                # asked again after a refusal with nothing left in the script: stop (the event), never loop
                answer = CTRL_C
            self.asked.append(message)
            self.hints.append(kwargs.get("instruction") or "")
            self._send(answer, None, multiline=kwargs.get("multiline", False))
            return real_text(message, **kwargs)

        def select(message, choices, default=None, **kwargs):
            self.asked.append(message)
            self.hints.append(kwargs.get("instruction") or "")
            self._send(self._next(message), (choices, default))
            return real_select(message, choices=choices, default=default, **kwargs)

        monkeypatch.setattr(questionary, "text", text)
        monkeypatch.setattr(questionary, "select", select)
        monkeypatch.setattr(prompt_toolkit.application.application, "load_key_bindings", _default_key_bindings)
        monkeypatch.setattr(prompt_toolkit.styles.style._MergedStyle, "_merged_style", property(_merged_style))

    def _next(self, message: str) -> Any:
        """The next scripted answer for this prompt: the longest matching words win; None when unscripted."""
        matches = [key for key in self.script if key.lower() in message.lower()]
        if not matches:
            return None
        answers = self.script[max(matches, key=len)]
        return answers.pop(0) if answers else None

    def _send(self, answer: Any, select: tuple[list, Any] | None, multiline: bool = False) -> None:
        if select is None:
            self.pipe.send_text((FINISH_MULTILINE if multiline else ENTER) if answer is None else answer)
            return
        choices, default = select
        values = [choice.value for choice in choices]
        start = values.index(default) if default in values else 0
        if answer is None:
            # unscripted: "Skip" in a question's list, "No" in a group's menu
            skip = [n for n, choice in enumerate(choices)
                    if str(choice.title).startswith(("Skip", "Saltar")) or choice.value == "done"]
            target = skip[0] if skip else start
        elif isinstance(answer, Pick):
            if answer.title is not None:
                target = next(n for n, choice in enumerate(choices) if answer.title in str(choice.title))
            else:
                target = values.index(answer.value)
        else:
            self.pipe.send_text(answer)
            return
        moves = target - start
        self.pipe.send_text((DOWN * moves if moves > 0 else UP * -moves) + ENTER)

    def run(self, script: dict[str, Any], **kwargs):
        return self.drive(script, lambda pipe: questionnaire.run(input=pipe, output=DummyOutput(), **kwargs))

    def drive(self, script: dict[str, Any], action):
        """Answer, from the script, the prompts that `action(pipe)` asks."""
        self.asked, self.hints = [], []
        self.script = {key: list(value) if isinstance(value, list) else [value] for key, value in script.items()}
        with create_pipe_input() as pipe:
            self.pipe = pipe
            # A refused answer the script does not correct gets Ctrl-C from `text` instead of hanging the run.
            return action(pipe)
