"""Tracked appeals in words: `appeal status` and `appeal track show` for people, `appeal status --json` for
programs, and `--ics` for a calendar. What the dates are is appeal/tracking/status.py's; this module only says them."""

from __future__ import annotations

from datetime import date

from appeal.base.language import N_, long_date, ngettext, translate as _
from appeal.rules import deadlines
from appeal.tracking.status import Status, step_name
from appeal.tracking.store import Appeal


def status_data(item: Status) -> dict:
    """One appeal's status as `appeal status --json` prints it."""
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
    """`appeal status`: each appeal with where it stands, its next date and what that date means."""
    if not items:
        return _("No open appeals. Record a sent letter with: appeal track add --case FILE --sent DATE")
    blocks = []
    for item in items:
        appeal = item.appeal
        head = f"#{appeal.id}  {appeal.person or _('no name')} - {appeal.plan or _('plan not named')}"
        lines = [head, "    " + _("{level}: sent {date}").format(level=_(item.level), date=long_date(item.sent))]
        if item.closed:
            lines.append("    " + _("Approved {date}. Closed.").format(date=long_date(appeal.closed)))
        elif item.waiting:
            if item.decision_due:
                when = _days(item.decision_due, item.today)
                lines.append("    " + _("Decision due {date} ({when})").format(date=long_date(item.decision_due),
                                                                          when=when)
                             + ("  " + _("OVERDUE") if item.overdue else ""))
            else:
                lines.append("    " + _("Decision due: no rule known here; use the date on your notice")
                             + ("  " + _("OVERDUE (you recorded no answer)") if item.overdue else ""))
        else:
            outcome = appeal.last.outcome
            lines.append("    " + _(_OUTCOMES[outcome.result.value]).format(date=long_date(outcome.date)))
        if item.next_step:
            due = (_(" by {date} ({when})").format(date=long_date(item.next_due), when=_days(item.next_due, item.today))
                   if item.next_due else "")
            lines.append("    " + _("Next: {step}").format(step=_(item.next_step)) + due)
            if item.next_kind:
                lines.append("    " + _("Draft it: appeal draft --from-track {id}").format(id=appeal.id))
            else:
                lines.append("    " + _("(appeal does not draft this one: ask for it as your last notice or the plan's "
                                      "papers say.)"))
        lines += [f"    - {_(line)}" for line in item.meaning + item.notes]  # a note marked N_() in its language
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# The results `track outcome` records and how a letter was sent, as the person reads them (the record keeps the name).
RESULT_WORDS = {"approved": N_("approved"), "denied": N_("denied"), "partial": N_("partial"),
                "no-answer": N_("no-answer")}
METHOD_WORDS = {"fax": N_("fax"), "mail": N_("mail"), "portal": N_("portal"), "email": N_("email"),
                "hand": N_("hand")}


def history_text(appeal: Appeal) -> str:
    """`appeal track show`: every letter, answer, kept copy and note of one appeal, in order."""
    lines = [f"#{appeal.id}  {appeal.person or _('no name')} - {appeal.plan or _('plan not named')}"]
    for letter in appeal.letters:
        step = _(step_name(letter.case, letter.step))
        sent = (_("sent {kind} by {method} ({step})").format(
            kind=letter.kind, method=_(METHOD_WORDS.get(letter.method, letter.method)), step=step)
            if letter.method else _("sent {kind} ({step})").format(kind=letter.kind, step=step))
        lines.append(f"  {long_date(letter.sent)}  {sent}")
        if letter.received:
            lines.append(f"  {long_date(letter.received)}  " + _("received by the plan"))
        for outcome in letter.outcomes:
            result = outcome.result.value
            lines.append(f"  {long_date(outcome.date)}  {_(RESULT_WORDS.get(result, result))}")
        kept = [name for name in (letter.case_file, letter.packet_file) if name]
        kept += [outcome.notice_file for outcome in letter.outcomes if outcome.notice_file]
        lines += ["      " + _("kept: {name}").format(name=name) for name in kept]
    lines += [f"  {long_date(note.written)}  " + _("note: {text}").format(text=note.text) for note in appeal.notes]
    return "\n".join(lines)


# An answer recorded, as `appeal status` says it (the result, capitalized, and its date).
_OUTCOMES = {"approved": N_("Approved {date}."), "denied": N_("Denied {date}."), "partial": N_("Partial {date}.")}


def _days(day: date, today: date) -> str:
    left = (day - today).days
    if left < 0:
        return ngettext("{days} day ago", "{days} days ago", -left).format(days=-left)
    return _("today") if left == 0 else ngettext("{days} day left", "{days} days left", left).format(days=left)


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
