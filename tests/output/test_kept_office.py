"""One LibreOffice kept running for many conversions (appeal/output/office_server.py), with the real LibreOffice:
it converts letter after letter, starts again when killed in the middle of a batch, is stopped by Ctrl-C, and two
batches at once each have their own. Every process is found by its private folder in /proc/*/cmdline, under a
temporary folder of the test's own, so other LibreOffices on this machine are never counted or touched."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import ancestors, converted_once, ctrl_c_as_in_a_terminal, drafted_example, libreoffices as offices  # noqa: F401 (short_temp: a fixture there)
import pytest
from pypdf import PdfReader

from appeal.base.resources import examples_folder
from appeal.letters import draft
from appeal.output import office_server, pdf_convert

ERISA = examples_folder() / "ketamine-trd-erisa-appeal.yaml"
TODAY = date(2026, 11, 28)  # the review's date: its converted letter (conftest.converted_once) is this one


def letter_docx(name: str = "ketamine-trd-erisa-appeal") -> bytes:
    return drafted_example(name, "appeal", TODAY).content


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def case_folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for number in range(1, count + 1):
        shutil.copy(ERISA, folder / f"case{number}.yaml")
    return folder


def start_batch(tmp_path: Path, cases: Path, out: str, *more: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "appeal", "batch", str(cases), "-o", out, "--packet", "fax", *more],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job: Ctrl-C goes to all of it
        preexec_fn=ctrl_c_as_in_a_terminal,
        env={**os.environ, "HOME": str(tmp_path)},
    )


def written_packets(folder: Path) -> list[str]:
    texts = [pdf_text(path.read_bytes()) for path in sorted(folder.glob("*.pdf"))]
    assert all("Maria Alvarez" in text and "Page 2 of" in text for text in texts)  # the cover, then the letter
    return texts


@pytest.fixture(scope="module")
def one_shot_pdf(tmp_path_factory) -> bytes:
    """The letter as the one-shot LibreOffice makes it: the same letter's PDF as tests/output/test_packet.py's,
    converted once in the run (a module fixture, so made before `short_temp` changes the temporary folder)."""
    return converted_once([letter_docx()], tmp_path_factory)[0]


def test_one_libreoffice_converts_letter_after_letter_and_is_gone_after(one_shot_pdf, short_temp):
    docx = letter_docx()
    with office_server.kept_running() as server:
        assert not offices(short_temp)  # nothing starts before the first letter
        first = office_server.docx_to_pdf(docx)
        running = offices(short_temp)
        assert len(running) == 1
        folder = server.folder
        assert folder.parent == short_temp and (folder.stat().st_mode & 0o777) == 0o700
        assert str(folder / "profile") in next(iter(running.values()))
        second = office_server.docx_to_pdf(letter_docx("esketamine-prior-auth-psychiatrist"))
        assert offices(short_temp) == running  # the same LibreOffice, not a new one
    assert "Maria Alvarez" in pdf_text(first) and "Maria Alvarez" not in pdf_text(second)
    assert pdf_text(first) == pdf_text(one_shot_pdf)  # as the one-shot LibreOffice makes it
    assert not offices(short_temp) and not folder.exists()


def test_without_libreoffices_python_each_letter_is_converted_on_its_own_and_the_person_is_told(one_shot_pdf,
                                                                                                short_temp,
                                                                                                monkeypatch):
    monkeypatch.setenv("APPEAL_UNO_PYTHON", sys.executable)  # appeal's own Python: it has no `uno`
    on_its_own: list[bytes] = []  # the letters given to the one-shot LibreOffice, whose PDF of this one is made once
    monkeypatch.setattr(pdf_convert, "docx_to_pdf", lambda docx: on_its_own.append(docx) or one_shot_pdf)
    told: list[str] = []
    with office_server.kept_running(announce=told.append):
        pdf = office_server.docx_to_pdf(letter_docx())
    assert on_its_own == [letter_docx()] and "Maria Alvarez" in pdf_text(pdf)
    assert len(told) == 1 and "sudo apt-get install python3-uno" in told[0]
    assert not offices(short_temp)


def test_a_batch_starts_libreoffice_again_when_it_is_killed_and_writes_every_packet(tmp_path, short_temp):
    batch = start_batch(tmp_path, case_folder(tmp_path, 5), "out", "--jobs", "1")
    lines = []
    killed = None
    for line in batch.stdout:
        lines.append(line)
        if len(lines) == 1:  # the first packet is written: LibreOffice is running; kill it
            (killed, _), = offices(short_temp).items()
            assert ancestors(killed) >= {batch.pid}
            os.kill(killed, signal.SIGKILL)
        elif len(lines) == 4:  # two more converted since: by a LibreOffice started again
            again = offices(short_temp)
            assert len(again) == 1 and killed not in again
    assert batch.wait() == 0, batch.stderr.read()
    assert len(written_packets(tmp_path / "out")) == 5
    assert not offices(short_temp)


def test_ctrl_c_stops_the_batch_and_its_libreoffice(tmp_path, short_temp):
    # 40 cases: the first packet written is the event; the 39 left are many seconds of work, so the run is still
    # going when Ctrl-C comes even on a busy machine where the workers ran ahead of the main process (with 6 cases
    # they once finished all before it got the signal)
    batch = start_batch(tmp_path, case_folder(tmp_path, 40), "out", "--jobs", "2")
    first = batch.stdout.readline()
    assert first.startswith("[ 1/40]") and offices(short_temp)
    os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    rest, _ = batch.communicate()
    assert batch.returncode == 130 and "Stopped" in rest
    finished = int(re.search(r"of (\d+) cases?\. Letters are in", rest)[1])
    left = int(re.search(r"(\d+) cases? (?:was|were) not drafted: the run was stopped first", rest)[1])
    assert finished + left == 40 and left > 0
    assert not offices(short_temp)
    assert not list(short_temp.glob("appeal-office-*"))  # its private folder is removed too


def test_two_batches_at_once_each_have_a_libreoffice_and_profile_of_their_own(tmp_path, short_temp):
    cases = case_folder(tmp_path, 4)
    first, second = start_batch(tmp_path, cases, "one", "--jobs", "1"), start_batch(tmp_path, cases, "two", "--jobs", "1")
    profiles = []
    for batch in (first, second):
        batch.stdout.readline()  # its first packet is written: its LibreOffice is running
        own = [profile for pid, profile in offices(short_temp).items() if batch.pid in ancestors(pid)]
        assert len(own) == 1
        profiles.append(own[0])
    assert profiles[0] != profiles[1]
    for batch in (first, second):
        batch.communicate()
        assert batch.returncode == 0
    assert len(written_packets(tmp_path / "one")) == len(written_packets(tmp_path / "two")) == 4
    assert not offices(short_temp)


def test_after_the_run_is_stopped_no_letter_is_converted_and_a_worker_drafts_nothing(tmp_path, monkeypatch):
    """Ctrl-C stops the run's server and removes its private folder: a letter still waiting for its PDF then gets no
    LibreOffice of its own (it would only delay the end of a run the person stopped), and the cases already handed
    to a worker are not drafted."""
    from appeal.commands import batch

    monkeypatch.setattr(pdf_convert, "docx_to_pdf", lambda *args, **kwargs: pytest.fail("a LibreOffice was started"))
    monkeypatch.setattr(draft, "draft", lambda *args, **kwargs: pytest.fail("a case was drafted"))
    with office_server.kept_running() as server:
        pass
    with pytest.raises(office_server.Stopped, match="stopped before this letter"):
        office_server.docx_to_pdf(b"docx", server)
    gone = str(tmp_path / "appeal-office-gone" / office_server.SOCKET_NAME)
    monkeypatch.setattr(batch, "_settings", batch.Settings(None, None, TODAY, packet="fax", office=gone))
    result = batch.draft_task(batch.Task(0, str(ERISA), "case1", path=str(ERISA)))
    assert result.error and "stopped before this letter" in result.error


def test_the_pipes_libreoffice_leaves_are_removed_but_not_a_live_or_an_older_one(tmp_path):
    """LibreOffice leaves its pipes in /tmp when it ends, a new one for every conversion's new profile (a clinic's runs
    left them by the thousand). After a run, those made since it started that nothing listens on are removed; a
    LibreOffice still running (another run's) keeps its own, and one older than the run is not ours to judge."""
    import secrets
    import socket
    import time

    since = time.time()
    tag = secrets.token_hex(6)
    paths = {kind: os.path.join("/tmp", f"OSL_PIPE_{os.getuid()}_appeal-test-{kind}-{tag}") for kind in ("left", "live", "old")}
    sockets = []
    try:
        for kind, path in paths.items():
            bound = socket.socket(socket.AF_UNIX)
            bound.bind(path)
            if kind == "live":
                bound.listen(1)
                sockets.append(bound)
            else:
                bound.close()  # its file stays, with nothing listening: as LibreOffice leaves it
        os.utime(paths["old"], (since - 3600, since - 3600), follow_symlinks=False)
        pdf_convert.remove_left_pipes(since)
        assert not os.path.exists(paths["left"])
        assert os.path.exists(paths["live"]) and os.path.exists(paths["old"])
    finally:
        for bound in sockets:
            bound.close()
        for path in paths.values():
            if os.path.exists(path):
                os.unlink(path)
