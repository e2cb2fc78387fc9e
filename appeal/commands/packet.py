"""`appeal packet`: one PDF to fax or mail (cover sheet, letter, attachments); appeal/output/packet.py builds it. Only
the standard library is imported at start-up."""

from __future__ import annotations

import argparse
from pathlib import Path

from appeal.base.folders import add_folder_options


def add_packet_parser(commands) -> argparse.ArgumentParser:
    """Add the `packet` command to `appeal`'s subcommands."""
    packet = commands.add_parser("packet", help="one PDF to fax or mail: cover sheet, letter, your attachments")
    packet.add_argument("--case", metavar="FILE", required=True, help="the case file")
    packet.add_argument("--letter", metavar="KIND", help="the kind of letter (default: the case's)")
    packet.add_argument("--docx", metavar="EDITED.docx", help="the letter as you edited it (default: draft it afresh)")
    packet.add_argument("--attach", metavar="FILE", action="append", type=Path,
                        help="a PDF, photo or scan to send with it, in the letter's order (repeatable)")
    packet.add_argument("--no-cover", "--mail", dest="cover", action="store_false",
                        help="no fax cover sheet: a packet to print and mail")
    packet.add_argument("-o", "--output", metavar="PACKET.pdf", help="where to write (default: patient-kind-date.pdf)")
    packet.add_argument("--force", action="store_true", help="replace the output file if it exists")
    add_folder_options(packet)
    packet.set_defaults(handler=cmd_packet)
    return packet


def cmd_packet(args: argparse.Namespace) -> int:
    from appeal.base.errors import UserError
    from appeal.cases import casefile
    from appeal.letters import draft
    from appeal.output import packet

    case = casefile.load(args.case)
    kind = draft.choose_kind(case, args.letter, tuple(args.templates or ()))
    path = Path(args.output) if args.output else packet.default_name(draft.default_name(case, kind))
    if path.exists() and not args.force:  # before the slow conversion, not after it
        raise UserError(f"{path} already exists. Choose another name with -o, or add --force to replace it.")
    docx = packet.check_docx(Path(args.docx)) if args.docx else draft.draft(case, kind, evidence_dirs=args.evidence).content
    print(packet.save(case, kind, docx, path, attachments=args.attach or [], cover=args.cover, force=args.force))
    return 0
