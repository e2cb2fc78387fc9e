"""The messages a Spanish reader gets when a file cannot be written or read, or a case file they edited by hand
is refused (issue 32): in Spanish, naming the file and the field, and the English as it was."""

from __future__ import annotations

import errno

import pytest
from english_left import english_in

from appeal.base import language
from appeal.base.errors import UserError, cannot_read
from appeal.base.safe_write import write_bytes
from appeal.cases import casefile


def test_a_file_that_exists_is_refused_in_spanish(tmp_path):
    target = tmp_path / "carta.docx"
    target.write_bytes(b"old")
    with language.reading("es"), pytest.raises(UserError) as refused:
        write_bytes(target, b"new", overwrite=False)
    assert str(refused.value) == f"{target} ya existe. Elija otro nombre con -o, o agregue --force para reemplazarlo."
    with pytest.raises(UserError) as english:
        write_bytes(target, b"new", overwrite=False)
    assert "already exists. Choose another name with -o, or add --force to replace it." in str(english.value)
    assert target.read_bytes() == b"old"


def test_the_systems_reason_is_said_in_spanish():
    error = PermissionError(errno.EACCES, "Permission denied")
    with language.reading("es"):
        assert str(cannot_read("caso.yaml", error)) == "No se puede leer caso.yaml: permiso denegado."
    assert str(cannot_read("case.yaml", error)) == "case.yaml cannot be read: Permission denied."


def test_a_hand_edited_case_file_is_refused_in_spanish_naming_each_field(tmp_path):
    case = tmp_path / "caso.yaml"
    case.write_text("patient:\n  name: Ana Ruiz\n  colour: blue\ntreatment:\n  kind: iv_ketamine\n  sessions: many\n"
                    "clinical:\n  substance_use_screened: maybe\n", encoding="utf-8")
    with language.reading("es"), pytest.raises(UserError) as refused:
        casefile.load(case)
    message = str(refused.value)
    assert "patient.colour" in message and "treatment.sessions" in message
    assert "tiene que ser un número entero" in message and "tiene que ser sí o no" in message
    assert english_in(message) == [], message
    with pytest.raises(UserError) as english:
        casefile.load(case)
    assert "Input should be a valid integer" in str(english.value)


def test_tracking_an_appeal_that_is_not_there_is_said_in_spanish(tmp_path, monkeypatch, capsys):
    from appeal.cli import main

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["--lang", "es", "track", "note", "999", "Llamé al plan"]) == 2
    said = capsys.readouterr().err
    assert "No hay ninguna apelación registrada con el número 999. Véalas con: appeal status --all" in said
    assert english_in(said) == [], said


@pytest.mark.parametrize("content, said", [
    (b"", "el archivo está vacío (0 bytes)"),
    (b"%PDF-1.7 ...", "el archivo no es de texto (parece un documento PDF)"),
    (b"patient:\n  name: Ana\x1b[31m\n", "el carácter de control U+001B no se permite"),
])
def test_a_case_file_that_is_not_one_is_refused_in_spanish(tmp_path, content, said):
    case = tmp_path / "caso.yaml"
    case.write_bytes(content)
    with language.reading("es"), pytest.raises(UserError) as refused:
        casefile.load(case)
    assert said in str(refused.value) and english_in(str(refused.value)) == [], str(refused.value)
