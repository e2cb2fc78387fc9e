"""What the tool ships, shown or copied out: `appeal evidence list/show` (the evidence library), `appeal
letters` (the kinds of letter and where each template comes from), `appeal schema` (the case file's JSON
Schema) and `appeal example` (the bundled example cases). Only the standard library is imported at start-up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appeal.base.folders import add_folder_options
from appeal.base.language import translate as _


def add_evidence_parser(commands) -> argparse.ArgumentParser:
    """Add `evidence list` and `evidence show` to `appeal`'s subcommands."""
    evidence = commands.add_parser("evidence", help=_("list or show the evidence snippets"))
    evidence_commands = evidence.add_subparsers(dest="evidence_command", metavar="list|show", required=True)
    listing = evidence_commands.add_parser("list", help=_("list snippets, optionally filtered"))
    listing.add_argument("--condition", help=_("e.g. treatment_resistant_depression, suicidal_ideation, ptsd, crps"))
    listing.add_argument("--treatment", help=_("e.g. iv_ketamine, esketamine_nasal, im_ketamine"))
    listing.add_argument("--reason", help=_("a denial reason, e.g. experimental, off_label"))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(handler=cmd_evidence_list)
    show = evidence_commands.add_parser("show", help=_("show one snippet with its citation"))
    show.add_argument("id", metavar=_("id"))
    show.set_defaults(handler=cmd_evidence_show)
    for sub in (listing, show):
        add_folder_options(sub, templates=False)
    return evidence


def add_letters_parser(commands) -> argparse.ArgumentParser:
    """Add the `letters` command to `appeal`'s subcommands."""
    letters = commands.add_parser("letters", help=_("list the kinds of letter, and where each template comes from"))
    add_folder_options(letters, evidence=False)
    letters.set_defaults(handler=cmd_letters)
    return letters


def add_schema_parser(commands) -> argparse.ArgumentParser:
    """Add the `schema` command to `appeal`'s subcommands."""
    schema = commands.add_parser("schema", help=_("print the case file's JSON Schema"))
    schema.set_defaults(handler=cmd_schema)
    return schema


def add_example_parser(commands) -> argparse.ArgumentParser:
    """Add the `example` command to `appeal`'s subcommands."""
    example = commands.add_parser("example", help=_("list or write the bundled example cases"))
    example.add_argument("name", nargs="?", metavar=_("name"), help=_("the example to write"))
    example.add_argument("--list", action="store_true", help=_("list the examples"))
    example.add_argument("-o", "--output", metavar=_("FILE"), help=_("write it here (default: print it)"))
    example.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
    example.set_defaults(handler=cmd_example)
    return example


def cmd_evidence_list(args: argparse.Namespace) -> int:
    import json

    from appeal.rules import evidence

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

    from appeal.base.errors import UserError
    from appeal.rules import evidence

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


def cmd_letters(args: argparse.Namespace) -> int:
    from appeal.letters import kinds

    every = kinds.all_kinds(tuple(args.templates or ()))
    width = max(len(name) for name in every)
    for name, kind in every.items():
        print(f"{name:<{width}}  {kind.summary}")
        if kind.source != "built-in":
            print(f"{'':<{width}}  from {kind.source}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from appeal.cases.case import Case

    print(json.dumps(Case.model_json_schema(), indent=2))
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    from appeal.base.safe_write import write_text
    from appeal.cases import examples

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
