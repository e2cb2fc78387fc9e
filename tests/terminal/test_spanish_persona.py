"""A Spanish-speaking patient runs `appeal --lang es draft` (and another with LANG=es_US.UTF-8) in a terminal, through
the questionnaire's real prompts in Spanish, to the letter on disk: the letter is in English, what she typed in
Spanish is in it as typed, the review told her so, and no English spelling check "corrected" her Spanish."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import docx_text

from terminal_harness import FINISH_MULTILINE, pick
from test_personas import Persona, person  # noqa: F401  (the fixture: a person at a terminal)

LAST_MONTH = date.today() - timedelta(days=30)
SKIP = "\r"
HISTORY = "Tengo depresión desde el año 2015. Probé muchos medicamentos y ninguno me ayudó por mucho tiempo."
DAILY_LIFE = "No puedo trabajar desde marzo y casi no salgo de la casa."
QUOTE = "Intravenous ketamine infusion for depression is experimental and investigational."

SPANISH = {
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
