"""`appeal deadline`, `next-steps`, `check` and `status` in Spanish, chosen by a Spanish locale or by `--lang es`, as a
person runs them: the words and the dates are Spanish, and the same commands in English are unchanged."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from appeal import cli
from appeal.base import language

SPANISH_DATE = re.compile(r"\b\d{1,2} de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
                          r"noviembre|diciembre) de \d{4}\b")


@pytest.fixture
def case_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    path = tmp_path / "case.yaml"
    assert cli.main(["example", "ketamine-trd-erisa-appeal", "-o", str(path)]) == 0
    return path


def _run(capsys, *argv: str) -> str:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


def test_deadline_under_a_spanish_locale_prints_spanish_with_spanish_dates(case_file, capsys, monkeypatch):
    english = _run(capsys, "deadline", "--case", str(case_file))
    assert "Next step: an internal appeal to the plan" in english and "File by " in english
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    out = _run(capsys, "deadline", "--case", str(case_file))
    assert "Siguiente paso: una apelación interna al plan" in out
    assert re.search(r"Presentar a más tardar el " + SPANISH_DATE.pattern + r" \(quedan \d+ días\), contando desde "
                     r"el día en que usted recibió el aviso\.", out)
    assert "Una vez presentada: " in out and "Regla: 29 CFR 2560.503-1" in out
    for english_words in ("Next step", "File by", "days left", "counted from", "Once filed", "Note:"):
        assert english_words not in out


def test_next_steps_with_lang_es_prints_spanish(case_file, capsys):
    out = _run(capsys, "--lang", "es", "next-steps", "--case", str(case_file))
    for heading in ("DÓNDE Y CÓMO ENVIARLA", "HASTA CUÁNDO", "QUÉ ENVIAR CON LA CARTA", "CUÁNDO TIENE QUE RESPONDER "
                    "EL PLAN", "SI EL PLAN NO CUMPLE SU PLAZO", "SI EL PLAN VUELVE A DECIR QUE NO"):
        assert heading in out
    assert "Mándela por fax al (937) 555-0199" in out and SPANISH_DATE.search(out)
    assert "WHERE AND HOW" not in out and "Fax it to" not in out
    # the .docx kept with the letter says the same, in Spanish
    from conftest import docx_text

    sheet = case_file.with_name("next.docx")
    _run(capsys, "next-steps", "--case", str(case_file), "-o", str(sheet), "--lang", "es")
    text = docx_text(sheet)
    assert "Qué sigue ahora:" in text and "Dónde y cómo enviarla" in text and "no asesoría legal" in text


def test_check_and_status_speak_spanish(case_file, capsys, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "es")
    out = _run(capsys, "check", "--case", str(case_file))
    assert "[cumple]" in out and "[met]" not in out
    sent = date.today() - timedelta(days=3)
    _run(capsys, "track", "add", "--case", str(case_file), "--sent", sent.isoformat())
    language.choose(None)
    out = _run(capsys, "status")
    assert f"una apelación interna al plan: enviada el {language.long_date(sent)}" in out
    assert re.search(r"Decisión a más tardar el " + SPANISH_DATE.pattern + r" \(quedan \d+ días\)", out)
    monkeypatch.delenv("LANGUAGE")
    english = _run(capsys, "status")
    assert f"an internal appeal to the plan: sent {sent:%B} {sent.day}, {sent.year}" in english


def test_track_speaks_spanish(case_file, capsys, monkeypatch):
    """`appeal track add`, `outcome` and `note` in Spanish, with the dates in words; English is unchanged."""
    from english_left import english_by_design, english_in

    sent = date.today() - timedelta(days=3)
    english = _run(capsys, "track", "add", "--case", str(case_file), "--sent", sent.isoformat())
    assert english.startswith(f"Tracking appeal #1: an internal appeal to the plan, sent {sent:%B} {sent.day}, ")
    assert english.rstrip().endswith("A copy of the case is kept with the record.")
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    language.choose(None)
    out = _run(capsys, "track", "add", "--case", str(case_file), "--sent", sent.isoformat())
    assert out.startswith("Se lleva la cuenta de la apelación n.º 2: una apelación interna al plan, enviada el "
                          f"{language.long_date(sent)}.")
    assert "El plan tiene que decidir a más tardar el " in out and SPANISH_DATE.search(out)
    assert out.rstrip().endswith("Se guarda con el registro una copia del caso.")
    noted = _run(capsys, "track", "note", "2", "llamé", "al", "plan")
    assert noted.strip() == "Nota agregada a la apelación n.º 2."
    decided = _run(capsys, "track", "outcome", "2", "denied", "--date", date.today().isoformat())
    assert decided.startswith(f"Quedó anotado: denegada, el {language.long_date(date.today())}.")
    assert [line for line in (out + noted + decided.splitlines()[0]).splitlines() if english_in(line)] == []


def test_draft_from_a_case_file_reports_its_blanks_and_next_step_in_spanish(case_file, capsys, monkeypatch):
    """`appeal draft --case` (not in a terminal) under a Spanish locale: what was written, the blanks with their
    questions, and the last lines, in Spanish; the blanks keep the letter's own mark, [ADD: ...]."""
    from english_left import english_by_design, english_in

    text = case_file.read_text(encoding="utf-8")
    case_file.write_text("\n".join(line for line in text.splitlines() if "member_id:" not in line
                                   and "date_of_birth:" not in line) + "\n", encoding="utf-8")
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    letter = case_file.with_name("letter.docx")
    lines = _run(capsys, "draft", "--case", str(case_file), "-o", str(letter)).splitlines()
    assert lines[0] == f"Su carta (Apelación interna) quedó guardada en {letter}"
    assert lines[2] == ("2 espacios en blanco que debe llenar antes de enviarla (en la carta aparecen como "
                        "[ADD: ...]):")
    assert "  - [ADD: member ID] (la pregunta: 'Número de miembro')" in lines
    assert "(Las reglas se citan en inglés, el idioma de su fuente, con la fuente entre corchetes.)" in lines
    assert lines[-2] == f"Su carta: {letter.resolve()}"
    assert lines[-1] == ("Ahora: ábrala y llene los 2 espacios en blanco [ADD: ...] que se indican arriba; después, "
                         "fírmela y envíela.")
    framing = lines[:lines.index("Qué pasa después")] + [line for line in lines if line.startswith("Cuando ")]
    assert [line for line in framing + lines[-2:] if english_in(line)] == []


@pytest.mark.parametrize("example", ["ketamine-trd-erisa-appeal", "ketamine-crps-marketplace-external-review",
                                     "esketamine-medicare-denied"])
@pytest.mark.parametrize("command", ["deadline", "next-steps"])
def test_the_rules_own_words_are_spanish_too(example, command, tmp_path, capsys, monkeypatch):
    """Each rule's plain-words text (rules.yaml `text`) reaches a Spanish reader in Spanish: no line of `deadline` or
    `next-steps` keeps an English sentence, once its citations and rule ids are left out."""
    from english_left import english_by_design, english_in

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    path = tmp_path / "case.yaml"
    assert cli.main(["example", example, "-o", str(path)]) == 0
    out = _run(capsys, "--lang", "es", command, "--case", str(path))
    for kept in english_by_design(path):  # the documents as the English letter names them, the criteria
        out = out.replace(kept, " ")
    left = [line for line in out.splitlines()
            if english_in(re.sub(r"\[[^\]]*\]|\([^)]*CFR[^)]*\)|Regla: .*|Attn: [^,]*", " ", line))]
    assert left == []
