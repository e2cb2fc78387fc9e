"""The letter's .docx turned into a PDF by LibreOffice, run headless: the one converter that reads Word files
faithfully on every platform without Word itself.

Each run gets a LibreOffice profile of its own in a private temporary folder, so it never touches (nor waits
for) the user's open LibreOffice and several conversions can run at once. A conversion that hangs is stopped
after `timeout` seconds, with every process it started. The result is checked: a PDF that pypdf reads, with at
least one page. Nothing is left behind: not the profile, and not the pipes LibreOffice leaves in /tmp when it
ends (`remove_left_pipes`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from appeal.base.errors import UserError
from appeal.base.language import N_, translate as _

TIMEOUT_SECONDS = 120
INSTALL_HINT = N_(
    "Install it, then run this again:\n"
    "  Debian/Ubuntu:  sudo apt-get install libreoffice-writer\n"
    "  Fedora:         sudo dnf install libreoffice-writer\n"
    "  macOS:          brew install --cask libreoffice\n"
    "  Windows:        https://www.libreoffice.org/download/\n"
    "Or open the letter in Word, save it as PDF yourself, and send that with your attachments."
)
_ELSEWHERE = ("/Applications/LibreOffice.app/Contents/MacOS/soffice",
              r"C:\Program Files\LibreOffice\program\soffice.exe")


PIPE_FOLDERS = ("/tmp", "/var/tmp")  # where LibreOffice makes its pipes, whatever TMPDIR says


def remove_left_pipes(since: float) -> None:
    """LibreOffice leaves its pipes in /tmp when it ends (OSL_PIPE_<uid>_SingleOfficeIPC_<a hash of the profile>, and
    a kept one's named pipe), and every conversion's new profile makes a new one: a clinic's runs left them by the
    thousand. Those made since `since` (time.time()) that nothing listens on any more are removed; one that
    answers belongs to a LibreOffice still running (another run's, the person's own) and is left alone."""
    prefix = f"OSL_PIPE_{os.getuid()}_" if hasattr(os, "getuid") else None
    for folder in PIPE_FOLDERS if prefix else ():
        try:
            names = [name for name in os.listdir(folder) if name.startswith(prefix)]
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                found = os.lstat(path)
                if not stat.S_ISSOCK(found.st_mode) or found.st_mtime < since - 1:
                    continue
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.settimeout(2)
                    probe.connect(path)
            except ConnectionRefusedError:  # nothing listens: left behind
                try:
                    os.unlink(path)
                except OSError:
                    pass
            except OSError:
                continue


def find_soffice() -> str:
    """The LibreOffice program, or a message saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for candidate in _ELSEWHERE:
        if os.path.isfile(candidate):
            return candidate
    raise UserError(_("LibreOffice is needed to turn the letter into a PDF, and it was not found.") + "\n"
                    + _(INSTALL_HINT))


def docx_to_pdf(content: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """One .docx (bytes) in, its PDF (bytes) out."""
    return docx_to_pdfs([content], timeout=timeout)[0]


def docx_to_pdfs(contents: list[bytes], *, timeout: float = TIMEOUT_SECONDS) -> list[bytes]:
    """Several .docx files converted in one LibreOffice start (it takes about a second to start)."""
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="appeal-pdf-") as folder:  # mode 0700: the letter stays private
        work = Path(folder)
        sources = []
        for number, content in enumerate(contents, 1):
            source = work / f"letter-{number}.docx"
            source.write_bytes(content)
            sources.append(source)
        out = work / "out"
        command = [
            soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
            "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "pdf:writer_pdf_Export",
            "--outdir", str(out), *map(str, sources),
        ]
        _run(command, timeout, work)
        return [checked(_written((out / source.name).with_suffix(".pdf"))) for source in sources]


def _run(command: list[str], timeout: float, cwd: Path) -> None:
    started = time.time()
    try:
        _run_once(command, timeout, cwd)
    finally:
        remove_left_pipes(started)


def _run_once(command: list[str], timeout: float, cwd: Path) -> None:
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so a hung conversion is stopped whole
            env={**os.environ, "HOME": str(cwd)},
        )
    except OSError as error:
        raise UserError(_("LibreOffice ({program}) could not be started: {error}.").format(
            program=command[0], error=error.strerror or error) + "\n" + _(INSTALL_HINT)) from None
    try:
        _output, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise UserError(_(
            "LibreOffice did not finish turning the letter into a PDF within {seconds:g} seconds, so it was stopped. "
            "Try again; if it keeps happening, open the letter in LibreOffice or Word and save it as PDF."
        ).format(seconds=timeout)) from None
    if process.returncode != 0:
        detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [_("no message")]
        raise UserError(_("LibreOffice could not turn the letter into a PDF (exit status {status}: {detail}).").format(
            status=process.returncode, detail=detail[0]))


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    process.communicate()


def _written(path: Path) -> bytes:
    if not path.is_file() or path.stat().st_size == 0:
        raise UserError(_("LibreOffice finished but wrote no PDF. Open the letter in LibreOffice or Word to check it "
                          "opens, then try again."))
    return path.read_bytes()


def checked(data: bytes) -> bytes:
    """The converted file, if it is a PDF with pages (from the one-shot run or the kept server); else a message."""
    from pypdf import PdfReader

    try:
        import io

        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # pypdf raises several kinds for a damaged file; all mean the same here
        pages = 0
    if not data.startswith(b"%PDF") or pages == 0:
        raise UserError(_("LibreOffice wrote a PDF that cannot be read. Open the letter in LibreOffice or Word to "
                          "check it opens, then try again."))
    return data
