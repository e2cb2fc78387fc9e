"""`appeal packet`: one PDF to fax or mail (cover sheet, letter, attachments); appeal/output/packet.py builds it. Only
the standard library is imported at start-up."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from appeal.base import letter_language
from appeal.base.folders import add_folder_options
from appeal.base.language import N_, translate as _


def add_packet_parser(commands) -> argparse.ArgumentParser:
    """Add the `packet` command to `appeal`'s subcommands."""
    packet = commands.add_parser("packet", help=_("one PDF to fax or mail: cover sheet, letter, your attachments"))
    packet.add_argument("--case", metavar=_("FILE"), required=True, help=_("the case file"))
    packet.add_argument("--letter", metavar=_("KIND"), help=_("the kind of letter (default: the case's)"))
    packet.add_argument("--docx", metavar=_("EDITED.docx"),
                        help=_("the letter as you edited it (default: the letter beside the case file, NAME.docx by "
                               "NAME.yaml, if there is one; else a fresh draft)"))
    packet.add_argument("--attach", metavar=_("FILE"), action="append", type=Path,
                        help=_("a PDF, photo or scan to send with it, in the letter's order (repeatable)"))
    packet.add_argument("--strict", action="store_true",
                        help=_("refuse a letter that still has [ADD: ...] blanks (each is named) and write nothing"))
    signing = packet.add_mutually_exclusive_group()
    signing.add_argument("--signature", metavar=_("IMAGE"), type=Path,
                         help=_("a photo (PNG or JPEG) of your signature on white paper, or one drawn and saved; it is "
                                "cleaned and placed above your name"))
    signing.add_argument("--typed-signature", action="store_true",
                         help=_("sign with a typed line, '/s/ Your Name, date'. Use it only where your plan accepts "
                                "electronic signatures (ask the plan, or check its appeal form); otherwise sign by "
                                "hand"))
    packet.add_argument("--no-cover", "--mail", dest="cover", action="store_false",
                        help=_("no fax cover sheet: a packet to print and mail"))
    packet.add_argument("-o", "--output", metavar=_("PACKET.pdf"),
                        help=_("where to write (default: patient-kind-date.pdf)"))
    packet.add_argument("--force", action="store_true", help=_("replace the output file if it exists"))
    letter_language.add_option(packet)  # for a letter drafted afresh (no --docx, none beside the case)
    add_folder_options(packet)
    packet.set_defaults(handler=cmd_packet)
    return packet


def cmd_packet(args: argparse.Namespace) -> int:
    from appeal.base.errors import UserError
    from appeal.cases import casefile
    from appeal.cases.case import SenderRole
    from appeal.cases.fields import format_date
    from appeal.letters import draft
    from appeal.output import packet, signature

    case = casefile.load(args.case)
    kind = draft.choose_kind(case, args.letter, tuple(args.templates or ()))
    if args.typed_signature and kind.signed_by == "patient" and case.sender.role not in (None, SenderRole.patient):
        raise UserError(_("--typed-signature: the {kind} letter is signed by the patient themself, so nobody else can "
                          "type it for them. Print it for the patient to sign, or give --signature with a photo of "
                          "the patient's own signature.").format(kind=kind.name))
    docx, used, said = _letter(args, case, kind)
    print(said)
    if args.strict:  # before the signature and the slow conversion: nothing is made of a letter with blanks
        packet.refuse_blanks(docx)
    default = used.with_suffix(".pdf") if used is not None else packet.default_name(draft.default_name(case, kind))
    path = Path(args.output) if args.output else default
    if path.exists() and not args.force:  # before the slow conversion, not after it
        raise UserError(_("{path} already exists. Choose another name with -o, or add --force to replace it.").format(
            path=path))
    docx, signed = signature.sign(docx, picture=args.signature,
                                  typed_on=format_date(date.today()) if args.typed_signature else None)
    print(packet.save(case, kind, docx, path, attachments=args.attach or [], cover=args.cover, force=args.force))
    print(f"\n{signed}")
    return 0


def _letter(args: argparse.Namespace, case, kind) -> tuple[bytes, Path | None, str]:
    """The letter to send, the file it came from (None for a fresh draft) and the line that says which it is: the
    file given with --docx; else the letter beside the case file (NAME.docx by NAME.yaml, as the questionnaire
    keeps them) when there is one, asked about in a terminal when it was changed since `appeal draft` wrote it;
    else a fresh draft."""
    from appeal.letters.written_mark import state
    from appeal.output import packet

    if args.docx:
        given = Path(args.docx)
        docx = packet.check_docx(given)
        return docx, given, _(_USING[state(docx)]).format(path=given)
    beside = Path(args.case).with_suffix(".docx")
    if beside.is_file():
        docx = packet.check_docx(beside)
        found = state(docx)
        if found == "unchanged" or not sys.stdin.isatty():
            return docx, beside, _(_BESIDE[found]).format(path=beside)
        from appeal.terminal import prompts

        question = (_("{path} has been changed since appeal draft wrote it. Make the packet from it, with your "
                      "changes?") if found == "changed"
                    else _("Make the packet from the letter beside the case file, {path}?")).format(path=beside)
        answer = prompts.confirm(question, default=True).ask()
        if answer is None:
            raise KeyboardInterrupt
        if answer:
            return docx, beside, _(_USING[found]).format(path=beside)
        fresh = _afresh(args, case, kind)
        return fresh, None, _("Drafting the letter afresh from {case}; {path} is not used.").format(case=args.case,
                                                                                                   path=beside)
    fresh = _afresh(args, case, kind)
    return fresh, None, _("Drafting the letter afresh from {case} (to send a letter you edited, give it with "
                          "--docx EDITED.docx).").format(case=args.case)


def _afresh(args: argparse.Namespace, case, kind) -> bytes:
    """The letter drafted now, in the language `--letter-lang` asks for."""
    from appeal.letters import draft

    return draft.draft(case, kind, evidence_dirs=args.evidence, language=letter_language.choose(args.letter_lang),
                       template_dirs=tuple(args.templates or ())).content


# Which letter is used, by what appeal draft's mark says of it (appeal/letters/written_mark.py).
_USING = {"changed": N_("Using the letter {path} (your edited version: it was changed since appeal draft wrote it)."),
          "unchanged": N_("Using the letter {path} (as appeal draft wrote it)."), "unknown": N_("Using the letter {path}.")}
_BESIDE = {"changed": N_("Using the letter beside the case file, {path} (your edited version: it was changed since "
                         "appeal draft wrote it)."),
           "unchanged": N_("Using the letter beside the case file, {path} (as appeal draft wrote it)."),
           "unknown": N_("Using the letter beside the case file, {path}.")}
