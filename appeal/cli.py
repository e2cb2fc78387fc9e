"""The `appeal` command. Only argparse is imported at start-up, so `appeal --help` answers at once;
each command imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appeal import __version__
from appeal.cli_track import add_track_parsers, ask_and_record, case_from_track, today_of
from appeal.folders import add_folder_options

DESCRIPTION = """\
Draft health-insurance letters as editable Word documents: prior-authorization requests, appeals,
external-review requests, letters of medical necessity and more.

Start with:  appeal example --list
             appeal example ketamine-trd-erisa-appeal -o my-case.yaml
             appeal draft --case my-case.yaml
"""


def _print_report(path: Path, drafted) -> None:
    from appeal.questions import blank_facts

    print(f"Wrote {drafted.kind.title.lower()} to {path}")
    facts = blank_facts(drafted.blanks)
    if facts:
        print(f"\n{len(facts)} blank(s) to fill in before sending (they show as [ADD: ...] in the letter):")
        for label, questions in facts:
            asked = " / ".join(f"'{question.prompt.format_map(_ANY_VOICE)}'" for question in questions)
            print(f"  - {label}" + (f" (the question{'s' if len(questions) > 1 else ''}: {asked})" if asked else ""))
    for warning in drafted.warnings:
        print(f"\nWarning: {warning}")
    if drafted.sending:
        print("\nHow to send it\n" + "\n".join(f"  - {line}" for line in drafted.sending))
    if drafted.to_draft:
        print("\nThe letter lists documents this tool drafts too; draft each from the same case:\n"
              + "\n".join(f"  - {line}" for line in drafted.to_draft))


_ANY_VOICE = {"patient": "the patient", "patients": "the patient's", "Patient": "The patient",
              "Patients": "The patient's", "are_in": "is in"}


def _print_last(path: Path, drafted, case) -> None:
    """The last lines on screen: where the letter is, and the one thing to do next (nothing to scroll back for)."""
    print(f"\nYour letter: {path.resolve()}")
    if drafted.blanks:
        from appeal.questions import blank_facts

        action = (f"open it and fill in the {len(blank_facts(drafted.blanks))} [ADD: ...] blank(s) listed above, then "
                  "sign and send it.")
    elif drafted.sending:
        action = "sign it and send it as 'How to send it' says above; keep a copy and proof of sending."
    elif not drafted.kind.sent_to_plan:
        action = "sign it and give it to the patient or the plan."
    elif case.insurance.appeals_fax:
        action = f"sign it and fax it to {case.insurance.appeals_fax}; keep the fax confirmation page."
    else:
        action = "sign it and send it as 'Where and how to send it' says above; keep proof of sending."
    print(f"Next: {action}")


def _print_next_steps(case, enclosures: list[str], today=None, suggested: list[str] = ()) -> None:
    from appeal import next_steps

    print("\nWhat happens next\n")
    print(next_steps.as_text(next_steps.sections(case, enclosures, today, suggested=suggested)))


def _interview(args: argparse.Namespace):
    """The questionnaire: a new case, a resumed draft, or the missing answers of a case file."""
    import questionary

    from appeal import drafts, questionnaire
    from appeal.errors import UserError

    if not sys.stdin.isatty():
        raise UserError(
            "appeal draft asks its questions in a terminal, and this is not one. Run it in a terminal, or give "
            "a case file: appeal draft --case FILE (see `appeal example --list`)."
        )
    if args.resume:
        return _resume(Path(args.resume))
    for told in drafts.set_aside_damaged():
        print(told + "\n", file=sys.stderr)
    unfinished = drafts.find_unfinished()
    if unfinished:
        choice = questionary.select(
            "You have an unfinished draft. Carry on with it?",
            choices=[questionary.Choice(f"Yes, resume {drafts.describe(path)}", value=path) for path in unfinished[:5]]
            + [questionary.Choice("No, start a new letter", value="new")],
        ).ask()
        if choice is None:
            raise KeyboardInterrupt
        if choice != "new":
            return _resume(choice)
    from appeal.notice_confirm import start_from_notice

    return start_from_notice() or questionnaire.run()


def _resume(path: Path):
    """Carry on with a draft; if another session has it open, say so and offer to carry on in a copy."""
    import questionary

    from appeal import drafts, questionnaire

    try:
        return questionnaire.run(resume=path)
    except drafts.DraftInUse as in_use:
        print(f"appeal: {in_use}", file=sys.stderr)
        answer = questionary.confirm("Carry on in a copy of the draft (the other session keeps the original)?",
                                     default=True).ask()
        if not answer:
            raise KeyboardInterrupt from None
        return questionnaire.run(resume=drafts.copy_draft(path))


def cmd_draft(args: argparse.Namespace) -> int:
    from appeal import casefile, draft

    today = today_of(args)
    late = None  # for the next letter of a tracked appeal the plan did not answer: what that lets the person do
    if args.from_track is not None:
        case, late = case_from_track(args.from_track, today, args.letter, tuple(args.templates or ()))
    elif args.case:
        case_path = Path(args.case)
        case = casefile.load(case_path)
    else:
        case, case_path = _interview(args)
    templates = tuple(args.templates or ())
    kind = draft.choose_kind(case, args.letter, templates)
    drafted = draft.draft(case, kind, today, evidence_dirs=args.evidence)
    if args.case and drafted.blanks and sys.stdin.isatty() and not args.strict:
        import questionary

        from appeal import questionnaire

        if questionary.confirm(
            f"The letter still has {len(drafted.blanks)} blank(s). Answer the missing questions now?", default=True
        ).ask():
            case, completed = questionnaire.run(case_path=case_path, overwrite_case=args.force)
            if completed != case_path:
                print(f"Your answers are saved in {completed}; {case_path} is unchanged "
                      "(add --force to write them into it).")
            case_path = completed
            kind = draft.choose_kind(case, args.letter, templates)
            drafted = draft.draft(case, kind, today, evidence_dirs=args.evidence)
    path = Path(args.output) if args.output else draft.default_name(case, kind, today)
    draft.write(drafted, path, strict=args.strict, force=args.force)
    _print_report(path, drafted)
    if late:
        print("\nWhat happens next\n\n" + late)
    elif kind.sent_to_plan:
        _print_next_steps(case, drafted.enclosures, today, drafted.suggested_enclosures)
    if args.from_track is not None:
        print(f"Once it is sent, record it: appeal track add --continues {args.from_track} --sent DATE --packet {path}")
    elif not args.case:  # the questionnaire's last steps: the letter as one PDF to fax or mail, and sent already?
        from appeal import packet, questionnaire

        sent_as = path
        wanted = questionnaire.ask_packet()
        if wanted:
            cover, files = wanted
            sent_as = packet.default_name(path)
            print(packet.save(case, kind, drafted.content, sent_as, attachments=files, cover=cover, force=args.force))
        if sys.stdin.isatty():
            appeal_id = ask_and_record(case, case_path, kind.name, sent_as, today)
            if appeal_id is not None:
                print(f"Recorded as appeal #{appeal_id}; see every open appeal with: appeal status")
    elif kind.starts != "none":  # a letter that starts no step of the dispute has no decision date to track
        print(f"Once it is sent, track it: appeal track add --case {case_path} --sent DATE --packet {path}")
    _print_last(path, drafted, case)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from appeal import notice_confirm

    notice_confirm.command(args.notice, Path(args.output), yes=args.yes, force=args.force)
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from appeal import web

    if args.port is not None and not 0 <= args.port <= 65535:
        from appeal.errors import UserError

        raise UserError(f"--port {args.port}: a port is a number from 1 to 65535.")
    return web.command(args.port, args.browser)


def cmd_deadline(args: argparse.Namespace) -> int:
    import json

    from appeal import casefile, deadlines
    from appeal.fields import format_date
    from appeal.safe_write import write_text

    case = casefile.load(args.case)
    report = deadlines.report(case)
    if args.ics:
        write_text(Path(args.ics), deadlines.ics(report, case), overwrite=args.force)
    if args.json:
        print(json.dumps({
            "today": report.today.isoformat(),
            "step": report.step.name if report.step else None,
            "filing": [
                {"rule": item.rule.id, "due": item.due.isoformat() if item.due else None,
                 "days_left": item.days_left(report.today), "counted_from": item.start_label or None,
                 "missing": item.missing, "citation": item.rule.citation, "text": item.rule.text,
                 "notes": item.notes}
                for item in report.filing
            ],
            "decision": [{"rule": rule.id, "citation": rule.citation, "text": rule.text} for rule in report.decision],
            "next_step": report.next_step.name if report.next_step else None,
            "next_filing": [{"rule": rule.id, "citation": rule.citation, "text": rule.text} for rule in report.next_filing],
            "warnings": report.warnings,
        }, indent=2))
        return 0
    def explained(rule, lead: str = "") -> str:
        return f"{lead}{rule.text}\n    Rule: {rule.citation} [{rule.id}]"

    if report.step:
        print(f"Next step: {report.step.name}")
    for item in report.filing:
        if item.due:
            print(f"  File by {format_date(item.due)} ({item.days_left(report.today)} days left), counted from "
                  f"{item.start_label}.\n    " + explained(item.rule))
        else:
            print("  " + explained(item.rule))
        for note in item.notes:
            print(f"    Note: {note}")
    for rule in report.decision:
        print("  " + explained(rule, "Once filed: "))
    if report.next_step:
        print(f"If the answer is no: {report.next_step.name}")
        for rule in report.next_filing:
            print("    " + explained(rule))
    for warning in report.warnings:
        print(f"Warning: {warning}")
    if args.ics:
        print(f"Wrote the deadlines as calendar events to {args.ics}")
    return 0


def cmd_next_steps(args: argparse.Namespace) -> int:
    from appeal import casefile, kinds, next_steps
    from appeal.letter_plan import enclosures_for, suggested_enclosures_for
    from appeal.safe_write import write_bytes

    case = casefile.load(args.case)
    kind = kinds.get(args.letter or case.letter_kind or kinds.default_name(case.denial is not None))
    found = next_steps.sections(case, enclosures_for(case, kind), suggested=suggested_enclosures_for(case, kind))
    if args.output:
        write_bytes(Path(args.output), next_steps.as_docx(found, case), overwrite=args.force)
        print(f"Wrote the next steps to {args.output}")
    else:
        print(next_steps.as_text(found))
    return 0


def cmd_packet(args: argparse.Namespace) -> int:
    from appeal import casefile, draft, packet
    from appeal.errors import UserError

    case = casefile.load(args.case)
    kind = draft.choose_kind(case, args.letter, tuple(args.templates or ()))
    path = Path(args.output) if args.output else packet.default_name(draft.default_name(case, kind))
    if path.exists() and not args.force:  # before the slow conversion, not after it
        raise UserError(f"{path} already exists. Choose another name with -o, or add --force to replace it.")
    docx = packet.check_docx(Path(args.docx)) if args.docx else draft.draft(case, kind, evidence_dirs=args.evidence).content
    print(packet.save(case, kind, docx, path, attachments=args.attach or [], cover=args.cover, force=args.force))
    return 0


def cmd_evidence_list(args: argparse.Namespace) -> int:
    import json

    from appeal import evidence

    library = evidence.load_library(args.evidence)
    shown = [
        snippet
        for snippet in sorted(library.values(), key=lambda item: (item.evidence_kind.rank, item.id))
        if (not args.condition or args.condition in snippet.conditions)
        and (not args.treatment or args.treatment in snippet.treatments or "any" in snippet.treatments)
        and (not args.reason or args.reason in snippet.answers)
    ]
    if args.json:
        print(json.dumps([item.model_dump(mode="json", exclude={"source_path"}) for item in shown], indent=2))
        return 0
    for snippet in shown:
        print(f"{snippet.id}\n    {snippet.evidence_kind.label}: {snippet.title}")
    print(f"\n{len(shown)} of {len(library)} snippets. Show one with: appeal evidence show ID")
    return 0


def cmd_evidence_show(args: argparse.Namespace) -> int:
    import difflib

    from appeal import evidence
    from appeal.errors import UserError

    library = evidence.load_library(args.evidence)
    if args.id not in library:
        near = difflib.get_close_matches(args.id, list(library), n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(near)}?" if near else " List them with: appeal evidence list"
        raise UserError(f"There is no evidence snippet '{args.id}'.{hint}")
    snippet = library[args.id]
    print(snippet.title)
    print(f"{snippet.evidence_kind.label}; conditions: {', '.join(c.label for c in snippet.conditions)}; "
          f"treatments: {', '.join(t.label for t in snippet.treatments)}")
    print(f"\n{snippet.summary}\n\n{evidence.citation_text(snippet)}")
    print(f"\nChecked {snippet.checked.isoformat()}; file: {snippet.source_path}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from appeal import casefile, codes, evidence, readiness

    case = casefile.load(args.case)
    problems = codes.check(case)
    for problem in problems:
        print(f"{'[CODE ERROR]' if problem.error else '[code]    '} {problem}")
    if problems:
        print()
    results = readiness.check(case)
    if not results:
        print("No usual coverage criteria are known for this treatment and diagnosis.")
    marks = {"met": "[met]    ", "not_met": "[NOT MET]", "unknown": "[unknown]"}
    for result in results:
        print(f"{marks[result.status.value]} {result.criterion.title}\n          {result.detail}")
    chosen = evidence.select(case, evidence.load_library(args.evidence))
    if chosen:
        print(f"\nEvidence the letter will attach ({len(chosen)}):")
        for item in chosen:
            print(f"  [{item.number}] {item.snippet.id}: {item.why}")
    return 1 if any(problem.error for problem in problems) else 0


def cmd_templates_new(args: argparse.Namespace) -> int:
    from appeal import kinds, template_tools

    source = args.source or kinds.DEFAULT_FOR_DENIAL
    path = template_tools.new(args.name, source)
    print(f"Copied the {source} template to {path}")
    print(f"Its description (title, summary, who sends it, what it asks for and encloses) is in "
          f"{path.with_suffix('.yaml')}.")
    print(f"Edit it in Word or LibreOffice, then run: appeal templates check {path}")
    return 0


def cmd_templates_vars(args: argparse.Namespace) -> int:
    from appeal import kinds, template_tools
    from appeal.safe_write import write_bytes

    variables = template_tools.reference()
    used = template_tools.used_paths(kinds.get(args.kind).template) if args.kind else set()
    if args.format == "docx":
        target = Path(args.output or "template-variables.docx")
        write_bytes(target, template_tools.reference_docx(variables, used), overwrite=args.force)
        print(f"Wrote the variable reference to {target}")
        return 0
    width = max(len(variable.path) for variable in variables) + 2
    for variable in variables:
        mark = "*" if variable.path in used else " "
        print(f"{mark} {variable.path:<{width}}{variable.type}\n    {variable.description}")
    if args.kind:
        print(f"\n* used by the {args.kind} template")
    return 0


def cmd_templates_check(args: argparse.Namespace) -> int:
    from appeal import template_tools

    path = Path(args.file)
    problems = template_tools.check(path)
    if not problems:
        print(f"{path}: no problems found; it rendered with every bundled example that applies.")
        return 0
    print(f"{path}: {len(problems)} problem(s):")
    for problem in problems:
        print(f"  - {problem}")
    return 1


def cmd_letters(args: argparse.Namespace) -> int:
    from appeal import kinds

    every = kinds.all_kinds(tuple(args.templates or ()))
    width = max(len(name) for name in every)
    for name, kind in every.items():
        print(f"{name:<{width}}  {kind.summary}")
        if kind.source != "built-in":
            print(f"{'':<{width}}  from {kind.source}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from appeal.case import Case

    print(json.dumps(Case.model_json_schema(), indent=2))
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    from appeal import examples
    from appeal.safe_write import write_text

    if args.list or not args.name:
        for name, summary in examples.catalog().items():
            print(f"{name:<34}  {summary}")
        return 0
    text = examples.text(args.name)
    if not args.output:
        sys.stdout.write(text)
        return 0
    write_text(Path(args.output), text, overwrite=args.force)
    print(f"Wrote the example case {args.name} to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appeal", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"appeal {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    draft = commands.add_parser("draft", help="write a letter from a case file")
    draft.add_argument("--case", metavar="FILE", help="the case file (YAML or JSON); without it, questions are asked")
    draft.add_argument("--resume", metavar="FILE", help="carry on with an unfinished questionnaire draft")
    draft.add_argument("--from-track", metavar="ID", type=int,
                       help="the next letter of a tracked appeal (after a denial, or when the plan is late)")
    draft.add_argument("--today", help=argparse.SUPPRESS)
    draft.add_argument("--letter", metavar="KIND", help="the kind of letter (see `appeal letters`); default: the case's")
    draft.add_argument("-o", "--output", metavar="OUT.docx", help="where to write (default: patient-kind-date.docx)")
    draft.add_argument("--strict", action="store_true", help="refuse to write a letter that still has blanks")
    draft.add_argument("--force", action="store_true", help="replace the output file if it exists")
    add_folder_options(draft)
    draft.set_defaults(handler=cmd_draft)

    importing = commands.add_parser("import", help="start a case from the denial notice (PDF, photo or text)")
    importing.add_argument("notice", metavar="NOTICE", help="the notice: a PDF, a scan or photo (JPG/PNG), text, or - for pasted text")
    importing.add_argument("-o", "--output", metavar="CASE.yaml", required=True, help="the case file to write")
    importing.add_argument("--yes", action="store_true", help="accept what was found without asking (for scripts)")
    importing.add_argument("--force", action="store_true", help="replace the case file if it exists")
    importing.set_defaults(handler=cmd_import)

    web = commands.add_parser("web", help="the questions as a web page on this computer only (opens the browser)")
    web.add_argument("--port", type=int, metavar="N", help="the port to serve on (default: a free one)")
    web.add_argument("--no-browser", dest="browser", action="store_false", help="print the address, do not open it")
    web.set_defaults(handler=cmd_web)

    deadline = commands.add_parser("deadline", help="how long you have, and how long the plan has")
    deadline.add_argument("--case", metavar="FILE", required=True, help="the case file")
    deadline.add_argument("--json", action="store_true", help="print JSON")
    deadline.add_argument("--ics", metavar="FILE", help="also write the deadlines as calendar events (.ics)")
    deadline.add_argument("--force", action="store_true", help="replace the .ics file if it exists")
    deadline.set_defaults(handler=cmd_deadline)

    steps = commands.add_parser("next-steps", help="where to send the letter, by when, and what comes after")
    steps.add_argument("--case", metavar="FILE", required=True, help="the case file")
    steps.add_argument("--letter", metavar="KIND", help="the letter being sent (default: the case's)")
    steps.add_argument("-o", "--output", metavar="OUT.docx", help="write a one-page Word document instead")
    steps.add_argument("--force", action="store_true", help="replace the output file if it exists")
    steps.set_defaults(handler=cmd_next_steps)

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

    check = commands.add_parser("check", help="compare a case with the usual coverage criteria")
    check.add_argument("--case", metavar="FILE", required=True, help="the case file")
    add_folder_options(check, templates=False)
    check.set_defaults(handler=cmd_check)

    evidence = commands.add_parser("evidence", help="list or show the evidence snippets")
    evidence_commands = evidence.add_subparsers(dest="evidence_command", metavar="list|show", required=True)
    listing = evidence_commands.add_parser("list", help="list snippets, optionally filtered")
    listing.add_argument("--condition", help="e.g. treatment_resistant_depression, suicidal_ideation, ptsd, crps")
    listing.add_argument("--treatment", help="e.g. iv_ketamine, esketamine_nasal, im_ketamine")
    listing.add_argument("--reason", help="a denial reason, e.g. experimental, off_label")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=cmd_evidence_list)
    show = evidence_commands.add_parser("show", help="show one snippet with its citation")
    show.add_argument("id")
    show.set_defaults(handler=cmd_evidence_show)
    for sub in (listing, show):
        add_folder_options(sub, templates=False)

    letters = commands.add_parser("letters", help="list the kinds of letter, and where each template comes from")
    add_folder_options(letters, evidence=False)
    letters.set_defaults(handler=cmd_letters)

    templates = commands.add_parser("templates", help="make, list the variables of, and check letter templates")
    template_commands = templates.add_subparsers(dest="templates_command", metavar="new|vars|check", required=True)
    new = template_commands.add_parser("new", help="copy a built-in template into your own folder to edit")
    new.add_argument("name", help="the new template's name (a new kind, or a built-in kind's name to replace it)")
    new.add_argument("--from", dest="source", metavar="KIND", help="the template to copy (default: appeal)")
    new.set_defaults(handler=cmd_templates_new)
    variables = template_commands.add_parser("vars", help="every variable a template may use")
    variables.add_argument("kind", nargs="?", help="mark the variables this kind's template uses")
    variables.add_argument("--format", choices=("text", "docx"), default="text", help="print text, or write a Word document")
    variables.add_argument("-o", "--output", metavar="FILE", help="where to write the Word document")
    variables.add_argument("--force", action="store_true", help="replace the output file if it exists")
    variables.set_defaults(handler=cmd_templates_vars)
    checking = template_commands.add_parser("check", help="check a template and render it with every example")
    checking.add_argument("file", help="the .docx template")
    checking.set_defaults(handler=cmd_templates_check)

    add_track_parsers(commands)

    schema = commands.add_parser("schema", help="print the case file's JSON Schema")
    schema.set_defaults(handler=cmd_schema)

    example = commands.add_parser("example", help="list or write the bundled example cases")
    example.add_argument("name", nargs="?", help="the example to write")
    example.add_argument("--list", action="store_true", help="list the examples")
    example.add_argument("-o", "--output", metavar="FILE", help="write it here (default: print it)")
    example.add_argument("--force", action="store_true", help="replace the file if it exists")
    example.set_defaults(handler=cmd_example)
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
