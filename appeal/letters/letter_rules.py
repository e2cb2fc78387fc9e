"""Where a letter of a kind stands in the dispute: the step it starts and the rules it cites.

Both read a letter kind's declarations (`starts:`, `cites:`), so they live with the letters; the dispute's steps
(`dispute`) and the rules (`rules`) below them know nothing of letter kinds.
"""

from __future__ import annotations

from appeal.cases.case import Case
from appeal.letters import kinds
from appeal.rules.dispute import Step, position
from appeal.rules.rule_book import Rule, all_rules, select


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
    return [rule for rule in select(case, step) if cited_by_kind(rule)] if step else []
