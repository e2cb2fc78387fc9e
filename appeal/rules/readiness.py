"""Is the case ready? The medical-necessity criteria plans usually apply, checked before the letter is sent.

The criteria are data (`appeal/data/criteria.yaml`): what each asks, in plain words, what to add when the
case does not say, and where the requirement comes from. This module holds only the test of each criterion
against a case. A criterion that is not met or not known is the likeliest reason for the next denial, so each
result names the case field to fill in or fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from appeal.base import letter_language
from appeal.base import language
from appeal.base.language import N_, listed, ngettext, translate as _
from appeal.base.resources import load_data
from appeal.cases import conditions as condition_data
from appeal.cases.case_paths import said
from appeal.cases.case import ANTIDEPRESSANT_CLASSES, Case, Instrument, PriorTreatment, SenderRole, TreatmentKind
from appeal.rules import clinical
from appeal.rules.clinical import Condition

TRIALS_NEEDED = 2
ADULT_AGE = 18
_DEPRESSION_SCALES = {Instrument.phq9, Instrument.madrs, Instrument.hamd}
_PSYCHIATRIC = re.compile(r"psychiatr|psiquiatr|\bPMHNP|\bPMHCNS|\bD?FAPA\b", re.I)  # "psiquiatra": typed in Spanish
# The list entries' fields a check names as missing (appeal.cases.case_paths.said): the English is the path; another
# language says what the field is, with the path beside it.
_NAMED_FIELDS = (N_("prior_treatments[{index}].drug_class"), N_("prior_treatments[{index}].response"),
                 N_("prior_treatments[{index}].adequate_weeks"), N_("prior_treatments[{index}].current_episode"))


class Status(StrEnum):
    met = "met"
    not_met = "not_met"
    unknown = "unknown"

    @property
    def label(self) -> str:
        """In English; marked for the catalog, so the questionnaire's review shows it in the person's language."""
        return {Status.met: N_("met"), Status.not_met: N_("not met"), Status.unknown: N_("not known yet")}[self]


class AppliesTo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    treatments: list[TreatmentKind] = Field(min_length=1)
    conditions: list[Condition] = Field(min_length=1)


class Criterion(BaseModel):
    """One criterion as written in criteria.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    met: str = ""  # the criterion as a letter lists it when met, in no one's voice: 'adult age (18 or older)'
    applies_to: AppliesTo
    description: str
    when_unknown: str
    needs: tuple[str, ...] = ()  # the case fields the check reads; the questionnaire asks for the missing ones
    continuing: bool = False  # only for a request to continue a treatment already started
    source: str
    checked: date

    @property
    def said_title(self) -> str:
        """The title in the person's language (the `appeal` catalog, from criteria.yaml by extract_texts)."""
        return _(letter_language.msgid(self.title))

    @property
    def said_when_unknown(self) -> str:
        """What to add when the case does not say, in the person's language (as `said_title`)."""
        return _(letter_language.msgid(self.when_unknown))

    @field_validator("needs")
    @classmethod
    def _real_fields(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        from appeal.cases.case_paths import field_at

        for path in paths:
            try:
                field_at(path)
            except (KeyError, TypeError):
                raise ValueError(f"needs: '{path}' is not a case field") from None
        return paths


@dataclass(frozen=True)
class Result:
    """How a case stands on one criterion, and what was found or what to add (in the person's language)."""

    criterion: Criterion
    status: Status
    detail: str


# A check returns the status and what was found; a detail of None means "say what to add" (when_unknown).
Check = Callable[[Case, date], tuple[Status, str | None]]


def _day(day: date) -> str:
    """A date in what a check found: as the case file writes it (2026-03-04) in English."""
    return language.shown_date(day, english="%Y-%m-%d")


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _adult(case: Case, today: date) -> tuple[Status, str | None]:
    born = case.patient.date_of_birth
    if born is None:
        return Status.unknown, None
    age = _age(born, today)
    if age >= ADULT_AGE:
        return Status.met, _("patient.date_of_birth {born}: age {age}.").format(born=_day(born), age=age)
    return Status.not_met, _("patient.date_of_birth {born}: age {age}; plans cover these treatments for adults "
                             "only.").format(born=_day(born), age=age)


def _weeks(weeks: float) -> str:
    """'10 weeks', '1 week', '1.5 weeks' in the person's language."""
    count = int(weeks) if weeks == int(weeks) else 2  # a fraction of a week reads as more than one
    return ngettext("{weeks} week", "{weeks} weeks", count).format(weeks=f"{weeks:g}")


def _describe_trial(trial: PriorTreatment) -> str:
    name = trial.name or _("unnamed trial")
    facts = [_(trial.drug_class.label) if trial.drug_class else None]
    weeks = trial.adequate_weeks
    facts.append(_weeks(weeks) if weeks is not None else None)
    facts.append(_(trial.response.label) if trial.response else None)
    return f"{name} ({', '.join(fact for fact in facts if fact)})"


def _adequate_trials(case: Case, today: date) -> tuple[Status, str | None]:
    qualifying: list[PriorTreatment] = []
    not_counted: list[str] = []
    missing: list[str] = []
    possible_classes: set[object] = set()
    for index, trial in enumerate(case.prior_treatments):
        if trial.drug_class is None:
            if trial.name:
                missing.append(f"prior_treatments[{index}].drug_class")
                possible_classes.add(f"unknown-{index}")
            continue
        if trial.drug_class not in ANTIDEPRESSANT_CLASSES:
            continue
        disqualified, trial_missing = clinical.trial_problems(case, index, trial, today)
        if disqualified:
            not_counted.append(f"{trial.name or _(trial.drug_class.label)}: {'; '.join(disqualified)}")
        elif trial_missing:
            missing += trial_missing
            possible_classes.add(trial.drug_class)
        else:
            qualifying.append(trial)
    classes = {trial.drug_class for trial in qualifying}
    counted = ", ".join(_describe_trial(trial) for trial in qualifying)
    if len(classes) >= TRIALS_NEEDED:
        return Status.met, _("{count} qualifying trials in {classes} classes: {trials}.").format(
            count=len(qualifying), classes=len(classes), trials=counted)
    if not case.prior_treatments:
        return Status.unknown, None
    found = (_("Qualifying so far: {trials}.").format(trials=counted) if qualifying
             else _("No antidepressant trial qualifies so far."))
    if not_counted:
        found += " " + _("Not counted: {trials}.").format(trials="; ".join(not_counted))
    if len(classes | possible_classes) >= TRIALS_NEEDED:
        return Status.unknown, f"{found} {_to_decide(missing)}"
    if len(qualifying) > len(classes):
        found += " " + _("Trials in the same class count once; plans ask for two different classes.")
    return Status.not_met, found


def _to_decide(missing: list[str]) -> str:
    """'Add prior_treatments[0].response, ... to decide.', each field named as `said` names it."""
    return _("Add {fields} to decide.").format(fields=", ".join(said(path) for path in missing))


def _diagnosis_among(case: Case, prefixes: tuple[str, ...], wanted: str) -> tuple[Status, str | None]:
    """Met when a diagnosis code starts with one of `prefixes`; not met, naming the codes held and `wanted`."""
    if not case.diagnoses:
        return Status.unknown, None
    found = [d for d in case.diagnoses if d.code.startswith(prefixes)]
    if found:
        return Status.met, _("diagnoses: {found}.").format(found="; ".join(f"{d.code} {d.description}" for d in found))
    codes = ", ".join(d.code for d in case.diagnoses)
    return Status.not_met, _("diagnoses hold {codes} but no {wanted}.").format(codes=codes, wanted=_(wanted))


def _depression_diagnosis(case: Case, today: date) -> tuple[Status, str | None]:
    return _diagnosis_among(case, clinical.DEPRESSION_PREFIXES, N_("depression code (F32.x or F33.x)"))


def _pain_diagnosis(case: Case, today: date) -> tuple[Status, str | None]:
    return _diagnosis_among(case, clinical.PAIN_PREFIXES, N_("CRPS (G90.5x, G56.4x, G57.7x) or chronic pain code"))


def _pain_standard_treatments(case: Case, today: date) -> tuple[Status, str | None]:
    if not case.prior_treatments:
        return Status.unknown, None
    failed = clinical.failed_standard_treatments(case)
    classes = {trial.drug_class for trial in failed}
    counted = ", ".join(_describe_trial(trial) for trial in failed)
    if len(classes) >= TRIALS_NEEDED:
        return Status.met, _("{count} treatments of {kinds} kinds tried without enough relief: {treatments}.").format(
            count=len(failed), kinds=len(classes), treatments=counted)
    missing = [f"prior_treatments[{index}].{name}" for index, trial in enumerate(case.prior_treatments)
               for name, value in (("drug_class", trial.drug_class), ("response", trial.response)) if value is None]
    found = (_("So far: {treatments}.").format(treatments=counted) if failed
             else _("No standard pain treatment is recorded as tried without relief."))
    if missing:
        return Status.unknown, f"{found} {_to_decide(missing)}"
    return Status.not_met, found + " " + _("Plans usually ask for two kinds of standard treatment tried first.")


def _psychiatric_prescriber(case: Case, today: date) -> tuple[Status, str | None]:
    sender = case.sender
    if sender.role is not SenderRole.provider and case.treatment.prescriber_specialty:
        specialty = case.treatment.prescriber_specialty
        who = (_("the prescriber, {name},").format(name=case.treatment.prescriber) if case.treatment.prescriber
               else _("the prescriber"))
        if _PSYCHIATRIC.search(specialty):
            return Status.met, _("treatment.prescriber_specialty: {who} is a {specialty}.").format(
                who=who, specialty=specialty)
        return Status.not_met, _(
            "treatment.prescriber_specialty: {who} is a {specialty}, not a psychiatric clinician. Plans often require "
            "a psychiatrist or psychiatric nurse practitioner to prescribe or be consulted; enclose a psychiatric "
            "consultation.").format(who=who, specialty=specialty)
    if sender.role is not SenderRole.provider:
        hint = next((item for item in case.enclosures if re.search(r"psychiatr|psiquiatr|PMHNP", item, re.I)), None)
        found = _("The prescriber does not sign this letter, so the case does not say their specialty.") + " "
        if hint:
            found += _("An enclosure names one ('{enclosure}'); make sure it states the prescriber's "
                       "specialty.").format(enclosure=hint)
        else:
            found += _("Enclose the prescriber's letter of medical necessity stating their specialty (see enclosures).")
        return Status.unknown, found
    if not (sender.specialty or sender.credentials):
        return Status.unknown, None
    given = ((N_("sender.specialty '{value}'"), sender.specialty),
             (N_("sender.credentials '{value}'"), sender.credentials))
    shown = listed([_(field).format(value=value) for field, value in given if value])
    if _PSYCHIATRIC.search(f"{sender.specialty or ''} {sender.credentials or ''}"):
        return Status.met, f"{shown}."
    return Status.not_met, _(
        "{sender} do not show psychiatry. Plans often require a psychiatrist or psychiatric nurse practitioner to "
        "prescribe or be consulted; enclose a psychiatric consultation.").format(sender=shown)


def _substance_use_screened(case: Case, today: date) -> tuple[Status, str | None]:
    screened = case.clinical.substance_use_screened
    if screened is None:
        return Status.unknown, None
    if screened:
        return Status.met, _("clinical.substance_use_screened is yes.")
    return Status.not_met, _("clinical.substance_use_screened is no; screen for substance use and record the result.")


def _severity_documented(case: Case, today: date) -> tuple[Status, str | None]:
    scores = [score for score in case.clinical.scores if score.instrument in _DEPRESSION_SCALES]
    if not scores:
        return Status.unknown, None
    shown = ", ".join(f"{score.shown}{f' ({_day(score.date)})' if score.date else ''}" for score in scores)
    return Status.met, _("clinical.scores: {scores}.").format(scores=shown)


def _rems_certified_setting(case: Case, today: date) -> tuple[Status, str | None]:
    facility = case.treatment.facility
    if not facility:
        return Status.unknown, None
    if re.search(r"\bREMS\b", facility, re.I):
        return Status.met, _("treatment.facility: {facility}.").format(facility=facility)
    return Status.unknown, _("treatment.facility ('{facility}') does not say it is SPRAVATO REMS-certified; confirm "
                             "it and say so there.").format(facility=facility)


def _response_on_treatment(case: Case, today: date) -> tuple[Status, str | None]:
    courses = clinical.judged_courses(clinical.score_courses(case))
    if not courses:
        return Status.unknown, None

    def described(course: clinical.ScoreCourse) -> str:
        # the per cent sign goes in with the number: beside a word in a message, gettext takes it for a placeholder
        change = (_(", {percent} lower").format(percent=f"{course.change * 100:.0f}%")
                  if course.change and course.change > 0 else "")
        outcome = _("a response") if course.response else _("short of a response (at least {half} lower)").format(
            half="50%")
        if course.remission:
            outcome += _(", in remission ({threshold})").format(threshold=course.scale.remission_said)
        return _("{scale} {first} ({first_date}) to {last} ({last_date}){change}: {outcome}").format(
            scale=course.instrument.label, first=course.baseline.number, first_date=_day(course.baseline.date),
            last=course.latest.number, last_date=_day(course.latest.date), change=change, outcome=outcome)

    found = "; ".join(described(course) for course in courses) + "."
    return (Status.met if any(course.response for course in courses) else Status.not_met), found


_CHECKS: dict[str, Check] = {
    "adult": _adult,
    "trd_adequate_trials": _adequate_trials,
    "depression_diagnosis": _depression_diagnosis,
    "pain_diagnosis": _pain_diagnosis,
    "pain_standard_treatments": _pain_standard_treatments,
    "psychiatric_prescriber": _psychiatric_prescriber,
    "substance_use_screened": _substance_use_screened,
    "severity_documented": _severity_documented,
    "rems_certified_setting": _rems_certified_setting,
    "response_on_treatment": _response_on_treatment,
}


@lru_cache(maxsize=1)
def all_criteria() -> tuple[Criterion, ...]:
    """The criteria from criteria.yaml, each paired with a check here (a mismatch is a packaging bug)."""
    data = load_data("criteria.yaml")
    criteria = tuple(Criterion.model_validate(item) for item in data)
    ids = [criterion.id for criterion in criteria]
    if sorted(ids) != sorted(_CHECKS):
        raise RuntimeError(f"criteria.yaml ids {sorted(ids)} do not match the checks in readiness.py {sorted(_CHECKS)}")
    for condition in Condition:  # conditions.yaml lists each condition's criteria; criteria.yaml must agree
        listed = set(condition_data.of(condition.value).criteria)
        named = {criterion.id for criterion in criteria if condition in criterion.applies_to.conditions}
        if listed != named:
            raise RuntimeError(f"conditions.yaml lists criteria {sorted(listed)} for {condition.value}, but "
                               f"criteria.yaml applies {sorted(named)} to it")
    return criteria


def applies(criterion: Criterion, case: Case, conditions: set[Condition]) -> bool:
    """Treatment must match; conditions must overlap, unless the case has no diagnosis to derive them from.

    Without a diagnosis the conditions are unknown, so every criterion for the treatment is shown; the
    diagnosis criterion then says what to add, instead of the check silently returning nothing.
    """
    if case.treatment.kind not in criterion.applies_to.treatments:
        return False
    if criterion.continuing and not clinical.continuing(case):
        return False
    return not case.diagnoses or bool(conditions & set(criterion.applies_to.conditions))


def check(case: Case, today: date | None = None) -> list[Result]:
    """Each criterion that applies to the case, with met / not_met / unknown and what was found or is missing."""
    today = today or date.today()
    conditions = clinical.conditions(case)
    results = []
    for criterion in all_criteria():
        if applies(criterion, case, conditions):
            status, detail = _CHECKS[criterion.id](case, today)
            results.append(Result(criterion, status, detail or criterion.said_when_unknown))
    return results


def extract_texts(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for criteria.yaml (babel.cfg): each criterion's title and what to add when the
    case does not say, which `appeal check` tells the person in their language (`Criterion.said_title`); the
    criterion as a letter lists it is the `letters` catalog's (appeal/letters/letter_strings.py)."""
    for criterion in all_criteria():
        yield 0, None, letter_language.msgid(criterion.title), [f"criterion {criterion.id}"]
        yield 0, None, letter_language.msgid(criterion.when_unknown), [f"criterion {criterion.id}: what to add"]
