"""Every command's `--help` in Spanish (issue 32), with argparse's own words ("usage:", "options", "show this help
message and exit", its errors) too, chosen by `--lang es` or a Spanish locale before the parser is built; and the
English help as it was.

What stays English on a Spanish help screen, on purpose: the command and option names (`draft`, `--case`: they are
what is typed), the values an option takes (`{fax,mail}`, `no-answer`), field paths and environment variables. The
placeholders (FILE, DIR) are Spanish (ARCHIVO, CARPETA): they are words, not what is typed."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest
from english_left import english_in

from appeal import cli
from appeal.base import language
from appeal.commands import argparse_words


def _parsers(parser: argparse.ArgumentParser, names=()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """`appeal` and every command and subcommand under it, each with its command words."""
    found = [(names, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, (*names, name))
    return found


def _helps(code: str) -> dict[str, str]:
    with language.reading(code):
        return {" ".join(names): parser.format_help() for names, parser in _parsers(cli.build_parser())}


def _typed(text: str, commands: set[str]) -> str:
    """The help without what is typed as it is: option names, command names, the values an option takes, field
    paths (prior_treatments.0.name) and environment variables."""
    text = re.sub(r"\{[^}]*\}|`[^`]*`|(?<!\w)--?[a-z][a-z-]*|\$[A-Z_]+|\b(LANGUAGE|LC_ALL|LC_MESSAGES|LANG)\b"
                  r"|\b[a-z_]+(\.\w+)+\b", " ", text)
    return " ".join(" " if word in commands else word for word in re.split(r"(\W+)", text))


def test_every_commands_help_reads_spanish_with_no_english_sentence_left():
    spanish = _helps("es")
    commands = {name for names, _parser in _parsers(cli.build_parser()) for name in names} | {
        "approved", "denied", "partial", "no-answer", "letter_kind", "id"}  # values typed, and the record's id
    assert len(spanish) >= 20  # appeal, its 15 commands, and the evidence, templates and track subcommands
    left = {}
    for command, text in spanish.items():
        assert text.startswith("uso: appeal"), command
        assert "opciones:" in text and "mostrar esta ayuda y salir" in text, command
        read = _typed(text, commands)
        words = english_in(read) + [word for word in re.findall(r"\b[A-Z]+\b", read) if word in  # placeholders
                                    {"FILE", "DIR", "KIND", "IMAGE", "INPUT", "NOTICE", "TEXT",
                                     "COMMAND", "CODE", "DATE", "OUT", "EDITED", "PACKET", "CASE"}]
        if words:
            left[command] = words
    assert left == {}
    assert "ENTRADA es cualquier combinación de:" in spanish["batch"]
    assert "--case ARCHIVO" in spanish["draft"] and "argumentos posicionales:" in spanish["track note"]


def test_the_english_help_is_english_throughout():
    """The same parsers in English: argparse's words and ours as written, nothing Spanish."""
    english = _helps("en")
    assert english.keys() == _helps("es").keys()
    for command, text in english.items():
        assert text.startswith("usage: appeal") and "options:" in text, command
        assert "show this help message and exit" in text, command
        assert not re.search(r"[áéíóúñ¿]|\b(uso|opciones|archivo|carpeta|carta)\b", text, re.IGNORECASE), command
    assert "--case FILE" in english["draft"] and "INPUT is any mix of:" in english["batch"]
    assert "--version" in english[""] and "show program's version number and exit" in english[""]


@pytest.mark.parametrize("argv, environment", [(["draft", "--help"], "es_US.UTF-8"),
                                               (["--lang", "es", "batch", "--help"], None),
                                               (["batch", "--help", "--lang", "es"], None)])
def test_the_language_is_known_before_the_parser_is_built(argv, environment, capsys, monkeypatch):
    """`LANG=es_US.UTF-8 appeal draft --help` and `appeal --lang es batch --help` (the option before or after)."""
    if environment:
        monkeypatch.setenv("LANG", environment)
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: appeal ") and "mostrar esta ayuda y salir" in out and "usage" not in out


def test_argparse_errors_are_spanish(capsys):
    for argv, said in ((["--lang", "es", "draft", "--case"], "appeal draft: error: argumento --case: se esperaba un "
                                                               "valor"),
                       (["--lang", "es", "draft", "--bogus"], "appeal: error: argumentos desconocidos: --bogus"),
                       (["--lang", "es", "batch", "--jobs", "0"], "appeal batch: error: argumento --jobs: tiene que "
                                                                  "ser 1 o más"),
                       (["--lang", "es", "track"], "appeal track: error: faltan estos argumentos obligatorios:"),
                       (["--lang", "es", "track", "outcome", "1", "maybe", "--date", "2026-12-01"],
                        "appeal track outcome: error: argumento resultado: opción no válida: 'maybe' (elija entre "
                        "'approved', 'denied', 'partial', 'no-answer')"),
                       (["--lang", "es", "track", "outcome", "1"], "appeal track outcome: error: faltan estos "
                                                                  "argumentos obligatorios: resultado, --date")):
        with pytest.raises(SystemExit) as exited:
            cli.main(argv)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("uso: appeal") and said in err, argv


def test_each_argparse_message_translated_is_one_argparse_says():
    """The msgids declared for argparse are its own words, as this Python writes them (a new wording would be left
    English silently); and each has its Spanish."""
    source = inspect.getsource(argparse)
    for message in argparse_words.MESSAGES:
        assert repr(message)[1:-1] in source or message.replace("\n", "\\n") in source, message
        with language.reading("es"):
            assert language.translate(message) != message or message.startswith("%(prog)s"), message
