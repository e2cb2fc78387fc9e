"""A Spanish-speaking patient runs `appeal --lang es draft` (and another with LANG=es_US.UTF-8) in a terminal, through
the questionnaire's real prompts in Spanish, to the letter on disk: the letter is in English, what she typed in
Spanish is in it as typed, the review told her so, and no English spelling check "corrected" her Spanish."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import chain

import pytest
from conftest import docx_text

from english_left import english_by_design, english_in
from terminal_harness import CLEAR, FINISH_MULTILINE, pick
from test_personas import Persona, person  # noqa: F401  (the fixture: a person at a terminal)

LAST_MONTH = date.today() - timedelta(days=30)
SKIP = "\r"
SHORT_MONTHS = "ene feb mar abr may jun jul ago sep oct nov dic".split()
HISTORY = "Tengo depresión desde el año 2015. Probé muchos medicamentos y ninguno me ayudó por mucho tiempo."
DAILY_LIFE = "No puedo trabajar desde marzo y casi no salgo de la casa."
QUOTE = "Intravenous ketamine infusion for depression is experimental and investigational."

SPANISH = {
    "Cómo quiere empezar": pick("questions"),
    "Quién escribe": pick("patient"),
    "Qué pasó, o qué necesita": pick("denial"),
    "Qué 'no' es este": pick("initial"),
    "Qué carta escribimos": pick("appeal"),
    "Nombre": "Ana\r",  # the first name ("Nombre" alone: the patient is writing)
    "Apellido": "Morales\r",
    "Fecha de nacimiento": "7/9/1984\r",
    "Su dirección postal": "501 Cedar St Apt 4\rTacoma, WA 98402" + FINISH_MULTILINE,
    "Su número de teléfono": "253 555 0166\r",
    "Compañía de seguros": "Evergreen Benefit Administrators\r",
    "Qué tipo de cobertura": pick("employer_self_funded"),
    "Cuántos niveles de apelación": pick("one"),
    "Número de miembro": "EBA20931177\r",
    "Número de grupo": "77120\r",
    "La dirección del plan para esta carta": "Appeals Unit, PO Box 3310\rSeattle, WA 98101" + FINISH_MULTILINE,
    "número de fax del plan": SKIP,
    "Fecha que aparece en la carta de denegación": f"{LAST_MONTH:%m/%d/%Y}\r",
    "Número de reclamación": "EBA-CLM-880412\r",
    "motivo principal": pick("experimental"),
    "palabra por palabra": QUOTE + FINISH_MULTILINE,
    "De qué tratamiento se trata": "\r",  # chosen from the plan's words
    "Es urgente": pick("standard"),
    "Agregar un diagnóstico": pick("add"),
    "Agregar otro diagnóstico": pick("done"),
    "Código del diagnóstico": "f33.2\r",
    "Qué tipo de profesional": "psychiatrist\r",
    "Nombre de quien receta": "Dr. Amir Haddad\r",
    "Teléfono del consultorio": "253 555 0190\r",
    "La dosis y el horario": "0.5 mg/kg over 40 minutes, twice a week for 3 weeks\r",
    "Cuántas sesiones": "6\r",
    "la historia de esta enfermedad": HISTORY + FINISH_MULTILINE,
    "cuándo empezó el episodio": "03/01/2025\r",
    "Cómo le afecta la enfermedad": DAILY_LIFE + FINISH_MULTILINE,
    "ya probó": pick("add"),
    "otro medicamento": [pick("add"), pick("add"), pick("done")],
    "Nombre del medicamento": ["sertraline\r", "venlafaxine\r", "bupropion\r"],
    "De qué tipo es": ["\r", "\r", "\r"],
    "La dosis más alta": ["200 mg daily\r", "225 mg daily\r", "450 mg daily\r"],
    "Cuántas semanas": ["10\r", "12\r", "8\r"],
    "Qué pasó?": [pick("none"), pick("partial"), pick("none")],
    "durante el episodio actual": ["\r", "\r", "\r"],
    "Agregar un documento": pick("add"),
    "Agregar otro documento": pick("done"),
    "Nombre del documento": "Denial letter\r",
    "Está todo bien": pick(title="Todo está bien"),
    "un solo PDF": pick("no"),
    "Ya envió esta carta": pick("later"),
}


@pytest.mark.parametrize("how", ["--lang", "LANG"])
def test_a_spanish_speaking_patient_answers_in_spanish_and_her_letter_is_in_english(person, capsys, monkeypatch,
                                                                                      how):
    if how == "LANG":
        monkeypatch.setenv("LANG", "es_US.UTF-8")
    command = ("--lang", "es", "draft") if how == "--lang" else ("draft",)
    text, screen, case, letter = person.draft(SPANISH, capsys, command)
    asked = person.asked

    assert "¿Quién escribe esta carta?" in asked and "Nombre" in asked
    assert "¿Cuántas semanas con esa dosis completa?" in asked
    assert not [prompt for prompt in asked if "Who is writing" in prompt or prompt.startswith("Spelling")]
    assert not [prompt for prompt in asked if prompt.startswith("Ortografía")]  # her Spanish is never "corrected"
    # the review, in Spanish, every answer in full, with dates in words and the Spanish answers flagged
    review = "\n".join(person.said[max(n for n, line in enumerate(person.said) if "Esto es todo" in line):])
    assert "Apellido: Morales" in review and "Fecha de nacimiento: 9 de julio de 1984" in review
    assert "Tipo de cobertura: plan del empleador, autofinanciado (ERISA)" in review
    assert "su respuesta a “Historia” está en español" in review
    assert "su respuesta a “Vida diaria” está en español" in review
    assert "sertraline (antidepresivo ISRS, 200 mg daily, 10 semanas con la dosis completa): no mejoró" in review
    # the letter: English, with her words as she typed them
    assert case["clinical"]["history"] == HISTORY and case["patient"]["last_name"] == "Morales"
    assert case["clinical"]["functional_impairment"] == DAILY_LIFE
    assert "Ana Morales" in text and f"History: {HISTORY}" in text and "Dear Appeals Reviewer:" in text
    assert "Member ID" in text and "appeal" in text.lower()
    for spanish in ("Apelación", "Número de miembro", "denegación", "Estimado"):
        assert spanish not in text
    assert letter.name.startswith("morales-ana-appeal-")
    # beside it, "Qué dice su carta": what it asks, by when, how long the plan has, what to do now, in Spanish
    summary = letter.with_name(letter.stem + "-que-dice-su-carta.docx")
    assert f"Qué dice su carta, en su idioma: {summary.name}" in screen
    said = docx_text(summary)
    assert "Qué dice su carta: Ana Morales" in said and "Lo que pide su carta" in said
    assert "Responde al motivo que dio el plan: experimental o de investigación." in said
    assert "Para una apelación interna al plan: a más tardar el " in said and " de 20" in said
    assert "El plan tiene 30 días para decidir, desde que recibe su carta." in said
    assert "Mándela por correo a Appeals Unit, PO Box 3310, Seattle, WA 98101" in said
    assert "Qué hacer ahora" in said and "appeal" not in said.split("Qué hacer ahora")[0].lower().replace(
        "apelación", "")  # no English before the commands it names


def _typed(script: dict) -> list[str]:
    """Every answer a script types, as it reads on screen (her words go into the English letter as typed)."""
    typed = []
    for answer in chain.from_iterable(value if isinstance(value, list) else [value] for value in script.values()):
        if isinstance(answer, str):
            typed += [line for line in answer.replace(CLEAR, "").replace(FINISH_MULTILINE, "").split("\r")
                      if any(character.isalpha() for character in line)]  # a number has no English
    return typed


def test_every_screen_of_her_journey_is_spanish_from_the_first_question_to_the_last_line(person, capsys,
                                                                                          monkeypatch):
    """`LANG=es_US.UTF-8 appeal draft`: the first chooser, every question, the refusal of a date typed wrong, the
    review, and every line printed after the letter, with no English left but her own words and the letter's."""
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    script = {**SPANISH, "Fecha de nacimiento": ["02/30/1984\r", CLEAR + "31 de febrero de 1984\r",
                                                 CLEAR + "9 de julio de 1984\r"],  # no February 30th, a date in words
              "Fecha que aparece en la carta de denegación": (  # like 7-nov-2026, the month's Spanish short name
                  f"{LAST_MONTH.day}-{SHORT_MONTHS[LAST_MONTH.month - 1]}-{LAST_MONTH.year}\r"),
              "Cuántas semanas": ["unas diez semanas\r", "12\r", "8\r"],  # a count typed in Spanish words
              "Ya envió esta carta": pick("today"), "Cómo la envió": pick("mail")}  # and recorded as sent
    text, screen, case, letter = person.draft(script, capsys, ("draft",))
    said = "\n".join(person.said)
    assert person.asked[0] == "¿Cómo quiere empezar?"
    assert ("Fecha de nacimiento: '02/30/1984' no es una fecha: febrero tiene 29 días en 1984; escríbala con el mes "
            "primero, como 03/14/2026, o con palabras, como 14 de marzo de 2026") in said
    assert "Fecha de nacimiento: '31 de febrero de 1984' no es una fecha: febrero tiene 29 días en 1984" in said
    assert "se guardó: 10 semanas (usted escribió 'unas diez semanas')." in said
    assert case["patient"]["date_of_birth"] in ("1984-07-09", date(1984, 7, 9))  # typed in Spanish words, kept
    assert case["denial"]["notice_date"] in (LAST_MONTH.isoformat(), LAST_MONTH)
    lines = screen.splitlines()
    assert lines[0].startswith("Su carta (Apelación interna) quedó guardada en morales-ana-appeal-")
    assert "Qué pasa después" in lines and lines[-1].startswith("Ahora: fírmela y ")
    assert any(line.startswith("Sus respuestas (el archivo del caso): ") for line in lines)
    assert "Quedó registrada como la apelación n.º 1; vea todas sus apelaciones abiertas con: appeal status" in lines
    assert person.asked[-2:] == ["¿Ya envió esta carta?", "¿Cómo la envió?"]
    assert "Ortografía" not in screen  # her Spanish answers are not "corrected" after the letter either
    allowed = sorted(_typed(script) + english_by_design(letter.with_suffix(".yaml")), key=len, reverse=True)
    left = []
    assert "(use las flechas y Enter)" in person.terminal.hints  # questionary's own "(Use arrow keys)" replaced
    for line in person.asked + person.terminal.hints + said.splitlines() + lines:
        for english in allowed:
            line = line.replace(english, " ")
        if english_in(line):
            left.append(line)
    assert left == []


def test_the_unfinished_draft_question_is_spanish(person, monkeypatch):
    """`appeal draft` with a questionnaire left unfinished asks, in Spanish, whether to carry on with it."""
    import questionary

    from appeal.commands import draft as draft_command
    from appeal.intake import drafts
    from appeal.terminal import notice_confirm

    left = drafts.folder() / "draft-2026-12-01-101500.yaml"
    left.parent.mkdir(parents=True, exist_ok=True)
    left.write_text("patient:\n  first_name: Ana\n  last_name: Morales\n" + drafts.PROGRESS_MARK + "{}\n",
                    encoding="utf-8")
    asked = []

    class Answer:
        def __init__(self, value):
            self.value = value

        def ask(self):
            return self.value

    def select(message, choices, **kwargs):
        asked.append((message, [str(choice.title) for choice in choices]))
        return Answer("new")

    monkeypatch.setenv("LANG", "es_US.UTF-8")
    monkeypatch.setattr(questionary, "select", select)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(notice_confirm, "start_from_notice", lambda: "a new letter")
    assert draft_command._interview(draft_command.argparse.Namespace(resume=None)) == "a new letter"
    ((message, choices),) = asked
    assert message == "Tiene un borrador sin terminar. ¿Quiere seguir con él?"
    assert choices[0].startswith("Sí, seguir con la carta de Ana Morales (guardada el ") and " a las " in choices[0]
    assert choices[-1] == "No, empezar una carta nueva"
    assert [text for text in [message] + choices if english_in(text)] == []
