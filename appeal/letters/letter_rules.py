"""Where a letter of a kind stands in the dispute: the step it starts and the rules it cites (an appeal first the
rule that makes it timely).

Both read a letter kind's declarations (`starts:`, `cites:`), so they live with the letters; the dispute's steps
(`dispute`) and the rules (`rules`) below them know nothing of letter kinds.
"""

from __future__ import annotations

from appeal.cases.case import Case
from appeal.letters import kinds
from appeal.rules.dispute import Step, position
from appeal.rules.rule_book import Rule, Topic, all_rules, select


def letter_step(case: Case, kind: kinds.LetterKind) -> Step | None:
    """The step a letter of this kind starts, from its `starts:`: none (not tied to a step), the initial request,
    external review, or the step the case is at (None when its steps are used up)."""
    if kind.starts == "none":
        return None
    if kind.starts == "initial_request" or case.denial is None:
        return Step.initial_request
    if kind.starts == "external_review":
        return Step.external_review
    return position(case).step


def for_letter(case: Case, kind: kinds.LetterKind | str) -> list[Rule]:
    """The rules a letter of this kind cites (those tagged with its `cites`) for this case: its plan type, and its
    step, urgency and timing. A letter not tied to a step (a request for documents) cites its rules at any step."""
    if isinstance(kind, str):  # a kind's name: its description says what it cites
        kind = kinds.get(kind)

    def cited_by_kind(rule: Rule) -> bool:
        return any(tag in rule.letters for tag in kind.cites)

    if kind.starts == "none":
        plan_type = case.insurance.coverage().name
        return [rule for rule in all_rules() if cited_by_kind(rule) and plan_type in rule.plan_types]
    step = letter_step(case, kind)
    if step is None:
        return []
    timely = timely_by(case, kind, step)
    return timely + [rule for rule in select(case, step) if cited_by_kind(rule) and rule not in timely]


def timely_by(case: Case, kind: kinds.LetterKind, step: Step) -> list[Rule]:
    """The rule that makes an appeal timely, named first in its rights section: an appeal (a kind that answers a
    denial by starting a step after it) cites the filing rules of that step that have a letter sentence. Where two
    rules are alternative processes for the step (the state or the federal external review) and both reach the
    case, both are named, each sentence saying when it applies: which one is the plan's is for its notice to say,
    not for the letter to guess."""
    if not kind.needs_denial or step is Step.initial_request:
        return []
    return [rule for rule in select(case, step, {Topic.filing_deadline}) if rule.letter_text]
