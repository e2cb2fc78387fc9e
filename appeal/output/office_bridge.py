"""The program that keeps one LibreOffice running and converts .docx to PDF in it, for appeal/output/office_server.py.

It runs under a Python that has LibreOffice's `uno` module (Debian's system python3 with python3-uno, or the
Python that LibreOffice ships on macOS and Windows), not under appeal's own: so it imports nothing but the
standard library and `uno`, and appeal's environment needs neither.

Why its own program and not unoserver: unoserver's start waits a fixed 7 seconds, and it listens on a TCP port
that any user of the computer can reach, taking file paths to read and write as the person running it. This one
is reached through a Unix socket in a folder only its owner can open, takes the document's bytes and gives the
PDF's bytes back, and says "ready" on its standard output as soon as LibreOffice answers. LibreOffice listens on
a named pipe, not a port: UNO over a port would let anyone on the machine run LibreOffice's macros as us.

While it runs: a LibreOffice that dies is started again at once (a conversion it was doing is done again in the
new one); it stops with LibreOffice when its standard input closes (the program that started it has ended, however
it ended) or on SIGTERM, SIGINT or SIGHUP.

    python3 office_bridge.py --soffice PATH --folder DIR
    (DIR: a private folder; LibreOffice's profile goes in DIR/profile, the socket is DIR/bridge.sock)
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socketserver
import subprocess
import sys
import threading
import time
import xmlrpc.client
import xmlrpc.server
from pathlib import Path

NO_UNO = 3  # exit status: this Python has no `uno` module
NO_OFFICE = 4  # exit status: LibreOffice did not start or did not answer
SOCKET_NAME = "bridge.sock"
START_SECONDS = 90  # LibreOffice's first start with a new profile takes a few seconds; far more on a busy machine
RESTARTS = 5  # LibreOffice dying more often than this in one run is not a fluke: stop and let appeal say so


class Office:
    """One LibreOffice process and the UNO connection to it, started again when it has died."""

    def __init__(self, soffice: str, folder: Path):
        import uno

        self.uno = uno
        self.soffice = soffice
        self.folder = folder
        self.pipe = f"appeal-{os.getpid()}-{secrets.token_hex(6)}"
        self.process: subprocess.Popen | None = None
        self.desktop = None
        self.lock = threading.RLock()
        self.stopping = False
        self.starts = 0
        self.count = 0

    def start(self) -> None:
        """Start LibreOffice on its private profile and pipe, and wait until it answers."""
        self.starts += 1
        if self.starts > RESTARTS + 1:
            raise RuntimeError("LibreOffice kept stopping")
        self.process = subprocess.Popen(
            [self.soffice, f"-env:UserInstallation={(self.folder / 'profile').as_uri()}", "--headless", "--invisible",
             "--nocrashreport", "--nodefault", "--nologo", "--nofirststartwizard", "--norestore", "--nolockcheck",
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder,
            env={**os.environ, "HOME": str(self.folder)},
            process_group=0,  # its own group: its launcher (oosplash) and soffice.bin are stopped together
        )
        print(f"office {self.process.pid}", flush=True)  # the group appeal stops too, should we be killed first
        from com.sun.star.connection import NoConnectException

        local = self.uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.05)  # LibreOffice opens its pipe when ready; nothing tells us sooner
        self.desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        threading.Thread(target=self.watch, args=(self.process,), daemon=True).start()

    def watch(self, process: subprocess.Popen) -> None:
        """Start LibreOffice again as soon as it dies, so the next letter does not wait for it."""
        process.wait()
        with self.lock:
            if self.stopping or process is not self.process:
                return
            self.desktop = None
            try:
                self.start()
            except RuntimeError:
                pass  # the next conversion tries once more, and reports it

    def convert(self, docx: bytes) -> bytes:
        """One .docx in, its PDF out; done again in a new LibreOffice when this one dies on it."""
        with self.lock:
            for attempt in range(2):
                if self.desktop is None or self.process is None or self.process.poll() is not None:
                    self.kill()
                    self.start()
                try:
                    return self.convert_once(docx)
                except Exception:
                    if attempt or (self.process is not None and self.process.poll() is None and self.alive()):
                        raise  # LibreOffice is well: the document itself could not be converted
                    self.desktop = None
            raise AssertionError("unreachable")

    def alive(self) -> bool:
        try:
            self.desktop.getComponents()
            return True
        except Exception:  # a dead bridge raises DisposedException or RuntimeException
            return False

    def convert_once(self, docx: bytes) -> bytes:
        from com.sun.star.beans import PropertyValue

        self.count += 1
        source = self.folder / f"letter-{self.count}.docx"
        target = source.with_suffix(".pdf")
        source.write_bytes(docx)
        document = None
        try:
            document = self.desktop.loadComponentFromURL(
                source.as_uri(), "_blank", 0,
                (PropertyValue(Name="Hidden", Value=True), PropertyValue(Name="ReadOnly", Value=True)))
            if document is None:
                raise ValueError("LibreOffice could not open the letter")
            document.storeToURL(target.as_uri(), (PropertyValue(Name="FilterName", Value="writer_pdf_Export"),))
            return target.read_bytes()
        finally:
            if document is not None:
                try:
                    document.close(True)
                except Exception:  # closing a document of a LibreOffice that has just died
                    pass
            for path in (source, target):
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass

    def kill(self) -> None:
        """LibreOffice stopped, with every process it started (its group), and its named pipe removed."""
        process, self.process, self.desktop = self.process, None, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:  # already gone
            pass
        process.wait()
        for folder in {"/tmp", os.environ.get("TMPDIR", "/tmp")}:  # where LibreOffice makes its named pipe
            try:
                os.unlink(os.path.join(folder, f"OSL_PIPE_{os.getuid()}_{self.pipe}"))
            except OSError:
                pass

    def stop(self) -> None:
        """Without the lock: a conversion that hangs must not keep LibreOffice running."""
        self.stopping = True
        self.kill()


class Handler(xmlrpc.server.SimpleXMLRPCRequestHandler):
    disable_nagle_algorithm = False  # a TCP option; this is a Unix socket
    def address_string(self) -> str:
        return "local"  # a Unix socket's peer has no address

    def log_message(self, *args) -> None:  # nothing about the letters is logged
        pass


class Server(socketserver.UnixStreamServer, xmlrpc.server.SimpleXMLRPCDispatcher):
    """XML-RPC over a Unix socket: one request at a time, as one LibreOffice converts one document at a time."""

    logRequests = False  # nothing about the letters is logged

    def __init__(self, path: str):
        xmlrpc.server.SimpleXMLRPCDispatcher.__init__(self, allow_none=False, encoding=None)
        socketserver.UnixStreamServer.__init__(self, path, Handler)

    def handle_error(self, request, client_address) -> None:
        print(f"error {sys.exc_info()[0].__name__}", file=sys.stderr, flush=True)  # its type only, never the letter


def serve(office: Office, folder: Path) -> None:
    socket_path = folder / SOCKET_NAME
    building = folder / f".{SOCKET_NAME}.{os.getpid()}"
    for path in (socket_path, building):
        try:
            path.unlink()
        except FileNotFoundError:
            pass
    server = Server(str(building))
    os.chmod(building, 0o600)
    server.register_function(lambda data: xmlrpc.client.Binary(office.convert(data.data)), "convert")
    server.register_function(lambda: "ok", "ping")
    os.replace(building, socket_path)  # the socket appears, whole, only once LibreOffice answers
    print("ready", flush=True)
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--folder", required=True, type=Path)
    args = parser.parse_args()
    try:
        office = Office(args.soffice, args.folder)
    except ImportError:
        print("no-uno", flush=True)
        return NO_UNO

    def end(*_) -> None:
        office.stop()
        os._exit(0)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, end)

    def orphaned() -> None:  # the program that started us has ended (its end of our stdin is closed)
        sys.stdin.buffer.read()
        end()

    threading.Thread(target=orphaned, daemon=True).start()
    try:
        office.start()
    except RuntimeError as error:
        print(f"no-office {error}", flush=True)
        office.stop()
        return NO_OFFICE
    serve(office, args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
