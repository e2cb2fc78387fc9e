"""The `appeal` command: its parser and the dispatch to each command. The commands live one group a module in
`appeal/commands/` (draft, notice, web, reports, packet, library, templates, track, batch), each adding its own
parser; those modules import only the standard library at start-up, so `appeal --help` answers at
once and each command imports what it needs when it runs. A command line that names its command builds that
command's parser alone (`appeal deadline` reads no other command's module)."""

from __future__ import annotations

import argparse
import importlib
import sys

from appeal import __version__
from appeal.base.language import N_, translate as _
from appeal.commands import argparse_words

DESCRIPTION = N_("""\
Draft health-insurance letters as editable Word documents: prior-authorization requests, appeals,
external-review requests, letters of medical necessity and more.

Start with:  appeal example --list
             appeal example ketamine-trd-erisa-appeal -o my-case.yaml
             appeal draft --case my-case.yaml
""")


# Each command's name, the module of appeal/commands/ that adds its parser and the function that does, in the order
# `appeal --help` lists them (`add_track_parsers` adds both `track` and `status`).
COMMANDS = (
    ("draft", "draft", "add_draft_parser"),
    ("import", "notice", "add_import_parser"),
    ("web", "web", "add_web_parser"),
    ("deadline", "reports", "add_deadline_parser"),
    ("next-steps", "reports", "add_next_steps_parser"),
    ("packet", "packet", "add_packet_parser"),
    ("check", "reports", "add_check_parser"),
    ("evidence", "library", "add_evidence_parser"),
    ("letters", "library", "add_letters_parser"),
    ("templates", "templates", "add_templates_parser"),
    ("track", "track", "add_track_parsers"),
    ("status", "track", "add_track_parsers"),
    ("schema", "library", "add_schema_parser"),
    ("example", "library", "add_example_parser"),
    ("batch", "batch", "add_batch_parser"),
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, its words in the language already chosen (argparse's own too: `argparse_words`): with every
    command, or with `command`'s alone when that names one (what `appeal COMMAND ...` needs; `--help` and a
    mistyped command get them all)."""
    argparse_words.install()
    parser = argparse.ArgumentParser(
        prog="appeal", description=_(DESCRIPTION), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"appeal {__version__}",
                        help=_("show program's version number and exit"))  # argparse 3.11 words it untranslated
    parser.add_argument("--lang", metavar=_("CODE"),
                        help=_("the language of what is shown to you (es: Spanish; default: LANGUAGE, LC_ALL, "
                               "LC_MESSAGES or LANG); letters to the plan stay in English. Before or after the "
                               "command."))
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    named = [entry for entry in COMMANDS if entry[0] == command] or COMMANDS
    added = []
    for _name, module, function in named:
        if (module, function) not in added:
            added.append((module, function))
            getattr(importlib.import_module(f"appeal.commands.{module}"), function)(commands)
    return parser


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--lang es` (or `--lang=es`) wherever it is typed, before or after the command, and the rest of the line."""
    wanted, rest, words = None, [], iter(argv)
    for word in words:
        if word == "--":
            rest += [word, *words]
        elif word == "--lang":
            wanted = next(words, "")
        elif word.startswith("--lang="):
            wanted = word.partition("=")[2]
        else:
            rest.append(word)
    return wanted, rest


def _quiet_libraries() -> None:
    """The libraries' own log lines ('EOF marker not found' from pypdf on a damaged attachment) are not printed:
    the person gets our message naming the file and what to do, and a bare library warning above it only confuses."""
    import logging

    logging.getLogger().addHandler(logging.NullHandler())


def main(argv: list[str] | None = None) -> int:
    from appeal.base import language

    wanted, argv = _take_lang(sys.argv[1:] if argv is None else list(argv))
    language.choose(wanted)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    from appeal.base.control_chars import printable
    from appeal.base.errors import UserError

    _quiet_libraries()
    try:
        return args.handler(args)
    except UserError as error:
        print(f"appeal: {printable(error)}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        from appeal.base.language import translate as _

        print("\nappeal: " + _("stopped."), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `appeal templates vars | head`: the reader left; nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
