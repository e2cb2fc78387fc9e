"""Appeal rights and deadlines as cited data (`appeal/data/rules.yaml`), and how a case selects them.

A rule is one legal fact: who it applies to (plan types), at which step of the dispute, for which urgency and
timing, what it grants or requires, any deadline, and its citation and source. Code never restates a rule.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from appeal.base import language, letter_language
from appeal.base.resources import load_data
from appeal.cases.case import Case, PlanType, TreatmentKind
from appeal.rules.dispute import Step, has_second_level


class Topic(StrEnum):
    filing_deadline = "filing_deadline"
    decision_deadline = "decision_deadline"
    right = "right"
    continuation = "continuation"
    next_level = "next_level"


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(gt=0)
    unit: str = Field(pattern="^(days|business_days|months|hours)$")
    counted_from: str = Field(pattern="^(notice_received|notice_date|request_received|decision_notice_received)$")
    at_least: bool = False
    # When N months later has no such day (Oct 31 + 4 months): the rule's own convention, or else the last day of
    # that month, which is never later than any reading of the rule.
    month_end: str = Field("last_day", pattern="^(last_day|first_of_next_month)$")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    plan_types: list[PlanType]
    topic: Topic
    step: Step
    urgency: str = Field("any", pattern="^(standard|expedited|any)$")
    service: str = Field("any", pattern="^(pre_service|post_service|any)$")
    # Medicare Advantage has separate time frames for Part B drugs (42 CFR 422.568, 422.572, 422.590).
    treatment: str = Field("any", pattern="^(part_b_drug|items_services|any)$")
    deadline: Deadline | None = None
    text: str
    letter_text: str | None = None
    letters: list[str] = Field(default_factory=list, description="Tags of the letter kinds whose rights section cites "
                               "this rule (see `cites:` in a kind's YAML).")
    citation: str
    source_url: str
    checked: date
    verified: str | None = Field(None, description="What was read on the checked date, where, and which paragraph.")
    seen_in: Literal["primary", "copy", "secondary"] | None = Field(
        None, description="Where the rule's own words or figure were seen: 'primary' (the regulation on eCFR, GPO or "
        "the Federal Register, the U.S. Code, or the administering agency's page), 'copy' (only a verbatim copy of "
        "one hosted elsewhere, the primary page not being available), 'secondary' (only summaries: its letter "
        "sentence then states no figure)."
    )
    read_at: list[str] = Field(default_factory=list, description="The pages read for `verified`, in order.")
    notes: str | None = None
    levels: Literal["one", "two"] | None = Field(
        None, description="For a plan type whose plans choose one or two internal appeal levels (an employer plan), "
        "the number this rule is for (29 CFR 2560.503-1(i)(2)(ii)-(iii)); left out when the case does not say."
    )
    alternative: str | None = Field(
        None, description="Id of the rule for the other process at the same step: named beside this one, never "
        "counted as a second deadline (the state and the federal external review)."
    )

    def applies(self, plan_type: str, step: Step, urgent: bool, service: str, treatment: str = "any") -> bool:
        """Whether the rule reaches a case with these facts; the number of appeal levels is `by_levels`'s."""
        return (
            plan_type in self.plan_types
            and self.step is step
            and self.urgency in ("any", "expedited" if urgent else "standard")
            and (self.service == "any" or service == "any" or self.service == service)
            and (self.treatment == "any" or treatment == "any" or self.treatment == treatment)
        )

    @property
    def said(self) -> str:
        """`text` in the language of the person reading (`appeal deadline`, `next-steps`, `status`): the same
        sentence, translated in the `appeal` catalog from rules.yaml (extract_texts); the English where none."""
        return language.translate(letter_language.msgid(self.text))


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    data = load_data("rules.yaml")
    return tuple(Rule.model_validate(item) for item in data)


def by_id(rule_id: str) -> Rule:
    return next(rule for rule in all_rules() if rule.id == rule_id)


def service_timing(case: Case) -> str:
    """Pre-service when the care has not been given yet; post-service when it has (a claim for payment)."""
    treatment = case.treatment
    if treatment.services or treatment.dates_of_service:
        return "post_service"
    return "pre_service"


# Ketamine and esketamine are given in the clinic, so a plan pays them as Part B drugs, not as items and services.
PART_B_DRUGS = {TreatmentKind.iv_ketamine, TreatmentKind.esketamine_nasal, TreatmentKind.im_ketamine}


def treatment_category(case: Case) -> str:
    """Part B drug for ketamine and esketamine; 'any' when the treatment is unknown, so both sets of rules show."""
    return "part_b_drug" if case.treatment.kind in PART_B_DRUGS else "any"


def select(case: Case, step: Step, topics: set[Topic] | None = None) -> list[Rule]:
    """The rules for this case at a step: its plan type, urgency, timing, treatment and, where rules differ by it
    and the case says, its plan's number of internal appeal levels."""
    plan_type = case.insurance.coverage().name
    urgent, timing, category = case.treatment.is_urgent, service_timing(case), treatment_category(case)  # not per rule
    found = [
        rule
        for rule in all_rules()
        if rule.applies(plan_type, step, urgent, timing, category) and (topics is None or rule.topic in topics)
    ]
    return by_levels(found, case)


def by_levels(rules: list[Rule], case: Case) -> list[Rule]:
    """Of rules that differ by the number of internal appeal levels, those for the case's plan; all of them when
    the case does not say (the case is read only when such rules are there, so the question is asked only then)."""
    if not any(rule.levels for rule in rules):
        return rules
    levels = appeal_levels(case)
    return [rule for rule in rules if rule.levels is None or levels is None or rule.levels == levels]


def appeal_levels(case: Case) -> str | None:
    """The plan's number of internal appeal levels ('one', 'two'), where its plan type lets a plan have a second
    level (a step `second_internal_appeal`); None when the case does not say or the plan type has one level by law."""
    levels = case.insurance.internal_appeal_levels
    return levels.value if levels is not None and has_second_level(case.insurance.plan_type) else None


def cited(rule: Rule) -> str:
    """The rule's letter sentence with its citation, unless the sentence already names it."""
    sentence = letter_language.translate(rule.letter_text or rule.text).strip()  # in the letter's language
    first_source = rule.citation.split(";")[0].split("(")[0].strip()
    return sentence if first_source in sentence else f"{sentence} ({rule.citation})"


def extract_texts(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for rules.yaml (babel.cfg): each rule's plain-words `text`, which the person reads
    in `appeal deadline`, `next-steps` and `status` (the letter's own `letter_text` is in the letters domain)."""
    for rule in all_rules():
        yield 0, None, letter_language.msgid(rule.text), [f"rule {rule.id}"]
