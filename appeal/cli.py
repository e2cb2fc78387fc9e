"""The `appeal` command: its parser and the dispatch to each command. The commands live one group a module
(cli_draft, cli_notice, cli_web, cli_reports, cli_packet, cli_library, cli_templates, cli_track, batch), each
adding its own parser; those modules import only the standard library at start-up, so `appeal --help` answers at
once and each command imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys

from appeal import (__version__, cli_draft, cli_library, cli_notice, cli_packet, cli_reports, cli_templates,
                    cli_track, cli_web)

DESCRIPTION = """\
Draft health-insurance letters as editable Word documents: prior-authorization requests, appeals,
external-review requests, letters of medical necessity and more.

Start with:  appeal example --list
             appeal example ketamine-trd-erisa-appeal -o my-case.yaml
             appeal draft --case my-case.yaml
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appeal", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"appeal {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # in the order `appeal --help` lists them
    cli_draft.add_draft_parser(commands)
    cli_notice.add_import_parser(commands)
    cli_web.add_web_parser(commands)
    cli_reports.add_deadline_parser(commands)
    cli_reports.add_next_steps_parser(commands)
    cli_packet.add_packet_parser(commands)
    cli_reports.add_check_parser(commands)
    cli_library.add_evidence_parser(commands)
    cli_library.add_letters_parser(commands)
    cli_templates.add_templates_parser(commands)
    cli_track.add_track_parsers(commands)
    cli_library.add_schema_parser(commands)
    cli_library.add_example_parser(commands)
    from appeal.batch import add_batch_parser  # standard library only at import: --help stays fast

    add_batch_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    from appeal.errors import UserError

    try:
        return args.handler(args)
    except UserError as error:
        print(f"appeal: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print("\nappeal: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `appeal templates vars | head`: the reader left; nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
