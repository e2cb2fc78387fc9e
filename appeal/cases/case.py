"""The case: everything a letter can say, typed and described once.

This model is the single source of truth. A case file (YAML or JSON), the questionnaire and a CSV row all fill it;
its field descriptions become the JSON Schema (`appeal schema`), the questionnaire's help text and the template
variable reference. Every field is optional so that a half-finished case still loads: the letter shows what is
missing as a visible blank instead of refusing to load.
"""

from __future__ import annotations

import re
import types
import typing
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from appeal.base import letter_language
from appeal.base.control_chars import refuse_controls
from appeal.base.language import translate as _
from appeal.cases import conditions, icd10, plan_types, states
from appeal.cases.fields import NPI, Date, Money, PastDate, Phone

SCHEMA_VERSION = 1
# The longest text one field may hold (about 40 pages). A letter must hold every value in full, never cut one short;
# longer records are enclosed as documents of their own.
MAX_TEXT_CHARACTERS = 100_000


class Model(BaseModel):
    """Strict about unknown keys, so a typo in a case file ('membr_id') is an error, not silently dropped data."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, str_strip_whitespace=True, str_max_length=MAX_TEXT_CHARACTERS
    )

    @field_validator("*", mode="before")
    @classmethod
    def _plain_text_and_real_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Every field, whatever its type, before its own rule: text holds no control characters (see
        appeal/base/control_chars.py; a list's texts too), and a number field refuses a yes/no, which YAML makes of
        `yes`, `no`, `on`, `off` and which pydantic would otherwise take as 1 or 0."""
        if isinstance(value, str):
            return refuse_controls(value)
        if isinstance(value, list) and any(isinstance(item, str) for item in value):
            return [_item_text(number, item) if isinstance(item, str) else item
                    for number, item in enumerate(value, start=1)]
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _takes_a_number(field.annotation):
            raise ValueError("a yes/no value (yes, no, true, false, on, off) is not a number; write the number itself")
        return value


def _item_text(number: int, text: str) -> str:
    try:
        return refuse_controls(text)
    except ValueError as error:
        raise ValueError(f"item {number} {error}") from None


def _takes_a_number(annotation: Any) -> bool:
    """Whether a field's type is a number (int, float, money), possibly optional, and never a yes/no."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    parts = typing.get_args(annotation) if union else (annotation,)
    bases = {typing.get_args(part)[0] if typing.get_origin(part) is typing.Annotated else part for part in parts}
    return bool(bases & {int, float, Decimal}) and bool not in bases


class Choice(StrEnum):
    """An enum whose members carry a plain-language label for letters and prompts: the English one, or, while a
    letter in another language is drafted (appeal/base/letter_language.py), that language's."""

    @property
    def label(self) -> str:
        return letter_language.translate(_LABELS.get((type(self), self.value), self.value.replace("_", " ")))


# --------------------------------------------------------------------------------------------------------------
# Fixed sets


class SenderRole(Choice):
    patient = "patient"
    representative = "representative"
    provider = "provider"


class PlanType(Choice):
    """The kinds of coverage. What each one changes, its label included, is data: appeal/data/plan_types.yaml."""

    employer_self_funded = "employer_self_funded"
    employer_fully_insured = "employer_fully_insured"
    individual_marketplace = "individual_marketplace"
    medicare_original = "medicare_original"
    medicare_advantage = "medicare_advantage"
    medicare_part_d = "medicare_part_d"
    medicaid_ffs = "medicaid_ffs"
    medicaid_managed_care = "medicaid_managed_care"
    va = "va"
    tricare = "tricare"
    fehb = "fehb"
    other = "other"

    @property
    def label(self) -> str:
        return letter_language.translate(plan_types.of(self).label)


class TreatmentKind(Choice):
    iv_ketamine = "iv_ketamine"
    esketamine_nasal = "esketamine_nasal"
    im_ketamine = "im_ketamine"
    other = "other"


class Authorization(Choice):
    """Where a representative's written authority (for Medicare, the appointment of representative) is: a letter
    says it is enclosed only when it goes with the letter."""

    enclosed = "enclosed"
    to_draft = "to_draft"
    on_file = "on_file"
    to_follow = "to_follow"


class Urgency(Choice):
    standard = "standard"
    expedited = "expedited"


class NetworkStatus(Choice):
    in_network = "in_network"
    out_of_network = "out_of_network"
    unknown = "unknown"


class DenialReason(Choice):
    not_medically_necessary = "not_medically_necessary"
    experimental = "experimental"
    off_label = "off_label"
    no_prior_authorization = "no_prior_authorization"
    step_therapy = "step_therapy"
    out_of_network = "out_of_network"
    benefit_exclusion = "benefit_exclusion"
    insufficient_documentation = "insufficient_documentation"
    coding_billing = "coding_billing"
    other = "other"


class AppealLevels(Choice):
    """How many levels of internal appeal an employer plan has: one, or two (the most it may require, 29 CFR
    2560.503-1(c)(2)). It decides how long the plan has to decide each appeal (2560.503-1(i)(2)(ii)-(iii))."""

    one = "one"
    two = "two"


class ReviewLevel(Choice):
    """How far the dispute has gone: the last decision the plan (or a reviewer) has made."""

    initial = "initial"
    first_internal = "first_internal"
    final_internal = "final_internal"
    external = "external"


class SentStep(Choice):
    """What was sent to the plan: the request, an appeal, or a request for external review."""

    initial_request = "initial_request"
    internal_appeal = "internal_appeal"
    second_internal_appeal = "second_internal_appeal"
    external_review = "external_review"


class SendMethod(Choice):
    fax = "fax"
    mail = "mail"
    portal = "portal"
    email = "email"
    hand = "hand"


class Decision(Choice):
    approved = "approved"
    denied = "denied"
    partial = "partial"


class DrugClass(Choice):
    """The kind of a treatment already tried, medication or not. Its label, whether it is a drug and the conditions
    it is offered for are data: appeal/data/conditions.yaml."""

    ssri = "ssri"
    snri = "snri"
    bupropion = "bupropion"
    mirtazapine = "mirtazapine"
    tca = "tca"
    maoi = "maoi"
    antipsychotic_augmentation = "antipsychotic_augmentation"
    lithium = "lithium"
    gabapentinoid = "gabapentinoid"
    opioid = "opioid"
    topical = "topical"
    anti_inflammatory = "anti_inflammatory"
    bisphosphonate = "bisphosphonate"
    psychotherapy = "psychotherapy"
    ect = "ect"
    tms = "tms"
    physical_therapy = "physical_therapy"
    nerve_block = "nerve_block"
    spinal_cord_stimulation = "spinal_cord_stimulation"
    other = "other"

    @property
    def label(self) -> str:
        return letter_language.translate(conditions.treatment_class(self.value).label)

    @property
    def drug(self) -> bool | None:
        """A medication (with a dose and weeks at full dose), a non-drug treatment (False), or not known (None)."""
        return conditions.treatment_class(self.value).drug


class Response(Choice):
    none = "none"
    partial = "partial"
    intolerable = "intolerable"
    relapse = "relapse"


class Instrument(Choice):
    phq9 = "phq9"
    madrs = "madrs"
    hamd = "hamd"
    gad7 = "gad7"
    pcl5 = "pcl5"
    cssrs = "cssrs"
    pain = "pain"


# Pairs, not a dict: StrEnum members equal their values, so NetworkStatus.out_of_network and DenialReason.out_of_network
# would collide. (PlanType labels are in appeal/data/plan_types.yaml, DrugClass labels in appeal/data/conditions.yaml.)
_LABEL_PAIRS: list[tuple[StrEnum, str]] = [
    (SenderRole.representative, "authorized representative"),
    (TreatmentKind.iv_ketamine, "intravenous (IV) ketamine infusion"),
    (TreatmentKind.esketamine_nasal, "esketamine nasal spray (Spravato)"),
    (TreatmentKind.im_ketamine, "intramuscular (IM) ketamine"),
    (Authorization.enclosed, "signed: it goes with the letter"),
    (Authorization.to_draft, "not yet: draft it for the patient to sign, and it goes with the letter"),
    (Authorization.on_file, "the plan already has it on file"),
    (Authorization.to_follow, "not yet: it will be sent separately, after the letter"),
    (NetworkStatus.in_network, "in network"),
    (NetworkStatus.out_of_network, "out of network"),
    (DenialReason.not_medically_necessary, "not medically necessary"),
    (DenialReason.experimental, "experimental or investigational"),
    (DenialReason.off_label, "off-label (not FDA-approved for this use)"),
    (DenialReason.no_prior_authorization, "no prior authorization"),
    (DenialReason.step_therapy, "step therapy not met"),
    (DenialReason.out_of_network, "out of network"),
    (DenialReason.benefit_exclusion, "benefit exclusion"),
    (DenialReason.insufficient_documentation, "insufficient documentation"),
    (DenialReason.coding_billing, "coding or billing"),
    (AppealLevels.one, "one level: the plan's answer to the first appeal is its last"),
    (AppealLevels.two, "two levels: after a no on the first appeal, the plan reviews it once more"),
    (ReviewLevel.initial, "initial decision only (no appeal yet)"),
    (ReviewLevel.first_internal, "first internal appeal decided"),
    (ReviewLevel.final_internal, "final internal appeal decided"),
    (ReviewLevel.external, "external review decided"),
    (SentStep.initial_request, "the request for approval"),
    (SentStep.internal_appeal, "the internal appeal"),
    (SentStep.second_internal_appeal, "the second-level internal appeal"),
    (SentStep.external_review, "the request for external review"),
    (SendMethod.hand, "hand delivery"),
    (Decision.partial, "partly approved"),
    (Response.none, "no improvement"),
    (Response.partial, "partial improvement only"),
    (Response.intolerable, "intolerable side effects"),
    (Response.relapse, "relapse"),
    (Instrument.phq9, "PHQ-9"),
    (Instrument.madrs, "MADRS"),
    (Instrument.hamd, "HAM-D"),
    (Instrument.gad7, "GAD-7"),
    (Instrument.pcl5, "PCL-5"),
    (Instrument.cssrs, "C-SSRS"),
    (Instrument.pain, "pain score (0-10)"),
]
_LABELS = {(type(member), member.value): label for member, label in _LABEL_PAIRS}

# Drug classes that are antidepressant medications (used to judge treatment resistance): the classes
# appeal/data/conditions.yaml counts for treatment-resistant depression.
ANTIDEPRESSANT_CLASSES = frozenset(DrugClass(name) for name in conditions.of("treatment_resistant_depression").counted)

# --------------------------------------------------------------------------------------------------------------
# Parts of a case


class Sender(Model):
    """Who signs the letter. The letter's voice follows the role."""

    role: SenderRole | None = Field(
        None,
        description="Who is writing: the patient; an authorized representative or advocate; or the treating provider.",
    )
    name: str | None = Field(None, description="Full name of the person signing (a patient may leave it empty).")
    relationship: str | None = Field(
        None, description="A representative's relationship to the patient, e.g. 'spouse' or 'patient advocate'."
    )
    authorization: Authorization | None = Field(
        None,
        description="A representative's written authority from the patient (for Medicare, the appointment of "
        "representative): enclosed (signed, sent with the letter), to_draft (this tool drafts it for the patient "
        "to sign; sent with the letter), on_file (the plan already has it) or to_follow (sent separately). A letter "
        "says 'authorization enclosed' only when it is in the enclosures; not given counts as to_draft.",
    )
    credentials: str | None = Field(None, description="Provider's credentials, e.g. 'MD' or 'PMHNP-BC'.")
    specialty: str | None = Field(None, description="Provider's specialty, e.g. 'Psychiatry' or 'Pain medicine'.")
    npi: NPI | None = Field(None, description="Provider's 10-digit National Provider Identifier.")
    organization: str | None = Field(None, description="Practice, clinic or advocacy organization.")
    address: str | None = Field(None, description="Mailing address, one or more lines.")
    phone: Phone | None = Field(None, description="Phone number.")
    fax: Phone | None = Field(None, description="Fax number.")
    email: str | None = Field(None, description="Email address.")


class Patient(Model):
    """The person whose care was denied."""

    first_name: str | None = Field(None, description="Patient's first name.")
    last_name: str | None = Field(None, description="Patient's last name.")
    date_of_birth: PastDate | None = Field(None, description="Patient's date of birth.")
    address: str | None = Field(None, description="Patient's mailing address.")
    phone: Phone | None = Field(None, description="Patient's phone number.")
    email: str | None = Field(None, description="Patient's email address.")
    member_id: str | None = Field(None, description="Member ID, printed on the insurance card.")
    group_number: str | None = Field(None, description="Group number, printed on the card of an employer plan.")
    policy_holder: str | None = Field(
        None, description="Name of the policy holder (subscriber), when it is not the patient."
    )

    @property
    def full_name(self) -> str | None:
        parts = [part for part in (self.first_name, self.last_name) if part]
        return " ".join(parts) or None


class Insurance(Model):
    """The plan that denied (or must authorize) the care."""

    insurer: str | None = Field(None, description="Insurance company or plan administrator, e.g. 'Aetna'.")
    plan_name: str | None = Field(None, description="Name of the plan, as on the card or the denial letter.")
    plan_type: PlanType | None = Field(
        None,
        description=(
            "Kind of coverage. It decides the appeal rights and deadlines. A self-funded employer plan pays claims "
            "from the employer's own money (ask HR, or look for 'self-funded' or 'ASO' in the plan documents)."
        ),
    )
    appeals_address: str | None = Field(None, description="Where appeals go: the address on the denial letter.")
    appeals_fax: Phone | None = Field(None, description="Fax number for appeals, from the denial letter.")
    state: str | None = Field(None, description="State whose law governs the plan (two letters, e.g. 'CA').")
    internal_appeal_levels: AppealLevels | None = Field(
        None,
        description="How many levels of internal appeal the plan has, one or two (an employer plan's summary plan "
        "description or denial notice says). It decides how long the plan has to decide each appeal.",
    )
    employer: str | None = Field(None, description="Employer that sponsors the plan, for employer plans.")
    employer_address: str | None = Field(
        None, description="Mailing address of the employer's human resources or benefits office, for employer plans."
    )

    def coverage(self) -> plan_types.PlanTypeData:
        """What this plan type changes (appeal/data/plan_types.yaml). A plan type not given counts as `other`, the
        general rules, here and only here: `plan_type` itself stays empty, so the questionnaire still asks for it and
        a letter still prints its blank. (A method, not a property: templates see fields and properties only.)"""
        return plan_types.of(self.plan_type)

    @field_validator("internal_appeal_levels", mode="before")
    @classmethod
    def _one_or_two(cls, value: object) -> object:
        """1 and 2 (as numbers or digits) mean one and two; anything else is named, with what to write."""
        words = {"1": "one", "2": "two"}
        if value is None or isinstance(value, AppealLevels):
            return value
        text = str(value).strip().lower()
        if text in words or text in words.values():
            return words.get(text, text)
        raise ValueError(_("'{value}' is not a number of appeal levels: write 1 or 2 (one or two); an employer "
                           "plan may require at most two levels of internal appeal").format(value=value))

    @field_validator("state")
    @classmethod
    def _state_code(cls, value: str | None) -> str | None:
        return states.code_of(value) if value else value


class BillingCode(Model):
    """A procedure or drug code (CPT or HCPCS) for the requested treatment."""

    code: str = Field(description="The code, e.g. 96365 (IV infusion, first hour) or G2082 (Medicare esketamine).")
    description: str | None = Field(None, description="What the code stands for.")


class ServiceLine(Model):
    """One line of a superbill: a service already given and paid for."""

    date: PastDate | None = Field(None, description="Date of service.")
    codes: list[str] = Field(default_factory=list, description="CPT or HCPCS codes billed for this service.")
    description: str | None = Field(None, description="What was done, e.g. 'IV ketamine infusion, 40 minutes'.")
    charge: Money | None = Field(None, description="Amount charged.")
    paid: Money | None = Field(None, description="Amount the patient paid.")


class Treatment(Model):
    """The care requested, or already given and denied."""

    kind: TreatmentKind | None = Field(None, description="What is requested.")
    name: str | None = Field(
        None, description="The treatment's name as it should appear in the letter (required when kind is 'other')."
    )
    codes: list[BillingCode] = Field(default_factory=list, description="Procedure and drug codes (CPT or HCPCS).")
    induction: str | None = Field(
        None, description="Induction schedule, e.g. 'six infusions of 0.5 mg/kg over 40 minutes across two weeks'."
    )
    maintenance: str | None = Field(None, description="Maintenance schedule after induction, if any.")
    sessions: int | None = Field(None, ge=1, le=400, description="Number of sessions requested.")
    start_date: Date | None = Field(None, description="Planned or actual first date of treatment.")
    dates_of_service: list[PastDate] = Field(default_factory=list, description="Dates the care was given, if given.")
    facility: str | None = Field(None, description="Where the treatment is given.")
    network_status: NetworkStatus | None = Field(None, description="Whether the facility is in the plan's network.")
    cost_per_session: Money | None = Field(None, description="Cost of one session.")
    urgency: Urgency | None = Field(
        None,
        description=(
            "Expedited when waiting the standard time could seriously jeopardize life, health or the ability to "
            "regain maximum function (for example, active suicidal thoughts)."
        ),
    )
    urgency_reason: str | None = Field(None, description="The provider's clinical reason the request is urgent.")
    services: list[ServiceLine] = Field(
        default_factory=list, description="For a reimbursement request: each service billed (the superbill)."
    )
    authorization_number: str | None = Field(
        None, description="The plan's number for the current authorization, when asking to continue a treatment."
    )
    authorization_end: Date | None = Field(None, description="The date the current authorization ends.")
    billing_npi: NPI | None = Field(None, description="NPI of the provider who billed the services.")
    tax_id: str | None = Field(None, description="Tax ID (EIN) of the billing provider, from the superbill.")
    prescriber: str | None = Field(
        None, max_length=120, description="Who prescribes or oversees the treatment, e.g. 'Dr. Priya Raman'."
    )
    prescriber_specialty: str | None = Field(
        None,
        max_length=120,
        description="The prescriber's specialty in plain words, e.g. 'psychiatrist' or 'psychiatric nurse "
        "practitioner' (plans often require a psychiatric prescriber).",
    )

    prescriber_phone: Phone | None = Field(
        None, description="The prescriber's office phone, for the plan's reviewer to call for a peer-to-peer discussion."
    )
    prescriber_fax: Phone | None = Field(None, description="The prescriber's office fax number.")

    @field_validator("prescriber", "prescriber_specialty")
    @classmethod
    def _words(cls, value: str | None) -> str | None:
        if value is not None and not any(character.isalpha() for character in value):
            raise ValueError(_("'{value}' has no letters; write a name or a specialty in words, like psychiatrist"
                               ).format(value=value))
        return value

    @property
    def display_name(self) -> str | None:
        if self.name:
            return self.name
        return self.kind.label if self.kind and self.kind is not TreatmentKind.other else None

    @property
    def is_urgent(self) -> bool:
        return self.urgency is Urgency.expedited


# A label typed in front of a claim or reference number, followed by the number itself (something with a digit).
_REFERENCE_LABEL = re.compile(
    r"^(?:claim|case|ref(?:erence)?|auth(?:orization)?|request|appeal|icn|dcn)\.?(?:\s*(?:no\.?|number|num\.?|#|id))?"
    r"(?:\s*[:#]\s*|\s+)(?=\S*\d)", re.IGNORECASE)


class Denial(Model):
    """The plan's decision being appealed. Absent for a prior-authorization request."""

    notice_date: PastDate | None = Field(None, description="Date printed on the denial notice.")
    received_date: PastDate | None = Field(None, description="Date the denial notice reached you.")
    reference: str | None = Field(None, description="Claim, case or reference number on the denial notice.")
    reason: DenialReason | None = Field(None, description="The main reason the plan gave, as a category.")
    other_reasons: list[DenialReason] = Field(default_factory=list, description="Any further reasons given.")
    quote: str | None = Field(None, description="The plan's reason, copied word for word from the denial notice.")
    level_exhausted: ReviewLevel | None = Field(
        None, description="The last decision made so far: the initial denial, or which appeal was decided."
    )
    reviewer: str | None = Field(None, description="Name and credentials of the plan's reviewer, if the notice gives them.")

    @property
    def reasons(self) -> list[DenialReason]:
        first = [self.reason] if self.reason else []
        return first + [reason for reason in self.other_reasons if reason not in first]

    @field_validator("reference")
    @classmethod
    def _number_without_its_label(cls, value: str | None) -> str | None:
        """'Claim 0526...' or 'Auth #: A123' keeps only the number: letters print it after their own label ('Claim
        or reference number:'), and the label typed in front of it would print twice."""
        if value is None:
            return None
        return _REFERENCE_LABEL.sub("", value, count=1) or value

    @model_validator(mode="after")
    def _received_after_notice(self) -> Denial:
        if self.notice_date and self.received_date and self.received_date < self.notice_date:
            raise ValueError(
                _("the date the notice reached you (received_date) is before the date printed on it (notice_date)")
            )
        return self


class Diagnosis(Model):
    """A diagnosis, as an ICD-10-CM code."""

    code: str = Field(description="ICD-10-CM code, e.g. F33.2.")
    description: str | None = Field(None, description="Filled in from the official code set when left out.")

    @field_validator("code")
    @classmethod
    def _billable_code(cls, value: str) -> str:
        return icd10.check(value)

    @model_validator(mode="after")
    def _describe(self) -> Diagnosis:
        if not self.description:
            self.__dict__["description"] = icd10.describe(self.code)
        return self


class Score(Model):
    """A symptom rating with its date."""

    instrument: Instrument = Field(description="The scale used.")
    value: float = Field(ge=0, le=100, description="The score.")
    date: PastDate | None = Field(None, description="When it was measured.")

    @model_validator(mode="after")
    def _within_the_scale(self) -> Score:
        from appeal.cases import scales  # data read once, on the first score checked

        instrument, value = self.__dict__.get("instrument"), self.__dict__.get("value")
        if instrument is None or value is None:  # the questionnaire fills a score one field at a time
            return self
        maximum = scales.get(instrument).maximum
        if maximum is not None and value > maximum:
            raise ValueError(_("a {scale} total is 0 to {maximum}, not {number}").format(
                scale=self.instrument.label, maximum=f"{maximum:g}", number=self.number))
        return self

    @property
    def number(self) -> str:
        """The value as a letter writes it: 21, not 21.0."""
        return str(int(self.value)) if float(self.value).is_integer() else f"{self.value:g}"

    @property
    def shown(self) -> str:
        return f"{self.instrument.label} {self.number}"


class Clinical(Model):
    """The clinical picture, as the provider would summarize it."""

    history: str | None = Field(None, description="History of the illness and how long it has lasted.")
    illness_years: float | None = Field(None, ge=0, le=100, description="Years since the illness began.")
    current_episode: str | None = Field(None, description="The current episode: when it began and how it has gone.")
    episode_start: PastDate | None = Field(None, description="When the current episode began.")
    scores: list[Score] = Field(default_factory=list, description="Symptom ratings with dates.")
    functional_impairment: str | None = Field(None, description="How the illness limits work, family and daily life.")
    hospitalizations: str | None = Field(None, description="Psychiatric or pain-related hospital stays.")
    suicide_risk: str | None = Field(None, description="Suicidal thoughts or attempts, and current risk.")
    substance_use_screened: bool | None = Field(None, description="Whether substance use was screened.")
    if_denied: str | None = Field(
        None,
        description="What the sender expects if the treatment is denied, in the sender's own words (the letter "
        "says it as the sender's, never as the patient's unless the patient writes), e.g. 'I would stay on "
        "disability leave and could lose my job'.",
    )
    contraindications: str | None = Field(
        None, description="Why other options (e.g. ECT, more medications) are unsuitable for this patient."
    )
    provider_notes: str | None = Field(
        None, description="The provider's own words on why this treatment is needed (several paragraphs allowed)."
    )


class PriorTreatment(Model):
    """A treatment already tried."""

    name: str | None = Field(None, description="Medication or therapy, e.g. 'sertraline' or 'CBT'.")
    drug_class: DrugClass | None = Field(
        None, description="Its kind: a medication's class, or a non-drug treatment such as physical therapy or a nerve "
        "block (appeal/data/conditions.yaml).")
    dose: str | None = Field(None, description="Highest dose reached, e.g. '200 mg daily'; for a non-drug treatment, "
                             "how often or how many, e.g. 'twice weekly' or 'three blocks'.")
    start_date: PastDate | None = Field(None, description="When it began.")
    end_date: PastDate | None = Field(None, description="When it stopped (empty if still taking it).")
    adequate_weeks: float | None = Field(
        None, ge=0, le=1000, description="Weeks at an adequate dose (usually at least 6 weeks for antidepressants); for a "
        "non-drug treatment, the weeks it lasted."
    )
    response: Response | None = Field(None, description="What happened.")
    reason_stopped: str | None = Field(None, description="Side effects or why it was stopped.")
    current_episode: bool | None = Field(None, description="Whether it was tried during the current episode.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> PriorTreatment:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("the end date (end_date) is before the start date (start_date)")
        return self


class HistoryEntry(Model):
    """One request or appeal sent to the plan, and what came of it: the dispute's timeline, for a complaint to the
    regulator (`appeal draft --from-track` fills it from the appeal record)."""

    step: SentStep | None = Field(None, description="What was sent: the request, an appeal, or external review.")
    sent: PastDate | None = Field(None, description="Date it was sent.")
    method: SendMethod | None = Field(None, description="How it was sent: fax, mail, portal, email or hand.")
    received: PastDate | None = Field(None, description="Date the plan received it (its decision clock starts then).")
    decided: PastDate | None = Field(None, description="Date of the plan's decision on it, if any came.")
    result: Decision | None = Field(None, description="The decision: approved, denied or partly approved.")
    note: str | None = Field(None, description="Anything else worth telling a regulator, in one or two sentences.")

    @model_validator(mode="after")
    def _in_order(self) -> HistoryEntry:
        if self.sent and self.received and self.received < self.sent:
            raise ValueError("the date the plan received it (received) is before the date it was sent (sent)")
        if self.sent and self.decided and self.decided < self.sent:
            raise ValueError("the decision date (decided) is before the date it was sent (sent)")
        return self


class EvidenceChoice(Model):
    """The sender's changes to the evidence the tool chooses."""

    add: list[str] = Field(default_factory=list, description="Evidence snippet ids to add.")
    drop: list[str] = Field(default_factory=list, description="Evidence snippet ids to leave out.")


class Case(Model):
    """One person's request or appeal: the whole case file."""

    schema_version: int = Field(SCHEMA_VERSION, description="Version of the case-file format.")
    letter_kind: str | None = Field(
        None, description="The letter this case is for, e.g. 'appeal' (see `appeal letters`)."
    )
    sender: Sender = Field(default_factory=Sender, description="Who signs the letter.")
    patient: Patient = Field(default_factory=Patient, description="The patient.")
    insurance: Insurance = Field(default_factory=Insurance, description="The plan.")
    treatment: Treatment = Field(default_factory=Treatment, description="The requested treatment.")
    denial: Denial | None = Field(None, description="The denial being appealed (absent for a prior authorization).")
    diagnoses: list[Diagnosis] = Field(default_factory=list, description="Diagnoses, most important first.")
    clinical: Clinical = Field(default_factory=Clinical, description="The clinical picture.")
    prior_treatments: list[PriorTreatment] = Field(default_factory=list, description="Treatments already tried.")
    enclosures: list[str] = Field(default_factory=list, description="Documents the sender will attach.")
    history: list[HistoryEntry] = Field(
        default_factory=list, description="What was sent to the plan and what came back, oldest first."
    )
    evidence: EvidenceChoice = Field(default_factory=EvidenceChoice, description="Changes to the chosen evidence.")
    left_out: list[str] = Field(
        default_factory=list,
        description="Facts the sender chose not to give (like patient.email): the letter leaves their lines out "
        "instead of showing a blank. The questionnaire records the questions skipped on purpose here.",
    )
    kept_spellings: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Words the sender chose to keep as typed, by field (clinical.history: [Ketalar]): proofreading "
        "does not flag them there again.",
    )
