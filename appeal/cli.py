"""The `appeal` command. Only argparse is imported at start-up, so `appeal --help` answers at once;
each command imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appeal import __version__

DESCRIPTION = """\
Draft health-insurance letters as editable Word documents: prior-authorization requests, appeals,
external-review requests, letters of medical necessity and more.

Start with:  appeal example --list
             appeal example ketamine-trd-erisa-appeal -o my-case.yaml
             appeal draft --case my-case.yaml
"""


def _print_report(path: Path, drafted) -> None:
    print(f"Wrote {drafted.kind.title.lower()} to {path}")
    if drafted.blanks:
        print(f"\n{len(drafted.blanks)} blank(s) to fill in before sending (they show as [ADD: ...] in the letter):")
        for label in drafted.blanks:
            print(f"  - {label}")
    for warning in drafted.warnings:
        print(f"\nWarning: {warning}")


def _interview(args: argparse.Namespace):
    """The questionnaire: a new case, a resumed draft, or the missing answers of a case file."""
    import questionary

    from appeal import questionnaire
    from appeal.errors import UserError

    if not sys.stdin.isatty():
        raise UserError(
            "appeal draft asks its questions in a terminal, and this is not one. Run it in a terminal, or give "
            "a case file: appeal draft --case FILE (see `appeal example --list`)."
        )
    if args.resume:
        return questionnaire.run(resume=Path(args.resume))
    unfinished = questionnaire.find_unfinished_drafts()
    if unfinished:
        choice = questionary.select(
            "You have an unfinished draft. Carry on with it?",
            choices=[questionary.Choice(_describe_draft(path), value=path) for path in unfinished[:5]]
            + [questionary.Choice("No, start a new letter", value="new")],
        ).ask()
        if choice is None:
            raise KeyboardInterrupt
        if choice != "new":
            return questionnaire.run(resume=choice)
    return questionnaire.run()


def _describe_draft(path: Path) -> str:
    """'Resume the appeal for Dana (saved Nov 27 at 10:47)': what a person recognizes, not a file name."""
    from datetime import datetime

    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        data = {}
    patient = data.get("patient") or {}
    who = " ".join(str(patient.get(key)) for key in ("first_name", "last_name") if patient.get(key)) or "no name yet"
    kind = data.get("letter_kind") or "letter"
    saved = datetime.fromtimestamp(path.stat().st_mtime)
    return f"Yes, resume the {kind} for {who} (saved {saved:%b} {saved.day} at {saved:%H:%M})"


def cmd_draft(args: argparse.Namespace) -> int:
    from appeal import casefile, draft

    if args.case:
        case_path = Path(args.case)
        case = casefile.load(case_path)
    else:
        case, case_path = _interview(args)
    kind = draft.choose_kind(case, args.letter)
    drafted = draft.draft(case, kind, evidence_dirs=args.evidence)
    if args.case and drafted.blanks and sys.stdin.isatty() and not args.strict:
        import questionary

        from appeal import questionnaire

        if questionary.confirm(
            f"The letter still has {len(drafted.blanks)} blank(s). Answer the missing questions now?", default=True
        ).ask():
            case, case_path = questionnaire.run(case_path=case_path)
            kind = draft.choose_kind(case, args.letter)
            drafted = draft.draft(case, kind, evidence_dirs=args.evidence)
    path = Path(args.output) if args.output else draft.default_name(case, kind)
    draft.write(drafted, path, strict=args.strict, force=args.force)
    _print_report(path, drafted)
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
    from appeal import casefile, evidence, readiness

    case = casefile.load(args.case)
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
    return 0


def cmd_letters(args: argparse.Namespace) -> int:
    from appeal import kinds

    every = kinds.all_kinds()
    width = max(len(name) for name in every)
    for name, kind in every.items():
        print(f"{name:<{width}}  {kind.summary}")
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
    draft.add_argument("--letter", metavar="KIND", help="the kind of letter (see `appeal letters`); default: the case's")
    draft.add_argument("-o", "--output", metavar="OUT.docx", help="where to write (default: patient-kind-date.docx)")
    draft.add_argument("--strict", action="store_true", help="refuse to write a letter that still has blanks")
    draft.add_argument("--force", action="store_true", help="replace the output file if it exists")
    draft.add_argument("--evidence", metavar="DIR", action="append", type=Path,
                       help="a folder of your own evidence snippets (repeatable; also $APPEAL_EVIDENCE_DIR)")
    draft.set_defaults(handler=cmd_draft)

    check = commands.add_parser("check", help="compare a case with the usual coverage criteria")
    check.add_argument("--case", metavar="FILE", required=True, help="the case file")
    check.add_argument("--evidence", metavar="DIR", action="append", type=Path, help="your own snippet folder")
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
        sub.add_argument("--evidence", metavar="DIR", action="append", type=Path, help="your own snippet folder")

    letters = commands.add_parser("letters", help="list the kinds of letter")
    letters.set_defaults(handler=cmd_letters)

    schema = commands.add_parser("schema", help="print the case file's JSON Schema")
    schema.set_defaults(handler=cmd_schema)

    example = commands.add_parser("example", help="list or write the bundled example cases")
    example.add_argument("name", nargs="?", help="the example to write")
    example.add_argument("--list", action="store_true", help="list the examples")
    example.add_argument("-o", "--output", metavar="FILE", help="write it here (default: print it)")
    example.add_argument("--force", action="store_true", help="replace the file if it exists")
    example.set_defaults(handler=cmd_example)
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
