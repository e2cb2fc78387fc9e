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
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from appeal.base import loader
from appeal.base.errors import UserError
from appeal.base.safe_write import write_bytes
from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.rules.dispute import Step

DATABASE_NAME = "track.db"
FILES_FOLDER = "files"
EXPORT_NAME = "appeals.json"
EXPORT_FORMAT = "appeal-track-export"
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
        raise UserError(f"A {kind} letter starts no step of the dispute, so it has no decision date to track. Add it "
                        "to the appeal it belongs to as a note: appeal track note ID TEXT")
    return letter_step(case, letter_kind) or Step.later_levels  # None: every known step is used


# --------------------------------------------------------------------------------------------------------------
# Where the record lives, and its schema


def store_folder() -> Path:
    """track/ in appeal's per-user data folder (on Linux ~/.local/share/appeal/track), beside drafts and templates."""
    from appeal.base.folders import user_data

    return user_data() / "track"


# Numbered migrations: MIGRATIONS[n] takes a file from user_version n to n + 1. Never edit one that has shipped;
# add the next. 1: the first schema. 2: the day the plan received a letter (its clock starts then), and the
# plan's own words and reference number in a new denial, for the next letter.
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
            today: date | None = None) -> tuple[int, int]:
        """Record a sent letter: a new appeal, or the next level of appeal `continues`. Returns (appeal, letter).

        `packet` is what was sent, kept as a copy: a file, or its name and content (the browser holds no file)."""
        today = today or date.today()
        if sent > today:
            raise FieldError("sent", f"{sent:%m/%d/%Y} is in the future; record a letter once it is sent.")
        notice = case.denial.notice_date if case.denial else None
        if notice and sent < notice:
            raise FieldError("sent", f"{sent:%m/%d/%Y} is before the denial notice it answers "
                                     f"({notice:%m/%d/%Y}, denial.notice_date in the case).")
        if received and received < sent:
            raise FieldError("received", "the plan cannot have received the letter before it was sent.")
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
                    raise UserError(f"There is no tracked appeal {continues}. See them with: appeal status --all")
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
        return appeal_id, letter_id

    def outcome(self, appeal_id: int, result: Result, when: date, *, notice: Path | None = None,
                quote: str | None = None, reference: str | None = None, today: date | None = None) -> Appeal:
        """Record what came back for the appeal's latest letter."""
        today = today or date.today()
        appeal = self.get(appeal_id)
        letter = appeal.last
        if when > today:
            raise FieldError("date", f"{when:%m/%d/%Y} is in the future.")
        if when < letter.sent:
            raise FieldError("date", f"{when:%m/%d/%Y} is before the letter was sent ({letter.sent:%m/%d/%Y}).")
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
        if not text.strip():
            raise UserError("The note is empty; write what happened, e.g. 'Called the plan, spoke to Sam'.")
        with self._write() as db:
            if db.execute("SELECT 1 FROM appeals WHERE id = ?", (appeal_id,)).fetchone() is None:
                raise UserError(f"There is no tracked appeal {appeal_id}. See them with: appeal status --all")
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
            raise UserError(f"There is no tracked appeal {appeal_id}. See them with: appeal status --all")
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
        """Add the appeals of an export that are not here yet (matched by their id). Returns (added, already here)."""
        source = Path(source)
        path = source / EXPORT_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"{source} holds no {EXPORT_NAME}; give the folder `appeal track export` wrote.") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise UserError(f"{path} cannot be read as an export: {error}.") from None
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise UserError(f"{path} is not an export of `appeal track export`.")
        if int(data.get("schema_version", 0)) > SCHEMA_VERSION:
            raise UserError(f"{path} was written by a newer version of appeal; upgrade appeal to import it.")
        added = present = 0
        with self._write() as db:
            for number, item in enumerate(data.get("appeals") or [], start=1):
                try:
                    if db.execute("SELECT 1 FROM appeals WHERE uid = ?", (item["uid"],)).fetchone():
                        present += 1
                        continue
                    self._import_one(db, item, source)
                except (KeyError, TypeError, ValueError) as error:
                    raise UserError(f"{path}: appeal number {number} is incomplete or damaged ({error}); nothing "
                                    "was imported.") from None
                added += 1
        return added, present

    def _import_one(self, db: sqlite3.Connection, item: dict, source: Path) -> None:
        uid = uuid.UUID(hex=item["uid"]).hex  # also refuses a uid that is not one, so it is safe as a folder name
        appeal_id = db.execute(
            "INSERT INTO appeals (uid, person, plan, plan_type, created, closed) VALUES (?, ?, ?, ?, ?, ?)",
            (uid, item.get("person"), item.get("plan"), item.get("plan_type"),
             date.fromisoformat(item["created"]).isoformat(), _iso_or_none(item.get("closed"))),
        ).lastrowid
        for letter in item["letters"]:
            case = casefile.from_data(letter["case"], f"the export's appeal {item['uid']}")
            letter_id = db.execute(
                "INSERT INTO letters (appeal_id, level, kind, step, sent, method, case_json, received) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (appeal_id, int(letter["level"]), str(letter["kind"]), Step(letter["step"]).value,
                 date.fromisoformat(letter["sent"]).isoformat(), letter.get("method"),
                 json.dumps(casefile.to_data(case)), _iso_or_none(letter.get("received"))),
            ).lastrowid
            copies = {key: self._import_file(source, uid, letter.get(key)) for key in ("case_file", "packet_file")}
            db.execute("UPDATE letters SET case_file = ?, packet_file = ? WHERE id = ?",
                       (copies["case_file"], copies["packet_file"], letter_id))
            for outcome in letter.get("outcomes") or []:
                db.execute(
                    "INSERT INTO outcomes (letter_id, result, date, notice_file, quote, reference) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (letter_id, Result(outcome["result"]).value, date.fromisoformat(outcome["date"]).isoformat(),
                     self._import_file(source, uid, outcome.get("notice_file")), outcome.get("quote"),
                     outcome.get("reference")),
                )
        for note in item.get("notes") or []:
            db.execute("INSERT INTO notes (appeal_id, written, text) VALUES (?, ?, ?)",
                       (appeal_id, date.fromisoformat(note["written"]).isoformat(), str(note["text"])))

    def _import_file(self, source: Path, uid: str, relative: str | None) -> str | None:
        if not relative:
            return None
        name = Path(relative).name
        path = source / FILES_FOLDER / uid / name
        if not path.is_file():
            raise ValueError(f"the copy {relative} is missing from the export")
        return self._keep(uid, name, path.read_bytes())


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
        return UserError("Another appeal command is writing to the tracking record; nothing was changed. "
                         "Try again in a moment.")
    return UserError(f"The tracking record could not be written ({error}); nothing was changed.")


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
        raise UserError(f"{option}: there is no file {path}.")
    if path.is_dir():
        raise UserError(f"{option}: {path} is a folder; give the file that was sent.")
    return loader.read_regular(path, None, name=f"{option} {path}")  # a pipe or a device: named, never opened


def _safe_name(name: str) -> str:
    keep = "".join(character if character.isalnum() or character in "-_." else "-" for character in name)
    return keep.lstrip(".") or "file"


def _plan_label(case: Case) -> str:
    insurance = case.insurance
    name = insurance.insurer or insurance.plan_name or ""
    kind = insurance.plan_type.label if insurance.plan_type else ""
    return f"{name} ({kind})" if name and kind else name or kind


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

