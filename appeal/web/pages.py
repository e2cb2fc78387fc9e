"""The pages of `appeal web`, one handler per page: what a request shows, and what a posted form does.

Each handler finds what it works on in the app's state (`request.app.state`, set by `appeal.web.app.create_app`):
the launch's `session` (its secrets, and where the person is in their draft) and the `templates`. A draft is
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
from appeal.cases import checks as case_checks, voice
from appeal.intake import drafts
from appeal.intake.engine import Engine
from appeal.intake.questions import ENTRIES, Group
from appeal.web import flow as web_flow
from appeal.web import opener, uploads

COOKIE = "appeal_web"


# --------------------------------------------------------------------------------------------------------------
# What every page uses


def render(request, template: str, status: int = 200, **values: Any):
    """A page from its template, with the form key and what is to be said once."""
    session = request.app.state.session
    told, session.told = session.told, []
    return request.app.state.templates.TemplateResponse(
        request, template, {"csrf": session.csrf, "told": told, "skip": web_flow.SKIP, "again": web_flow.AGAIN,
                            **values},
        status_code=status)


def go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def form_key(request, data) -> None:
    """Refuses a posted form without this launch's form key."""
    if not secrets.compare_digest(str(data.get("csrf", "")), request.app.state.session.csrf):
        raise UserError("This form is out of date (appeal web was started again). Go back to the start page.")


async def form(request) -> Any:
    """The posted form (no files: a page with files reads them with appeal.web.uploads), refused unless it
    carries this launch's form key."""
    data = await request.form(max_files=0)
    form_key(request, data)
    return data


def problem(request, error: UserError):
    if isinstance(error, drafts.DraftInUse):
        return render(request, "message.html", 409, title="This draft is open somewhere else",
                      text=str(error), copy=True)
    return render(request, "message.html", 400, title="Something needs your attention", text=str(error))


def guarded(handler):
    """A page whose problems are shown as a page: a UserError in its words, a bug plainly (never in the log)."""
    async def run(request):
        try:
            return await handler(request)
        except UserError as error:
            return problem(request, error)
        except HTTPException as error:  # Starlette's own refusals of a form (too many files, a part too big)
            return problem(request, UserError(f"The form could not be read: {error.detail}"))
        except Exception as error:  # a bug: say so plainly; the draft is saved; no answer goes to the log
            print(f"appeal web: {type(error).__name__} in {request.url.path} (a bug; please report it)",
                  file=sys.stderr)
            return render(request, "message.html", 500, title="Something went wrong",
                          text="This page could not be shown. Your answers so far are saved. Go back to the "
                               "start page and carry on.")
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
        return Response("Refused. Open the address that `appeal web` printed in your terminal.", 403)
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
    return render(request, "home.html", drafts=listed, folder=drafts.folder())


@guarded
async def new(request):
    session = request.app.state.session
    data = await form(request)
    chosen = str(data.get("draft", ""))
    if chosen:
        found = {path.name: path for path in drafts.find_unfinished()}
        if chosen not in found:
            raise UserError("That draft is no longer in the drafts folder.")
        session.start(found[chosen])  # first, so that "carry on in a copy" copies it if it is open elsewhere
        with web_flow.opened(found[chosen]) as engine:  # open elsewhere (DraftInUse), or edited by hand: said now
            notice = engine.notice
        session.told.append("Welcome back: your answers so far are kept. Carry on below, or press Back to "
                            "see earlier ones.")
        session.told += [notice] if notice else []
    else:
        session.start(None)
    return go("/questions")


@guarded
async def copy(request):
    session = request.app.state.session
    await form(request)
    if session.draft:
        session.start(drafts.copy_draft(session.draft))
    return go("/questions")


# --------------------------------------------------------------------------------------------------------------
# The questions


def progress_of(engine: Engine) -> dict:
    done, total = web_flow.progress(engine)
    return {"done": done, "total": max(total, 1)}


def current_keys(session, engine: Engine) -> list[str] | None:
    """The page to show: one visited again (Back, or Change from the review) while it is still asked, else the
    next new one."""
    if session.current is not None:
        keys = web_flow.still_asked(engine, session.current)
        if keys:
            return keys
        session.current = None
    keys = web_flow.frontier(engine)
    if keys and keys not in session.visited:
        session.visited.append(keys)
    return keys


def show(request, engine: Engine, shown, status: int = 200):
    return render(request, "questions.html", status, page=shown, progress=progress_of(engine),
                  errors=web_flow.errors(shown), spelling=web_flow.spelling(shown),
                  first=not [key for key in engine.progress.history if key not in shown.keys])


@guarded
async def questions(request):
    session = request.app.state.session
    with web_flow.opened(session.draft) as engine:
        keys = current_keys(session, engine) if not engine.progress.item else [engine.progress.item["group"]]
        if keys is None:
            return go("/review")
        return show(request, engine, web_flow.page(engine, keys))


def back(session, engine: Engine, keys: list[str]) -> None:
    """Back: the page shown before this one that the answers still ask, else the question answered before."""
    visited = session.visited
    at = visited.index(keys) if keys in visited else len(visited)
    for earlier in reversed(visited[:at]):
        if web_flow.still_asked(engine, earlier):
            session.current = earlier
            return
    history = engine.progress.history
    history = history[:history.index(keys[0])] if keys[0] in history else history
    for key in reversed(history):
        if key not in keys and web_flow.still_asked(engine, [key]):
            session.current = [key]
            return
    session.told.append("This is the first question.")


def forward(session, keys: list[str]) -> None:
    """Next from a page visited again: the page visited after it, or the next new one."""
    if session.current is None:
        return
    visited = session.visited
    at = visited.index(keys) if keys in visited else None
    session.current = visited[at + 1] if at is not None and at + 1 < len(visited) else None


@guarded
async def answer(request):
    session = request.app.state.session
    data = await form(request)
    action = str(data.get("action", "next"))
    keys = [str(key) for key in data.getlist("key") if str(key) in ENTRIES]
    with web_flow.opened(session.draft) as engine:
        item = engine.progress.item
        if item:
            if action == "leave":
                engine.leave_entry()  # a new entry is dropped; changes to an existing one are saved
            else:
                shown = web_flow.submit(engine, keys, data)
                session.told += engine.readings  # "kept 10 weeks (you typed 'about 10')"
                if web_flow.errors(shown) or shown.kind == "item":
                    session.draft = engine.path
                    return show(request, engine, shown, 422 if web_flow.errors(shown) else 200)
            session.draft = engine.path
            return go("/questions")
        if not keys:
            return go("/questions")
        entry = ENTRIES[keys[0]]
        if isinstance(entry, Group):
            if action == "back":
                back(session, engine, keys)
            elif web_flow.group_action(engine, entry, action):
                forward(session, keys)
            session.draft = engine.path if engine.saved else session.draft
            return go("/questions")
        shown = web_flow.submit(engine, keys, data)
        session.told += engine.readings  # "kept 10 weeks (you typed 'about 10')"
        session.draft = engine.path if engine.saved else session.draft
        if action == "back":
            back(session, engine, keys)
            return go("/questions")
        if web_flow.errors(shown):
            return show(request, engine, shown, 422)
        if web_flow.spelling(shown):  # saved as typed; the page again, to choose for each word
            return show(request, engine, shown)
        forward(session, keys)
    return go("/questions")


@guarded
async def autosave(request):
    """One answer as the person leaves its field (the small script): saved at once, or its problem shown."""
    session = request.app.state.session
    data = await form(request)
    key = str(data.get("key", ""))
    if key not in ENTRIES or session.draft is None:
        return JSONResponse({"error": None, "saved": False})
    with web_flow.opened(session.draft) as engine:
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
    session = request.app.state.session
    with web_flow.opened(session.draft) as engine:
        return render(request, "review.html", sections=web_flow.review(engine), readiness=engine.readiness(),
                      warnings=case_checks.warnings(engine.case) + voice.warnings(engine.case), left=web_flow.frontier(engine) is not None,
                      progress=progress_of(engine))


@guarded
async def change(request):
    session = request.app.state.session
    data = await form(request)
    key = str(data.get("key", ""))
    if key in ENTRIES:
        session.current = [key]
    return go("/questions")


@guarded
async def finish(request):
    session = request.app.state.session
    await form(request)
    with web_flow.opened(session.draft) as engine:
        if web_flow.frontier(engine) is not None:
            return go("/questions")
        engine.finish()
        keep_letter(session, engine)
    return go("/letter")


def keep_letter(session, engine: Engine) -> None:
    """The finished letter and its case file, side by side in the folder `appeal web` was started in
    (appeal.intake.beside_letter), as `appeal draft` keeps them. After a change from the review, the same pair is
    written again, unless the letter was changed on disk since (edited in Word): then a new numbered pair, so no
    edit is lost. A folder that cannot be written is said; the letter still downloads."""
    from appeal.base.safe_write import write_bytes
    from appeal.intake import beside_letter

    kind, drafted = letter_of(session, engine)
    try:
        saved = session.saved
        if saved and saved[1] == engine.path and saved[0].is_file() and saved[0].read_bytes() == saved[2]:
            letter = write_bytes(saved[0], drafted.content, overwrite=True)
            session.told.append(f"Your letter and its case file were updated: {letter}")
        else:
            letter = beside_letter.free_letter_name(session.folder / download_name(engine.case, kind))
            write_bytes(letter, drafted.content, overwrite=False)
            session.draft = engine.path = beside_letter.keep_beside(engine.path, letter)
        session.saved = (letter, session.draft, drafted.content)
    except UserError as error:
        session.told.append(f"The letter could not be kept in {session.folder}: {error} Download it below; your "
                            "answers stay in the drafts folder.")


def letter_of(session, engine: Engine):
    """The letter for the draft as it is on disk: drafted once, then reused by the letter page, the download,
    the packet and 'I sent it' until an answer changes the file (or the date on the letter changes)."""
    from appeal.letters import draft

    stat = engine.path.stat() if engine.path and engine.path.is_file() else None
    key = (str(engine.path), stat.st_ino, stat.st_mtime_ns, stat.st_size, date.today()) if stat else None
    if key is None or session.letter is None or session.letter[0] != key:
        kind = draft.choose_kind(engine.case, None)
        session.letter = (key, (kind, draft.draft(engine.case, kind)))
    return session.letter[1]


def download_name(case, kind) -> str:
    from appeal.letters import draft

    return draft.default_name(case, kind).name


@guarded
async def letter(request):
    from appeal.intake.questions import blank_facts
    from appeal.output import packet as packets
    from appeal.rules import deadlines, next_steps
    from appeal.tracking.store import METHODS

    session = request.app.state.session
    if session.draft is None:
        return go("/")
    with web_flow.opened(session.draft) as engine:
        kind, drafted = letter_of(session, engine)
        case = engine.case
    blanks = [(label, " / ".join(f"“{engine.words(question.prompt)}”" for question in questions) or None)
              for label, questions in blank_facts(drafted.blanks)]  # one line per fact, as the terminal lists
    steps = next_steps.sections(case, drafted.enclosures, suggested=drafted.suggested_enclosures) if kind.sent_to_plan else []
    earliest = deadlines.report(case).earliest if case.denial is not None else None
    focus, session.focus = session.focus, ""
    kept = follow_up(session, drafted.to_draft)
    return render(request, "letter.html", kind=kind, drafted=drafted, blanks=blanks, steps=steps, kept=kept,
                  earliest=earliest, today=date.today(), packet=session.packet, methods=METHODS,
                  recorded=session.recorded, focus=focus, name=download_name(case, kind),
                  limits=(packets.size_in_words(packets.MAX_FILE), packets.size_in_words(packets.MAX_TOTAL)))


def follow_up(session, to_draft: list[str]) -> dict | None:
    """Where the letter and its case file are kept, and the commands for them with their real paths, the
    enclosures this tool drafts first (None when they were not kept)."""
    from appeal.intake import beside_letter

    if session.saved is None or session.saved[1] != session.draft:
        return None
    letter, case_path, _ = session.saved
    return {"letter": letter.resolve(), "case": case_path.resolve(),
            "commands": beside_letter.follow_up(case_path, letter, to_draft=to_draft)}


@guarded
async def letter_docx(request):
    session = request.app.state.session
    with web_flow.opened(session.draft) as engine:
        kind, drafted = letter_of(session, engine)
        name = download_name(engine.case, kind)
    return Response(drafted.content, media_type="application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document", headers={"content-disposition": f'attachment; filename="{name}"'})


@guarded
async def packet(request):
    from appeal.output import packet as packets

    session = request.app.state.session
    folder = Path(tempfile.mkdtemp(prefix="appeal-web-"))  # private (0700); removed below
    try:
        posted = await uploads.receive(request, folder, lambda fields: form_key(request, fields))
        form_key(request, posted.fields)  # a form with no file: checked here
        files = [path for name, path in posted.files if name == "files"]
        with web_flow.opened(session.draft) as engine:
            kind, drafted = letter_of(session, engine)
            made = packets.build(engine.case, kind, docx=drafted.content, attachments=files,
                                 cover=posted.fields.get("send") != "mail")
            name = str(packets.default_name(Path(download_name(engine.case, kind))))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    session.packet = (name, made.content)
    session.told += [f"Your {made.page_count}-page PDF is ready to download below."] + made.warnings
    session.focus = "packet"  # not a #fragment: a browser skips autofocus on one
    return go("/letter")


@guarded
async def packet_pdf(request):
    session = request.app.state.session
    if session.packet is None:
        return go("/letter")
    name, content = session.packet
    return Response(content, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@guarded
async def sent(request):
    session = request.app.state.session
    data = await form(request)
    if session.recorded:
        return go("/letter")
    with web_flow.opened(session.draft) as engine:
        kind, drafted = letter_of(session, engine)
        told = record_sent(engine.case, engine.path, kind.name, drafted.content, session.packet,
                                             str(data.get("day", "")), str(data.get("method", "")) or None)
    session.recorded = told  # shown in place of the form, so a second press cannot record it twice
    session.focus = "sent"
    return go("/letter")


def record_sent(case, case_path: Path, kind: str, docx: bytes, packet: tuple[str, bytes] | None, day: str,
                method: str | None) -> list[str]:
    """'I sent it': the same record `appeal track add` makes (appeal.tracking.record), with a copy of the case and of
    what was sent (the PDF if one was made here, else the letter). Returns what to tell the person."""
    from appeal.cases.fields import format_date, parse_day
    from appeal.tracking.record import record_sent as record
    from appeal.tracking.store import FieldError

    sent = parse_day(day.strip(), "The day you sent it") if day.strip() else date.today()
    try:
        recorded = record(case, sent, kind=kind, method=method, case_path=case_path,
                          packet=packet or (f"letter-{kind}.docx", docx))
    except FieldError as error:  # named as the form names its boxes
        raise error.named({"sent": "The day you sent it", "method": "How you sent it"}) from None
    told = [f"Recorded as appeal #{recorded.appeal_id}: {recorded.status.level}, sent {format_date(sent)}."]
    if recorded.status.decision_due:
        told.append(f"The plan must decide by {format_date(recorded.status.decision_due)}.")
    told.append("See every appeal you sent, with its next dates, with: appeal status")
    return [*recorded.notices, *told]
