"""`appeal web` in a real browser: Debian's chromium driven by Playwright with the keyboard alone, axe-core (from
the axe-playwright-python package) on every page, the letter downloaded and read back, screenshots kept for review
(test-artifacts/screenshots/), and a draft handed between the terminal and the browser."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from conftest import docx_text
from terminal_harness import CTRL_C, pick
from web_harness import (SCREENSHOTS, Keyboard, _one_office, browser, fresh_shots, kept_office,  # noqa: F401 (fixtures)
                         running, settled, terminal_says, text_of)

from appeal import cli
from appeal.intake import drafts
from appeal.terminal import questionnaire

NOTICE = date.today() - timedelta(days=20)
# One test worker runs this file's tests (pytest -n with --dist loadgroup), so one chromium serves them all.
pytestmark = pytest.mark.xdist_group("chromium-browser")
PHONE = {"width": 390, "height": 844}


# axe-core's violations, as Axe.run finds them (its default options), each as the three facts the check reads:
# passed back as these, not as axe's whole report, which the test process decoded at every page
_AXE_VIOLATIONS = """() => axe.run({resultTypes: ["violations"]})
    .then(found => found.violations.map(item => ({id: item.id, impact: item.impact, help: item.help})))"""


class Checks:
    """Run on every page: axe-core finds no serious or critical violation, and every src and href is local."""

    def __init__(self, port: int):
        self.axe = Axe()
        self.port = port
        self.pages: list[str] = []

    def __call__(self, page) -> None:
        title = page.title()
        self.pages.append(title)
        page.evaluate(self.axe.axe_script)  # axe-core into the page, then run as Axe.run runs it
        found = page.evaluate(_AXE_VIOLATIONS)
        bad = [f"{item['id']} ({item['impact']}): {item['help']}" for item in found
               if item["impact"] in ("serious", "critical")]
        assert not bad, f"{title}: {bad}"
        links = page.evaluate("[...document.querySelectorAll('[src], [href]')].map(e => e.getAttribute('src') || e.getAttribute('href'))")
        assert all(link.startswith(("/", "#")) for link in links), (title, links)


def in_thread(function, *args, **kwargs):
    """Run the terminal questionnaire in a thread of its own (Playwright's event loop holds this one); its
    result, or the exception it raised."""
    import threading

    found = []

    def run():
        try:
            found.append(function(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 (the test looks at it)
            found.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found[0]


def open_app(context, running, checks: Checks | None = None):
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(f"http://127.0.0.1:{running.port}/")
            else outside.append(request.url))
    page.goto(running.url)
    settled(page)
    if checks:
        checks(page)
    return page, outside


PERSONA = {
    "Who is writing": "I am the patient",
    "What happened": "said no",
    "Which letter": "appeal",
    "first name": "Dana",
    "last name": "Whitfield",
    "date of birth": ["13/45/1990", "04/02/1986"],  # a tired typo first: the page says why, the cursor is on it
    "mailing address": "12 Elm Street\nSpringfield, IL 62701",
    "Insurance company": "Acme Health Plan",
    "kind of coverage": "self-funded",
    "Member ID": "XJH123456789",
    "Date printed on the denial": f"{NOTICE:%m/%d/%Y}",
    "reference number": "CLM-2026-0042",
    "Main reason": "not medically necessary",
    "word for word": "Ketamine infusion therapy is not medically necessary.",
    "Which 'no'": "initial decision",
    "Which treatment": "intravenous",
    "history with this illness": "Depression since I was 20. Many medicines did not help.",
}
LISTS = {
    "diagnosis": [{"Diagnosis code": "major depressive recurrent severe without psychotic",
                   "Codes that match": "F33.2"}],
    "medication or therapy": [{"Name of the medication": "sertraline", "Highest dose": "200 mg",
                               "How many weeks": "10", "What happened": "no improvement"}],
}


def test_a_patient_writes_an_appeal_with_the_keyboard_alone(browser, running, tmp_path, capsys):
    context = browser.new_context(accept_downloads=True)
    checks = Checks(running.port)
    page, outside = open_app(context, running, checks)
    fresh_shots("persona")
    page.screenshot(path=str(SCREENSHOTS / "persona-00-start.png"), full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # "Start a new letter" has the focus
    settled(page)
    errors_seen = []

    def on_page(page) -> None:
        checks(page)
        said = text_of(page, ".error-summary")
        if said is not None:  # focus is on the first field with a problem, tied to it
            focused = page.evaluate("document.activeElement.getAttribute('aria-describedby') || ''")
            errors_seen.append((said, focused))

    keyboard = Keyboard(page, PERSONA, LISTS, shots="persona")
    keyboard.run(on_page=on_page)
    assert any("date" in summary.lower() and "error" in focus for summary, focus in errors_seen), errors_seen

    # The review: every answer, the readiness check, and the button that writes the letter has the focus.
    checks(page)
    keyboard.shot()
    review = page.inner_text("main")
    assert "Dana" in review and "XJH123456789" in review and "F33.2" in review and "sertraline" in review
    assert "What the plan usually looks for" in review
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settled(page)
    checks(page)
    keyboard.shot()
    assert "Your deadline" in page.inner_text("main") and "What happens next" in page.inner_text("main")

    with page.expect_download() as download:
        page.keyboard.press("Enter")  # "Download your letter" has the focus
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("whitfield-dana-appeal-")
    text = docx_text(saved)
    for fact in ("Dana Whitfield", "XJH123456789", "CLM-2026-0042", "Ketamine infusion therapy is not medically "
                 "necessary.", "sertraline", "F33.2"):
        assert fact in text, fact

    # "I sent it", with the keyboard: the record `appeal status` reads.
    while not page.evaluate("document.activeElement.innerText || ''").startswith("I sent it"):
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settled(page)
    checks(page)
    keyboard.shot()
    assert "Recorded as appeal #1" in page.evaluate("document.activeElement.innerText")  # the focus is on it
    capsys.readouterr()
    assert cli.main(["status", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["appeals"]
    assert [(item["person"], item["sent"]) for item in listed] == [("Dana Whitfield", date.today().isoformat())]
    assert listed[0]["decision_due"]  # the plan's deadline, from the same rules as `appeal track add`
    assert outside == []
    assert not drafts.find_unfinished()  # finished: the progress line is gone
    context.close()


def test_the_pages_fit_a_phone_and_a_draft_moves_from_the_terminal_to_the_browser(browser, running, monkeypatch):
    from terminal_harness import Terminal

    terminal = Terminal(monkeypatch)
    stopped = in_thread(terminal.run, {"Who is writing": pick("patient"), "What happened": pick("denial"),
                                       "Which letter": pick("appeal"), "first name": "Ana\r", "last name": CTRL_C})
    assert isinstance(stopped, questionnaire.QuestionnaireStopped)
    draft = stopped.path

    context = browser.new_context(viewport=PHONE)
    checks = Checks(running.port)
    page, outside = open_app(context, running, checks)
    assert "Ana" in page.inner_text("main")  # the terminal's draft is offered, and has the focus
    fresh_shots("phone")
    page.screenshot(path=str(SCREENSHOTS / "phone-00-start.png"), full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settled(page)
    labels = page.inner_text("main form")
    assert "last name" in labels and "Who is writing" not in labels  # carries on where the terminal stopped
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing off the side
    assert "Welcome back" in page.inner_text("main") and page.is_visible("button[value=back]")
    page.keyboard.type("Ruiz")  # the focus is on the first box; leaving it saves it (the page's small script)
    page.keyboard.press("Tab")
    page.wait_for_selector(".saved:has-text('Saved.')")
    assert yaml.safe_load(draft.read_text())["patient"]["last_name"] == "Ruiz"
    keyboard = Keyboard(page, {"last name": "Ruiz", "date of birth": "02/30/1990"}, {}, shots="phone")
    keyboard.shot()
    keyboard._fields()
    checks(page)
    keyboard.shot()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert terminal_says("patient.date_of_birth", "02/30/1990") in page.inner_text(".error-summary")
    assert yaml.safe_load(draft.read_text())["patient"] == {"first_name": "Ana", "last_name": "Ruiz"}
    page.goto(page.url.replace("/questions?", "/letter?"))  # this window's letter before the denial is told: a message
    checks(page)
    assert "denial" in page.inner_text("main") and "Traceback" not in page.content()
    assert outside == []
    context.close()

    # And back to the terminal: it does not ask again what the browser answered.
    terminal.asked = []
    stopped = in_thread(terminal.run, {"date of birth": "03/01/1990\r", "Insurance company": CTRL_C},
                        resume=draft)
    assert isinstance(stopped, questionnaire.QuestionnaireStopped)
    assert not any("last name" in asked or "mailing address" in asked for asked in terminal.asked)  # done in the browser
    assert any("date of birth" in asked for asked in terminal.asked)
    assert yaml.safe_load(draft.read_text())["patient"]["date_of_birth"] == "1990-03-01"


def test_the_private_page_opens_the_app_once_and_the_link_then_works_no_more(browser, running):
    """What `appeal web` opens the browser on (appeal.web.opener's page on disk) leads to the start page, without
    the link in the address bar; it is gone at once; the same link in another browser opens the page saying it
    was used, with nothing of the person's on it. The browser that has the cookie is taken to its start page."""
    from appeal.web import opener

    redirect = running.session.opener = opener.redirect_page(running.url)
    context = browser.new_context()
    page = context.new_page()
    page.goto(redirect.as_uri())
    page.wait_for_url(f"http://127.0.0.1:{running.port}/")
    settled(page)
    assert "token" not in page.url and "Start a new letter" in page.inner_text("main")
    assert not redirect.parent.exists()  # removed at the first visit
    fresh_shots("start-link")
    page.screenshot(path=str(SCREENSHOTS / "start-link-01-opened.png"), full_page=True)

    other = browser.new_context()
    later = other.new_page()
    reply = later.goto(running.url)
    assert reply.status == 410 and later.title().startswith("This link was already used")
    said = later.inner_text("main")
    assert "browser tab" in said and "appeal web again" in said
    assert running.session.csrf not in later.content() and other.cookies() == []
    checks = Checks(running.port)
    checks(later)
    later.screenshot(path=str(SCREENSHOTS / "start-link-02-already-used.png"), full_page=True)
    other.close()

    page.goto(running.url)  # the person's own browser, the printed link clicked again: their start page
    settled(page)
    assert page.url == f"http://127.0.0.1:{running.port}/" and "Start a new letter" in page.inner_text("main")
    context.close()


def test_the_edited_letter_a_drawn_signature_the_packet_and_i_sent_it_from_two_windows(browser, running, tmp_path,
                                                                                         capsys, kept_office):
    """The letter page end to end: the edited .docx given back (the blanks filled and left shown), a signature
    drawn with the mouse, the PDF made from both (the edit in its text, a picture on the closing page), and "I sent
    it" pressed in two windows of the letter giving one record; a third window opens the list, not their letter,
    and a new letter there preselects no answer."""
    import io
    import re

    from docx import Document
    from pypdf import PdfReader
    from web_harness import Client

    from appeal.cases import examples
    from appeal.web import flow as web_flow

    client = Client(running)  # the letter made quickly over HTTP; the browser shares its cookie (one browser)
    client.login()
    client.post("/new")
    client.post("/questions", {"key": "sender.role", "sender.role": "patient"})
    (draft,) = drafts.find_unfinished()
    draft.write_text(examples.text("ketamine-trd-erisa-appeal"))
    while (reply := client.get("/questions")).status == 200:
        keys = re.findall(r'name="key" value="([^"]+)"', reply.body)
        chosen = {name: web_flow.SKIP for name in re.findall(r'name="([^"]+)" id="[^"]+-skip"', reply.body)}
        chosen.update(dict(re.findall(r'type="radio" name="([^"]+)" id="[^"]+" value="([^"]*)" checked', reply.body)))
        client.post("/questions", {"key": keys, "action": "done" if "button" in reply.body and 'value="add"' in
                                   reply.body else "next", **chosen})
    assert client.post("/finish", {}).status == 303
    base = f"http://127.0.0.1:{running.port}"
    letter_url = f"{base}/letter?w={client.work}"
    edited = Document(io.BytesIO(client.get_bytes("/letter.docx")))
    edited.paragraphs[-1].insert_paragraph_before("I add this sentence in Word before I sign it.")
    edited_path = tmp_path / "my-edited-letter.docx"
    edited.save(edited_path)

    context = browser.new_context(accept_downloads=True)
    context.add_cookies([{"name": "appeal_web", "value": running.session.cookie, "url": base}])
    checks = Checks(running.port)
    fresh_shots("sending")
    first = context.new_page()
    first.goto(letter_url)
    settled(first)
    first.set_input_files("#edited-letter", str(edited_path))
    with first.expect_navigation():
        first.click("text=Use my edited letter")
    settled(first)
    assert "Using your edited letter: my-edited-letter.docx" in first.inner_text("main")
    checks(first)

    first.locator("#signature-pad").scroll_into_view_if_needed()
    box = first.locator("#signature-pad").bounding_box()  # the signature, drawn with the mouse
    first.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    first.mouse.down()
    for step in range(1, 25):
        first.mouse.move(box["x"] + 30 + step * 14, box["y"] + box["height"] * (0.7 - 0.4 * ((step % 6) / 6)))
    first.mouse.up()
    assert first.input_value("#signature-drawn").startswith("data:image/png;base64,")
    first.screenshot(path=str(SCREENSHOTS / "sending-01-edited-and-signed.png"), full_page=True)
    with first.expect_navigation():
        first.click("text=Make the PDF")
    settled(first)
    assert "signed" in first.inner_text(".told")
    with first.expect_download() as download:
        first.click("a[href^='/packet.pdf']")
    pdf = PdfReader(download.value.path())
    texts = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    assert any("I add this sentence in Word before I sign it." in text for text in texts)
    closing = next(number for number, text in enumerate(texts) if "Sincerely" in text)
    assert pdf.pages[closing].images, "no signature picture on the page with the closing"

    second = context.new_page()  # a second window on the same letter, open before either press
    second.goto(letter_url)
    settled(second)
    for page in (first, second):
        with page.expect_navigation():
            page.click("text=I sent it: keep a record")
        settled(page)
    assert "Recorded as appeal #1" in second.inner_text("main")
    second.screenshot(path=str(SCREENSHOTS / "sending-02-sent-twice.png"), full_page=True)
    capsys.readouterr()
    assert cli.main(["status", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["appeals"]) == 1  # one record, not two

    third = context.new_page()  # a window opened afresh: the list, with the letter's Track and Change
    third.goto(f"{base}/letter")
    settled(third)
    assert third.url == f"{base}/" and "Choose the letter to work on" in third.inner_text("main")
    assert "Track this appeal" in third.inner_text("main") and "Change my answers" in third.inner_text("main")
    checks(third)
    third.screenshot(path=str(SCREENSHOTS / "sending-03-start-page.png"), full_page=True)
    with third.expect_navigation():
        third.click("text=Start a new letter")
    settled(third)
    assert third.eval_on_selector_all("input[type=radio]:checked", "els => els.length") == 0  # no preselected Skip
    first.reload()
    settled(first)
    assert "Recorded as appeal #1" in first.inner_text("main")  # the first window keeps its own letter
    context.close()


def test_the_spanish_pages_pass_axe_and_the_language_switch_works_with_the_keyboard(browser, running):
    """A browser that asks for Spanish (es-MX) gets every page in Spanish, marked lang="es", and axe-core finds no
    serious violation on them (on a wide screen and a phone); the "English | Español" switch is reached with Tab
    and pressed with Enter, and the choice sticks. Screenshots: es-*.png, for a reader of Spanish to look at."""
    from appeal.cases import examples

    drafts.new_path().write_text(examples.text("ketamine-trd-erisa-appeal") + drafts.PROGRESS_MARK + "{}\n")  # most given
    fresh_shots("es")
    checks = Checks(running.port)
    context = browser.new_context(locale="es-MX", accept_downloads=True)
    page, outside = open_app(context, running, checks)

    def shot(name: str) -> None:
        checks(page)
        assert page.evaluate("document.documentElement.getAttribute('lang')") == "es", name
        page.screenshot(path=str(SCREENSHOTS / f"es-{len(checks.pages):02d}-{name}.png"), full_page=True)

    shot("start")
    for _ in range(6):  # the switch is near the top: the skip link, the name, then "English"
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "to":
            break
    assert page.evaluate("[document.activeElement.value, document.activeElement.lang]") == ["en", "en"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en" and "Write a letter to your health plan" in page.inner_text("h1")
    page.click("button[name=to][value=es]")
    page.wait_for_selector("html[lang=es]")
    page.reload()
    assert page.get_attribute("html", "lang") == "es"  # kept for this browser
    settled(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # "Seguir: ..." the draft has the focus
    settled(page)
    shot("question")
    Keyboard(page, {"Qué pasó, o qué necesita": "dijo que no", "Qué 'no' es este": "decisión inicial",
                    "Qué carta escribimos": "Apelación interna"}, {}).run()  # the rest left out, to the review
    shot("review")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # "Todo está bien: escribir mi carta" has the focus
    settled(page)
    shot("letter")
    assert "Su carta está lista" in page.inner_text("h1")
    letter = page.url
    page.goto(f"http://127.0.0.1:{running.port}/")
    settled(page)
    with page.expect_navigation():
        page.click("form[action='/new']:not(:has(input[name=draft])) button")
    settled(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Next with nothing chosen: the page says so, in Spanish
    settled(page)
    shot("nothing-chosen")
    assert "Hay que cambiar una respuesta" in page.inner_text(".error-summary")
    page.set_viewport_size(PHONE)  # the same pages on a phone: nothing cut off or off the side
    for address in (f"http://127.0.0.1:{running.port}/", letter):
        page.goto(address)
        shot("phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
    assert outside == []
