"""`appeal web`'s "Start from your denial notice": the notice uploaded, read as `appeal import` reads it, shown with
what the document is and each value beside the line it came from, and the fax, address and deadline ticked off by
the person before the answers start from it.

Why here and not in the questions: the person must see first whether the document is a denial at all (an approval
or a paid EOB writes no denial unless they tick "read it as a denial anyway"), and where the letter goes and by
when are the facts that lose an appeal when wrong, so each is confirmed against its line before a draft exists.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from appeal.base.errors import UserError
from appeal.base.language import translate as _
from appeal.base.safe_write import write_text
from appeal.intake import drafts, notice_import, notice_report, notice_text
from appeal.intake.notice_import import Extraction
from appeal.web import uploads
from appeal.web.pages import form, form_key, go, guarded, render


def view(extraction: Extraction) -> dict:
    """What the page shows: the document's type with its line, every value with its line, the other time limits,
    the three facts to tick, and the deadline beside the rule's."""
    document = extraction.document
    case, _said = notice_import.to_case(extraction)
    return {
        "document": None if document is None else {
            "label": _(document.type.label), "line": document.line.number, "text": document.line.text.strip(),
            "certain": document.certain, "why": document.why, "not_a_denial": document.not_a_denial},
        "denial": extraction.writes_denial,
        "fields": [{"label": _(label), "value": notice_report.shown(found), "line": found.line.number,
                    "text": found.line.text.strip(), "certain": found.certain, "why": found.why}
                   for key, label in notice_import.FIELDS if (found := extraction.found.get(key)) is not None],
        "missing": [_(notice_import.LABELS[key]) for key in extraction.missing],
        "windows": [{"words": window.words, "label": _(window.role.label), "line": window.line.number,
                     "text": window.line.text.strip()} for window in extraction.other_windows],
        "check": [{"key": key, "label": _(notice_import.LABELS[key]),
                   "value": notice_report.shown(found) if found else None,
                   "line": found.line.number if found else None, "text": found.line.text.strip() if found else ""}
                  for key in notice_report.MUST_CONFIRM for found in [extraction.found.get(key)]],
        "deadline": notice_import.deadline_comparison(extraction, case),
        "rejected": extraction.rejected,
    }


@guarded
async def notice_form(request):
    return render(request, "notice.html", read=None)


@guarded
async def notice_read(request):
    session = request.app.state.session
    folder = Path(tempfile.mkdtemp(prefix="appeal-web-"))  # private (0700); removed below
    try:
        posted = await uploads.receive(request, folder, lambda fields: form_key(request, fields))
        form_key(request, posted.fields)
        files = [path for name, path in posted.files if name == "notice" and path.stat().st_size]
        if not files:
            raise UserError(_("Choose the notice's file (a PDF, a photo or a text file), then press Read it."))
        extraction = notice_import.extract(notice_text.read(files[0]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not extraction.found:
        raise UserError(_("Nothing a letter needs was found in that file. Is it a notice from your plan? For a "
                          "photo, try a sharper one taken straight on in good light."))
    session.notice = extraction
    return render(request, "notice.html", read=view(extraction))


@guarded
async def notice_use(request):
    """Start the answers from the notice once the person has ticked each of the three facts found."""
    session = request.app.state.session
    data = await form(request)
    extraction: Extraction | None = session.notice
    if extraction is None:
        raise UserError(_("Read the notice first: choose its file on this page."))
    extraction.denial_confirmed = not extraction.writes_denial and data.get("as-denial") == "yes"
    unticked = [_(notice_import.LABELS[key]) for key in notice_report.MUST_CONFIRM
                if extraction.writes_denial and key in extraction.found and data.get(f"checked-{key}") != "yes"]
    if unticked:
        session.told.append(_("Compare each of these with the notice and tick it when it matches (or start "
                              "without the notice and type them yourself): {facts}.").format(facts="; ".join(unticked)))
        return render(request, "notice.html", 400, read=view(extraction))
    case, _said = notice_import.to_case(extraction)
    path = drafts.new_path()
    write_text(path, notice_report.case_file_text(extraction, case), overwrite=False)
    session.notice = None
    work = request.state.work = session.start(path)  # this window's own letter (`?w=` in its addresses)
    work.told.append(_("Your answers start from the notice. Now the questions it does not answer."))
    return go("/questions", work)
