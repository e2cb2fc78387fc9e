"""`appeal web`: the questions as a web page on this computer only; appeal/web/app.py serves it. Only the standard
library is imported at start-up (Starlette and uvicorn load when the command runs)."""

from __future__ import annotations

import argparse
import sys


def add_web_parser(commands) -> argparse.ArgumentParser:
    """Add the `web` command to `appeal`'s subcommands."""
    web = commands.add_parser("web", help="the questions as a web page on this computer only (opens the browser)")
    web.add_argument("--port", type=int, metavar="N", help="the port to serve on (default: a free one)")
    web.add_argument("--no-browser", dest="browser", action="store_false", help="print the address, do not open it")
    web.set_defaults(handler=cmd_web)
    return web


def cmd_web(args: argparse.Namespace) -> int:
    from appeal.web import app as web

    if args.port is not None and not 0 <= args.port <= 65535:
        from appeal.base.errors import UserError

        raise UserError(f"--port {args.port}: a port is a number from 1 to 65535.")
    _english_pages()
    return web.command(args.port, args.browser)


def _english_pages() -> None:
    """The browser's pages are not translated yet, so they are all English: a Spanish question inside an English page
    would be harder to follow than either. The person who asked for Spanish is told where it is."""
    from appeal.base import language
    from appeal.base.language import translate as _

    if language.current() != language.ENGLISH:
        print(_("appeal web: the browser pages are in English for now; `appeal draft` asks the questions in your "
                "language."), file=sys.stderr)
        language.choose(language.ENGLISH)
