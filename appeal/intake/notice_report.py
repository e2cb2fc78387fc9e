"""`appeal import`'s report in words, for any screen: what the document is, each value beside the notice line it
came from with a `?` where it needs checking, the notice's other time limits, the three facts always checked before
a letter goes out (where it is faxed or mailed, and by when), and the case file's header. The terminal prints these
lines; the browser shows the same facts.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path

from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.cases.fields import format_date
from appeal.intake import notice_import
from appeal.intake.notice_import import CodeList, Extraction, Found, StatedDeadline

CHECK_MARK = "?"
# Where the letter goes and by when: asked about every time, certain or not, each beside its line (issue 29).
MUST_CONFIRM = ("appeals_fax", "appeals_address", "appeal_deadline")


def shown(found: Found) -> str:
    """A value as the person reads it: dates spelled out, addresses on one line."""
    value = found.value
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Enum):
        return getattr(value, "label", str(value.value))
    if isinstance(value, StatedDeadline):
        return format_date(value.due) if value.due else f"within {value.days} days"
    if isinstance(value, CodeList):
        return str(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return " / ".join(part.strip() for part in str(value).splitlines())


def short(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def source(found: Found, width: int = 64) -> str:
    """The notice line, cut so that the value read from it is in view."""
    text = " ".join(found.line.text.split())
    needle = str(found.value[0] if isinstance(found.value, list) and found.value else found.value)[:12]
    at = text.find(needle) if isinstance(found.value, (str, list)) else -1
    if at > width - len(needle) - 5:
        text = "..." + text[max(0, at - 20) :]
    return short(text, width)


def report(extraction: Extraction, refused: list[str]) -> list[str]:
    """The table: each value, a '?' when it needs checking, and under it the notice line it came from."""
    notice = extraction.notice
    how = {"ocr": "read by OCR from a picture: compare every number with the paper",
           "pdf": "read from the PDF's text", "text": "read from the text"}[notice.source]
    lines = [*document_lines(extraction), "", f"What the notice says ({how}; {notice.pages_said()} read):", ""]
    if notice.notes:
        lines += ["Not everything could be read:", *(f"  {note}" for note in notice.notes), ""]
    width = max([len(notice_import.LABELS[key]) for key in extraction.found] or [0])
    for key, label in notice_import.FIELDS:
        found = extraction.found.get(key)
        if found is None:
            continue
        mark = CHECK_MARK if not found.certain else " "
        if key == "service" and not extraction.writes_denial:
            label = "Service"
        lines.append(f"{mark} {label:<{width}}  {short(shown(found), 60)}")
        lines.append(f"  {'':<{width}}  {notice.where(found.line)}: \"{source(found)}\"")
        if found.why:
            lines.append(f"  {'':<{width}}  check: {found.why}")
    lines += window_lines(extraction)
    unsure = [found for found in extraction.found.values() if not found.certain]
    if unsure:
        lines += ["", f"{CHECK_MARK} = not certain: look at the notice for {len(unsure)} of these before you rely on them."]
    if extraction.missing:
        lines += ["", "Not found on the notice (left empty; the questions ask for them): "
                  + "; ".join(notice_import.LABELS[key] for key in extraction.missing) + "."]
    for problem in extraction.rejected + refused:
        lines.append(f"Not used: {problem}")
    return lines


def document_lines(extraction: Extraction) -> list[str]:
    """What the document is, with the line whose words show it; for anything but a denial, that said plainly."""
    document = extraction.document
    if document is None:
        return ["What this is: the tool could not tell from its words whether this is a denial; it is read as one. "
                "Check that it is."]
    mark = CHECK_MARK if not document.certain else " "
    lines = [f"{mark} What this is: {document.type.label}",
             f"  {extraction.notice.where(document.line)}: \"{short(document.line.text, 64)}\""]
    if document.why:
        lines.append(f"  check: {document.why}")
    if document.not_a_denial:
        lines += ["", document.not_a_denial]
    return lines


def window_lines(extraction: Extraction) -> list[str]:
    """The notice's other time limits, each with what it is for: none of them is the appeal deadline."""
    others = extraction.other_windows
    if not others:
        return []
    lines = ["", "Other time limits on the notice (not the appeal deadline unless it says so above):"]
    for window in others:
        lines.append(f"  {window.words}: {window.role.label}")
        lines.append(f"    {extraction.notice.where(window.line)}: \"{short(window.line.text, 64)}\"")
    return lines


def must_check(extraction: Extraction) -> list[str]:
    """Where to send and by when, each beside its line: always shown for checking, found or not."""
    lines = ["", "Check these three against the notice before anything is sent; a wrong one loses the appeal:"]
    for key in MUST_CONFIRM:
        found = extraction.found.get(key)
        if found is None:
            lines.append(f"  {notice_import.LABELS[key]}: not found on the notice; look for it and add it.")
            continue
        lines.append(f"  {notice_import.LABELS[key]}: {shown(found)}")
        lines.append(f"    {extraction.notice.where(found.line)}: \"{short(found.line.text, 64)}\"")
    return lines


def header(extraction: Extraction) -> list[str]:
    """Comment lines for the case file: where it came from, and what the notice says that the case cannot hold."""
    notice = extraction.notice
    what = "denial notice" if extraction.writes_denial else "notice"
    lines = [f"# Case started from the {what} {Path(notice.name).name} by `appeal import`.",
             "# Check every value against the notice before you send a letter.",
             f"# Read: {notice.pages_said()}."]
    lines += [f"# {note}" for note in notice.notes]
    if extraction.document is not None:
        lines.append(f"# What it is: {extraction.document.type.label} ({notice.where(extraction.document.line)})")
        if not extraction.writes_denial:
            lines.append("# Not a denial, so no denial was written into this case.")
        elif extraction.denial_confirmed:
            lines.append("# Not a denial by its words; read as one because you said so.")
    deadline = extraction.found.get("appeal_deadline")
    if deadline:
        lines.append(f"# The notice's appeal deadline ({notice.where(deadline.line)}): {deadline.value.words}")
    unsure = [found.label for found in extraction.found.values() if not found.certain]
    if unsure:
        lines.append(f"# Not certain, check against the notice: {', '.join(unsure)}")
    for window in extraction.other_windows:
        lines.append(f"# Also on the notice ({notice.where(window.line)}): {window.words}, {window.role.label}")
    codes = extraction.found.get("adjustment_codes")
    if codes:
        lines.append(f"# Claim adjustment codes on the notice: {' '.join(codes.value)}")
    return lines


def case_file_text(extraction: Extraction, case: Case) -> str:
    """The case file: the header's comments, then the case."""
    return "".join(f"{line}\n" for line in header(extraction)) + casefile.dumps(case)
