"""`appeal import` and `appeal packet` for a Spanish speaker: every screen line, prompt, choice and key hint of the
import's report and confirm screens, the messages a bad file gets, and the packet's warnings, with no English left
but the notice's own words (quoted beside each value, for comparing with the paper) and the letter's.

The confirm screens are driven through their real questionary prompts (tests/terminal_harness.py); what each
list prompt shows (its choices and its key hint) is recorded as it is asked."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import questionary
from english_left import english_in
from notice_corpus import make, write_text
from prompt_toolkit.application import create_app_session
from prompt_toolkit.output import DummyOutput
from terminal_harness import CLEAR, CTRL_C, Terminal, pick

from appeal.base import language
from appeal.base.errors import UserError
from appeal.cli import main
from appeal.intake import notice_import, notice_report
from appeal.output import packet
from appeal.terminal import notice_confirm

WIDE = Path(__file__).resolve().parent.parent / "notices" / "wide"
ARROWS = "(use las flechas y Enter)"


@pytest.fixture
def spanish(monkeypatch):
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    language.choose(None)
    yield
    language.choose(None)


def without_notice_words(line: str, notice: str) -> str:
    """The line without the runs of it (12 characters or more) that are the notice's own text: the values read
    from it and the lines quoted beside them stay as the paper prints them, in English."""
    flat, twelves = _flat(notice)
    start, kept = 0, []
    while start < len(line):
        end = start + 12
        if line[start:end] in twelves and end <= len(line):
            while end < len(line) and line[start : end + 1] in flat:
                end += 1
            kept.append(" ")
            start = end
        else:
            kept.append(line[start])
            start += 1
    return "".join(kept)


@functools.lru_cache(maxsize=4)
def _flat(notice: str) -> tuple[str, frozenset[str]]:
    """The notice as one line, and each run of 12 of its characters: a set looked up at each character of each
    line, not a search of the whole notice."""
    flat = " ".join(notice.split())
    return flat, frozenset(flat[at : at + 12] for at in range(len(flat) - 11))


def english_left(lines: list[str], notice: str = "") -> list[str]:
    """Lines with English left once the notice's own words, quotes and identifiers ('HAS-40119': a token with a
    digit is a number, not a word) are taken out."""
    return [line for line in lines
            if english_in(re.sub(r'"[^"]*"|\S*\d\S*', " ", without_notice_words(line, notice) if notice else line))]


def report_lines(path: Path) -> list[str]:
    extraction, case, refused = notice_confirm.read_notice(path)
    comparison = notice_import.deadline_comparison(extraction, case)
    return (notice_report.report(extraction, refused) + notice_report.must_check(extraction)
            + notice_report.header(extraction) + ([comparison] if comparison else []))


@pytest.mark.parametrize("path", sorted(WIDE.glob("*.txt")), ids=lambda path: path.stem)
def test_the_report_of_every_wide_notice_is_spanish(path, spanish):
    """What the document is, each value's label and mark, why to check it, the other time limits and what they
    are for, the three facts to check, the case file's header and the deadline beside the rule's."""
    lines = report_lines(path)
    assert any(line.startswith(("? Qué es: ", "  Qué es: ", "Qué es: ")) for line in lines)
    assert english_left([line.replace(path.name, " ") for line in lines], path.read_text(encoding="utf-8")) == []


def record_lists(monkeypatch) -> list[tuple[str, list[str], str | None]]:
    """Every list prompt as asked: its question, its choices' titles and its key hint."""
    shown = []
    select = questionary.select

    def recording(message, choices, **kwargs):
        shown.append((message, [str(choice.title) for choice in choices], kwargs.get("instruction")))
        return select(message, choices=choices, **kwargs)

    monkeypatch.setattr(questionary, "select", recording)
    return shown


def in_session(action):
    def run(pipe):
        with create_app_session(input=pipe, output=DummyOutput()):
            return action()

    return run


def test_confirming_a_denial_is_spanish_from_the_report_to_the_first_question(spanish, monkeypatch, tmp_path,
                                                                               capsys):
    """A notice whose insurer comes only from its letterhead: the report, the always-checked fax, address and
    deadline, the insurer typed again (a one-word name refused in Spanish), the menu that corrects any value, the
    deadline beside the rule's, and the questionnaire's first question, stopped there with Ctrl-C."""
    notice = make(2)
    path = write_text(notice, tmp_path)
    output = tmp_path / "caso.yaml"
    terminal = Terminal(monkeypatch)
    lists = record_lists(monkeypatch)
    script = {
        "Compañía de seguros: ¿está bien?": pick(title="No, quiero escribirlo"),
        "Compañía de seguros:": CLEAR + "Aetna Salud\r",
        "Nombre del paciente:": CLEAR + "Ana\r" + CLEAR + "Ana Morales\r",  # one word: the first and last asked for
        "¿Está todo bien?": [pick("patient_name"), pick(title="Todo está bien")],
        "": CTRL_C,  # the questionnaire's first question: she stops there
    }
    for key in ("Fax para apelaciones", "Dirección para apelaciones", "Plazo para apelar según el aviso"):
        script[f"{key}: ¿está bien?"] = pick(title="Sí, coincide")
    with pytest.raises(KeyboardInterrupt):
        terminal.drive(script, in_session(lambda: notice_confirm.run(str(path), output, interactive=True,
                                                                     force=False)))
    screen = capsys.readouterr().out
    assert "Se guardó el caso en" in screen and "Ahora, las preguntas que el aviso no contesta." in screen
    saved = output.read_text(encoding="utf-8")
    assert saved.startswith("# Caso empezado a partir del aviso de denegación ")
    assert "insurer: Aetna Salud" in saved and "first_name: Ana\n  last_name: Morales" in saved
    assert {"Fax para apelaciones: ¿está bien?", "¿Está todo bien?"} <= set(terminal.asked)
    assert all(hint == ARROWS for _, _, hint in lists)
    with pytest.raises(ValueError, match="^Escriba el nombre y el apellido, como Dana Whitfield.$"):
        notice_confirm._convert("patient_name", "Ana")  # the refusal she read under the prompt
    shown = terminal.asked + [title for _, titles, _ in lists for title in titles] + screen.splitlines() \
        + [line for line in saved.splitlines() if line.startswith("#")]
    assert english_left(shown, notice.text) == []



def test_a_date_and_a_time_limit_typed_in_spanish_on_the_confirm_screen_are_kept(spanish, monkeypatch, tmp_path,
                                                                                 capsys):
    """The notice's date corrected as she says it ('31 de febrero' refused in Spanish words, then '3 de noviembre de
    2025'), and the appeal deadline as 'dentro de 180 días': both kept in the case file."""
    path = write_text(make(2), tmp_path)
    output = tmp_path / "caso.yaml"
    terminal = Terminal(monkeypatch)
    record_lists(monkeypatch)
    script = {
        "Compañía de seguros: ¿está bien?": pick(title="Sí, coincide"),
        "Fecha del aviso:": CLEAR + "31 de febrero de 2025\r" + CLEAR + "3 de noviembre de 2025\r",
        "Plazo para apelar según el aviso:": CLEAR + "dentro de 180 días\r",
        "¿Está todo bien?": [pick("notice_date"), pick("appeal_deadline"), pick(title="Todo está bien")],
        "": CTRL_C,
    }
    for key in ("Fax para apelaciones", "Dirección para apelaciones", "Plazo para apelar según el aviso"):
        script[f"{key}: ¿está bien?"] = pick(title="Sí, coincide")
    with pytest.raises(KeyboardInterrupt):
        terminal.drive(script, in_session(lambda: notice_confirm.run(str(path), output, interactive=True,
                                                                     force=False)))
    saved = output.read_text(encoding="utf-8")
    assert "notice_date: '2025-11-03'" in saved or "notice_date: 2025-11-03" in saved
    assert "180 días (como usted lo escribió)" in saved
    with pytest.raises(ValueError, match="^'31 de febrero de 2025' no es una fecha: febrero tiene 28 días en 2025"):
        notice_confirm._convert("notice_date", "31 de febrero de 2025")  # the refusal she read under the prompt

def test_a_document_that_is_not_a_denial_asks_yes_or_no_in_spanish(spanish, monkeypatch, tmp_path, capsys):
    """An approval: said plainly, and 'read it as a denial anyway?' is a list of 'Sí' and 'No' (questionary's own
    yes/no knows only the keys y and n, and answers 'Yes' or 'No'), No by default."""
    path = WIDE / "fehb-approval-tms.txt"
    terminal = Terminal(monkeypatch)
    lists = record_lists(monkeypatch)
    script = {"¿Está todo bien?": pick(title="Todo está bien")}
    for key in ("Fax para apelaciones", "Dirección para apelaciones", "Plazo para apelar según el aviso"):
        script[f"{key}: ¿está bien?"] = pick(title="Sí, coincide")
    output = tmp_path / "aprobacion.yaml"
    terminal.drive(script, in_session(lambda: notice_confirm.run(str(path), output, interactive=True, force=False)))
    screen = capsys.readouterr().out
    asked = [entry for entry in lists if entry[0].startswith("¿Leerlo como una denegación")]
    assert [titles for _, titles, _ in asked] == [["Sí", "No"]]
    assert "Parece una aprobación, no una denegación; no hay nada que apelar." in screen
    assert "Tiene sus datos y los de su plan, pero ninguna denegación." in screen
    shown = terminal.asked + [title for _, titles, _ in lists for title in titles] + screen.splitlines()
    assert english_left(shown, path.read_text(encoding="utf-8")) == []


def test_a_file_that_is_no_notice_gets_a_spanish_message(spanish, tmp_path, capsys):
    """Through the command, as the person runs it: a binary file, a missing one, a folder, an empty PDF."""
    binary = tmp_path / "foto.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    empty_pdf = tmp_path / "vacio.pdf"
    empty_pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    said = []
    for given in (binary, tmp_path / "no-existe.pdf", tmp_path, empty_pdf):
        assert main(["import", str(given), "-o", str(tmp_path / "caso.yaml"), "--yes"]) != 0
        said.append(capsys.readouterr().err.strip())
    assert said[0].endswith("no es un PDF, ni una imagen, ni texto; dé el aviso como PDF, como foto o como texto.")
    assert said[1].startswith("appeal: No se encontró el archivo del aviso ")
    assert english_left(said) == []


def test_the_packets_messages_are_spanish(spanish, tmp_path):
    """What `appeal packet` prints (its pages, each warning) and the refusals of an attachment; the PDF itself,
    its cover sheet and its page titles stay English, for the plan."""
    letter = packet.Part("Letter", [object()] * 3, fit=False)
    attached = [packet.Part(name, [object()] * 20, fit=True, source=name) for name in ("denial.pdf", "records.pdf")]
    warnings = packet._mismatch(["Attachment A: evidence", "Denial letter"], [letter], attached)
    made = packet.Packet(b"%PDF", 43, [("Letter", 1, 3), ("denial.pdf", 4, 23), ("records.pdf", 24, 43)], warnings)
    printed = packet.report(made, tmp_path / "paquete.pdf", cover=True)
    assert printed.startswith("Se escribió el PDF para enviar por fax (43 páginas) en ")
    empty, folder = tmp_path / "vacio.pdf", tmp_path / "carpeta"
    empty.write_bytes(b"")
    folder.mkdir()
    refused = []
    for attachment in (empty, folder, tmp_path / "no-existe.pdf"):
        with pytest.raises(UserError) as error:
            packet.read_attachment(attachment)
        refused.append(str(error.value))
    english = {"Letter", "Attachment A: evidence", "Denial letter", "denial.pdf", "records.pdf"}
    lines = [line for line in printed.splitlines() + refused if line.strip() not in english]
    assert english_left([re.sub(r"\b(Letter|Attachment A: evidence|Denial letter)\b", " ", line)
                         for line in lines]) == []


def test_every_list_prompt_passes_its_key_hint():
    """questionary prints '(Use arrow keys)' and '(Y/n)' in English unless told otherwise: every list and yes/no
    prompt of the terminal goes through appeal/terminal/prompts.py, which passes the hint in the person's
    language."""
    root = Path(__file__).resolve().parents[2] / "appeal"
    direct = [f"{path.relative_to(root)}:{number}" for path in root.rglob("*.py") if path.name != "prompts.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"questionary\.(select|confirm|checkbox|rawselect)\(", line)]
    assert direct == []


def test_no_message_is_marked_inside_an_f_string():
    """Babel's extractor does not read inside f-strings: `f"({_('< goes back')})"` never reached the catalog, so
    its words stayed English beside every Spanish question."""
    root = Path(__file__).resolve().parents[2] / "appeal"
    hidden = [f"{path.relative_to(root)}:{number}" for path in root.rglob("*.py")
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"""\{(_|N_|ngettext|gettext)\(\s*["']""", line)]
    assert hidden == []
