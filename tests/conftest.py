"""Shared test helpers: the bundled examples, and reading a .docx back as a reviewer would see its text.

The whole run (and every process it starts) gets its own HOME and XDG folders, made empty here before anything
is imported: no test reads or writes the real user's templates, evidence or drafts, and a user's own templates
cannot change what a test sees.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import signal
import tempfile
from datetime import date
from pathlib import Path

_OWN_HOME = Path(tempfile.mkdtemp(prefix="appeal-test-home-"))
os.environ["HOME"] = str(_OWN_HOME)
for _variable, _folder in (("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                           ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
    os.environ[_variable] = str(_OWN_HOME / _folder)
for _variable in ("APPEAL_TEMPLATES", "APPEAL_EVIDENCE_DIR", "XDG_DATA_DIRS", "XDG_CONFIG_DIRS"):
    os.environ.pop(_variable, None)
# The tests read English unless one chooses another language (tests/base/test_language.py): a machine set to
# Spanish must not change what they see.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"


def _compiled_once() -> None:
    """Compile the package to bytecode once, before the test workers start, and let Python keep bytecode.

    The suite starts hundreds of `appeal` processes (every one a new Python). A machine that sets
    PYTHONDONTWRITEBYTECODE (CI images often do) makes each of them, and each test worker, compile the whole
    package from source again: about 0.3 s of processor time a process. Bytecode files are Python's own cache,
    beside the source, ignored by git; a stale one is rebuilt because it records its source's time and size."""
    import compileall
    import sys

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    if "PYTEST_XDIST_WORKER" not in os.environ:  # the main process, before its workers start
        import appeal

        compileall.compile_dir(Path(appeal.__file__).parent, quiet=1)


_compiled_once()

import pytest
from docx import Document

from appeal.cases import casefile
from appeal.letters import kinds
from appeal.base.resources import examples_folder

EXAMPLES = sorted(path.stem for path in examples_folder().glob("*.yaml"))


@pytest.fixture(autouse=True)
def _english_again():
    """A test that chose a language (`--lang`, `language.choose`) leaves the next one reading the environment."""
    yield
    from appeal.base import language

    language.choose(None)


def docx_text(source: bytes | Path) -> str:
    """All visible text of a document: paragraphs and table cells, in order, one per line."""
    from appeal.base.paragraph_styles import paragraph_texts  # python-docx's paragraph.text, read from the XML faster

    document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines = paragraph_texts(document)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def example_case(name: str):
    return casefile.load(examples_folder() / f"{name}.yaml")


def drafted_example(name: str, kind: str, today: date | None = None):
    """Bundled example `name` drafted as letter kind `kind` on `today` (else today), drafted once per test process:
    many tests only read the same letter of an unchanged example (its text, warnings, blanks), and drafting was
    most of their time. The letter is the real one, drafted by `draft.draft`; it must only be read. A test that
    changes the case, or the kinds, drafts its own."""
    return _drafted(name, kind, str(kinds.get(kind).template), today or date.today())


def example_text(name: str, kind: str, today: date | None = None) -> str:
    """`docx_text` of `drafted_example`, read once per test process too."""
    return _read(name, kind, str(kinds.get(kind).template), today or date.today())


@functools.cache
def _drafted(name: str, kind: str, template: str, today: date):  # the template's path: a user's own kind is another
    from appeal.letters import draft

    return draft.draft(example_case(name), kinds.get(kind), today=today)


@functools.cache
def _read(name: str, kind: str, template: str, today: date) -> str:
    return docx_text(_drafted(name, kind, template, today).content)


def applicable_kinds(case) -> list[str]:
    """The kinds a case can be drafted as: a denial where the kind needs one, and none of its `refuse:` holding."""
    from appeal.letters.letter_plan import refusals

    return [name for name, kind in kinds.all_kinds().items()
            if (case.denial is not None or not kind.needs_denial) and not refusals(case, kind)]


BOUND_MEMORY, BOUND_CPU_SECONDS = 600 << 20, 20


def appeal_bounded(*args: str, cwd: Path, home: Path | None = None, prelude: str = "",
                   as_anyone: bool = False) -> "subprocess.CompletedProcess":
    """`appeal ARGS` in a child process the kernel holds to 600 MB of memory and 20 s of processor time (over
    either, it is killed and the caller's assertions fail); the test waits for it to exit, never on a timer.
    `home` is its HOME (its tracking record, drafts, templates); `prelude` is Python run first (a simulated
    full disk); `as_anyone` starts it without the superuser's right to write in any folder (CI runs as root), so
    file permissions hold for it as they do for everyone else."""
    import resource
    import subprocess
    import sys

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (BOUND_MEMORY, BOUND_MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (BOUND_CPU_SECONDS, BOUND_CPU_SECONDS))

    environment = dict(os.environ)
    if home is not None:
        environment.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    script = f"{prelude}\nimport sys\nfrom appeal.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    command = [sys.executable, "-c", script, *args]
    if as_anyone and os.geteuid() == 0:  # setpriv (util-linux, always on Debian) drops the override at exec
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True,
                          text=True, preexec_fn=bounded)


def libreoffices(marker: Path) -> dict[int, str]:
    """The running LibreOffice processes (soffice.bin) whose command line names `marker` (a test's own temporary
    folder, so other LibreOffices on this shared machine are never counted): pid -> its profile."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if words and words[0].endswith(b"soffice.bin") and any(str(marker).encode() in word for word in words):
            profile = next((word.decode() for word in words if word.startswith(b"-env:UserInstallation=")), "")
            found[int(entry.name)] = profile
    return found


def ancestors(pid: int) -> set[int]:
    """The processes `pid` descends from."""
    found = set()
    while pid > 1:
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        found.add(pid)
    return found


@pytest.fixture
def short_temp(monkeypatch):
    """A temporary folder with a short path (a Unix socket's must be short), made for this test: every process
    the test looks at has it in its command line."""
    folder = Path(tempfile.mkdtemp(prefix="ko", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    leftover = libreoffices(folder)
    for pid in leftover:  # never leave one running, even when the test failed
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


def converted_once(contents: list[bytes], tmp_path_factory) -> list[bytes]:
    """The PDFs of .docx `contents`, each converted by LibreOffice once in the whole run: under `pytest -n` the
    workers share one folder, and a worker needing a document another has converted waits for that worker's lock
    (an event, not a timer) and reads its PDF. A PDF is found by a hash of what its .docx holds (each part's
    name and bytes: the zip's own dates differ between two drafts of the same letter), so it is never another's."""
    import fcntl
    import hashlib
    import zipfile

    from appeal.output.pdf_convert import docx_to_pdfs

    def digest(content: bytes) -> str:
        found = hashlib.sha256()
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            for name in sorted(package.namelist()):
                found.update(name.encode() + b"\0" + hashlib.sha256(package.read(name)).digest())
        return found.hexdigest()

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "converted-once"
    shared.mkdir(exist_ok=True)
    pdfs = [shared / f"{digest(content)}.pdf" for content in contents]
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [number for number, pdf in enumerate(pdfs) if not pdf.exists()]
        if missing:  # one LibreOffice start for all of them
            for number, made in zip(missing, docx_to_pdfs([contents[number] for number in missing], timeout=600)):
                pdfs[number].write_bytes(made)
    return [pdf.read_bytes() for pdf in pdfs]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pytest_unconfigure(config):
    shutil.rmtree(_OWN_HOME, ignore_errors=True)


def ctrl_c_as_in_a_terminal() -> None:
    """For a child process a test stops with SIGINT (`preexec_fn=`): Ctrl-C's default action, as a terminal gives
    its programs. An ignored SIGINT is inherited through fork and exec, and a test worker may have been started
    with one (a child started with it ignored would never see the test's Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
