"""`appeal web`: the questionnaire as a web page served on this computer only.

Why it is built this way:

* Health facts never leave the machine: the server listens on 127.0.0.1 only, loads nothing from the internet
  (its styles and one small script ship inside the package; the pages' Content-Security-Policy allows only this
  server), makes no network call and logs nothing (no access log).
* Other programs and web sites cannot use it: the address printed at start (the start link) holds a secret made
  for this launch, exchanged at its first visit for an HttpOnly, SameSite=Strict cookie; the link then works no
  more (a copy in the browser's history, or seen by someone else, opens nothing). A request without the cookie is
  refused (403), and so is one whose Host header is not this address (a DNS-rebinding page) and every form post
  without this launch's form key and this server's Origin (a cross-site post). The browser is opened on a
  private page on disk that leads to the link (appeal.web.opener), never with the link on its command line.
* The pages (appeal.web.pages, one handler a page) ask the intake engine's questions (appeal.web.flow): the
  terminal's questions, checks and draft files.
* Each request is answered in its browser's language (`language_of`): the one chosen with the switch on every page
  (a cookie), else Accept-Language, else the launch's (`--lang`, the locale). It is set for that request only
  (`appeal.base.language.reading`), since the server answers from several threads at once.
* Starlette, Jinja2, uvicorn and python-multipart are imported only when `appeal web` runs.
"""

from __future__ import annotations

import errno
import functools
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appeal.base import language
from appeal.base.errors import UserError
from appeal.base.language import translate as _
from appeal.web import opener

ASSETS = Path(__file__).resolve().parent / "assets"
HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # not "no-referrer": Chromium would then post with Origin: null
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]


# what a browser may fetch without the cookie: the start link itself, and the stylesheet (shipped in the package,
# nothing personal), so that the "link already used" page reads like the rest
WITHOUT_KEY = {"/start", "/static/style.css"}


@dataclass
class Work:
    """One window's letter: the draft it works on and where the person is in it (kept in memory; the draft itself
    is on disk after every answer). Its id is in the address and the forms of that window (`?w=ID`), never in a
    cookie, so a second window opened on the start page chooses its own draft instead of taking over the first's."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(8))
    draft: Path | None = None
    visited: list[list[str]] = field(default_factory=list)  # the pages shown as new, in order
    current: list[str] | None = None  # a page visited again (Back, or Change from the review); None: the next new one
    packet: tuple[str, bytes] | None = None
    recorded: list[str] = field(default_factory=list)  # "I sent it" was recorded: what the record says
    appeal_id: int | None = None  # the tracked appeal "I sent it" recorded (or found already recorded)
    focus: str = ""  # where the letter's page puts the focus once: "packet" or "sent" just done, else the download
    told: list[str] = field(default_factory=list)  # said once on this window's next page
    letter: tuple[tuple, Any] | None = None  # the last letter drafted, with the draft file's state and the day
    saved: tuple[Path, Path, bytes] | None = None  # the letter and case file kept, and the letter as written
    edited: tuple[str, Path] | None = None  # the letter as the person edited it and gave it back: (its name, our copy)
    summary: Path | None = None  # "Qué dice su carta" kept beside the letter (a person reading Spanish)
    named: tuple[str, str] = ("", "")  # the patient's name and the letter's kind, once the letter is written
    letter_lang: str = "en"  # the language of the letter itself (for a plan that accepts Spanish): en or es

    @property
    def title(self) -> str:
        """How the start page names this letter ("Dana Whitfield: Appeal letter"), in the reader's language."""
        who, kind = self.named
        return _("{name}: {kind}").format(name=who or _("No name yet"), kind=_(kind))


@dataclass
class Session:
    """The one person using this launch: its secrets, and the letters its windows work on."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    token_used: bool = False  # the start link works once
    opener: Path | None = None  # the redirect page the browser was opened on (appeal.web.opener), until used
    cookie: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    works: dict[str, Work] = field(default_factory=dict)  # by id, in the order started
    notice: Any = None  # a denial notice read on the notice page, until its answers start from it
    told: list[str] = field(default_factory=list)  # said once on the start page
    folder: Path = field(default_factory=Path.cwd)  # where finished letters and their case files are kept
    office: Any = None  # the LibreOffice kept for this session's PDFs (appeal.output.office_server), from the first
    default_language: str = field(default_factory=language.current)  # the launch's (`--lang`, the locale): the default

    def stop(self) -> None:
        """What the session leaves running stopped: its LibreOffice."""
        if self.office is not None:
            self.office.stop()

    @property
    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    @property
    def origins(self) -> set[str]:
        return {f"http://{host}" for host in self.hosts}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/start?token={self.token}"

    def start(self, draft: Path | None) -> Work:
        """A new window's letter: a draft chosen on the start page (None: a new one)."""
        work = Work(draft=draft)
        self.works[work.id] = work
        return work

    @property
    def last_draft(self) -> Path | None:
        drafts = [work.draft for work in self.works.values() if work.draft]
        return drafts[-1] if drafts else None


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
    """`appeal web`: print the address, open the browser, serve until Ctrl-C (or SIGTERM).

    The server runs in a thread of its own; this, the main thread, waits for it. Ctrl-C and SIGTERM only tell the
    server to stop (`Stopping`): they raise nothing, so wherever they come (while uvicorn is still being imported,
    while this thread waits, during the clean-up) the clean-up runs whole and the exit status is 0. A
    KeyboardInterrupt raised in Thread.join() made Python 3.11 take the server's thread for ended (bpo-45274), and
    the clean-up ran while it still served. Once stopped, both signals are ignored: a Ctrl-C pressed again while
    Python exits found its default action back (the process killed by SIGINT, status -2)."""
    import signal
    import threading

    sock = listen(port)
    session = Session(sock.getsockname()[1])
    stopping = Stopping()
    previous = {signum: signal.signal(signum, stopping) for signum in (signal.SIGINT, signal.SIGTERM)}
    print(session.url, flush=True)
    print(_("This page runs on your computer only; nothing you type leaves it. Press Ctrl-C here to stop."), flush=True)
    print(_("The link above works once.") + " " + (_("If your browser does not open it, copy it into your browser.")
                                                   if open_browser else _("Copy it into your browser.")), flush=True)
    print(_("Finished letters are saved in {folder}, each with its case file beside it.").format(
        folder=session.folder), flush=True)
    thread = None
    try:
        if open_browser and not stopping.asked:
            session.opener = opener.open_browser(session.url)
        if not stopping.asked:
            stopping.server = server(sock, session)
            stopping.server.should_exit = stopping.asked  # a Ctrl-C while it was being made
            thread = threading.Thread(target=stopping.server.run, kwargs={"sockets": [sock]}, name="appeal-web",
                                      daemon=True)
            thread.start()
            thread.join()
    finally:
        if thread is not None:
            stopping(None, None)  # the server may have ended on its own (an error): nothing else waits for it
            thread.join()
        sock.close()
        opener.remove(session.opener)
        session.stop()
        for signum in previous:  # stopped: nothing is left for a signal to stop
            signal.signal(signum, signal.SIG_IGN)
    where = (" " + _("Your answers are saved in {path}.").format(path=session.last_draft)) if session.last_draft else ""
    print(_("Stopped.") + where, flush=True)
    return 0


class Stopping:
    """The signal handler of `serve`: the first Ctrl-C (or SIGTERM) asks the server to stop after the requests under
    way; a second stops it without waiting for them (uvicorn's own rule)."""

    def __init__(self):
        self.asked = False
        self.server = None  # the uvicorn server, once made

    def __call__(self, signum, frame) -> None:
        if self.asked and self.server is not None:
            self.server.force_exit = True
        self.asked = True
        if self.server is not None:
            self.server.should_exit = True


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
        with language.reading(language_of(request, self.session)):
            await self._answer(request, scope, receive, send)

    async def _answer(self, request, scope, receive, send):
        from appeal.web.pages import COOKIE

        session = self.session
        if request.headers.get("host", "") not in session.hosts:
            return await self._refuse(scope, receive, send, _("This address is not the one appeal web serves."))
        if scope["path"] not in WITHOUT_KEY:
            if not secrets.compare_digest(request.cookies.get(COOKIE, ""), session.cookie):
                return await self._refuse(scope, receive, send, _("Open the address that `appeal web` printed in "
                                                                  "your terminal (it holds the key to this page)."))
            if request.method not in ("GET", "HEAD", "POST"):
                return await self._refuse(scope, receive, send, _("Not allowed."))
            if request.method == "POST" and request.headers.get("origin") not in session.origins:
                return await self._refuse(scope, receive, send, _("A form from another page was refused."))

        async def secured(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, receive, secured)

    async def _refuse(self, scope, receive, send, why: str):
        from starlette.responses import PlainTextResponse

        await PlainTextResponse(_("Refused. {why}").format(why=why), status_code=403, headers=dict(
            (name.decode(), value.decode()) for name, value in HEADERS))(scope, receive, send)


def language_of(request, session: Session) -> str:
    """The language to answer this request in: the one chosen with the pages' switch (its cookie), else the one
    the browser asks for first (Accept-Language: es, es-US, es-MX... are Spanish), else the launch's."""
    from appeal.web.pages import LANGUAGE_COOKIE

    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in language.CATALOGS or chosen == language.ENGLISH:
        return chosen
    return language.from_accept_language(request.headers.get("accept-language", "")) or session.default_language


# --------------------------------------------------------------------------------------------------------------
# The app: each address and its page (appeal.web.pages)


def create_app(session: Session):
    """The Starlette app for one launch: the routes to the pages, which find the session and the templates in the
    app's state."""
    from starlette.applications import Starlette
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.templating import Jinja2Templates

    from appeal.web import notice_page, pages

    routes = [
        Route("/start", pages.start),
        Route("/", pages.home),
        Route("/new", pages.new, methods=["POST"]),
        Route("/copy", pages.copy, methods=["POST"]),
        Route("/questions", pages.questions),
        Route("/questions", pages.answer, methods=["POST"]),
        Route("/autosave", pages.autosave, methods=["POST"]),
        Route("/review", pages.review),
        Route("/change", pages.change, methods=["POST"]),
        Route("/finish", pages.finish, methods=["POST"]),
        Route("/letter", pages.letter),
        Route("/letter.docx", pages.letter_docx),
        Route("/letter-language", pages.letter_language_choice, methods=["POST"]),
        Route("/summary.docx", pages.summary_docx),
        Route("/packet", pages.packet, methods=["POST"]),
        Route("/packet.pdf", pages.packet_pdf),
        Route("/notice", notice_page.notice_form),
        Route("/notice", notice_page.notice_read, methods=["POST"]),
        Route("/notice/use", notice_page.notice_use, methods=["POST"]),
        Route("/edited", pages.edited, methods=["POST"]),
        Route("/sent", pages.sent, methods=["POST"]),
        Route("/track", pages.track),
        Route("/language", pages.switch_language, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(ASSETS / "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.session = session
    app.state.templates = Jinja2Templates(env=templates_environment())
    return Guard(app, session)


@functools.cache
def templates_environment():
    """The pages' Jinja2 environment: autoescaped, with `_()` and `ngettext()` over the request's language (the
    gettext catalogs, so the pages' words are extracted and translated as the rest: README "Translations"). One for
    the process, so each template is compiled once (a quarter of a second for all), not once per server started
    (the tests start one per test); nothing in it belongs to a launch."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ASSETS / "templates")), autoescape=True,
                                     extensions=["jinja2.ext.i18n"])
    environment.install_gettext_callables(language.translate, language.ngettext, newstyle=True)
    environment.globals.update(language=language.current, long_date=language.long_date)
    return environment


def command(port: int | None, open_browser: bool) -> int:
    """The CLI entry point."""
    return serve(port or 0, open_browser)
