"""`appeal web` in Spanish (issue 32): the browser's Accept-Language chooses the pages' language (es, es-US, es-MX...
are Spanish; the launch's language when it names neither), the "English | Español" switch on every page overrides
it and sticks, each request is answered in its own browser's language whatever another asks at the same time, and
every page of the journey, from the start link to the record of the letter sent, reads Spanish with no English
left but the person's own answers and the words the letter and its sources keep in English (marked lang="en")."""

from __future__ import annotations

import html
import re
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from english_left import english_by_design, english_in
from web_harness import Client, running  # noqa: F401 (a fixture)

from appeal.cases import examples
from appeal.intake import drafts as draft_files, questions
from appeal.web import notice_page

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "intake"))
from test_notice_kind import PEER_TO_PEER  # noqa: E402

SPANISH = "es-MX,es;q=0.9,en;q=0.5"


def browsers(running, *headers: str | None) -> list[Client]:
    """Browsers of the one person of this launch (the start link works once: its cookie is shared), each sending
    its own Accept-Language."""
    first = Client(running)
    first.login()
    found = [Client(running, header) for header in headers]
    for browser in found:
        browser.cookie = first.cookie
    return found


class _Reader(HTMLParser):
    """A page's words as a person meets them (text, and the labels a screen reader says: aria-label, placeholder),
    without what is English on purpose (an element marked lang="en", a command in <code>) or the person's own
    words (the answers on the review, what is typed in a box)."""

    SKIPPED = {"script", "style", "code", "textarea"}
    VOID = {"input", "br", "meta", "link", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.open: list[bool] = []  # for each element open: whether its words are left out
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        skipped = (tag in self.SKIPPED or found.get("lang") == "en" or "value" in (found.get("class") or "").split()
                   or (bool(self.open) and self.open[-1]))
        if not skipped:
            self.text += [found[name] for name in ("aria-label", "placeholder") if found.get(name)]
        if tag not in self.VOID:
            self.open.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if data.strip() and not (self.open and self.open[-1]):
            self.text.append(" ".join(data.split()))


def english_left_on(page: str, allowed: list[str] = ()) -> list[str]:
    """The lines of a page that still read English."""
    reader = _Reader()
    reader.feed(page)
    left = []
    for line in reader.text:
        for english in allowed:
            line = line.replace(english, " ")
        if english_in(line):
            left.append(line)
    return left


# --------------------------------------------------------------------------------------------------------------
# Which language


@pytest.mark.parametrize("header, lang", [
    ("es", "es"), ("es-US,es;q=0.9", "es"), ("es-MX", "es"), ("en-US,en;q=0.9,es;q=0.8", "en"),
    ("es-419;q=0.8,en;q=0.5", "es"), ("fr-FR,fr;q=0.9", "en"), (None, "en")])
def test_accept_language_chooses_the_pages_language(running, header, lang):
    client = Client(running, header)
    started = client.login().body
    page = client.get("/").body
    assert f'<html lang="{lang}">' in page and f'<html lang="{lang}">' in started
    words = {"es": "Escriba una carta a su plan de salud", "en": "Write a letter to your health plan"}
    assert words[lang] in page and words["en" if lang == "es" else "es"] not in page


def test_the_launch_language_is_the_default_when_the_browser_names_neither(running):
    """`appeal --lang es web` (or a Spanish locale): Spanish for a browser that asks for French or nothing, English
    for one that asks for English."""
    running.session.default_language = "es"
    for client, lang in zip(browsers(running, None, "fr-FR", "en-US"), ("es", "es", "en")):
        assert f'<html lang="{lang}">' in client.get("/").body


def test_the_switch_is_on_every_page_and_its_choice_sticks(running):
    client = Client(running, "en-US,en;q=0.9")
    client.login()
    home = client.get("/").body
    assert re.search(r'<form class="languages" method="post" action="/language"', home)
    assert '<span lang="en" aria-current="true">English</span>' in home
    assert '<button type="submit" name="to" value="es" lang="es" class="link-button">Español</button>' in home
    chosen = client.post("/language", {"to": "es", "back": "/"})
    assert chosen.status == 303 and chosen.headers["location"] == "/"
    cookie = chosen.headers["set-cookie"].lower()
    assert cookie.startswith("appeal_lang=es;") and "httponly" in cookie and "samesite=strict" in cookie
    assert '<html lang="es">' in client.get("/").body  # over the browser's English, from now on
    client.post("/new")
    page = client.get("/questions").body
    assert '<html lang="es">' in page and "¿Quién escribe esta carta?" in page
    back = re.search(r'name="back" value="([^"]+)"', page).group(1)
    assert back == f"/questions?w={client.work}"  # the switch comes back to this very page
    english = client.post("/language", {"to": "en", "back": html.unescape(back)})
    assert english.headers["location"] == f"/questions?w={client.work}"
    assert "Who is writing this letter?" in client.get("/questions").body
    for elsewhere in ("//example.com/x", "http://example.com/", "/\\example.com"):  # this server's pages only
        assert client.post("/language", {"to": "es", "back": elsewhere}).headers["location"] == "/"
    assert client.post("/language", {"to": "klingon", "back": "/"}).headers.get("set-cookie") is None
    assert client.post("/language", {"to": "es", "back": "/"}, origin="http://example.com").status == 403


def test_each_request_is_answered_in_its_own_browsers_language_at_the_same_time(running):
    """The server answers from several threads: one browser's Spanish never leaks into another's English page."""
    readers = browsers(running, *["es" if n % 2 else "en" for n in range(8)])
    wrong = []

    def read(reader):
        for _ in range(15):
            page = reader.get("/").body
            if ("Escriba una carta" in page) != (reader.accept_language == "es"):
                wrong.append(reader.accept_language)

    threads = [threading.Thread(target=read, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_the_terminal_lines_of_appeal_web_follow_the_launch_language(monkeypatch, capsys):
    from appeal.base import language
    from appeal.web import app as web

    monkeypatch.setattr(web.opener, "open_browser", lambda url: None)

    class Stopped:
        def __init__(self, *args, **kwargs):
            self.should_exit = False

        def run(self, sockets):
            return None  # served, and stopped at once

    monkeypatch.setattr(web, "server", lambda sock, session: Stopped())
    language.choose("es")
    assert web.serve(0, open_browser=False) == 0
    out = capsys.readouterr().out
    assert "Esta página funciona solo en su computadora" in out and "Detenido." in out


# --------------------------------------------------------------------------------------------------------------
# Every page in Spanish


def strings_in(value) -> list[str]:
    """Every text in a page's values (dicts and lists of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in strings_in(item)] if isinstance(value, list) else []


def keys_of(page: str) -> list[str]:
    return re.findall(r'name="key" value="([^"]+)"', page)


def test_every_page_of_the_journey_reads_spanish(running, tmp_path):
    client = Client(running, SPANISH)
    seen: dict[str, list[str]] = {}

    def check(name: str, page: str, allowed: list[str] = ()) -> str:
        assert '<html lang="es">' in page, name
        seen[name] = english_left_on(page, allowed)
        return page

    check("started", client.login().body)
    check("home", client.get("/").body)
    check("notice", client.get("/notice").body)
    check("link used", Client(running, SPANISH).request("GET", "/start?token=" + running.session.token).body)
    check("a problem", client.post("/new", {"draft": "gone.yaml"}).body)
    client.post("/new")
    first = check("first question", client.get("/questions").body)
    assert "¿Quién escribe esta carta?" in first and "Saltar" not in first  # needed: no Skip
    check("nothing chosen", client.post("/questions", {"key": keys_of(first)}).body)
    client.post("/questions", {"key": ["sender.role"], "sender.role": "patient"})
    client.post("/questions", {"key": ["@situation"], "@situation": "denial"})
    client.post("/questions", {"key": ["denial.level_exhausted"], "denial.level_exhausted": "initial"})
    client.post("/questions", {"key": ["letter_kind"], "letter_kind": "appeal"})
    names = check("names", client.get("/questions").body)
    refused = client.post("/questions", {"key": keys_of(names), "patient.first_name": "Ana",
                                         "patient.last_name": "Morales", "patient.date_of_birth": "02/30/1984"})
    assert refused.status == 422 and "febrero tiene 29 días en 1984" in html.unescape(refused.body)
    check("an answer refused", refused.body)
    (draft,) = draft_files.find_unfinished()
    draft.write_text(examples.text("ketamine-trd-erisa-appeal"))
    allowed = sorted(english_by_design(draft), key=len, reverse=True)
    while (reply := client.get("/questions")).status == 200:  # the questions the example leaves open
        keys = keys_of(reply.body)
        entry = questions.ENTRIES[keys[0]]
        check(f"question {keys[0]}", reply.body, allowed)
        if isinstance(entry, questions.Group):
            if "list" not in seen:  # a list: its entry page, and the question before one is removed
                seen["list"] = []
                client.post("/questions", {"key": keys, "action": "add"})
                adding = check("an entry", client.get("/questions").body, allowed)
                client.post("/questions", {"key": keys_of(adding), "action": "leave"})
                if 'value="remove-0"' in client.get("/questions").body:
                    check("remove?", client.post("/questions", {"key": keys, "action": "remove-0"}).body, allowed)
            client.post("/questions", {"key": keys, "action": "done"})
        else:
            choices = {name: "(skip)" for name in re.findall(r'name="([^"]+)" id="[^"]+-skip"', reply.body)}
            client.post("/questions", {"key": keys, "action": "next", **{html.unescape(k): v for k, v in choices.items()}})
    review = check("review", client.get("/review").body, allowed)
    assert "Revise sus respuestas" in review and "Todo está bien: escribir mi carta" in review
    assert client.post("/finish", {}).status == 303
    letter_page = check("letter", client.get("/letter").body, allowed)
    assert "Su carta está lista" in letter_page and "Qué dice su carta" in letter_page
    client.post("/sent", {"day": "", "method": "mail"})
    check("letter, sent", client.get("/letter").body, allowed)
    check("track", client.get("/track").body, allowed)
    check("home with the letter", client.get("/").body, allowed)
    read = client.post_files("/notice", {}, [("notice", "notice.txt", PEER_TO_PEER.encode())])
    assert "Qué dice la carta del plan" in read.body
    # what the importer found, in its own words (appeal.intake's labels: translated there, not here)
    found = sorted(strings_in(notice_page.view(running.session.notice)), key=len, reverse=True)
    check("the notice read", read.body, allowed + found)
    assert len(seen) > 15
    assert {name: lines for name, lines in seen.items() if lines} == {}


def test_a_date_typed_in_spanish_words_is_kept(running):
    """A Spanish speaker types her birth date as she says it: an impossible one is refused in Spanish words, and
    "9 de julio de 1984" is kept as July 9, 1984, shown back in Spanish on the review."""
    client = Client(running, SPANISH)
    client.login()
    client.post("/new")
    for key, value in (("sender.role", "patient"), ("@situation", "denial"), ("denial.level_exhausted", "initial"),
                       ("letter_kind", "appeal")):
        client.post("/questions", {"key": [key], key: value})
    names = {"key": keys_of(client.get("/questions").body), "patient.first_name": "Ana", "patient.last_name": "Morales"}
    refused = client.post("/questions", {**names, "patient.date_of_birth": "31 de febrero de 1984"})
    assert refused.status == 422
    assert "'31 de febrero de 1984' no es una fecha: febrero tiene 29 días en 1984" in html.unescape(refused.body)
    assert client.post("/questions", {**names, "patient.date_of_birth": "9 de julio de 1984"}).status == 303
    (draft,) = draft_files.find_unfinished()
    assert "1984-07-09" in draft.read_text(encoding="utf-8")
    assert "9 de julio de 1984" in html.unescape(client.get("/review").body)
