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
# L_ marks a literal for the `letters` catalog; in_letter translates data and marked constants
from appeal.base.letter_language import LN_, long_date, translate as L_, translate as in_letter
from appeal.rules import dispute
from appeal.rules.deadlines import due_date
from appeal.rules.dispute import Step
from appeal.rules.rule_book import Rule, Topic, select

# Sent this way, a request reaches the plan the day it is sent; by mail the day it arrived must be given.
SAME_DAY = {SendMethod.fax, SendMethod.portal, SendMethod.email, SendMethod.hand}
# The plan's own decisions: an external review is decided by an independent reviewer, not by the plan.
PLAN_DECIDES = {SentStep.initial_request, SentStep.internal_appeal, SentStep.second_internal_appeal}
# What the denial notice was, as the timeline says it: '{words} {treatment}{reference}, in a notice of this date.'
DENIAL_WORDS = {
    ReviewLevel.initial: LN_("The plan denied {treatment}{reference}, in a notice of this date."),
    ReviewLevel.first_internal: LN_("The plan upheld its denial, on internal appeal, of {treatment}{reference}, in a "
                                    "notice of this date."),
    ReviewLevel.final_internal: LN_("The plan upheld its denial, at its final internal level, of "
                                    "{treatment}{reference}, in a notice of this date."),
    ReviewLevel.external: LN_("The external reviewer upheld the denial of {treatment}{reference}, in a notice of "
                              "this date."),
}

# A deadline's unit as a breach says it ('30 days', '72 hours', '60 calendar days').
UNITS = {"days": LN_("days"), "hours": LN_("hours"), "business_days": LN_("business days"), "months": LN_("months")}


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
        return entry.sent, " " + L_("(sent by {method} that day)").format(method=entry.method.label)
    return None, ""


def _what(case: Case, entry: HistoryEntry) -> str:
    """What was sent, in this plan's words: 'the internal appeal', or for Medicare 'the request for reconsideration'."""
    if entry.step is None:
        return L_("the request")
    titles = [info.title for info in dispute.steps_for(case.insurance.plan_type) if info.step.value == entry.step.value]
    if titles and titles[0] != "Appeal":
        # TRANSLATORS: {title} is the step's title in lower case ('request for reconsideration')
        return L_("the {title}").format(title=in_letter(titles[0]).lower())
    return entry.step.label


def timeline(case: Case, today: date, breaches: list[Breach] | None = None) -> list[Event]:
    """The dispute in date order: the denial, each request or appeal sent, received and decided, and each
    decision that was due and did not come."""
    treatment = case.treatment.display_name or L_("the requested treatment")
    events: list[Event] = []
    decided_days = {entry.decided for entry in case.history if entry.decided}
    denial = case.denial
    if denial and denial.notice_date and denial.notice_date not in decided_days:
        words = DENIAL_WORDS.get(denial.level_exhausted or ReviewLevel.initial, DENIAL_WORDS[ReviewLevel.initial])
        reference = " " + L_("(reference {reference})").format(reference=denial.reference) if denial.reference else ""
        events.append(Event(denial.notice_date, in_letter(words).format(treatment=treatment, reference=reference)))
    if denial and denial.received_date and denial.notice_date and denial.received_date != denial.notice_date:
        events.append(Event(denial.received_date, L_("The denial notice arrived.")))
    for entry in case.history:
        what = _what(case, entry)
        if entry.sent:
            sent = (L_("{what} was sent to the plan by {method}.").format(what=what, method=entry.method.label)
                    if entry.method else L_("{what} was sent to the plan.").format(what=what))
            events.append(Event(entry.sent, sent[0].upper() + sent[1:]))
        if entry.received and entry.received != entry.sent:
            events.append(Event(entry.received, L_("The plan received {what}.").format(what=what)))
        if entry.decided:
            events.append(Event(entry.decided, _decided(entry, what)))
        if entry.note:
            events.append(Event(entry.sent or entry.decided or today, " ".join(entry.note.split())))
    events += [Event(breach.due, breach.short) for breach in breaches or []]
    return sorted(events, key=lambda event: event.day)


def _decided(entry: HistoryEntry, what: str) -> str:
    """'The plan denied the internal appeal.', 'The external reviewer approved ...': one sentence each, so that a
    translation can make the verb agree."""
    if entry.step is SentStep.external_review:
        said = {Decision.approved: LN_("The external reviewer approved {what}."),
                Decision.denied: LN_("The external reviewer denied {what}."),
                Decision.partial: LN_("The external reviewer partly approved {what}.")}
        otherwise = LN_("The external reviewer decided {what}.")
    else:
        said = {Decision.approved: LN_("The plan approved {what}."), Decision.denied: LN_("The plan denied {what}."),
                Decision.partial: LN_("The plan partly approved {what}.")}
        otherwise = LN_("The plan decided {what}.")
    return in_letter(said.get(entry.result, otherwise)).format(what=what)


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
            outcome = L_("No decision had come by {date}, {days} days after it was due").format(
                date=long_date(today), days=(today - due).days)
            short = L_("The plan's decision on {what} was due ({citation}); none came.").format(
                what=_what(case, entry), citation=rule.citation)
        elif decided is not None and decided > due:
            outcome = L_("The decision came on {date}, {days} days after it was due").format(
                date=long_date(decided), days=(decided - due).days)
            short = L_("The plan's decision on {what} was due ({citation}); it came late.").format(
                what=_what(case, entry), citation=rule.citation)
        else:
            continue
        deadline = rule.deadline
        unit = in_letter(UNITS.get(deadline.unit, deadline.unit.replace("_", " ")))
        text = L_("The plan received {what} on {date}{how}. {rule} ({citation}; source: {source}). Counted from that "
                  "day, {amount} {unit} ran to {due}. {outcome}.").format(
            what=_what(case, entry), date=long_date(start), how=how, rule=in_letter(rule.letter_text or rule.text),
            citation=rule.citation, source=rule.source_url, amount=deadline.amount, unit=unit, due=long_date(due),
            outcome=outcome)
        found.append(Breach(rule, " ".join(text.split()), due, short))
    return found
