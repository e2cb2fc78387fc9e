"""`appeal templates new / vars / check`: make, list the variables of, and check letter templates;
appeal/letters/template_tools.py does the work. Only the standard library is imported at start-up."""

from __future__ import annotations

import argparse
from pathlib import Path

from appeal.base.language import translate as _


def add_templates_parser(commands) -> argparse.ArgumentParser:
    """Add `templates new`, `templates vars` and `templates check` to `appeal`'s subcommands."""
    templates = commands.add_parser("templates", help=_("make, list the variables of, and check letter templates"))
    template_commands = templates.add_subparsers(dest="templates_command", metavar="new|vars|check", required=True)
    new = template_commands.add_parser("new", help=_("copy a built-in template into your own folder to edit"))
    new.add_argument("name", metavar=_("name"),
                     help=_("the new template's name (a new kind, or a built-in kind's name to replace it)"))
    new.add_argument("--from", dest="source", metavar=_("KIND"), help=_("the template to copy (default: appeal)"))
    new.set_defaults(handler=cmd_templates_new)
    variables = template_commands.add_parser("vars", help=_("every variable a template may use"))
    variables.add_argument("kind", nargs="?", metavar=_("kind"), help=_("mark the variables this kind's template uses"))
    variables.add_argument("--format", choices=("text", "docx"), default="text",
                           help=_("print text, or write a Word document"))
    variables.add_argument("-o", "--output", metavar=_("FILE"), help=_("where to write the Word document"))
    variables.add_argument("--force", action="store_true", help=_("replace the output file if it exists"))
    variables.set_defaults(handler=cmd_templates_vars)
    checking = template_commands.add_parser("check", help=_("check a template and render it with every example"))
    checking.add_argument("file", metavar=_("file"), help=_("the .docx template"))
    checking.set_defaults(handler=cmd_templates_check)
    return templates


def cmd_templates_new(args: argparse.Namespace) -> int:
    from appeal.letters import kinds, template_tools

    source = args.source or kinds.DEFAULT_FOR_DENIAL
    path = template_tools.new(args.name, source)
    print(f"Copied the {source} template to {path}")
    print(f"Its description (title, summary, who sends it, what it asks for and encloses) is in "
          f"{path.with_suffix('.yaml')}.")
    print(f"Edit it in Word or LibreOffice, then run: appeal templates check {path}")
    return 0


def cmd_templates_vars(args: argparse.Namespace) -> int:
    from appeal.base.safe_write import write_bytes
    from appeal.letters import kinds, template_tools

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
    from appeal.letters import template_tools

    path = Path(args.file)
    problems = template_tools.check(path)
    if not problems:
        print(f"{path}: no problems found; it rendered with every bundled example that applies.")
        return 0
    print(f"{path}: {len(problems)} problem(s):")
    for problem in problems:
        print(f"  - {problem}")
    return 1
