"""Draft case files: where they live, how one is found again, locked, copied or set aside, and how it is named.

Why it works the way it does:

* Drafts hold health information, so they go to the per-user data folder (``$XDG_DATA_HOME/appeal/drafts/``,
  ``~/.local/share/appeal/drafts/`` when XDG_DATA_HOME is not set; appeal.base.folders), never the current folder:
  one ``draft-<date>-<time>.yaml`` file per draft, owner-only.
* A draft is a case file whose last line, a YAML comment starting with ``# appeal-questionnaire:``, records which
  questions are answered or skipped (the intake engine's progress), so the case itself holds only case fields
  (the Case model forbids unknown keys) and one file is one draft. The line goes away when the questions are
  finished: a draft with it is unfinished.
* A session (a terminal, or one request of `appeal web`) locks the draft it works on, so two sessions never
  save over each other's answers; the operating system releases the lock if the session dies.
* An unfinished draft that can no longer be read as a case (edited by hand: bad YAML, a field of the wrong kind,
  a control character) is set aside unchanged with a message saying where and why, never deleted or skipped
  without a word.

The terminal and the browser use the same drafts, so a draft started in one can be finished in the other.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from appeal.base import language, loader
from appeal.base.errors import UserError
from appeal.base.language import translate as _
from appeal.base.safe_write import describe_os_error, write_text
from appeal.cases import casefile

PROGRESS_MARK = "# appeal-questionnaire: "
NEW_DRAFT_HEADER = [
    "# Case file drafted with appeal's guided questionnaire (saved after every answer).",
    "# While it is unfinished, the last line records which questions are done; it goes away at the end.",
]


def folder() -> Path:
    """In the per-user data folder (appeal.base.folders): drafts hold health information, so not the current directory."""
    from appeal.base.folders import user_data

    return user_data() / "drafts"


def new_path() -> Path:
    """A free name for a new draft in the drafts folder (made owner-only if it is new)."""
    place = folder()
    place.mkdir(parents=True, exist_ok=True)
    os.chmod(place, 0o700)
    stem = f"draft-{datetime.now():%Y-%m-%d-%H%M%S}"
    path, number = place / f"{stem}.yaml", 2
    while path.exists():
        path, number = place / f"{stem}-{number}.yaml", number + 1
    return path


def progress_line(text: str) -> str | None:
    """The progress a draft's text records (the JSON after the mark on its last such line), or None: finished."""
    lines = [line for line in text.splitlines() if line.startswith(PROGRESS_MARK)]
    return lines[-1][len(PROGRESS_MARK) :] if lines else None


def header_lines(text: str) -> list[str]:
    """The comment lines a case file starts with (the person's own notes, kept on every save), less the progress."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith(PROGRESS_MARK):
            header.append(line)
    return header


def find_unfinished() -> list[Path]:
    """Drafts in the drafts folder whose questions are not finished, newest first."""
    place = folder()
    if not place.is_dir():
        return []
    found = []
    for path in place.glob("*.yaml"):
        try:
            if progress_line(loader.read_text(path, what="draft")) is not None:
                found.append(path)
        except UserError:
            continue
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def _unused_name(path: Path, tail: str) -> Path:
    """`path` with `tail` added to its name (before the suffix when it keeps one), numbered until free."""
    candidate, number = path.with_name(path.stem + tail + path.suffix), 2
    while candidate.exists():
        candidate, number = path.with_name(f"{path.stem}{tail}-{number}{path.suffix}"), number + 1
    return candidate


def _marked(path: Path) -> bool:
    """Whether a file that is no longer text still holds a draft's progress mark (read within the case bound)."""
    try:
        return PROGRESS_MARK.encode() in loader.read_bytes(path, max_bytes=loader.CASE_LIMITS.max_bytes)
    except UserError:
        return False


def _damaged() -> list[tuple[Path, UserError]]:
    """The unfinished drafts that cannot be resumed, each with why: one that is no longer a case (a field of the
    wrong kind or an unknown one, bad YAML), or no longer text at all (a control character, another encoding),
    found by its progress mark in the bytes. A finished draft is a case file like any other, and left alone."""
    place = folder()
    found = []
    for path in sorted(place.glob("*.yaml")) if place.is_dir() else []:
        try:
            try:
                text = loader.read_text(path, what="draft")
            except UserError as unreadable:
                if not _marked(path):
                    continue
                raise unreadable from None
            if progress_line(text) is None:
                continue
            loaded = casefile.read(text, str(path))
            casefile.from_data(loaded.data, str(path), loaded)
        except UserError as error:
            found.append((path, error))
    return found


def set_aside_damaged() -> list[str]:
    """Move each draft that can no longer be resumed (see `_damaged`) out of the way, renamed to NAME.yaml.damaged
    and unchanged, so `appeal draft` and `appeal web` start fresh instead of failing or forgetting it without a
    word. Returns what to tell: which draft, where it is now, and why (naming the field and line)."""
    told = []
    for path, error in _damaged():
        aside = _unused_name(path.with_name(path.name + ".damaged"), "")
        os.replace(path, aside)
        told.append(f"The draft {path.name} cannot be read, so it was set aside as {aside} (nothing in it "
                    f"was deleted; open it in a text editor to copy your answers). Why:\n{error}")
    return told


class DraftInUse(UserError):
    """Another appeal session has this draft open; saving from both would lose the answers of one."""

    def __init__(self, path: Path):
        super().__init__(f"{path} is open in another appeal session. Finish or stop that one first, or carry on "
                         "in a copy of the draft.")
        self.path = path


class DraftLock:
    """An exclusive lock on a draft while a session has it open: `flock` on a lock file beside it, which the
    operating system releases if the session dies, so a crash never leaves a draft locked. Raises DraftInUse when
    another session holds it. Release it with `release()`, or use it as a context manager."""

    def __init__(self, draft: Path):
        import fcntl

        self.file = draft.with_name(f".{draft.name}.lock")
        while True:
            try:
                descriptor = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:
                raise UserError(f"Cannot open the draft {draft}: {describe_os_error(error)}.") from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                raise DraftInUse(draft) from None
            try:
                current = os.stat(self.file).st_ino == os.fstat(descriptor).st_ino
            except FileNotFoundError:
                current = False
            if current:  # not a lock file the previous holder removed while we waited to open it
                self.descriptor = descriptor
                return
            os.close(descriptor)

    def release(self) -> None:
        try:
            os.unlink(self.file)
        except OSError:
            pass
        os.close(self.descriptor)

    def __enter__(self) -> DraftLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def copy_draft(path: Path) -> Path:
    """A copy of a draft (owner-only), for carrying on while another session has the original open."""
    copy = _unused_name(path, "-copy")
    write_text(copy, loader.read_text(path, what="draft"), overwrite=False)
    return copy


def completed_path(case_path: Path) -> Path:
    """Where the answers completing a case file go: a new file beside it, never the file itself."""
    return _unused_name(case_path, "-completed")


def describe(path: Path) -> str:
    """'the appeal for Dana (saved Nov 27 at 10:47)': what a person recognizes, not a file name."""
    try:
        data = casefile.read(path, str(path)).data
    except UserError:
        data = {}
    patient = data.get("patient") if isinstance(data.get("patient"), dict) else {}
    who = " ".join(str(patient.get(key)) for key in ("first_name", "last_name") if patient.get(key)) or _("no name yet")
    kind = data.get("letter_kind") or "letter"
    saved = datetime.fromtimestamp(path.stat().st_mtime)
    day = f"{saved:%b} {saved.day}" if language.current() == language.ENGLISH else language.long_date(saved.date())
    return _("the {kind} for {who} (saved {day} at {time})").format(kind=kind, who=who, day=day,
                                                                     time=f"{saved:%H:%M}")
