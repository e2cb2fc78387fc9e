"""`--letter-lang es` (issue 32): the letter and its Attachment A in Spanish, from the `letters` catalog and the kind's
Spanish template, drafted through the real commands and read back from the .docx; refused whole (exit 2, the kind
and what is missing named) when the template or a translation is missing; the person's messages stay in `--lang`;
the English letter is untouched (tests/letters/test_same_text.py holds every English letter to its recorded text).

The mechanism is tested apart from the translators' fragments: the catalog is the committed letters.po with each
text it does not translate yet given a visible stand-in ("«ES» " + the English), so what came through the catalog
can be told, and the Spanish template is a small one made here (a kind's es/NAME.docx in a user's template folder).
"""

from __future__ import annotations

import contextlib
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from letter_es_harness import catalog_folder, spanish_template

from appeal.base import letter_language
from appeal.base.resources import bundled, examples_folder
from appeal.cli import main

EXAMPLE = "ketamine-trd-erisa-appeal"  # Maria Alvarez, born June 12, 1985; IV ketamine denied as experimental


@pytest.fixture
def spanish(tmp_path, monkeypatch):
    """The test catalog in use and a template folder holding es/appeal.docx; returns that folder."""
    monkeypatch.setattr(letter_language, "LOCALE_DIR", catalog_folder(tmp_path / "locale"))
    templates = tmp_path / "templates"
    spanish_template(templates / "es" / "appeal.docx")
    monkeypatch.chdir(tmp_path)
    shutil.copy(examples_folder() / f"{EXAMPLE}.yaml", tmp_path / "case.yaml")
    return templates


def _run(*args: str) -> tuple[int, str, str]:
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        status = main(list(args))
    return status, printed.getvalue(), errors.getvalue()


def _paragraphs(path: Path) -> list[str]:
    return [paragraph.text for paragraph in Document(str(path)).paragraphs if paragraph.text.strip()]


def _starting(paragraphs: list[str], mark: str) -> list[str]:
    return [text.removeprefix(mark) for text in paragraphs if text.startswith(mark)]


def test_a_letter_drafted_in_spanish_reads_spanish_with_spanish_dates(spanish):
    status, printed, errors = _run("draft", "--case", "case.yaml", "--letter", "appeal", "--letter-lang", "es",
                                   "--templates", str(spanish), "-o", "es.docx", "--today", "2026-12-01")
    assert status == 0, errors
    assert "Wrote internal appeal to es.docx" in printed  # the person reads English (--lang), the letter Spanish
    paragraphs = _paragraphs(Path("es.docx"))
    assert paragraphs[0] == "1 de diciembre de 2026"
    assert "Paciente: Maria Alvarez" in paragraphs
    assert "Fecha de nacimiento: 12 de junio de 1985" in paragraphs
    assert "Fecha del aviso de denegación: 2 de noviembre de 2026" in paragraphs
    assert any(text.startswith("Nivel de apelación: ") and text.endswith(", el primer nivel de apelación")
               for text in paragraphs)
    assert "Motivos indicados: experimental o de investigación." in paragraphs
    assert "Maria Alvarez" in paragraphs  # the signature: her name as typed
    table = [text for text in paragraphs if text.startswith("sertraline | ")]
    assert table == ["sertraline | " + table[0].split(" | ")[1] + " | sin mejoría"]  # a choice's label
    # Attachment A: its heading and introduction in Spanish, and every title and summary through the catalog
    assert "Anexo A: Evidencia de necesidad médica" in paragraphs
    assert any(text.startswith("Cada fuente se resume a continuación") for text in paragraphs)
    assert not any(text.startswith("Attachment A") for text in paragraphs)


def test_every_data_text_of_the_spanish_letter_came_through_thecatalog_folder(spanish, tmp_path):
    """Headings, paragraphs, evidence claims, rights and requests: each differs from the English letter's, drafted
    from a parallel English template of the same layout (a text the catalog did not give would be the same)."""
    english = tmp_path / "english"
    english.mkdir()
    shutil.copy(spanish / "es" / "appeal.docx", english / "appeal.docx")  # the same layout, as an English kind
    shutil.copy(bundled("letter_templates") / "appeal.yaml", english / "appeal.yaml")
    assert _run("draft", "--case", "case.yaml", "--letter", "appeal", "--templates", str(english), "-o", "en.docx",
                "--today", "2026-12-01")[0] == 0
    assert _run("draft", "--case", "case.yaml", "--letter", "appeal", "--letter-lang", "es", "--templates",
                str(spanish), "-o", "es.docx", "--today", "2026-12-01")[0] == 0
    english_text, spanish_text = _paragraphs(Path("en.docx")), _paragraphs(Path("es.docx"))
    for mark in ("TÍTULO ", "PÁRRAFO ", "PRUEBA ", "DERECHO ", "PIDO ", "Entorno: "):
        said_in_english, said_in_spanish = _starting(english_text, mark), _starting(spanish_text, mark)
        assert len(said_in_spanish) == len(said_in_english) > 0, mark
        assert all(es != en for es, en in zip(said_in_spanish, said_in_english)), mark
    assert english_text[0] == "December 1, 2026"  # the English letter, drafted in the same process, stays English
    assert "Date of birth: June 12, 1985" in english_text


def test_the_english_letter_is_the_same_before_and_after_a_spanish_one(spanish):
    """The compiled wording is kept by its source, so a Spanish letter leaves nothing English letters would pick up."""
    def english() -> list[str]:
        assert _run("draft", "--case", "case.yaml", "--letter", "appeal", "-o", "en.docx", "--force",
                    "--today", "2026-12-01")[0] == 0
        return _paragraphs(Path("en.docx"))

    before = english()
    assert _run("draft", "--case", "case.yaml", "--letter", "appeal", "--letter-lang", "es", "--templates",
                str(spanish), "-o", "es.docx", "--today", "2026-12-01")[0] == 0
    assert english() == before


def _blanks(path: Path) -> list[str]:
    import re

    document = Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return sorted(set(re.findall(r"\[ADD: [^\]]+\]", "\n".join(texts))))


def test_a_spanish_letters_blanks_name_in_spanish_what_to_fill_in(tmp_path, monkeypatch):
    """The [ADD: ...] mark stays what every reader of a letter looks for; what it names is in the letter's language,
    and the draft still names the question that fills it. The English letter's blanks are as they were."""
    monkeypatch.chdir(tmp_path)
    case = (examples_folder() / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    Path("case.yaml").write_text("\n".join(line for line in case.splitlines()
                                           if not line.startswith(("  member_id:", "  phone:"))), encoding="utf-8")
    status, printed, errors = _run("--lang", "es", "draft", "--case", "case.yaml", "--letter-lang", "es", "-o",
                                   "es.docx", "--today", "2026-12-01")
    assert status == 0, errors
    assert _blanks(Path("es.docx")) == ["[ADD: número de miembro]", "[ADD: teléfono del paciente]"]
    assert "[ADD: número de miembro] (la pregunta: 'Número de miembro')" in printed
    assert _run("draft", "--case", "case.yaml", "-o", "en.docx", "--today", "2026-12-01")[0] == 0
    assert _blanks(Path("en.docx")) == ["[ADD: member ID]", "[ADD: patient phone]"]


def test_a_text_without_spanish_refuses_the_whole_letter(tmp_path, monkeypatch, spanish):
    monkeypatch.setattr(letter_language, "LOCALE_DIR", catalog_folder(tmp_path / "gaps", drop=("Date of birth",)))
    status, _, errors = _run("draft", "--case", "case.yaml", "--letter", "appeal", "--letter-lang", "es",
                             "--templates", str(spanish), "-o", "es.docx", "--today", "2026-12-01")
    assert status == 2
    assert "The appeal letter cannot be written in Spanish" in errors
    assert "has no Spanish for 1 of its texts" in errors and "  - Date of birth" in errors
    assert "Traceback" not in errors and not Path("es.docx").exists()


def test_a_kind_without_a_spanish_template_is_refused_by_name(spanish, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    shutil.copy(bundled("letter_templates") / "appeal.docx", own / "my-appeal.docx")
    shutil.copy(bundled("letter_templates") / "appeal.yaml", own / "my-appeal.yaml")
    status, _, errors = _run("draft", "--case", "case.yaml", "--letter", "my-appeal", "--letter-lang", "es",
                             "--templates", str(own), "-o", "es.docx", "--today", "2026-12-01")
    assert status == 2
    assert f"The my-appeal letter has no Spanish template yet (no {own / 'es' / 'my-appeal.docx'})" in errors
    assert not Path("es.docx").exists()


def test_a_language_no_letter_is_written_in_is_named(spanish):
    status, _, errors = _run("draft", "--case", "case.yaml", "--letter-lang", "fr", "-o", "x.docx")
    assert status == 2
    assert "--letter-lang fr: a letter can be written in English (en), Spanish (es)." in errors


def test_the_person_reads_spanish_while_the_letter_is_spanish_too(spanish):
    status, printed, errors = _run("--lang", "es", "draft", "--case", "case.yaml", "--letter", "appeal",
                                   "--letter-lang", "es", "--templates", str(spanish), "-o", "es.docx",
                                   "--today", "2026-12-01")
    assert status == 0, errors
    assert "Wrote internal appeal" not in printed and "es.docx" in printed
    assert _paragraphs(Path("es.docx"))[0] == "1 de diciembre de 2026"


def test_a_batch_writes_its_letters_in_spanish(spanish):
    status, printed, errors = _run("batch", "case.yaml", "-o", "out", "--jobs", "1", "--letter", "appeal",
                                   "--letter-lang", "es", "--templates", str(spanish))
    assert status == 0, printed + errors
    [letter] = Path("out").glob("*.docx")
    paragraphs = _paragraphs(letter)
    assert "Fecha de nacimiento: 12 de junio de 1985" in paragraphs
    assert "Anexo A: Evidencia de necesidad médica" in paragraphs


def test_the_letter_language_is_one_letters_own():
    """In English every text is itself (the default); inside `writing('es')` the catalog's, and after it English
    again; a text that is only Jinja tags has nothing to translate."""
    assert letter_language.current() == "en"
    assert letter_language.translate("Date of birth") == "Date of birth"
    assert letter_language.long_date(date(2026, 12, 7)) == "December 7, 2026"
    with letter_language.writing("es") as gaps:
        assert letter_language.translate("Date of  birth\n") == "Fecha de nacimiento"  # whitespace collapsed
        assert letter_language.long_date(date(2026, 12, 7)) == "7 de diciembre de 2026"
        assert letter_language.translate("{{ regulator.note }}") == "{{ regulator.note }}"
        assert letter_language.translate("Not a text of any letter") == "Not a text of any letter"
        assert list(gaps) == ["Not a text of any letter"]
    assert letter_language.current() == "en"
    assert letter_language.translate("Date of birth") == "Date of birth"
