"""For advocates who make the letters their own: copy a template, list its variables, and check it.

The variable reference is generated from the case model and the letter plan, so it cannot drift from them.
The check reads a .docx the way docxtpl will and reports each problem with the paragraph or table cell where it
is, then renders the template against every bundled example to prove it works.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel

from appeal.base.errors import UserError
from appeal.base.safe_write import private_folder, write_bytes, write_text
from appeal.cases.case import Case
from appeal.cases.case_paths import list_item, plain_type
from appeal.letters import kinds
from appeal.letters.letter_plan import LetterPlan
from appeal.letters.template_places import locate, places

# --------------------------------------------------------------------------------------------------------------
# Copying a template


def new(name: str, source_kind: str | None = None) -> Path:
    """Copy a kind's template and its whole description into the user's folder as `name`, so the copy behaves
    exactly like its source, and return its path.

    Both files are written through the atomic, owner-only writer, which never replaces a file and never writes
    through a symbolic link; the folder is made owner-only whatever the umask.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise UserError(f"'{name}' cannot be a template name: use lowercase letters, digits and hyphens.")
    source_kind = source_kind or kinds.DEFAULT_FOR_DENIAL
    source = kinds.get(source_kind)
    folder = private_folder(kinds.user_folder())
    target, meta = folder / f"{name}.docx", folder / f"{name}.yaml"
    for path in (target, meta):
        if os.path.lexists(path):
            raise UserError(f"{path} already exists; edit it, or choose another name.")
    description = source.description()
    if name != source_kind:
        description["title"] = f"{source.title} ({name})"
    text = yaml.safe_dump(description, sort_keys=False, allow_unicode=True, width=110)
    write_text(meta, f"# The letter kind '{name}', copied from '{source_kind}'. The fields are described in "
               f"appeal/data/kinds.yaml.\n{text}", overwrite=False)
    write_bytes(target, source.template.read_bytes(), overwrite=False)
    return target


# --------------------------------------------------------------------------------------------------------------
# The variable reference


@dataclass(frozen=True)
class Variable:
    path: str
    type: str
    description: str


def _type_name(annotation: Any) -> str:
    annotation = plain_type(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return "one of: " + ", ".join(member.value for member in annotation)
        if issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation):
            return "section"
        return {str: "text", int: "number", float: "number", bool: "yes/no", date: "date", Decimal: "money",
                dict: "mapping"}.get(annotation, annotation.__name__)
    return "value"


def _element(annotation: Any) -> Any:
    """A field's type, or its items' type for a list."""
    return list_item(annotation) or plain_type(annotation)


def _walk(owner: Any, prefix: str) -> list[Variable]:
    found = []
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        items = [(name, info.annotation, info.description or "") for name, info in owner.model_fields.items()]
    else:
        hints = typing.get_type_hints(owner)
        items = [(f.name, hints[f.name], f.metadata.get("doc", "")) for f in dataclasses.fields(owner)]
    for name, annotation, description in items:
        path = f"{prefix}{name}"
        found.append(Variable(path, _type_name(annotation), description))
        element = _element(annotation)
        is_list = list_item(annotation) is not None or "list of" in _type_name(annotation)
        if isinstance(element, type) and (issubclass(element, BaseModel) or dataclasses.is_dataclass(element)):
            found += _walk(element, f"{path}[]." if is_list else f"{path}.")
    return found


EXTRAS = [
    Variable("evidence_appendix", "sub-document", "Attachment A, to place with {{p evidence_appendix }} in a paragraph of its own."),
    Variable("score_chart", "picture", "The line chart of the rating scores (kinds with charts_scores), to place with "
             "{{ score_chart }} in a paragraph of its own."),
    Variable("patient.full_name", "text", "First and last name together."),
    Variable("treatment.display_name", "text", "The treatment's name as the letter writes it."),
    Variable("treatment.is_urgent", "yes/no", "True when urgency is expedited."),
    Variable("denial.reasons", "list", "The main reason and any others."),
    Variable("(any choice).label", "text", "A choice printed in plain words, e.g. {{ insurance.plan_type.label }}."),
    Variable("| money", "filter", "Prints an amount as $1,250.00."),
    Variable("| possessive", "filter", "Adds 's (or ' after a final s): {{ insurance.insurer | possessive }}."),
]


def reference() -> list[Variable]:
    """Every name a template may use: the case's fields, then `letter.*`, then the extras."""
    return _walk(Case, "") + _walk(LetterPlan, "letter.") + EXTRAS


def reference_docx(variables: list[Variable], used: set[str] | None = None) -> bytes:
    import io

    from docx import Document

    document = Document()
    document.add_heading("Template variables", level=1)
    document.add_paragraph(
        "Write {{ name }} to print a value, {%p if name %} ... {%p endif %} (each tag in a paragraph of its own) to "
        "show paragraphs only when a value is there, and {%tr for item in list %} in a table row to repeat rows. "
        "Inside a loop over a list, item.field names each entry's fields (written list[].field below)."
    )
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Variable", "Type", "What it is")):
        cell.text = text
    for variable in variables:
        row = table.add_row().cells
        row[0].text = variable.path + (" *" if used and variable.path in used else "")
        row[1].text = variable.type
        row[2].text = variable.description
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------------
# Checking a template


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_CURLY = "‘’“”"
_UNSAFE = re.compile(r"__\w+__|\bmro\b|\b(func_)?globals\b|\bsubclasses\b")


def _places(document) -> list[tuple[str, Any, bool]]:
    """(location in words, paragraph, in_table) for every paragraph of the body, its tables, headers, footers."""
    return [(place.where, place.paragraph, place.in_table) for place in places(document)]


def _run_problems(where: str, paragraph) -> list[Problem]:
    """Tags Word split across runs, and curly quotes inside tags."""
    problems = []
    boundaries, position = [], 0
    for run in paragraph.runs:
        position += len(run.text)
        boundaries.append(position)
    text = paragraph.text
    for match in _TAG.finditer(text):
        tag = match.group(0)
        if any(match.start() < boundary < match.end() for boundary in boundaries[:-1]):
            problems.append(Problem(where, f"the tag {tag!r} is split into pieces with different formatting; "
                                           "select it, clear its formatting, or retype it in one go"))
        if any(quote in tag for quote in _CURLY):
            problems.append(Problem(where, f"the tag {tag!r} has curly quotes; use straight quotes (' or \") inside "
                                           "tags (turn off Word's smart quotes while editing them)"))
        if _UNSAFE.search(tag):
            problems.append(Problem(where, f"the tag {tag!r} tries to reach Python internals; templates may only "
                                           "use the case's fields and letter.* (see `appeal templates vars`)"))
    return problems


_BLOCK = re.compile(r"\{%(?P<kind>[prc]|tr|tc)?\s*(?P<word>for|if|endfor|endif)\b")


def _block_problems(where: str, paragraph, in_table: bool) -> list[Problem]:
    """Loops and conditions that cannot work where they stand."""
    problems = []
    depth = {"": 0, "p": 0}
    for match in _BLOCK.finditer(paragraph.text):
        kind, word = match.group("kind") or "", match.group("word")
        if kind in depth:
            depth[kind] += -1 if word.startswith("end") else 1
    if depth[""]:
        hint = ("{%tr for ... %} and {%tr endfor %} in rows of their own to repeat table rows"
                if in_table else "{%p ... %} tags, each in a paragraph of its own, to repeat or hide paragraphs")
        problems.append(Problem(where, f"a {{% for %}} or {{% if %}} here is not closed in the same paragraph; use {hint}"))
    if in_table and depth["p"]:
        problems.append(Problem(where, "a {%p for %} or {%p if %} inside a table cell cannot repeat or hide table rows; "
                                       "use {%tr for ... %} / {%tr endfor %} (or {%tr if %}) in rows of their own"))
    return problems


class _Names:
    """Resolves dotted names used in a template against the case model and the letter plan."""

    # Derived values whose inner fields are not listed one by one in the reference.
    OPEN = ("letter.facts", "letter.evidence[]", "evidence_appendix", "score_chart")
    # Properties the template views provide beyond the model's fields.
    PROPERTIES = {"full_name", "display_name", "is_urgent", "reasons", "label", "value", "shown", "is_patient"}

    def __init__(self) -> None:
        self.known = {variable.path for variable in reference()}
        self.top = {path.split(".")[0].split("[")[0] for path in self.known} | {"evidence_appendix", "score_chart"}

    def check(self, path: str) -> str | None:
        """None when the path exists, else a message naming the first unknown part and the nearest real name."""
        parts = path.split(".")
        if parts[0] == "loop":  # Jinja's own loop.index, loop.last
            return None
        for index in range(2, len(parts) + 1):
            prefix, parent = ".".join(parts[:index]), ".".join(parts[: index - 1])
            if prefix in self.known or prefix.removesuffix("[]") in self.known:
                continue
            if parts[index - 1] in self.PROPERTIES or parent.startswith(self.OPEN):
                return None
            siblings = [known for known in self.known if known.startswith(parent + ".") and known.count(".") == prefix.count(".")]
            near = difflib.get_close_matches(prefix, siblings, n=1, cutoff=0.5)
            shown = prefix.replace("[]", "")
            return f"{shown} does not exist" + (
                f"; did you mean {near[0].replace('[]', '')}?" if near else " (see `appeal templates vars`)"
            )
        return None


def _paths(node: nodes.Node, scope: dict[str, str], found: list[str]) -> None:
    """Collect dotted names (patient.last_name; item.dose inside a loop over prior_treatments)."""
    if isinstance(node, nodes.For):
        iterable = node.iter
        if isinstance(iterable, nodes.Filter) and iterable.name == "_counted":  # the sandbox's loop counter
            iterable = iterable.node
        _paths(iterable, scope, found)
        source = _dotted(iterable, scope)
        inner = dict(scope)
        if isinstance(node.target, nodes.Name) and source:
            inner[node.target.name] = f"{source}[]"
        for child in node.body + node.else_:
            _paths(child, inner, found)
        return
    if isinstance(node, nodes.Getattr | nodes.Name):
        dotted = _dotted(node, scope)
        if dotted:
            found.append(dotted)
            return
    for child in node.iter_child_nodes():
        _paths(child, scope, found)


def _dotted(node: nodes.Node, scope: dict[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        return scope.get(node.name, node.name) if node.ctx == "load" else None
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node, scope)
        return f"{base}.{node.attr}" if base else None
    return None


def _syntax_location(error: TemplateSyntaxError, patched: str, places) -> str:
    lines = patched.splitlines()
    near = re.sub(r"<[^>]+>", "", lines[error.lineno - 1]) if error.lineno and error.lineno <= len(lines) else ""
    for where, paragraph, _ in places:
        if near.strip() and near.strip()[:40] in paragraph.text:
            return where
    return f"near '{near.strip()[:60]}'" if near.strip() else "the template"


# Names that reach Python rather than the case: pydantic's own methods (parse_raw accepts pickle), file paths,
# documents' save methods, Jinja's and Python's internals. The sandbox refuses them all when rendering; the check
# names them before anything runs.
_REACHES_PYTHON = frozenset(name for name in dir(BaseModel) if not name.startswith("__")) | {
    "source_path", "save", "mro", "globals", "subclasses", "builtins", "format", "format_map", "read_text",
    "read_bytes", "write_text", "write_bytes", "open", "unlink"}


def _unsafe_names(tree: nodes.Node) -> list[str]:
    """Attributes and keys in the template that only reach Python internals, in the order they appear."""
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            name = node.arg.value
        elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const):
            name = str(node.args[0].value)
        else:
            continue
        if (name.startswith("_") or name in _REACHES_PYTHON) and name not in found:
            found.append(name)
    return found


def _reaches_python(name: str) -> str:
    return (f"'{name}' reaches Python rather than the case, and is refused; templates may only use the case's fields "
            "and letter.* (see `appeal templates vars`)")


def _sentence_problems(kind: kinds.LetterKind) -> list[Problem]:
    """A kind's sentences checked like the template's tags, so a name that reaches Python is reported even in a
    sentence whose `when:` no bundled example meets."""
    problems = []
    for field in kinds.SENTENCE_FIELDS:
        for number, sentence in enumerate(getattr(kind, field), 1):
            for part, source in (("when", sentence.when), ("text", sentence.text)):
                unsafe = _unsafe_in(source if part == "text" else f"{{{{ {source} }}}}") if source else ()
                problems += [Problem(f"{kind.template.with_suffix('.yaml').name}, {field} entry {number} ({part})",
                                     _reaches_python(name)) for name in unsafe]
    return problems


@functools.lru_cache(maxsize=4096)
def _unsafe_in(source: str) -> tuple[str, ...]:
    """`_unsafe_names` of one sentence's Jinja, parsed once a process: every check reads every sentence of its
    kind, and those of a built-in kind are the same each time. None in a sentence that does not parse: that is
    reported when the kind is read, or as the sentence renders."""
    from appeal.letters.sandbox import TemplateProblem, bounded_nesting

    try:
        with bounded_nesting():
            return tuple(_unsafe_names(_sentence_environment().parse(source)))
    except (TemplateSyntaxError, TemplateProblem):
        return ()


@functools.cache
def _sentence_environment():
    """The environment the sentences are parsed in (parsing leaves nothing in it)."""
    from appeal.letters.render_env import make_environment

    return make_environment(for_docx=False)


def check(path: Path, render: bool = True) -> list[Problem]:
    """Every problem in the template at `path`; an empty list means it is ready to use.

    The file is checked as a package first, parsed in the same sandbox the letters render in (so a tag that
    would read files or reach Python is reported, never run), then rendered against the bundled examples
    within the sandbox's bounds.
    """
    from docx import Document
    from docxtpl import DocxTemplate

    from appeal.letters.render_env import make_environment
    from appeal.letters.sandbox import TemplateProblem, bounded_nesting
    from appeal.letters.template_package import check_package

    if not path.is_file():
        raise UserError(f"No template at {path}.")
    try:
        check_package(path)
    except UserError as error:
        return [Problem("the file", str(error))]
    try:
        document = Document(str(path))
        template = DocxTemplate(str(path))
        template.init_docx()
        patched = template.patch_xml(template.get_xml())
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a damaged file
        return [Problem("the file", f"{path.name} is not a Word document (.docx) that can be opened.")]
    places = _places(document)
    problems: list[Problem] = []
    for where, paragraph, in_table in places:
        problems += _run_problems(where, paragraph)
        problems += _block_problems(where, paragraph, in_table)
    environment = make_environment()
    try:
        with bounded_nesting():  # the walks below recurse once a level, as the parser does
            tree = environment.parse(patched)
            unsafe, found = _unsafe_names(tree), []
            _paths(tree, {}, found)
            # Names the template itself defines: {% set %}, macros and their arguments.
            own = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
            own |= {node.name for node in tree.find_all(nodes.Macro)} | {"caller", "varargs", "kwargs"}
    except TemplateSyntaxError as error:
        problems.append(Problem(_syntax_location(error, patched, places), f"Jinja syntax error: {error.message}"))
        return problems
    except TemplateProblem as error:
        problems.append(Problem(locate(document, error.token) or "the template", error.message))
        return problems
    for name in unsafe:
        problems.append(Problem(locate(document, name) or "the template", _reaches_python(name)))
    names = _Names()
    reported = set()
    for dotted in found:
        top = dotted.split(".")[0].split("[")[0]
        message = None
        if top in own or any(part.startswith("_") or part in _REACHES_PYTHON for part in dotted.split(".")):
            continue  # the template's own name, or reported above
        if top not in names.top and top not in ("loop", "range", "True", "False", "none"):
            near = difflib.get_close_matches(top, sorted(names.top), n=1)
            message = f"{top} does not exist" + (f"; did you mean {near[0]}?" if near else "")
        elif "." in dotted:
            message = names.check(dotted)
        if message and message not in reported:
            reported.add(message)
            where = next((w for w, p, _ in places if dotted.split(".")[-1] in p.text), "the template")
            problems.append(Problem(where, message))
    if render and not problems:
        problems += _render_examples(path)
    return problems


def used_paths(path: Path) -> set[str]:
    """The names a template uses, as written in the reference (prior_treatments[].dose)."""
    from docxtpl import DocxTemplate

    from appeal.letters.render_env import make_environment

    template = DocxTemplate(str(path))
    template.init_docx()
    found: list[str] = []
    _paths(make_environment().parse(template.patch_xml(template.get_xml())), {}, found)
    return {item.removesuffix("[]") for item in found}


def _render_examples(path: Path) -> list[Problem]:
    """Render the template with every bundled example: what fails here would fail for a user."""
    from appeal.base.resources import examples_folder
    from appeal.cases import casefile
    from appeal.letters import draft

    meta = path.with_suffix(".yaml")
    kind = kinds.from_template(path, "checked", kinds.all_kinds().get(path.stem) if not meta.is_file() else None)
    problems = _sentence_problems(kind)
    if problems:
        return problems
    for example in sorted(examples_folder().glob("*.yaml")):
        case = casefile.load(example)
        if kind.needs_denial and case.denial is None:
            continue
        try:
            draft.draft(case, kind)
        except UserError as error:
            # One failure is enough: a template that hits a bound would hit it again with every example.
            problems.append(Problem(f"rendering example {example.stem}", str(error)))
            break
    return problems
