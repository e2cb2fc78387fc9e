"""`appeal web`'s "Start from your denial notice" (issue 29): what the document is, said plainly for a
non-denial; the fax, address and deadline shown beside their lines and ticked by the person before the answers
start; no denial written from an approval unless the person ticks "read it as a denial anyway"."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pytest
from web_harness import Client, running  # noqa: F401 (a fixture)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "intake"))
from test_notice_kind import APPROVAL, PEER_TO_PEER  # noqa: E402

from appeal.cases import casefile


@pytest.fixture
def client(running):
    browser = Client(running)
    browser.login()
    return browser


DENIAL = PEER_TO_PEER.replace("may ask us to look at it again.", "must file your appeal within 60 days.") \
    + "Fax your appeal to (859) 555-0142.\n"


def test_the_start_page_offers_the_notice(client):
    assert 'href="/notice"' in client.get("/").body
    assert 'type="file"' in client.get("/notice").body


def test_a_denial_is_shown_with_its_lines_and_used_only_once_the_three_facts_are_ticked(client, running):
    page = html.unescape(client.post_files("/notice", {}, [("notice", "notice.txt", DENIAL.encode())]).body)
    assert "This looks like a denial" in page
    assert "We have denied the request for IV ketamine infusion therapy." in page  # its source line
    assert "Fax for appeals:</strong> (859) 555-0142" in page
    fax_line = DENIAL.splitlines().index("Fax your appeal to (859) 555-0142.") + 1
    assert f'line {fax_line}: <span lang="en">“Fax your appeal to (859) 555-0142.”</span>' in page  # the notice's words
    assert "Address for appeals:</strong> Crestline Benefit Administrators / Appeals / PO Box 14079 / Lexington, KY" in page
    assert "Appeal deadline on the notice:</strong> within 60 days" in page
    assert "14 calendar days: for your doctor to ask for a call" in page  # the peer-to-peer window, labelled
    assert "the earlier, is the safe date" in page
    # not ticked: nothing is started, and the page says what to tick
    refused = client.post("/notice/use", {"checked-appeals_fax": "yes"})
    assert refused.status == 400 and "tick it when it matches" in html.unescape(refused.body)
    assert running.session.last_draft is None
    done = client.post("/notice/use", {"checked-appeals_fax": "yes", "checked-appeals_address": "yes",
                                       "checked-appeal_deadline": "yes"})
    assert done.status == 303 and done.headers["location"].startswith("/questions?w=")  # its own window's letter
    case = casefile.load(running.session.last_draft)
    assert case.insurance.appeals_fax == "(859) 555-0142" and case.denial.reference == "PA-2026-0311874"


def test_an_approval_is_said_plainly_and_writes_no_denial_unless_ticked(client, running):
    page = html.unescape(client.post_files("/notice", {}, [("notice", "approval.txt", APPROVAL.encode())]).body)
    assert "This looks like an approval, not a denial; there is nothing to appeal." in page
    assert 'name="as-denial"' in page and "checked" not in page.split('name="as-denial"')[1].split(">")[0]
    assert client.post("/notice/use", {}).status == 303
    assert casefile.load(running.session.last_draft).denial is None
    assert "Your answers start from the notice" in client.get("/questions").body  # and the questions go on
