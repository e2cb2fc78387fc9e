"""`appeal import`: a case started from the denial notice (PDF, photo or text); appeal/terminal/notice_confirm.py does
the work. Only the standard library is imported at start-up."""

from __future__ import annotations

import argparse
from pathlib import Path

from appeal.base.language import translate as _


def add_import_parser(commands) -> argparse.ArgumentParser:
    """Add the `import` command to `appeal`'s subcommands."""
    importing = commands.add_parser("import", help=_("start a case from the denial notice (PDF, photo or text)"))
    importing.add_argument("notice", metavar=_("NOTICE"),
                           help=_("the notice: a PDF, a scan or photo (JPG/PNG), text, or - for pasted text"))
    importing.add_argument("-o", "--output", metavar=_("CASE.yaml"), required=True, help=_("the case file to write"))
    importing.add_argument("--yes", action="store_true", help=_("accept what was found without asking (for scripts)"))
    importing.add_argument("--force", action="store_true", help=_("replace the case file if it exists"))
    importing.add_argument("--as-denial", action="store_true",
                           help=_("read the notice as a denial even when its words say it is not one (an approval, "
                                  "a paid EOB, a request for records): only if part of it was denied"))
    importing.set_defaults(handler=cmd_import)
    return importing


def cmd_import(args: argparse.Namespace) -> int:
    from appeal.terminal import notice_confirm

    notice_confirm.command(args.notice, Path(args.output), yes=args.yes, force=args.force, as_denial=args.as_denial)
    return 0
