"""The peak memory of `appeal web` while a big file is posted to it: run `python tests/upload_benchmark.py [MB]`
(not a pytest test; default 600 MB).

It starts `appeal web --no-browser` as a child process with an empty HOME, signs in with the printed address,
posts one file of that size to /packet as a browser does (multipart, with a Content-Length) and, once more,
without a length (chunked), then stops the server with Ctrl-C (SIGINT) and reads the child's peak resident memory
(ru_maxrss, from os.wait4) and its idle peak from a server that received nothing. It prints both, the reply to
each post, and how many bytes the server had read when it answered. The file is generated as it is sent (zeros), so
the sending side stays small.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

CHUNK = 1024 * 1024
BOUNDARY = "appeal-benchmark-boundary"


def start(home: Path) -> tuple[subprocess.Popen, int, str]:
    environment = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    child = subprocess.Popen([sys.executable, "-m", "appeal", "web", "--no-browser"], stdout=subprocess.PIPE,
                             text=True, env=environment, cwd=home)
    url = child.stdout.readline().strip()
    port, token = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/start\?token=(\S+)", url).groups()
    return child, int(port), token


def request(port: int, method: str, path: str, cookie: str = "", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", "Cookie": cookie,
                                                          "Origin": f"http://127.0.0.1:{port}", **(headers or {})},
                       encode_chunked=bool(headers and headers.get("Transfer-Encoding") == "chunked"))
    response = connection.getresponse()
    reply = response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    connection.close()
    return reply


def body(csrf: str, size: int, sent: list[int]):
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="send"\r\n\r\nmail\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="scan.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def parts():
        yield head
        left = size
        zeros = b"\0" * CHUNK
        while left > 0:
            piece = zeros[:min(CHUNK, left)]
            left -= len(piece)
            sent[0] += len(piece)
            yield piece
        yield tail

    return parts(), len(head) + size + len(tail)


def peak_of(child: subprocess.Popen) -> int:
    """The child's peak resident memory in MB, once it has stopped."""
    child.send_signal(signal.SIGINT)
    child.stdout.read()
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    return usage.ru_maxrss // 1024  # kilobytes on Linux


def post(port: int, cookie: str, csrf: str, size: int, chunked: bool) -> str:
    sent = [0]
    parts, length = body(csrf, size, sent)
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    headers.update({"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(length)})
    try:
        status, _, text = request(port, "POST", "/packet", cookie, parts, headers)
    except OSError as error:
        return f"no reply ({type(error).__name__}) after sending {sent[0] // CHUNK} MB"
    said = re.search(r'<div class="problem"[^>]*>(.*?)</div>', text, re.S)
    words = re.sub(r"<[^>]+>", " ", said.group(1)).split() if said else text.split()[:20]
    return f"{status} after sending {sent[0] // CHUNK} MB of the file: {' '.join(words)[:160]}"


def measure(size_mb: int, chunked: bool | None) -> str:
    with tempfile.TemporaryDirectory() as home:
        child, port, token = start(Path(home))
        told = "nothing posted"
        try:
            _, headers, _ = request(port, "GET", f"/start?token={token}")
            cookie = headers["set-cookie"].split(";")[0]
            _, _, page = request(port, "GET", "/", cookie)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            if chunked is not None:
                told = post(port, cookie, csrf, size_mb * CHUNK, chunked)
        finally:
            peak = peak_of(child)
    return f"peak {peak:5d} MB   {told}"


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    print(f"appeal web, one {size} MB file posted to /packet (peak resident memory of the server process):")
    print(f"  idle (signed in, nothing posted):  {measure(size, None)}")
    print(f"  with a Content-Length:             {measure(size, False)}")
    print(f"  chunked, no Content-Length:        {measure(size, True)}")


if __name__ == "__main__":
    main()
