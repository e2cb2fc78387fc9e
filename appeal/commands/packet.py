"""`appeal packet`: one PDF to fax or mail (cover sheet, letter, attachments); appeal/output/packet.py builds it. Only
the standard library is imported at start-up."""

from __future__ import annotations

import argparse
from datetime import date
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
    signing = packet.add_mutually_exclusive_group()
    signing.add_argument("--signature", metavar="IMAGE", type=Path,
                         help="a photo (PNG or JPEG) of your signature on white paper, or one drawn and saved; it is "
                              "cleaned and placed above your name")
    signing.add_argument("--typed-signature", action="store_true",
                         help="sign with a typed line, '/s/ Your Name, date'. Use it only where your plan accepts "
                              "electronic signatures (ask the plan, or check its appeal form); otherwise sign by hand")
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
    from appeal.cases.fields import format_date
    from appeal.output import packet, signature

    case = casefile.load(args.case)
    kind = draft.choose_kind(case, args.letter, tuple(args.templates or ()))
    path = Path(args.output) if args.output else packet.default_name(draft.default_name(case, kind))
    if path.exists() and not args.force:  # before the slow conversion, not after it
        raise UserError(f"{path} already exists. Choose another name with -o, or add --force to replace it.")
    docx = packet.check_docx(Path(args.docx)) if args.docx else draft.draft(case, kind, evidence_dirs=args.evidence).content
    docx, signed = signature.sign(docx, picture=args.signature,
                                  typed_on=format_date(date.today()) if args.typed_signature else None)
    print(packet.save(case, kind, docx, path, attachments=args.attach or [], cover=args.cover, force=args.force))
    print(f"\n{signed}")
    return 0
