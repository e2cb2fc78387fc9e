"""The guided questionnaire's questions, declared as data (like copier's copier.yml).

Each entry names the case field it fills, its prompt, a plain-words hint, its kind, when it applies and its
validator. The validator is always the case model's own rule (`model_rule` assigns the answer into a copy of the
owning model, which has validate_assignment=True), so a date, phone, NPI or ICD-10 code is judged exactly as a
case file would be. The engine that asks them is `appeal.questionnaire`; adding a question is adding one entry.

Paths: "patient.member_id" is a field; "prior_treatments[].dose" is a field of each item of a repeating group;
"enclosures[]" is the item itself for a list of plain values; "@situation" is an answer the questionnaire keeps
for itself (it is not a case field: it only suggests the letter kind).

Prompts may say {patient}, {patients}, {Patient} or {Patients}: "you"/"your" when the patient is writing,
"the patient"/"the patient's" otherwise.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Callable, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from appeal import kinds
from appeal.case import Case, PlanType, TreatmentKind, Urgency
from appeal.fields import format_money

# --------------------------------------------------------------------------------------------------------------
# What a condition sees


@dataclass
class Context:
    """The answers so far, as conditions and choice lists need them."""

    case: Case
    extras: dict[str, Any] = field(default_factory=dict)
    item: dict[str, Any] | None = None

    @property
    def role(self) -> str | None:
        return self.case.sender.role.value if self.case.sender.role else None

    @property
    def situation(self) -> str | None:
        return self.extras.get("situation")

    @property
    def kind(self) -> kinds.LetterKind | None:
        return kinds.all_kinds().get(self.case.letter_kind or "")

    @property
    def words(self) -> dict[str, str]:
        """How prompts speak of the patient: to them, or about them."""
        if self.role == "patient":
            return {"patient": "you", "patients": "your", "Patient": "You", "Patients": "Your"}
        return {
            "patient": "the patient",
            "patients": "the patient's",
            "Patient": "The patient",
            "Patients": "The patient's",
        }


Condition = Callable[[Context], bool]


def always(ctx: Context) -> bool:
    return True


def role_is(*roles: str) -> Condition:
    def condition(ctx: Context) -> bool:
        return ctx.role in roles

    return condition


def letter_is(*names: str) -> Condition:
    def condition(ctx: Context) -> bool:
        return ctx.case.letter_kind in names

    return condition


def all_of(*conditions: Condition) -> Condition:
    def condition(ctx: Context) -> bool:
        return all(each(ctx) for each in conditions)

    return condition


def has_denial(ctx: Context) -> bool:
    """Denial questions: the letter answers a denial, or the person said there was one."""
    return bool(ctx.kind and ctx.kind.needs_denial) or ctx.situation == "denial"


EMPLOYER_PLANS = {PlanType.employer_self_funded, PlanType.employer_fully_insured}
STATE_LAW_PLANS = {
    PlanType.employer_fully_insured,
    PlanType.individual_marketplace,
    PlanType.medicaid_ffs,
    PlanType.medicaid_managed_care,
}


def employer_plan(ctx: Context) -> bool:
    return ctx.case.insurance.plan_type in EMPLOYER_PLANS


def state_law_plan(ctx: Context) -> bool:
    return ctx.case.insurance.plan_type in STATE_LAW_PLANS


def urgent(ctx: Context) -> bool:
    return ctx.case.treatment.urgency is Urgency.expedited


def unnamed_treatment(ctx: Context) -> bool:
    return ctx.case.treatment.kind in (None, TreatmentKind.other)


provider = role_is("provider")
not_patient = role_is("representative", "provider")
patient_writes = role_is("patient")
CLINICAL = ("prior-auth", "appeal", "external-review", "medical-necessity")
clinical_letter = letter_is(*CLINICAL)
requests_care = letter_is("prior-auth", "appeal", "external-review")
sent_to_plan = letter_is(  # every letter but the provider's letter of medical necessity, which goes to anyone
    "prior-auth", "appeal", "external-review", "reimbursement", "claim-file-request", "parity-request"
)

# --------------------------------------------------------------------------------------------------------------
# The validator: the model's own rule


def model_rule(owner: BaseModel, name: str, value: Any) -> BaseModel:
    """Assign `value` to `owner.name` on a copy and return the copy.

    The model has validate_assignment=True, so this runs the field's type, its validators and the model's own
    cross-field checks (a received date before the notice date). A failed assignment can leave the object half
    changed, which is why it works on a copy: the case itself only ever holds answers that passed.
    """
    trial = owner.model_copy()
    setattr(trial, name, value)
    return trial


# --------------------------------------------------------------------------------------------------------------
# Questions and groups

Option = tuple[str, str]  # (stored value, what the person sees)

KINDS = {
    "text": "one line of text",
    "multiline": "several lines (Esc then Enter to finish)",
    "date": "a date; the model reads 03/14/2026, 2026-03-14 and March 14 2026",
    "number": "a number or an amount of money",
    "list": "several values on one line, separated by commas",
    "choice": "one of a list (the field's enum, shown by its plain-language label)",
    "confirm": "yes or no",
    "icd10": "an ICD-10-CM code, or words to look one up",
}


@dataclass(frozen=True)
class Question:
    """One question that fills one field."""

    path: str
    prompt: str
    hint: str | None = None  # None: the field's own description; "" for none
    kind: str = "text"  # one of KINDS
    when: Condition = always
    required: bool = False
    label: str | None = None  # short name in the review; default: the prompt
    choices: Callable[[Context], list[Option]] | None = None  # default: the field's enum, with labels
    validator: Callable[[BaseModel, str, Any], BaseModel] | None = model_rule
    resets: tuple[str, ...] = ()  # questions to ask again when this answer changes
    section: str = ""
    suggest: Callable[[Context], Any] | None = None  # a pre-selected answer the person confirms or changes

    @property
    def key(self) -> str:
        return self.path

    @property
    def field_name(self) -> str:
        """The field inside a group item ("dose"), or "" when the item is a plain value."""
        return self.path.partition("[]")[2].lstrip(".")


@dataclass(frozen=True)
class Group:
    """A repeating group: a list the person adds entries to, one item's questions at a time."""

    path: str
    prompt: str  # asked before the first entry
    more: str  # asked once there are entries
    items: tuple[Question, ...]
    hint: str | None = ""
    when: Condition = always
    label: str | None = None
    show: Callable[[Any], str] = str  # one line per entry in the list shown so far
    section: str = ""
    add_label: str = "Yes, add one"  # the menu choice that starts a new entry

    @property
    def key(self) -> str:
        return self.path


Entry = Union[Question, Group]


def section(title: str, *entries: Entry) -> list[Entry]:
    return [replace(entry, section=title) for entry in entries]


# --------------------------------------------------------------------------------------------------------------
# Reading the case model's fields by path


def plain_type(annotation: Any) -> Any:
    """`X | None` -> X; `Annotated[X, ...]` -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _list_item(annotation: Any) -> Any:
    annotation = plain_type(annotation)
    if typing.get_origin(annotation) is list:
        return plain_type(typing.get_args(annotation)[0])
    raise TypeError(f"{annotation} is not a list")


def field_info(path: str) -> FieldInfo | None:
    """The case model's FieldInfo for a path ("denial.notice_date", "prior_treatments[].dose", "enclosures[]")."""
    if path.startswith("@"):
        return None
    model: Any = Case
    info = None
    for part in path.split("."):
        if part.endswith("[]"):
            info = model.model_fields[part[:-2]]
            model = _list_item(info.annotation)
        else:
            info = model.model_fields[part]
            model = plain_type(info.annotation)
    return info


def value_type(path: str) -> Any:
    """The type an answer becomes: the field's type, or the item type for "x[]"."""
    info = field_info(path)
    if info is None:
        return str
    return _list_item(info.annotation) if path.endswith("[]") else plain_type(info.annotation)


def item_type(group_path: str) -> Any:
    return _list_item(field_info(group_path).annotation)


def enum_options(path: str) -> list[Option]:
    enum = value_type(path)
    if isinstance(enum, type) and issubclass(enum, Enum):
        return [(member.value, getattr(member, "label", member.value)) for member in enum]
    raise TypeError(f"{path} is not a choice field")


# --------------------------------------------------------------------------------------------------------------
# Choices that are not an enum field

SITUATIONS: dict[str, tuple[str, str]] = {
    # value: (what the person sees, the letter it suggests)
    "denial": ("The plan said no (a denial), and I want to appeal it", "appeal"),
    "prior_auth": ("The plan must approve a treatment before it starts (prior authorization)", "prior-auth"),
    "reimbursement": ("I paid for care myself and want the plan to pay me back", "reimbursement"),
    "claim_file": ("I want the plan's papers about a denial (the claim file) before appealing", "claim-file-request"),
    "parity": ("The plan limits mental health care more than other care (a parity request)", "parity-request"),
    "medical_necessity": ("A provider's letter that the treatment is medically necessary", "medical-necessity"),
}


def situation_for(letter_kind: str | None, has_denial_section: bool = False) -> str | None:
    """The situation a finished letter kind implies (for case files made without the questionnaire)."""
    if has_denial_section:
        return "denial"
    for value, (_, kind) in SITUATIONS.items():
        if kind == letter_kind:
            return value
    return {"external-review": "denial"}.get(letter_kind or "")


def situation_options(ctx: Context) -> list[Option]:
    return [(value, title) for value, (title, _) in SITUATIONS.items()]


def chosen_evidence_options(ctx: Context) -> list[Option]:
    """The snippets the tool picked for this case, to drop one."""
    from appeal import evidence

    try:
        chosen = evidence.select(ctx.case, evidence.load_library())
    except Exception:  # an unknown id in an earlier answer: show the library instead of failing
        chosen = []
    return [(item.snippet.id, f"[{item.number}] {item.snippet.title}") for item in chosen]


def other_evidence_options(ctx: Context) -> list[Option]:
    """Snippets the tool did not pick, to add one."""
    from appeal import evidence

    library = evidence.load_library()
    picked = {value for value, _ in chosen_evidence_options(ctx)}
    return [(snippet_id, snippet.title) for snippet_id, snippet in sorted(library.items()) if snippet_id not in picked]


def suggested_drug_class(ctx: Context) -> str | None:
    """'Zoloft' or 'sertraline 100mg' pre-selects SSRI: few patients know the class of their medication."""
    from functools import lru_cache

    from appeal.resources import load_data

    @lru_cache(maxsize=1)
    def table() -> dict[str, str]:
        data = load_data("medications.yaml")
        return {name: drug_class for drug_class, names in data.items() for name in names}

    name = str((ctx.item or {}).get("name") or "").lower()
    return next((table()[word] for word in re.findall(r"[a-z]+", name) if word in table()), None)


def letter_options(ctx: Context) -> list[Option]:
    """Letters this sender can send, the one that fits the situation first."""
    suggested = SITUATIONS.get(ctx.situation or "", ("", ""))[1]
    options = []
    for name, kind in kinds.all_kinds().items():
        if ctx.role and ctx.role not in kind.senders:
            continue
        title = f"{kind.title}: {kind.summary}"
        options.append((name, f"{title}  (suggested)" if name == suggested else title))
    options.sort(key=lambda option: option[0] != suggested)
    return options


def role_options(ctx: Context) -> list[Option]:
    return [
        ("patient", "I am the patient"),
        ("representative", "I am helping the patient (family member, friend or advocate)"),
        ("provider", "I am the patient's doctor or clinician, or work in their office"),
    ]


# --------------------------------------------------------------------------------------------------------------
# How entries of a group are listed


def _show_treatment(item: Any) -> str:
    details = [item.drug_class.label if item.drug_class else None, item.dose]
    if item.adequate_weeks is not None:
        details.append(f"{item.adequate_weeks:g} weeks at full dose")
    text = f"{item.name or '(no name)'}"
    shown = ", ".join(part for part in details if part)
    text += f" ({shown})" if shown else ""
    return text + (f": {item.response.label}" if item.response else "")


def _show_score(item: Any) -> str:
    return item.shown + (f" on {item.date:%m/%d/%Y}" if item.date else "")


def _show_service(item: Any) -> str:
    parts = [f"{item.date:%m/%d/%Y}" if item.date else None, ", ".join(item.codes) or None, item.description]
    money = [f"charged {format_money(item.charge)}" if item.charge is not None else None]
    money.append(f"paid {format_money(item.paid)}" if item.paid is not None else None)
    return " ".join(part for part in parts + money if part) or "(empty)"


def _show_label(item: Any) -> str:
    return getattr(item, "label", str(item))


def _show_date(item: Any) -> str:
    return f"{item:%m/%d/%Y}"


# --------------------------------------------------------------------------------------------------------------
# The questions, in the order they are asked

DATE_HINT = "Like 03/14/2026, 2026-03-14 or March 14 2026."

QUESTIONS: list[Entry] = [
    *section(
        "Who is writing, and why",
        Question(
            "sender.role",
            "Who is writing this letter?",
            "The letter speaks in your voice: 'I' for the patient, 'my patient' for a provider.",
            kind="choice",
            required=True,
            label="Who is writing",
            choices=role_options,
            resets=("letter_kind",),
        ),
        Question(
            "@situation",
            "What happened, or what do you need?",
            "",
            kind="choice",
            required=True,
            label="What happened",
            choices=situation_options,
            validator=None,
            resets=("letter_kind",),
        ),
        Question(
            "letter_kind",
            "Which letter should we write?",
            "The first one fits what you told us; you can pick another.",
            kind="choice",
            required=True,
            label="Letter",
            choices=letter_options,
        ),
    ),
    *section(
        "About you, the sender",
        Question("sender.name", "Your full name", "", when=not_patient, label="Your name"),
        Question(
            "sender.relationship",
            "Your relationship to the patient",
            "For example: spouse, parent, friend, patient advocate.",
            when=role_is("representative"),
            label="Relationship",
        ),
        Question("sender.credentials", "Your credentials", "For example MD, DO or PMHNP-BC.", when=provider),
        Question("sender.specialty", "Your specialty", "For example Psychiatry or Pain medicine.", when=provider),
        Question(
            "sender.npi",
            "Your NPI number",
            "Your 10-digit National Provider Identifier; npiregistry.cms.hhs.gov lists it.",
            when=provider,
            label="NPI",
        ),
        Question(
            "sender.organization",
            "Your practice, clinic or organization (if any)",
            "",
            when=not_patient,
            label="Organization",
        ),
        Question("sender.address", "Your mailing address", "", kind="multiline", when=not_patient, label="Address"),
        Question("sender.phone", "Your phone number", "Like (555) 123-4567.", when=not_patient, label="Phone"),
        Question("sender.fax", "Your fax number", "Plans often answer providers by fax.", when=provider, label="Fax"),
    ),
    *section(
        "The patient",
        Question("patient.first_name", "{Patients} first name", "", label="First name"),
        Question("patient.last_name", "{Patients} last name", "", label="Last name"),
        Question("patient.date_of_birth", "{Patients} date of birth", DATE_HINT, kind="date", label="Date of birth"),
        Question(
            "patient.address",
            "Your mailing address",
            "The plan sends its answer here.",
            kind="multiline",
            when=patient_writes,
            label="Address",
        ),
        Question("patient.phone", "Your phone number", "Like (555) 123-4567.", when=patient_writes, label="Phone"),
        Question("patient.email", "Your email address", "", when=patient_writes, label="Email"),
        Question(
            "patient.policy_holder",
            "Name of the policy holder, if the insurance is in someone else's name",
            "For example a spouse or parent whose job provides the plan. Leave empty if it is in {patients} own name.",
            label="Policy holder",
        ),
    ),
    *section(
        "The insurance",
        Question(
            "insurance.insurer",
            "Insurance company or plan administrator",
            "The company name on the insurance card or the plan's letter, e.g. Aetna or Blue Cross.",
            label="Insurer",
        ),
        Question(
            "insurance.plan_type",
            "What kind of coverage is it?",
            "Self-funded: the employer pays claims with its own money (ask HR, or look for 'self-funded' or "
            "'ASO' in the plan documents). Not sure? Pick 'other or unknown'.",
            kind="choice",
            label="Kind of coverage",
        ),
        Question("insurance.employer", "Which employer provides the plan?", "", when=employer_plan, label="Employer"),
        Question(
            "patient.member_id",
            "Member ID",
            "On the front of the insurance card ('Member ID', 'ID' or 'Subscriber ID'); the plan's letters show "
            "it too.",
        ),
        Question(
            "patient.group_number",
            "Group number",
            "On the insurance card, often marked 'Group' or 'Grp'.",
            when=employer_plan,
        ),
        Question(
            "insurance.plan_name", "Name of the plan", "As printed on the card or the plan's letter.", label="Plan name"
        ),
        Question(
            "insurance.state",
            "Which state is the plan in? (two letters, like OH)",
            "State law adds rights for this kind of plan: usually the state where the plan was bought.",
            when=state_law_plan,
            label="State",
        ),
        Question(
            "insurance.appeals_address",
            "The plan's address for this letter",
            "For an appeal, the appeals address printed on the denial letter; otherwise the address on the back of "
            "the card.",
            kind="multiline",
            when=sent_to_plan,
            label="Plan's address",
        ),
        Question(
            "insurance.appeals_fax",
            "The plan's fax number for this letter",
            "From the denial letter or the plan's website. Leave empty if none.",
            when=sent_to_plan,
            label="Plan's fax",
        ),
    ),
    *section(
        "The denial",
        Question(
            "denial.notice_date",
            "Date printed on the denial letter",
            "Not the day it arrived. " + DATE_HINT,
            kind="date",
            when=has_denial,
            label="Date of the denial",
        ),
        Question(
            "denial.received_date",
            "Date the denial letter reached {patient}",
            "Some deadlines count from this day. " + DATE_HINT,
            kind="date",
            when=has_denial,
            label="Date received",
        ),
        Question(
            "denial.reference",
            "Claim, case or reference number on the denial letter",
            "Usually near the top of the letter, marked 'claim number', 'case number' or 'reference'.",
            when=has_denial,
            label="Reference number",
        ),
        Question(
            "denial.reason",
            "Main reason the plan gave",
            "The denial letter says why, often under 'reason for denial'.",
            kind="choice",
            when=all_of(has_denial, requests_care),
            label="Main reason",
        ),
        Group(
            "denial.other_reasons",
            "Did the plan give another reason as well?",
            "Did the plan give yet another reason?",
            (Question("denial.other_reasons[]", "Which other reason?", "", kind="choice", required=True),),
            when=all_of(has_denial, requests_care),
            label="Other reasons",
            show=_show_label,
        ),
        Question(
            "denial.quote",
            "The plan's reason, copied word for word",
            "Copy it from the denial letter; the appeal answers it point by point.",
            kind="multiline",
            when=all_of(has_denial, requests_care),
            label="The plan's words",
        ),
        Question(
            "denial.level_exhausted",
            "How far has this gone?",
            "Is this the plan's first 'no', or did it already turn down an appeal?",
            kind="choice",
            when=all_of(has_denial, requests_care),
            label="How far it has gone",
        ),
    ),
    *section(
        "The treatment",
        Question("treatment.kind", "Which treatment is this about?", "", kind="choice", label="Treatment"),
        Question(
            "treatment.name",
            "Name of the treatment, as the letter should say it",
            "For example 'IV ketamine infusion therapy'.",
            when=unnamed_treatment,
            label="Treatment name",
        ),
        Group(
            "treatment.codes",
            "Add a billing code (CPT or HCPCS) for the treatment?",
            "Add another billing code?",
            (
                Question(
                    "treatment.codes[].code",
                    "The code",
                    "5 characters, like 96365; on the denial letter, the bill or from the provider's office.",
                    required=True,
                ),
                Question("treatment.codes[].description", "What the code stands for (optional)", ""),
            ),
            hint="Optional. Billing codes are on the denial letter, the bill, or the provider's office can give them.",
            when=clinical_letter,
            label="Billing codes",
            show=lambda item: f"{item.code}" + (f" ({item.description})" if item.description else ""),
        ),
        Question(
            "treatment.induction",
            "The treatment schedule",
            "For example 'six infusions over two weeks'; the provider's treatment plan says it.",
            when=clinical_letter,
            label="Schedule",
        ),
        Question(
            "treatment.maintenance",
            "Maintenance schedule after that, if any",
            "",
            when=all_of(clinical_letter, provider),
            label="Maintenance",
        ),
        Question(
            "treatment.sessions",
            "How many sessions are requested?",
            "A whole number, like 6.",
            kind="number",
            when=clinical_letter,
            label="Sessions",
        ),
        Question(
            "treatment.start_date",
            "When should the treatment start?",
            DATE_HINT,
            kind="date",
            when=letter_is("prior-auth"),
            label="Start date",
        ),
        Question(
            "treatment.facility",
            "Where is the treatment given? (clinic name and city)",
            "",
            when=letter_is(*CLINICAL, "reimbursement"),
            label="Where",
        ),
        Question(
            "treatment.network_status",
            "Is that clinic in the plan's network?",
            "'In network' means the clinic has a contract with the plan; the clinic or the plan's website can say.",
            kind="choice",
            when=letter_is("prior-auth", "appeal", "external-review", "reimbursement"),
            label="Network",
        ),
        Question(
            "treatment.cost_per_session",
            "Cost of one session",
            "Like 475.00.",
            kind="number",
            when=all_of(clinical_letter, provider),
            label="Cost per session",
        ),
        Question(
            "treatment.urgency",
            "Is this urgent?",
            "Expedited (urgent) means waiting weeks could seriously harm health, for example with active suicidal "
            "thoughts; the provider has to back it.",
            kind="choice",
            when=requests_care,
            label="Urgency",
        ),
        Question(
            "treatment.urgency_reason",
            "Why is it urgent? (the provider's reason)",
            "",
            kind="multiline",
            when=all_of(requests_care, urgent),
            label="Why urgent",
        ),
        Group(
            "treatment.dates_of_service",
            "Was the treatment already given? Add a date it was given?",
            "Add another date it was given?",
            (Question("treatment.dates_of_service[]", "Date of the treatment", DATE_HINT, kind="date", required=True),),
            hint="Only if the plan refused to pay for care already given.",
            when=letter_is("appeal", "external-review", "claim-file-request"),
            label="Dates given",
            show=_show_date,
        ),
        Group(
            "treatment.services",
            "Add a service from the bill (the superbill)?",
            "Add another service from the bill?",
            (
                Question("treatment.services[].date", "Date of the service", DATE_HINT, kind="date"),
                Question(
                    "treatment.services[].codes",
                    "Codes on that line of the bill",
                    "Separate them with commas, like 96365, J3490.",
                    kind="list",
                    label="Codes",
                ),
                Question(
                    "treatment.services[].description", "What was done", "For example 'IV ketamine infusion, 40 minutes'."
                ),
                Question("treatment.services[].charge", "Amount charged", "Like 475.00.", kind="number"),
                Question("treatment.services[].paid", "Amount you paid", "Like 475.00.", kind="number"),
            ),
            hint="The superbill is the itemized bill the clinic gives you for insurance; one entry per line on it.",
            when=letter_is("reimbursement"),
            label="Services billed",
            show=_show_service,
        ),
        Question(
            "treatment.billing_npi",
            "NPI of the provider who billed",
            "The 10-digit NPI printed on the superbill.",
            when=letter_is("reimbursement"),
            label="Billing NPI",
        ),
        Question(
            "treatment.tax_id",
            "Tax ID (EIN) of the provider who billed",
            "On the superbill, often marked 'Tax ID', 'TIN' or 'EIN'.",
            when=letter_is("reimbursement"),
            label="Tax ID",
        ),
    ),
    *section(
        "Health",
        Group(
            "diagnoses",
            "Add a diagnosis?",
            "Add another diagnosis?",
            (
                Question(
                    "diagnoses[].code",
                    "Diagnosis code, or a few words to look it up",
                    "The code is on visit notes, the bill or the denial letter (like F33.2). Or type words from the "
                    "diagnosis name, like 'major depressive recurrent'.",
                    kind="icd10",
                    required=True,
                    label="Diagnosis",
                ),
            ),
            hint="Most important first.",
            when=letter_is(*CLINICAL, "reimbursement"),
            label="Diagnoses",
            show=lambda item: f"{item.code} {item.description or ''}".strip(),
        ),
        Question(
            "clinical.history",
            "{Patients} history with this illness, in a few sentences",
            "When it began, how often it came back, what it has been like.",
            kind="multiline",
            when=clinical_letter,
            label="History",
        ),
        Question(
            "clinical.illness_years",
            "How many years since the illness began?",
            "A number, like 12.",
            kind="number",
            when=clinical_letter,
            label="Years ill",
        ),
        Question(
            "clinical.episode_start",
            "When did the current episode begin?",
            DATE_HINT,
            kind="date",
            when=all_of(clinical_letter, provider),
            label="Episode began",
        ),
        Question(
            "clinical.current_episode",
            "The current episode: how it has gone",
            "",
            kind="multiline",
            when=all_of(clinical_letter, provider),
            label="Current episode",
        ),
        Group(
            "clinical.scores",
            "Add a symptom score (like a PHQ-9)?",
            "Add another symptom score?",
            (
                Question("clinical.scores[].instrument", "Which scale?", "", kind="choice", required=True),
                Question("clinical.scores[].value", "The score", "A number, like 22.", kind="number", required=True),
                Question("clinical.scores[].date", "When was it measured?", DATE_HINT, kind="date"),
            ),
            when=all_of(clinical_letter, provider),
            label="Symptom scores",
            show=_show_score,
        ),
        Question(
            "clinical.functional_impairment",
            "How does the illness limit {patients} work, family and daily life?",
            "Concrete examples help: missed work, leave, not driving, not caring for children.",
            kind="multiline",
            when=clinical_letter,
            label="Daily life",
        ),
        Question(
            "clinical.hospitalizations",
            "Hospital stays for this illness, if any",
            "When, and for how long.",
            when=clinical_letter,
            label="Hospital stays",
        ),
        Question(
            "clinical.suicide_risk",
            "Thoughts of suicide or attempts, if any, and how things are now",
            "You may leave this empty. If you are in crisis now, call or text 988 (Suicide & Crisis Lifeline).",
            kind="multiline",
            when=clinical_letter,
            label="Suicide risk",
        ),
        Question(
            "clinical.substance_use_screened",
            "Was substance use screened?",
            "",
            kind="confirm",
            when=all_of(clinical_letter, provider),
            label="Substance use screened",
        ),
        Question(
            "clinical.contraindications",
            "Why other options (like ECT or more medications) do not suit this patient",
            "",
            kind="multiline",
            when=all_of(clinical_letter, provider),
            label="Other options unsuitable",
        ),
        Question(
            "clinical.provider_notes",
            "In your own words: why this treatment is needed",
            "Several paragraphs are fine; leave a blank line between them.",
            kind="multiline",
            when=all_of(clinical_letter, provider),
            label="Provider's statement",
        ),
    ),
    *section(
        "Treatments already tried",
        Group(
            "prior_treatments",
            "Add a medication or therapy {patient} already tried?",
            "Add another medication or therapy {patient} tried?",
            (
                Question(
                    "prior_treatments[].name",
                    "Name of the medication or therapy",
                    "For example sertraline, or CBT; the pill bottle or pharmacy record has the name.",
                    required=True,
                    label="Name",
                ),
                Question(
                    "prior_treatments[].drug_class",
                    "What kind is it?",
                    "Skip it if you are not sure; a known medication's kind is already chosen for you.",
                    kind="choice",
                    label="Kind",
                    suggest=suggested_drug_class,
                ),
                Question(
                    "prior_treatments[].dose",
                    "Highest dose reached",
                    "For example '200 mg daily'; the pill bottle or pharmacy record shows it.",
                    label="Dose",
                ),
                Question(
                    "prior_treatments[].adequate_weeks",
                    "How many weeks at that full dose?",
                    "An adequate trial is usually at least 6 weeks at a full dose; count only those weeks.",
                    kind="number",
                    label="Weeks at full dose",
                ),
                Question("prior_treatments[].response", "What happened?", "", kind="choice", label="Result"),
                Question(
                    "prior_treatments[].reason_stopped",
                    "Side effects, or why it was stopped",
                    "For example 'no improvement after 10 weeks' or 'severe restlessness'.",
                    label="Why stopped",
                ),
            ),
            hint="Plans often want at least two medications tried first; list each one, with therapy too.",
            when=clinical_letter,
            label="Tried before",
            show=_show_treatment,
        ),
    ),
    *section(
        "Published evidence attached to the letter",
        Group(
            "evidence.drop",
            "The letter attaches published studies and guidelines chosen for this case. Leave any of them out?",
            "Leave out another?",
            (Question("evidence.drop[]", "Which one?", "", kind="choice", required=True, choices=chosen_evidence_options),),
            hint="Most people keep them all; a provider may drop a study they would rather not cite.",
            when=clinical_letter,
            label="Evidence left out",
            add_label="Yes, choose one to leave out",
        ),
        Group(
            "evidence.add",
            "Add a piece of evidence the tool did not choose?",
            "Add another?",
            (Question("evidence.add[]", "Which one?", "", kind="choice", required=True, choices=other_evidence_options),),
            hint="Only if you know it fits this case; most people skip this.",
            when=clinical_letter,
            label="Evidence added",
            add_label="Yes, choose one to add",
        ),
    ),
    *section(
        "Documents to send with the letter",
        Group(
            "enclosures",
            "Add a document you will send with the letter?",
            "Add another document?",
            (
                Question(
                    "enclosures[]",
                    "Name of the document",
                    "For example 'psychiatric records, 2025 to 2026'.",
                    required=True,
                ),
            ),
            hint="The usual ones (a copy of the denial, medical records) are listed for you anyway.",
            label="Enclosures",
        ),
    ),
]


def every_question() -> list[Question]:
    """All questions, including those inside groups."""
    found: list[Question] = []
    for entry in QUESTIONS:
        found.extend(entry.items if isinstance(entry, Group) else (entry,))
    return found


def check_declarations() -> None:
    """Every path names a real case field and every choice question has options (a test runs this)."""
    keys = [entry.key for entry in QUESTIONS]
    if len(keys) != len(set(keys)):
        raise ValueError("two entries fill the same field")
    empty = Context(Case())
    for entry in QUESTIONS:
        entry.when(empty)
    for question in every_question():
        if question.kind not in KINDS:
            raise ValueError(f"{question.path}: unknown kind {question.kind!r}")
        if question.path.startswith("@"):
            continue
        field_info(question.path)
        if question.kind == "choice" and question.choices is None:
            enum_options(question.path)
