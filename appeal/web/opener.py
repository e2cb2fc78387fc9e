"""Opening the browser on `appeal web` without its start link on a command line.

Why: an address handed to the browser is on its command line (and on xdg-open's), which every user of the computer
can read with `ps` while it runs, and some desktops fetch it before the browser does. So the browser is given a
page on disk instead: a file readable by this user only, in a private temporary folder, that sends the browser on
to the start link (Jupyter's "redirect file" works the same way). The file goes at the first visit to the start
link, or when `appeal web` stops, whichever is first. The link itself works once (appeal.web.pages.start), so
one left in the browser's history opens nothing.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
from pathlib import Path

from appeal.base.safe_write import write_text


def redirect_page(url: str) -> Path:
    """An owner-only page in a private (0700) temporary folder that takes the browser to `url` at once."""
    folder = Path(tempfile.mkdtemp(prefix="appeal-web-open-"))
    address = html.escape(url, quote=True)
    page = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="refresh" content="0; url={address}">\n<title>Opening appeal</title></head>\n'
            f'<body><p>Opening appeal... If nothing happens, <a href="{address}">open appeal</a>.</p></body></html>\n')
    return write_text(folder / "open-appeal.html", page, overwrite=False)


def open_browser(url: str) -> Path:
    """Open the browser on `url` through a redirect page; returns the page, for `remove`. The browser is started
    from a thread of its own: some browser commands wait until the browser closes, and the server must answer it."""
    import webbrowser

    page = redirect_page(url)
    threading.Thread(target=webbrowser.open, args=(page.as_uri(),), daemon=True).start()
    return page


def remove(page: Path | None) -> None:
    """The redirect page and its folder, if still there."""
    if page is not None:
        shutil.rmtree(page.parent, ignore_errors=True)
