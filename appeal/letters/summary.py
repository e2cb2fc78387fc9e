""""What your letter says" ("Qué dice su carta"): one page, in the person's language, written beside a letter that
stays in English: what the letter asks, by when it must be sent, how long the plan has to answer, and what to do
next. It reads the same facts as `appeal deadline` and `appeal next-steps` (appeal.rules.deadlines, next_steps), so
the three never disagree; it is for the person only and never goes to the plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from appeal.base.language import N_, long_date, translate as _
from appeal.cases.case import Case
from appeal.letters.kinds import LetterKind
from appeal.rules import deadlines
from appeal.rules.dispute import Step
from appeal.rules.next_steps import Section, send_lines, sheet_docx

# How a rule's time is said: its amount and unit (rules.yaml `deadline:`).
_UNITS = {
    "days": (N_("{amount} day"), N_("{amount} days")),
    "business_days": (N_("{amount} business day"), N_("{amount} business days")),
    "months": (N_("{amount} month"), N_("{amount} months")),
    "hours": (N_("{amount} hour"), N_("{amount} hours")),
}


def _time(rule) -> str:
    singular, plural = _UNITS[rule.deadline.unit]
    amount = rule.deadline.amount
    return _(singular if amount == 1 else plural).format(amount=amount)


def sections(case: Case, kind: LetterKind, today: date | None = None) -> list[Section]:
    """The summary's parts: what the letter asks, by when to send it, when the plan must answer, what next."""
    report = deadlines.report(case, today)
    asks = [_(kind.summary)]
    if case.denial is not None and case.denial.reason is not None:
        asks.append(_("It answers the reason the plan gave: {reason}.").format(reason=_(case.denial.reason.label)))
    asks.append(_("It is written in English, which plans and reviewers read; what you typed in Spanish is in it as "
                  "you typed it."))
    found = [Section(_("What your letter asks"), asks)]
    if case.denial is not None and report.step is not None:
        send = [_("For {step}: by {date}, counted from {start}.").format(
                    step=_(report.step.name), date=long_date(item.due), start=item.start_label)
                for item in report.filing if item.due]  # two rules (state, federal) may give the same date
        found.append(Section(_("By when to send it"), list(dict.fromkeys(send)) or [_("Send it as soon as you can.")]))
    # an external review, a fair hearing or a later level is decided by someone else than the plan: the rule's own
    # words name who ('the independent review organization must decide within 45 days')
    beyond_the_plan = report.step is not None and report.step.step in (Step.external_review, Step.fair_hearing,
                                                                        Step.later_levels)
    answer = []
    for rule in report.decision:
        if rule.deadline is None or rule.deadline.counted_from != "request_received":
            continue
        due = report.decision_due.get(rule.id)
        if beyond_the_plan:
            said = rule.said
        elif due:
            said = _("The plan must decide by {date} ({time} after it received your letter).").format(
                date=long_date(due), time=_time(rule))
        else:
            said = _("The plan has {time} after it receives your letter to decide.").format(time=_time(rule))
        answer.append(f"{said} [{rule.citation}]")
    if answer:
        heading = _("When the answer must come") if beyond_the_plan else _("When the plan must answer")
        found.append(Section(heading, list(dict.fromkeys(answer)) + report.decision_choice))
    then = send_lines(case)
    if report.next_step:
        then.append(_("If the plan says no again, the next step is {step}.").format(step=_(report.next_step.name)))
    then.append(_("For every step, dates and rules: appeal next-steps and appeal deadline."))
    found.append(Section(_("What to do now"), then))
    return found


def as_docx(found: list[Section], case: Case) -> bytes:
    """The summary as a one-page Word document, kept beside the letter."""
    from appeal.base.xml_text import xml_safe

    who = case.patient.full_name or _("the patient")
    return sheet_docx(_("What your letter says: {who}").format(who=xml_safe(who)), found, font_points=11)


def path_beside(letter: Path) -> Path:
    """Where the summary of a letter is kept: beside it, named after it ('...-que-dice-su-carta.docx' in Spanish)."""
    name = _("what-your-letter-says")  # a file name: a few words, no spaces
    return letter.with_name(f"{letter.stem}-{name}.docx")
