"""How long do I have? Deadlines counted from the case's dates with the cited rules, never guessed.

Where the count needs a date the case does not hold, the report says which one instead of guessing. Where a
rule allows a choice of dates, the earlier (safer) one is used and the reason is stated: a missed deadline
loses the case, an early filing never does.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from appeal.base.language import N_, long_date, ngettext, translate as _
from appeal.cases.case import Case
from appeal.rules.dispute import Step, StepInfo, position
from appeal.rules.rule_book import Deadline, Rule, Topic, all_rules, select, service_timing

WARN_DAYS = 14


def add_months(start: date, months: int, month_end: str = "last_day") -> date:
    """Same day N months later. When that month has no such day: its last day, or, where the rule says so
    (the federal external review, 45 CFR 147.136(d)(2)(i): Oct 30 + 4 months = Mar 1), the next month's first."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day <= last:
        return date(year, month, start.day)
    if month_end == "first_of_next_month":
        return date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, last)


def add_business_days(start: date, days: int) -> date:
    """Weekdays only. Federal holidays are not skipped, so the date is never later than the law's."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass
class Dated:
    """One rule's deadline for this case: the date, or why it could not be counted."""

    rule: Rule
    start: date | None = None
    start_label: str = ""
    due: date | None = None
    missing: str | None = None
    notes: list[str] = field(default_factory=list)

    def days_left(self, today: date) -> int | None:
        return None if self.due is None else (self.due - today).days


@dataclass
class DeadlineReport:
    """Everything `appeal deadline` prints, and what the letters and next steps draw on."""

    today: date
    step: StepInfo | None
    filing: list[Dated]
    decision: list[Rule]
    next_step: StepInfo | None
    next_filing: list[Rule]
    warnings: list[str] = field(default_factory=list)
    # The day the plan must decide by, per decision rule, when the case says when the plan received the request.
    decision_due: dict[str, date] = field(default_factory=dict)
    decision_start: date | None = None
    # Where both the one-level and the two-level decision times are shown: why, and what settles it.
    decision_choice: list[str] = field(default_factory=list)
    # Which external review process applies to this plan type, with its source, and, where it may be the state's
    # or the federal one, why both are shown and who can say (when external review is the step now or next).
    process: list[Rule] = field(default_factory=list)
    process_choice: list[str] = field(default_factory=list)

    @property
    def choosing_now(self) -> bool:
        """Whether `process_choice` is about the step being filed now (external review) rather than the next one."""
        return self.step is not None and self.step.step is Step.external_review

    @property
    def earliest(self) -> Dated | None:
        dated = [item for item in self.filing if item.due]
        return min(dated, key=lambda item: item.due) if dated else None


def _start(case: Case, counted_from: str) -> tuple[date | None, str, str | None, list[str]]:
    """The date a count starts from: (date, what it is, what is missing, notes)."""
    denial = case.denial
    notice_date = denial.notice_date if denial else None
    if counted_from == "notice_date":
        if notice_date:
            return notice_date, _("the date on the notice"), None, []
        return None, "", _("denial.notice_date (the date printed on the denial notice)"), []
    if counted_from in ("notice_received", "decision_notice_received"):
        if denial and denial.received_date:
            return denial.received_date, _("the day the notice reached you"), None, []
        presumed = case.insurance.coverage().presumed_mail_days  # plan_types.yaml, with its source
        if notice_date and presumed:
            return (
                notice_date + timedelta(days=presumed),
                _("the notice date plus {days} days (when the law presumes it arrived)").format(days=presumed),
                None,
                [],
            )
        if notice_date:
            return (
                notice_date,
                _("the date on the notice"),
                None,
                [_("Counted from the date on the notice because the date it reached you is not in the case "
                   "(denial.received_date); the real deadline may be a few days later, never earlier.")],
            )
        return None, "", _("denial.notice_date and denial.received_date (when the notice was dated and arrived)"), []
    return None, "", None, []


def due_date(deadline: Deadline, start: date) -> date:
    """A rule's deadline counted from its start date (a notice, or the day a request reached the plan)."""
    if deadline.unit == "days":
        return start + timedelta(days=deadline.amount)
    if deadline.unit == "months":
        return add_months(start, deadline.amount, deadline.month_end)
    if deadline.unit == "business_days":
        return add_business_days(start, deadline.amount)
    # hours: from the moment of receipt; shown as the calendar day it falls on
    return start + timedelta(hours=deadline.amount)


def count(rule: Rule, case: Case) -> Dated:
    """One filing rule applied to the case's dates."""
    deadline = rule.deadline
    if deadline is None:
        return Dated(rule, notes=[_("This rule sets no fixed number of days here; use the date on your notice.")])
    start, label, missing, notes = _start(case, deadline.counted_from)
    if start is None:
        return Dated(rule, missing=missing)
    due = due_date(deadline, start)
    if deadline.at_least:
        notes.append(_("This is the least time the law allows; your notice may give a later date, which you may "
                       "use."))
    return Dated(rule, start, label, due, None, notes)


def _rules(case: Case, step: Step, topic: Topic) -> list[Rule]:
    return select(case, step, {topic})


def alternatives(items: list[Dated]) -> list[tuple[Dated, Dated]]:
    """The pairs of filing rules that are alternative processes for one step (the state or the federal external
    review): both are shown, each with its condition, never one chosen silently."""
    by_id = {item.rule.id: item for item in items}
    return [(item, by_id[item.rule.alternative]) for item in items if item.rule.alternative in by_id]


def _process_choice(case: Case, rules: list[Rule], dated: list[Dated] = ()) -> list[str]:
    """Why both external review processes are shown, who can say which applies, and the date that is safe either
    way. No list of which state runs which process is kept here: CMS decides and publishes that, and it changes."""
    ids = {rule.id for rule in rules}
    if not any(rule.alternative in ids for rule in rules):
        return []
    from appeal.rules import regulators

    agency = regulators.for_case(case)
    if agency is None or agency.looked_up:
        who = _("your state's department of insurance")
        if not case.insurance.state:
            who += _(" (add the state whose law governs the plan as insurance.state to have it named)")
    else:
        who = agency.name + (f" ({agency.phone})" if agency.phone else "")
    line = _("Both are shown because which one applies depends on the state: CMS decides whether a state's own "
             "process meets the federal standards and lists its decisions at {list}. Your final denial notice should "
             "say which review is yours and how to ask for it; {who} can tell you too.").format(
        list=STATE_PROCESS_LIST, who=who)
    days = [item.due for item in dated if item.due]
    if days:
        when = long_date(min(days))
        line += (_(" Here both come to the same day, {date}.") if len(set(days)) == 1 else
                 _(" Until you know, send it by the earlier date, {date}: it is in time under either process.")
                 ).format(date=when)
    return [line]


# CMS's list of the states whose own external review process meets the federal standards (from its page
# "HHS-Administered Federal External Review Process for Health Insurance Coverage": "To see whether a state's
# external review process meets our standards, go to /cciio/resources/files/external_appeals").
STATE_PROCESS_LIST = "https://www.cms.gov/cciio/resources/files/external_appeals"


def _levels_choice(decision: list[Rule]) -> list[str]:
    """Why both the one-level and the two-level decision times are shown, when the case does not say which."""
    if {rule.levels for rule in decision} >= {"one", "two"}:
        return [_("Both decision times are shown because the case does not say whether the plan has one level of "
                  "internal appeal or two (insurance.internal_appeal_levels): the plan's benefits booklet (summary "
                  "plan description) or the denial notice says. With one level the longer time applies; with two, "
                  "the shorter time applies to each level.")]
    return []


def _decision_dates(case: Case, step: Step, decision: list[Rule]) -> tuple[date | None, dict[str, date]]:
    """When the case's history says the plan received the request for this step: that day, and the day each
    decision rule's count ends."""
    received = [entry.received for entry in case.history
                if entry.step is not None and entry.step.value == step.value and entry.received]
    if not received:
        return None, {}
    start = received[-1]
    return start, {rule.id: due_date(rule.deadline, start) for rule in decision
                   if rule.deadline and rule.deadline.counted_from == "request_received"}


def report(case: Case, today: date | None = None) -> DeadlineReport:
    today = today or date.today()
    where = position(case)
    warnings: list[str] = []
    if case.insurance.plan_type is None:
        warnings.append(_("The plan type is not in the case (insurance.plan_type); these are general rules only."))
    if case.denial is None:
        initial = StepInfo(Step.initial_request,
                           N_("a decision on the claim for payment") if service_timing(case) == "post_service"
                           else N_("a decision on the prior-authorization request"))
        return DeadlineReport(today, initial, [], _rules(case, Step.initial_request, Topic.decision_deadline),
                              where.following, [], warnings)
    step = where.current
    if step is None:
        warnings.append(_("The case has used every appeal step this tool knows for this plan type."))
        return DeadlineReport(today, None, [], [], None, [], warnings)
    filing = [count(rule, case) for rule in _rules(case, step.step, Topic.filing_deadline)]
    targets = {item.rule.alternative for item in filing}  # the federal process after the state's on the same day
    filing.sort(key=lambda item: (item.due is None, item.due or today, item.rule.id in targets))
    later = {second.rule.id for first, second in alternatives(filing) if first.due and second.due and first.due <= second.due}
    for item in filing:
        if item.rule.id in later:  # two processes, one step: warned once, on the earlier date
            continue
        if item.missing:
            warnings.append(_("Cannot count the deadline for {step} without {missing}.").format(
                step=_(step.name), missing=item.missing))
        days = item.days_left(today)
        if days is not None and days < 0:
            warnings.append(_("The deadline of {date} has passed. Ask the plan at once whether it will accept a late "
                              "appeal for good cause, and keep proof.").format(date=long_date(item.due)))
        elif days is not None and days < WARN_DAYS:
            warnings.append(ngettext("Only {days} day left until {date}: send it now, by fax if you can, and keep "
                                     "proof of sending.",
                                     "Only {days} days left until {date}: send it now, by fax if you can, and keep "
                                     "proof of sending.", days).format(days=days, date=long_date(item.due)))
    if not filing:
        warnings.append(_("No deadline rule is known for {step}; use the date on your notice.").format(
            step=_(step.name)))
    following = where.following
    next_filing = _rules(case, following.step, Topic.filing_deadline) if following else []
    if following and not next_filing:
        next_filing = _next_level(case, following.step)
    decision = _rules(case, step.step, Topic.decision_deadline)
    start, due = _decision_dates(case, step.step, decision)
    near = {step.step, following.step if following else None}
    process = _next_level(case, Step.external_review) if Step.external_review in near else []
    if step.step is Step.external_review:
        process_choice = _process_choice(case, [item.rule for item in filing], filing)
    else:
        process_choice = _process_choice(case, next_filing) if following else []
    return DeadlineReport(today, step, filing, decision, following, next_filing, warnings, due, start,
                          _levels_choice(decision), process, process_choice)


def decided_by(report_: DeadlineReport, rule: Rule) -> str:
    """'The plan must decide by December 2, 2026 (counted from November 2, 2026, the day it received the request). '
    when the case says when the plan received it; otherwise nothing (the rule's own words say how long)."""
    due = report_.decision_due.get(rule.id)
    if due is None or report_.decision_start is None:
        return ""
    start = report_.decision_start
    return _("The plan must decide by {date} (counted from {start}, the day it received the request). ").format(
        date=long_date(due), start=long_date(start))


def _next_level(case: Case, step: Step) -> list[Rule]:
    """What the rules say about a step that has no filing rule of its own here (who runs an external review)."""
    return [rule for rule in all_rules() if rule.topic is Topic.next_level
            and rule.applies(case.insurance.coverage().name, step, False, "any")]


@dataclass(frozen=True)
class Event:
    """One all-day calendar event."""

    uid: str
    day: date
    summary: str
    description: str


def calendar_text(events: list[Event], stamp: date) -> str:
    """All-day calendar events (RFC 5545), each with a reminder a week before."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//appeal//deadlines//EN", "CALSCALE:GREGORIAN"]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@appeal",
            f"DTSTAMP:{stamp:%Y%m%d}T000000Z",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(event.summary)}",
            f"DESCRIPTION:{_ics_text(event.description)}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-P7D",
            f"DESCRIPTION:{_ics_text('One week left: ' + event.summary)}",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics(report_: DeadlineReport, case: Case) -> str:
    """The filing deadlines as calendar events."""
    who = case.patient.full_name or "the patient"
    later = {max(pair, key=lambda item: item.due).rule.id for pair in alternatives(report_.filing)
             if all(item.due for item in pair)}  # one date per step: the earlier of two processes, safe under both
    events = [
        Event(f"{item.rule.id}-{item.due:%Y%m%d}", item.due, f"Deadline: {report_.step.name} ({who})",
              f"{item.rule.text} Rule: {item.rule.citation}.")
        for item in report_.filing
        if item.due and item.rule.id not in later
    ]
    return calendar_text(events, report_.today)


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 lines are at most 75 octets; longer ones continue on lines that start with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for character in line:
        piece = character.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)
