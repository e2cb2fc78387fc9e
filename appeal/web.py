"""`appeal web`: the questionnaire as a web page served on this computer only.

Why it is built this way:

* Health facts never leave the machine: the server listens on 127.0.0.1 only, loads nothing from the internet
  (its styles and one small script ship inside the package; the pages' Content-Security-Policy allows only this
  server), makes no network call and logs nothing (no access log).
* Other programs and web sites cannot use it: the address printed at start holds a secret made for this launch,
  exchanged for an HttpOnly, SameSite=Strict cookie; a request without it is refused (403), and so is one whose
  Host header is not this address (a DNS-rebinding page) and every form post without this launch's form key and
  this server's Origin (a cross-site post).
* The pages are the terminal questionnaire's (appeal.web_flow): same questions, same checks, same draft files.
* Starlette, Jinja2, uvicorn and python-multipart are imported only when `appeal web` runs.
"""

from __future__ import annotations

import errno
import secrets
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from appeal import safe_write
from appeal.errors import UserError
from appeal.resources import PACKAGE

ASSETS = PACKAGE / "web_assets"
COOKIE = "appeal_web"
MAX_UPLOAD = 50 * 1024 * 1024  # one attached file (checked after the upload: Starlette bounds only non-file parts)
HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # not "no-referrer": Chromium would then post with Origin: null
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]


@dataclass
class Session:
    """The one person using this launch: its secrets, and where they are in their draft (kept in memory; the
    draft itself is on disk after every answer)."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    cookie: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    draft: Path | None = None
    visited: list[list[str]] = field(default_factory=list)  # the pages shown as new, in order
    current: list[str] | None = None  # a page visited again (Back, or Change from the review); None: the next new one
    packet: tuple[str, bytes] | None = None
    recorded: list[str] = field(default_factory=list)  # "I sent it" was recorded: what the record says
    focus: str = ""  # where the letter's page puts the focus once: "packet" or "sent" just done, else the download
    told: list[str] = field(default_factory=list)  # said once on the next page
    letter: tuple[tuple, Any] | None = None  # the last letter drafted, with the draft file's state and the day

    @property
    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    @property
    def origins(self) -> set[str]:
        return {f"http://{host}" for host in self.hosts}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/start?token={self.token}"

    def start(self, draft: Path | None) -> None:
        self.draft, self.visited, self.current, self.packet, self.recorded, self.focus = draft, [], None, None, [], ""


# --------------------------------------------------------------------------------------------------------------
# Listening


def listen(port: int = 0) -> socket.socket:
    """A socket on 127.0.0.1 only (port 0: a free one), or a clear message when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise UserError(f"--port {port}: another program is already using that port. Choose another number, or "
                            "leave --port out to use a free one.") from None
        if error.errno == errno.EACCES:
            raise UserError(f"--port {port}: this computer does not let you use that port; choose one above 1024, "
                            "or leave --port out.") from None
        raise UserError(f"--port {port}: cannot listen on it ({error.strerror}).") from None
    sock.listen(64)
    return sock


def server(sock: socket.socket, session: Session):
    """The uvicorn server for the app on an already listening socket (no access log: nothing personal in logs)."""
    import uvicorn

    config = uvicorn.Config(create_app(session), log_level="warning", access_log=False, lifespan="off",
                            server_header=False, date_header=False)
    return uvicorn.Server(config)


def serve(port: int = 0, open_browser: bool = True) -> int:
    """`appeal web`: print the address, open the browser, serve until Ctrl-C."""
    sock = listen(port)
    session = Session(sock.getsockname()[1])
    print(session.url, flush=True)
    print("This page runs on your computer only; nothing you type leaves it. Press Ctrl-C here to stop.", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(session.url)
    try:
        server(sock, session).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down cleanly on Ctrl-C, then raises it again
        pass
    finally:
        sock.close()
    where = f" Your answers are saved in {session.draft}." if session.draft else ""
    print(f"Stopped.{where}", flush=True)
    return 0


# --------------------------------------------------------------------------------------------------------------
# The guard in front of every request


class Guard:
    """Refuses what is not this person's browser on this address; adds the security headers to every answer."""

    def __init__(self, app, session: Session):
        self.app = app
        self.session = session

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.requests import Request

        request = Request(scope)
        session = self.session
        if request.headers.get("host", "") not in session.hosts:
            return await self._refuse(scope, receive, send, "This address is not the one appeal web serves.")
        if scope["path"] != "/start":
            if not secrets.compare_digest(request.cookies.get(COOKIE, ""), session.cookie):
                return await self._refuse(scope, receive, send, "Open the address that `appeal web` printed in "
                                          "your terminal (it holds the key to this page).")
            if request.method not in ("GET", "HEAD", "POST"):
                return await self._refuse(scope, receive, send, "Not allowed.")
            if request.method == "POST" and request.headers.get("origin") not in session.origins:
                return await self._refuse(scope, receive, send, "A form from another page was refused.")

        async def secured(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, receive, secured)

    async def _refuse(self, scope, receive, send, why: str):
        from starlette.responses import PlainTextResponse

        await PlainTextResponse(f"Refused. {why}", status_code=403, headers=dict(
            (name.decode(), value.decode()) for name, value in HEADERS))(scope, receive, send)


# --------------------------------------------------------------------------------------------------------------
# The pages


def create_app(session: Session):
    """The Starlette app for one launch."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.templating import Jinja2Templates

    from appeal import questionnaire, web_flow

    templates = Jinja2Templates(directory=str(ASSETS / "templates"))

    def render(request, template: str, status: int = 200, **values: Any):
        told, session.told = session.told, []
        return templates.TemplateResponse(request, template, {"csrf": session.csrf, "told": told, "skip": web_flow.SKIP,
                                                    "again": web_flow.AGAIN, **values},
                                          status_code=status)

    def go(path: str):
        return RedirectResponse(path, status_code=303)

    async def form(request, **limits) -> dict:
        data = await request.form(**limits)
        if not secrets.compare_digest(str(data.get("csrf", "")), session.csrf):
            raise UserError("This form is out of date (appeal web was started again). Go back to the start page.")
        return data

    def problem(request, error: UserError):
        if isinstance(error, questionnaire.DraftInUse):
            return render(request, "message.html", 409, title="This draft is open somewhere else",
                          text=str(error), copy=True)
        return render(request, "message.html", 400, title="Something needs your attention", text=str(error))

    def guarded(handler):
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

    # ---- start and choosing a draft

    async def start(request):
        if not secrets.compare_digest(request.query_params.get("token", ""), session.token):
            return Response("Refused. Open the address that `appeal web` printed in your terminal.", 403)
        response = go("/")
        response.set_cookie(COOKIE, session.cookie, httponly=True, samesite="strict", path="/")
        return response

    @guarded
    async def home(request):
        from appeal.cli import _describe_draft

        session.told += questionnaire.set_aside_damaged_drafts()
        drafts = [(path.name, _describe_draft(path).removeprefix("Yes, resume "))
                  for path in questionnaire.find_unfinished_drafts()[:8]]
        return render(request, "home.html", drafts=drafts, folder=questionnaire.drafts_folder())

    @guarded
    async def new(request):
        data = await form(request)
        chosen = str(data.get("draft", ""))
        if chosen:
            found = {path.name: path for path in questionnaire.find_unfinished_drafts()}
            if chosen not in found:
                raise UserError("That draft is no longer in the drafts folder.")
            session.start(found[chosen])
            session.told.append("Welcome back: your answers so far are kept. Carry on below, or press Back to "
                                "see earlier ones.")
        else:
            session.start(None)
        return go("/questions")

    @guarded
    async def copy(request):
        await form(request)
        if session.draft:
            session.start(questionnaire.copy_draft(session.draft))
        return go("/questions")

    # ---- the questions

    def progress_of(engine) -> dict:
        done, total = web_flow.progress(engine)
        return {"done": done, "total": max(total, 1)}

    def current_keys(engine) -> list[str] | None:
        if session.current is not None:
            keys = web_flow.still_asked(engine, session.current)
            if keys:
                return keys
            session.current = None
        keys = web_flow.frontier(engine)
        if keys and keys not in session.visited:
            session.visited.append(keys)
        return keys

    def show(request, engine, shown, status: int = 200):
        return render(request, "questions.html", status, page=shown, progress=progress_of(engine),
                      errors=web_flow.errors(shown),
                      first=not [key for key in engine.progress.history if key not in shown.keys])

    @guarded
    async def questions(request):
        with web_flow.opened(session.draft) as engine:
            keys = current_keys(engine) if not engine.progress.item else [engine.progress.item["group"]]
            if keys is None:
                return go("/review")
            return show(request, engine, web_flow.page(engine, keys))

    def back(engine, keys: list[str]) -> None:
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

    def forward(keys: list[str]) -> None:
        if session.current is None:
            return
        visited = session.visited
        at = visited.index(keys) if keys in visited else None
        session.current = visited[at + 1] if at is not None and at + 1 < len(visited) else None

    @guarded
    async def answer(request):
        data = await form(request)
        action = str(data.get("action", "next"))
        keys = [str(key) for key in data.getlist("key") if str(key) in questionnaire.ENTRIES]
        with web_flow.opened(session.draft) as engine:
            item = engine.progress.item
            if item:
                if action == "leave":
                    web_flow.leave_item(engine)
                else:
                    shown = web_flow.submit(engine, keys, data)
                    if web_flow.errors(shown) or shown.kind == "item":
                        session.draft = engine.path
                        return show(request, engine, shown, 422 if web_flow.errors(shown) else 200)
                session.draft = engine.path
                return go("/questions")
            if not keys:
                return go("/questions")
            entry = questionnaire.ENTRIES[keys[0]]
            if isinstance(entry, questionnaire.Group):
                if action == "back":
                    back(engine, keys)
                elif web_flow.group_action(engine, entry, action):
                    forward(keys)
                session.draft = engine.path if engine.saved else session.draft
                return go("/questions")
            shown = web_flow.submit(engine, keys, data)
            session.draft = engine.path if engine.saved else session.draft
            if action == "back":
                back(engine, keys)
                return go("/questions")
            if web_flow.errors(shown):
                return show(request, engine, shown, 422)
            forward(keys)
        return go("/questions")

    @guarded
    async def autosave(request):
        """One answer as the person leaves its field (the small script): saved at once, or its problem shown."""
        from starlette.responses import JSONResponse

        data = await form(request)
        key = str(data.get("key", ""))
        if key not in questionnaire.ENTRIES or session.draft is None:
            return JSONResponse({"error": None, "saved": False})
        with web_flow.opened(session.draft) as engine:
            entry = questionnaire.ENTRIES[key]
            if engine.progress.item or isinstance(entry, questionnaire.Group) or not web_flow.still_asked(engine, [key]):
                return JSONResponse({"error": None, "saved": False})
            shown = web_flow.page(engine, [key]).fields[0]
            web_flow._answer(engine, entry, {**data, key: data.get("value", "")}, None, shown)
            return JSONResponse({"error": None if shown.picks else shown.error, "saved": shown.error is None})

    # ---- review, letter, packet, sent

    @guarded
    async def review(request):
        with web_flow.opened(session.draft) as engine:
            return render(request, "review.html", sections=web_flow.review(engine), readiness=engine._readiness(),
                          warnings=engine.case.warnings(), left=web_flow.frontier(engine) is not None,
                          progress=progress_of(engine))

    @guarded
    async def change(request):
        data = await form(request)
        key = str(data.get("key", ""))
        if key in questionnaire.ENTRIES:
            session.current = [key]
        return go("/questions")

    @guarded
    async def finish(request):
        await form(request)
        with web_flow.opened(session.draft) as engine:
            if web_flow.frontier(engine) is not None:
                return go("/questions")
            web_flow.finish(engine)
        return go("/letter")

    def letter_of(engine):
        """The letter for the draft as it is on disk: drafted once, then reused by the letter page, the download,
        the packet and 'I sent it' until an answer changes the file (or the date on the letter changes)."""
        from appeal import draft

        stat = engine.path.stat() if engine.path and engine.path.is_file() else None
        key = (str(engine.path), stat.st_ino, stat.st_mtime_ns, stat.st_size, date.today()) if stat else None
        if key is None or session.letter is None or session.letter[0] != key:
            kind = draft.choose_kind(engine.case, None)
            session.letter = (key, (kind, draft.draft(engine.case, kind)))
        return session.letter[1]

    @guarded
    async def letter(request):
        from appeal import deadlines, next_steps
        from appeal.questions import blank_facts

        if session.draft is None:
            return go("/")
        with web_flow.opened(session.draft) as engine:
            kind, drafted = letter_of(engine)
            case = engine.case
        blanks = [(label, " / ".join(f"“{engine._words(question.prompt)}”" for question in questions) or None)
                  for label, questions in blank_facts(drafted.blanks)]  # one line per fact, as the terminal lists
        steps = next_steps.sections(case, drafted.enclosures, suggested=drafted.suggested_enclosures) if kind.sent_to_plan else []
        earliest = deadlines.report(case).earliest if case.denial is not None else None
        from appeal.track_store import METHODS

        focus, session.focus = session.focus, ""
        return render(request, "letter.html", kind=kind, drafted=drafted, blanks=blanks, steps=steps,
                      earliest=earliest, today=date.today(), packet=session.packet, methods=METHODS,
                      recorded=session.recorded, focus=focus,
                      name=_download_name(case, kind))

    @guarded
    async def letter_docx(request):
        with web_flow.opened(session.draft) as engine:
            kind, drafted = letter_of(engine)
            name = _download_name(engine.case, kind)
        return Response(drafted.content, media_type="application/vnd.openxmlformats-officedocument."
                        "wordprocessingml.document", headers={"content-disposition": f'attachment; filename="{name}"'})

    @guarded
    async def packet(request):
        from appeal import packet as packets

        data = await form(request, max_files=20, max_part_size=MAX_UPLOAD)
        folder = Path(tempfile.mkdtemp(prefix="appeal-web-"))  # private (0700); removed below
        try:
            files = []
            for number, upload in enumerate(data.getlist("files"), 1):
                if not getattr(upload, "filename", None):
                    continue
                name = Path(upload.filename).name
                if name in ("", ".", ".."):
                    name = f"file-{number}"
                content = await upload.read()
                if len(content) > MAX_UPLOAD:
                    raise UserError(f"The file {name} is {_size(len(content))}; a file to attach can be at most "
                                    f"{_size(MAX_UPLOAD)}. Make it smaller (for example, scan at a lower "
                                    "resolution) and try again.")
                path = folder / f"{number:02d}" / name  # the packet's bookmark shows the file's own name
                path.parent.mkdir(mode=0o700)
                safe_write.write_bytes(path, content, overwrite=False)  # owner-only, like every file we write
                files.append(path)
            with web_flow.opened(session.draft) as engine:
                kind, drafted = letter_of(engine)
                made = packets.build(engine.case, kind, docx=drafted.content, attachments=files,
                                     cover=data.get("send") != "mail")
                name = str(packets.default_name(Path(_download_name(engine.case, kind))))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        session.packet = (name, made.content)
        session.told += [f"Your {made.page_count}-page PDF is ready to download below."] + made.warnings
        session.focus = "packet"  # not a #fragment: a browser skips autofocus on one
        return go("/letter")

    @guarded
    async def packet_pdf(request):
        if session.packet is None:
            return go("/letter")
        name, content = session.packet
        return Response(content, media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    @guarded
    async def sent(request):
        data = await form(request)
        if session.recorded:
            return go("/letter")
        with web_flow.opened(session.draft) as engine:
            kind, drafted = letter_of(engine)
            told = record_sent(engine.case, engine.path, kind.name, drafted.content, session.packet,
                               str(data.get("day", "")), str(data.get("method", "")) or None)
        session.recorded = told  # shown in place of the form, so a second press cannot record it twice
        session.focus = "sent"
        return go("/letter")

    routes = [
        Route("/start", start),
        Route("/", home),
        Route("/new", new, methods=["POST"]),
        Route("/copy", copy, methods=["POST"]),
        Route("/questions", questions),
        Route("/questions", answer, methods=["POST"]),
        Route("/autosave", autosave, methods=["POST"]),
        Route("/review", review),
        Route("/change", change, methods=["POST"]),
        Route("/finish", finish, methods=["POST"]),
        Route("/letter", letter),
        Route("/letter.docx", letter_docx),
        Route("/packet", packet, methods=["POST"]),
        Route("/packet.pdf", packet_pdf),
        Route("/sent", sent, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(ASSETS / "static")), name="static"),
    ]
    return Guard(Starlette(routes=routes), session)


def _size(count: int) -> str:
    """A byte count as a person reads it: '52 MB', or '3 KB' below one megabyte."""
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{max(1, round(count / 1024))} KB"


def _download_name(case, kind) -> str:
    from appeal import draft

    return draft.default_name(case, kind).name


def record_sent(case, case_path: Path, kind: str, docx: bytes, packet: tuple[str, bytes] | None, day: str,
                method: str | None) -> list[str]:
    """'I sent it': the same record `appeal track add` makes (appeal.track_record), with a copy of the case and of
    what was sent (the PDF if one was made here, else the letter). Returns what to tell the person."""
    from appeal.fields import format_date, parse_day
    from appeal.track_record import record_sent as record
    from appeal.track_store import FieldError

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


def command(port: int | None, open_browser: bool) -> int:
    """The CLI entry point."""
    return serve(port or 0, open_browser)
