"""`appeal track add/outcome/note/show/export/import` and `appeal status`: the record of every appeal sent, on the
command line (the record is appeal/tracking/store.py, where each appeal stands appeal/tracking/status.py, its words
appeal/tracking/text.py). Also what `appeal draft` asks of it: the next letter of a tracked appeal (--from-track),
and the terminal's last question after drafting, "Have you sent this letter yet?".

Only argparse is imported at start-up, so `appeal --help` answers at once; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from appeal.base.language import N_, ngettext, translate as _

# The option each field of the record is given with, for the store's messages (appeal.tracking.store.FieldError).
OPTION_FOR_FIELD = {"sent": "--sent", "received": "--received", "method": "--method", "date": "--date",
                    "quote": "--quote", "reference": "--reference"}


@contextmanager
def _named_as_options():
    """A value the store refuses is named by the option the person typed it with."""
    from appeal.tracking.store import FieldError

    try:
        yield
    except FieldError as error:
        raise error.named(OPTION_FOR_FIELD) from None


def today_of(args: argparse.Namespace):
    """Today, or the hidden --today DATE that tests and rehearsals pass so no output depends on the clock."""
    from datetime import date

    from appeal.cases.fields import parse_day

    return parse_day(args.today, "--today") if getattr(args, "today", None) else date.today()


def _open_track():
    from appeal.tracking.store import open_store

    store = open_store()
    for notice in store.notices:
        print(f"appeal: {notice}", file=sys.stderr)
    return store


# --------------------------------------------------------------------------------------------------------------
# What `appeal draft` asks of the record


def case_from_track(appeal_id: int, today, letter: str | None = None, templates: tuple = ()):
    """`appeal draft --from-track ID`: the case for the appeal's next letter, and, when the plan was late, the
    tracked status to print as what happens next (else None)."""
    from appeal.base.control_chars import printable
    from appeal.base.errors import UserError
    from appeal.base.language import shown_date
    from appeal.letters import kinds
    from appeal.tracking.status import case_with_history, next_case, status
    from appeal.tracking.text import status_text

    with _open_track() as store:
        appeal = store.get(appeal_id)
        if letter and kinds.get(letter, templates).recipient != "plan":
            # a complaint or an employer letter tells the whole story, wherever the dispute stands
            return case_with_history(appeal, today), None
        case, kind, filled = next_case(appeal, today)
        state = status(appeal, today)
    if kind is None:
        meaning = [_(line) for line in state.meaning]  # each marked N_() where it is said
        lines = "\n".join(f"  - {line}" for line in meaning)
        if state.closed:
            raise UserError(_("Tracked appeal {id} was approved; there is nothing more to send.").format(id=appeal_id))
        if state.next_step:
            raise UserError(_("The next step for tracked appeal {id} is {step}; this tool does not draft that letter, "
                              "so nothing was written.").format(id=appeal_id, step=_(state.next_step)) + "\n" + lines)
        if state.overdue:
            raise UserError(_("Tracked appeal {id}: for this plan, a missed deadline opens no next letter to draft, so "
                              "nothing was written. What it means:").format(id=appeal_id) + "\n" + lines)
        if state.waiting:
            due = (_("by {date}").format(date=shown_date(state.decision_due)) if state.decision_due
                   else _("(no rule known here)"))
            raise UserError(_("Tracked appeal {id} is waiting for the plan's decision, due {due}; there is no next "
                              "letter yet. Record what came back with: appeal track outcome {id} "
                              "approved|denied|partial|no-answer --date DATE").format(id=appeal_id, due=due))
        raise UserError(_("Tracked appeal {id} has used every step this tool knows.").format(id=appeal_id) + " "
                        + " ".join(meaning))
    for line in filled:
        print(printable(line))
    # After a missed deadline the case still stands where it stood, so the generic next steps would describe the
    # step the plan failed to decide; what the delay allows is the tracked status instead.
    return case, (status_text([state]) if state.overdue else None)


def _day(day) -> str:
    """A date on the screen: 'March 14, 2026' (as letters write it), '14 de marzo de 2026' in Spanish."""
    from appeal.base.language import long_date

    return long_date(day)


def ask_and_record(case, case_path: Path | None, kind: str, letter: Path, today=None) -> int | None:
    """Asked in a terminal after a letter is written: was it sent? If so it is recorded now (with a copy of the
    case and the letter), so nothing depends on remembering to run `appeal track add` later."""
    from datetime import date

    import questionary


    from appeal.terminal import prompts

    from appeal.cases.fields import parse_date
    from appeal.tracking.record import record_sent
    from appeal.tracking.store import METHODS
    from appeal.tracking.text import METHOD_WORDS

    today = today or date.today()
    when = prompts.select(_("Have you sent this letter yet?"), choices=[
        questionary.Choice(_("Not yet (record it when you send it: {command})").format(command="appeal track add"),
                           value="later"),
        questionary.Choice(_("Yes, today"), value="today"),
        questionary.Choice(_("Yes, on another day"), value="other"),
    ]).unsafe_ask()
    if when == "later":
        return None
    sent = today
    if when == "other":
        def valid(text: str) -> bool | str:
            try:
                day = parse_date(text)
            except ValueError as error:
                return str(error)
            return True if day <= today else _("That day is in the future; give the day it was sent.")

        sent = parse_date(questionary.text(_("On what day was it sent? (like 03/14/2026)"),
                                           validate=valid).unsafe_ask())
    method = prompts.select(_("How was it sent?"),
                                choices=[questionary.Choice(_(METHOD_WORDS.get(name, name)), value=name)
                                         for name in METHODS]
                                + [questionary.Choice(_("Skip"), value=None)]).unsafe_ask()
    with _named_as_options():
        recorded = record_sent(case, sent, kind=kind, method=method, case_path=case_path, packet=letter, today=today)
    return recorded.appeal_id


# --------------------------------------------------------------------------------------------------------------
# The commands


def cmd_track_add(args: argparse.Namespace) -> int:
    from appeal.base import loader
    from appeal.base.errors import UserError
    from appeal.cases import casefile
    from appeal.cases.fields import parse_day
    from appeal.tracking.status import next_case, status

    today = today_of(args)
    sent = parse_day(args.sent, "--sent")
    received = parse_day(args.received, "--received") if args.received else None
    with _open_track() as store:
        if args.case:
            path = Path(args.case)
            case = casefile.load(path)
            # the copy kept is read as the case was: bounded, a regular file (never a pipe or a huge file)
            case_bytes = loader.read_bytes(path, max_bytes=loader.CASE_LIMITS.max_bytes, what="case file")
            suffix = path.suffix.lower() or ".yaml"
        elif args.continues is not None:
            case, kind, _late = next_case(store.get(args.continues), sent)  # where it stood when this was sent
            if kind is None and not args.letter:
                raise UserError(f"Tracked appeal {args.continues} has no next letter to record yet; give --case FILE "
                                "and --letter KIND for the letter you sent.")
            case_bytes, suffix = None, ".yaml"
        else:
            raise UserError("Which case was sent? Give --case FILE (or --continues ID for the next level of a "
                            "tracked appeal).")
        with _named_as_options():
            appeal_id, _told = store.add(case, sent, kind=args.letter, method=args.method, received=received,
                                     case_bytes=case_bytes, case_suffix=suffix,
                                     packet=Path(args.packet) if args.packet else None, continues=args.continues,
                                     today=today)
        item = status(store.get(appeal_id), today)
    print(_("Tracking appeal #{id}: {level}, sent {date}.").format(id=appeal_id, level=_(item.level),
                                                                    date=_day(sent)))
    if item.decision_due:
        print(_("The decision is due by {date}.").format(date=_day(item.decision_due)))
    print(_("A copy of the case and of what was sent is kept with the record.") if args.packet else
          _("A copy of the case is kept with the record."))
    return 0


def cmd_track_outcome(args: argparse.Namespace) -> int:
    from appeal.base.control_chars import printable
    from appeal.cases.fields import parse_day
    from appeal.tracking.status import status
    from appeal.tracking.store import Result
    from appeal.tracking.text import RESULT_WORDS, status_text

    today = today_of(args)
    with _open_track() as store:
        with _named_as_options():
            appeal = store.outcome(args.id, Result(args.result), parse_day(args.date, "--date"),
                                   notice=Path(args.notice) if args.notice else None, quote=args.quote,
                                   reference=args.reference, today=today)
        print(_("Recorded: {result} on {date}.").format(result=_(RESULT_WORDS[args.result]),
                                                         date=_day(appeal.last.outcome.date)) + "\n")
        print(printable(status_text([status(appeal, today)])))
    return 0


def cmd_track_note(args: argparse.Namespace) -> int:
    with _open_track() as store:
        store.note(args.id, " ".join(args.text), today_of(args))
    print(_("Noted on appeal #{id}.").format(id=args.id))
    return 0


def cmd_track_show(args: argparse.Namespace) -> int:
    from appeal.base.control_chars import printable
    from appeal.tracking.status import status
    from appeal.tracking.text import history_text, status_text

    with _open_track() as store:
        appeal = store.get(args.id)
        print(printable(history_text(appeal)) + "\n")  # a note recorded before control characters were refused
        print(printable(status_text([status(appeal, today_of(args))])))
    return 0


def cmd_track_export(args: argparse.Namespace) -> int:
    from appeal.base.errors import UserError
    from appeal.tracking.store import FolderNotEmpty

    with _open_track() as store:
        try:
            count = store.export(Path(args.folder), force=args.force)
        except FolderNotEmpty as error:
            raise UserError(str(error).removesuffix(".") + ", or add --force.") from None
    print(ngettext("Exported {count} appeal(s) with their copies to {folder}",
                   "Exported {count} appeal(s) with their copies to {folder}", count).format(count=count,
                                                                                          folder=args.folder))
    return 0


def cmd_track_import(args: argparse.Namespace) -> int:
    with _open_track() as store:
        added, present = store.import_(Path(args.folder))
    print(ngettext("Imported {count} appeal(s)", "Imported {count} appeal(s)", added).format(count=added)
          + (ngettext("; {count} were already here and were left as they are.",
                      "; {count} were already here and were left as they are.", present).format(count=present)
             if present else "."))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    import json

    from appeal.base.control_chars import printable
    from appeal.base.safe_write import write_text
    from appeal.tracking.status import statuses
    from appeal.tracking.text import calendar, status_data, status_text

    today = today_of(args)
    with _open_track() as store:
        items = statuses(store, today, include_closed=args.all)
    if args.ics:
        write_text(Path(args.ics), calendar(items, today), overwrite=args.force)
    if args.json:
        print(json.dumps({"today": today.isoformat(), "appeals": [status_data(item) for item in items]},
                         indent=2))
    else:
        print(printable(status_text(items)))
        if args.ics:
            print("\n" + _("Wrote every open deadline as calendar events to {file}").format(file=args.ics))
    return 0


def add_track_parsers(commands) -> None:
    """`appeal track add/outcome/note/show/export/import` and `appeal status`."""
    track = commands.add_parser("track", help=_("record what was sent, what came back, and notes"))
    track_commands = track.add_subparsers(dest="track_command", metavar="add|outcome|note|show|export|import",
                                          required=True)
    add = track_commands.add_parser("add", help=_("record a letter or packet that was sent"))
    add.add_argument("--case", metavar=_("FILE"), help=_("the case file the letter was drafted from"))
    add.add_argument("--sent", metavar=_("DATE"), required=True, help=_("the day it was sent"))
    add.add_argument("--method", choices=("fax", "mail", "portal", "email", "hand"), help=_("how it was sent"))
    add.add_argument("--letter", metavar=_("KIND"), help=_("the kind of letter (default: the case's)"))
    add.add_argument("--packet", metavar=_("FILE"), help=_("the letter or packet as sent; a copy is kept"))
    add.add_argument("--received", metavar=_("DATE"),
                     help=_("the day the plan received it, if known (its clock starts then)"))
    add.add_argument("--continues", metavar=_("ID"), type=int,
                     help=_("this is the next level of tracked appeal ID (without --case: the case drafted from it)"))
    add.set_defaults(handler=cmd_track_add)
    outcome = track_commands.add_parser("outcome", help=_("record what came back"))
    outcome.add_argument("id", type=int, metavar=_("id"), help=_("the tracked appeal (see `appeal status`)"))
    # named in the person's language (argparse names it in its errors); the values stay as they are typed
    outcome.add_argument("result", choices=("approved", "denied", "partial", "no-answer"), metavar=_("result"),
                         help=_("what came back: approved, denied, partial or no-answer"))
    outcome.add_argument("--date", metavar=_("DATE"), required=True,
                         help=_("the date on the decision (for no-answer: the day you checked)"))
    outcome.add_argument("--notice", metavar=_("FILE"), help=_("the decision notice; a copy is kept"))
    outcome.add_argument("--quote", metavar=_("TEXT"), help=_("the plan's reason in this decision, word for word"))
    outcome.add_argument("--reference", metavar=_("REF"), help=_("the reference number on this decision"))
    outcome.set_defaults(handler=cmd_track_outcome)
    note = track_commands.add_parser("note", help=_("add a note (a call, a name, a promise)"))
    note.add_argument("id", type=int, metavar=_("id"))
    note.add_argument("text", nargs="+", metavar=_("text"))
    note.set_defaults(handler=cmd_track_note)
    show = track_commands.add_parser("show", help=_("one appeal's whole history"))
    show.add_argument("id", type=int, metavar=_("id"))
    show.set_defaults(handler=cmd_track_show)
    export = track_commands.add_parser("export", help=_("write everything to a folder (backup, another machine)"))
    export.add_argument("folder", metavar=_("folder"))
    export.add_argument("--force", action="store_true", help=_("write into a folder that is not empty"))
    export.set_defaults(handler=cmd_track_export)
    importing = track_commands.add_parser("import", help=_("bring back the appeals of an exported folder"))
    importing.add_argument("folder", metavar=_("folder"))
    importing.set_defaults(handler=cmd_track_import)
    for sub in (add, outcome, note, show):
        sub.add_argument("--today", help=argparse.SUPPRESS)

    status = commands.add_parser("status", help=_("every open appeal with its next dates, most urgent first"))
    status.add_argument("--json", action="store_true", help=_("print JSON"))
    status.add_argument("--ics", metavar=_("FILE"), help=_("also write every open deadline as calendar events (.ics)"))
    status.add_argument("--force", action="store_true", help=_("replace the .ics file if it exists"))
    status.add_argument("--all", action="store_true", help=_("include approved (closed) appeals"))
    status.add_argument("--today", help=argparse.SUPPRESS)
    status.set_defaults(handler=cmd_status)
