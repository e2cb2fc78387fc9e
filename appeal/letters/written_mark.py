"""The mark a letter carries from `appeal draft`, to tell later whether the person changed it.

Why: people open the letter in Word, fill in a blank, reword a sentence and sign it; the packet must send that
file, not a fresh draft. A checksum of what was written, kept inside the .docx itself as a custom document
property (Word and LibreOffice keep custom properties when they save, and show them under File > Properties),
travels with the file wherever it is copied, needs no second file beside it, and is not part of the letter's
text. Saving the file again in Word changes its parts, and with them the checksum: the letter then counts as
changed, which is what a packet needs to know (which file to send), not whether a word differs.

The checksum covers every part of the package except the document properties (which a word processor updates on
every save: the editing time, the last author) and the two package indexes the property itself is listed in.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Literal

PROPERTY = "appeal drafted letter sha256"
_CUSTOM = "docProps/custom.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VALUES = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_FORMAT_ID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the id every custom document property carries
_NOT_COVERED = ("[Content_Types].xml", "_rels/.rels")
MAX_UNPACKED = 200 * 1024 * 1024  # a .docx whose parts unpack to more is not hashed (a zip bomb stays packed)

State = Literal["unchanged", "changed", "unknown"]


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _digest(archive: zipfile.ZipFile) -> str | None:
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        return None
    digest = hashlib.sha256()
    for name in sorted(archive.namelist()):
        if name.startswith("docProps/") or name in _NOT_COVERED:
            continue
        digest.update(name.encode() + b"\0")
        digest.update(archive.read(name))
        digest.update(b"\0")
    return digest.hexdigest()


def mark(docx: bytes) -> bytes:
    """The letter with the checksum of its parts as a custom document property (any other custom property kept)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        digest = _digest(source)
        if digest is None:
            return docx
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
            names = source.namelist()
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = _with_override(data)
                elif info.filename == "_rels/.rels":
                    data = _with_relationship(data)
                elif info.filename == _CUSTOM:
                    data = _with_property(data, digest)
                target.writestr(info, data)
            if _CUSTOM not in names:
                target.writestr(_CUSTOM, _with_property(None, digest), zipfile.ZIP_DEFLATED)
    return output.getvalue()


def state(docx: bytes) -> State:
    """Whether the letter is as `appeal draft` wrote it ('unchanged'), was saved again since ('changed'), or
    carries no mark to tell ('unknown': written by something else, or its properties were removed)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            if _CUSTOM not in archive.namelist() or archive.getinfo(_CUSTOM).file_size > 1_000_000:
                return "unknown"
            root = etree.fromstring(archive.read(_CUSTOM), _parser())
            recorded = next((element.findtext(f"{{{_VALUES}}}lpwstr") for element in root
                             if element.get("name") == PROPERTY), None)
            if not recorded:
                return "unknown"
            digest = _digest(archive)
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError):
        return "unknown"
    if digest is None:
        return "unknown"
    return "unchanged" if digest == recorded.strip() else "changed"


def _with_override(data: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(data, _parser())
    if not any(element.get("PartName") == f"/{_CUSTOM}" for element in root):
        etree.SubElement(root, f"{{{_TYPES}}}Override", PartName=f"/{_CUSTOM}", ContentType=_CUSTOM_TYPE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_relationship(data: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(data, _parser())
    if not any(element.get("Type") == _CUSTOM_RELATIONSHIP for element in root):
        taken = {element.get("Id") for element in root}
        number = 1
        while f"rId{number}" in taken:
            number += 1
        etree.SubElement(root, f"{{{_RELATIONSHIPS}}}Relationship", Id=f"rId{number}", Type=_CUSTOM_RELATIONSHIP,
                         Target=_CUSTOM)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_property(data: bytes | None, digest: str) -> bytes:
    from lxml import etree

    root = (etree.fromstring(data, _parser()) if data else
            etree.Element(f"{{{_PROPERTIES}}}Properties", nsmap={None: _PROPERTIES, "vt": _VALUES}))
    for element in list(root):
        if element.get("name") == PROPERTY:
            root.remove(element)
    numbers = [int(element.get("pid")) for element in root if (element.get("pid") or "").isdigit()]
    entry = etree.SubElement(root, f"{{{_PROPERTIES}}}property", fmtid=_FORMAT_ID,
                             pid=str(max(numbers, default=1) + 1), name=PROPERTY)
    etree.SubElement(entry, f"{{{_VALUES}}}lpwstr").text = digest
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
