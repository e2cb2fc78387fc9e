"""Rendering a .docx template safely: sandboxed Jinja, escaped text, visible blanks, checked before writing.

Why each piece:
- The sandbox: templates are user-editable and shared, so a template must not reach Python internals.
- Autoescape: without it docxtpl silently drops text after a typed `&` or `<` (the XML breaks).
- `finalize`: None prints as nothing; XML-forbidden control characters are removed. A `Blank` (a fact the case
  does not hold) prints as a visible `[ADD: ...]`; the drafting step finds them in the result for `--strict`.
- Undeclared variables are found before rendering, so a bad template never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError
from markupsafe import Markup
from pydantic import BaseModel

from appeal.errors import UserError
from appeal.fields import format_date, format_money
from appeal.sandbox import REMOVED_GLOBALS, SafeEnvironment, TemplateProblem, TemplateView, model_exposes, render_budget

# Characters XML 1.0 forbids (Word refuses a document holding them). Tab, newline and carriage return are allowed.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# docxtpl turns "{_{", "}_}", "{_%" and "%_}" in the rendered XML into "{{" and friends (an escape for template
# authors). Typed text must survive untouched, so its braces next to "_" are parked on private-use characters
# while docxtpl runs, and put back afterwards (restore_braces). Private-use characters a person typed are
# escaped first, so they come back exactly as typed.
_OPEN, _CLOSE, _ESCAPE = "\ue000", "\ue001", "\ue002"
_PARKED = re.compile(f"{_ESCAPE}(.)|{_OPEN}|{_CLOSE}", re.S)


def xml_safe(text: str) -> str:
    return _XML_FORBIDDEN.sub("", text)


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


class Blank(TemplateView):
    """A fact the letter needs and the case does not hold. Falsy, so `{% if x %}` treats it as missing."""

    def _exposes(self, name: str) -> bool:
        return not name.startswith("_")  # any field of a missing section is itself a blank

    def __init__(self, label: str):
        self.label = label

    def __str__(self) -> str:
        return f"[ADD: {self.label}]"

    def __bool__(self) -> bool:
        return False

    def __iter__(self):
        return iter(())

    def __eq__(self, other: object) -> bool:
        return other is None or (isinstance(other, Blank) and other.label == self.label)

    def __hash__(self) -> int:
        return hash(self.label)

    def __getattr__(self, name: str) -> Blank:
        if name.startswith("_"):
            raise AttributeError(name)
        return Blank(f"{self.label} {name.replace('_', ' ')}")


class LetterDate(date):
    """A date that prints as letters spell it: March 14, 2026."""

    def __str__(self) -> str:
        return format_date(self)


class Amount(Decimal):
    """Money that prints as $1,250.00."""

    def __str__(self) -> str:
        return format_money(Decimal(self))


_GENERIC_NAMES = {"name", "address", "phone", "fax", "email", "date", "description", "codes", "notes", "code"}


def _label(model: BaseModel, name: str, owner: str) -> str:
    field = type(model).model_fields[name]
    label = field.title or name.replace("_", " ").replace(" id", " ID").replace("npi", "NPI")
    return f"{owner} {label}" if name in _GENERIC_NAMES or name.startswith("date") else label


# Facts the letter prints whole but the case keeps in more than one field: their one blank label each, and the
# fields that fill it.
PATIENT_NAME = "patient's name"
TREATMENT_NAME = "treatment requested"
COMPOSITE_BLANKS = {PATIENT_NAME: ("patient.first_name", "patient.last_name"),
                    TREATMENT_NAME: ("treatment.kind", "treatment.name")}


def field_blank(path: str) -> Blank:
    """The visible blank for a missing field ("sender.name"), labelled as a template's own blank for it is, so one
    fact has one name wherever the letter misses it."""
    from appeal.case_paths import field_at, plain_type

    owner, _, name = path.rpartition(".")
    return Blank(_label(plain_type(field_at(owner).annotation).model_construct(), name, owner))


def present(value: Any, label: str = "") -> Any:
    """Wrap a case value for a template: models become views, dates and money print as a letter writes them."""
    if isinstance(value, TemplateView):
        return value
    if isinstance(value, BaseModel):
        return CaseView(value, label)
    if isinstance(value, list):
        return [present(item, label) for item in value]
    if isinstance(value, Enum):
        return value
    if isinstance(value, date):
        return LetterDate(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return Amount(value)
    return value


class CaseView(TemplateView):
    """A read-only view of a case model for templates.

    It exposes the model's declared fields and the properties the case model defines (`full_name`), nothing else:
    no pydantic methods, no file paths. A missing value prints as a visible blank named after the field; a
    missing section (no denial on a prior-authorization request) is falsy but still answers with blanks; an
    unknown attribute is an error.
    """

    __slots__ = ("_model", "_label", "_present", "_left_out")

    def __init__(self, model: BaseModel, label: str = "", is_present: bool = True, left_out: frozenset[str] = frozenset()):
        self._model = model
        self._label = label
        self._present = is_present
        self._left_out = left_out  # "patient.email": fields the sender chose not to give print as nothing

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        model = object.__getattribute__(self, "_model")
        if name not in model_exposes(type(model)):
            raise AttributeError(f"{self._label or type(model).__name__.lower()} has no field '{name}'")
        value = getattr(model, name)
        if value is None and name in type(model).model_fields:
            if f"{self._label}.{name}" in self._left_out:
                return None
            annotation = type(model).model_fields[name].annotation
            for option in getattr(annotation, "__args__", (annotation,)):
                if isinstance(option, type) and issubclass(option, BaseModel):
                    return CaseView(option(), name, is_present=False)
            return Blank(_label(model, name, self._label))
        return present(value, name if isinstance(value, BaseModel | list) else self._label)

    def _exposes(self, name: str) -> bool:
        return name in model_exposes(type(self._model))

    def _reaches_python(self, name: str) -> bool:
        return hasattr(type(self._model), name) and not self._exposes(name)

    def __bool__(self) -> bool:
        return self._present

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


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


def make_environment(for_docx: bool = True) -> SafeEnvironment:
    """The one Jinja environment kind, for .docx templates and (for_docx=False) for the wording data whose
    output a .docx template prints later: sandboxed, bounded and strict either way (appeal/sandbox.py)."""
    return _configure(SafeEnvironment, for_docx)


def _configure(kind: type[SafeEnvironment], for_docx: bool) -> SafeEnvironment:
    environment = kind(
        autoescape=for_docx,
        finalize=_printable_in_docx if for_docx else _printable,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.add_filters({
        "money": lambda value: format_money(value) if value not in (None, "") else "",
        "possessive": lambda name: f"{name}'" if str(name).endswith("s") else f"{name}'s",
        "letter_date": lambda value: format_date(value) if isinstance(value, date) else value,
    })
    return environment


class _CompilingOnce(SafeEnvironment):
    """A sandboxed environment that compiles each template source once per process.

    docxtpl hands the environment the whole document's XML as one string on every render, and compiling that
    to Python is the largest part of docxtpl's own render (about 15 ms of a 40 ms letter, measured). A compiled
    template holds no state between renders, so the same source gives the same output from the cache.
    """

    _LIMIT = 256  # sources kept: a body and a few document properties per template, the wording paragraphs

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._compiled: OrderedDict[Any, Any] = OrderedDict()

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
        return self._remember(
            ("expression", source, undefined_to_none),
            lambda: super(_CompilingOnce, self).compile_expression(source, undefined_to_none),
        )


@lru_cache(maxsize=None)
def shared_environment(for_docx: bool = True) -> SafeEnvironment:
    """One environment of `make_environment`'s kind per process, compiling each source once; for the renderer
    and the wording data, which never change it (filters and options are set here, once)."""
    return _configure(_CompilingOnce, for_docx)


def describe_template_error(error: BaseException, template: Path) -> str:
    """One paragraph for the person: which template, what went wrong, and where (the tag, in words)."""
    where = _where(error, template)
    at = f" ({where})" if where else ""
    if isinstance(error, TemplateProblem):
        return f"The template {template.name} was stopped{at}: {error.message}. Nothing was written."
    if isinstance(error, SecurityError):
        return f"The template {template.name} tried something unsafe and was stopped{at}: {error}. Nothing was written."
    if isinstance(error, TemplateSyntaxError):
        return f"The template {template.name} has a Jinja syntax error{at}: {error.message}."
    if isinstance(error, UndefinedError):
        return f"The template {template.name} uses something that does not exist{at}: {error.message}."
    if isinstance(error, RecursionError):
        return f"The template {template.name} calls itself without end{at} and was stopped. Nothing was written."
    if isinstance(error, MemoryError):
        return f"The template {template.name} needed more memory than this computer has{at}. Nothing was written."
    detail = str(error) or type(error).__name__
    return f"The template {template.name} could not be rendered{at}: {detail}. Nothing was written."


_UNDEFINED_NAME = re.compile(r"'([A-Za-z_][\w]*)'")


def _where(error: BaseException, template: Path) -> str | None:
    """The tag that failed, found by the piece of it the error names; None when it cannot be told."""
    token = getattr(error, "token", "")
    if not token and isinstance(error, UndefinedError):
        names = _UNDEFINED_NAME.findall(str(error.message or ""))
        token = names[-1] if names else ""
    if not token:
        return None
    try:
        from docx import Document

        from appeal.template_places import locate

        return locate(Document(str(template)), token)
    except Exception:  # noqa: BLE001 - the place is a courtesy; the message stands without it
        return None


@lru_cache(maxsize=64)
def _template_names(template: str, digest: bytes) -> frozenset[str]:
    """Every name the template file uses, read once per process for each content of the file."""
    from docxtpl import DocxTemplate

    from appeal.template_package import check_package

    check_package(Path(template))
    return frozenset(DocxTemplate(template).get_undeclared_template_variables(shared_environment()))


def _undeclared(document: Any, template: Path, environment: SafeEnvironment, context: dict[str, Any]) -> set[str]:
    """The names the template uses and `context` lacks. Finding them re-reads and parses the whole template, a
    fifth of a letter's time (profiled), so the names are kept per template content (a changed file is read
    again)."""
    try:
        digest = hashlib.blake2b(Path(template).read_bytes()).digest()
    except OSError:
        return document.get_undeclared_template_variables(environment, context)
    return set(_template_names(str(template), digest)) - set(context)


def warm(template: Path) -> None:
    """Read the names `template` uses now (they are kept), so the first letter from it does not pay for it."""
    try:
        _template_names(str(template), hashlib.blake2b(Path(template).read_bytes()).digest())
    except Exception:  # noqa: BLE001 - a broken or missing template reports itself when a letter is drafted from it
        pass


@dataclass
class Rendered:
    """A rendered document: its .docx bytes, and the python-docx document they were saved from (to read back
    without parsing the bytes again)."""

    content: bytes
    document: Any


def render_docx(template: Path, context: dict[str, Any], attachments: Callable[[Any], dict[str, Any]] | None = None) -> bytes:
    """Render `template` with `context` in memory and return the .docx bytes; nothing touches the disk.

    `attachments` builds sub-documents (Attachment A) for this very template, whose styles they borrow; it
    returns more context names, such as `evidence_appendix`.
    """
    return render_document(template, context, attachments).content


TOO_LONG = ("the letter cannot hold every value in full (one is too long for a Word document), so nothing was "
            "written; a letter is never cut short. Shorten the longest field, or enclose it as a document of its own.")


@lru_cache(maxsize=1)
def _whole_document_template():
    """docxtpl re-reads the rendered XML with lxml's `recover=True`, which silently drops everything after a
    text it cannot hold (a 50-MB note lost the table and the signature). The body of a document ends with its
    section properties; if the re-read body does not, the letter was cut short and is refused."""
    from docxtpl import DocxTemplate

    class WholeDocumentTemplate(DocxTemplate):
        def fix_tables(self, xml):
            body = super().fix_tables(xml)  # the rendered <w:body>
            original = self.docx.element.body
            if len(original) and original[-1].tag.endswith("}sectPr"):
                if body is None or not len(body) or not body[-1].tag.endswith("}sectPr"):
                    raise UserError(TOO_LONG)
            return body

    return WholeDocumentTemplate


def render_document(
    template: Path, context: dict[str, Any], attachments: Callable[[Any], dict[str, Any]] | None = None
) -> Rendered:
    """`render_docx`, also giving back the rendered python-docx document.

    The template file is checked as a package first (appeal/template_package.py); the render runs in the bounded
    sandbox (appeal/sandbox.py); any failure becomes one message naming the template and the tag, and nothing
    is written, since the document only ever exists in memory here.
    """
    from appeal.template_package import check_package

    template = Path(template)
    check_package(template)
    try:
        document = _whole_document_template()(str(template))
        document.init_docx()
    except Exception as error:  # noqa: BLE001 - python-docx raises many kinds for a damaged file
        raise UserError(f"The template {template.name} is not a Word document that can be opened ({error}).") from None
    environment = shared_environment()
    try:
        with render_budget():
            if attachments:
                # A sub-document reaches the template as its finished XML, never as an object with methods.
                added = {name: Markup(value.__html__()) for name, value in attachments(document).items()}
                context = {**context, **added}
            undeclared = _undeclared(document, template, environment, context)
            removed = sorted(undeclared & REMOVED_GLOBALS)
            if removed:
                raise UserError(
                    f"The template {template.name} uses {', '.join(removed)}: Jinja offers it elsewhere, but it is "
                    "unsafe in a shared template and not available here. Nothing was written."
                )
            if undeclared:
                raise UserError(
                    f"The template {template.name} uses names the renderer does not provide: "
                    f"{', '.join(sorted(undeclared))}. The names it provides are: {', '.join(sorted(context))}."
                )
            document.render(context, environment, autoescape=True)
            restore_braces(document)
            buffer = io.BytesIO()
            document.save(buffer)
    except UserError:
        raise
    except Exception as error:  # noqa: BLE001 - a user's template can fail in any way; the person gets words
        raise UserError(describe_template_error(error, template)) from None
    return Rendered(buffer.getvalue(), document.docx)
