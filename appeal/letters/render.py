"""Rendering a .docx template safely: in the sandboxed environment (appeal/letters/render_env.py), checked before writing.

Why each piece:
- The template file is checked as a package first (appeal/letters/template_package.py): zip and entity bombs, outside links,
  field codes that fetch outside content or hold tags (appeal/letters/template_fields.py).
- A field or linked picture the render made that the template did not hold (raw XML printed with `|safe`) is
  refused: a template cannot build a link out of case data.
- Undeclared variables are found before rendering, so a bad template never leaves a half-written file.
- A render that docxtpl would cut short (a value too long for Word) is refused: a letter is never cut short.
- Any failure becomes one message naming the template and the tag; the document only ever exists in memory here.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from appeal.base.errors import UserError
from appeal.letters.render_env import restore_braces, shared_environment
from appeal.letters.sandbox import REMOVED_GLOBALS, SafeEnvironment, TemplateProblem, bounded_nesting, render_budget


def describe_template_error(error: BaseException, template: Path) -> str:
    """One paragraph for the person: which template, what went wrong, and where (the tag, in words)."""
    return describe_failure(error, f"The template {template.name}", _where(error, template))


def describe_failure(error: BaseException, what: str, where: str | None) -> str:
    """What went wrong in `what` (a template, a kind's sentence) and where, in words; never a traceback."""
    at = f" ({where})" if where else ""
    if isinstance(error, TemplateProblem):
        return f"{what} was stopped{at}: {error.message}. Nothing was written."
    if isinstance(error, SecurityError):
        return f"{what} tried something unsafe and was stopped{at}: {error}. Nothing was written."
    if isinstance(error, TemplateSyntaxError):
        return f"{what} has a Jinja syntax error{at}: {error.message}."
    if isinstance(error, UndefinedError):
        return f"{what} uses something that does not exist{at}: {error.message}."
    if isinstance(error, RecursionError):
        return f"{what} calls itself without end{at} and was stopped. Nothing was written."
    if isinstance(error, MemoryError):
        return f"{what} needed more memory than this computer has{at}. Nothing was written."
    detail = str(error) or type(error).__name__
    return f"{what} could not be rendered{at}: {detail}. Nothing was written."


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

        from appeal.letters.template_places import locate

        return locate(Document(str(template)), token)
    except Exception:  # noqa: BLE001 - the place is a courtesy; the message stands without it
        return None


@lru_cache(maxsize=64)
def _template_names(template: str, digest: bytes) -> frozenset[str]:
    """Every name the template file uses, read once for each content of the file: per process, and kept in the
    user's compile cache (appeal/letters/compile_cache.py) for the next."""
    import docxtpl
    from docxtpl import DocxTemplate

    from appeal.letters.template_package import check_package

    environment = shared_environment()
    disk = getattr(environment, "disk", None)
    key = disk.key(f"names used by a .docx, docxtpl {docxtpl.__version__}", digest.hex()) if disk else ""
    kept = disk.load(key, expected=tuple) if disk else None
    if kept is not None and all(isinstance(name, str) for name in kept):
        return frozenset(kept)
    check_package(Path(template))
    with bounded_nesting():  # Jinja walks the tags recursively to find the names
        names = frozenset(DocxTemplate(template).get_undeclared_template_variables(environment))
    if disk:
        disk.store(key, tuple(sorted(names)))
    return names


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

    @lru_cache(maxsize=64)
    def patched(xml: str) -> str:  # no instance: a docxtpl whose clean-up read one would fail here, not differ
        return DocxTemplate.patch_xml(None, xml)

    class WholeDocumentTemplate(DocxTemplate):
        def patch_xml(self, src_xml):
            """docxtpl's clean-up of the template's XML before Jinja reads it (a dozen regular expressions over the
            whole body, a sixth of a letter's time, profiled), kept per XML: it reads nothing but its argument, and
            a template's XML is the same for every letter drafted from it."""
            return patched(src_xml)

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

    The template file is checked as a package first (appeal/letters/template_package.py); the render runs in the bounded
    sandbox (appeal/letters/sandbox.py); any failure becomes one message naming the template and the tag, and nothing
    is written, since the document only ever exists in memory here.
    """
    from appeal.letters.template_fields import external_marks, new_external, rendered_parts
    from appeal.letters.template_package import check_package

    template = Path(template)
    check_package(template)
    try:
        document = _whole_document_template()(str(template))
        document.init_docx()
        before = external_marks(rendered_parts(document.docx))
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
            made = new_external(template.name, before, external_marks(rendered_parts(document.docx)))
            if made:
                raise UserError(made)
            restore_braces(document)
            buffer = io.BytesIO()
            document.save(buffer)
    except UserError:
        raise
    except Exception as error:  # noqa: BLE001 - a user's template can fail in any way; the person gets words
        raise UserError(describe_template_error(error, template)) from None
    return Rendered(buffer.getvalue(), document.docx)
