"""`appeal import`'s report in words, for any screen: what the document is, each value beside the notice line it
came from with a `?` where it needs checking, the notice's other time limits, the three facts always checked before
a letter goes out (where it is faxed or mailed, and by when), and the case file's header. The terminal prints these
lines; the browser shows the same facts.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path

from appeal.base.language import long_date, ngettext, translate as _
from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.intake import notice_import
from appeal.intake.notice_import import CodeList, Extraction, Found, StatedDeadline

CHECK_MARK = "?"
# Where the letter goes and by when: asked about every time, certain or not, each beside its line (issue 29).
MUST_CONFIRM = ("appeals_fax", "appeals_address", "appeal_deadline")


def shown(found: Found) -> str:
    """A value as the person reads it: dates spelled out, addresses on one line."""
    value = found.value
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, Enum):
        return _(getattr(value, "label", str(value.value)))
    if isinstance(value, StatedDeadline):
        return long_date(value.due) if value.due else _("within {days} days").format(days=value.days)
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
    how = {"ocr": _("read by OCR from a picture: compare every number with the paper"),
           "pdf": _("read from the PDF's text"), "text": _("read from the text")}[notice.source]
    lines = [*document_lines(extraction), "",
             _("What the notice says ({how}; {pages} read):").format(how=how, pages=notice.pages_said()), ""]
    if notice.notes:
        lines += [_("Not everything could be read:"), *(f"  {note}" for note in notice.notes), ""]
    width = max([len(_(notice_import.LABELS[key])) for key in extraction.found] or [0])
    for key, label in notice_import.FIELDS:
        found = extraction.found.get(key)
        if found is None:
            continue
        mark = CHECK_MARK if not found.certain else " "
        label = _("Service") if key == "service" and not extraction.writes_denial else _(label)
        lines.append(f"{mark} {label:<{width}}  {short(shown(found), 60)}")
        lines.append(f"  {'':<{width}}  {notice.where(found.line)}: \"{source(found)}\"")
        if found.why:
            lines.append(f"  {'':<{width}}  " + _("check: {why}").format(why=_(found.why)))
    lines += window_lines(extraction)
    unsure = [found for found in extraction.found.values() if not found.certain]
    if unsure:
        lines += ["", ngettext("{mark} = not certain: look at the notice for {count} of these before you rely on them.",
                               "{mark} = not certain: look at the notice for {count} of these before you rely on "
                               "them.", len(unsure)).format(mark=CHECK_MARK, count=len(unsure))]
    if extraction.missing:
        lines += ["", _("Not found on the notice (left empty; the questions ask for them): {fields}.").format(
            fields="; ".join(_(notice_import.LABELS[key]) for key in extraction.missing))]
    for problem in extraction.rejected + refused:
        lines.append(_("Not used: {problem}").format(problem=problem))
    return lines


def document_lines(extraction: Extraction) -> list[str]:
    """What the document is, with the line whose words show it; for anything but a denial, that said plainly."""
    document = extraction.document
    if document is None:
        return [_("What this is: the tool could not tell from its words whether this is a denial; it is read as "
                  "one. Check that it is.")]
    mark = CHECK_MARK if not document.certain else " "
    lines = [f"{mark} " + _("What this is: {kind}").format(kind=document.type.label),
             f"  {extraction.notice.where(document.line)}: \"{short(document.line.text, 64)}\""]
    if document.why:
        lines.append("  " + _("check: {why}").format(why=_(document.why)))
    if document.not_a_denial:
        lines += ["", document.not_a_denial]
    return lines


def window_lines(extraction: Extraction) -> list[str]:
    """The notice's other time limits, each with what it is for: none of them is the appeal deadline."""
    others = extraction.other_windows
    if not others:
        return []
    lines = ["", _("Other time limits on the notice (not the appeal deadline unless it says so above):")]
    for window in others:
        lines.append(f"  {window.words}: {window.role.label}")
        lines.append(f"    {extraction.notice.where(window.line)}: \"{short(window.line.text, 64)}\"")
    return lines


def must_check(extraction: Extraction) -> list[str]:
    """Where to send and by when, each beside its line: always shown for checking, found or not."""
    lines = ["", _("Check these three against the notice before anything is sent; a wrong one loses the appeal:")]
    for key in MUST_CONFIRM:
        found = extraction.found.get(key)
        if found is None:
            lines.append("  " + _("{label}: not found on the notice; look for it and add it.").format(
                label=_(notice_import.LABELS[key])))
            continue
        lines.append(f"  {_(notice_import.LABELS[key])}: {shown(found)}")
        lines.append(f"    {extraction.notice.where(found.line)}: \"{short(found.line.text, 64)}\"")
    return lines


def header(extraction: Extraction) -> list[str]:
    """Comment lines for the case file: where it came from, and what the notice says that the case cannot hold."""
    notice = extraction.notice
    started = (_("Case started from the denial notice {name} by `appeal import`.") if extraction.writes_denial
               else _("Case started from the notice {name} by `appeal import`."))
    lines = [started.format(name=Path(notice.name).name),
             _("Check every value against the notice before you send a letter."),
             _("Read: {pages}.").format(pages=notice.pages_said()), *notice.notes]
    if extraction.document is not None:
        lines.append(_("What it is: {kind} ({where})").format(kind=extraction.document.type.label,
                                                             where=notice.where(extraction.document.line)))
        if not extraction.writes_denial:
            lines.append(_("Not a denial, so no denial was written into this case."))
        elif extraction.denial_confirmed:
            lines.append(_("Not a denial by its words; read as one because you said so."))
    deadline = extraction.found.get("appeal_deadline")
    if deadline:
        lines.append(_("The notice's appeal deadline ({where}): {words}").format(where=notice.where(deadline.line),
                                                                                words=deadline.value.words))
    unsure = [_(found.label) for found in extraction.found.values() if not found.certain]
    if unsure:
        lines.append(_("Not certain, check against the notice: {fields}").format(fields=", ".join(unsure)))
    for window in extraction.other_windows:
        lines.append(_("Also on the notice ({where}): {words}, {role}").format(
            where=notice.where(window.line), words=window.words, role=window.role.label))
    codes = extraction.found.get("adjustment_codes")
    if codes:
        lines.append(_("Claim adjustment codes on the notice: {codes}").format(codes=" ".join(codes.value)))
    return [f"# {line}" for line in lines]


def case_file_text(extraction: Extraction, case: Case) -> str:
    """The case file: the header's comments, then the case."""
    return "".join(f"{line}\n" for line in header(extraction)) + casefile.dumps(case)
