"""What a complaint to a regulator states: the dispute's timeline, and the rules the case's own dates show the plan
broke. Nothing is claimed that the dates do not show.

The timeline comes from the denial and `case.history` (what was sent, received and decided; `appeal draft
--from-track` fills it from the appeal record). A missed decision deadline is claimed only when the day the plan
received the request is known (its `received` date, or the day it was faxed, uploaded, emailed or handed over),
counted with the decision-deadline rules of appeal/data/rules.yaml for that step; where readings differ (a plan
with one appeal level or two) the latest due date is used, so the plan is called late only when every reading
agrees, and only from a rule whose figure was read in a primary source (`seen_in` not 'secondary').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from appeal.cases.case import Case, Decision, HistoryEntry, ReviewLevel, SendMethod, SentStep
from appeal.cases.fields import format_date
from appeal.rules import dispute
from appeal.rules.deadlines import due_date
from appeal.rules.dispute import Step
from appeal.rules.rule_book import Rule, Topic, select

# Sent this way, a request reaches the plan the day it is sent; by mail the day it arrived must be given.
SAME_DAY = {SendMethod.fax, SendMethod.portal, SendMethod.email, SendMethod.hand}
# The plan's own decisions: an external review is decided by an independent reviewer, not by the plan.
PLAN_DECIDES = {SentStep.initial_request, SentStep.internal_appeal, SentStep.second_internal_appeal}
DENIAL_WORDS = {
    ReviewLevel.initial: "The plan denied",
    ReviewLevel.first_internal: "The plan upheld its denial, on internal appeal, of",
    ReviewLevel.final_internal: "The plan upheld its denial, at its final internal level, of",
    ReviewLevel.external: "The external reviewer upheld the denial of",
}


@dataclass(frozen=True)
class Event:
    day: date
    text: str


@dataclass(frozen=True)
class Breach:
    """A rule the case's dates show the plan did not keep."""

    rule: Rule
    text: str  # the whole point, with its citation and source
    due: date
    short: str  # the line the timeline shows on the due date


def _received(entry: HistoryEntry) -> tuple[date | None, str]:
    """The day the plan received it, and how that is known; None when it cannot be told (mailed, no receipt date)."""
    if entry.received:
        return entry.received, ""
    if entry.sent and entry.method in SAME_DAY:
        return entry.sent, f" (sent by {entry.method.label} that day)"
    return None, ""


def _what(case: Case, entry: HistoryEntry) -> str:
    """What was sent, in this plan's words: 'the internal appeal', or for Medicare 'the request for reconsideration'."""
    if entry.step is None:
        return "the request"
    titles = [info.title for info in dispute.steps_for(case.insurance.plan_type) if info.step.value == entry.step.value]
    return f"the {titles[0].lower()}" if titles and titles[0] != "Appeal" else entry.step.label


def timeline(case: Case, today: date, breaches: list[Breach] | None = None) -> list[Event]:
    """The dispute in date order: the denial, each request or appeal sent, received and decided, and each
    decision that was due and did not come."""
    treatment = case.treatment.display_name or "the requested treatment"
    events: list[Event] = []
    decided_days = {entry.decided for entry in case.history if entry.decided}
    denial = case.denial
    if denial and denial.notice_date and denial.notice_date not in decided_days:
        words = DENIAL_WORDS.get(denial.level_exhausted or ReviewLevel.initial, DENIAL_WORDS[ReviewLevel.initial])
        reference = f" (reference {denial.reference})" if denial.reference else ""
        events.append(Event(denial.notice_date, f"{words} {treatment}{reference}, in a notice of this date."))
    if denial and denial.received_date and denial.notice_date and denial.received_date != denial.notice_date:
        events.append(Event(denial.received_date, "The denial notice arrived."))
    for entry in case.history:
        what = _what(case, entry)
        if entry.sent:
            how = f" by {entry.method.label}" if entry.method else ""
            events.append(Event(entry.sent, f"{what[0].upper()}{what[1:]} was sent to the plan{how}."))
        if entry.received and entry.received != entry.sent:
            events.append(Event(entry.received, f"The plan received {what}."))
        if entry.decided:
            result = {Decision.approved: "approved", Decision.denied: "denied",
                      Decision.partial: "partly approved"}.get(entry.result, "decided")
            reviewer = "The external reviewer" if entry.step is SentStep.external_review else "The plan"
            events.append(Event(entry.decided, f"{reviewer} {result} {what}."))
        if entry.note:
            events.append(Event(entry.sent or entry.decided or today, " ".join(entry.note.split())))
    events += [Event(breach.due, breach.short) for breach in breaches or []]
    return sorted(events, key=lambda event: event.day)


def breaches(case: Case, today: date) -> list[Breach]:
    """Each decision deadline the plan missed, as its dates show: no decision by the due date, or a late one."""
    found = []
    for entry in case.history:
        if entry.step not in PLAN_DECIDES:
            continue
        start, how = _received(entry)
        if start is None:
            continue
        rules = [rule for rule in select(case, Step(entry.step.value), {Topic.decision_deadline}) if rule.deadline]
        if not rules:
            continue
        due = max(due_date(rule.deadline, start) for rule in rules)
        # cited only from a rule whose figure was read in a primary source (or a verbatim copy of one)
        confirmed = [rule for rule in rules if due_date(rule.deadline, start) == due and rule.seen_in != "secondary"]
        if not confirmed:
            continue
        rule = confirmed[0]
        decided = entry.decided
        if decided is None and today > due:
            outcome = f"No decision had come by {format_date(today)}, {(today - due).days} days after it was due"
            short = f"The plan's decision on {_what(case, entry)} was due ({rule.citation}); none came."
        elif decided is not None and decided > due:
            outcome = f"The decision came on {format_date(decided)}, {(decided - due).days} days after it was due"
            short = f"The plan's decision on {_what(case, entry)} was due ({rule.citation}); it came late."
        else:
            continue
        deadline = rule.deadline
        unit = deadline.unit.replace("_", " ")
        text = (f"The plan received {_what(case, entry)} on {format_date(start)}{how}. {rule.letter_text or rule.text} "
                f"({rule.citation}; source: {rule.source_url}). Counted from that day, {deadline.amount} {unit} ran "
                f"to {format_date(due)}. {outcome}.")
        found.append(Breach(rule, " ".join(text.split()), due, short))
    return found
