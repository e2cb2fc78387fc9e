"""From a case to a letter plan: every derived value a template prints, decided in one place.

questions -> case -> **letter plan** -> rendered document. The plan chooses the voice, the Re: lines, the answer
to each denial reason (appeal/data/arguments.yaml), the rights and deadlines (appeal/data/rules.yaml), the
requests and the enclosures. Templates only lay these out, so an advocate can restyle a letter without
re-deriving any of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from appeal import evidence, readiness
from appeal import rules as rules_module
from appeal.case import ANTIDEPRESSANT_CLASSES, Case, PlanType, Response, SenderRole, TreatmentKind
from appeal.kinds import LetterKind
from appeal.render import Amount, Blank, CaseView, LetterDate, present, shared_environment
from appeal.resources import data_file

ERISA_PLANS = {PlanType.employer_self_funded, PlanType.employer_fully_insured}


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field with its description, which `appeal templates vars` prints."""
    return field(metadata={"doc": text}, **kwargs)


@dataclass
class Voice:
    """How the letter speaks of the patient: 'I have' in a patient's letter, 'Jane Doe has' in anyone else's."""

    role: str = doc("Who writes: patient, representative or provider.")
    subject: Any = doc("'I' in a patient's letter, else the patient's name.")
    has: str = doc("'have' or 'has', to agree with subject.")
    is_: str = doc("'am' or 'is', to agree with subject.")
    possessive: Any = doc("'my' or the patient's name with 's.")
    object: Any = doc("'me' or the patient's name.")


@dataclass
class Section:
    """One answer to one denial reason."""

    heading: str = doc("The point being made, e.g. 'The treatment is medically necessary'.")
    paragraphs: list[str] = doc("Its paragraphs.")
    evidence: str = doc("The Attachment A items that bear on this point, e.g. '[1]-[3], [6]'.", default="")


@dataclass
class Line:
    """One line of the Re: block."""

    label: str = doc("What it is, e.g. 'Member ID'.")
    value: Any = doc("The value, or a visible blank.")


@dataclass
class LetterPlan:
    """Everything a template needs beyond the case itself, under the name `letter`."""

    kind: str = doc("The letter kind's name, e.g. 'appeal'.")
    title: str = doc("The letter kind's title, e.g. 'Internal appeal'.")
    date: LetterDate = doc("Today's date, spelled out.")
    urgent: bool = doc("True for an expedited prior-auth, appeal or external-review request.")
    voice: Voice = doc("How the letter speaks of the patient (see letter.voice.*).")
    recipient: list[Any] = doc("The address lines of the plan.")
    re_lines: list[Line] = doc("The Re: block: each has .label and .value.")
    reason_labels: list[str] = doc("The denial reasons in plain words.")
    arguments: list[Section] = doc("The answer to each denial reason: each has .heading, .paragraphs, .evidence.")
    notes_paragraphs: list[str] = doc("The provider's notes, one item per paragraph.")
    scores: list[str] = doc("Symptom ratings as text, e.g. 'PHQ-9 22 on October 1, 2026'.")
    rights: list[str] = doc("The rights and deadlines for this plan type and step, each with its citation.")
    requests: list[str] = doc("What the letter asks the plan to do.")
    enclosures: list[str] = doc("What is sent with the letter (the case's list plus what the plan needs).")
    signature: list[Any] = doc("The signature block's lines.")
    facts: dict[str, Any] = doc("Derived facts: total_charged, total_paid, antidepressant_trials, classes_tried, ...")
    warnings: list[str] = doc("Warnings about the case (e.g. an unspecified diagnosis code).", default_factory=list)
    evidence: list[Any] = doc("The chosen evidence: each has .number, .why and .snippet (title, summary, ...).",
                              default_factory=list)
    evidence_refs: str = doc("All Attachment A items, e.g. '[1]-[12]'.", default="")
    criteria_met: list[str] = doc("The usual coverage criteria this case meets.", default_factory=list)
    request_title: str = doc("What an appeal is called for this plan: 'Appeal', 'Request for redetermination'...",
                             default="Appeal")


@lru_cache(maxsize=1)
def _arguments() -> dict[str, Any]:
    return yaml.safe_load(data_file("arguments.yaml").read_text(encoding="utf-8"))


def _voice(case: Case, patient: CaseView) -> Voice:
    role = case.sender.role or SenderRole.patient
    if role is SenderRole.patient:
        return Voice(role.value, "I", "have", "am", "my", "me")
    name = case.patient.full_name or Blank("patient's name")
    return Voice(role.value, name, "has", "is", f"{name}'s", name)


def _facts(case: Case) -> dict[str, Any]:
    antidepressants = [item for item in case.prior_treatments if item.drug_class in ANTIDEPRESSANT_CLASSES]
    classes = []
    for item in antidepressants:
        if item.drug_class.label not in classes:
            classes.append(item.drug_class.label)
    failed = [
        item
        for item in case.prior_treatments
        if item.response in (Response.none, Response.partial, Response.intolerable, Response.relapse)
    ]
    adequate = [
        item
        for item in antidepressants
        if (item.adequate_weeks or 0) >= 6 and item.response in (Response.none, Response.partial, Response.relapse)
    ]
    depression = any(d.code.startswith(("F32", "F33")) for d in case.diagnoses)
    crps = any(d.code.startswith(("G90.5", "G56.4", "G57.7")) for d in case.diagnoses)
    services = case.treatment.services
    return {
        "total_charged": Amount(sum((line.charge or 0 for line in services), Decimal(0))),
        "total_paid": Amount(sum((line.paid or 0 for line in services), Decimal(0))),
        "antidepressant_trials": antidepressants,
        "classes_tried": classes,
        "adequate_trials": adequate,
        # the TRD definition counts trials in the current episode: said only when the case shows it
        "adequate_in_episode": [item for item in adequate if readiness.in_current_episode(case, item, date.today())],
        "failed_names": [item.name for item in failed if item.name],
        "depression": depression,
        "crps": crps,
        "on_label": case.treatment.kind is TreatmentKind.esketamine_nasal and depression and len(adequate) >= 2,
    }


def _re_lines(case: Case, view: dict[str, Any], kind: LetterKind) -> list[Line]:
    patient, insurance, denial = view["patient"], view["insurance"], view["denial"]
    member_label = "Medicare number (MBI)" if case.insurance.plan_type is PlanType.medicare_original else "Member ID"
    lines = [
        Line("Patient", case.patient.full_name or Blank("patient's name")),
        Line("Date of birth", patient.date_of_birth),
        Line(member_label, patient.member_id),
    ]
    if case.patient.group_number or case.insurance.plan_type in ERISA_PLANS:
        lines.append(Line("Group number", patient.group_number))
    if case.patient.policy_holder:
        lines.append(Line("Policy holder", patient.policy_holder))
    lines.append(Line("Plan", " / ".join(str(x) for x in (insurance.insurer, insurance.plan_name) if x) or insurance.insurer))
    if kind.needs_denial or case.denial is not None:
        lines.append(Line("Claim or reference number", denial.reference))
        lines.append(Line("Date of denial notice", denial.notice_date))
    codes = ", ".join(code.code for code in case.treatment.codes)
    name = case.treatment.display_name or Blank("treatment requested")
    lines.append(Line("Treatment", f"{name}; codes {codes}" if codes else name))
    if case.treatment.dates_of_service:
        lines.append(Line("Dates of service", ", ".join(str(d) for d in present(case.treatment.dates_of_service))))
    if case.sender.role is SenderRole.provider and case.sender.npi:
        lines.append(Line("Treating provider NPI", case.sender.npi))
    elif case.treatment.billing_npi:
        lines.append(Line("Billing provider NPI", case.treatment.billing_npi))
    return lines


def _refs(chosen: list[Any]) -> str:
    """[1]-[4], [7]: runs of consecutive items shown as ranges, as a reference list would."""
    numbers = sorted(item.number for item in chosen)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"[{run[0]}]" if len(run) == 1 else f"[{run[0]}]-[{run[-1]}]" for run in runs)


def _arguments_for(case: Case, context: dict[str, Any], chosen: list[Any]) -> list[Section]:
    if case.denial is None:
        return []
    environment = shared_environment(for_docx=False)  # compiles each wording and condition once (profiled)
    library = _arguments()
    sections = []
    for reason in case.denial.reasons:
        entry = library[reason.value]
        paragraphs = []
        for paragraph in entry["paragraphs"]:
            condition = paragraph.get("when")
            if condition and not environment.compile_expression(condition)(**context):
                continue
            text = environment.from_string(paragraph["text"]).render(**context)
            paragraphs.append(" ".join(text.split()))
        bearing = [item for item in chosen if reason in item.snippet.answers]
        sections.append(Section(entry["heading"], paragraphs, _refs(bearing)))
    return sections


def _rights(case: Case, kind: LetterKind) -> list[str]:
    return [rules_module.cited(rule) for rule in rules_module.for_letter(case, kind.name)]


def _requests(case: Case, kind: LetterKind, urgent: bool) -> list[str]:
    treatment = case.treatment.display_name or "the requested treatment"
    already_given = rules_module.service_timing(case) == "post_service"
    requests: list[str] = []
    if kind.name in ("prior-auth", "appeal", "external-review"):
        if kind.name == "prior-auth":
            requests.append(f"Approve {treatment} as requested.")
        elif already_given:
            requests.append(f"Overturn the denial and pay for {treatment} on the dates of service listed above.")
        else:
            requests.append(f"Overturn the denial and approve {treatment} as requested.")
        if urgent:
            requests.append(
                "Decide this request on the expedited timeline, because the treating provider certifies that "
                "waiting the standard time could seriously jeopardize the patient's life, health or ability to "
                "regain maximum function."
            )
            simultaneous = rules_module.by_id("aca-expedited-external-with-urgent-internal")
            if kind.name == "appeal" and case.insurance.plan_type in simultaneous.plan_types:
                requests.append(
                    "Treat this letter also as a request for an expedited external review at the same time as this "
                    f"expedited internal appeal, as the law allows for urgent cases ({simultaneous.citation}), and "
                    "assign it to an independent review organization."
                )
        requests.append("Send a written decision by the deadline that applies, giving the specific reasons for it.")
    if kind.name in ("prior-auth", "appeal") and case.insurance.plan_type is not PlanType.medicare_original:
        if not already_given:
            requests.append(
                "If the plan is inclined to deny, arrange a peer-to-peer discussion with the treating provider first."
            )
        requests.append(
            "Identify any clinical criteria, guideline or protocol applied, and the name, credentials and specialty "
            "of each reviewer."
        )
    if kind.name == "reimbursement":
        requests.append(f"Process the enclosed claim for {treatment} and reimburse the amounts paid.")
        if case.treatment.network_status is not None and case.treatment.network_status.value == "out_of_network":
            requests.append(
                "If no in-network provider offered this treatment within a reasonable distance and time, pay it at "
                "the in-network level."
            )
        requests.append("Explain in writing any amount not paid, with the plan provision relied on.")
    return requests


# What the plan needs to see, each with a word that shows the sender already listed it.
def enclosures_for(case: Case, kind: LetterKind) -> list[str]:
    """What to send with a letter of this kind: the sender's list plus what the plan will need."""
    urgent = case.treatment.is_urgent and kind.name in ("prior-auth", "appeal", "external-review")
    return _enclosures(case, kind, urgent)


def _enclosures(case: Case, kind: LetterKind, urgent: bool) -> list[str]:
    needed: list[tuple[str, str]] = []
    if case.denial is not None and kind.name not in ("prior-auth", "medical-necessity"):
        needed.append(("denial", "Copy of the denial notice"))
    if case.sender.role is SenderRole.representative:
        needed.append(("represent", "Signed authorization for the representative to act for the patient"))
    if kind.name in ("prior-auth", "appeal", "external-review", "medical-necessity"):
        needed.append(("records", "Medical records supporting the request"))
        if case.sender.role is not SenderRole.provider:
            needed.append(("medical necessity", "Letter of medical necessity from the treating provider"))
    if urgent:
        needed.append(("urgent", "The treating provider's statement that the request is urgent"))
    if kind.name == "reimbursement":
        needed.append(("superbill", "Itemized superbill and proof of payment"))
    # The case's own list is what goes with the letter that argues the case, not with a request for documents.
    listed = list(case.enclosures) if kind.name in EVIDENCE_KINDS | {"reimbursement"} else []
    for keyword, item in needed:
        if not any(keyword in existing.lower() for existing in listed):
            listed.append(item)
    return listed


def _signature(case: Case, patient: CaseView, sender: CaseView) -> list[Any]:
    role = case.sender.role or SenderRole.patient
    if role is SenderRole.patient:
        return [case.sender.name or case.patient.full_name or Blank("patient's name"), patient.phone, patient.email]
    if role is SenderRole.provider:
        name = case.sender.name or Blank("provider's name")
        credentials = f", {case.sender.credentials}" if case.sender.credentials else ""
        lines = [f"{name}{credentials}", sender.specialty, f"NPI {case.sender.npi}" if case.sender.npi else Blank("provider NPI")]
        return lines + [sender.organization, sender.phone]
    relationship = f" ({case.sender.relationship})" if case.sender.relationship else ""
    return [
        f"{case.sender.name or Blank('representative name')}{relationship}",
        f"Authorized representative for {case.patient.full_name or Blank('patient name')}",
        sender.organization if case.sender.organization else None,
        sender.phone,
    ]


# Letters that argue the clinical case carry the evidence; requests for documents do not.
EVIDENCE_KINDS = {"prior-auth", "medical-necessity", "appeal", "external-review"}


def _evidence_for(case: Case, kind: LetterKind, evidence_dirs: list[Path] | None) -> list[Any]:
    if kind.name not in EVIDENCE_KINDS:
        return []
    return evidence.select(case, evidence.load_library(evidence_dirs))


def _request_title(case: Case) -> str:
    from appeal import deadlines

    index = deadlines.next_step_index(case) if case.denial else None
    return deadlines.steps_for(case.insurance.plan_type)[index].title if index is not None else "Appeal"


# Plan types outside the mental health parity law (MHPAEA applies to group and individual health insurance and
# Medicaid managed care; see the mhpaea-* rules for their sources).
_NO_PARITY_LAW = {PlanType.medicare_original, PlanType.medicare_advantage, PlanType.medicare_part_d,
                  PlanType.medicaid_ffs, PlanType.tricare, PlanType.va}


def _paragraphs(text: str | None) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside one are just wrapping, as in an email."""
    blocks = re.split(r"\n[ \t]*\n", text or "")
    return [re.sub(r"[ \t]*\n[ \t]*", " ", block.strip()) for block in blocks if block.strip()]


def warm(evidence_dirs: list[Path] | None = None) -> None:
    """Load what every plan reads (wording, rules, criteria, evidence) now rather than for the first letter."""
    _arguments()
    rules_module.all_rules()
    readiness.all_criteria()
    evidence.load_library(evidence_dirs)


def context_for(
    case: Case, kind: LetterKind, today: date | None = None, evidence_dirs: list[Path] | None = None
) -> dict[str, Any]:
    """The whole template context: the case (as blank-aware views) plus `letter`, the plan."""
    view: dict[str, Any] = {name: present(getattr(case, name), name) for name in type(case).model_fields}
    if case.denial is None:
        view["denial"] = CaseView(type(case).model_fields["denial"].annotation.__args__[0](), "denial", False)
    today = today or date.today()
    urgent = case.treatment.is_urgent and kind.name in ("prior-auth", "appeal", "external-review")
    voice = _voice(case, view["patient"])
    facts = _facts(case)
    chosen = _evidence_for(case, kind, evidence_dirs)
    wording_context = {**view, "v": voice, "t": view["treatment"], "facts": facts, "case": view}
    insurance = view["insurance"]
    letter = LetterPlan(
        kind=kind.name,
        title=kind.title,
        date=LetterDate(today.year, today.month, today.day),
        urgent=urgent,
        voice=voice,
        recipient=[insurance.insurer, insurance.appeals_address if case.insurance.appeals_address else Blank("plan's appeals address")],
        re_lines=_re_lines(case, view, kind),
        reason_labels=[reason.label for reason in (case.denial.reasons if case.denial else [])],
        arguments=_arguments_for(case, wording_context, chosen),
        notes_paragraphs=_paragraphs(case.clinical.provider_notes),
        scores=[f"{s.shown}{' on ' + str(present(s.date)) if s.date else ''}" for s in case.clinical.scores],
        rights=_rights(case, kind),
        requests=_requests(case, kind, urgent),
        enclosures=_enclosures(case, kind, urgent),
        signature=[line for line in _signature(case, view["patient"], view["sender"]) if line is not None],
        facts=facts,
        warnings=case.warnings() + (
            [f"The mental health parity law (MHPAEA) does not reach {case.insurance.plan_type.label} plans the way "
             "it does employer and individual plans; check before sending a parity request."]
            if kind.name == "parity-request" and case.insurance.plan_type in _NO_PARITY_LAW else []
        ),
        evidence=chosen,
        evidence_refs=_refs(chosen),
        criteria_met=[result.criterion.title for result in readiness.check(case, today) if result.status == "met"],
        request_title=_request_title(case),
    )
    return {**view, "letter": letter}
