"""The `appeal` command: its parser and the dispatch to each command. The commands live one group a module in
`appeal/commands/` (draft, notice, web, reports, packet, library, templates, track, batch), each adding its own
parser; those modules import only the standard library at start-up, so `appeal --help` answers at
once and each command imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys

from appeal import __version__
from appeal.base.language import N_, translate as _
from appeal.commands import argparse_words, batch, draft, library, notice, packet, reports, templates, track, web

DESCRIPTION = N_("""\
Draft health-insurance letters as editable Word documents: prior-authorization requests, appeals,
external-review requests, letters of medical necessity and more.

Start with:  appeal example --list
             appeal example ketamine-trd-erisa-appeal -o my-case.yaml
             appeal draft --case my-case.yaml
""")


def build_parser() -> argparse.ArgumentParser:
    """The whole parser, its words in the language already chosen (argparse's own too: `argparse_words`)."""
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
    # in the order `appeal --help` lists them
    draft.add_draft_parser(commands)
    notice.add_import_parser(commands)
    web.add_web_parser(commands)
    reports.add_deadline_parser(commands)
    reports.add_next_steps_parser(commands)
    packet.add_packet_parser(commands)
    reports.add_check_parser(commands)
    library.add_evidence_parser(commands)
    library.add_letters_parser(commands)
    templates.add_templates_parser(commands)
    track.add_track_parsers(commands)
    library.add_schema_parser(commands)
    library.add_example_parser(commands)
    batch.add_batch_parser(commands)
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
    parser = build_parser()
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
