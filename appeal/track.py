"""Tracking every appeal: what was sent and when, what the plan must answer by, what came back, and the next level.

The record is one SQLite file in the user's data folder, read and written with the standard library's sqlite3:
a single owner-only file, real transactions and several writers at once (a provider's terminals, a batch) with
no server and no new dependency. The schema is four small tables, so an ORM would add more than it saves; its
version is SQLite's own `PRAGMA user_version`, and numbered migrations bring an older file up to date in one
transaction. Beside the file, `files/` keeps a copy of each case and each letter or packet as it was sent.

Every date that matters (the plan's decision deadline, the next level and its filing deadline, what a missed
deadline allows) comes from the same dispute-step rules the letters use, through the adapter functions below.
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

from pydantic import ValidationError

from appeal import casefile, deadlines
from appeal.case import Case, Decision, Denial, HistoryEntry, ReviewLevel, SendMethod, SentStep
from appeal.errors import UserError
from appeal.fields import format_date, parse_date
from appeal.next_steps import COMPLAINT_RULE_IDS, IF_LATE_FALLBACK, LATE_OPENS_NEXT_LEVEL_RULE_IDS, if_late_rules
from appeal.rules import Rule, Step, Topic
from appeal.safe_write import write_bytes

DATABASE_NAME = "track.db"
FILES_FOLDER = "files"
EXPORT_NAME = "appeals.json"
EXPORT_FORMAT = "appeal-track-export"
BUSY_TIMEOUT_MS = 30_000


class Result(StrEnum):
    approved = "approved"
    denied = "denied"
    partial = "partial"
    no_answer = "no-answer"


METHODS = ("fax", "mail", "portal", "email", "hand")


# --------------------------------------------------------------------------------------------------------------
# Adapter: the one place this module asks the dispute-step calculator (appeal/dispute.py) and the deadline rules
# (appeal/deadlines.py, rules.py) anything.


def _letter_step(case: Case, kind: str) -> Step:
    """The step of the dispute a letter of this kind starts, from the dispute-step calculator the letters use."""
    from appeal import dispute, kinds

    letter_kind = kinds.get(kind)
    if letter_kind.starts == "none":
        raise UserError(f"A {kind} letter starts no step of the dispute, so it has no decision date to track. Add it "
                        "to the appeal it belongs to as a note: appeal track note ID TEXT")
    return dispute.letter_step(case, letter_kind) or Step.later_levels  # None: every known step is used


def _step_name(case: Case, step: Step) -> str:
    from appeal import dispute

    if step is Step.initial_request:
        return "a decision on the prior-authorization request"
    found = [info.name for info in dispute.steps_for(case.insurance.plan_type) if info.step is step]
    return found[0] if found else step.value.replace("_", " ")


def _decision_rules(case: Case, step: Step) -> list[Rule]:
    from appeal.rules import select

    return [rule for rule in select(case, step, {Topic.decision_deadline}) if rule.deadline]


def _next_level(case: Case, today: date) -> deadlines.DeadlineReport:
    return deadlines.report(case, today)


def _step_after_internal(case: Case):
    """Where deemed exhaustion leads: the first step that is not the plan's own review (a dispute.StepInfo)."""
    from appeal import dispute

    internal = {Step.internal_appeal, Step.second_internal_appeal}
    return next((info for info in dispute.steps_for(case.insurance.plan_type) if info.step not in internal), None)


# The letter that starts each step. A state fair hearing and the later levels (a lawsuit, the Medicare Appeals
# Council) have no letter kind of their own: they are named with their deadline, not drafted.
_KIND_FOR_STEP = {
    Step.initial_request: "prior-auth",
    Step.internal_appeal: "appeal",
    Step.second_internal_appeal: "appeal",
    Step.external_review: "external-review",
}
# How far the dispute has gone once the step's decision is a no.
_LEVEL_AFTER = {
    Step.initial_request: ReviewLevel.initial,
    Step.internal_appeal: ReviewLevel.first_internal,
    Step.second_internal_appeal: ReviewLevel.final_internal,
    Step.external_review: ReviewLevel.external,
    Step.fair_hearing: ReviewLevel.external,
    Step.later_levels: ReviewLevel.external,
}
_LATE_OPENS_NEXT_LEVEL = {Step.initial_request, Step.internal_appeal, Step.second_internal_appeal}


# --------------------------------------------------------------------------------------------------------------
# Where the record lives, and its schema


def store_folder() -> Path:
    """track/ in appeal's per-user data folder (on Linux ~/.local/share/appeal/track), beside drafts and templates."""
    from appeal.folders import user_data

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
            packet: Path | None = None, continues: int | None = None, today: date | None = None) -> tuple[int, int]:
        """Record a sent letter: a new appeal, or the next level of appeal `continues`. Returns (appeal, letter)."""
        today = today or date.today()
        if sent > today:
            raise UserError(f"--sent: {sent:%m/%d/%Y} is in the future; record a letter once it is sent.")
        notice = case.denial.notice_date if case.denial else None
        if notice and sent < notice:
            raise UserError(f"--sent: {sent:%m/%d/%Y} is before the denial notice it answers "
                            f"({notice:%m/%d/%Y}, denial.notice_date in the case).")
        if received and received < sent:
            raise UserError("--received: the plan cannot have received the letter before it was sent.")
        if method and method not in METHODS:
            raise UserError(f"--method: '{method}' is not one of {', '.join(METHODS)}.")
        kind = kind or case.letter_kind or ("appeal" if case.denial else "prior-auth")
        from appeal import kinds

        kinds.get(kind)  # an unknown kind is a clear error here, not a surprise at the next draft
        packet_bytes = _read_input(packet, "--packet") if packet else None
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
            packet_file = self._keep(uid, f"{letter_id}-sent-{packet.name}", packet_bytes) if packet else None
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
            raise UserError(f"--date: {when:%m/%d/%Y} is in the future.")
        if when < letter.sent:
            raise UserError(f"--date: {when:%m/%d/%Y} is before the letter was sent ({letter.sent:%m/%d/%Y}).")
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
            raise UserError(f"{target} is not empty. Choose an empty or new folder, or add --force.")
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
# Where each appeal stands


@dataclass
class Status:
    """One open appeal as `appeal status` shows it."""

    appeal: Appeal
    level: str  # the step the last letter started, in words
    sent: date
    waiting: bool  # no decision yet
    decision_due: date | None = None
    decision_rules: list[Rule] = field(default_factory=list)
    overdue: bool = False
    next_step: str | None = None  # what to file next (after a no, or when the plan is late)
    next_kind: str | None = None  # the letter `appeal draft --from-track` writes for it
    next_due: date | None = None
    next_rules: list[Rule] = field(default_factory=list)
    meaning: list[str] = field(default_factory=list)  # what a missed deadline or a no means, with citations
    notes: list[str] = field(default_factory=list)
    today: date = field(default_factory=date.today)

    @property
    def closed(self) -> bool:
        return self.appeal.closed is not None

    @property
    def watch(self) -> date | None:
        """The date that matters now: the plan's deadline while waiting, the person's own after a no."""
        if self.waiting and not self.overdue:
            return self.decision_due
        return self.next_due or (self.decision_due if self.overdue else None)

    @property
    def days_left(self) -> int | None:
        return None if self.watch is None else (self.watch - self.today).days

    def urgency(self) -> tuple:
        """Overdue decisions and passed deadlines first, then the nearest date, then those with no date."""
        needs_action = self.overdue or (not self.waiting and not self.closed)
        days = self.days_left
        return (self.closed, days is None, days if days is not None else 0, not needs_action, self.appeal.id)


def status(appeal: Appeal, today: date | None = None) -> Status:
    today = today or date.today()
    letter = appeal.last
    case = letter.case
    found = Status(appeal, _step_name(case, letter.step), letter.sent, waiting=True, today=today)
    start = letter.received or letter.sent
    found.decision_rules = _decision_rules(case, letter.step)
    dues = [deadlines.due_date(rule.deadline, start) for rule in found.decision_rules]
    if dues:
        # Where rules differ (one appeal level or two), the latest: the plan is late only when every reading agrees.
        found.decision_due = max(dues)
        decided = letter.outcome is not None and letter.outcome.result is not Result.no_answer
        if not letter.received and letter.method == "mail" and not decided:
            found.notes.append("The plan's deadline is counted from the day the letter was mailed; its clock starts "
                               "when the letter arrives (add the date with --received), so it may be a few days later.")
    outcome = letter.outcome
    if appeal.closed:
        found.waiting = False
        return found
    if outcome and outcome.result in (Result.denied, Result.partial):
        found.waiting = False
        _after_no(found, appeal, today)
        return found
    no_answer = outcome is not None and outcome.result is Result.no_answer
    found.overdue = (found.decision_due is not None and today > found.decision_due) or (
        found.decision_due is None and no_answer)
    if found.overdue:
        _when_late(found, appeal, today)
    return found


def _after_no(found: Status, appeal: Appeal, today: date) -> None:
    try:
        case, kind, _ = next_case(appeal, today)
    except UserError as error:  # one odd record must not hide the rest of the list
        found.meaning = [str(error)]
        return
    report = _next_level(case, today)
    if report.step is None:
        found.meaning = report.warnings
        return
    found.next_step, found.next_kind = report.step.name, kind
    found.next_rules = [item.rule for item in report.filing]
    earliest = report.earliest
    found.next_due = earliest.due if earliest else None
    found.meaning = [f"{item.rule.text} [{item.rule.citation}]" for item in report.filing]
    found.notes += [note for item in report.filing for note in item.notes] + report.warnings


def _when_late(found: Status, appeal: Appeal, today: date) -> None:
    case = appeal.last.case
    plan_type = case.insurance.plan_type
    deemed = if_late_rules(plan_type, LATE_OPENS_NEXT_LEVEL_RULE_IDS) if appeal.last.step in _LATE_OPENS_NEXT_LEVEL else []
    complaint = if_late_rules(plan_type, COMPLAINT_RULE_IDS)
    due = format_date(found.decision_due) if found.decision_due else "its deadline"
    found.meaning = [f"No decision came by {due}."]
    if deemed and (step := _step_after_internal(case)):
        # The letters for the next level answer a denial; with no decision at all there is none to answer.
        found.next_step, found.next_kind = step.name, _KIND_FOR_STEP.get(step.step) if case.denial else None
        found.meaning.append(f"When the plan is late, the rules below let you go on to {step.name} now.")
    found.meaning += [f"{rule.text} [{rule.citation}]" for rule in deemed + complaint] or [IF_LATE_FALLBACK]


def next_case(appeal: Appeal, today: date | None = None) -> tuple[Case, str | None, list[str]]:
    """The case for the next letter, with the history filled in: (case, letter kind or None, what was filled).

    After a no, the plan's decision becomes the denial (its date, level, words and reference). After a missed
    deadline, the case stays as it was and the next letter is the one deemed exhaustion allows."""
    today = today or date.today()
    letter = appeal.last
    outcome = letter.outcome
    case = letter.case.model_copy(deep=True)
    filled: list[str] = []
    sent = f"{format_date(letter.sent)}{f' by {letter.method}' if letter.method else ''}"
    if outcome and outcome.result in (Result.denied, Result.partial):
        old = case.denial or Denial()
        quote = outcome.quote
        try:
            case.denial = Denial(
                notice_date=outcome.date, received_date=None, reference=outcome.reference or old.reference,
                reason=old.reason, other_reasons=old.other_reasons, quote=quote,
                level_exhausted=_LEVEL_AFTER[letter.step], reviewer=None,
            )
        except ValidationError as error:  # a decision dated after today's date on this computer
            raise UserError(casefile.describe_validation_error(error, f"the decision of tracked appeal {appeal.id}")) from None

        filled.append(f"The denial is now the plan's decision of {format_date(outcome.date)} on the letter sent "
                      f"{sent}; the next deadline is counted from that date.")
        if old.reasons:
            filled.append(f"The reasons ({', '.join(reason.label for reason in old.reasons)}) are carried over from the "
                          "earlier denial; if the plan gave new ones, change them in the case and draft with --case.")
        if not quote:
            filled.append("The plan's words in this decision are not recorded (add them with `appeal track outcome "
                          "... --quote TEXT`), so the letter leaves a blank to fill in.")
        _enclose(case, f"Copy of my letter of {format_date(letter.sent)} and the plan's decision of "
                       f"{format_date(outcome.date)}")
        report = _next_level(case, today)
        kind = _KIND_FOR_STEP.get(report.step.step) if report.step else None
    else:
        state = status(appeal, today) if outcome is None or outcome.result is Result.no_answer else None
        if state is None or not state.overdue:
            return case, None, filled
        kind = state.next_kind
        filled.append(f"No decision came by {format_date(state.decision_due) if state.decision_due else 'the deadline'} "
                      f"on the letter sent {sent}.")
        proof = f" and proof of sending ({letter.method})" if letter.method else ""
        _enclose(case, f"Copy of my letter of {format_date(letter.sent)}{proof}, to which the plan did not answer in time")
    if kind:
        case.letter_kind = kind
    return case, kind, filled


def history(appeal: Appeal) -> list[HistoryEntry]:
    """The appeal record as the case's history (what was sent, when it arrived, what was decided), for a letter
    that tells the whole story: a complaint to the regulator, a letter to the employer."""
    sent_steps = {step.value for step in SentStep}
    entries = []
    for letter in appeal.letters:
        outcome = letter.outcome
        decided = outcome if outcome and outcome.result is not Result.no_answer else None
        entries.append(HistoryEntry(
            step=SentStep(letter.step.value) if letter.step.value in sent_steps else None,
            sent=letter.sent, method=SendMethod(letter.method) if letter.method else None, received=letter.received,
            decided=decided.date if decided else None, result=Decision(decided.result.value) if decided else None,
        ))
    return entries


def case_with_history(appeal: Appeal, today: date | None = None) -> Case:
    """The tracked appeal's case where it stands now (the plan's last decision as the denial), with its history."""
    case, _, _ = next_case(appeal, today)
    case.history = history(appeal)
    return case


def _enclose(case: Case, line: str) -> None:
    if line not in case.enclosures:
        case.enclosures = [*case.enclosures, line]


def statuses(store: Store, today: date | None = None, include_closed: bool = False) -> list[Status]:
    found = [status(appeal, today) for appeal in store.appeals(include_closed)]
    return sorted(found, key=Status.urgency)


# --------------------------------------------------------------------------------------------------------------
# Output: text, JSON, calendar


def status_data(item: Status) -> dict:
    return {
        "id": item.appeal.id, "person": item.appeal.person, "plan": item.appeal.plan, "level": item.level,
        "sent": item.sent.isoformat(), "closed": item.appeal.closed.isoformat() if item.appeal.closed else None,
        "waiting_for_decision": item.waiting,
        "decision_due": item.decision_due.isoformat() if item.decision_due else None,
        "decision_rules": [{"rule": rule.id, "citation": rule.citation} for rule in item.decision_rules],
        "overdue": item.overdue, "next_step": item.next_step, "next_letter": item.next_kind,
        "next_due": item.next_due.isoformat() if item.next_due else None,
        "next_rules": [{"rule": rule.id, "citation": rule.citation} for rule in item.next_rules],
        "days_left": item.days_left, "meaning": item.meaning, "notes": item.notes,
    }


def status_text(items: list[Status]) -> str:
    if not items:
        return "No open appeals. Record a sent letter with: appeal track add --case FILE --sent DATE"
    blocks = []
    for item in items:
        appeal = item.appeal
        head = f"#{appeal.id}  {appeal.person or 'no name'} - {appeal.plan or 'plan not named'}"
        lines = [head, f"    {item.level}: sent {format_date(item.sent)}"]
        if item.closed:
            lines.append(f"    Approved {format_date(appeal.closed)}. Closed.")
        elif item.waiting:
            if item.decision_due:
                when = _days(item.decision_due, item.today)
                lines.append(f"    Decision due {format_date(item.decision_due)} ({when})"
                             + ("  OVERDUE" if item.overdue else ""))
            else:
                lines.append("    Decision due: no rule known here; use the date on your notice"
                             + ("  OVERDUE (you recorded no answer)" if item.overdue else ""))
        else:
            outcome = appeal.last.outcome
            lines.append(f"    {outcome.result.value.capitalize()} {format_date(outcome.date)}.")
        if item.next_step:
            due = f" by {format_date(item.next_due)} ({_days(item.next_due, item.today)})" if item.next_due else ""
            lines.append(f"    Next: {item.next_step}{due}")
            if item.next_kind:
                lines.append(f"    Draft it: appeal draft --from-track {appeal.id}")
            else:
                lines.append("    (appeal does not draft this one: ask for it as your last notice or the plan's papers say.)")
        lines += [f"    - {line}" for line in item.meaning + item.notes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def history_text(appeal: Appeal) -> str:
    lines = [f"#{appeal.id}  {appeal.person or 'no name'} - {appeal.plan or 'plan not named'}"]
    for letter in appeal.letters:
        how = f" by {letter.method}" if letter.method else ""
        lines.append(f"  {format_date(letter.sent)}  sent {letter.kind}{how} ({_step_name(letter.case, letter.step)})")
        if letter.received:
            lines.append(f"  {format_date(letter.received)}  received by the plan")
        for outcome in letter.outcomes:
            lines.append(f"  {format_date(outcome.date)}  {outcome.result.value}")
        kept = [name for name in (letter.case_file, letter.packet_file) if name]
        kept += [outcome.notice_file for outcome in letter.outcomes if outcome.notice_file]
        lines += [f"      kept: {name}" for name in kept]
    lines += [f"  {format_date(note.written)}  note: {note.text}" for note in appeal.notes]
    return "\n".join(lines)


def _days(day: date, today: date) -> str:
    left = (day - today).days
    if left < 0:
        return f"{-left} day(s) ago"
    return "today" if left == 0 else f"{left} day(s) left"


def calendar(items: list[Status], today: date) -> str:
    """Every open deadline: the plan's decision dates and the person's filing deadlines."""
    events = []
    for item in items:
        who = item.appeal.person or "the patient"
        if item.waiting and item.decision_due and not item.overdue:
            events.append(deadlines.Event(
                f"track-{item.appeal.uid}-{item.appeal.last.id}-decision", item.decision_due,
                f"Decision due: {item.level} ({who})",
                " ".join(f"{rule.text} Rule: {rule.citation}." for rule in item.decision_rules)))
        if item.next_due and item.next_step:
            events.append(deadlines.Event(
                f"track-{item.appeal.uid}-{item.appeal.last.id}-next", item.next_due,
                f"Deadline: {item.next_step} ({who})",
                " ".join(f"{rule.text} Rule: {rule.citation}." for rule in item.next_rules)))
    return deadlines.calendar_text(events, today)


# --------------------------------------------------------------------------------------------------------------
# The questionnaire's last question


def ask_and_record(case: Case, case_path: Path | None, kind: str, letter: Path, today: date | None = None) -> int | None:
    """Asked in a terminal after a letter is written: was it sent? If so it is recorded now (with a copy of the
    case and the letter), so nothing depends on remembering to run `appeal track add` later."""
    import questionary

    today = today or date.today()
    when = questionary.select("Have you sent this letter yet?", choices=[
        questionary.Choice("Not yet (record it when you send it: appeal track add)", value="later"),
        questionary.Choice("Yes, today", value="today"),
        questionary.Choice("Yes, on another day", value="other"),
    ]).unsafe_ask()
    if when == "later":
        return None
    sent = today
    if when == "other":
        def valid(text: str) -> bool | str:
            try:
                day = parse_date(text)
            except ValueError as error:
                return str(error)
            return True if day <= today else "That day is in the future; give the day it was sent."

        sent = parse_date(questionary.text("On what day was it sent? (like 03/14/2026)", validate=valid).unsafe_ask())
    method = questionary.select("How was it sent?", choices=[questionary.Choice(name, value=name) for name in METHODS]
                                + [questionary.Choice("Skip", value=None)]).unsafe_ask()
    case_bytes = Path(case_path).read_bytes() if case_path and Path(case_path).is_file() else None
    suffix = Path(case_path).suffix.lower() if case_bytes else ".yaml"
    with open_store() as store:
        appeal_id, _ = store.add(case, sent, kind=kind, method=method, case_bytes=case_bytes, case_suffix=suffix,
                                 packet=letter, today=today)
    return appeal_id


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def parse_day(value: str, option: str) -> date:
    """A date typed on the command line, in any format the case file accepts."""
    try:
        return parse_date(value)
    except ValueError as error:
        raise UserError(f"{option}: {error}") from None


def _read_input(path: Path, option: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{option}: there is no file {path}.") from None
    except IsADirectoryError:
        raise UserError(f"{option}: {path} is a folder; give the file that was sent.") from None
    except OSError as error:
        raise UserError(f"{option}: {path} cannot be read: {error.strerror}.") from None


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


__all__ = ["open_store", "store_folder", "Store", "Appeal", "Status", "Result", "status", "statuses", "next_case",
           "SCHEMA_VERSION", "MIGRATIONS"]
