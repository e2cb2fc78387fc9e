"""What happens next, in plain words: where and how to send the letter, by when, what to enclose, and what to
do if the plan misses its deadline or says no again. Printed after a letter is written, by
`appeal next-steps`, and as a one-page .docx."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from appeal.base.language import N_, long_date, ngettext, translate as _
from appeal.cases import plan_types
from appeal.cases.case import Case, PlanType
from appeal.rules import deadlines
from appeal.rules.rule_book import all_rules

# Rules that say what to do when the plan does not keep to the rules, by plan type: those that let the person go
# straight to the next level (deemed exhaustion, each plan type under its own agency's rule; FEHB's review by OPM
# when the carrier does not answer in time), and those that name a regulator to complain to.
DEEMED_EXHAUSTION_RULE_IDS = ("erisa-deemed-exhaustion", "insured-group-deemed-exhaustion", "individual-deemed-exhaustion")
LATE_OPENS_NEXT_LEVEL_RULE_IDS = DEEMED_EXHAUSTION_RULE_IDS + ("mmc-exhaustion-and-deemed-exhaustion", "fehb-opm-review")
COMPLAINT_RULE_IDS = ("fully-insured-state-complaint",)
IF_LATE_FALLBACK = N_("Call the plan, ask for the status in writing, and note the date; its decision notice must tell "
                      "you the next step and its deadline.")


def if_late_rules(plan_type: PlanType | None, ids: tuple[str, ...] = LATE_OPENS_NEXT_LEVEL_RULE_IDS + COMPLAINT_RULE_IDS):
    """The rules (of those named by `ids`) that say what this plan type's member may do when the plan is late."""
    name = plan_types.of(plan_type).name
    return [rule for rule in all_rules() if rule.id in ids and name in rule.plan_types]


@dataclass
class Section:
    heading: str
    lines: list[str]


def send_lines(case: Case) -> list[str]:
    """Where and how to send the letter, and to keep proof: the next steps and the letter's summary say it."""
    fax, address = case.insurance.appeals_fax, case.insurance.appeals_address
    lines = []
    if fax:
        lines.append(_("Fax it to {fax} and keep the fax confirmation page: it proves the date you sent it.").format(
            fax=fax))
    if address:
        flat = ", ".join(part.strip() for part in address.splitlines() if part.strip())
        lines.append((_("Or mail it to {address}, by certified mail with a return receipt.") if fax else
                      _("Mail it to {address}, by certified mail with a return receipt.")).format(address=flat))
    if not (fax or address):
        if case.denial is not None:
            where = _("the appeals address or fax number printed on your denial notice")
        elif case.treatment.services or case.treatment.dates_of_service:
            where = _("the claims address on the back of your member ID card or on the plan's claim form")
        else:
            where = _("the plan's prior-authorization fax number or address (on the back of the member ID card)")
        lines.append(_("Send it to {where}, and keep proof of sending (a fax confirmation, or a certified-mail "
                       "receipt).").format(where=where))
    lines.append(_("Keep a copy of everything you send, and write down the date and the name of anyone you talk "
                   "to."))
    return lines


def _by_when(report: deadlines.DeadlineReport) -> list[str]:
    if report.step is None:
        return [_("The case has used every appeal step this tool knows; read your last decision notice for options.")]
    if not report.filing:
        return [rule.said for rule in report.decision] or [_("Send it as soon as you can.")]
    lines = []
    step = _(report.step.name)
    for item in report.filing:
        if item.due:
            left = item.days_left(report.today)
            when = (ngettext("{date} ({days} day from today)", "{date} ({days} days from today)", left).format(
                date=long_date(item.due), days=left) if left is not None and left >= 0 else long_date(item.due))
            lines.append(_("For {step}: by {when}, counted from {start}.").format(
                step=step, when=when, start=item.start_label) + f" {item.rule.said} [{item.rule.citation}]")
        elif item.missing:
            lines.append(_("For {step}: {rule} (add {missing} to count the date)").format(
                step=step, rule=item.rule.said, missing=item.missing) + f" [{item.rule.citation}]")
        else:
            lines.append(_("For {step}: {rule}").format(step=step, rule=item.rule.said) + f" [{item.rule.citation}]")
    return lines


def sections(case: Case, enclosures: list[str], today: date | None = None, suggested: list[str] = ()) -> list[Section]:
    report = deadlines.report(case, today)
    found = [Section(_("Where and how to send it"), send_lines(case))]
    if case.denial is not None:
        found.append(Section(_("By when"), _by_when(report) + (report.process_choice if report.choosing_now else [])))
    if enclosures:
        found.append(Section(_("What to send with it"), enclosures))
    if suggested:
        found.append(Section(
            _("Worth sending too, if you can get them (the letter lists only what you said you have: add each one "
              "you get under 'Documents to send with the letter' and write the letter again)"), list(suggested)))
    if report.decision:
        found.append(Section(_("When the plan must answer"), [
            f"{deadlines.decided_by(report, rule)}{rule.said} [{rule.citation}]" for rule in report.decision
        ] + report.decision_choice))
    late = if_late_rules(case.insurance.plan_type)
    found.append(Section(
        _("If the plan misses its deadline"),
        [f"{rule.said} [{rule.citation}]" for rule in late] or [_(IF_LATE_FALLBACK)]
    ))
    if report.next_step:
        again = [_("The next step is {step}.").format(step=_(report.next_step.name))]
        again += [f"{rule.said} [{rule.citation}]" for rule in report.next_filing]
        found.append(Section(_("If the plan says no again"), again))
    if report.process:
        found.append(Section(_("Which external review"), [f"{rule.said} [{rule.citation}]" for rule in report.process]
                             + ([] if report.choosing_now else report.process_choice)))
    if report.warnings:
        found.insert(0, Section(_("Check first"), report.warnings))
    return found


def as_text(found: list[Section]) -> str:
    blocks = []
    for section in found:
        blocks.append(section.heading.upper())
        blocks += [f"  - {line}" for line in section.lines]
        blocks.append("")
    return "\n".join(blocks)


def as_docx(found: list[Section], case: Case) -> bytes:
    """The same text as a one-page Word document to keep with the letter."""
    who = case.patient.full_name or _("the patient")
    return sheet_docx(_("What happens next: {who}").format(who=who), found, font_points=10)


def sheet_docx(title: str, found: list[Section], *, font_points: int) -> bytes:
    """A one-page sheet for the person (this one, and "Qué dice su carta"): its title, each section as a heading
    with its lines as bullets, and the closing line saying it is information, not legal advice."""
    from docx import Document
    from docx.shared import Pt

    from appeal.base.xml_text import xml_safe

    document = Document()
    document.styles["Normal"].font.size = Pt(font_points)
    document.add_heading(title, level=1)
    for section in found:
        document.add_heading(section.heading, level=2)
        for line in section.lines:
            document.add_paragraph(xml_safe(line), style="List Bullet")
    document.add_paragraph(
        _("This is general information from cited rules, not legal advice. Check each date against your notice.")
    ).runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
