"""Checking a .docx template as a file before anything opens it for real.

A .docx is a zip of XML parts. A shared template could be a zip bomb (a part that decompresses to gigabytes), an
XML entity bomb, a relationship that points outside the package (a file on disk, or an address on the network
that LibreOffice would fetch), a field code that fetches or includes outside content or holds a tag
(appeal/letters/template_fields.py), or not a Word document at all. Each is refused here with a message naming
the file, before python-docx or docxtpl parse it. A file that passed is remembered by its size and modification time,
so a batch checks each template once.
"""

from __future__ import annotations

import posixpath
import zipfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from appeal.base.errors import UserError
from appeal.letters.template_fields import part_problems, relationship_problem

MAX_FILE_BYTES = 25 * 1024 * 1024  # the .docx itself
MAX_PART_BYTES = 25 * 1024 * 1024  # one part, decompressed
MAX_TOTAL_BYTES = 100 * 1024 * 1024  # all parts, decompressed
MAX_PARTS = 2_000
MAX_SHOWN = 10  # field and link problems listed in one message
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def check_package(path: Path) -> None:
    """Refuse a template file that is not a safe Word document, with a message naming it and what is wrong."""
    path = Path(path)
    if path.resolve().parent == _built_in_folder():
        return  # our own templates, shipped with the program and checked by its tests (it saves a cold start 40 ms)
    try:
        status = path.stat()
    except OSError as error:
        raise UserError(f"The template {path} cannot be read: {error.strerror or error}.") from None
    _check_cached(str(path.resolve()), status.st_size, status.st_mtime_ns)


@lru_cache(maxsize=1)
def _built_in_folder() -> Path:
    from appeal.base.resources import bundled

    return bundled("letter_templates").resolve()


@lru_cache(maxsize=64)
def _check_cached(path: str, size: int, modified: int) -> None:
    name = Path(path).name
    if size == 0:
        raise UserError(f"The template {name} is an empty file, not a Word document.")
    if size > MAX_FILE_BYTES:
        raise UserError(f"The template {name} is {size // 2**20} MB; a letter template is at most "
                        f"{MAX_FILE_BYTES // 2**20} MB.")
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"The template {name} is an old Word .doc file; open it in Word and save it as .docx.")
    if not start.startswith(b"PK"):
        raise UserError(f"The template {name} is not a Word document (.docx): it is not a zip package.")
    try:
        with zipfile.ZipFile(path) as package:
            _check_parts(name, package)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError, ValueError) as error:
        raise UserError(f"The template {name} is not a Word document that can be opened (a damaged zip: "
                        f"{error}).") from None


def _check_parts(name: str, package: zipfile.ZipFile) -> None:
    parts = package.infolist()
    if len(parts) > MAX_PARTS:
        raise UserError(f"The template {name} holds {len(parts):,} parts; a Word document has far fewer.")
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        raise UserError(f"The template {name} is a zip file but not a Word document (no [Content_Types].xml).")
    total, outside = 0, []
    for part in parts:
        if part.is_dir():
            continue
        data = _read_bounded(name, package, part)
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise UserError(f"The template {name} decompresses to over {MAX_TOTAL_BYTES // 2**20} MB (a zip bomb?).")
        if part.filename.endswith((".xml", ".rels")):
            tree = _parse_xml(name, part.filename, data)
            if part.filename.endswith(".rels"):
                outside += _check_relationships(name, part.filename, tree, names)
            else:
                outside += part_problems(part.filename, tree)
    if outside:
        shown = "\n".join(f"    - {problem}." for problem in outside[:MAX_SHOWN])
        more = f"\n    ... and {len(outside) - MAX_SHOWN} more." if len(outside) > MAX_SHOWN else ""
        raise UserError(f"The template {name} holds field codes or links that reach outside the letter, which a "
                        f"template may not (case details could leave this computer through them):\n{shown}{more}")


def _read_bounded(name: str, package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bytes:
    """Decompress one part, stopping as soon as it passes the limit (its declared size may lie)."""
    chunks, size = [], 0
    with package.open(part) as stream:
        while chunk := stream.read(1 << 16):
            size += len(chunk)
            if size > MAX_PART_BYTES:
                raise UserError(f"The template {name} has a part ({part.filename}) that decompresses to over "
                                f"{MAX_PART_BYTES // 2**20} MB (a zip bomb?).")
            chunks.append(chunk)
    return b"".join(chunks)


def _parse_xml(name: str, part: str, data: bytes):
    from lxml import etree

    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise UserError(f"The template {name} has a part ({part}) with a DOCTYPE or entity declarations, which Word "
                        "never writes (an XML entity bomb?).")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise UserError(f"The template {name} has a damaged part ({part}): {error}.") from None


def _check_relationships(name: str, part: str, tree, names: set[str]) -> list[str]:
    """Every relationship stays inside the package, but for web links (which nothing follows on its own); the
    ones that reach outside are returned (template_fields.relationship_problem says why), a path that climbs out
    of the package is refused at once."""
    source_folder = posixpath.dirname(posixpath.dirname(part))  # word/_rels/document.xml.rels -> word
    outside = []
    for relationship in tree.iter(_RELATIONSHIPS):
        target = unquote(relationship.get("Target", ""))
        problem = relationship_problem(part, relationship)
        if problem:
            outside.append(problem)
        if relationship.get("TargetMode") == "External":
            continue
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                      else posixpath.join(source_folder, target))
        if resolved.startswith("../") or resolved == ".." or resolved not in names:
            raise UserError(f"The template {name} refers to a part that is not inside it ({target[:80]}).")
    return outside
