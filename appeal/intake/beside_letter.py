"""The finished case file, kept beside its letter under the letter's own name, and the commands that use it.

Why: a finished questionnaire's answers are what `appeal check`, `deadline`, `packet` and `track add` read, and
a person finds them again by the letter they sent, not in a data folder under a draft's time stamp. So the
case goes next to the letter as `<letter name>.yaml` (`dana-smith-appeal-2026-03-14.docx` and `.yaml`),
written atomically and owner-only, never over an existing file (the pair is numbered -2, -3 instead), and the
draft it came from is then removed from the drafts folder, so there is one copy to change. The last screen of
the terminal and of the browser prints the commands with these real paths, quoted for the shell, and where to
send the letter the way the person chose to send it (fax or mail).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from appeal.base import loader
from appeal.base.language import translate as _
from appeal.base.safe_write import write_text
from appeal.cases.case import Case
from appeal.intake import drafts

# The files one letter's name stands for: the letter, its case file, and the PDF packet made from it.
SUFFIXES = (".docx", ".yaml", ".pdf")


def free_letter_name(wanted: Path) -> Path:
    """The letter's name, numbered (-2, -3, ...) until no file of its pair (letter, case file, packet) exists."""
    wanted = Path(wanted)
    candidate, number = wanted, 2
    while any(candidate.with_suffix(suffix).exists() for suffix in SUFFIXES):
        candidate, number = wanted.with_name(f"{wanted.stem}-{number}{wanted.suffix}"), number + 1
    return candidate


def case_name(letter: Path) -> Path:
    """Where a letter's case file goes: beside it, under its name."""
    return Path(letter).with_suffix(".yaml")


def keep_beside(source: Path, letter: Path) -> Path:
    """Write the finished case file `source` beside `letter` (atomically, owner-only, never over a file), then
    remove `source` if it is a draft in the drafts folder (a case file of the person's own stays). Returns the
    new path; a case file already in place is returned as it is."""
    target = case_name(letter)
    if Path(source).resolve() == target.resolve():
        return target
    wanted, number = target, 2
    while target.exists():  # a letter named with -o beside a case file of that name: number this one
        target, number = wanted.with_name(f"{wanted.stem}-{number}{wanted.suffix}"), number + 1
    write_text(target, loader.read_text(source, what="case file"), overwrite=False)
    if Path(source).resolve().parent == drafts.folder().resolve():
        Path(source).unlink(missing_ok=True)
    return target


def shell_path(path: Path) -> str:
    """A path as the shell takes it: absolute, quoted when it holds spaces or other special characters."""
    return shlex.quote(str(Path(path).resolve()))


def follow_up(case_path: Path, letter: Path, today: date | None = None, to_draft: Iterable[str] = ()
              ) -> list[tuple[str, str]]:
    """(command, what it does) for the case file beside the letter, with the real paths. `letter` is what was sent
    (the .docx, or the packet made from it, NAME.pdf by NAME.docx): the packet command names the .docx. `to_draft`
    are the letter's enclosures this tool drafts too ('Appointment of representative, ...: appeal draft --letter
    KIND', as the letter plan gives them): each gets its command on this case file, which a person who asked for
    the document to be drafted (a representative's authorization not signed yet) could not otherwise find."""
    case, sent_as = shell_path(case_path), shell_path(letter)
    docx = shell_path(Path(letter).with_suffix(".docx"))
    day = f"{today or date.today():%Y-%m-%d}"
    drafts = []
    for line in to_draft:
        document, _colon, command = line.rpartition(": ")
        drafts.append((f"appeal draft --case {case} --letter {command.split()[-1]}",
                       _("drafts the enclosure '{document}', to complete and send with the letter").format(
                           document=document)))
    return drafts + [
        (f"appeal check --case {case}", _("what the plan usually looks for, and where your answers stand")),
        (f"appeal deadline --case {case}", _("how long you have, how long the plan has, and the next level")),
        (f"appeal packet --case {case} --docx {docx}",
         _("one PDF to fax or mail: the letter as you edited it, page numbers, your files (add --attach FILE)")),
        (f"appeal track add --case {case} --sent {day} --packet {sent_as}",
         _("once it is sent: keeps a record (change the date to the day you sent it)")),
    ]


def sending(case: Case, by: str | None) -> str | None:
    """'fax it to NUMBER ...' or 'mail it to ADDRESS ...', as the person chose to send it ("fax" or "mail", the
    packet's question), with the plan's number or address from the case; None when nothing was chosen. A number
    or address the case lacks is named as where to find it, never guessed."""
    insurance = case.insurance
    if by == "fax":
        if insurance.appeals_fax:
            return _("fax it to {fax}; keep the fax confirmation page.").format(fax=insurance.appeals_fax)
        return _("fax it to the plan's fax number for appeals (on the denial notice); keep the fax confirmation page.")
    if by == "mail":
        if insurance.appeals_address:
            lines = [line.strip().rstrip(",") for line in insurance.appeals_address.splitlines() if line.strip()]
            return _("mail it to {address}; keep the mailing receipt.").format(address=", ".join(lines))
        return _("mail it to the plan's address for appeals (on the denial notice); keep the mailing receipt.")
    return None
