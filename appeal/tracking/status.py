"""Where each tracked appeal stands: what the plan must decide by, what a late decision means, the next level
after a no and the case for its letter, and the appeal told as the case's history.

Every date that matters (the plan's decision deadline, the next level and its filing deadline, what a missed
deadline allows) comes from the same dispute-step rules the letters use, through the functions below; the
letter that starts a step is the one the kinds declare (kinds.kind_for_step). The record itself is
appeal/tracking/store.py's; the words for people, appeal/tracking/text.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from appeal.base.errors import UserError
from appeal.base.language import N_
from appeal.cases import casefile
from appeal.cases.case import Case, Decision, Denial, HistoryEntry, ReviewLevel, SendMethod, SentStep
from appeal.cases.fields import format_date
from appeal.letters import kinds
from appeal.rules import deadlines, dispute
from appeal.rules.dispute import Step
from appeal.rules.next_steps import COMPLAINT_RULE_IDS, IF_LATE_FALLBACK, LATE_OPENS_NEXT_LEVEL_RULE_IDS, if_late_rules
from appeal.rules.rule_book import Rule, Topic, select
from appeal.tracking.store import Appeal, Result, Store

# --------------------------------------------------------------------------------------------------------------
# The steps and rules this module asks about (appeal/rules/dispute.py, appeal/rules/rule_book.py)


def step_name(case: Case, step: Step) -> str:
    """The step a letter started, in words ('a decision on the prior-authorization request', 'an internal appeal')."""
    if step is Step.initial_request:
        return "a decision on the prior-authorization request"
    found = [info.name for info in dispute.steps_for(case.insurance.plan_type) if info.step is step]
    return found[0] if found else step.value.replace("_", " ")


def _decision_rules(case: Case, step: Step) -> list[Rule]:
    return [rule for rule in select(case, step, {Topic.decision_deadline}) if rule.deadline]


def _step_after_internal(case: Case):
    """Where deemed exhaustion leads: the first step that is not the plan's own review (a dispute.StepInfo)."""
    internal = {Step.internal_appeal, Step.second_internal_appeal}
    return next((info for info in dispute.steps_for(case.insurance.plan_type) if info.step not in internal), None)


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
    found = Status(appeal, step_name(case, letter.step), letter.sent, waiting=True, today=today)
    start = letter.received or letter.sent
    found.decision_rules = _decision_rules(case, letter.step)
    dues = [deadlines.due_date(rule.deadline, start) for rule in found.decision_rules]
    if dues:
        # Where rules differ (one appeal level or two), the latest: the plan is late only when every reading agrees.
        found.decision_due = max(dues)
        if len(set(dues)) > 1:  # and the person is told the earlier date may be the real one
            found.notes.append(N_("The plan may have less time than this: the rules that may apply give different "
                                  "times, and the case does not say which applies (for an employer plan, one level of "
                                  "internal appeal or two: insurance.internal_appeal_levels, which the plan's benefits "
                                  "booklet or its notice gives). The later date is shown."))
        decided = letter.outcome is not None and letter.outcome.result is not Result.no_answer
        if not letter.received and letter.method == "mail" and not decided:
            found.notes.append(N_("The plan's deadline is counted from the day the letter was mailed; its clock "
                                  "starts when the letter arrives (add the date with --received), so it may be a few "
                                  "days later."))  # said in the reader's language by appeal.tracking.text
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
    report = deadlines.report(case, today)
    if report.step is None:
        found.meaning = report.warnings
        return
    found.next_step, found.next_kind = report.step.name, kind
    found.next_rules = [item.rule for item in report.filing]
    earliest = report.earliest
    found.next_due = earliest.due if earliest else None
    found.meaning = [f"{item.rule.text} [{item.rule.citation}]" for item in report.filing]
    found.notes += [note for item in report.filing for note in item.notes] + report.process_choice + report.warnings


def _when_late(found: Status, appeal: Appeal, today: date) -> None:
    case = appeal.last.case
    plan_type = case.insurance.plan_type
    deemed = if_late_rules(plan_type, LATE_OPENS_NEXT_LEVEL_RULE_IDS) if appeal.last.step in _LATE_OPENS_NEXT_LEVEL else []
    complaint = if_late_rules(plan_type, COMPLAINT_RULE_IDS)
    due = format_date(found.decision_due) if found.decision_due else "its deadline"
    found.meaning = [f"No decision came by {due}."]
    if deemed and (step := _step_after_internal(case)):
        # The letters for the next level answer a denial; with no decision at all there is none to answer.
        found.next_step, found.next_kind = step.name, kinds.kind_for_step(step.step) if case.denial else None
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
        report = deadlines.report(case, today)
        kind = kinds.kind_for_step(report.step.step) if report.step else None
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
