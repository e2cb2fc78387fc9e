"""The record of every appeal sent: one SQLite file, its schema and migrations, its transactions, export/import.

The record is one SQLite file in the user's data folder, read and written with the standard library's sqlite3:
a single owner-only file, real transactions and several writers at once (a provider's terminals, a batch) with
no server and no new dependency. The schema is four small tables, so an ORM would add more than it saves; its
version is SQLite's own `PRAGMA user_version`, and numbered migrations bring an older file up to date in one
transaction. Beside the file, `files/` keeps a copy of each case and each letter or packet as it was sent.

What each appeal's dates mean is appeal/tracking/status.py's; how they are worded, appeal/tracking/text.py's. A value
the store refuses names the record's field (FieldError), and each front end calls the field what the person typed
it into: the command line's --sent, the browser's "The day you sent it".
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from appeal.base import loader
from appeal.base.control_chars import control_problem, refuse_controls
from appeal.base.errors import UserError
from appeal.base.language import shown_date, translate as _
from appeal.base.safe_write import write_bytes
from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.rules.dispute import Step

DATABASE_NAME = "track.db"
FILES_FOLDER = "files"
EXPORT_NAME = "appeals.json"
EXPORT_FORMAT = "appeal-track-export"
# The largest appeals.json `track import` reads. An appeal of two letters takes about 22 KB there (each letter
# carries its case, 5-10 KB for the bundled examples), so 64 MiB holds some 3,000 appeals, years of a busy practice;
# parsing that much takes about 260 MB and under a second. Only this many bytes (and one) are ever read.
EXPORT_MAX_BYTES = 64 << 20
# How deep appeals.json may nest: an export is 6 levels to a letter's case and a case about 5 more (a superbill's
# codes); anything deeper is refused before it is parsed, where Python's own parser would fail with RecursionError.
EXPORT_MAX_DEPTH = 32
# The largest copy the record keeps (a letter, its case, a notice, a packet): a packet holds at most 150 MB of
# attachments (appeal.output.packet.MAX_TOTAL) plus the letter, so 200 MiB is more than any copy we make; a larger
# file handed over or found in an export is refused, never read whole.
COPY_MAX_BYTES = 200 << 20
BUSY_TIMEOUT_MS = 30_000


class FieldError(UserError):
    """A value the store refuses, with the record's field it was given for (sent, received, method, date), so each
    front end names the field in its own words: `error.named({"sent": "--sent"})`."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem

    def named(self, names: dict[str, str]) -> UserError:
        """The same message, with the field called what the person typed it into."""
        return UserError(f"{names.get(self.field, self.field)}: {self.problem}")


class FolderNotEmpty(UserError):
    """An export would write into a folder that holds files; the front end says how to allow it."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"{folder} is not empty. Choose an empty or new folder.")
        self.folder = folder


class AlreadySent(Exception):
    """`Store.add` with `keys`: one of them already names a letter recorded, so nothing was added."""

    def __init__(self, appeal_id: int, letter_id: int) -> None:
        super().__init__(f"already recorded as appeal {appeal_id}")
        self.appeal_id, self.letter_id = appeal_id, letter_id


class Result(StrEnum):
    approved = "approved"
    denied = "denied"
    partial = "partial"
    no_answer = "no-answer"


METHODS = ("fax", "mail", "portal", "email", "hand")


def _letter_step(case: Case, kind: str) -> Step:
    """The step of the dispute a letter of this kind starts, from the dispute-step calculator the letters use."""
    from appeal.letters import kinds
    from appeal.letters.letter_rules import letter_step

    letter_kind = kinds.get(kind)
    if letter_kind.starts == "none":
        raise UserError(_("A {kind} letter starts no step of the dispute, so it has no decision date to track. Add it "
                          "to the appeal it belongs to as a note: appeal track note ID TEXT").format(kind=kind))
    return letter_step(case, letter_kind) or Step.later_levels  # None: every known step is used


# --------------------------------------------------------------------------------------------------------------
# Where the record lives, and its schema


def store_folder() -> Path:
    """track/ in appeal's per-user data folder (on Linux ~/.local/share/appeal/track), beside drafts and templates."""
    from appeal.base.folders import user_data

    return user_data() / "track"


# Numbered migrations: MIGRATIONS[n] takes a file from user_version n to n + 1. Never edit one that has shipped;
# add the next. 1: the first schema. 2: the day the plan received a letter (its clock starts then), and the
# plan's own words and reference number in a new denial, for the next letter. 3: what identifies a letter sent (a
# checksum of its case and kind, of the packet), so the browser's "I sent it" pressed twice records it once.
MIGRATIONS = (
    """
    CREATE TABLE appeals (
        id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, person TEXT, plan TEXT, plan_type TEXT,
        created TEXT NOT NULL, closed TEXT);
    CREATE TABLE letters (
        id INTEGER PRIMARY KEY, appeal_id INTEGER NOT NULL REFERENCES appeals(id), level INTEGER NOT NULL,
        kind TEXT NOT NULL, step TEXT NOT NULL, sent TEXT NOT NULL, method TEXT, case_json TEXT NOT NULL,
        case_file TEXT, packet_file TEXT);
    CREATE TABLE outcomes (
        id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), result TEXT NOT NULL,
        date TEXT NOT NULL, notice_file TEXT);
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY, appeal_id INTEGER NOT NULL REFERENCES appeals(id), written TEXT NOT NULL,
        text TEXT NOT NULL);
    """,
    """
    ALTER TABLE letters ADD COLUMN received TEXT;
    ALTER TABLE outcomes ADD COLUMN quote TEXT;
    ALTER TABLE outcomes ADD COLUMN reference TEXT;
    CREATE INDEX letters_by_appeal ON letters(appeal_id, level);
    CREATE INDEX outcomes_by_letter ON outcomes(letter_id);
    CREATE INDEX notes_by_appeal ON notes(appeal_id);
    """,
    """
    CREATE TABLE sent_keys (key TEXT PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------------------------------------------
# The record as Python values


@dataclass
class Outcome:
    result: Result
    date: date
    notice_file: str | None = None
    quote: str | None = None
    reference: str | None = None


@dataclass
class Letter:
    id: int
    level: int
    kind: str
    step: Step
    sent: date
    method: str | None
    case: Case
    case_file: str | None = None
    packet_file: str | None = None
    received: date | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome | None:
        """The last answer recorded (a 'no answer yet' note is replaced by the decision when it comes)."""
        return self.outcomes[-1] if self.outcomes else None


@dataclass
class Note:
    written: date
    text: str


@dataclass
class Appeal:
    id: int
    uid: str
    person: str
    plan: str
    created: date
    closed: date | None
    letters: list[Letter]
    notes: list[Note]

    @property
    def last(self) -> Letter:
        return self.letters[-1]


# --------------------------------------------------------------------------------------------------------------
# Opening the store


@dataclass
class Store:
    """The open record. Every write is one transaction that takes the write lock at its start (BEGIN IMMEDIATE),
    so two writers queue instead of failing halfway; a reader never blocks them (write-ahead log)."""

    folder: Path
    connection: sqlite3.Connection
    notices: list[str] = field(default_factory=list)

    @property
    def files(self) -> Path:
        return self.folder / FILES_FOLDER

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------------------------
    def _write(self):
        return _Transaction(self.connection)

    # -- writing -------------------------------------------------------------------------------------------------
    def add(self, case: Case, sent: date, *, kind: str | None = None, method: str | None = None,
            received: date | None = None, case_bytes: bytes | None = None, case_suffix: str = ".yaml",
            packet: Path | tuple[str, bytes] | None = None, continues: int | None = None,
            today: date | None = None, keys: tuple[str, ...] = ()) -> tuple[int, int]:
        """Record a sent letter: a new appeal, or the next level of appeal `continues`. Returns (appeal, letter).

        `packet` is what was sent, kept as a copy: a file, or its name and content (the browser holds no file).
        `keys` identify the letter (appeal.tracking.record.sent_keys): when one of them is already recorded, in the
        same transaction, nothing is added and AlreadySent names the record (two windows pressing at once too)."""
        today = today or date.today()
        if sent > today:
            raise FieldError("sent", _("{date} is in the future; record a letter once it is sent.").format(
                date=shown_date(sent)))
        notice = case.denial.notice_date if case.denial else None
        if notice and sent < notice:
            raise FieldError("sent", _("{date} is before the denial notice it answers ({notice}, denial.notice_date "
                                       "in the case).").format(date=shown_date(sent), notice=shown_date(notice)))
        if received and received < sent:
            raise FieldError("received", _("the plan cannot have received the letter before it was sent."))
        if method and method not in METHODS:
            raise FieldError("method", f"'{method}' is not one of {', '.join(METHODS)}.")
        from appeal.letters import kinds

        kind = kind or case.letter_kind or kinds.default_name(case.denial is not None)
        kinds.get(kind)  # an unknown kind is a clear error here, not a surprise at the next draft
        packet_name, packet_bytes = ("", b"") if packet is None else packet if isinstance(packet, tuple) else (
            packet.name, _read_input(packet, "--packet"))
        if case_bytes is None:
            case_bytes, case_suffix = casefile.dumps(case).encode("utf-8"), ".yaml"
        step = _letter_step(case, kind)
        with self._write() as db:
            found = db.execute(
                f"SELECT letters.appeal_id, letters.id FROM sent_keys JOIN letters ON letters.id = sent_keys.letter_id "
                f"WHERE sent_keys.key IN ({', '.join('?' for _ in keys)})", keys).fetchone() if keys else None
            if found:
                raise AlreadySent(*found)
            if continues is None:
                uid = uuid.uuid4().hex
                appeal_id = db.execute(
                    "INSERT INTO appeals (uid, person, plan, plan_type, created) VALUES (?, ?, ?, ?, ?)",
                    (uid, case.patient.full_name or "", _plan_label(case),
                     case.insurance.plan_type.value if case.insurance.plan_type else None, today.isoformat()),
                ).lastrowid
                level = 1
            else:
                row = db.execute("SELECT uid, closed FROM appeals WHERE id = ?", (continues,)).fetchone()
                if row is None:
                    raise UserError(_("There is no tracked appeal {id}. See them with: appeal status --all").format(id=continues))
                uid, appeal_id = row[0], continues
                level = db.execute("SELECT COALESCE(MAX(level), 0) + 1 FROM letters WHERE appeal_id = ?",
                                   (appeal_id,)).fetchone()[0]
                db.execute("UPDATE appeals SET closed = NULL WHERE id = ?", (appeal_id,))
            letter_id = db.execute(
                "INSERT INTO letters (appeal_id, level, kind, step, sent, method, case_json, received) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (appeal_id, level, kind, step.value, sent.isoformat(), method,
                 json.dumps(casefile.to_data(case)), received.isoformat() if received else None),
            ).lastrowid
            # The copies are written while the transaction holds the lock, and the row names them only if
            # both were written, so the record never points at a file that is not there.
            case_file = self._keep(uid, f"{letter_id}-case{case_suffix}", case_bytes)
            packet_file = self._keep(uid, f"{letter_id}-sent-{Path(packet_name).name}", packet_bytes) \
                if packet is not None else None
            db.execute("UPDATE letters SET case_file = ?, packet_file = ? WHERE id = ?",
                       (case_file, packet_file, letter_id))
            db.executemany("INSERT OR IGNORE INTO sent_keys (key, letter_id) VALUES (?, ?)",
                           [(key, letter_id) for key in keys])
        return appeal_id, letter_id

    def outcome(self, appeal_id: int, result: Result, when: date, *, notice: Path | None = None,
                quote: str | None = None, reference: str | None = None, today: date | None = None) -> Appeal:
        """Record what came back for the appeal's latest letter."""
        today = today or date.today()
        appeal = self.get(appeal_id)
        letter = appeal.last
        if when > today:
            raise FieldError("date", _("{date} is in the future.").format(date=shown_date(when)))
        if when < letter.sent:
            raise FieldError("date", _("{date} is before the letter was sent ({sent}).").format(
                date=shown_date(when), sent=shown_date(letter.sent)))
        quote, reference = _plain("quote", quote), _plain("reference", reference)
        notice_bytes = _read_input(notice, "--notice") if notice else None
        with self._write() as db:
            outcome_id = db.execute(
                "INSERT INTO outcomes (letter_id, result, date, quote, reference) VALUES (?, ?, ?, ?, ?)",
                (letter.id, result.value, when.isoformat(), quote, reference),
            ).lastrowid
            if notice:
                kept = self._keep(appeal.uid, f"{letter.id}-notice-{outcome_id}-{notice.name}", notice_bytes)
                db.execute("UPDATE outcomes SET notice_file = ? WHERE id = ?", (kept, outcome_id))
            db.execute("UPDATE appeals SET closed = ? WHERE id = ?",
                       (when.isoformat() if result is Result.approved else None, appeal_id))
        return self.get(appeal_id)

    def note(self, appeal_id: int, text: str, today: date | None = None) -> None:
        text = _plain("note", text)
        if not text.strip():
            raise UserError(_("The note is empty; write what happened, e.g. 'Called the plan, spoke to Sam'."))
        with self._write() as db:
            if db.execute("SELECT 1 FROM appeals WHERE id = ?", (appeal_id,)).fetchone() is None:
                raise UserError(_("There is no tracked appeal {id}. See them with: appeal status --all").format(id=appeal_id))
            db.execute("INSERT INTO notes (appeal_id, written, text) VALUES (?, ?, ?)",
                       (appeal_id, (today or date.today()).isoformat(), text.strip()))

    def _keep(self, uid: str, name: str, data: bytes) -> str:
        """A copy in files/<appeal>/, owner-only; returns its path relative to the store folder."""
        folder = self.files / uid
        for made in (self.files, folder):
            made.mkdir(exist_ok=True, mode=0o700)
        write_bytes(folder / _safe_name(name), data, overwrite=True)
        return f"{FILES_FOLDER}/{uid}/{_safe_name(name)}"

    # -- reading -------------------------------------------------------------------------------------------------
    def get(self, appeal_id: int) -> Appeal:
        found = self._load("WHERE id = ?", (appeal_id,))
        if not found:
            raise UserError(_("There is no tracked appeal {id}. See them with: appeal status --all").format(id=appeal_id))
        return found[0]

    def appeals(self, include_closed: bool = True) -> list[Appeal]:
        return self._load("" if include_closed else "WHERE closed IS NULL", ())

    def _load(self, where: str, parameters: tuple) -> list[Appeal]:
        db = self.connection
        result = []
        for row in db.execute(f"SELECT id, uid, person, plan, created, closed FROM appeals {where} ORDER BY id",
                              parameters).fetchall():
            letters = []
            for letter in db.execute(
                "SELECT id, level, kind, step, sent, method, case_json, case_file, packet_file, received "
                "FROM letters WHERE appeal_id = ? ORDER BY level", (row[0],)
            ).fetchall():
                outcomes = [
                    Outcome(Result(item[0]), date.fromisoformat(item[1]), item[2], item[3], item[4])
                    for item in db.execute("SELECT result, date, notice_file, quote, reference FROM outcomes "
                                           "WHERE letter_id = ? ORDER BY date, id", (letter[0],))
                ]
                letters.append(Letter(
                    letter[0], letter[1], letter[2], Step(letter[3]), date.fromisoformat(letter[4]), letter[5],
                    casefile.from_data(json.loads(letter[6]), f"tracked appeal {row[0]}"), letter[7], letter[8],
                    date.fromisoformat(letter[9]) if letter[9] else None, outcomes,
                ))
            notes = [Note(date.fromisoformat(item[0]), item[1])
                     for item in db.execute("SELECT written, text FROM notes WHERE appeal_id = ? ORDER BY id", (row[0],))]
            result.append(Appeal(row[0], row[1], row[2] or "", row[3] or "", date.fromisoformat(row[4]),
                                 date.fromisoformat(row[5]) if row[5] else None, letters, notes))
        return result

    # -- export and import ---------------------------------------------------------------------------------------
    def export(self, target: Path, *, force: bool = False) -> int:
        """Everything as plain files: appeals.json (the record) and files/ (the copies). Returns the count."""
        target = Path(target)
        if target.exists() and any(target.iterdir()) and not force:
            raise FolderNotEmpty(target)
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        everything = self.appeals()
        data = {"format": EXPORT_FORMAT, "schema_version": SCHEMA_VERSION, "appeals": [
            _appeal_data(item) for item in everything
        ]}
        for appeal in everything:
            source = self.files / appeal.uid
            if source.is_dir():
                destination = target / FILES_FOLDER / appeal.uid
                destination.mkdir(parents=True, exist_ok=True, mode=0o700)
                for path in sorted(source.iterdir()):
                    write_bytes(destination / path.name, path.read_bytes(), overwrite=True)
        write_bytes(target / EXPORT_NAME, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                    overwrite=True)
        return len(everything)

    def import_(self, source: Path) -> tuple[int, int]:
        """Add the appeals of an export that are not here yet (matched by their id). Returns (added, already here).

        All or nothing: a damaged appeal, a link or a pipe among the copies, or a full disk leaves the record and
        files/ as they were (the copies written so far are removed)."""
        source = Path(source)
        path = source / EXPORT_NAME
        appeals = _read_export(source)
        added = present = 0
        written: list[Path] = []
        try:
            with self._write() as db:
                for number, item in enumerate(appeals, start=1):
                    try:
                        uid = uuid.UUID(hex=_field(item, "uid", str)).hex  # a uid is safe as a folder name
                        if db.execute("SELECT 1 FROM appeals WHERE uid = ?", (uid,)).fetchone():
                            present += 1
                            continue
                        self._import_one(db, uid, item, source, written)
                    except (KeyError, TypeError, ValueError, AttributeError) as error:
                        raise UserError(f"{path}: appeal number {number} is incomplete or damaged ({error}); nothing "
                                        "was imported.") from None
                    except UserError as error:
                        raise UserError(f"{path}: appeal number {number}: {str(error).rstrip('.')}; nothing was "
                                        "imported.") from None
                    added += 1
        except BaseException:
            for copy in written:
                copy.unlink(missing_ok=True)
            raise
        return added, present

    def _import_one(self, db: sqlite3.Connection, uid: str, item: dict, source: Path, written: list[Path]) -> None:
        appeal_id = db.execute(
            "INSERT INTO appeals (uid, person, plan, plan_type, created, closed) VALUES (?, ?, ?, ?, ?, ?)",
            (uid, _field(item, "person"), _field(item, "plan"), _field(item, "plan_type"),
             date.fromisoformat(_field(item, "created", str)).isoformat(), _iso_or_none(_field(item, "closed"))),
        ).lastrowid
        for letter in _field(item, "letters", list):
            case = casefile.from_data(_field(letter, "letters.case", dict), f"letters.case of appeal {uid}")
            level = _field(letter, "letters.level", int)
            letter_id = db.execute(
                "INSERT INTO letters (appeal_id, level, kind, step, sent, method, case_json, received) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (appeal_id, level, _field(letter, "letters.kind", str),
                 Step(_field(letter, "letters.step", str)).value,
                 date.fromisoformat(_field(letter, "letters.sent", str)).isoformat(),
                 _field(letter, "letters.method"), json.dumps(casefile.to_data(case)),
                 _iso_or_none(_field(letter, "letters.received"))),
            ).lastrowid
            copies = {key: self._import_file(source, uid, _field(letter, f"letters.{key}"), written)
                      for key in ("case_file", "packet_file")}
            db.execute("UPDATE letters SET case_file = ?, packet_file = ? WHERE id = ?",
                       (copies["case_file"], copies["packet_file"], letter_id))
            for outcome in _field(letter, "letters.outcomes", list, optional=True) or []:
                db.execute(
                    "INSERT INTO outcomes (letter_id, result, date, notice_file, quote, reference) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (letter_id, Result(_field(outcome, "letters.outcomes.result", str)).value,
                     date.fromisoformat(_field(outcome, "letters.outcomes.date", str)).isoformat(),
                     self._import_file(source, uid, _field(outcome, "letters.outcomes.notice_file"), written),
                     _field(outcome, "letters.outcomes.quote"), _field(outcome, "letters.outcomes.reference")),
                )
        for note in _field(item, "notes", list, optional=True) or []:
            db.execute("INSERT INTO notes (appeal_id, written, text) VALUES (?, ?, ?)",
                       (appeal_id, date.fromisoformat(_field(note, "notes.written", str)).isoformat(),
                        _field(note, "notes.text", str)))

    def _import_file(self, source: Path, uid: str, relative: str | None, written: list[Path]) -> str | None:
        """A copy the export holds, read only as a regular file inside it (a link, a pipe or a device is refused
        by name), kept in files/; `written` collects what was new, to remove if the import fails."""
        if not relative:
            return None
        name = Path(relative).name
        path = source / FILES_FOLDER / uid / name
        if not os.path.lexists(path):
            raise ValueError(f"the copy {relative} is missing from the export")
        data = loader.read_regular(path, COPY_MAX_BYTES, name=f"The export {source}", what="file", under=source)
        kept = self.files / uid / _safe_name(name)
        if not kept.exists():
            written.append(kept)
        return self._keep(uid, name, data)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error; a lock held too long becomes a plain message."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _busy(error) from None
        return self.connection

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            try:
                self.connection.execute("COMMIT")
                return
            except sqlite3.OperationalError as commit_error:
                self.connection.execute("ROLLBACK")
                raise _busy(commit_error) from None
        self.connection.execute("ROLLBACK")


def _busy(error: sqlite3.OperationalError) -> UserError:
    if "locked" in str(error) or "busy" in str(error):
        return UserError(_("Another appeal command is writing to the tracking record; nothing was changed. "
                           "Try again in a moment."))
    return UserError(_("The tracking record could not be written ({error}); nothing was changed.").format(error=error))


def open_store(folder: Path | None = None) -> Store:
    """Open (or create) the record, migrating an older file. A damaged file is moved aside, never changed or
    deleted, and a new record is started; `Store.notices` says so, and the copies in files/ are untouched."""
    folder = Path(folder) if folder else store_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
    except OSError as error:
        raise UserError(f"Cannot use the tracking folder {folder}: {error.strerror}.") from None
    path = folder / DATABASE_NAME
    notices: list[str] = []
    try:
        connection = _connect(path)
    except sqlite3.OperationalError as error:  # locked, read-only, unreadable: the file may be fine; leave it
        if "locked" in str(error) or "busy" in str(error):
            raise _busy(error) from None
        raise UserError(f"Cannot open the tracking record {path} ({error}); it was not changed.") from None
    except sqlite3.DatabaseError as error:  # not a database, or malformed: damaged
        try:
            aside = _move_aside(path)
        except OSError as move_error:
            raise UserError(f"The tracking record {path} is damaged ({error}) and could not be moved aside "
                            f"({move_error.strerror}); it was left as it is.") from None
        notices.append(
            f"The tracking record {path} is damaged ({error}). It was moved, unchanged, to {aside}, and a new "
            f"empty record was started. The copies of your cases and letters in {folder / FILES_FOLDER} are "
            "untouched. If you have an export, bring it back with: appeal track import FOLDER"
        )
        connection = _connect(path)
    return Store(folder, connection, notices)


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # owner-only from its first byte
    os.chmod(path, 0o600)
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            connection.close()
            raise UserError(f"The tracking record {path} was written by a newer version of appeal (schema "
                            f"{version}; this one knows {SCHEMA_VERSION}). Upgrade appeal; the file was not changed.")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            _migrate(connection)
        problem = connection.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(problem)
        for table in ("appeals", "letters", "outcomes", "notes"):
            connection.execute(f"SELECT * FROM {table} LIMIT 1")
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the file to SCHEMA_VERSION in one transaction; a second process waits, then finds nothing to do."""
    with _Transaction(connection):
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number + 1}")


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside, number = path.with_name(f"{path.name}.damaged-{stamp}"), 2
    while aside.exists():
        aside, number = path.with_name(f"{path.name}.damaged-{stamp}-{number}"), number + 1
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):  # the log of a damaged file belongs with it
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def _read_input(path: Path, option: str) -> bytes:
    """A file handed over by its path. Only the command line does that (--packet, --notice; the terminal hands over
    the letter it has just written), so the message names its option, as the tests pin."""
    path = Path(path)
    if not path.exists():
        raise UserError(_("{option}: there is no file {path}.").format(option=option, path=path))
    if path.is_dir():
        raise UserError(_("{option}: {path} is a folder; give the file that was sent.").format(option=option, path=path))
    return loader.read_regular(path, COPY_MAX_BYTES, name=f"{option} {path}")  # a pipe or a device: named, never opened


def _safe_name(name: str) -> str:
    keep = "".join(character if character.isalnum() or character in "-_." else "-" for character in name)
    return keep.lstrip(".") or "file"


def _plan_label(case: Case) -> str:
    insurance = case.insurance
    name = insurance.insurer or insurance.plan_name or ""
    kind = insurance.plan_type.label if insurance.plan_type else ""
    return f"{name} ({kind})" if name and kind else name or kind


def _plain(field: str, text: str | None) -> str | None:
    """A text the person typed for the record (a note, the plan's words), with plain line ends; a control
    character is refused by the field's name (see appeal/base/control_chars.py)."""
    if text is None:
        return None
    try:
        return refuse_controls(text)
    except ValueError as error:
        raise FieldError(field, f"{error}.") from None


_KIND_WORDS = {str: "text", int: "a whole number", list: "a list", dict: "a set of fields"}


def _field(record: Any, name: str, kind: type | None = None, *, optional: bool = False) -> Any:
    """One value of an export's appeal by its field name (`letters.level`: the key `level`), of `kind` and required
    when a kind is given, else text or nothing. A text holds no control character; a whole number is not a yes/no.
    Anything else is a ValueError naming the field."""
    key = name.rsplit(".", 1)[-1]
    if not isinstance(record, dict):
        raise ValueError(f"what holds {name} is not a set of fields")
    value = record.get(key)
    if value is None and (kind is None or optional):
        return None
    if value is None:
        raise ValueError(f"{name} is missing")
    wanted = kind or str
    if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
        raise ValueError(f"{name} must be {_KIND_WORDS[wanted]}, not {type(value).__name__}")
    if isinstance(value, str):
        problem = control_problem(value)
        if problem:
            raise ValueError(f"{name} {problem}")
    return value


def _read_export(source: Path) -> list:
    """The appeals of an export's appeals.json, read within bounds: a regular file inside the folder (not a link,
    pipe or device), at most EXPORT_MAX_BYTES, nested at most EXPORT_MAX_DEPTH deep, with a whole-number
    schema_version. Every refusal names the field or the entry."""
    path = source / EXPORT_NAME
    if not source.is_dir() or not os.path.lexists(path):
        raise UserError(f"{source} holds no {EXPORT_NAME}; give the folder `appeal track export` wrote.")
    raw = loader.read_regular(path, EXPORT_MAX_BYTES + 1, name=f"The export {source}", what="file", under=source,
                              cut=True)
    if len(raw) > EXPORT_MAX_BYTES:
        raise UserError(f"{path} is larger than {EXPORT_MAX_BYTES >> 20} MB, more than an export of appeal holds "
                        "(some 3,000 appeals); nothing was imported. Check it is the right file.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"{path} is not UTF-8 text (byte {error.start:,}); nothing was imported.") from None
    too_deep = _too_deep(text, EXPORT_MAX_DEPTH)
    if too_deep:
        raise UserError(f"{path}: {too_deep}; an export is never nested that deep, so nothing was imported.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"{path} cannot be read as an export: {error}.") from None
    except RecursionError:  # _too_deep should have stopped it; never a traceback
        raise UserError(f"{path} is nested too deep to be an export; nothing was imported.") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise UserError(f"{path} is not an export of `appeal track export`.")
    version = data.get("schema_version", 0)
    if type(version) is not int:  # noqa: E721 - a yes/no or 2.0 is not a version
        shown = json.dumps(version)
        raise UserError(f"{path}: schema_version must be a whole number like {SCHEMA_VERSION}, not "
                        f"{shown if len(shown) <= 40 else shown[:37] + '...'}; nothing was imported.")
    if version > SCHEMA_VERSION:
        raise UserError(f"{path} was written by a newer version of appeal; upgrade appeal to import it.")
    appeals = data.get("appeals")
    if not isinstance(appeals, list):
        raise UserError(f"{path}: appeals must be a list of appeals, not {type(appeals).__name__}; nothing was "
                        "imported.")
    return appeals


# A JSON string (whole, with the colon after it when it is a key) or a bracket: the text's structure, strings skipped.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|[\[\]{}]')  # 64 MB in about 2 s


def _too_deep(text: str, limit: int) -> str | None:
    """Where JSON text nests deeper than `limit` ('appeals.letters.case...: nested more than 32 levels deep, at
    line 4'), found without parsing it, or None."""
    keys: list[str | None] = []
    for token in _JSON_TOKENS.finditer(text):
        character = token.group()[0]
        if character in "[{":
            keys.append(None)
            if len(keys) > limit:
                line = text.count("\n", 0, token.start()) + 1
                where = ".".join(key for key in keys if key) or "the top level"
                return f"{where} is nested more than {limit} levels deep (line {line:,})"
        elif character in "]}":
            if keys:
                keys.pop()
        elif token.group(1) and keys:
            key = token.group()[1: token.group().rindex('"')]
            keys[-1] = key if len(key) <= 40 else key[:37] + "..."
    return None


def _iso_or_none(value) -> str | None:
    return date.fromisoformat(value).isoformat() if value else None


def _appeal_data(appeal: Appeal) -> dict:
    return {
        "uid": appeal.uid, "person": appeal.person, "plan": appeal.plan,
        "plan_type": appeal.last.case.insurance.plan_type.value if appeal.last.case.insurance.plan_type else None,
        "created": appeal.created.isoformat(), "closed": appeal.closed.isoformat() if appeal.closed else None,
        "letters": [{
            "level": letter.level, "kind": letter.kind, "step": letter.step.value, "sent": letter.sent.isoformat(),
            "received": letter.received.isoformat() if letter.received else None, "method": letter.method,
            "case": casefile.to_data(letter.case), "case_file": letter.case_file, "packet_file": letter.packet_file,
            "outcomes": [{"result": outcome.result.value, "date": outcome.date.isoformat(),
                          "notice_file": outcome.notice_file, "quote": outcome.quote, "reference": outcome.reference}
                         for outcome in letter.outcomes],
        } for letter in appeal.letters],
        "notes": [{"written": note.written.isoformat(), "text": note.text} for note in appeal.notes],
    }

