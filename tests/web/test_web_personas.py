"""Issue 28's three personas in `appeal web`: Debian's chromium driven with the keyboard alone (tests/web_harness.py)
from the start page to the letter, which is downloaded and read back with the same checks as the terminal's
persona tests (tests/persona_letters.py). Each makes one slip a tired person makes (an impossible date, retyped
after the page says why); the review shows every answer whole; the letter page gives the commands for the case
file kept beside the letter. Kept to one test a persona, without the accessibility checks test_web_browser.py runs
on every page, so they stay fast."""

from __future__ import annotations

import html
import shlex
from datetime import date, timedelta

import pytest
from conftest import docx_text
from persona_letters import (LOWERCASE_HISTORY, LOWERCASE_QUOTE, PAIN_DOSE, assert_answers_shown_in_full,
                             assert_father_letter, assert_lowercase_letter, assert_pain_letter)
from playwright.sync_api import sync_playwright
from web_harness import Keyboard, launch, running, settled  # noqa: F401 (a fixture)

NOTICE = date.today() - timedelta(days=30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def reach_the_letter(browser, running, tmp_path, script: dict, lists: dict, on_page=None):
    """Start a new letter, answer every page, read the review, write the letter and download it: (the letter's
    text, the review's text, the letter page's text, the downloaded file's name, the pages' headings)."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(running.url)
    settled(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # "Start a new letter" has the focus
    settled(page)
    keyboard = Keyboard(page, script, lists)
    keyboard.run(on_page=on_page)
    review = html.unescape(page.inner_text("main"))
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the button that writes the letter has the focus
    settled(page)
    letter_page = page.inner_text("main")
    with page.expect_download() as download:
        page.keyboard.press("Enter")  # "Download your letter" has the focus
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    context.close()
    return docx_text(saved), review, letter_page, saved.name, keyboard.seen


def assert_commands_for_the_case_file(letter_page: str, name: str, folder) -> None:
    """The case file sits beside the letter in the folder the app started in, and the page gives its commands."""
    letter = folder / name
    case_file = letter.with_suffix(".yaml")
    assert letter.is_file() and case_file.is_file()
    for command in ("check", "deadline", "packet", "track add"):
        assert f"appeal {command} --case {shlex.quote(str(case_file))}" in letter_page, command


class Errors:
    """Collects each error summary shown (a refused answer), as the person reads it."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, page) -> None:
        if page.query_selector(".error-summary"):
            self.seen.append(page.inner_text(".error-summary"))


PAIN = {
    "Who is writing": "I am the patient",
    "What happened": "said no",
    "Which 'no'": "final internal",
    "Which letter": "external review",
    "first name": "Alicia",
    "last name": "Navarro",
    "date of birth": ["04/31/1990", "04/17/1990"],
    "mailing address": "2716 Sagebrush Way\nLakewood, CO 80227",
    "Your phone number": "303 555 0158",
    "Insurance company": "Aspenleaf Health",
    "kind of coverage": "Marketplace",
    "Which state": "CO",
    "Member ID": "ALH7702194403",
    "address for this letter": "External Review, P.O. Box 460218\nDenver, CO 80246",
    "fax number for this letter": "(720) 555-0143",
    "Date printed on the denial": f"{NOTICE:%m/%d/%Y}",
    "reference number": "APL-2026-0922",
    "Main reason": "experimental",
    "word for word": "Intravenous ketamine infusion for CRPS is experimental/investigational.",
    "Which treatment": "intravenous",
    "Is this urgent": "standard",
    "What kind of clinician": "pain medicine physician",
    "prescriber's name": "Dr. Samuel Oyelaran",
    "prescriber's office phone": "720 555 0177",
    "prescriber's office fax": "720 555 0178",
    "dose and schedule": PAIN_DOSE,
    "How many sessions": "5",
    "history with this illness": ("CRPS of the left arm since a wrist fracture in March 2024. Burning pain, swelling "
                                  "and color change of the hand."),
    "work, family and daily life": "I cannot work or lift my son with my left hand.",
    "if this treatment is denied": "The pain will spread and I will lose the use of my hand.",
}
PAIN_LISTS = {
    "diagnosis": [{"Diagnosis code": "crps left arm", "Codes that match": "G90.512"}],
    "medication or therapy": [
        {"Name of the medication": "gabapentin", "Highest dose": "2400 mg daily", "How many weeks": "10",
         "What happened": "intolerable", "Side effects": "dizziness and sedation"},
        {"Name of the medication": "duloxetine", "Highest dose": "60 mg daily", "How many weeks": "12",
         "What happened": "partial"},
        {"Name of the medication": "nortriptyline", "Highest dose": "50 mg at night", "How many weeks": "8",
         "What happened": "no improvement"},
        {"Name of the medication": "physical therapy", "What kind is it": "physical or occupational",
         "how many sessions": "twice weekly", "How many weeks": "16", "What happened": "partial"},
        {"Name of the medication": "stellate ganglion blocks", "What kind is it": "nerve block",
         "how many sessions": "three blocks", "How many weeks": "6", "What happened": "partial",
         "Side effects": "relief lasted a few days"},
    ],
    "document": [{"Name of the document": "Final denial letter from Aspenleaf Health"},
                 {"Name of the document": "Letter of medical necessity from Dr. Oyelaran"}],
}


def test_a_pain_patient_in_the_browser(browser, running, tmp_path):
    errors = Errors()
    text, review, letter_page, name, seen = reach_the_letter(browser, running, tmp_path, PAIN, PAIN_LISTS, errors)
    assert any("April has 30 days" in summary for summary in errors.seen), errors.seen
    assert not any("depression" in heading.lower() for heading in seen)
    assert_pain_letter(text)
    assert_answers_shown_in_full(review, [PAIN["history with this illness"], PAIN["word for word"], PAIN_DOSE])
    assert_commands_for_the_case_file(letter_page, name, tmp_path)


def test_next_waits_for_a_save_still_on_its_way_and_keeps_the_choice_left_on(browser, running):
    """Arrow keys through a list of choices save it at every step (the page's small script). A save still on its
    way when Next is pressed must not reach the app after the page and put back a choice passed over (the pain
    persona once got 'step therapy not met' for 'experimental', passed on the way up): the saves go one at a
    time, and Next waits for them, then goes on with the choice left on."""
    import yaml

    from appeal.intake import drafts

    context = browser.new_context()
    page = context.new_page()
    page.goto(running.url)
    settled(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settled(page)  # "Who is writing this letter?": the focus on its first choice, none chosen
    held = []
    page.route("**/autosave", lambda route: held.append(route))
    with page.expect_request("**/autosave"):
        page.keyboard.press("ArrowDown")  # "I am helping the patient": saved (held on its way)
    page.keyboard.press("ArrowDown")  # the doctor: its save waits for the first
    page.keyboard.press("Enter")
    page.evaluate("0")  # what the keys set off has reached Playwright
    assert len(held) == 1 and "/autosave" not in page.url  # one save on its way; the next and the page wait
    with page.expect_request("**/autosave"):
        held.pop().continue_()
    while not held:  # the route's handler runs as Playwright hands over the request
        page.evaluate("0")
    with page.expect_navigation():
        held.pop().continue_()
    settled(page)
    (draft,) = drafts.find_unfinished()
    assert yaml.safe_load(draft.read_text(encoding="utf-8"))["sender"]["role"] == "provider"
    assert "What happened, or what do you need?" in page.inner_text("main")  # the page went on
    context.close()
