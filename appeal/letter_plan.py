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

from appeal import clinical, dispute, evidence, readiness
from appeal import rules as rules_module
from appeal.case import Case, PlanType, SenderRole, TreatmentKind
from appeal.kinds import LetterKind
from appeal.render import Amount, Blank, CaseView, LetterDate, present, shared_environment
from appeal.resources import load_data

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
    urgent: bool = doc("True when the case is urgent and the kind can ask for speed (its `can_be_urgent`).")
    voice: Voice = doc("How the letter speaks of the patient (see letter.voice.*).")
    recipient: list[Any] = doc("The address lines of the plan.")
    re_lines: list[Line] = doc("The Re: block: each has .label and .value.")
    reason_labels: list[str] = doc("The denial reasons in plain words.")
    arguments: list[Section] = doc("The answer to each denial reason: each has .heading, .paragraphs, .evidence.")
    notes_paragraphs: list[str] = doc("The provider's notes, one item per paragraph.")
    scores: list[str] = doc("Symptom ratings as text, e.g. 'PHQ-9 22 on October 1, 2026'.")
    rights: list[str] = doc("The rights and deadlines for this plan type and step, each with its citation.")
    requests: list[str] = doc("What the letter asks the plan to do.")
    enclosures: list[str] = doc("What is sent with the letter: what the sender listed (or, for a request for "
                                "documents, what the kind must send).")
    signature: list[Any] = doc("The signature block's lines.")
    facts: dict[str, Any] = doc("Derived facts: total_charged, total_paid, antidepressant_trials, classes_tried, ...")
    warnings: list[str] = doc("Warnings about the case (e.g. an unspecified diagnosis code).", default_factory=list)
    evidence: list[Any] = doc("The chosen evidence: each has .number, .why and .snippet (title, summary, ...).",
                              default_factory=list)
    evidence_refs: str = doc("All Attachment A items, e.g. '[1]-[12]'.", default="")
    criteria_met: list[str] = doc("The usual coverage criteria this case meets.", default_factory=list)
    request_title: str = doc("What an appeal is called for this plan: 'Appeal', 'Request for redetermination'...",
                             default="Appeal")
    suggested_enclosures: list[str] = doc("Documents worth adding that the sender did not list: for the next steps, "
                                          "never listed in the letter.", default_factory=list)


@lru_cache(maxsize=1)
def _arguments() -> dict[str, Any]:
    return load_data("arguments.yaml")


def _voice(case: Case, patient: CaseView) -> Voice:
    role = case.sender.role or SenderRole.patient
    if role is SenderRole.patient:
        return Voice(role.value, "I", "have", "am", "my", "me")
    name = case.patient.full_name or Blank("patient's name")
    return Voice(role.value, name, "has", "is", f"{name}'s", name)


def _facts(case: Case, today: date) -> dict[str, Any]:
    """The clinical facts the wording relies on, as appeal.clinical decides them for `appeal check` too."""
    antidepressants = clinical.antidepressant_trials(case)
    classes = []
    for item in antidepressants:
        if item.drug_class.label not in classes:
            classes.append(item.drug_class.label)
    adequate = clinical.adequate_trials(case, today)
    depression = clinical.has_depression(case)
    services = case.treatment.services
    return {
        "total_charged": Amount(sum((line.charge or 0 for line in services), Decimal(0))),
        "total_paid": Amount(sum((line.paid or 0 for line in services), Decimal(0))),
        "antidepressant_trials": antidepressants,
        "classes_tried": classes,
        # six weeks or more at a full dose that did not work: a statement of duration only
        "adequate_trials": clinical.full_duration_trials(case),
        # the TRD definition counts trials in the current episode: said only when the case shows it, and exactly
        # the trials `appeal check` counts
        "adequate_in_episode": adequate,
        "failed_names": [item.name for item in case.prior_treatments if clinical.failed(item) and item.name],
        "depression": depression,
        "crps": clinical.has_crps(case),
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
    if case.patient.group_number or (case.insurance.plan_type in ERISA_PLANS and "patient.group_number" not in case.left_out):
        lines.append(Line("Group number", patient.group_number))
    if case.patient.policy_holder:
        lines.append(Line("Policy holder", patient.policy_holder))
    lines.append(Line("Plan", " / ".join(str(x) for x in (insurance.insurer, insurance.plan_name) if x) or insurance.insurer))
    if kind.needs_denial or case.denial is not None:
        lines.append(Line("Claim or reference number", denial.reference))
        lines.append(Line("Date of denial notice", denial.notice_date))
        step = dispute.position(case).current if case.denial and case.denial.level_exhausted else None
        if step:  # the level the sender read on the notice, so the plan routes the letter to the right review
            lines.append(Line("Appeal level", step.name[0].upper() + step.name[1:]))
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
    return [rules_module.cited(rule) for rule in rules_module.for_letter(case, kind)]


@lru_cache(maxsize=1)
def _rules_by_id() -> dict[str, Any]:
    return {rule.id: rule for rule in rules_module.all_rules()}


def _sentence_context(case: Case, kind: LetterKind, wording_context: dict[str, Any]) -> dict[str, Any]:
    """What a kind's sentences (requests, enclosures, warnings) see: the wording names plus the kind's own."""
    return {
        **wording_context,
        "kind": kind,
        "urgent": is_urgent(case, kind),
        "already_given": rules_module.service_timing(case) == "post_service",
        "treatment": case.treatment.display_name or "the requested treatment",
        "rules": _rules_by_id(),
    }


def _say(sentences: Any, context: dict[str, Any]) -> list[tuple[str, Any]]:
    """The kind's sentences whose condition holds, rendered: (text, the sentence it came from)."""
    environment = shared_environment(for_docx=False)
    said = []
    for sentence in sentences:
        if sentence.when and not environment.compile_expression(sentence.when)(**context):
            continue
        text = environment.from_string(sentence.text).render(**context) if "{" in sentence.text else sentence.text
        said.append((" ".join(text.split()), sentence))  # plain sentences skip Jinja: a third of the plan's time
    return said


def is_urgent(case: Case, kind: LetterKind) -> bool:
    """An expedited request: the case is urgent and the kind of letter can ask for speed."""
    return case.treatment.is_urgent and kind.can_be_urgent


def _wording_context(case: Case, view: dict[str, Any], today: date) -> dict[str, Any]:
    """The names arguments.yaml and the kinds' sentences see."""
    return {**view, "v": _voice(case, view["patient"]), "t": view["treatment"], "facts": _facts(case, today),
            "case": view}


def _view(case: Case) -> dict[str, Any]:
    """The case's sections as blank-aware views; a missing denial still answers with blanks."""
    view: dict[str, Any] = {name: present(getattr(case, name), name) for name in type(case).model_fields}
    left_out = frozenset(case.left_out)
    for name, value in view.items():
        if isinstance(value, CaseView):  # each section knows which of its fields the sender chose to leave out
            view[name] = CaseView(getattr(case, name), name, left_out=left_out)
    if case.denial is None:
        view["denial"] = CaseView(type(case).model_fields["denial"].annotation.__args__[0](), "denial", False, left_out)
    return view


def enclosures_for(case: Case, kind: LetterKind, today: date | None = None) -> list[str]:
    """What to send with a letter of this kind: the sender's list plus what the plan will need."""
    wording = _wording_context(case, _view(case), today or date.today())
    return _enclosures(case, kind, _sentence_context(case, kind, wording))


def _enclosures(case: Case, kind: LetterKind, context: dict[str, Any]) -> list[str]:
    """A letter lists only what its sender said they will send (a letter must not claim a document they do not
    have); a request for documents, which asks for no list, sends what its kind says."""
    if kind.encloses_case_list:
        return list(case.enclosures)
    return [item for item, _ in _say(kind.enclosures, context)]


def _suggested_enclosures(case: Case, kind: LetterKind, context: dict[str, Any]) -> list[str]:
    """The kind's usual documents the sender has not listed: suggested in the next steps, never claimed as sent."""
    if not kind.encloses_case_list:
        return []
    listed = [item.lower() for item in case.enclosures]
    return [item for item, sentence in _say(kind.enclosures, context)
            if not (sentence.unless_listed and any(sentence.unless_listed in existing for existing in listed))]


def suggested_enclosures_for(case: Case, kind: LetterKind, today: date | None = None) -> list[str]:
    wording = _wording_context(case, _view(case), today or date.today())
    return _suggested_enclosures(case, kind, _sentence_context(case, kind, wording))


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


def _evidence_for(case: Case, kind: LetterKind, evidence_dirs: list[Path] | None) -> list[Any]:
    """Letters that argue the clinical case carry the evidence; requests for documents do not."""
    if not kind.argues_case:
        return []
    return evidence.select(case, evidence.load_library(evidence_dirs))


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
    view = _view(case)
    today = today or date.today()
    chosen = _evidence_for(case, kind, evidence_dirs)
    wording_context = _wording_context(case, view, today)
    sentence_context = _sentence_context(case, kind, wording_context)
    voice, facts, urgent = wording_context["v"], wording_context["facts"], sentence_context["urgent"]
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
        requests=[text for text, _ in _say(kind.requests, sentence_context)],
        enclosures=_enclosures(case, kind, sentence_context),
        suggested_enclosures=_suggested_enclosures(case, kind, sentence_context),
        signature=[line for line in _signature(case, view["patient"], view["sender"]) if line is not None],
        facts=facts,
        warnings=case.warnings() + [text for text, _ in _say(kind.warnings, sentence_context)],
        evidence=chosen,
        evidence_refs=_refs(chosen),
        criteria_met=[result.criterion.title for result in readiness.check(case, today) if result.status == "met"],
        request_title=dispute.request_title(case),
    )
    return {**view, "letter": letter}
