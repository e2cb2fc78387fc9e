"""The pages of `appeal web`, one handler per page: what a request shows, and what a posted form does.

Each handler finds what it works on in the app's state (`request.app.state`, set by `appeal.web.app.create_app`):
the launch's `session` (its secrets, and the letters its windows work on) and the `templates`. Which letter a page
is about is in its address and its forms (`?w=ID`, a `Work` of the session), so two windows each keep their own
draft; a page without one goes to the start page, the list of drafts. A draft is
opened for the one request that needs it (`flow.opened`: locked, read from its file, unlocked again), so the
terminal and the browser can take turns on it. Which questions make a page and what a form does to the draft is
`appeal.web.flow`'s; here is only the web around it.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from appeal.base.errors import UserError
from appeal.base.language import translate as _
from appeal.cases import checks as case_checks, voice
from appeal.intake import drafts
from appeal.intake.engine import Engine
from appeal.intake.questions import ENTRIES, Group
from appeal.rules.readiness import Status
from appeal.web import flow as web_flow
from appeal.web import opener, uploads

Work = Any  # appeal.web.app.Work, one window's letter (not imported: the app imports this module)

COOKIE = "appeal_web"


# --------------------------------------------------------------------------------------------------------------
# What every page uses


class NoWork(Exception):
    """A page about a letter, asked for without one of this launch's letters in its address (`?w=ID`): a window
    opened afresh, a bookmark, or a page from before `appeal web` was started again."""


def work_of(request) -> Work:
    """The letter this window works on, from the address (`?w=ID`); NoWork when there is none."""
    work = request.app.state.session.works.get(request.query_params.get("w", ""))
    if work is None:
        raise NoWork
    request.state.work = work
    return work


def at(path: str, work: Work | None) -> str:
    """An address of this window's letter."""
    return f"{path}?w={work.id}" if work else path


def render(request, template: str, status: int = 200, **values: Any):
    """A page from its template, with the form key, this window's letter and what is to be said once."""
    session = request.app.state.session
    work = getattr(request.state, "work", None)
    told, session.told = session.told, []
    if work is not None:
        told, work.told = told + work.told, []
    here = request.url.path + (f"?w={work.id}" if work else "")  # where the language switch comes back to
    return request.app.state.templates.TemplateResponse(
        request, template, {"csrf": session.csrf, "told": told, "skip": web_flow.SKIP, "again": web_flow.AGAIN,
                            "w": work.id if work else "", "here": here, **values},
        status_code=status)


def go(path: str, work: Work | None = None) -> RedirectResponse:
    return RedirectResponse(at(path, work), status_code=303)


def form_key(request, data) -> None:
    """Refuses a posted form without this launch's form key."""
    if not secrets.compare_digest(str(data.get("csrf", "")), request.app.state.session.csrf):
        raise UserError(_("This form is out of date (appeal web was started again). Go back to the start page."))


async def form(request) -> Any:
    """The posted form (no files: a page with files reads them with appeal.web.uploads), refused unless it
    carries this launch's form key."""
    data = await request.form(max_files=0)
    form_key(request, data)
    return data


def problem(request, error: UserError):
    if isinstance(error, drafts.DraftInUse):
        return render(request, "message.html", 409, title=_("This draft is open somewhere else"),
                      text=str(error), copy=True)
    return render(request, "message.html", 400, title=_("Something needs your attention"), text=str(error))


def guarded(handler):
    """A page whose problems are shown as a page: a UserError in its words, a bug plainly (never in the log)."""
    async def run(request):
        try:
            return await handler(request)
        except NoWork:
            request.app.state.session.told.append(_("Choose the letter to work on below. Each window works on "
                                                    "the letter chosen in it."))
            return go("/")
        except UserError as error:
            return problem(request, error)
        except HTTPException as error:  # Starlette's own refusals of a form (too many files, a part too big)
            return problem(request, UserError(_("The form could not be read: {why}").format(why=error.detail)))
        except Exception as error:  # a bug: say so plainly; the draft is saved; no answer goes to the log
            print(f"appeal web: {type(error).__name__} in {request.url.path} (a bug; please report it)",
                  file=sys.stderr)
            return render(request, "message.html", 500, title=_("Something went wrong"),
                          text=_("This page could not be shown. Your answers so far are saved. Go back to the "
                                 "start page and carry on."))
    return run


# --------------------------------------------------------------------------------------------------------------
# Start and choosing a draft


async def start(request):
    """The start link printed at launch: at its first visit its token becomes the cookie, and the browser moves on
    to the start page, an address without it. Later visits open nothing (the link may be in a history, or seen by
    someone else), except in the browser that already has the cookie, which goes to the start page."""
    session = request.app.state.session
    if secrets.compare_digest(request.cookies.get(COOKIE, ""), session.cookie):
        return go("/")
    if not secrets.compare_digest(request.query_params.get("token", ""), session.token):
        return Response(_("Refused. Open the address that `appeal web` printed in your terminal."), 403)
    if session.token_used:
        return request.app.state.templates.TemplateResponse(request, "link_used.html", {}, status_code=410)
    session.token_used = True
    opener.remove(session.opener)  # the page that led the browser here has done its work
    session.opener = None
    # Not a 303 to "/": when the browser came from appeal.web.opener's page on disk, the whole redirect chain counts
    # as coming from another site, and the browser would not send a SameSite=Strict cookie with it. A page of this
    # server that moves on by itself starts a navigation from this site, which does.
    response = request.app.state.templates.TemplateResponse(request, "started.html", {})
    response.set_cookie(COOKIE, session.cookie, httponly=True, samesite="strict", path="/")
    return response


@guarded
async def home(request):
    session = request.app.state.session
    session.told += drafts.set_aside_damaged()
    listed = [(path.name, drafts.describe(path)) for path in drafts.find_unfinished()[:8]]
    letters = [work for work in session.works.values() if work.saved is not None]
    return render(request, "home.html", drafts=listed, letters=letters, folder=drafts.folder())


@guarded
async def new(request):
    session = request.app.state.session
    data = await form(request)
    chosen = str(data.get("draft", ""))
    if chosen:
        found = {path.name: path for path in drafts.find_unfinished()}
        if chosen not in found:
            raise UserError(_("That draft is no longer in the drafts folder."))
        # first, so that "carry on in a copy" copies it if it is open elsewhere
        work = request.state.work = session.start(found[chosen])
        with web_flow.opened(found[chosen]) as engine:  # open elsewhere (DraftInUse), or edited by hand: said now
            notice = engine.notice
        work.told.append(_("Welcome back: your answers so far are kept. Carry on below, or press Back to "
                           "see earlier ones."))
        work.told += [notice] if notice else []
    else:
        work = session.start(None)
    return go("/questions", work)


@guarded
async def copy(request):
    session = request.app.state.session
    work = work_of(request)
    await form(request)
    if work.draft:
        work = session.start(drafts.copy_draft(work.draft))
    return go("/questions", work)


# --------------------------------------------------------------------------------------------------------------
# The questions


def progress_of(engine: Engine) -> dict:
    done, total = web_flow.progress(engine)
    return {"done": done, "total": max(total, 1)}


def current_keys(work: Work, engine: Engine) -> list[str] | None:
    """The page to show: one visited again (Back, or Change from the review) while it is still asked, else the
    next new one."""
    if work.current is not None:
        keys = web_flow.still_asked(engine, work.current)
        if keys:
            return keys
        work.current = None
    keys = web_flow.frontier(engine)
    if keys and keys not in work.visited:
        work.visited.append(keys)
    return keys


def show(request, engine: Engine, shown, status: int = 200):
    return render(request, "questions.html", status, page=shown, progress=progress_of(engine),
                  errors=web_flow.errors(shown), spelling=web_flow.spelling(shown),
                  first=not [key for key in engine.progress.history if key not in shown.keys])


@guarded
async def questions(request):
    work = work_of(request)
    with web_flow.opened(work.draft) as engine:
        keys = current_keys(work, engine) if not engine.progress.item else [engine.progress.item["group"]]
        if keys is None:
            return go("/review", work)
        return show(request, engine, web_flow.page(engine, keys))


def back(work: Work, engine: Engine, keys: list[str]) -> None:
    """Back: the page shown before this one that the answers still ask, else the question answered before."""
    visited = work.visited
    at = visited.index(keys) if keys in visited else len(visited)
    for earlier in reversed(visited[:at]):
        if web_flow.still_asked(engine, earlier):
            work.current = earlier
            return
    history = engine.progress.history
    history = history[:history.index(keys[0])] if keys[0] in history else history
    for key in reversed(history):
        if key not in keys and web_flow.still_asked(engine, [key]):
            work.current = [key]
            return
    work.told.append(_("This is the first question."))


def forward(work: Work, keys: list[str]) -> None:
    """Next from a page visited again: the page visited after it, or the next new one."""
    if work.current is None:
        return
    visited = work.visited
    at = visited.index(keys) if keys in visited else None
    work.current = visited[at + 1] if at is not None and at + 1 < len(visited) else None


@guarded
async def answer(request):
    work = work_of(request)
    data = await form(request)
    action = str(data.get("action", "next"))
    keys = [str(key) for key in data.getlist("key") if str(key) in ENTRIES]
    with web_flow.opened(work.draft) as engine:
        item = engine.progress.item
        if item:
            if action == "leave":
                engine.leave_entry()  # a new entry is dropped; changes to an existing one are saved
            else:
                shown = web_flow.submit(engine, keys, data)
                work.told += engine.readings  # "kept 10 weeks (you typed 'about 10')"
                if web_flow.errors(shown) or shown.kind == "item":
                    work.draft = engine.path
                    return show(request, engine, shown, 422 if web_flow.errors(shown) else 200)
            work.draft = engine.path
            return go("/questions", work)
        if not keys:
            return go("/questions", work)
        entry = ENTRIES[keys[0]]
        if isinstance(entry, Group):
            if action == "back":
                back(work, engine, keys)
            elif action.startswith("remove-"):  # asked first, on a page of its own; done only once confirmed
                removing = web_flow.removing(engine, entry, action)
                if removing is None:
                    work.told.append(_("That one is no longer in the list; nothing was removed."))
                elif data.get("confirmed") != "yes" or data.get("entry") != removing:
                    return render(request, "remove.html", key=entry.key, action=action, entry=removing,
                                  title=engine.words(entry.prompt))
                else:
                    web_flow.group_action(engine, entry, action)
                    work.told.append(_("Removed: {entry}").format(entry=removing))
            elif web_flow.group_action(engine, entry, action):
                forward(work, keys)
            work.draft = engine.path if engine.saved else work.draft
            return go("/questions", work)
        shown = web_flow.submit(engine, keys, data)
        work.told += engine.readings  # "kept 10 weeks (you typed 'about 10')"
        work.draft = engine.path if engine.saved else work.draft
        if action == "back":
            back(work, engine, keys)
            return go("/questions", work)
        if web_flow.errors(shown):
            return show(request, engine, shown, 422)
        if web_flow.spelling(shown):  # saved as typed; the page again, to choose for each word
            return show(request, engine, shown)
        forward(work, keys)
    return go("/questions", work)


@guarded
async def autosave(request):
    """One answer as the person leaves its field (the small script): saved at once, or its problem shown."""
    work = work_of(request)
    data = await form(request)
    key = str(data.get("key", ""))
    if key not in ENTRIES or work.draft is None:
        return JSONResponse({"error": None, "saved": False})
    with web_flow.opened(work.draft) as engine:
        entry = ENTRIES[key]
        if engine.progress.item or isinstance(entry, Group) or not web_flow.still_asked(engine, [key]):
            return JSONResponse({"error": None, "saved": False})
        shown = web_flow.page(engine, [key]).fields[0]
        web_flow.answer_field(engine, entry, {**data, key: data.get("value", "")}, None, shown)
        return JSONResponse({"error": None if shown.picks else shown.error, "saved": shown.error is None})


# --------------------------------------------------------------------------------------------------------------
# Review, letter, packet, sent


@guarded
async def review(request):
    work = work_of(request)
    with web_flow.opened(work.draft) as engine:
        return render(request, "review.html", sections=web_flow.review(engine), readiness=engine.readiness(),
                      warnings=case_checks.warnings(engine.case) + voice.warnings(engine.case), left=web_flow.frontier(engine) is not None,
                      progress=progress_of(engine), met=_(Status.met.label).capitalize(),
                      spanish={label: typed_in_spanish(label) for label in engine.typed_in_spanish()})


def typed_in_spanish(label: str) -> str:
    """What the review says beside an answer typed in Spanish: the terminal review's words."""
    return _("Note: “{answer}” is written in Spanish. The letter to the plan is in English and will show it as you "
             "typed it: keep it, or change it and write it in English.").format(answer=label)


@guarded
async def change(request):
    work = work_of(request)
    data = await form(request)
    key = str(data.get("key", ""))
    if key in ENTRIES:
        work.current = [key]
    return go("/questions", work)


@guarded
async def finish(request):
    session = request.app.state.session
    work = work_of(request)
    await form(request)
    with web_flow.opened(work.draft) as engine:
        if web_flow.frontier(engine) is not None:
            return go("/questions", work)
        engine.finish()
        keep_letter(session, work, engine)
    return go("/letter", work)


def keep_letter(session, work: Work, engine: Engine) -> None:
    """The finished letter and its case file, side by side in the folder `appeal web` was started in
    (appeal.intake.beside_letter), as `appeal draft` keeps them. After a change from the review, the same pair is
    written again, unless the letter was changed on disk since (edited in Word): then a new numbered pair, so no
    edit is lost. A folder that cannot be written is said; the letter still downloads."""
    from appeal.base.safe_write import write_bytes
    from appeal.intake import beside_letter

    kind, drafted = letter_of(work, engine)
    work.named = (engine.case.patient.full_name or "", kind.title)
    try:
        saved = work.saved
        if saved and saved[1] == engine.path and saved[0].is_file() and saved[0].read_bytes() == saved[2]:
            letter = write_bytes(saved[0], drafted.content, overwrite=True)
            work.told.append(_("Your letter and its case file were updated: {path}").format(path=letter))
        else:
            letter = beside_letter.free_letter_name(session.folder / download_name(engine.case, kind))
            write_bytes(letter, drafted.content, overwrite=False)
            work.draft = engine.path = beside_letter.keep_beside(engine.path, letter)
        work.saved = (letter, work.draft, drafted.content)
        work.summary = keep_summary(engine, kind, letter)
    except UserError as error:
        work.told.append(_("The letter could not be kept in {folder}: {error} Download it below; your answers "
                           "stay in the drafts folder.").format(folder=session.folder, error=error))


def keep_summary(engine: Engine, kind, letter: Path) -> Path | None:
    """For a person reading Spanish, "Qué dice su carta" written beside the English letter, as `appeal draft`
    writes it (appeal.letters.summary); None in English, or for a letter not sent to the plan."""
    from appeal.base import language
    from appeal.base.safe_write import write_bytes

    if language.current() == language.ENGLISH or not kind.sent_to_plan:
        return None
    from appeal.letters import summary

    return write_bytes(summary.path_beside(letter), summary_of(engine.case, kind), overwrite=True)


def summary_of(case, kind) -> bytes:
    """'What your letter says', in the reader's language, as of today."""
    from appeal.letters import summary

    return summary.as_docx(summary.sections(case, kind, date.today()), case)


def letter_of(work: Work, engine: Engine):
    """The letter for the draft as it is on disk: drafted once, then reused by the letter page, the download,
    the packet and 'I sent it' until an answer changes the file (or the date on the letter changes)."""
    from appeal.letters import draft

    stat = engine.path.stat() if engine.path and engine.path.is_file() else None
    key = (str(engine.path), stat.st_ino, stat.st_mtime_ns, stat.st_size, date.today(), work.letter_lang) \
        if stat else None
    if key is None or work.letter is None or work.letter[0] != key:
        kind = draft.choose_kind(engine.case, None)
        work.letter = (key, (kind, draft.draft(engine.case, kind, language=work.letter_lang)))
    return work.letter[1]


@guarded
async def letter_language_choice(request):
    """"Letter in English / in Spanish": this window's letter drafted again in the language chosen (and the copy
    kept beside the case file written again); a Spanish letter that cannot be written (no Spanish template or
    translation for it) leaves the English one, saying why."""
    from appeal.base import letter_language

    work = work_of(request)
    chosen = str((await form(request)).get("letter_lang", ""))
    if work.draft is None:
        return go("/", work)
    before, work.letter_lang = work.letter_lang, chosen if chosen in letter_language.LANGUAGES else "en"
    with web_flow.opened(work.draft) as engine:
        try:
            letter_of(work, engine)
        except UserError as refused:
            work.letter_lang = before
            work.told.append(_("The letter stays as it was: {reason}").format(reason=refused))
        else:
            work.told.append(_("Your letter is now in Spanish.") if work.letter_lang == "es"
                             else _("Your letter is now in English."))
            if work.saved:
                keep_letter(request.app.state.session, work, engine)
    return go("/letter", work)


def download_name(case, kind) -> str:
    from appeal.letters import draft

    return draft.default_name(case, kind).name


@guarded
async def letter(request):
    from appeal.intake.questions import blank_facts
    from appeal.output import packet as packets
    from appeal.rules import deadlines, next_steps
    from appeal.tracking.store import METHODS

    work = work_of(request)
    if work.draft is None:
        return go("/")
    with web_flow.opened(work.draft) as engine:
        kind, drafted = letter_of(work, engine)
        case = engine.case
    blanks = [blank_line(engine, label, questions) for label, questions in blank_facts(drafted.blanks)]
    steps = next_steps.sections(case, drafted.enclosures, suggested=drafted.suggested_enclosures) if kind.sent_to_plan else []
    earliest = deadlines.report(case).earliest if case.denial is not None else None
    focus, work.focus = work.focus, ""
    kept = follow_up(work, drafted.to_draft)
    return render(request, "letter.html", kind=kind, drafted=drafted, blanks=blanks, steps=steps, kept=kept,
                  letter_lang=work.letter_lang,
                  summary=summary_offered(work, engine, kind, kept),
                  earliest=earliest, today=date.today(), packet=work.packet, methods=METHODS,
                  recorded=work.recorded, appeal_id=work.appeal_id, focus=focus, name=download_name(case, kind),
                  edited=edited_blanks(work, drafted), docx_limit=packets.size_in_words(uploads.MAX_DOCX),
                  signature_limit=packets.size_in_words(uploads.MAX_SIGNATURE),
                  limits=(packets.size_in_words(packets.MAX_FILE), packets.size_in_words(packets.MAX_TOTAL)))


def blank_line(engine: Engine, label: str, questions) -> tuple[str, str | None]:
    """One blank of the letter, as the terminal lists it: its name as the letter shows it (in another language
    than English, the mark itself: [ADD: ...]), and the question that fills it."""
    from appeal.base import language
    from appeal.base.language import ngettext

    asked = " / ".join(f"“{engine.words(question.prompt)}”" for question in questions)
    named = label if language.current() == language.ENGLISH else f"[ADD: {label}]"
    return named, (ngettext("(the question: {asked})", "(the questions: {asked})", len(questions)).format(
        asked=asked) if asked else None)


def summary_offered(work: Work, engine: Engine, kind, kept: dict | None) -> dict | None:
    """'What your letter says' on the letter page, for a person reading Spanish: its download name, and where it is
    kept beside the letter (written now if the letter was kept while the pages were in English)."""
    from appeal.base import language

    if language.current() == language.ENGLISH or not kind.sent_to_plan:
        return None
    if kept and (work.summary is None or not work.summary.is_file()):
        try:
            work.summary = keep_summary(engine, kind, kept["letter"])
        except UserError as error:  # the letter's folder cannot be written: it still downloads
            work.told.append(str(error))
    return {"name": summary_name(engine.case, kind),
            "kept": work.summary if kept else None}


def summary_name(case, kind) -> str:
    """The summary's file name: the letter's, with 'que-dice-su-carta' (appeal.letters.summary.path_beside)."""
    from appeal.letters import summary

    return summary.path_beside(Path(download_name(case, kind))).name


@guarded
async def summary_docx(request):
    """'What your letter says' (Qué dice su carta), in the reader's language, to download."""
    work = work_of(request)
    with web_flow.opened(work.draft) as engine:
        kind, _drafted = letter_of(work, engine)
        content = summary_of(engine.case, kind)
        name = summary_name(engine.case, kind)
    return word_file(content, name)


def edited_blanks(work: Work, drafted) -> dict | None:
    """The letter the person gave back, and what became of the draft's blanks in it: the ones filled, the ones
    still there (and any the person added), so they see what still needs filling before it is sent."""
    from appeal.letters.draft import blanks_in

    if work.edited is None:
        return None
    name, path = work.edited
    content = path.read_bytes()
    left = blanks_in(content)
    return {"name": name, "filled": [label for label in drafted.blanks if label not in left], "left": left,
            "changed": content != drafted.content}


def follow_up(work: Work, to_draft: list[str]) -> dict | None:
    """Where the letter and its case file are kept, and the commands for them with their real paths, the
    enclosures this tool drafts first (None when they were not kept)."""
    from appeal.intake import beside_letter

    if work.saved is None or work.saved[1] != work.draft:
        return None
    letter, case_path, _written = work.saved
    return {"letter": letter.resolve(), "case": case_path.resolve(),
            "commands": beside_letter.follow_up(case_path, letter, to_draft=to_draft)}


@guarded
async def letter_docx(request):
    work = work_of(request)
    with web_flow.opened(work.draft) as engine:
        kind, drafted = letter_of(work, engine)
        name = download_name(engine.case, kind)
    return word_file(drafted.content, name)


def word_file(content: bytes, name: str) -> Response:
    """A Word document to download under its name."""
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@guarded
async def packet(request):
    from appeal.output import packet as packets

    work = work_of(request)
    folder = Path(tempfile.mkdtemp(prefix="appeal-web-"))  # private (0700); removed below
    try:
        posted = await uploads.receive(request, folder, lambda fields: form_key(request, fields))
        form_key(request, posted.fields)  # a form with no file: checked here
        files = [path for name, path in posted.files if name == "files"]
        signature = uploads.signature(posted)
        with web_flow.opened(work.draft) as engine:
            kind, drafted = letter_of(work, engine)
            docx = work.edited[1].read_bytes() if work.edited else drafted.content
            packets.refuse_blanks(  # what is sent carries no [ADD: ...]: the terminal's `packet --strict`, always
                docx, refused=_("The letter still has {count} blank(s), so no PDF was made"),
                fill_in=_("change your answers, or fill them in Word and give the letter back on this page"))
            if signature is not None:
                docx = signed(docx, signature)
            made = packets.build(engine.case, kind, docx=docx, attachments=files,
                                 cover=posted.fields.get("send") != "mail", office=office_of(request))
            name = str(packets.default_name(Path(download_name(engine.case, kind))))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    work.packet = (name, made.content)
    used = (_("your edited letter ({name})").format(name=work.edited[0]) if work.edited
            else _("the letter as drafted"))
    ready = (_("Your {pages}-page PDF is ready to download below. It holds {letter}, signed.") if signature is not None
             else _("Your {pages}-page PDF is ready to download below. It holds {letter}."))
    work.told += [ready.format(pages=made.page_count, letter=used)] + made.warnings
    work.focus = "packet"  # not a #fragment: a browser skips autofocus on one
    return go("/letter", work)


def office_of(request):
    """The session's LibreOffice, kept from its first PDF to its end, so each PDF after the first is quick."""
    from appeal.output import office_server

    session = request.app.state.session
    if session.office is None:
        session.office = office_server.Server()
    return session.office


def signed(docx: bytes, picture: bytes) -> bytes:
    """The letter with the person's signature (drawn here, or a photo of it) above their typed name."""
    from appeal.output import signature

    return signature.place_signature(docx, signature.clean_signature(picture, _("Your signature")))


@guarded
async def edited(request):
    """The letter as the person edited it in Word, given back: checked, kept owner-only beside its case file, and
    used for the PDF from now on."""
    work = work_of(request)
    folder = Path(tempfile.mkdtemp(prefix="appeal-web-"))  # private (0700); removed below
    try:
        posted = await uploads.receive(request, folder, lambda fields: form_key(request, fields),
                                       limit=uploads.MAX_DOCX)
        form_key(request, posted.fields)
        given = [path for name, path in posted.files if name == "letter"]
        if not given:
            raise UserError(_("Your edited letter: choose the Word file (.docx) you saved, then press the "
                              "button."))
        content = uploads.edited_letter(given[0])
        with web_flow.opened(work.draft) as engine:
            kind, _drafted = letter_of(work, engine)
            beside = (work.saved[0] if work.saved else (engine.path or work.draft)).with_name(
                Path(download_name(engine.case, kind)).stem + "-edited.docx")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from appeal.base.safe_write import write_bytes

    write_bytes(beside, content, overwrite=True)  # our copy of the person's own file, owner-only
    work.edited, work.packet = (given[0].name, beside), None  # a PDF made before holds the old letter
    work.told.append(_("Your edited letter {name} is kept as {path}; the PDF will be made from it.").format(
        name=given[0].name, path=beside))
    work.focus = "edited"
    return go("/letter", work)


@guarded
async def packet_pdf(request):
    work = work_of(request)
    if work.packet is None:
        return go("/letter", work)
    name, content = work.packet
    return Response(content, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@guarded
async def sent(request):
    work = work_of(request)
    data = await form(request)
    if work.recorded:
        return go("/letter", work)
    with web_flow.opened(work.draft) as engine:
        kind, drafted = letter_of(work, engine)
        docx = (work.edited[1].read_bytes() if work.edited else drafted.content)
        work.recorded, work.appeal_id = record_sent(engine.case, engine.path, kind.name, docx, work.packet,
                                                    str(data.get("day", "")), str(data.get("method", "")) or None)
    work.focus = "sent"  # the record is shown in place of the form
    return go("/letter", work)


@guarded
async def track(request):
    """'Track this appeal': where the appeal recorded by "I sent it" stands, from the tracking record."""
    from appeal.tracking.status import status
    from appeal.tracking.store import open_store
    from appeal.tracking.text import status_text

    work = work_of(request)
    if work.appeal_id is None:
        return go("/letter", work)
    with open_store() as store:
        now = status(store.get(work.appeal_id))
    return render(request, "track.html", lines=status_text([now]).splitlines(), appeal_id=work.appeal_id,
                  title=work.title)


def record_sent(case, case_path: Path, kind: str, docx: bytes, packet: tuple[str, bytes] | None, day: str,
                method: str | None) -> tuple[list[str], int]:
    """'I sent it': the same record `appeal track add` makes (appeal.tracking.record), with a copy of the case and of
    what was sent (the PDF if one was made here, else the letter), once per letter: a second press, from this
    window or another, finds the record already made and shows it. Returns what to tell the person, and the
    appeal's number."""
    from appeal.base.language import long_date
    from appeal.cases.fields import parse_day
    from appeal.tracking.record import record_sent as record
    from appeal.tracking.store import FieldError

    sent = parse_day(day.strip(), _("The day you sent it")) if day.strip() else date.today()
    try:
        recorded = record(case, sent, kind=kind, method=method, case_path=case_path,
                          packet=packet or (f"letter-{kind}.docx", docx), once=True)
    except FieldError as error:  # named as the form names its boxes
        raise error.named({"sent": _("The day you sent it"), "method": _("How you sent it")}) from None
    if recorded.already:
        told = [_("This letter was already recorded as appeal #{number}: {level}, sent {day}. Nothing was recorded "
                  "twice.").format(number=recorded.appeal_id, level=_(recorded.status.level),
                                   day=long_date(recorded.status.sent))]
    else:
        told = [_("Recorded as appeal #{number}: {level}, sent {day}.").format(
            number=recorded.appeal_id, level=_(recorded.status.level), day=long_date(sent))]
    if recorded.status.decision_due:
        told.append(_("The plan must decide by {day}.").format(day=long_date(recorded.status.decision_due)))
    told.append(_("See every appeal you sent, with its next dates, with: `appeal status`"))
    return [*recorded.notices, *told], recorded.appeal_id


# --------------------------------------------------------------------------------------------------------------
# The language switch on every page

LANGUAGE_COOKIE = "appeal_lang"  # the language chosen with the switch; read by appeal.web.app.language_of


@guarded
async def switch_language(request):
    """"English | Español": the language chosen is kept in a cookie of this browser (over Accept-Language), and the
    person is back on the page they were on, now in that language."""
    from appeal.base import language

    data = await form(request)
    chosen = str(data.get("to", ""))
    back = str(data.get("back", "/"))
    if not back.startswith("/") or back.startswith("//") or "\\" in back:  # this server's pages only
        back = "/"
    response = RedirectResponse(back, status_code=303)
    if chosen in language.CATALOGS or chosen == language.ENGLISH:
        response.set_cookie(LANGUAGE_COOKIE, chosen, httponly=True, samesite="strict", path="/")
    return response
