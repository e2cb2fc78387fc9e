"""Shared by the `appeal web` tests: the real server on a free loopback port in a thread, a plain HTTP client that
can send any Host and Origin header, and Debian's chromium driven by Playwright with the keyboard alone.

The server's socket is listening before the thread starts, so a request made at once waits in the socket's
queue: nothing waits on a timer. Screenshots go to test-artifacts/screenshots/ at the top of the checkout
(gitignored), or to $APPEAL_SCREENSHOTS.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appeal.cases import case_paths
from appeal.intake import engine as intake_engine
from appeal.web import app as web
from appeal.web.flow import SKIP

SCREENSHOTS = Path(os.environ.get("APPEAL_SCREENSHOTS") or Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Running:
    """`appeal web`'s server for one test: started on a free port, stopped (and joined) at the end."""

    def __init__(self):
        self.sock = web.listen(0)
        self.port = self.sock.getsockname()[1]
        self.session = web.Session(self.port)
        self.server = web.server(self.sock, self.session)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return self.session.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.sock.close()
        self.session.stop()


@pytest.fixture
def running(monkeypatch, tmp_path):
    """The server for one test, with its own empty HOME and data folder (drafts, the tracking record)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)  # finished letters and their case files are kept in the folder it starts in
    server = Running()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _one_office():
    """The LibreOffice of every test here that makes a PDF without looking at LibreOffice itself: started once per
    test process (its start was most of such a test's time), at once, so it starts while the letter is drafted."""
    from appeal.output import office_server

    office = office_server.Server()
    office.start_soon()
    yield office
    office.stop()


@pytest.fixture
def kept_office(running, _one_office):
    """`running`'s session makes its PDFs with the shared LibreOffice, and leaves it running when it stops (the
    session's own LibreOffice, started on first need and stopped with it, is test_web.py's
    test_the_sessions_pdfs_share_one_libreoffice_which_is_gone_when_the_session_ends)."""
    running.session.office = _one_office
    yield _one_office
    running.session.office = None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


class Client:
    """A plain HTTP client with full control of Host, Origin and Cookie (what a hostile page could send).

    Like a browser window, it keeps to the letter it opened: the `?w=ID` of the last address it was sent on to is
    added to the addresses of a letter's pages that lack one (`work`; None: as typed)."""

    def __init__(self, running: Running, accept_language: str | None = None):
        self.running = running
        self.cookie: str | None = None
        self.work: str | None = None
        self.accept_language = accept_language  # the Accept-Language header a browser sends (None: none)

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {**headers, "Accept-Language": self.accept_language} if self.accept_language else headers

    def at(self, path: str) -> str:
        """The path, with this window's letter when it is a letter's page."""
        if self.work is None or "w=" in path or path == "/" or path.startswith(("/start", "/static", "/new")):
            return path
        return f"{path}{'&' if '?' in path else '?'}w={self.work}"

    def _follow(self, headers: dict[str, str]) -> None:
        found = re.search(r"[?&]w=([^&]+)", headers.get("location", ""))
        if found:
            self.work = found.group(1)
        given = headers.get("set-cookie", "").split(";")[0]
        if given and self.cookie:  # another cookie after the key's (the language chosen): kept beside it
            name = given.split("=")[0]
            self.cookie = "; ".join([kept for kept in self.cookie.split("; ") if kept.split("=")[0] != name] + [given])

    def request(self, method: str, path: str, form: dict[str, Any] | None = None, *, host: str | None = None,
                origin: str | None = "same", cookie: str | None = "same") -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.running.port)
        headers = {"Host": host or f"127.0.0.1:{self.running.port}"}
        if cookie == "same" and self.cookie:
            headers["Cookie"] = self.cookie
        elif cookie not in ("same", None):
            headers["Cookie"] = cookie
        body = None
        if method == "POST":
            if origin == "same":
                headers["Origin"] = f"http://127.0.0.1:{self.running.port}"
            elif origin is not None:
                headers["Origin"] = origin
            body = urllib.parse.urlencode(form or {}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, self.at(path), body=body, headers=self._headers(headers))
        response = connection.getresponse()
        reply = Reply(response.status, {name.lower(): value for name, value in response.getheaders()},
                      response.read().decode("utf-8", "replace"))
        connection.close()
        self._follow(reply.headers)
        return reply

    def login(self) -> Reply:
        reply = self.request("GET", "/start?token=" + self.running.session.token)
        self.cookie = reply.headers["set-cookie"].split(";")[0]
        return reply

    def post(self, path: str, form: dict[str, Any] | None = None, **options) -> Reply:
        return self.request("POST", path, {"csrf": self.running.session.csrf, **(form or {})}, **options)

    def post_files(self, path: str, form: dict[str, str], files: list[tuple[str, str, bytes]]) -> Reply:
        """A multipart form post, as a browser sends a file input: files are (field, file name, content)."""
        boundary = "appeal-test-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in {"csrf": self.running.session.csrf, **form}.items()]
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
                  for name, filename, content in files]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.running.port)
        connection.request("POST", self.at(path), body=body, headers=self._headers({
            "Host": f"127.0.0.1:{self.running.port}", "Origin": f"http://127.0.0.1:{self.running.port}",
            "Cookie": self.cookie or "", "Content-Type": f"multipart/form-data; boundary={boundary}"}))
        response = connection.getresponse()
        reply = Reply(response.status, {name.lower(): value for name, value in response.getheaders()},
                      response.read().decode("utf-8", "replace"))
        connection.close()
        self._follow(reply.headers)
        return reply

    def get_bytes(self, path: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.running.port)
        connection.request("GET", self.at(path), headers=self._headers({"Host": f"127.0.0.1:{self.running.port}",
                                                                        "Cookie": self.cookie or ""}))
        content = connection.getresponse().read()
        connection.close()
        return content

    def get(self, path: str, **options) -> Reply:
        return self.request("GET", path, **options)


# --------------------------------------------------------------------------------------------------------------
# The browser, with the keyboard alone

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "body"};
  const info = {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", value: el.value || "",
                text: (el.innerText || "").trim(), id: el.id};
  const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
  info.label = label ? label.innerText.trim() : "";
  const set = el.closest("fieldset");
  info.legend = set ? set.querySelector("legend").textContent.trim() : "";
  if (el.type === "radio") {
    const radios = [...document.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`)];
    info.options = radios.map(r => document.querySelector(`label[for="${r.id}"]`).innerText.trim());
    info.values = radios.map(r => r.value);
    info.index = radios.indexOf(el);
    info.checked = radios.findIndex(r => r.checked);
  }
  return info;
}"""


# what `Keyboard.run` reads of each page at once (one round trip): its heading, whether it is a list's page (an
# "Add" button) and whether it is an entry of a list (a "Leave" button)
_PAGE = """() => [document.querySelector("h1").innerText, !!document.querySelector("button[value=add]"),
         !!document.querySelector("button[value=leave]")]"""


# Resolves once the page's autofocus holds the focus (at once if it does, or if the page has none), on the focus
# event itself; never on a page that is about to be replaced (the start link's page refreshes to the start page).
# Evaluated as DevTools evaluates, which the pages' Content-Security-Policy leaves alone. The bound only ends a
# failing test with a message.
_SETTLED = """() => new Promise((done, failed) => {
  setTimeout(() => failed(new Error("the autofocus never took the focus")), 30000);
  if (document.querySelector("meta[http-equiv=refresh]")) return;  // the next page is the one to wait for
  const ready = () => !document.querySelector("[autofocus]") || !!document.querySelector("[autofocus]:focus");
  if (ready()) return done();
  const check = () => { if (ready()) { document.removeEventListener("focusin", check); done(); } };
  document.addEventListener("focusin", check);
})"""


def settled(page) -> None:
    """Wait until the page's autofocus has moved the focus (the browser does it just after load), on the page the
    browser ends on. On the focus event, not a selector wait: that one loaded Playwright's selector engine into
    every page, a third of the browser's work for a page of the journeys."""
    from playwright.sync_api import Error

    for _ in range(5):
        try:
            page.evaluate(_SETTLED)
            return
        except Error as error:  # the page was replaced while it was waited on: wait on the one that replaced it
            if "context was destroyed" not in str(error):
                raise
            page.wait_for_load_state()
    raise AssertionError(f"{page.url} kept being replaced")


def text_of(page, selector: str) -> str | None:
    """The innerText of the first element a CSS selector finds (what `page.inner_text` gives), or None when there is
    none: read by one evaluate, without loading Playwright's selector engine into the page (see `settled`)."""
    return page.evaluate("selector => document.querySelector(selector)?.innerText ?? null", selector)


def _matches(script: dict[str, Any], words: str) -> Any:
    """The scripted answer whose key is in the question (longest key wins), or None."""
    found = [key for key in script if key.lower() in words.lower()]
    return script[max(found, key=len)] if found else None


class Keyboard:
    """Answers `appeal web`'s pages with Tab, typing, arrow keys, Space and Enter only; reads the page (the focused
    element, its label) only to decide what to type, as a person reads the screen. The buttons are known by their
    values, not their words, so a page in any language is answered the same way.

    script: {words in a question: answer}; a radio answer is words of the option's label. lists: {words in the
    list's question: [ {words in an item question: answer}, ... ]}. Unscripted questions are left as they are."""

    def __init__(self, page, script: dict[str, Any], lists: dict[str, list[dict[str, Any]]], shots: str | None = None):
        self.page = page
        self.script = script
        self.lists = {key: list(value) for key, value in lists.items()}
        self.entry: dict[str, Any] | None = None
        self.seen: list[str] = []
        self.shots = shots
        self.count = 0

    def focused(self) -> dict:
        return self.page.evaluate(_FOCUSED)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def submit(self) -> None:
        with self.page.expect_navigation():
            self.press("Enter")
        settled(self.page)

    def shot(self) -> None:
        if self.shots:
            self.count += 1
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^a-z0-9]+", "-", self.page.title().lower()).strip("-")[:40]
            self.page.screenshot(path=str(SCREENSHOTS / f"{self.shots}-{self.count:02d}-{name}.png"), full_page=True)

    def run(self, limit: int = 120, on_page=None) -> None:
        """Answer page after page until the review; on_page(page) is called on each one first."""
        for _ in range(limit):
            if "/review" in self.page.url:
                return
            self.shot()
            if on_page:
                on_page(self.page)
            heading, listing, adding = self.page.evaluate(_PAGE)
            self.seen.append(heading)
            if listing:
                self._group(heading)
            else:
                self._fields(adding)
        raise AssertionError(f"no review after {limit} pages; last: {self.seen[-5:]}")

    def _group(self, heading: str) -> None:
        pending = _matches(self.lists, heading)
        wanted = "done"
        if pending:
            self.entry = pending.pop(0)
            wanted = "add"
        for _ in range(40):  # the focus starts on the usual answer; Tab (around the page) to the one wanted
            if self.page.evaluate("document.activeElement.value || ''") == wanted:
                self.submit()
                return
            self.press("Tab")
        raise AssertionError(f"no '{wanted}' button on {heading}")

    def _fields(self, adding: bool | None = None) -> None:
        """Answer the page's fields in Tab order and press Next; `adding`: the page is an entry of a list (None:
        look)."""
        if adding is None:
            adding = self.page.evaluate("!!document.querySelector('button[value=leave]')")
        script = self.entry if adding and self.entry else self.script
        done: set[str] = set()
        for _ in range(80):
            info = self.focused()
            if info["tag"] == "button":
                if info["value"] == "next":  # "Next", or "Save this one" on a list's entry
                    self.submit()
                    return
                self.press("Tab")
                continue
            if info["tag"] in ("input", "textarea") and info["name"] not in done:
                done.add(info["name"])
                self._answer(info, script)
            self.press("Tab")
        raise AssertionError("never reached the Next button")

    def _answer(self, info: dict, script: dict[str, Any]) -> None:
        question = info["legend"] if info["type"] == "radio" else info["label"]
        answer = _matches(script, question)
        if isinstance(answer, list):  # answers in turn: a typo first, then the correction
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        skip = info["type"] == "radio" and info["checked"] < 0 and info["values"][-1] == SKIP
        if answer is None and skip:
            answer = SKIP  # nothing is preselected: a person leaving it out chooses Skip
        if answer is None:
            return
        if info["type"] == "radio":
            wanted = len(info["options"]) - 1 if answer == SKIP else next(
                n for n, title in enumerate(info["options"]) if str(answer).lower() in title.lower())
            start = info["checked"] if info["checked"] >= 0 else info["index"]
            if info["checked"] < 0 and wanted == start:
                self.press("Space")
            for _ in range(abs(wanted - start)):
                self.press("ArrowDown" if wanted > start else "ArrowUp")
            return
        if info["value"]:  # what the box holds is replaced (an empty box has nothing to select and delete)
            self.press("Control+A")
            self.press("Delete")
        text = str(answer)
        lines = text.split("\n")
        for number, line in enumerate(lines):
            # The words arrive as a keyboard's typed text (one input event, as an input method gives them), not key
            # by key: no page listens to a key but Tab, the arrows, Space and Enter, which stay real key presses,
            # and chromium spent 4 ms a character on key-by-key typing (a third of a persona's time).
            self.page.keyboard.insert_text(line)
            if number < len(lines) - 1:
                self.press("Shift+Enter" if info["tag"] == "input" else "Enter")


def fresh_shots(prefix: str) -> None:
    """Remove a test's screenshots from an earlier run, so the folder shows this run's pages only."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
        old.unlink()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS[1:])


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium for a module's tests (each opens contexts of its own). Not kept for the whole test
    process: a Playwright left open holds this thread's event loop, which the terminal's tests run after need."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def terminal_says(path: str, typed: str) -> str:
    """What the terminal questionnaire says of an answer: the case model's rule, in its words."""
    from pydantic import ValidationError

    from appeal.cases.case import Case

    with pytest.raises(ValidationError) as rejected:
        case_paths.set_path(Case(), path, typed)
    return intake_engine.reason_in_words(rejected.value)
