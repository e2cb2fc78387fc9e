"""`appeal web`: the questions as a web page on this computer only; appeal/web/app.py serves it. Only the standard
library is imported at start-up (Starlette and uvicorn load when the command runs)."""

from __future__ import annotations

import argparse

from appeal.base.language import translate as _


def add_web_parser(commands) -> argparse.ArgumentParser:
    """Add the `web` command to `appeal`'s subcommands."""
    web = commands.add_parser("web", help=_("the questions as a web page on this computer only (opens the browser)"))
    web.add_argument("--port", type=int, metavar=_("N"), help=_("the port to serve on (default: a free one)"))
    web.add_argument("--no-browser", dest="browser", action="store_false", help=_("print the address, do not open it"))
    web.set_defaults(handler=cmd_web)
    return web


def cmd_web(args: argparse.Namespace) -> int:
    from appeal.web import app as web

    if args.port is not None and not 0 <= args.port <= 65535:
        from appeal.base.errors import UserError

        raise UserError(f"--port {args.port}: a port is a number from 1 to 65535.")
    return web.command(args.port, args.browser)

