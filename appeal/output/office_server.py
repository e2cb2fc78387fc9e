"""One LibreOffice kept running for many conversions: a batch of packets, a browser session, the questionnaire's
packet step. Starting LibreOffice takes 2-4 seconds and about 200 MB; converting a letter in one already running
takes a fraction of a second.

`kept_running()` makes a server for the length of a command: nothing starts until the first letter is converted
(or `start_soon()` says one will be), and it is stopped when the command ends, by Ctrl-C, SIGTERM or SIGHUP too.
The server is appeal/output/office_bridge.py run under a Python that has LibreOffice's `uno` module (the
system's python3 with python3-uno on Debian and Ubuntu, the one LibreOffice ships on macOS and Windows); this
process talks to it with the standard library's XML-RPC client over a Unix socket in a private (0700) folder that
also holds LibreOffice's own profile, so two runs never share one, and nothing else on the computer can reach it.
When LibreOffice dies the bridge starts it again; when the bridge itself dies, the next conversion starts a new
one. Where there is no such Python (or no Unix sockets), each letter is converted by a LibreOffice of its own, as
`docx_to_pdf` does without a server (appeal/output/pdf_convert.py), and the person is told once how to make it faster.

Only the process that started the server converts through it: `appeal batch` hands its workers' drafted letters
to it from its main process (appeal/commands/batch.py), so a server killed mid-run is started again by its owner.
"""

from __future__ import annotations

import atexit
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from appeal.base.errors import UserError
from appeal.base.language import N_, translate as _
from appeal.output import pdf_convert

BRIDGE = Path(__file__).with_name("office_bridge.py")
SOCKET_NAME = "bridge.sock"  # as office_bridge.SOCKET_NAME (that module is not imported: it needs `uno`)
SOCKET_PATH_MOST = 100  # a Unix socket's path must be shorter than 108 bytes (104 on macOS)
NO_UNO_HINT = N_(
    "Note: each PDF starts LibreOffice on its own, which takes a few seconds a letter. To keep one running for all of "
    "them, install LibreOffice's Python bridge:\n"
    "  Debian/Ubuntu:  sudo apt-get install python3-uno\n"
    "  Fedora:         sudo dnf install libreoffice-pyuno\n"
    "(macOS and Windows: LibreOffice brings its own; or set APPEAL_UNO_PYTHON to a Python that can import uno.)"
)
_LIBREOFFICE_PYTHONS = ("/Applications/LibreOffice.app/Contents/Resources/python",
                        r"C:\Program Files\LibreOffice\program\python.exe")


class Unavailable(Exception):
    """No server to convert through (it could not start, or has gone): convert the letter on its own instead."""


STOPPED = N_("The run was stopped before this letter was turned into a PDF.")


def ended(address: str | None) -> bool:
    """Whether the run whose server is at `address` has ended: its owner removes the private folder when it does
    (a batch worker asks before drafting a case of a run the person stopped)."""
    return bool(address) and not Path(address).parent.is_dir()


class Stopped(UserError):
    """The server was stopped (Ctrl-C, or the run ended): a letter still waiting is not converted at all, neither
    through it nor by a LibreOffice of its own, which would only delay the end of a run the person stopped."""


class TimedOut(UserError):
    """The server took longer than the timeout: it is stopped whole, and the next letter gets a new one."""


def uno_pythons() -> list[str]:
    """The Pythons that may have LibreOffice's `uno` module, the likeliest first."""
    named = os.environ.get("APPEAL_UNO_PYTHON")
    if named:
        return [named]
    found = [path for path in (*_LIBREOFFICE_PYTHONS, "/usr/bin/python3", "/usr/local/bin/python3")
             if os.path.isfile(path)]
    on_path = shutil.which("python3")
    return list(dict.fromkeys(found + ([on_path] if on_path else [])))


def private_folder() -> Path | None:
    """A new folder only we can open (0700), for LibreOffice's profile and the socket, in the temporary folder (or
    the session's runtime folder, or /tmp, when the temporary folder's path is too long for a socket's)."""
    for base in (tempfile.gettempdir(), os.environ.get("XDG_RUNTIME_DIR"), "/tmp"):
        if base and os.path.isdir(base) and len(os.fsencode(base)) + 40 <= SOCKET_PATH_MOST:
            return Path(tempfile.mkdtemp(prefix="appeal-office-", dir=base))  # 0700: the letters stay private
    return None


class _Connection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class _Transport(xmlrpc.client.Transport):
    def __init__(self, path: str, timeout: float):
        super().__init__()
        self.path, self.timeout = path, timeout

    def make_connection(self, host):
        return _Connection(self.path, self.timeout)


# The ways a call fails when the server is not there or went away while it worked.
_GONE = (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError)


class Server:
    """The server this process owns: started on first need, started again when it dies, stopped at the end."""

    def __init__(self, announce=None):
        self.folder_path: Path | None = None
        self.process: subprocess.Popen | None = None
        self.offices: set[int] = set()  # LibreOffice's process groups, reported by the bridge
        self.ready = threading.Event()
        self.lock = threading.RLock()
        self.failed: str | None = None  # why there is no server: each letter is then converted on its own
        self.stopping = False
        self.starts = 0
        self.announce = announce or (lambda text: print(text, file=sys.stderr, flush=True))
        self.address = ""  # the socket, in the private folder, once there is one
        self.started: float | None = None  # time.time() at the first start: the pipes LibreOffice leaves are newer

    @property
    def folder(self) -> Path:
        return self.folder_path or Path(tempfile.gettempdir())

    def start_soon(self) -> None:
        """Start the server now, without waiting for it: a letter will be converted shortly."""
        with self.lock:
            if self.process is None and self.failed is None and not self.stopping:
                self._launch()

    def _launch(self) -> None:
        soffice = pdf_convert.find_soffice()
        if os.name != "posix":  # process groups and Unix sockets as used here: Linux and macOS
            self._fail(N_("kept running on Linux and macOS only"), quiet=True)
            return
        if self.started is None:
            self.started = time.time()
        if self.folder_path is None:
            self.folder_path = private_folder()
            if self.folder_path is None:
                self._fail(N_("every temporary folder's path is too long for a socket"))
                return
            self.address = str(self.folder_path / SOCKET_NAME)
        if not self.starts:
            atexit.register(self.stop)  # however the program ends, short of being killed
        self.starts += 1
        self.ready.clear()
        pythons = uno_pythons()
        self._try(pythons, soffice)

    def _try(self, pythons: list[str], soffice: str) -> None:
        if not pythons:
            self._fail(N_("no Python with LibreOffice's uno module was found"), hint=True)
            return
        try:
            process = subprocess.Popen(
                [pythons[0], str(BRIDGE), "--soffice", soffice, "--folder", str(self.folder_path)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal reaches us, and we stop it: never half of it
                close_fds=True,
            )
        except OSError:
            self._try(pythons[1:], soffice)
            return
        self.process = process
        threading.Thread(target=self._listen, args=(process, pythons, soffice), daemon=True).start()

    def _listen(self, process: subprocess.Popen, pythons: list[str], soffice: str) -> None:
        """Read what the bridge says: LibreOffice's process group, 'ready', or why it could not start."""
        said = ""
        for raw in process.stdout:
            said = raw.decode("utf-8", "replace").strip()
            if said.startswith("office "):
                self.offices.add(int(said.split()[1]))
            elif said == "ready":
                self.ready.set()
        process.wait()
        with self.lock:
            if process is not self.process or self.stopping:
                return
            self.process = None
            self._stop_groups(process)
            if said == "no-uno":
                self._try(pythons[1:], soffice)
            elif not self.ready.is_set():
                self._fail(N_("LibreOffice did not start"))
            elif self.starts <= 3:  # it died while serving: start it again at once, for the letters to come
                try:
                    os.unlink(self.address)
                except FileNotFoundError:
                    pass
                self._launch()
            else:
                self._fail(N_("it stopped again and again"))

    def _fail(self, reason: str, hint: bool = False, quiet: bool = False) -> None:
        self.failed = reason
        self.ready.set()
        if not quiet:
            self.announce(_(NO_UNO_HINT) if hint else _(
                "Note: LibreOffice could not be kept running ({reason}); each PDF starts LibreOffice on its own, which "
                "is slower.").format(reason=_(reason)))

    def convert(self, docx: bytes, timeout: float = pdf_convert.TIMEOUT_SECONDS) -> bytes:
        """The letter's PDF from the kept LibreOffice, started now if it is not running."""
        for attempt in range(2):
            with self.lock:
                if self.stopping:
                    raise Stopped(_(STOPPED))
                if self.failed is not None:
                    raise Unavailable(self.failed)
                if self.process is None:
                    self._launch()
            if not self.ready.wait(timeout) or self.failed is not None:
                raise Unavailable(self.failed or "the server did not answer in time")
            try:
                return self.call(docx, timeout)
            except TimedOut:
                self.restart()
                raise
            except _GONE:
                if self.stopping:
                    raise Stopped(_(STOPPED)) from None
                if attempt:
                    raise Unavailable("the server went away") from None
                self.restart()
        raise AssertionError("unreachable")

    def call(self, docx: bytes, timeout: float) -> bytes:
        proxy = xmlrpc.client.ServerProxy("http://localhost/", transport=_Transport(self.address, timeout))
        try:
            data = proxy.convert(xmlrpc.client.Binary(docx)).data
        except xmlrpc.client.Fault:
            raise UserError(_("LibreOffice could not turn the letter into a PDF. Open the letter in LibreOffice or "
                              "Word to check it opens, then try again.")) from None
        except socket.timeout:
            raise TimedOut(_("LibreOffice did not finish turning the letter into a PDF within {seconds:g} seconds. "
                             "Try again; if it keeps happening, open the letter in LibreOffice or Word and save it as "
                             "PDF.").format(seconds=timeout)) from None
        return pdf_convert.checked(data)


    def restart(self) -> None:
        with self.lock:
            process, self.process = self.process, None
            self.ready.clear()
            if process is not None:
                self._stop_process(process)
            self._unlink_socket()  # the next bridge makes its own: a client must not find this one

    def _unlink_socket(self) -> None:
        if self.address:
            try:
                os.unlink(self.address)
            except OSError:
                pass

    def stop(self) -> None:
        """The server and its LibreOffice stopped (their process groups killed) and the private folder removed."""
        atexit.unregister(self.stop)
        with self.lock:
            self.stopping = True
            process, self.process = self.process, None
        self._unlink_socket()  # first: a worker whose letter fails now waits for the folder to go, then stops
        if process is not None:
            self._stop_process(process)
        if self.folder_path is not None:
            shutil.rmtree(self.folder_path, ignore_errors=True)
        if self.started is not None:
            pdf_convert.remove_left_pipes(self.started)  # the named pipe of a LibreOffice killed here, and its own

    def _stop_process(self, process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        self._stop_groups(process)
        process.wait()
        if process.stdout:
            process.stdout.close()
        if process.stdin:
            process.stdin.close()

    def _stop_groups(self, process: subprocess.Popen) -> None:
        for group in list(self.offices):
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
            self.offices.discard(group)


# --------------------------------------------------------------------------------------------------------------
# The server of this process, if any


_current: Server | None = None


@contextmanager
def kept_running(announce=None) -> Iterator[Server]:
    """A server for the length of the `with`: started on first need, stopped at its end, at exit, on a signal."""
    global _current
    server = Server(announce)
    before, _current = _current, server
    restore = _stop_on_signals()
    try:
        yield server
    finally:
        server.stop()
        restore()
        _current = before


def _stop_on_signals():
    """SIGTERM and SIGHUP end the command the way Ctrl-C does (the `with` above stops the server); a handler
    someone else installed (uvicorn's) is left alone: it ends the command, and the `with` stops the server."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    replaced = {}

    def end(signum, frame):
        raise SystemExit(128 + signum)

    for signum in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            replaced[signum] = signal.signal(signum, end)

    def restore() -> None:
        for signum, handler in replaced.items():
            signal.signal(signum, handler)

    return restore


def start_soon() -> None:
    """This process's server (if it has one) is started now, without waiting: a letter will be converted soon."""
    if _current is not None:
        _current.start_soon()


def docx_to_pdf(docx: bytes, server: Server | None = None) -> bytes:
    """One .docx in, its PDF out: through `server` (the browser session's) or this process's server when there is
    one, else in a LibreOffice of its own (a single `appeal packet`, or when no server could be kept)."""
    server = server or _current
    if server is not None:
        try:
            return server.convert(docx)
        except Unavailable:
            pass  # said once, by the server; the letter is converted on its own below
    return pdf_convert.docx_to_pdf(docx)
