"""`appeal web` over plain HTTP: who it refuses (no token, another Host, another Origin, no form key), that it
listens on 127.0.0.1 only, that its first line is the address with the token and Ctrl-C stops it, and what the
pages do to the draft (the terminal questionnaire's draft file, answers and messages)."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import ctrl_c_as_in_a_terminal
from web_harness import Client, _one_office, kept_office, running  # noqa: F401 (fixtures)

from appeal.output import packet as packets
from appeal.intake import drafts as draft_files
from appeal.terminal import questionnaire
from appeal.intake import questions
from appeal.web import app as web, flow as web_flow, pages as web_pages, uploads
from appeal.base.errors import UserError


@pytest.fixture
def client(running):
    client = Client(running)
    assert client.login().status == 200
    return client


def drafts() -> list[Path]:
    return draft_files.find_unfinished()


def answer(client: Client, keys: list[str], **values) -> object:
    form = {"key": keys, "action": values.pop("action", "next")}
    form.update({key.replace("__", "."): value for key, value in values.items()})
    return client.post("/questions", form)


# --------------------------------------------------------------------------------------------------------------
# Who is refused


def test_without_the_token_every_page_and_file_is_refused(running):
    client = Client(running)
    for path in ("/", "/questions", "/review", "/letter", "/letter.docx", "/static/app.js", "/static/style.css/x"):
        reply = client.get(path)
        assert reply.status == 403 and "Refused" in reply.body and "appeal" not in reply.headers.get("set-cookie", "")
    # the stylesheet alone (shipped, nothing personal) is open, so the "link already used" page is styled
    style = client.get("/static/style.css")
    assert style.status == 200 and "set-cookie" not in style.headers
    wrong = client.get("/start?token=" + running.session.token[:-1] + "x")
    assert wrong.status == 403 and "set-cookie" not in wrong.headers
    assert client.post("/new", {"csrf": running.session.csrf}).status == 403
    assert client.get("/", cookie="appeal_web=" + running.session.token).status == 403  # the token is not the cookie
    assert drafts() == []


def test_the_token_becomes_a_strict_http_only_cookie(running):
    client = Client(running)
    reply = client.login()
    # a page that moves on to "/" (a 303 from a page on disk would not carry the Strict cookie), without the token
    assert reply.status == 200 and '<meta http-equiv="refresh" content="0; url=/">' in reply.body
    assert running.session.token not in reply.body and "location" not in reply.headers
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    page = client.get("/")
    assert page.status == 200 and "Start a new letter" in page.body
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"


def test_the_start_link_works_once(running):
    """Its first visit gives the cookie; later, a browser without it (another person, another program, a link
    kept in a history) gets a page saying so, and nothing else: no cookie, no form key, no draft."""
    first = Client(running)
    assert first.login().status == 200
    first.post("/new")
    first.post("/questions", {"key": "sender.role", "sender.role": "patient"})
    later = Client(running)
    reply = later.get("/start?token=" + running.session.token)
    assert reply.status == 410 and "This link was already used" in reply.body and "set-cookie" not in reply.headers
    assert "start <code>appeal web</code> again" in reply.body and "browser tab" in reply.body
    assert running.session.csrf not in reply.body and "draft-" not in reply.body
    assert '<link rel="stylesheet" href="/static/style.css">' in reply.body
    assert reply.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    assert later.get("/").status == 403
    again = first.get("/start?token=" + running.session.token)  # the browser that has the cookie: its start page
    assert again.status == 303 and again.headers["location"] == "/" and "set-cookie" not in again.headers
    assert first.get("/").status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost", "[::1]:{port}",
                                  "192.0.2.1:{port}"])
def test_a_host_header_that_is_not_this_address_is_refused_even_with_the_cookie(client, running, host):
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: its Host header gives it away."""
    reply = client.get("/", host=host.format(port=running.port))
    assert reply.status == 403 and "not the one appeal web serves" in reply.body
    assert client.get("/", host=f"localhost:{running.port}").status == 200
    assert client.request("GET", "/start?token=" + running.session.token, host=host.format(port=running.port)).status == 403


def test_a_form_posted_from_another_site_or_without_the_form_key_changes_nothing(client, running):
    assert client.post("/new", origin="http://evil.example").status == 403
    assert client.post("/new", origin=None).status == 403
    assert client.post("/new", origin="null").status == 403
    refused = client.request("POST", "/new", {"csrf": "guess"})
    assert refused.status == 400 and "out of date" in refused.body
    assert client.post("/new").status == 303
    for form in ({"csrf": "guess"}, {}):
        reply = client.request("POST", "/questions", {**form, "key": "sender.role", "sender.role": "patient"})
        assert reply.status == 400
    assert drafts() == []  # nothing was saved by any of them
    assert answer(client, ["sender.role"], sender__role="patient").status == 303
    assert len(drafts()) == 1


def test_it_listens_on_127_0_0_1_only(running):
    assert running.sock.getsockname()[0] == "127.0.0.1"
    for address in ("127.0.0.2", *_other_addresses()):
        with pytest.raises(OSError):
            socket.create_connection((address, running.port), timeout=5).close()


def _other_addresses() -> list[str]:
    """This machine's own non-loopback IPv4 addresses (the ones another computer would reach)."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        found = set()
    return sorted(address for address in found if not address.startswith("127."))


def test_a_port_in_use_gets_a_clear_message():
    taken = web.listen(0)
    try:
        with pytest.raises(UserError, match=rf"--port {taken.getsockname()[1]}: another program is already using"):
            web.listen(taken.getsockname()[1])
    finally:
        taken.close()


def test_the_command_prints_its_address_first_and_stops_on_ctrl_c(tmp_path):
    environment = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen([sys.executable, "-m", "appeal", "web", "--no-browser"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment, cwd=tmp_path,
                               preexec_fn=ctrl_c_as_in_a_terminal)
    try:
        first = process.stdout.readline().strip()
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/start\?token=([A-Za-z0-9_-]{40,})", first)
        assert match, first
        port = int(match.group(1))
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            assert connection.makefile("rb").readline().startswith(b"HTTP/1.1 403")
        process.send_signal(signal.SIGINT)
        while not (line := process.stdout.readline()).startswith("Stopped."):
            assert line, "it ended without saying Stopped."
        # Ctrl-C pressed again as it exits: once Python had put back SIGINT's default action, this killed it (-2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and "Traceback" not in err
    assert match.group(2) not in err  # the token is not logged


FAKE_BROWSER = """#!{python}
import http.client, json, os, re, stat, sys
url = sys.argv[1]
page = url[len("file://"):]
told = {{"argv": sys.argv[1:], "mode": stat.S_IMODE(os.stat(page).st_mode),
        "folder_mode": stat.S_IMODE(os.stat(os.path.dirname(page)).st_mode)}}
if os.environ.get("FAKE_BROWSER_VISITS"):
    link = re.search(r'url=([^"]+)"', open(page).read()).group(1)
    port = int(re.search(r":(\\d+)/", link).group(1))
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", link[link.index("/start"):], headers={{"Host": f"127.0.0.1:{{port}}"}})
    reply = connection.getresponse()
    told.update(link=link, status=reply.status, cookie=reply.getheader("set-cookie", ""), left=os.path.exists(page))
print("BROWSER " + json.dumps(told), flush=True)
"""


@pytest.mark.parametrize("visits", [True, False])
def test_the_browser_is_opened_on_a_private_page_not_with_the_link_on_its_command_line(tmp_path, visits):
    """`appeal web` opens the browser ($BROWSER, as Python's webbrowser reads it: here a stand-in that reports what
    it was given and, like a browser, follows the page to the start link). Its command line (what `ps` shows)
    holds only a file:// address; the file is owner-only, leads to the link, and is gone after the first visit,
    or at Ctrl-C when no browser came."""
    fake = tmp_path / "fake-browser"
    fake.write_text(FAKE_BROWSER.format(python=sys.executable))
    fake.chmod(0o700)
    environment = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
                   "BROWSER": str(fake), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    environment.pop("FAKE_BROWSER_VISITS", None)
    if visits:
        environment["FAKE_BROWSER_VISITS"] = "1"
    process = subprocess.Popen([sys.executable, "-m", "appeal", "web"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment, cwd=tmp_path,
                               preexec_fn=ctrl_c_as_in_a_terminal)
    try:
        printed = process.stdout.readline().strip()
        token = printed.rsplit("token=", 1)[1]
        while not (line := process.stdout.readline()).startswith("BROWSER "):
            assert line, "the browser was not opened"
        told = json.loads(line[len("BROWSER "):])
        assert len(told["argv"]) == 1 and told["argv"][0].startswith("file://") and token not in told["argv"][0]
        assert told["mode"] == 0o600 and told["folder_mode"] == 0o700
        if visits:
            assert told["link"] == printed and told["status"] == 200 and "httponly" in told["cookie"].lower()
            assert told["left"] is False  # removed at the first visit
            port = int(printed.split(":")[2].split("/")[0])
            with socket.create_connection(("127.0.0.1", port)) as connection:  # the printed link: used already
                connection.sendall(f"GET /start?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                   "Connection: close\r\n\r\n".encode())
                assert connection.makefile("rb").readline().startswith(b"HTTP/1.1 410")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and "Traceback" not in err and token not in err
    assert list((tmp_path / "tmp").iterdir()) == []  # the page and its folder are gone either way


def test_the_port_option_is_checked(capsys):
    from appeal import cli

    assert cli.main(["web", "--no-browser", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------------------
# What the pages do to the draft


def as_they_stand(page: str) -> dict[str, str]:
    """The page's choices as a browser posts them: the option checked, else "Skip" where the question offers it
    (nothing is preselected, so a person chooses Skip; Next alone is refused)."""
    found = {}
    for name in re.findall(r'type="radio" name="([^"]+)" id="[^"]+-skip" value="\(skip\)"', page):
        checked = re.search(rf'type="radio" name="{re.escape(name)}" id="[^"]+" value="([^"]*)" checked', page)
        found[html.unescape(name)] = html.unescape(checked.group(1)) if checked else web_flow.SKIP
    return found


def start_patient_appeal(client: Client) -> Path:
    client.post("/new")
    answer(client, ["sender.role"], sender__role="patient")
    answer(client, ["@situation"], **{"@situation": "denial"})
    answer(client, ["denial.level_exhausted"], denial__level_exhausted="initial")
    answer(client, ["letter_kind"], letter_kind="appeal")
    return drafts()[0]


def test_answers_are_saved_as_the_terminal_saves_them_and_a_bad_one_keeps_what_was_typed(client):
    path = start_patient_appeal(client)
    page = client.get("/questions").body
    assert "Your first name" in page and "Your last name" in page  # a short group of questions, one page
    keys = re.findall(r'name="key" value="([^"]+)"', page)
    reply = answer(client, keys, patient__first_name="Dana", patient__last_name="Whitfield",
                   patient__date_of_birth="13/45/1990")
    assert reply.status == 422
    from web_harness import terminal_says

    message = terminal_says("patient.date_of_birth", "13/45/1990")
    assert message.replace("'", "&#39;") in reply.body
    assert 'value="13/45/1990"' in reply.body and 'aria-invalid="true"' in reply.body
    assert re.search(r'id="f-patient-date-of-birth"[^>]*aria-describedby="[^"]*f-patient-date-of-birth-error', reply.body)
    assert re.search(r'id="f-patient-date-of-birth"[^>]*autofocus', reply.body)  # the cursor goes to the problem
    saved = yaml.safe_load(path.read_text())
    assert saved["patient"] == {"first_name": "Dana", "last_name": "Whitfield"}  # the good answers are kept
    assert "# appeal-questionnaire: " in path.read_text() and oct(path.stat().st_mode & 0o777) == "0o600"


def test_back_and_forward_keep_every_answer(client):
    path = start_patient_appeal(client)
    first = re.findall(r'name="key" value="([^"]+)"', client.get("/questions").body)
    answer(client, first, patient__first_name="Dana", patient__last_name="Whitfield")
    second = re.findall(r'name="key" value="([^"]+)"', client.get("/questions").body)
    assert second != first
    answer(client, second, action="back", patient__phone="555-201-4477")  # typed, then Back: kept
    again = client.get("/questions").body
    assert re.findall(r'name="key" value="([^"]+)"', again) == first and 'value="Dana"' in again
    answer(client, first, patient__first_name="Dana", patient__last_name="Whitfield-Ross")
    assert re.findall(r'name="key" value="([^"]+)"', client.get("/questions").body) == second  # forward
    saved = yaml.safe_load(path.read_text())["patient"]
    assert saved["last_name"] == "Whitfield-Ross" and saved["phone"]


def test_a_list_is_added_to_changed_and_removed(client):
    path = start_patient_appeal(client)
    client.post("/change", {"key": "diagnoses"})
    page = client.get("/questions").body
    assert "Add a diagnosis?" in page
    client.post("/questions", {"key": "diagnoses", "action": "add"})
    item = client.get("/questions").body
    assert "Diagnosis code" in item
    looked_up = client.post("/questions", {"key": "diagnoses[].code", "action": "next",
                                           "diagnoses[].code": "major depressive recurrent severe"})
    assert looked_up.status == 422 and 'value="F33.2"' in looked_up.body  # words: the codes to choose from
    client.post("/questions", {"key": "diagnoses[].code", "action": "next", "diagnoses[].code": "major depressive",
                               "diagnoses[].code:pick": "F33.2"})
    listed = client.get("/questions").body
    assert "F33.2" in listed and "Add another diagnosis?" in listed
    assert [entry["code"] for entry in yaml.safe_load(path.read_text())["diagnoses"]] == ["F33.2"]
    # Remove asks first, on a page of its own (no script needed): nothing is removed until "Yes, remove it".
    asked = client.post("/questions", {"key": "diagnoses", "action": "remove-0"})
    assert asked.status == 200 and "Remove this one?" in asked.body and "F33.2" in asked.body
    assert "Yes, remove it" in asked.body and "No, keep it" in asked.body
    assert [entry["code"] for entry in yaml.safe_load(path.read_text())["diagnoses"]] == ["F33.2"]
    entry = html.unescape(re.search(r'name="entry" value="([^"]*)"', asked.body).group(1))
    stale = client.post("/questions", {"key": "diagnoses", "action": "remove-0", "confirmed": "yes",
                                       "entry": "something else"})  # the list changed since the question: asked again
    assert "Remove this one?" in stale.body and "diagnoses" in yaml.safe_load(path.read_text())
    client.post("/questions", {"key": "diagnoses", "action": "remove-0", "confirmed": "yes", "entry": entry})
    assert "diagnoses" not in yaml.safe_load(path.read_text())
    assert "Removed: " in client.get("/questions").body
    client.post("/questions", {"key": "diagnoses", "action": "done"})


def test_autosave_keeps_an_answer_as_soon_as_the_field_is_left(client):
    path = start_patient_appeal(client)
    reply = client.post("/autosave", {"key": "patient.first_name", "value": "Dana"})
    assert reply.status == 200 and '"saved":true' in reply.body.replace(" ", "")
    assert yaml.safe_load(path.read_text())["patient"]["first_name"] == "Dana"
    bad = client.post("/autosave", {"key": "patient.date_of_birth", "value": "13/45/1990"})
    assert "is not a date" in bad.body and "date_of_birth" not in yaml.safe_load(path.read_text())["patient"]


def test_a_draft_started_in_the_browser_is_finished_in_the_terminal(client, monkeypatch):
    from terminal_harness import CTRL_C, Terminal

    path = start_patient_appeal(client)
    answer(client, ["patient.first_name", "patient.last_name"], patient__first_name="Ana", patient__last_name="Ruiz")
    terminal = Terminal(monkeypatch)
    with pytest.raises(questionnaire.QuestionnaireStopped):
        terminal.run({"date of birth": "03/01/1990\r", "Insurance company": CTRL_C}, resume=path)
    assert terminal.asked[0].startswith("Your date of birth")  # nothing the browser answered is asked again
    saved = yaml.safe_load(path.read_text())
    assert saved["patient"]["first_name"] == "Ana" and saved["letter_kind"] == "appeal"
    # ...and back: the browser carries on after the terminal's answers.
    assert "Insurance company" in client.get("/questions").body or "mailing address" in client.get("/questions").body


def test_a_draft_open_in_a_terminal_is_not_changed_from_the_browser(client):
    path = start_patient_appeal(client)
    lock = draft_files.DraftLock(path)
    try:
        reply = client.get("/questions")
        assert reply.status == 409 and "open in another appeal session" in reply.body
        before = path.read_text()
        assert answer(client, ["patient.first_name"], patient__first_name="X").status == 409
        assert path.read_text() == before
    finally:
        lock.release()


def test_i_sent_it_is_recorded_in_the_tracking_store(client, capsys):
    import json

    from conftest import example_case

    from appeal import cli
    from appeal.cases import examples

    path = start_patient_appeal(client)
    path.write_text(examples.text("ketamine-trd-erisa-appeal"))  # the draft, finished in a terminal meanwhile
    case = example_case("ketamine-trd-erisa-appeal")
    letter = client.get("/letter")
    assert letter.status == 200 and "I sent it" in letter.body
    docx = client.get("/letter.docx")
    assert docx.status == 200 and docx.headers["content-disposition"].startswith("attachment")
    bad = client.post("/sent", {"day": "someday", "method": "fax"})
    assert bad.status == 400 and "The day you sent it" in bad.body
    future = client.post("/sent", {"day": "12/31/2099", "method": "fax"})
    assert future.status == 400 and "The day you sent it: 12/31/2099 is in the future" in future.body
    reply = client.post("/sent", {"day": f"{date.today():%m/%d/%Y}", "method": "fax"})
    assert reply.status == 303
    page = client.get("/letter").body
    assert "Recorded as appeal #1" in page and 'action="/sent"' not in page
    assert client.post("/sent", {"day": f"{date.today():%m/%d/%Y}", "method": "fax"}).status == 303  # pressed twice
    capsys.readouterr()
    assert cli.main(["status", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["appeals"]
    assert len(listed) == 1 and listed[0]["person"] == case.patient.full_name and listed[0]["decision_due"]


def test_the_packet_pdf_holds_the_letter_and_the_persons_files(client, kept_office):
    import io

    from PIL import Image
    from pypdf import PdfReader

    path = start_patient_appeal(client)
    from appeal.cases import examples

    path.write_text(examples.text("ketamine-trd-erisa-appeal"))
    picture = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(picture, "PNG")
    reply = client.post_files("/packet", {"send": "mail"}, [("files", "denial-notice.png", picture.getvalue())])
    assert reply.status == 303
    page = client.get("/letter").body
    assert "ready to download" in page and "/packet.pdf" in page
    pdf = PdfReader(io.BytesIO(client.get_bytes("/packet.pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "FAX" not in text.split("\n")[0].upper()  # mailed: no cover sheet
    assert f"Page {len(pdf.pages)} of {len(pdf.pages)}" in text and "denial-notice.png" in str(pdf.outline) and "01-" not in str(pdf.outline)
    unreadable = client.post_files("/packet", {"send": "fax"}, [("files", "notes.pdf", b"not a pdf at all")])
    assert unreadable.status == 400 and "notes.pdf" in unreadable.body


def test_the_pdf_to_send_is_refused_while_the_letter_has_blanks_each_named(client):
    """What is sent carries no [ADD: ...]: the browser's send step refuses as `appeal packet --strict` does."""
    import html

    from appeal.cases import examples

    path = start_patient_appeal(client)
    path.write_text(re.sub(r"\n  member_id: .*", "", examples.text("ketamine-trd-erisa-appeal"), count=1))
    assert "[ADD: " in html.unescape(client.get("/letter").body)
    refused = client.post_files("/packet", {"send": "fax"}, [])
    said = html.unescape(refused.body)
    assert refused.status == 400 and "so no PDF was made" in said and "[ADD: member ID]" in said
    assert "/packet.pdf" not in client.get("/letter").body  # nothing made


def test_an_entry_is_asked_a_few_questions_at_a_time_and_its_kind_is_suggested_from_its_name(client):
    path = start_patient_appeal(client)
    client.post("/change", {"key": "prior_treatments"})
    client.post("/questions", {"key": "prior_treatments", "action": "add"})
    first = client.get("/questions").body
    assert "Name of the medication" in first and "What kind is it?" not in first
    client.post("/questions", {"key": "prior_treatments[].name", "prior_treatments[].name": "Zoloft 100 mg"})
    second = client.get("/questions").body
    assert "What kind is it?" in second and re.search(r'value="ssri" checked', second)  # as the terminal suggests
    client.post("/questions", {"key": "prior_treatments[].drug_class", "prior_treatments[].drug_class": "ssri"})
    while "Tried before: add one" in (page := client.get("/questions").body):
        keys = re.findall(r'name="key" value="([^"]+)"', page)
        client.post("/questions", {"key": keys, **as_they_stand(page)})
    assert "Zoloft 100 mg (SSRI)" in page
    entry = yaml.safe_load(path.read_text())["prior_treatments"][0]
    assert (entry["name"], entry["drug_class"]) == ("Zoloft 100 mg", "ssri")


def test_an_attached_file_over_the_limit_or_named_dot_dot_gets_a_message_not_a_bug_page(client, monkeypatch):
    """Starlette bounds only non-file parts, so the file's size is checked by us; '..' as a name is not a path."""
    import io

    from PIL import Image

    path = start_patient_appeal(client)
    from appeal.cases import examples

    path.write_text(examples.text("ketamine-trd-erisa-appeal"))
    picture = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(picture, "PNG")
    dots = client.post_files("/packet", {"send": "mail"}, [("files", "..", picture.getvalue())])
    # a name that is no file name becomes file-1; with no type to read, the packet says so (before: the bug page)
    assert dots.status == 400 and "file-1 is not a PDF or a picture" in dots.body
    monkeypatch.setattr(packets, "MAX_FILE", 1024)
    big = client.post_files("/packet", {"send": "mail"}, [("files", "scan.png", picture.getvalue() + b"\0" * 2048)])
    assert big.status == 400 and "The file scan.png is" in big.body and "at most 0 MB" not in big.body


def _raw_post(running, client: Client, head: dict[str, str], body: bytes) -> tuple[socket.socket, str]:
    """A post whose body may be cut short (the rest never sent): the socket, and the reply read up to its end. A
    server that waited for the rest would never answer: the socket's timeout only ends such a failing test."""
    connection = socket.create_connection(("127.0.0.1", running.port), timeout=60)
    lines = [f"POST {client.at('/packet')} HTTP/1.1", f"Host: 127.0.0.1:{running.port}", f"Origin: http://127.0.0.1:{running.port}",
             f"Cookie: {client.cookie}", *(f"{name}: {value}" for name, value in head.items())]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    reader = connection.makefile("rb")
    status = reader.readline().decode()
    headers = {}
    while (line := reader.readline().decode().strip()):
        name, _, value = line.partition(":")
        headers[name.lower()] = value.strip()
    reply = reader.read(int(headers["content-length"])).decode()
    return connection, status + reply


def _file_part(running, name: str) -> bytes:
    return (f'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{running.session.csrf}\r\n'
            f'--b\r\nContent-Disposition: form-data; name="send"\r\n\r\nmail\r\n'
            f'--b\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n').encode()


@pytest.fixture
def private_temp(monkeypatch, tmp_path) -> Path:
    """The folder the server makes its private upload folders in, to see what is left there."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_post_whose_length_is_over_the_bound_is_refused_before_its_body_is_read(client, running, private_temp):
    start_patient_appeal(client)
    declared = 600 * 1024 * 1024
    connection, reply = _raw_post(running, client, {"Content-Type": "multipart/form-data; boundary=b",
                                                      "Content-Length": str(declared)}, _file_part(running, "scan.pdf"))
    connection.close()
    assert reply.startswith("HTTP/1.1 400") and "These files are 600 MB together" in reply
    assert "at most 150 MB together" in reply and "Traceback" not in reply
    assert list(private_temp.iterdir()) == []  # no folder, no file: nothing was stored


def test_a_chunked_post_stops_at_the_bound_and_its_partial_file_is_removed(client, running, private_temp, monkeypatch):
    """No Content-Length (chunked): the file is counted as it arrives and the post refused at the bound, without
    waiting for the rest (never sent here); the partial file is gone when the page says so."""
    start_patient_appeal(client)
    monkeypatch.setattr(packets, "MAX_FILE", 64 * 1024)
    written: list[int] = []
    real_write = os.write
    monkeypatch.setattr(uploads.os, "write", lambda fd, data: written.append(len(data)) or real_write(fd, data))
    body = _file_part(running, "scan.pdf") + b"\0" * (256 * 1024)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[at:at + 8192]), body[at:at + 8192])
                       for at in range(0, len(body), 8192))  # no last chunk: the body never ends
    connection, reply = _raw_post(running, client, {"Content-Type": "multipart/form-data; boundary=b",
                                                      "Transfer-Encoding": "chunked"}, chunked)
    connection.close()
    assert reply.startswith("HTTP/1.1 400") and "The file scan.pdf is more than 64 KB" in reply
    assert sum(written) <= 64 * 1024  # never more than the bound on disk
    assert list(private_temp.iterdir()) == []
    assert client.get("/review").status == 200  # the server carries on


def test_a_chunked_post_within_the_bound_makes_the_packet(client, running, private_temp, kept_office):
    import io

    from PIL import Image
    from pypdf import PdfReader

    path = start_patient_appeal(client)
    from appeal.cases import examples

    path.write_text(examples.text("ketamine-trd-erisa-appeal"))
    picture = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(picture, "PNG")
    body = _file_part(running, "notice.png") + picture.getvalue() + b"\r\n--b--\r\n"
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[at:at + 4096]), body[at:at + 4096])
                       for at in range(0, len(body), 4096)) + b"0\r\n\r\n"
    connection, reply = _raw_post(running, client, {"Content-Type": "multipart/form-data; boundary=b",
                                                      "Transfer-Encoding": "chunked"}, chunked)
    connection.close()
    assert reply.startswith("HTTP/1.1 303"), reply
    pdf = PdfReader(io.BytesIO(client.get_bytes("/packet.pdf")))
    assert "notice.png" in str(pdf.outline)
    assert list(private_temp.iterdir()) == []


def test_a_file_posted_without_the_form_key_is_not_stored(client, running, private_temp, monkeypatch):
    start_patient_appeal(client)
    created: list[str] = []
    real_open = os.open

    def spy(path, flags, *rest, **options):
        if flags & os.O_CREAT:
            created.append(str(path))
        return real_open(path, flags, *rest, **options)

    monkeypatch.setattr(uploads.os, "open", spy)
    body = _file_part(running, "scan.pdf").replace(running.session.csrf.encode(), b"guess") + b"%PDF\r\n--b--\r\n"
    connection, reply = _raw_post(running, client, {"Content-Type": "multipart/form-data; boundary=b",
                                                      "Content-Length": str(len(body))}, body)
    connection.close()
    assert reply.startswith("HTTP/1.1 400") and "out of date" in reply
    assert created == [] and list(private_temp.iterdir()) == []


def test_the_letter_is_drafted_again_once_the_draft_changes_and_not_before(client, monkeypatch):
    """The letter page, the download, the packet and 'I sent it' share one drafting until an answer changes."""
    import io

    from docx import Document

    from appeal.letters import draft
    from appeal.cases import examples

    path = start_patient_appeal(client)
    path.write_text(examples.text("ketamine-trd-erisa-appeal"))
    made = []
    real = draft.draft
    monkeypatch.setattr(draft, "draft", lambda *args, **kwargs: made.append(1) or real(*args, **kwargs))

    def letter_text() -> str:
        return "\n".join(p.text for p in Document(io.BytesIO(client.get_bytes("/letter.docx"))).paragraphs)

    assert client.get("/letter").status == 200 and "Maria Alvarez" in letter_text()
    assert len(made) == 1  # the page and the download: drafted once
    path.write_text(examples.text("ketamine-trd-erisa-appeal").replace("Maria", "Marisol"))
    assert "Marisol Alvarez" in letter_text() and len(made) == 2



def test_the_letter_page_writes_the_letter_in_spanish_when_asked_and_keeps_it_english_when_it_cannot(
        client, monkeypatch, tmp_path):
    """"Letter in English / in Spanish": the download becomes the Spanish letter (a test catalog and a Spanish
    template in $APPEAL_TEMPLATES), the page says so in the reader's language; a letter whose catalog lacks a text
    stays as it was, with the reason."""
    import io

    from docx import Document
    from letter_es_harness import catalog_folder, spanish_template

    from appeal.base import letter_language
    from appeal.cases import examples

    spanish_template(tmp_path / "templates" / "es" / "appeal.docx")
    monkeypatch.setenv("APPEAL_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.setattr(letter_language, "LOCALE_DIR", catalog_folder(tmp_path / "locale"))
    path = start_patient_appeal(client)
    path.write_text(examples.text("ketamine-trd-erisa-appeal"))

    def letter_text() -> list[str]:
        return [p.text for p in Document(io.BytesIO(client.get_bytes("/letter.docx"))).paragraphs]

    page = html.unescape(client.get("/letter").body)
    assert "In Spanish (only for plans that accept Spanish correspondence)" in page
    assert 'name="letter_lang" id="letter-en" value="en" checked' in page
    assert "Date of birth: June 12, 1985" in "\n".join(letter_text())
    reply = client.post("/letter-language", {"letter_lang": "es"})
    assert reply.status == 303 and reply.headers["location"].startswith("/letter?w=")
    page = html.unescape(client.get("/letter").body)
    assert "Your letter is now in Spanish." in page and 'id="letter-es" value="es" checked' in page
    assert "It is written in Spanish, for a plan that accepts Spanish correspondence" in page
    assert "Fecha de nacimiento: 12 de junio de 1985" in letter_text()
    client.post("/letter-language", {"letter_lang": "en"})
    assert "Date of birth: June 12, 1985" in "\n".join(letter_text())

    monkeypatch.setattr(letter_language, "LOCALE_DIR", catalog_folder(tmp_path / "gaps", drop=("Date of birth",)))
    client.post("/letter-language", {"letter_lang": "es"})
    page = html.unescape(client.get("/letter").body)
    assert "The letter stays as it was: The appeal letter cannot be written in Spanish" in page
    assert 'id="letter-en" value="en" checked' in page and "Date of birth: June 12, 1985" in "\n".join(letter_text())

def test_a_list_entry_lacking_a_fact_the_letter_needs_is_reopened_and_the_letter_is_reached(client):
    """A draft from before the letter needed each trial's dose: the browser opens that trial at the dose question
    (as the terminal does), and once it is answered goes on to the review and the letter, not back to the list."""
    from appeal.cases import examples

    path = start_patient_appeal(client)
    data = yaml.safe_load(examples.text("ketamine-trd-erisa-appeal"))
    del data["prior_treatments"][0]["dose"]
    path.write_text(yaml.safe_dump(data))  # finished in a terminal meanwhile, from an older case file
    asked_dose = 0
    for _ in range(30):
        reply = client.get("/questions")
        if reply.status == 303:
            break
        keys = re.findall(r'name="key" value="([^"]+)"', reply.body)
        if 'name="prior_treatments[].dose"' in reply.body:
            asked_dose += 1
            assert "Highest dose reached" in reply.body and 'name="prior_treatments[].name"' not in reply.body
            client.post("/questions", {"key": keys, "prior_treatments[].dose": "200 mg"})
        else:
            assert keys != ["prior_treatments"], "the list is shown again instead of the entry that lacks a dose"
            is_list = isinstance(questions.ENTRIES[keys[0]], questions.Group)
            client.post("/questions", {"key": keys, "action": "done" if is_list else "next", **as_they_stand(reply.body)})
    assert reply.status == 303 and reply.headers["location"].startswith("/review?w=") and asked_dose == 1
    assert client.post("/finish", {}).headers["location"].startswith("/letter?w=")
    assert client.get("/letter").status == 200
    (kept,) = Path.cwd().glob("*.yaml")  # the finished case moved from the drafts folder to beside the letter
    assert not path.exists() and kept.with_suffix(".docx").is_file()
    trials = yaml.safe_load(kept.read_text())["prior_treatments"]
    assert trials[0]["dose"] == "200 mg" and [trial["name"] for trial in trials] == [t["name"] for t in data["prior_treatments"]]


# --------------------------------------------------------------------------------------------------------------
# Two sessions on one draft, in separate processes; a draft edited by hand


class TerminalSession:
    """`appeal draft --resume DRAFT` in a child process on a pseudo-terminal, read up to the words awaited (an
    event: the child's own output), never on a timer."""

    def __init__(self, draft: Path, home: Path):
        import pty

        environment = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"], "TERM": "xterm",
                       "COLUMNS": "120", "LINES": "40"}
        self.master, child_side = pty.openpty()
        self.process = subprocess.Popen([sys.executable, "-m", "appeal", "draft", "--resume", str(draft)],
                                        stdin=child_side, stdout=child_side, stderr=child_side, env=environment)
        os.close(child_side)
        self.seen = b""

    def shown(self) -> str:
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.seen.decode("utf-8", "replace"))

    def until(self, words: str) -> None:
        while words not in self.shown():
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the child has gone and its terminal with it
                chunk = b""
            assert chunk, f"{words!r} never shown; last shown: {self.shown()[-400:]}"
            self.seen += chunk

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self) -> int:
        code = self.process.wait()
        os.close(self.master)
        return code


def _answered_draft() -> Path:
    folder = draft_files.folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "draft-2026-01-01-100000.yaml"
    keys = ["sender.role", "@situation", "denial.level_exhausted", "letter_kind", "patient.first_name"]
    progress = {"answered": keys, "skipped": [], "extras": {"situation": "denial"}, "history": keys, "item": None}
    path.write_text("sender: {role: patient}\ndenial: {level_exhausted: initial}\nletter_kind: appeal\n"
                    "patient: {first_name: Ana}\n"
                    f"# appeal-questionnaire: {json.dumps(progress)}\n", encoding="utf-8")
    return path


def test_two_sessions_in_two_processes_never_save_over_each_other(client, tmp_path):
    """A terminal session has the draft open: a second terminal (another process) and the browser are told so,
    by name, and can carry on in a copy; when the first stops, every answer of both is on disk."""
    draft = _answered_draft()
    first = TerminalSession(draft, tmp_path / "home")
    try:
        first.until("Your last name")
        second = TerminalSession(draft, tmp_path / "home")
        second.until("Carry on in a copy of the draft")
        assert f"{draft} is open in another appeal session" in second.shown().replace("\r\n", "")
        second.type("n")
        assert second.wait() != 0 and "Traceback" not in second.shown()

        refused = client.post("/new", {"draft": draft.name})
        assert refused.status == 409 and "open in another appeal session" in refused.body
        assert "Carry on in a copy of the draft" in refused.body
        assert client.post(re.search(r'action="(/copy[^"]*)"', refused.body).group(1)).status == 303  # its button
        assert "last name" in client.get("/questions").body
        assert answer(client, ["patient.last_name"], patient__last_name="Ruiz").status == 303

        first.type("Lopez\r")
        first.until("date of birth")  # the answer is saved before the next question
        first.type("\x03")
        first.until("Stopped. Your answers so far are saved")
    finally:
        if first.process.poll() is None:
            first.process.kill()
        first.wait()
    copy = draft.with_name("draft-2026-01-01-100000-copy.yaml")
    assert yaml.safe_load(draft.read_text())["patient"] == {"first_name": "Ana", "last_name": "Lopez"}
    assert yaml.safe_load(copy.read_text())["patient"] == {"first_name": "Ana", "last_name": "Ruiz"}
    assert client.post("/new", {"draft": draft.name}).status == 303  # released: the browser opens it now
    assert "date of birth" in client.get("/questions").body


def test_a_session_killed_with_its_draft_open_leaves_it_whole_and_free(client, tmp_path):
    draft = _answered_draft()
    session = TerminalSession(draft, tmp_path / "home")
    session.until("Your last name")
    session.type("Lopez\r")
    session.until("date of birth")
    session.process.send_signal(signal.SIGKILL)
    assert session.wait() == -signal.SIGKILL
    assert yaml.safe_load(draft.read_text())["patient"] == {"first_name": "Ana", "last_name": "Lopez"}
    assert client.post("/new", {"draft": draft.name}).status == 303  # the system released its lock
    assert "date of birth" in client.get("/questions").body


PROGRESS = ('# appeal-questionnaire: {"answered": ["sender.role"], "skipped": [], "extras": {}, "history": [], '
            '"item": null}\n')


@pytest.mark.parametrize("text, why", [
    ("patient: {first_name: Ana\n", "column 1: did not find expected ',' or '}'"),
    ("patient: {first_name: Ana, date_of_birth: [1990]}\n", "patient.date_of_birth (line 1)"),
    ("patient: {first_name: Ana}\nfavourite_colour: blue\n", "favourite_colour (line 2): is not a field of a case"),
    ("patient: {first_name: 'Ana\x1b[31m'}\n", "the control character U+001B is not allowed"),
    ("patient: {first_name: 'Ana\xe9'}\n".encode("latin-1"), "is not UTF-8 text"),
])
def test_a_draft_broken_by_hand_is_set_aside_with_where_and_why(client, text, why):
    """Bad YAML, a field of the wrong kind, an unknown field, a control character, another encoding: the start
    page says which draft, where its unchanged copy is and why (the field and line); it is not offered."""
    folder = draft_files.folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "draft-2026-01-01-100000.yaml"
    content = (text if isinstance(text, bytes) else text.encode()) + PROGRESS.encode()
    path.write_bytes(content)
    page = client.get("/")
    assert page.status == 200 and "Traceback" not in page.body
    said = re.sub(r"<[^>]+>", "", page.body).replace("&#39;", "'")
    aside = folder / "draft-2026-01-01-100000.yaml.damaged"
    assert f"The draft {path.name} cannot be read, so it was set aside as {aside}" in said and why in said
    assert aside.read_bytes() == content and not path.exists()
    assert f'value="{path.name}"' not in page.body


@pytest.mark.parametrize("line", ['{"answered": 5', '{"answered": 5}', '{"item": "x"}', '[1, 2]',
                                  '{"item": {"group": "prior_treatments"}}',
                                  '{"item": {"group": "prior_treatments", "index": 3, "data": {}, "done": []}}'])
def test_a_draft_whose_progress_line_was_edited_resumes_with_every_answer_and_says_so(client, line):
    folder = draft_files.folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "draft-2026-01-01-100000.yaml"
    path.write_text("sender: {role: patient}\nletter_kind: appeal\npatient: {first_name: Ana, last_name: Lopez}\n"
                    f"# appeal-questionnaire: {line}\n", encoding="utf-8")
    assert client.post("/new", {"draft": path.name}).status == 303
    page = client.get("/questions")
    assert page.status == 200 and "Traceback" not in page.body
    assert "could not be read, so the questions done were worked out again from your answers" in page.body
    assert "Your last name" not in page.body  # answered in the file: not asked again
    assert yaml.safe_load(path.read_text())["patient"] == {"first_name": "Ana", "last_name": "Lopez"}


def test_a_chart_note_in_a_patients_own_words_is_named_on_the_review_and_the_letter_page(client):
    """'Patient reports ...' typed by the patient about herself: the review and the letter page say which answer
    reads as someone else's note, and the letter keeps the words as typed."""
    import html
    import io

    from docx import Document

    from appeal.cases import examples

    path = start_patient_appeal(client)
    data = yaml.safe_load(examples.text("ketamine-trd-erisa-appeal"))
    data["clinical"]["functional_impairment"] = "Patient reports she missed 14 shifts since August."
    path.write_text(yaml.safe_dump(data))
    said = "clinical.functional_impairment (&#39;Effect on daily life&#39;) speaks of you in the third person"
    review = client.get("/review").body
    assert said in review or html.unescape(said) in html.unescape(review)
    letter = client.get("/letter").body
    assert html.unescape(said) in html.unescape(letter)
    text = "\n".join(p.text for p in Document(io.BytesIO(client.get_bytes("/letter.docx"))).paragraphs)
    assert "Patient reports she missed 14 shifts since August" in text


def test_a_likely_typo_is_listed_on_the_question_page_to_fix_or_keep(client):
    """The web's proofreading: the answer is saved as typed, the page comes back with each likely typo and its
    choices; one fix accepted, one word kept as typed (not shown again), the plan's quoted words never changed."""
    path = start_patient_appeal(client)
    typed = "I recieve my infusions weekly and dont want to stop"
    client.post("/change", {"key": "clinical.history"})
    first = answer(client, ["clinical.history"], clinical__history=typed)
    assert first.status == 200 and "Check the spelling" in first.body
    assert "recieve → receive?" in first.body and "dont → don&#39;t?" in first.body
    assert yaml.safe_load(path.read_text())["clinical"]["history"] == typed  # saved as typed, nothing lost
    settled = answer(client, ["clinical.history"], clinical__history=typed,
                     **{"clinical.history:spell:recieve": "use:receive", "clinical.history:spell:dont": "keep"})
    assert settled.status == 303 and "Check the spelling" not in client.get("/questions").body
    data = yaml.safe_load(path.read_text())
    assert data["clinical"]["history"] == "I receive my infusions weekly and dont want to stop"
    assert data["kept_spellings"] == {"clinical.history": ["dont"]}
    again = answer(client, ["clinical.history"], clinical__history="I dont sleep well")  # kept: not asked again
    assert again.status == 303
    # the plan's words: checked against the notice, never corrected
    client.post("/change", {"key": "denial.quote"})
    quoted = "Ketamine infusions are experimental for depresion."
    shown = answer(client, ["denial.quote"], denial__quote=quoted)
    assert "“depresion” may be a typo. Check it against the notice" in shown.body and "Use “" not in shown.body
    answer(client, ["denial.quote"], denial__quote=quoted, **{"denial.quote:spell:depresion": "keep"})
    data = yaml.safe_load(path.read_text())
    assert data["denial"]["quote"] == quoted and data["kept_spellings"]["denial.quote"] == ["depresion"]


def test_the_finished_letter_is_kept_beside_its_case_file_with_the_commands_for_them(client, tmp_path, monkeypatch):
    """Finishing writes NAME.docx and NAME.yaml side by side in the folder `appeal web` started in (never over a
    file: the pair is numbered), the draft leaves the drafts folder, and the letter page gives the commands with
    the real paths, quoted for the shell. The review shows every word of a long answer."""
    import html
    import shlex

    from docx import Document

    from appeal.cases import examples

    path = start_patient_appeal(client)
    path.write_text(examples.text("ketamine-trd-erisa-appeal"))
    quote = yaml.safe_load(path.read_text())["denial"]["quote"].strip()
    assert len(quote) > 100
    review = html.unescape(client.get("/review").body)
    assert " ".join(quote.split()) in " ".join(review.split())  # in full, no "..."
    from datetime import date

    from appeal.intake import questions

    while (reply := client.get("/questions")).status == 200:  # the example leaves a few questions open: skip them
        keys = re.findall(r'name="key" value="([^"]+)"', reply.body)
        is_list = isinstance(questions.ENTRIES[keys[0]], questions.Group)
        client.post("/questions", {"key": keys, "action": "done" if is_list else "next", **as_they_stand(reply.body)})
    taken = tmp_path / f"alvarez-maria-appeal-{date.today().isoformat()}.yaml"
    taken.write_text("a case file of the person's own, kept\n")
    assert client.post("/finish", {}).headers["location"].startswith("/letter?w=")
    (letter,) = tmp_path.glob("*.docx")
    case_file = letter.with_suffix(".yaml")
    assert letter.name == f"alvarez-maria-appeal-{date.today().isoformat()}-2.docx"
    assert case_file.is_file() and not path.exists() and taken.read_text() == "a case file of the person's own, kept\n"
    assert oct(case_file.stat().st_mode & 0o777) == "0o600" and oct(letter.stat().st_mode & 0o777) == "0o600"
    assert yaml.safe_load(case_file.read_text())["patient"]["first_name"] == "Maria"
    assert "Maria Alvarez" in "\n".join(p.text for p in Document(str(letter)).paragraphs)
    page = html.unescape(client.get("/letter").body)
    for command in ("check", "deadline", "packet", "track add"):
        assert f"appeal {command} --case {shlex.quote(str(case_file))}" in page
    assert f"--docx {shlex.quote(str(letter))}" in page and f"--packet {shlex.quote(str(letter))}" in page
    from appeal.intake import beside_letter

    assert beside_letter.shell_path(Path("/home/dana/My Letters/a.yaml")) == "'/home/dana/My Letters/a.yaml'"


def test_the_sessions_pdfs_share_one_libreoffice_which_is_gone_when_the_session_ends(client, running, short_temp):
    from conftest import libreoffices

    path = start_patient_appeal(client)
    from appeal.cases import examples

    path.write_text(examples.text("ketamine-trd-erisa-appeal"))
    seen = []
    for send in ("fax", "mail"):
        assert client.post_files("/packet", {"send": send}, []).status == 303
        assert client.get_bytes("/packet.pdf").startswith(b"%PDF")
        seen.append(libreoffices(short_temp))
    assert len(seen[0]) == 1 and seen[1] == seen[0]  # the second PDF was made by the first one's LibreOffice
    running.stop()  # what Ctrl-C in appeal web's terminal ends with
    assert not libreoffices(short_temp)


def test_a_spanish_locale_or_lang_es_is_the_pages_language_when_the_browser_names_none(client, monkeypatch, capsys):
    """`LANG=es_US.UTF-8 appeal web` (or `--lang es`): the launch's language is the pages' default, and nothing
    says the pages are English any more (tests/web/test_web_spanish.py: the browser's own choice first)."""
    from appeal.base import language

    monkeypatch.setenv("LANG", "es_US.UTF-8")
    assert web.Session(0).default_language == "es"
    language.choose("en")
    assert web.Session(0).default_language == "en"
    client.running.session.default_language = "es"
    client.post("/new")
    page = client.get("/questions").body
    assert '<html lang="es">' in page and "¿Quién escribe esta carta?" in page and "Who is writing" not in page
    assert capsys.readouterr().err == ""
