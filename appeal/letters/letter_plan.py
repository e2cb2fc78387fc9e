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

from appeal.base import letter_language
from appeal.base.errors import UserError
# L_ marks a literal for the `letters` catalog (Babel's keyword); in_letter translates data (YAML, a label)
from appeal.base.letter_language import LN_, translate as L_, translate as in_letter
from appeal.base.resources import load_data
from appeal.cases import checks as case_checks
from appeal.cases.case import Authorization, Case, SenderRole
from appeal.letters.enclosure_check import enclosed_types, single_types, types_of
from appeal.letters.kind_sentences import say
from appeal.letters.kinds import LetterKind
from appeal.letters.letter_rules import for_letter, letter_step
from appeal.letters.render_env import shared_environment
from appeal.letters.render_views import (PATIENT_NAME, REGULATOR, TREATMENT_NAME, Amount, Blank, CaseView, LetterDate,
                                         field_blank, present)
from appeal.letters.sandbox import PlanFunction, within_render_budget
from appeal.rules import administration, clinical, complaint, dispute, evidence, readiness, regulators
from appeal.rules import rule_book as rules_module
from appeal.rules.dispute import Step


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field with its description, which `appeal templates vars` prints."""
    return field(metadata={"doc": text}, **kwargs)


@dataclass
class Voice:
    """How the letter speaks of the patient: 'I have' in a patient's letter, 'Jane Doe has' in anyone else's."""

    role: str = doc("Who writes: patient, representative or provider.")
    subject: Any = doc("'I' in a patient's letter, 'My patient' in a provider's, else the patient's name.")
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
    further: list[str] = doc("Attachment A items on this point that no paragraph cites, each as its claim with its "
                             "number: 'IV ketamine was noninferior to ECT ... [5].'", default_factory=list)


@dataclass
class Line:
    """One line of the Re: block."""

    label: str = doc("What it is, e.g. 'Member ID'.")
    value: Any = doc("The value, or a visible blank.")


@dataclass
class ScoreRow:
    """One date of the score table (the chart's numbers, for screen readers and for the record)."""

    date: Any = doc("When the ratings were made, as a letter writes a date.")
    scores: str = doc("Each scale's total that day, e.g. 'MADRS 13; PHQ-9 8'.")
    change: str = doc("Each against its baseline, e.g. 'MADRS 62% lower; PHQ-9 62% lower', or 'baseline'.")


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
    level: str = doc("The step this letter starts, in words: 'an internal appeal to the plan (the first level of "
                     "review)'; empty for letters that start no step.", default="")
    next_level: str = doc("The step after this one if the plan says no, e.g. 'an independent external review'; for a "
                          "letter tied to no step (a request for documents), the step it prepares.",
                          default="")
    urgent_deadline: str = doc("The expedited decision deadline with its citation, e.g. '72 hours (29 CFR ...)'.",
                               default="")
    consequences: list[str] = doc("What a denial would mean for the patient, from the case's own clinical facts.",
                                  default_factory=list)
    if_denied: str = doc("What the sender expects if the treatment is denied, in the sender's own words, as one "
                         "sentence ('What I expect if this treatment is denied: ...', 'What I expect for Jorge Ruiz "
                         "if ...' from a representative); empty when not given.", default="")
    parity: list[str] = doc("The mental health parity (MHPAEA) points, only where that law reaches the plan.",
                            default_factory=list)
    setting: list[str] = doc("Required setting and monitoring of the treatment (the Spravato REMS), each sourced.",
                             default_factory=list)
    score_courses: list[Any] = doc("Each scale with two or more dated scores (appeal.rules.clinical.ScoreCourse): "
                                   ".instrument, .points, .baseline, .latest, .response, .remission.",
                                   default_factory=list)
    score_summary: list[str] = doc("Each scale's course in words: baseline to latest, the change, and whether it "
                                   "is a response and remission as defined with their source.", default_factory=list)
    score_rows: list[ScoreRow] = doc("One row a date, oldest first, with each of those scales rated that day.",
                                     default_factory=list)
    score_definition: str = doc("What response and remission mean, with the source of the definitions.", default="")
    dose_heading: str = doc("The prior-treatment table's dose column: 'Dose or sessions' when a treatment tried is not a "
                            "drug (physical therapy, a nerve block), else 'Dose'.", default="Dose")
    score_chart_alt: str = doc("The chart's alt text: what it shows, in words.", default="")
    suggested_enclosures: list[str] = doc("Documents worth adding that the sender did not list: for the next steps, "
                                          "never listed in the letter.", default_factory=list)
    regulator: Any = doc("The regulator of the plan (for a complaint): .name, .url, .phone, .lines, .note, "
                         ".looked_up (a directory to find the state's office in); None when there is none.",
                         default=None)
    timeline: list[Line] = doc("The dispute in date order: each has .label (the date) and .value (what happened).",
                               default_factory=list)
    breaches: list[str] = doc("The rules the case's own dates show the plan broke (a missed decision deadline), "
                              "each with its citation and source.", default_factory=list)
    sending: list[str] = doc("How to send it, for a letter that does not go to the plan (the kind's `sending:`).",
                             default_factory=list)
    to_draft: list[str] = doc("Enclosures this tool drafts too, as 'document: appeal draft --letter KIND'.",
                              default_factory=list)
    enclosed: list[str] = doc("The types of document the enclosures hold (appeal/data/documents.yaml): 'records', "
                              "'superbill', 'claim', 'authorization', ...; a sentence says 'the enclosed records' only "
                              "when 'records' in letter.enclosed.", default_factory=list)
    representative_authority: str = doc("For a representative, where the patient's written authority is, as the opening says it: "
                         "'authorization enclosed' only when the enclosures list it, otherwise 'authorization on file "
                         "with the plan' or that it will be sent separately; empty for anyone else.", default="")


@lru_cache(maxsize=1)
def argument_wordings() -> dict[str, Any]:
    """The answer to each denial reason (appeal/data/arguments.yaml): headings, and paragraphs with conditions."""
    return load_data("arguments.yaml")


def _voice(case: Case, patient: CaseView) -> Voice:
    """In a Spanish letter the words are Spanish (LETTERS-ES.md): subject 'Yo' / 'Mi paciente' / the name, object
    'mí' / 'mi paciente' / the name; `has`, `is_` and `possessive` are English agreement, so a Spanish sentence
    writes its own verb, branching on `role`."""
    role = case.sender.role or SenderRole.patient
    name = case.patient.full_name or Blank(PATIENT_NAME)
    if letter_language.current() == "es":
        if role is SenderRole.patient:
            return Voice(role.value, "Yo", "he", "soy", "mi", "mí")
        if role is SenderRole.provider:
            return Voice(role.value, "Mi paciente", "ha", "es", "de mi paciente", "mi paciente")
        return Voice(role.value, name, "ha", "es", f"de {name}", name)
    if role is SenderRole.patient:
        return Voice(role.value, "I", "have", "am", "my", "me")
    if role is SenderRole.provider:
        return Voice(role.value, "My patient", "has", "is", "my patient's", "my patient")
    return Voice(role.value, name, "has", "is", f"{name}'s", name)


def _facts(case: Case, today: date) -> dict[str, Any]:
    """Every derived fact of `clinical.FACTS`, for the wording and the templates (`letter.facts`); money prints
    as money."""
    facts = {name: fact(case, today) for name, fact in clinical.FACTS.items()}
    return {name: Amount(value) if isinstance(value, Decimal) else value for name, value in facts.items()}


def _re_lines(case: Case, view: dict[str, Any], kind: LetterKind, level: str = "") -> list[Line]:
    """The Re: block. The appeal level is stated here, where a reviewer routing the letter looks for it, and
    nowhere else: the step this letter starts (an external review request names external review even while the
    case's own step is an internal appeal); a letter that starts no step (a request for documents) has none."""
    patient, insurance, denial = view["patient"], view["insurance"], view["denial"]
    coverage = case.insurance.coverage()
    lines = [
        Line(L_("Patient"), case.patient.full_name or Blank(PATIENT_NAME)),
        Line(L_("Date of birth"), patient.date_of_birth),
        Line(in_letter(coverage.member_id.label), patient.member_id),
    ]
    if case.patient.group_number or (coverage.group_plan and "patient.group_number" not in case.left_out):
        lines.append(Line(L_("Group number"), patient.group_number))
    if case.patient.policy_holder:
        lines.append(Line(L_("Policy holder"), patient.policy_holder))
    lines.append(Line(L_("Plan"), " / ".join(str(x) for x in (insurance.insurer, insurance.plan_name) if x) or insurance.insurer))
    if kind.needs_denial or case.denial is not None:
        lines.append(Line(L_("Claim or reference number"), denial.reference))
        lines.append(Line(L_("Date of denial notice"), denial.notice_date))
    if level:
        lines.append(Line(L_("Appeal level"), level[0].upper() + level[1:]))
    if case.treatment.authorization_number or case.treatment.authorization_end:
        number = case.treatment.authorization_number or L_("number not given")
        lines.append(Line(L_("Current authorization"), L_("{number}, ends {date}").format(
            number=number, date=present(case.treatment.authorization_end)) if case.treatment.authorization_end else number))
    codes = ", ".join(code.code for code in case.treatment.codes)
    name = case.treatment.display_name or Blank(TREATMENT_NAME)
    lines.append(Line(L_("Treatment"), L_("{treatment}; codes {codes}").format(treatment=name, codes=codes) if codes else name))
    if case.treatment.dates_of_service:
        lines.append(Line(L_("Dates of service"), ", ".join(str(d) for d in present(case.treatment.dates_of_service))))
    if case.sender.role is not SenderRole.provider and case.treatment.facility:
        lines.append(Line(L_("Provider"), view["treatment"].facility))
    if case.sender.role is not SenderRole.provider and case.treatment.prescriber and kind.argues_case:
        specialty = case.treatment.prescriber_specialty
        contact = "; ".join(what.format(number=number) for what, number in (
            (L_("phone {number}"), case.treatment.prescriber_phone),
            (L_("fax {number}"), case.treatment.prescriber_fax)) if number)
        name = f"{case.treatment.prescriber}, {specialty}" if specialty else case.treatment.prescriber
        lines.append(Line(L_("Prescriber"), f"{name} ({contact})" if contact else name))
    if case.sender.role is SenderRole.provider and case.sender.npi:
        lines.append(Line(L_("Treating provider NPI"), case.sender.npi))
    elif case.treatment.billing_npi:
        lines.append(Line(L_("Billing provider NPI"), case.treatment.billing_npi))
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


def _claim(chosen_item: Any) -> str:
    """An Attachment A item as the claim it supports, cited by its number: 'Title [3].'"""
    return f"{in_letter(chosen_item.snippet.title).rstrip('.')} [{chosen_item.number}]."


def _arguments_for(case: Case, kind: LetterKind, context: dict[str, Any], chosen: list[Any]) -> list[Section]:
    """The answer to each denial reason (or, without a denial, the case for the treatment), each claim cited by
    the Attachment A items behind it; items no paragraph cites are listed under the point they bear on."""
    if not kind.argues_case:
        return []
    if case.denial is not None:
        reasons = [reason.value for reason in case.denial.reasons]
    else:  # no denial yet: the kind's own case for the treatment
        reasons = list(kind.argues_without_denial)
        if case.treatment.network_status is not None and case.treatment.network_status.value == "out_of_network":
            reasons.append("out_of_network")
    environment = shared_environment(for_docx=False)  # compiles each wording and condition once (profiled)
    library = argument_wordings()
    numbers = {item.snippet.id: item.number for item in chosen}
    cited: set[str] = set()

    def cite(*ids: str) -> str:
        """' [2], [5]': the Attachment A numbers of these snippets, for the ones this letter carries."""
        found = sorted(numbers[item] for item in ids if item in numbers)
        cited.update(item for item in ids if item in numbers)
        return " " + ", ".join(f"[{number}]" for number in found) if found else ""

    context = {**context, "cite": PlanFunction(cite), "denied": case.denial is not None}
    sections = []
    for reason in reasons:
        entry = library[reason]
        paragraphs = []
        for paragraph in entry["paragraphs"]:
            condition = paragraph.get("when")
            if condition and not environment.compile_expression(condition)(**context):
                continue
            text = environment.from_string(in_letter(paragraph["text"])).render(**context)
            paragraphs.append(" ".join(text.split()))
        if not paragraphs:
            continue
        heading = entry["heading"] if case.denial is not None else entry.get("heading_without_denial", entry["heading"])
        bearing = [item for item in chosen if reason in item.snippet.answers]
        sections.append((reason, Section(in_letter(heading), paragraphs, _refs(bearing))))
    # Once every paragraph has cited what it cites: each item still uncited goes under the first point it bears
    # on, or under the last point, so every item of Attachment A is cited somewhere in the letter.
    for item in chosen:
        if item.snippet.id in cited or not sections:
            continue
        home = next((section for reason, section in sections if reason in item.snippet.answers), sections[-1][1])
        home.further.append(_claim(item))
    return [section for _, section in sections]


def _rights(case: Case, kind: LetterKind) -> list[str]:
    return [rules_module.cited(rule) for rule in for_letter(case, kind)]


@lru_cache(maxsize=1)
def _rules_by_id() -> dict[str, Any]:
    return {rule.id: rule for rule in rules_module.all_rules()}


def _first_reaching(case: Case, function: str, rule_ids: tuple[str, ...]):
    """Of the rules a kind's sentence names (by id in rules.yaml), the first whose plan types hold the case's."""
    by_id = _rules_by_id()
    unknown = [rule_id for rule_id in rule_ids if rule_id not in by_id]
    if unknown or not rule_ids:
        raise UserError(f"{function}() names no rule of rules.yaml: {', '.join(unknown) or 'none given'}.")
    plan_type = case.insurance.coverage().name
    return next((by_id[rule_id] for rule_id in rule_ids if plan_type in by_id[rule_id].plan_types), None)


def _cited(case: Case):
    """`cited('some-id')` in a kind's sentence: that rule's letter sentence with its citation. Given several ids (one
    rule issued for different plan types, as deemed exhaustion is), the first that reaches the case's plan type, or
    nothing where none does."""

    def cited(*rule_ids: str) -> str:
        found = _first_reaching(case, "cited", rule_ids)
        if len(rule_ids) == 1:
            return rules_module.cited(_rules_by_id()[rule_ids[0]])
        return rules_module.cited(found) if found else ""

    return cited


def _authority(case: Case):
    """`authority('rule-id', ...)` in a kind's sentence: ' (29 CFR ...)', the citation of the first of these rules
    that reaches the case's plan type, or nothing where none does (a request names the rule behind it in a few
    words instead of restating the rule)."""

    def authority(*rule_ids: str) -> str:
        found = _first_reaching(case, "authority", rule_ids)
        return f" ({found.citation})" if found else ""

    return authority


def _sentence_context(case: Case, kind: LetterKind, wording_context: dict[str, Any]) -> dict[str, Any]:
    """What a kind's sentences (requests, enclosures, warnings) see: the wording names plus the kind's own."""
    return {
        **wording_context,
        "kind": kind,
        "urgent": is_urgent(case, kind),
        "already_given": rules_module.service_timing(case) == "post_service",
        "treatment": case.treatment.display_name or L_("the requested treatment"),
        "rules": _rules_by_id(),
        "cited": PlanFunction(_cited(case)),
        "authority": PlanFunction(_authority(case)),
        "mental_health": clinical.has_mental_health(case),
        "provider": case.sender.role is SenderRole.provider,
        **_prescriber(case),
        "urgent_deadline": _urgent_deadline(case, kind) if is_urgent(case, kind) else "",
        # only a letter to the regulator reads where the plan is overseen (the questionnaire asks what letters read)
        **({"regulator": regulators.for_case(case), "no_regulator": regulators.why_none(case)}
           if kind.recipient == "regulator" else {"regulator": None, "no_regulator": ""}),
        "missed": complaint.breaches(case, wording_context["today"]) if kind.recipient != "plan" else [],
    }


def _prescriber(case: Case) -> dict[str, str]:
    """The treating prescriber as a request for a discussion names them: 'Dr. A (psychiatrist)' and how to reach
    them, 'at (614) 555-0148 (fax (614) 555-0149)' or 'by fax at ...' (empty when the case does not say)."""
    treatment = case.treatment
    named = treatment.prescriber or ""
    if named and treatment.prescriber_specialty:
        named += f" ({treatment.prescriber_specialty.lower()})"
    if treatment.prescriber_phone and treatment.prescriber_fax:
        reached = L_("at {phone} (fax {fax})").format(phone=treatment.prescriber_phone, fax=treatment.prescriber_fax)
    elif treatment.prescriber_phone:
        reached = L_("at {phone}").format(phone=treatment.prescriber_phone)
    else:
        reached = L_("by fax at {fax}").format(fax=treatment.prescriber_fax) if treatment.prescriber_fax else ""
    return {"prescriber_named": named, "prescriber_reached": reached}


def is_urgent(case: Case, kind: LetterKind) -> bool:
    """An expedited request: the case is urgent and the kind of letter can ask for speed."""
    return case.treatment.is_urgent and kind.can_be_urgent


def _wording_context(case: Case, view: dict[str, Any], today: date) -> dict[str, Any]:
    """The names arguments.yaml and the kinds' sentences see."""
    return {**view, "v": _voice(case, view["patient"]), "t": view["treatment"], "facts": _facts(case, today),
            "case": view, "today": today, "enclosed": []}


def _view(case: Case) -> dict[str, Any]:
    """The case's sections as blank-aware views; a missing denial still answers with blanks."""
    view: dict[str, Any] = {name: present(value, name) for name, value in case}  # not a read of every field
    left_out = frozenset(case.left_out)
    for name, value in view.items():
        if isinstance(value, CaseView):  # each section knows which of its fields the sender chose to leave out
            view[name] = CaseView(case.__dict__[name], name, left_out=left_out)
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
    if kind.encloses_case_list:  # plus the documents this tool drafts itself, which the sender will have
        return list(case.enclosures) + [item for item, _ in _unlisted(case, kind, context, drafted=True)]
    return [item for item, _ in say(kind, "enclosures", context)]


def _unlisted(case: Case, kind: LetterKind, context: dict[str, Any], drafted: bool) -> list[tuple[str, Any]]:
    """The kind's usual documents the sender has not listed: those this tool drafts, or the others."""
    listed = [item.lower() for item in case.enclosures]
    listed_singles = set(enclosed_types(listed)) & single_types()  # one each: listed in any words, it is there

    def already_listed(item: str, sentence: Any) -> bool:
        """Named by its word ('represent'), or a document a letter sends one of, in other words ('letter from
        Dr. Oyelaran' is the letter of medical necessity: documents.yaml `single`)."""
        if sentence.unless_listed and any(sentence.unless_listed in existing for existing in listed):
            return True
        types = types_of(item)
        return bool(types) and types <= listed_singles

    said = say(kind, "enclosures", context)
    english = _in_english(lambda: [item for item, _ in say(kind, "enclosures", context)],  # the same sentences
                          [item for item, _ in said])
    return [(item, sentence) for (item, sentence), named in zip(said, english)
            if bool(sentence.drafted_by) == drafted and not already_listed(named, sentence)]


def _in_english(work: Any, *already: Any) -> Any:
    """What `work()` gives for an English letter, as the enclosure checks need it (documents.yaml names documents
    in English words); in an English letter, what is `already` worked out (or `work()`), so it costs nothing."""
    if letter_language.current() == letter_language.ENGLISH:
        return already[0] if already else work()
    with letter_language.writing(letter_language.ENGLISH):
        return work()


def _suggested_enclosures(case: Case, kind: LetterKind, context: dict[str, Any]) -> list[str]:
    """The kind's usual documents the sender has not listed: suggested in the next steps, never claimed as sent."""
    if not kind.encloses_case_list:
        return []
    return [item for item, _ in _unlisted(case, kind, context, drafted=False)]


def _to_draft(kind: LetterKind, context: dict[str, Any]) -> list[str]:
    """The enclosures this tool drafts, with the command that drafts each."""
    in_language = "" if letter_language.current() == "en" else f" --letter-lang {letter_language.current()}"  # the same language
    return [f"{item}: appeal draft --letter {sentence.drafted_by}{in_language}"
            for item, sentence in say(kind, "enclosures", context) if sentence.drafted_by and sentence.drafted_by != kind.name]


def refusals(case: Case, kind: LetterKind, today: date | None = None) -> list[str]:
    """Why a letter of this kind cannot be drafted for this case (its `refuse:` sentences that hold)."""
    if not kind.refuse:
        return []
    wording = _wording_context(case, _view(case), today or date.today())
    return [text for text, _ in say(kind, "refuse", _sentence_context(case, kind, wording))]


def _recipient(case: Case, kind: LetterKind, view: dict[str, Any], regulator: Any) -> list[Any]:
    """The address block: the plan's appeals address, the regulator's, or the employer's benefits office."""
    insurance = view["insurance"]
    if kind.recipient == "regulator":
        if regulator is None:
            return [Blank(REGULATOR)]
        if regulator.looked_up:  # the state's own office, to be found in the federal directory
            return [Blank(L_("name and address of {office} (listed at {url})").format(office=regulator.name,
                                                                                     url=regulator.url))]
        return list(regulator.lines)
    if kind.recipient == "employer":
        address = insurance.employer_address if case.insurance.employer_address else field_blank("insurance.employer_address")
        return [insurance.employer, L_("Human Resources / Employee Benefits"), address]
    if case.insurance.appeals_address:
        first = case.insurance.appeals_address.splitlines()[0].strip().casefold()
        insurer = (case.insurance.insurer or "").strip().casefold()
        if insurer and first.startswith(insurer):  # the address names the plan already, as a notice prints it
            return [insurance.appeals_address]
        return [insurance.insurer, insurance.appeals_address]
    if case.insurance.appeals_fax:  # a letter the plan gets by fax needs no mailing address (the fax line follows)
        return [insurance.insurer]
    return [insurance.insurer, field_blank("insurance.appeals_address")]


def suggested_enclosures_for(case: Case, kind: LetterKind, today: date | None = None) -> list[str]:
    wording = _wording_context(case, _view(case), today or date.today())
    return _suggested_enclosures(case, kind, _sentence_context(case, kind, wording))


def _signature(case: Case, patient: CaseView, sender: CaseView, kind: LetterKind) -> list[Any]:
    """The lines under the signature. A patient's or representative's phone and email are on the letterhead and
    are not repeated; a provider's phone is, for the peer-to-peer call."""
    role = case.sender.role or SenderRole.patient
    if kind.signed_by == "patient" and role is not SenderRole.patient:  # a document the patient signs for the sender
        return [case.patient.full_name or Blank(PATIENT_NAME), L_("Date signed: ____________")]
    if role is SenderRole.patient:
        return [case.sender.name or case.patient.full_name or Blank(PATIENT_NAME)]
    if role is SenderRole.provider:
        name = case.sender.name or field_blank("sender.name")
        credentials = f", {case.sender.credentials}" if case.sender.credentials else ""
        lines = [f"{name}{credentials}", sender.specialty, f"NPI {case.sender.npi}" if case.sender.npi else field_blank("sender.npi")]
        return lines + [sender.organization, sender.phone]
    relationship = f" ({case.sender.relationship})" if case.sender.relationship else ""
    return [
        f"{case.sender.name or field_blank('sender.name')}{relationship}",
        L_("Authorized representative for {patient}").format(patient=case.patient.full_name or Blank(PATIENT_NAME)),
        sender.organization if case.sender.organization else None,
    ]


def _evidence_for(case: Case, kind: LetterKind, evidence_dirs: list[Path] | None) -> list[Any]:
    """Letters that argue the clinical case carry the evidence; requests for documents do not."""
    if not kind.argues_case:
        return []
    return evidence.select(case, evidence.load_library(evidence_dirs))


def _levels(case: Case, kind: LetterKind) -> tuple[str, str]:
    """The step this letter starts ('an internal appeal to the plan, the first level of appeal') and the next one,
    which the letter reserves, as appeal.rules.dispute places the case; empty for letters that start no step."""
    step = letter_step(case, kind)
    steps = dispute.case_steps(case) if case.denial is not None else dispute.steps_for(case.insurance.plan_type)

    # TRANSLATORS: the word that opens a step's condition: "a second-level internal appeal, if the plan has two levels"
    condition = ", " + L_("if") + " "

    def plain(name: str) -> str:
        return in_letter(name).split(condition)[0]

    if step is Step.initial_request:
        # a request not yet decided: an appeal follows a denial
        return "", in_letter(steps[0].name) if case.denial is None and steps else ""
    position = dispute.position(case)
    if step is None:  # a letter tied to no step (a request for documents) prepares the step the case is at
        return "", plain(position.current.name) if case.denial is not None and position.current else ""
    if position.current is not None and position.current.step is step:
        index: int | None = position.index
    else:  # a step named by the kind (external review), wherever the case stands
        index = next((n for n, info in enumerate(steps) if info.step is step), None)
    if index is None or index >= len(steps):
        return "", ""
    if steps[index].step is Step.internal_appeal:
        this = L_("{step}, the first level of appeal").format(step=plain(steps[index].name))
    elif steps[index].step is Step.second_internal_appeal:
        this = L_("{step}, the second level of appeal").format(step=plain(steps[index].name))
    else:
        this = plain(steps[index].name)
    following = plain(steps[index + 1].name) if index + 1 < len(steps) else ""
    if index + 1 < len(steps) and ", if " in steps[index + 1].name and index + 2 < len(steps):
        # "a second-level internal appeal, if the plan has two levels": name the step after it too
        named = in_letter(steps[index + 1].name).replace(condition, " " + L_("if") + " ")
        following = L_("{step}, then {next}").format(step=named, next=plain(steps[index + 2].name))
    return this, following


def _urgent_deadline(case: Case, kind: LetterKind) -> str:
    """The expedited decision deadline in hours with its rule's citation, from the rules for this letter's step."""
    step = letter_step(case, kind)
    if step is None:
        return ""
    for rule in rules_module.select(case, step, {rules_module.Topic.decision_deadline}):
        if rule.urgency == "expedited" and rule.deadline is not None and rule.deadline.unit == "hours":
            return L_("{amount} hours ({citation})").format(amount=rule.deadline.amount, citation=rule.citation)
    return ""


_NOTHING = {"none", "no", "n/a", "not applicable"}


def _one_line(text: str) -> str:
    """A typed text as one line: its line breaks become spaces; every other character is kept."""
    return re.sub(r"[ \t]*\n[ \t]*", " ", text.strip())


# The clinical facts that say what a denial puts at stake, each with its label (goals.py asks for them when a
# kind `states_consequences`).
STAKES = (("functional_impairment", LN_("Daily life and work")), ("hospitalizations", LN_("Hospital care")),
          ("suicide_risk", LN_("Safety")))
# Every fact the letter's "What is at stake" is written from: those above and the patient's own expectation.
STAKE_FACTS = (*(f"clinical.{name}" for name, _ in STAKES), "clinical.if_denied")


def _consequences(case: Case) -> list[str]:
    """What is at stake, in the case's own recorded facts (never a prediction the case does not make)."""
    facts = [(getattr(case.clinical, name), label) for name, label in STAKES]
    # A recorded absence ("None.", "No suicidal thoughts ...") is not something a denial puts at stake.
    return [f"{in_letter(label)}: {_one_line(text).rstrip('.')}." for text, label in facts
            if text and text.strip().rstrip(".").lower() not in _NOTHING
            and not text.lstrip().lower().startswith("no ")]


def _if_denied(case: Case, voice: Voice) -> str:
    """The sender's own expectation of a denial, said as the sender's (never turned into the letter's prediction,
    and never put in the patient's mouth: a representative or a provider typed it, so it is theirs)."""
    text = case.clinical.if_denied
    if not text or text.strip().rstrip(".").lower() in _NOTHING:
        return ""
    expected = _one_line(text).rstrip(".")
    if voice.role == "patient":
        return L_("What I expect if this treatment is denied: {expected}.").format(expected=expected)
    return L_("What I expect for {patient} if this treatment is denied: {expected}.").format(
        patient=voice.object, expected=expected)


def _parity(case: Case, kind: LetterKind) -> list[str]:
    """The parity point, for a mental health treatment under a plan the parity law reaches (never Medicare,
    Medicaid fee-for-service, TRICARE, VA or FEHB): the kind's `parity_rules` whose plan types hold the plan."""
    if not kind.parity_rules or not case.insurance.plan_type:
        return []
    if not case.insurance.coverage().argues_parity:  # plan_types.yaml's parity_law
        return []
    if not clinical.has_mental_health(case):
        return []
    by_id = _rules_by_id()
    unknown = [rule_id for rule_id in kind.parity_rules if rule_id not in by_id]
    if unknown:
        raise UserError(f"The letter kind {kind.name} ({kind.source}): parity_rules names no rule of rules.yaml: "
                        f"{', '.join(unknown)}.")
    return [rules_module.cited(by_id[rule_id]) for rule_id in kind.parity_rules
            if case.insurance.plan_type in by_id[rule_id].plan_types]


def setting_and_monitoring(case: Case, chosen: list[Any], evidence_dirs: list[Path] | None) -> list[str]:
    """Where and how the treatment is given safely (appeal/data/administration.yaml: the Spravato REMS, the
    monitoring consensus guidance describes for IV ketamine), with its source's Attachment A number, or its short
    citation when the snippet is not attached."""
    entry = administration.for_case(case)
    if entry is None:
        return []
    number = next((f"[{item.number}]" for item in chosen if item.snippet.id == entry.source), "")
    if number:  # Attachment A gives the full citation, and the argument has named it: the number is enough
        return [in_letter(entry.text).replace("{source}", number)]
    cite = entry.cite
    if not cite:
        snippet = evidence.load_library(evidence_dirs).get(entry.source)
        if snippet is None:  # a user's evidence folder replaced the library without it: say nothing unsourced
            return []
        cite = evidence.short_citation(snippet)
    return [in_letter(entry.text).replace("{source}", f"({cite})")]


def _representative_authority(case: Case, enclosures: list[str]) -> str:
    """A representative's authority, as the opening says it: enclosed only when the Enclosures list holds it (the
    tool's own draft or the sender's copy), so the letter never claims a paper that is not in the envelope."""
    if case.sender.role is not SenderRole.representative:
        return ""
    medicare = case.insurance.coverage().family == "medicare"
    if any(word in item.lower() for item in enclosures for word in ("represent", "cms-1696", "appointment")):
        return L_("appointment of representative enclosed") if medicare else L_("authorization enclosed")
    if case.sender.authorization is Authorization.on_file:
        return L_("appointment of representative on file with the plan") if medicare else \
            L_("authorization on file with the plan")
    return L_("the patient's signed appointment of representative will be sent separately") if medicare else \
        L_("the patient's signed authorization will be sent separately")


def _percent(fraction: float) -> str:
    return f"{abs(fraction) * 100:.0f}%"


def _course_sentence(course: clinical.ScoreCourse, start: date | None) -> str:
    """'MADRS: 34 on May 5, 2026 (baseline, before treatment) to 8 on November 17, 2026, 76% lower: a response
    and remission.' Response and remission are said only where scales.yaml defines them for the scale."""
    baseline = L_("baseline before treatment") if start is not None and course.baseline.date <= start else L_("baseline")
    text = L_("{scale}: {first} on {first_date} ({baseline}) to {last} on {last_date}").format(
        scale=course.instrument.label, first=course.baseline.number, first_date=present(course.baseline.date),
        baseline=baseline, last=course.latest.number, last_date=present(course.latest.date))
    change = course.change
    if change is not None and change != 0:
        text += ", " + (L_("{percent} lower") if change > 0 else L_("{percent} higher")).format(percent=_percent(change))
    if course.response is None:
        return text + "."
    response = L_("a response") if course.response else L_("short of a response (a fall of at least {percent})").format(
        percent=_percent(course.scale.response_reduction))
    remission = (L_("remission ({definition})") if course.remission else L_("not yet remission ({definition})")).format(
        definition=course.scale.remission_text)
    return L_("{course}: {response}, and {remission}.").format(course=text, response=response, remission=remission)


def _score_definition(courses: list[clinical.ScoreCourse]) -> str:
    """The response and remission definitions the summary applied, with their source."""
    defined = clinical.judged_courses(courses)
    if not defined:
        return ""
    reductions = sorted({course.scale.response_reduction for course in defined})
    either = " " + L_("or") + " "
    remissions = either.join((L_("a {scale} total of {definition}") if course.scale.remission_at_most is not None
                              else L_("a {scale} total {definition}")).format(
        scale=course.instrument.label, definition=course.scale.remission_text) for course in defined)
    sources = "; ".join(dict.fromkeys(" ".join(course.scale.citation.split()) for course in defined if course.scale.citation))
    return L_("Response means a total at least {reductions} below the baseline; remission means {remissions}, as "
              "defined in {sources}.").format(reductions=either.join(_percent(r) for r in reductions),
                                              remissions=remissions, sources=sources)


def _change(course: clinical.ScoreCourse, point: Any) -> str:
    """A rating against its scale's baseline: 'baseline', '62% lower', 'no change'; from a baseline of 0, where
    no percentage can be said, 'higher (baseline 0)'."""
    if point is course.baseline:
        return L_("baseline")
    if point.date < course.baseline.date:
        return L_("before baseline")
    if point.value == course.baseline.value:
        return L_("no change")
    fraction = course.change_at(point)
    if fraction is None:
        return L_("higher (baseline {number})").format(number=course.baseline.number)
    return (L_("{percent} lower") if fraction > 0 else L_("{percent} higher")).format(percent=_percent(fraction))


def _score_rows(courses: list[clinical.ScoreCourse]) -> list[ScoreRow]:
    """One row a date, oldest first, each scale rated that day with its change from baseline."""
    by_date: dict[date, list[tuple[str, str, bool]]] = {}
    for course in courses:
        for point in course.points:
            by_date.setdefault(point.date, []).append(
                (f"{course.instrument.label} {point.number}", f"{course.instrument.label} {_change(course, point)}",
                 point is course.baseline))
    rows = []
    for day in sorted(by_date):
        scores, changes, baselines = zip(*by_date[day])
        shown = L_("baseline") if all(baselines) else "; ".join(changes)
        rows.append(ScoreRow(present(day), "; ".join(scores), shown))
    return rows


def _paragraphs(text: str | None) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside one are just wrapping, as in an email."""
    blocks = re.split(r"\n[ \t]*\n", text or "")
    return [re.sub(r"[ \t]*\n[ \t]*", " ", block.strip()) for block in blocks if block.strip()]


def _score_chart_alt(courses: list[clinical.ScoreCourse], summary: list[str]) -> str:
    if not courses:
        return ""
    first = min(course.points[0].date for course in courses)
    last = max(course.points[-1].date for course in courses)
    scales = (" " + L_("and") + " ").join(course.instrument.label for course in courses)
    return L_("Line chart of {scales} total scores from {first} to {last}, with dashed lines at the remission "
              "thresholds.").format(scales=scales, first=present(first), last=present(last)) + " " + " ".join(summary)


def warm(evidence_dirs: list[Path] | None = None) -> None:
    """Load what every plan reads (wording, rules, criteria, evidence) now rather than for the first letter."""
    argument_wordings()
    rules_module.all_rules()
    readiness.all_criteria()
    evidence.load_library(evidence_dirs)


@within_render_budget  # the wording and the kind's sentences of one plan share one budget
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
    # what the sentences may call enclosed: the types of document the Enclosures hold, decided before any sentence
    # (from the English lines: documents.yaml names documents in English words)
    enclosed = enclosed_types(_in_english(lambda: _enclosures(case, kind, sentence_context)))
    wording_context["enclosed"] = sentence_context["enclosed"] = enclosed
    levels = _levels(case, kind)
    courses = clinical.score_courses(case)
    summary = [_course_sentence(course, case.treatment.start_date) for course in courses]
    enclosures = _enclosures(case, kind, sentence_context)
    letter = LetterPlan(
        kind=kind.name,
        title=in_letter(kind.title),
        date=LetterDate(today.year, today.month, today.day),
        urgent=urgent,
        voice=voice,
        recipient=_recipient(case, kind, view, sentence_context["regulator"]),
        re_lines=_re_lines(case, view, kind, levels[0]),
        reason_labels=[reason.label for reason in (case.denial.reasons if case.denial else [])],
        arguments=_arguments_for(case, kind, wording_context, chosen),
        notes_paragraphs=_paragraphs(case.clinical.provider_notes),
        scores=[L_("{score} on {date}").format(score=s.shown, date=present(s.date)) if s.date else s.shown
                for s in case.clinical.scores],
        rights=_rights(case, kind),
        requests=[text for text, _ in say(kind, "requests", sentence_context)],
        enclosures=enclosures,
        enclosed=enclosed,
        representative_authority=_representative_authority(case, _in_english(lambda: _enclosures(
            case, kind, sentence_context), enclosures)),
        suggested_enclosures=_suggested_enclosures(case, kind, sentence_context),
        signature=[line for line in _signature(case, view["patient"], view["sender"], kind) if line is not None],
        facts=facts,
        warnings=case_checks.warnings(case) + [text for text, _ in say(kind, "warnings", sentence_context)],
        evidence=chosen,
        evidence_refs=_refs(chosen),
        criteria_met=[in_letter(result.criterion.met or result.criterion.title)
                      for result in readiness.check(case, today) if result.status == "met"],
        request_title=in_letter(dispute.request_title(case)),
        level=levels[0],
        next_level=levels[1],
        urgent_deadline=sentence_context["urgent_deadline"],
        consequences=_consequences(case) if kind.states_consequences else [],
        if_denied=_if_denied(case, voice) if kind.states_consequences else "",
        parity=_parity(case, kind),
        setting=setting_and_monitoring(case, chosen, evidence_dirs),
        to_draft=_to_draft(kind, sentence_context),
        sending=[text for text, _ in say(kind, "sending", sentence_context)],
        score_courses=courses,
        score_summary=summary,
        score_rows=_score_rows(courses),
        score_definition=_score_definition(courses),
        dose_heading=L_("Dose or sessions") if any(item.drug_class and item.drug_class.drug is False
                                                   for item in case.prior_treatments) else L_("Dose"),
        score_chart_alt=_score_chart_alt(courses, summary),
    )
    if kind.recipient != "plan":  # a regulator or an employer is told the whole story
        letter.regulator = sentence_context["regulator"]
        broken = sentence_context["missed"]  # worked out once, for the sentences and for the letter
        letter.breaches = [item.text for item in broken]
        letter.timeline = [Line(str(present(event.day)), event.text) for event in complaint.timeline(case, today, broken)]
    return {**view, "letter": letter}
