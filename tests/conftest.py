"""Shared test helpers: the bundled examples, and reading a .docx back as a reviewer would see its text.

The whole run (and every process it starts) gets its own HOME and XDG folders, made empty here before anything
is imported: no test reads or writes the real user's templates, evidence or drafts, and a user's own templates
cannot change what a test sees.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
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
    document = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def example_case(name: str):
    return casefile.load(examples_folder() / f"{name}.yaml")


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


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def pytest_unconfigure(config):
    shutil.rmtree(_OWN_HOME, ignore_errors=True)
