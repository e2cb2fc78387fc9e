"""The clinical facts a letter relies on, decided once: which conditions a case is about, which trials failed,
which count as adequate, and which were in the current episode.

The letter plan (what it claims, and the score history a request to continue treatment shows), `appeal check` (appeal.rules.readiness: whether a payer's criterion is met) and
evidence selection (appeal.rules.evidence: which studies fit) all ask here, so a letter never claims a trial is
adequate that `appeal check` would not count. The derived facts the wording relies on (`facts.x` in
appeal/data/arguments.yaml) are here too, one function each (`FACTS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from appeal.base.language import N_, ngettext, translate as _
from appeal.cases import conditions as condition_data
from appeal.cases import scales
from appeal.cases.case import ANTIDEPRESSANT_CLASSES, Case, DrugClass, Instrument, PriorTreatment, Response, Score, TreatmentKind
from appeal.cases.scales import Scale

# An adequate trial: at least six weeks at an adequate dose, with little or no improvement (appeal/data/criteria.yaml
# gives the sources of this common payer definition).
ADEQUATE_WEEKS = 6
LITTLE_OR_NO_IMPROVEMENT = {Response.none, Response.partial}
# A treatment that did not work, for listing what was tried: also intolerable or relapsed.
FAILED = {Response.none, Response.partial, Response.relapse, Response.intolerable}

# The ICD-10-CM code prefixes that recognize each condition (appeal/data/conditions.yaml, with their source).
DEPRESSION_PREFIXES = condition_data.of("treatment_resistant_depression").codes
CRPS_PREFIXES = condition_data.of("crps").codes
# G89 holds chronic pain, except G89.1x, which is *acute* pain; neuralgias and phantom limb pain count too.
CHRONIC_PAIN_PREFIXES = condition_data.of("chronic_pain").codes
PAIN_PREFIXES = CRPS_PREFIXES + CHRONIC_PAIN_PREFIXES
KETAMINE_KINDS = {TreatmentKind.iv_ketamine, TreatmentKind.esketamine_nasal, TreatmentKind.im_ketamine}


class Condition(StrEnum):
    """What a case (and an evidence snippet, and a readiness criterion) is about; see `conditions`."""

    treatment_resistant_depression = "treatment_resistant_depression"
    suicidal_ideation = "suicidal_ideation"
    ptsd = "ptsd"
    crps = "crps"
    chronic_pain = "chronic_pain"

    @property
    def label(self) -> str:
        return _CONDITION_LABELS[self]


_CONDITION_LABELS = {  # marked for the catalog: `appeal check` says why a study was chosen with them
    Condition.treatment_resistant_depression: N_("treatment-resistant depression"),
    Condition.suicidal_ideation: N_("suicidal ideation"),
    Condition.ptsd: N_("PTSD"),
    Condition.crps: N_("CRPS"),
    Condition.chronic_pain: N_("chronic pain"),
}


def _coded(case: Case, prefixes: tuple[str, ...]) -> bool:
    return any(diagnosis.code.startswith(prefixes) for diagnosis in case.diagnoses)


def has_depression(case: Case) -> bool:
    return _coded(case, DEPRESSION_PREFIXES)


def has_crps(case: Case) -> bool:
    return _coded(case, CRPS_PREFIXES)


def has_mental_health(case: Case) -> bool:
    """A mental health or substance use diagnosis (ICD-10-CM chapter F): the benefits the parity law is about."""
    return _coded(case, ("F",))


def has_pain(case: Case) -> bool:
    """CRPS or another chronic (neuropathic) pain code."""
    return _coded(case, PAIN_PREFIXES)


def antidepressant_trials(case: Case) -> list[PriorTreatment]:
    return [item for item in case.prior_treatments if item.drug_class in ANTIDEPRESSANT_CLASSES]


def failed(trial: PriorTreatment) -> bool:
    """It did not work: no or partial improvement, intolerable, or a relapse."""
    return trial.response in FAILED


def failed_antidepressant_trials(case: Case) -> int:
    """Antidepressant trials that did not work, counted leniently: this only decides which evidence fits.
    The strict count (adequate dose and duration, current episode) is `adequate_trials`."""
    return sum(1 for item in antidepressant_trials(case) if failed(item))


def in_current_episode(case: Case, trial: PriorTreatment, today: date) -> bool | None:
    """The trial's own answer, or else its dates against clinical.episode_start; None when neither says."""
    if trial.current_episode is not None:
        return trial.current_episode
    episode_start = case.clinical.episode_start
    if episode_start is None or (trial.start_date is None and trial.end_date is None):
        return None
    return (trial.end_date or today) >= episode_start


def trial_problems(case: Case, index: int, trial: PriorTreatment, today: date) -> tuple[list[str], list[str]]:
    """Why a trial is not an adequate one (disqualifying facts, in the person's language) and which of its fields
    are missing to decide."""
    path = f"prior_treatments[{index}]"
    disqualified, missing = [], []
    if trial.adequate_weeks is None:
        missing.append(f"{path}.adequate_weeks")
    elif trial.adequate_weeks < ADEQUATE_WEEKS:
        weeks = trial.adequate_weeks
        disqualified.append(ngettext("{weeks} week at an adequate dose, fewer than {needed}",
                                     "{weeks} weeks at an adequate dose, fewer than {needed}",
                                     int(weeks) if weeks == int(weeks) else 2).format(  # 1.5: more than one
            weeks=f"{weeks:g}", needed=ADEQUATE_WEEKS))
    if trial.response is None:
        missing.append(f"{path}.response")
    elif trial.response not in LITTLE_OR_NO_IMPROVEMENT:
        disqualified.append(_("the outcome was {outcome}, not little or no improvement").format(
            outcome=_(trial.response.label)))
    episode = in_current_episode(case, trial, today)
    if episode is None:
        missing.append(f"{path}.current_episode")
    elif not episode:
        disqualified.append(_("it was not in the current episode"))
    return disqualified, missing


def full_duration_trials(case: Case) -> list[PriorTreatment]:
    """Antidepressant trials of six weeks or more at a full dose that did not work (no or partial improvement,
    or a relapse): what a letter may say lasted long enough. Not, alone, an adequate trial: that needs the
    response and the episode too (`adequate_trials`)."""
    return [
        trial
        for trial in antidepressant_trials(case)
        if (trial.adequate_weeks or 0) >= ADEQUATE_WEEKS and trial.response in LITTLE_OR_NO_IMPROVEMENT | {Response.relapse}
    ]


def adequate_trials(case: Case, today: date) -> list[PriorTreatment]:
    """Antidepressant trials of adequate dose and duration, with little or no improvement, in the current episode:
    the trials a letter may call adequate and `appeal check` counts."""
    return [
        trial
        for index, trial in enumerate(case.prior_treatments)
        if trial.drug_class in ANTIDEPRESSANT_CLASSES and trial_problems(case, index, trial, today) == ([], [])
    ]


_NEGATION = re.compile(r"\b(no|not|denies|denied|denying|without|negative for|never)\b", re.I)
_ACTIVE_IDEATION = re.compile(
    r"\bactive\b[\w\s-]{0,30}?(\bsuicid\w*|\bideation\b|(?-i:\bSI\b))"
    r"|(\bsuicid\w*|(?-i:\bSI\b))[\w\s-]{0,40}?\bwith\s+(a\s+)?(plan|intent)\b",
    re.I,
)


def mentions_active_ideation(text: str | None) -> bool:
    """True when a clause reports active ideation (or ideation with plan or intent) and does not negate it.

    'Passive thoughts of death without plan or intent' and 'denies active SI' are not active ideation.
    """
    for clause in re.split(r"[.;\n]", text or ""):
        match = _ACTIVE_IDEATION.search(clause)
        if match and not _NEGATION.search(clause[: match.start()]):
            return True
    return False


def conditions(case: Case) -> set[Condition]:
    """The conditions a case is about, derived from its ICD-10 codes and clinical facts.

    Depression (F32.x, F33.x) counts as treatment-resistant when the case lists two or more failed
    antidepressant trials, and also when ketamine or esketamine is requested even though the case does not
    (yet) list the trials: those treatments are only prescribed for depression after failed treatments
    (esketamine's label requires it), and withholding the evidence for a missing list would weaken the letter
    at the very point `appeal check` already flags as missing.
    """
    found: set[Condition] = set()
    if has_depression(case) and (failed_antidepressant_trials(case) >= 2 or case.treatment.kind in KETAMINE_KINDS):
        found.add(Condition.treatment_resistant_depression)
    if _coded(case, condition_data.of("suicidal_ideation").codes) or mentions_active_ideation(case.clinical.suicide_risk):
        found.add(Condition.suicidal_ideation)
    if _coded(case, condition_data.of("ptsd").codes):
        found.add(Condition.ptsd)
    if has_crps(case):
        found.add(Condition.crps)
    if _coded(case, CHRONIC_PAIN_PREFIXES):
        found.add(Condition.chronic_pain)
    return found


def condition_names(case: Case) -> list[str]:
    """The ids (appeal/data/conditions.yaml) of the conditions the case is about, in the file's order; ['other']
    when none is recognized. A depression code counts as depression here even before trials make it
    treatment-resistant: what to ask and offer follows the diagnosis."""
    found = {str(condition) for condition in conditions(case)}
    if has_depression(case):
        found.add(Condition.treatment_resistant_depression.value)
    return [name for name in condition_data.all_conditions() if name in found] or [condition_data.OTHER]


def episodic(case: Case) -> bool:
    """Trials are counted within an episode for this case's conditions (depression; or a condition not known)."""
    return condition_data.episodic(condition_names(case))


def counted_classes(case: Case) -> set[str]:
    """The treatment classes payers count as "tried first" for the case's conditions."""
    return {name for condition in condition_names(case) for name in condition_data.of(condition).counted}


def failed_standard_treatments(case: Case) -> list[PriorTreatment]:
    """Treatments of a counted class for a pain condition that did not work (no or partial improvement,
    intolerable, or a relapse), medications and non-drug treatments alike."""
    pain = {name for name in condition_names(case) if name in (Condition.crps, Condition.chronic_pain)}
    classes = {name for condition in pain for name in condition_data.of(condition).counted}
    return [trial for trial in case.prior_treatments
            if trial.drug_class is not None and trial.drug_class.value in classes and failed(trial)]


@dataclass(frozen=True)
class ScoreCourse:
    """One scale's dated scores over a treatment: the baseline (the last score on or before the treatment's start,
    else the first), the latest, and whether the fall from baseline is a response and the latest is remission
    as appeal/data/scales.yaml defines them (None where the scale has no definition there)."""

    instrument: Instrument
    points: tuple[Score, ...]  # dated, oldest first
    baseline: Score
    latest: Score
    scale: Scale

    def change_at(self, point: Score) -> float | None:
        """A rating's fall from baseline as a fraction of it (0.62 = 62% lower, negative when higher); None from a
        baseline of 0, against which no fraction can be said."""
        return (self.baseline.value - point.value) / self.baseline.value if self.baseline.value else None

    @property
    def change(self) -> float | None:
        """The latest rating's fall from baseline (`change_at`)."""
        return self.change_at(self.latest)

    @property
    def response(self) -> bool | None:
        if self.scale.response_reduction is None or self.change is None or self.latest is self.baseline:
            return None
        return self.change >= self.scale.response_reduction

    @property
    def remission(self) -> bool | None:
        if not self.scale.defines_outcomes or self.latest is self.baseline:
            return None
        return self.scale.remitted(self.latest.value)


def continuing(case: Case) -> bool:
    """A treatment already under way: the case records a rating since treatment.start_date."""
    start = case.treatment.start_date
    return start is not None and any(score.date is not None and score.date > start for score in case.clinical.scores)


def score_courses(case: Case) -> list[ScoreCourse]:
    """Each scale with two or more dated scores, in the case's order of first appearance: what a request to
    continue a treatment shows (the score history, response and remission)."""
    by_instrument: dict[Instrument, list[Score]] = {}
    for score in case.clinical.scores:
        if score.date is not None:
            by_instrument.setdefault(score.instrument, []).append(score)
    start = case.treatment.start_date
    courses = []
    for instrument, scores in by_instrument.items():
        if len(scores) < 2:
            continue
        points = tuple(sorted(scores, key=lambda score: score.date))
        before = [score for score in points if start is not None and score.date <= start]
        baseline = before[-1] if before else points[0]
        courses.append(ScoreCourse(instrument, points, baseline, points[-1], scales.get(instrument.value)))
    return courses


def judged_courses(courses: Iterable[ScoreCourse]) -> list[ScoreCourse]:
    """The courses whose response can be judged: their scale defines response (appeal/data/scales.yaml) and the
    latest rating is a change from a baseline above 0. Only these are called a response (or not) anywhere."""
    return [course for course in courses if course.response is not None]


def classes_tried(case: Case) -> list[str]:
    """The antidepressant classes tried, each once, in the case's order."""
    classes: list[str] = []
    for item in antidepressant_trials(case):
        if item.drug_class.label not in classes:
            classes.append(item.drug_class.label)
    return classes


def on_label(case: Case, today: date) -> bool:
    """Esketamine for depression after two adequate antidepressant trials in the episode: its FDA-labeled use."""
    return (case.treatment.kind is TreatmentKind.esketamine_nasal and has_depression(case)
            and len(adequate_trials(case, today)) >= 2)


# The derived facts the wording relies on (arguments.yaml `facts.x`, `letter.facts`), decided here for the letter
# as for `appeal check`; one function each, so appeal.letters.goals can see what each one reads (appeal.letters.reads). Money is
# a Decimal; the letter plan prints it as money.
FACTS: dict[str, Callable[[Case, date], Any]] = {
    "total_charged": lambda case, today: sum((line.charge or 0 for line in case.treatment.services), Decimal(0)),
    "total_paid": lambda case, today: sum((line.paid or 0 for line in case.treatment.services), Decimal(0)),
    "antidepressant_trials": lambda case, today: antidepressant_trials(case),
    "classes_tried": lambda case, today: classes_tried(case),
    # six weeks or more at a full dose that did not work: a statement of duration only
    "adequate_trials": lambda case, today: full_duration_trials(case),
    # the TRD definition counts trials in the current episode: said only when the case shows it, and exactly the
    # trials `appeal check` counts
    "adequate_in_episode": lambda case, today: adequate_trials(case, today),
    "failed_names": lambda case, today: [item.name for item in case.prior_treatments if failed(item) and item.name],
    # the kinds of the treatments that did not work (physical therapy, nerve block, ...), each once; 'other' is no kind
    "failed_kinds": lambda case, today: list(dict.fromkeys(
        item.drug_class.label for item in case.prior_treatments
        if failed(item) and item.name and item.drug_class not in (None, DrugClass.other))),
    "depression": lambda case, today: has_depression(case),
    "crps": lambda case, today: has_crps(case),
    # suicidal ideation coded (R45.851) or described as active: with depression, esketamine's second indication
    "suicidal_ideation": lambda case, today: Condition.suicidal_ideation in conditions(case),
    "pain": lambda case, today: has_pain(case),
    # a mental health or substance use diagnosis: the parity law's benefits (never said of a pain-only case)
    "mental_health": lambda case, today: has_mental_health(case),
    # payers count trials within the current episode (depression): the letter says "current episode" only then
    "episodic": lambda case, today: episodic(case),
    "on_label": on_label,
    # the scales (with response and remission defined) whose course since treatment began shows each
    "responded": lambda case, today: [course.instrument.label for course in judged_courses(score_courses(case))
                                      if course.response],
    "remitted": lambda case, today: [course.instrument.label for course in judged_courses(score_courses(case))
                                     if course.remission],
    "rated": lambda case, today: [course.instrument.label for course in judged_courses(score_courses(case))],
}
