"""The one sandboxed Jinja environment every letter renders in, configured once: for .docx templates and for the
wording data (arguments.yaml, the kinds' sentences) whose output a .docx template prints later.

Why each piece:
- The sandbox (appeal/letters/sandbox.py): templates are user-editable and shared, so a template must not reach Python.
- Autoescape (.docx): without it docxtpl silently drops text after a typed `&` or `<` (the XML breaks).
- `finalize`: None prints as nothing, a choice as its label, text without the characters XML forbids
  (appeal/base/xml_text.py); in a .docx, typed braces are kept from docxtpl's own escapes (`restore_braces`).
- Each source is compiled once per process (`shared_environment`): compiling is most of docxtpl's render; and
  once per user, not per run: the compiled code is kept in the user's cache folder (appeal/letters/compile_cache.py).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from contextvars import ContextVar
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any, Callable

from jinja2 import StrictUndefined
from jinja2.environment import TemplateExpression
from markupsafe import Markup

from appeal.base import letter_language
from appeal.base.xml_text import xml_safe
from appeal.cases.fields import format_money
from appeal.letters.compile_cache import CompiledCache, user_compiled_cache
from appeal.letters.sandbox import SafeEnvironment

# docxtpl turns "{_{", "}_}", "{_%" and "%_}" in the rendered XML into "{{" and friends (an escape for template
# authors). Typed text must survive untouched, so its braces next to "_" are parked on private-use characters
# while docxtpl runs, and put back afterwards (restore_braces). Private-use characters a person typed are
# escaped first, so they come back exactly as typed.
_OPEN, _CLOSE, _ESCAPE = "\ue000", "\ue001", "\ue002"
_PARKED = re.compile(f"{_ESCAPE}(.)|{_OPEN}|{_CLOSE}", re.S)


def _park_braces(text: str) -> str:
    text = text.replace(_ESCAPE, _ESCAPE + _ESCAPE).replace(_OPEN, _ESCAPE + "0").replace(_CLOSE, _ESCAPE + "1")
    return text.replace("{_", _OPEN + "_").replace("_}", "_" + _CLOSE)


def _unpark(match: re.Match) -> str:
    escaped = match.group(1)
    if escaped is None:
        return "{" if match.group(0) == _OPEN else "}"
    return {"0": _OPEN, "1": _CLOSE}.get(escaped, escaped)


def restore_braces(document) -> None:
    """Put back what `_park_braces` parked, in every text node of the rendered body."""
    for node in document.docx.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
        if node.text and (_OPEN in node.text or _CLOSE in node.text or _ESCAPE in node.text):
            node.text = _PARKED.sub(_unpark, node.text)


def _printable(value: Any) -> Any:
    """None prints as nothing, enums as their label, text without XML-forbidden characters."""
    if value is None:
        return ""
    if isinstance(value, Markup) or hasattr(value, "__html__"):  # already XML: a subdocument, RichText
        return value
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    return xml_safe(str(value))


def _printable_in_docx(value: Any) -> Any:
    printable = _printable(value)
    return printable if hasattr(printable, "__html__") else _park_braces(printable)


# A lower-case letter after a sentence's end and a space ('in 2024. this episode'): that sentence's start. Not after
# a short form whose full stop ends no sentence ('e.g. the', 'dr. whitfield', '3 p.m. he').
_NEXT_SENTENCE = re.compile(r"[.!?][\"'”’)]?[ \t]+[a-z]")
_NOT_AN_END = {"eg", "ie", "vs", "etc", "approx", "dr", "mr", "mrs", "ms", "st", "no", "jr", "sr"}


def _sentences_capitalized(text: str) -> str:
    letters = list(text)
    for found in _NEXT_SENTENCE.finditer(text):
        end = start = found.start()
        while start and (text[start - 1].isalnum() or text[start - 1] in "_."):  # back over the word its stop ends
            start -= 1
        before = text[start:end].lower()  # read back from the stop: a search of all the text before it for each
        if text[end] == "." and (before in _NOT_AN_END or "." in before):  # sentence took 33 s on 100,000 characters
            continue
        letters[found.end() - 1] = letters[found.end() - 1].upper()
    return "".join(letters)


def as_sentence(value: Any) -> Any:
    """Typed text printed as sentences in a formal letter: a capital at the start of each sentence and a closing
    full stop when the person left them off ('depressed since college. it got worse' -> 'Depressed since college.
    It got worse.'); no word is changed but for that capital."""
    if not isinstance(value, str) or hasattr(value, "__html__") or not value.strip():
        return value
    text = value.rstrip()
    if text[0].islower():
        text = text[0].upper() + text[1:]
    text = _sentences_capitalized(text)
    return text if text[-1] in ".!?)\"'”’…" else text + "."


def make_environment(for_docx: bool = True) -> SafeEnvironment:
    """The one Jinja environment kind, for .docx templates and (for_docx=False) for the wording data whose
    output a .docx template prints later: sandboxed, bounded and strict either way (appeal/letters/sandbox.py)."""
    return _configure(SafeEnvironment, for_docx)


def _configure(kind: type[SafeEnvironment], for_docx: bool, **options: Any) -> SafeEnvironment:
    environment = kind(
        **options,
        autoescape=for_docx,
        finalize=_printable_in_docx if for_docx else _printable,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.add_filters({
        "money": lambda value: format_money(value) if value not in (None, "") else "",
        "possessive": lambda name: f"{name}'" if str(name).endswith("s") else f"{name}'s",
        "letter_date": lambda value: letter_language.long_date(value) if isinstance(value, date) else value,
        "sentence": as_sentence,
    })
    return environment


# The source of the expression `compile_expression` is compiling (Jinja hands `compile` only its tree).
_expression_source: ContextVar[str | None] = ContextVar("appeal_expression_source", default=None)


class _CompilingOnce(SafeEnvironment):
    """A sandboxed environment that compiles each template source once per process, and takes the code from
    the user's compile cache when an earlier run compiled the same source.

    docxtpl hands the environment the whole document's XML as one string on every render, and compiling that
    to Python is the largest part of docxtpl's own render (about 15 ms of a 40 ms letter, measured). A compiled
    template holds no state between renders, so the same source gives the same output from the cache.
    """

    _LIMIT = 256  # sources kept: a body and a few document properties per template, the wording paragraphs

    def __init__(self, *args: Any, flavour: str = "", disk: CompiledCache | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._compiled: OrderedDict[Any, Any] = OrderedDict()
        self.flavour = flavour  # what sets the code apart beside the source: the .docx or the wording options
        self.disk = disk or CompiledCache(None)

    def compile(self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False,
                defer_init: bool = False) -> Any:
        """The sandbox's compile, through the disk cache for a template's text or an expression's."""
        expression = _expression_source.get()
        if raw or defer_init or name is not None or filename is not None or (
                not isinstance(source, str) and expression is None):
            return super().compile(source, name, filename, raw, defer_init)
        key = self._key(source) if isinstance(source, str) else self._key(expression, expression=True)
        code = self.disk.load(key)
        if code is None:
            code = super().compile(source)
            self.disk.store(key, code)
        return code

    def _key(self, source: str, expression: bool = False) -> str:
        return self.disk.key(f"{self.flavour} expression" if expression else self.flavour, source)

    def _remember(self, key: Any, compile_it: Callable[[], Any]) -> Any:
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = compile_it()
            if len(self._compiled) > self._LIMIT:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return compiled

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return self._remember(source, lambda: super(_CompilingOnce, self).from_string(source))

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> Any:
        return self._remember(("expression", source, undefined_to_none),
                              lambda: self._expression(source, undefined_to_none))

    def _expression(self, source: str, undefined_to_none: bool) -> Any:
        """Jinja's compile_expression; from the disk cache without even reading the expression when it is there."""
        code = self.disk.load(self._key(source, expression=True))
        if code is not None:
            template = self.template_class.from_code(self, code, self.make_globals(None), None)
            return TemplateExpression(template, undefined_to_none)
        token = _expression_source.set(source)
        try:
            return super().compile_expression(source, undefined_to_none)
        finally:
            _expression_source.reset(token)


@lru_cache(maxsize=None)
def shared_environment(for_docx: bool = True) -> SafeEnvironment:
    """One environment of `make_environment`'s kind per process, compiling each source once; for the renderer
    and the wording data, which never change it (filters and options are set here, once)."""
    return _configure(_CompilingOnce, for_docx, flavour="docx" if for_docx else "wording",
                      disk=user_compiled_cache())
