"""Recording a letter the person says they sent, in one place for both front ends: the terminal's last question
after drafting and the browser's "I sent it" make the same record `appeal track add` makes.

Each front end asks in its own way (a prompt, a form) and names the refused fields in its own words
(appeal.tracking.store.FieldError); what is kept and what the plan must decide by is decided here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.tracking.status import Status, status
from appeal.tracking.store import AlreadySent, open_store


@dataclass(frozen=True)
class Recorded:
    """A letter just recorded: its tracked appeal, where that stands now, and what opening the record found (a
    damaged file moved aside) to tell the person."""

    appeal_id: int
    status: Status
    notices: list[str]
    already: bool = False  # recorded before (the same letter or packet): this is that record, nothing was added


def sent_keys(kind: str, case_bytes: bytes, sent: bytes | None) -> tuple[str, ...]:
    """What identifies a letter sent: its kind with its case file (the same answers make the same letter, on any
    day and in any window) and the very file sent, when it is in hand (the same letter or PDF)."""
    keys = [f"letter:{kind}:{hashlib.sha256(case_bytes).hexdigest()}"]
    return tuple(keys + ([f"sent:{hashlib.sha256(sent).hexdigest()}"] if sent is not None else []))


def record_sent(case: Case, sent: date, *, kind: str, method: str | None, case_path: Path | None,
                packet: Path | tuple[str, bytes], today: date | None = None, once: bool = False) -> Recorded:
    """Record a sent letter as a new tracked appeal, with a copy of the case file as the person keeps it (or of the
    case as YAML when there is no file) and of what was sent: the letter or packet, as a file or as (name, bytes).
    With `once` (the browser's "I sent it"), the same letter or packet recorded before gives that record back
    (`already`) instead of a second one."""
    today = today or date.today()
    case_path = Path(case_path) if case_path else None
    case_bytes = case_path.read_bytes() if case_path and case_path.is_file() else None
    suffix = (case_path.suffix.lower() or ".yaml") if case_path and case_bytes is not None else ".yaml"
    keys: tuple[str, ...] = ()
    if once:
        keys = sent_keys(kind, case_bytes if case_bytes is not None else casefile.dumps(case).encode("utf-8"),
                         packet[1] if isinstance(packet, tuple) else None)
    already = False
    with open_store() as store:
        try:
            appeal_id, _ = store.add(case, sent, kind=kind, method=method, case_bytes=case_bytes, case_suffix=suffix,
                                     packet=packet, today=today, keys=keys)
        except AlreadySent as found:
            appeal_id, already = found.appeal_id, True
        now = status(store.get(appeal_id), today)
    return Recorded(appeal_id, now, store.notices, already)
