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
from web_harness import Keyboard, browser, running, settled, text_of  # noqa: F401 (fixtures)

from appeal.cases import casefile

NOTICE = date.today() - timedelta(days=30)
# One test worker runs this file's tests (pytest -n with --dist loadgroup), so one chromium serves them all.
pytestmark = pytest.mark.xdist_group("chromium-personas")


def reach_the_letter(browser, running, tmp_path, script: dict, lists: dict, on_page=None, locale=None,
                     on_letter=None):
    """Start a new letter, answer every page, read the review, write the letter and download it: (the letter's
    text, the review's text, the letter page's text, the downloaded file's name, the pages' headings). `locale`:
    the browser's language (its Accept-Language); on_letter(page) runs on the letter's page last."""
    context = browser.new_context(accept_downloads=True, locale=locale)
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
    if on_letter:
        on_letter(page)
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
        said = text_of(page, ".error-summary")
        if said is not None:
            self.seen.append(said)


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



FATHER = {
    "Who is writing": "helping the patient",
    "What happened": "said no",
    "Which 'no'": "initial decision",
    "Which letter": "appeal",
    "Your full name": "Grace Whitaker",
    "Your relationship": "daughter",
    "signed a paper": "draft it",
    "mailing address": "88 Linden Court\nAkron, OH 44303",
    "Your phone number": "330 555 0119",
    "first name": "Harold",
    "last name": "Whitaker",
    "date of birth": ["02/30/1955", "03/02/1955"],
    "Insurance company": "Summit Senior Advantage",
    "Member ID": "SSA4471920",
    "fax number for this letter": "(614) 555-0187",
    "Date printed on the denial": f"{NOTICE:%m/%d/%Y}",
    "reference number": "MA-2026-55103",
    "Main reason": "step therapy",
    "word for word": ("Spravato is not medically necessary. Step therapy requirements have not been met: the member "
                      "must try and fail two antidepressants and augmentation first."),
    "Which treatment": "esketamine",
    "Is this urgent": "standard",
    "What kind of clinician": "psychiatrist",
    "prescriber's name": "Dr. Lena Park",
    "prescriber's office phone": "330 555 0140",
    "prescriber's office fax": "330 555 0141",
    "dose and schedule": "56 mg twice a week for weeks 1-4, then 84 mg once a week",
    "Where is the treatment given": "Summit Psychiatry, a SPRAVATO REMS-certified clinic, Akron",
    "history with this illness": ("My father has had depression since my mother died in 2019. He has tried four "
                                  "medicines and none helped for long."),
    "current episode of depression begin": "01/15/2025",
    "work, family and daily life": "Dad stopped driving and seeing friends; I do his shopping.",
    "if this treatment is denied": "He will keep losing weight and may need the hospital again.",
    "Hospital stays": "Inpatient psychiatric stay, 6 days, February 2025",
}
FATHER_LISTS = {
    "another reason": [{"Which other reason": "not medically necessary"}],
    "diagnosis": [{"Diagnosis code": "F33.2"}],
    "symptom score": [{"Which scale": "PHQ-9", "The score": "21", "When was it measured": f"{NOTICE:%m/%d/%Y}"}],
    "medication or therapy": [
        {"Name of the medication": "sertraline", "Highest dose": "150 mg daily", "How many weeks": "12",
         "What happened": "no improvement"},
        {"Name of the medication": "mirtazapine", "Highest dose": "30 mg at night", "How many weeks": "8",
         "What happened": "partial"},
        {"Name of the medication": "aripiprazole", "Highest dose": "5 mg daily", "How many weeks": "6",
         "What happened": "intolerable"},
    ],
    "document": [{"Name of the document": "Denial notice from Summit Senior Advantage"},
                 {"Name of the document": "Dr. Park's treatment notes"}],
}


def test_b_a_daughter_for_her_father_under_medicare_advantage_in_the_browser(browser, running, tmp_path):
    coverage: list[str] = []

    def on_page(page) -> None:
        chosen = page.evaluate("""() => [...document.querySelectorAll("fieldset")]
            .find(set => set.querySelector("legend")?.textContent.includes("What kind of coverage"))
            ?.querySelector("input:checked + label")?.innerText ?? null""")
        if chosen is not None:  # what the page offers first to a person of 71, before anything is chosen
            coverage.append(chosen)

    text, review, letter_page, name, _ = reach_the_letter(browser, running, tmp_path, FATHER, FATHER_LISTS,
                                                          on_page)
    assert coverage[:1] == ["Medicare Advantage"], coverage  # left as offered: the letter is Medicare Advantage's
    assert name.startswith("whitaker-harold-appeal-")
    assert_father_letter(text)
    assert_answers_shown_in_full(review, [FATHER["history with this illness"], FATHER["word for word"],
                                          FATHER["work, family and daily life"]])
    # the authorization she asked the tool to draft: the command that drafts it from this case file
    case_file = shlex.quote(str((tmp_path / name).with_suffix(".yaml")))
    assert f"appeal draft --case {case_file} --letter representative-authorization" in letter_page, letter_page
    assert_commands_for_the_case_file(letter_page, name, tmp_path)


LOWERCASE = {
    "Who is writing": "I am the patient",
    "What happened": "said no",
    "Which 'no'": "initial decision",
    "Which letter": "appeal",
    "first name": "Jordan",
    "last name": "Reyes",
    "date of birth": ["7/9/198", "7/9/1988"],
    "mailing address": "501 Cedar St Apt 4\nTacoma, WA 98402",
    "Your phone number": "253 555 0166",
    "Insurance company": "Evergreen Benefit Administrators",
    "kind of coverage": "self-funded",
    "How many levels of appeal": "one",
    "Member ID": "EBA20931177",
    "Group number": "77120",
    "address for this letter": "Appeals Unit, PO Box 3310\nSeattle, WA 98101",
    "Date printed on the denial": f"{NOTICE:%m/%d/%Y}",
    "reference number": "EBA-CLM-880412",
    "Main reason": "experimental",
    "word for word": LOWERCASE_QUOTE,
    "Check the spelling: The plan's reason": "It is as",
    "Which treatment": "intravenous",
    "Is this urgent": "standard",
    "What kind of clinician": "psychiatrist",
    "prescriber's name": "dr. amir haddad",
    "Check the spelling: The prescriber's name": "Use",
    "prescriber's office phone": "253 555 0190",
    "dose and schedule": "0.5 mg/kg over 40 minutes, twice a week for 3 weeks",
    "How many sessions": "6",
    "history with this illness": LOWERCASE_HISTORY,
    "Check the spelling: Your history": "Use",
    "work, family and daily life": "im on leave from work and i dont leave the house most days",
    "Check the spelling: How does the illness": "Use",
}
LOWERCASE_LISTS = {
    "diagnosis": [{"Diagnosis code": "f33.2"}],
    "medication or therapy": [
        {"Name of the medication": "sertraline", "Highest dose": "200 mg daily", "How many weeks": "about 10",
         "What happened": "no improvement"},
        {"Name of the medication": "venlafaxine", "Highest dose": "225 mg daily", "How many weeks": "12",
         "What happened": "partial"},
        {"Name of the medication": "bupropion", "Highest dose": "450 mg daily", "How many weeks": "8",
         "What happened": "no improvement"},
    ],
    "document": [{"Name of the document": "denial letter"}],
}


def test_c_a_patient_who_types_without_apostrophes_in_the_browser(browser, running, tmp_path):
    offered: list[str] = []

    def on_page(page) -> None:
        if page.evaluate("!!document.querySelector('fieldset.spelling')"):
            offered.extend(text_of(page, ".spelling").splitlines())

    text, review, letter_page, name, _ = reach_the_letter(browser, running, tmp_path, LOWERCASE, LOWERCASE_LISTS,
                                                          on_page)
    for shown in ("dr. amir haddad → Dr. Amir Haddad?", "recieved → received?", "i → I?", "cant → can't?", "didnt → didn't?", "im → I'm?"):
        assert shown in offered, (shown, offered)
    assert any("“depresion” may be a typo. Check it against the notice" in line for line in offered), offered
    assert not any("meds" in line for line in offered), offered
    assert_lowercase_letter(text)
    assert_answers_shown_in_full(review, [LOWERCASE_QUOTE])
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
    page.route("**/autosave?*", lambda route: held.append(route))
    with page.expect_request("**/autosave?*"):
        page.keyboard.press("ArrowDown")  # "I am helping the patient": saved (held on its way)
    page.keyboard.press("ArrowDown")  # the doctor: its save waits for the first
    page.keyboard.press("Enter")
    page.evaluate("0")  # what the keys set off has reached Playwright
    assert len(held) == 1 and "/autosave" not in page.url  # one save on its way; the next and the page wait
    with page.expect_request("**/autosave?*"):
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


# A Spanish-speaking patient (issue 32): her browser asks for Spanish (es-US), every page answers in Spanish, she
# types her history and daily life in Spanish; the letter is English with her words as typed, the review told her
# so, and "Qué dice su carta" is downloaded beside it in Spanish.
HISTORY = "Tengo depresión desde el año 2015. Probé muchos medicamentos y ninguno me ayudó por mucho tiempo."
DAILY_LIFE = "No puedo trabajar desde marzo y casi no salgo de la casa."
SPANISH = {
    "Quién escribe": "Soy el paciente",
    "Qué pasó, o qué necesita": "dijo que no",
    "Qué 'no' es este": "decisión inicial",
    "Qué carta escribimos": "Apelación interna",
    "Nombre": "Ana",
    "Apellido": "Morales",
    "Fecha de nacimiento": ["02/30/1984", "07/09/1984"],  # no February 30th: the page says why, in Spanish
    "Su dirección postal": "501 Cedar St Apt 4\nTacoma, WA 98402",
    "Su número de teléfono": "253 555 0166",
    "Compañía de seguros": "Evergreen Benefit Administrators",
    "Qué tipo de cobertura": "autofinanciado",
    "Cuántos niveles de apelación": "un nivel",
    "Número de miembro": "EBA20931177",
    "Número de grupo": "77120",
    "Nombre del plan": "",
    "Nombre del titular": "",
    "La dirección del plan para esta carta": "Appeals Unit, PO Box 3310\nSeattle, WA 98101",
    "Fecha que aparece en la carta de denegación": f"{NOTICE:%m/%d/%Y}",
    "Número de reclamación": "EBA-CLM-880412",
    "motivo principal": "experimental",
    "palabra por palabra": "Intravenous ketamine infusion for depression is experimental and investigational.",
    "De qué tratamiento se trata": "intravenosa",
    "Es urgente": "normal",
    "Qué tipo de profesional": "psychiatrist",
    "Nombre de quien receta": "Dr. Amir Haddad",
    "Teléfono del consultorio": "253 555 0190",
    "La dosis y el horario": "0.5 mg/kg over 40 minutes, twice a week for 3 weeks",
    "Cuántas sesiones": "6",
    "Dónde se da el tratamiento": "Cascade Ketamine Clinic, Tacoma",
    "la historia de esta enfermedad": HISTORY,
    "Cómo le afecta la enfermedad": DAILY_LIFE,
}
SPANISH_LISTS = {
    "diagnóstico": [{"Código del diagnóstico": "F33.2"}],
    "medicamento o una terapia": [
        {"Nombre del medicamento": "sertraline", "La dosis más alta": "200 mg daily", "Cuántas semanas": "10",
         "Qué pasó": "no mejoró"},
        {"Nombre del medicamento": "venlafaxine", "La dosis más alta": "225 mg daily", "Cuántas semanas": "12",
         "Qué pasó": "parcial"},
    ],
}


def test_d_a_spanish_speaking_patient_in_the_browser(browser, running, tmp_path):
    errors = Errors()
    headings: list[str] = []
    summaries = []

    def on_page(page) -> None:
        errors(page)
        assert page.evaluate("document.documentElement.getAttribute('lang')") == "es"
        headings.append(text_of(page, "h1"))

    def on_letter(page) -> None:
        assert page.get_attribute("html", "lang") == "es"
        page.keyboard.press("Tab")  # from "Download your letter" to "What your letter says", beside it
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        summaries.append(tmp_path / "downloaded" / download.value.suggested_filename)
        download.value.save_as(summaries[0])

    text, review, letter_page, name, seen = reach_the_letter(browser, running, tmp_path, SPANISH, SPANISH_LISTS,
                                                             on_page, locale="es-US", on_letter=on_letter)
    assert any("febrero tiene 29 días en 1984" in summary for summary in errors.seen), errors.seen
    assert "¿Quién escribe esta carta?" in headings and "Who is writing this letter?" not in headings
    # the review, in Spanish, with her Spanish answers flagged
    assert "Revise sus respuestas" in review and "Fecha de nacimiento\n9 de julio de 1984" in review
    assert "su respuesta a “Historia” está en español" in review
    assert "su respuesta a “Vida diaria” está en español" in review
    assert "Su carta está lista" in letter_page and "Apelación interna" in letter_page
    # the letter: English, with her words as typed
    assert "Ana Morales" in text and f"History: {HISTORY}" in text and "Dear Appeals Reviewer:" in text
    kept = casefile.load(tmp_path / name.replace(".docx", ".yaml"))  # the case file kept beside the letter
    assert kept.clinical.functional_impairment == DAILY_LIFE and kept.clinical.history == HISTORY
    for spanish in ("Apelación", "Número de miembro", "denegación", "Estimado"):
        assert spanish not in text
    # beside it, "Qué dice su carta", in Spanish, kept where the letter is kept too
    (summary,) = summaries
    assert summary.name == name.replace(".docx", "-que-dice-su-carta.docx")
    assert (tmp_path / summary.name).is_file()
    said = docx_text(summary)
    assert "Qué dice su carta: Ana Morales" in said and "Lo que pide su carta" in said
    assert "Responde al motivo que dio el plan: experimental o de investigación." in said
    assert "Mándela por correo a Appeals Unit, PO Box 3310, Seattle, WA 98101" in said
