"""What a case file says, without writing a letter: `appeal deadline` (how long each side has), `appeal
next-steps` (where to send, by when, what comes after) and `appeal check` (codes, the usual coverage criteria,
the evidence a letter would attach). Only the standard library is imported at start-up."""

from __future__ import annotations

import argparse
from pathlib import Path

from appeal.base.folders import add_folder_options
from appeal.base.language import translate as _


def add_deadline_parser(commands) -> argparse.ArgumentParser:
    """Add the `deadline` command to `appeal`'s subcommands."""
    deadline = commands.add_parser("deadline", help=_("how long you have, and how long the plan has"))
    deadline.add_argument("--case", metavar=_("FILE"), required=True, help=_("the case file"))
    deadline.add_argument("--json", action="store_true", help=_("print JSON"))
    deadline.add_argument("--ics", metavar=_("FILE"), help=_("also write the deadlines as calendar events (.ics)"))
    deadline.add_argument("--force", action="store_true", help=_("replace the .ics file if it exists"))
    deadline.set_defaults(handler=cmd_deadline)
    return deadline


def add_next_steps_parser(commands) -> argparse.ArgumentParser:
    """Add the `next-steps` command to `appeal`'s subcommands."""
    steps = commands.add_parser("next-steps", help=_("where to send the letter, by when, and what comes after"))
    steps.add_argument("--case", metavar=_("FILE"), required=True, help=_("the case file"))
    steps.add_argument("--letter", metavar=_("KIND"), help=_("the letter being sent (default: the case's)"))
    steps.add_argument("-o", "--output", metavar=_("OUT.docx"), help=_("write a one-page Word document instead"))
    steps.add_argument("--force", action="store_true", help=_("replace the output file if it exists"))
    steps.set_defaults(handler=cmd_next_steps)
    return steps


def add_check_parser(commands) -> argparse.ArgumentParser:
    """Add the `check` command to `appeal`'s subcommands."""
    check = commands.add_parser("check", help=_("compare a case with the usual coverage criteria"))
    check.add_argument("--case", metavar=_("FILE"), required=True, help=_("the case file"))
    add_folder_options(check, templates=False)
    check.set_defaults(handler=cmd_check)
    return check


def cmd_deadline(args: argparse.Namespace) -> int:
    import json

    from appeal.base.language import long_date, ngettext, translate as _
    from appeal.base.safe_write import write_text
    from appeal.cases import casefile
    from appeal.rules import deadlines

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
            "decision": [{"rule": rule.id, "citation": rule.citation, "text": rule.text,
                          "due": report.decision_due[rule.id].isoformat() if rule.id in report.decision_due else None}
                         for rule in report.decision],
            "decision_note": report.decision_choice,
            "next_step": report.next_step.name if report.next_step else None,
            "next_filing": [{"rule": rule.id, "citation": rule.citation, "text": rule.text} for rule in report.next_filing],
            "external_review": [{"rule": rule.id, "citation": rule.citation, "text": rule.text} for rule in report.process],
            "external_review_note": report.process_choice,
            "warnings": report.warnings,
        }, indent=2))
        return 0
    def explained(rule, lead: str = "") -> str:
        return f"{lead}{rule.said}\n    " + _("Rule: {citation}").format(citation=rule.citation) + f" [{rule.id}]"

    def noted(note: str) -> str:
        return "    " + _("Note: {note}").format(note=note)

    if report.step:
        print(_("Next step: {step}").format(step=_(report.step.name)))
    for item in report.filing:
        if item.due:
            left = item.days_left(report.today)
            print("  " + ngettext("File by {date} ({days} day left), counted from {start}.",
                                  "File by {date} ({days} days left), counted from {start}.", left).format(
                date=long_date(item.due), days=left, start=item.start_label) + "\n    " + explained(item.rule))
        else:
            print("  " + explained(item.rule))
        for note in item.notes:
            print(noted(note))
    for rule in report.decision:
        print("  " + explained(rule, _("Once filed: ") + deadlines.decided_by(report, rule)))
    for note in report.decision_choice:
        print(noted(note))
    if report.next_step:
        print(_("If the answer is no: {step}").format(step=_(report.next_step.name)))
        for rule in report.next_filing:
            print("    " + explained(rule))
    for rule in report.process:
        print(_("Which external review: ") + explained(rule))
    for note in report.process_choice:
        print(noted(note))
    for warning in report.warnings:
        print(_("Warning: {warning}").format(warning=warning))
    if args.ics:
        print(_("Wrote the deadlines as calendar events to {file}").format(file=args.ics))
    return 0


def cmd_next_steps(args: argparse.Namespace) -> int:
    from appeal.base.safe_write import write_bytes
    from appeal.cases import casefile
    from appeal.letters import kinds
    from appeal.letters.letter_plan import enclosures_for, suggested_enclosures_for
    from appeal.rules import next_steps

    case = casefile.load(args.case)
    kind = kinds.get(args.letter or case.letter_kind or kinds.default_name(case.denial is not None))
    found = next_steps.sections(case, enclosures_for(case, kind), suggested=suggested_enclosures_for(case, kind))
    if args.output:
        from appeal.base.language import translate as _

        write_bytes(Path(args.output), next_steps.as_docx(found, case), overwrite=args.force)
        print(_("Wrote the next steps to {file}").format(file=args.output))
    else:
        print(next_steps.as_text(found))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from appeal.base.language import translate as _
    from appeal.cases import casefile, checks, codes, voice
    from appeal.rules import evidence, readiness

    case = casefile.load(args.case)
    problems = codes.check(case)
    code_marks = {True: _("[CODE ERROR]"), False: _("[code]    ")}
    for problem in problems:
        print(f"{code_marks[problem.error]} {problem}")
    coded = {str(problem) for problem in problems}
    # the same warnings `draft` and the review screens give, so a case can be put right before any letter is drafted
    warnings = [warning for warning in checks.warnings(case) if warning not in coded] + voice.warnings(case)
    for warning in warnings:
        print(_("Warning: {warning}").format(warning=warning))
    if problems or warnings:
        print()
    results = readiness.check(case)
    if not results:
        print(_("No usual coverage criteria are known for this treatment and diagnosis."))
    marks = {"met": _("[met]    "), "not_met": _("[NOT MET]"), "unknown": _("[unknown]")}
    for result in results:
        print(f"{marks[result.status.value]} {result.criterion.said_title}\n          {result.detail}")
    chosen = evidence.select(case, evidence.load_library(args.evidence))
    if chosen:
        print("\n" + _("Evidence the letter will attach ({count}):").format(count=len(chosen)))
        for item in chosen:
            print(f"  [{item.number}] {item.snippet.id}: {item.why}")
    return 1 if any(problem.error for problem in problems) else 0
