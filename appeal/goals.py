"""What the letter will use: the case facts that the chosen letter kind, the arguments for this denial and the
coverage criteria for this treatment need, most important first (goal-driven questions, as docassemble does).

The questionnaire asks a question when its `when:` holds or when its field is one of these goals, so a new
criterion (`needs:` in criteria.yaml) or a new argument paragraph that reads `case.x.y` makes the question for
x.y be asked, without editing a list of questions. Paths are written as questions.yaml writes them
("prior_treatments[].current_episode"); a list's items count as the list itself too ("prior_treatments").
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from appeal import kinds, readiness
from appeal.case import Case

# What each derived fact the arguments use (arguments.yaml `facts.x`) reads from the case (letter_plan._facts).
FACT_INPUTS: dict[str, tuple[str, ...]] = {
    "antidepressant_trials": ("prior_treatments[].name", "prior_treatments[].drug_class"),
    "classes_tried": ("prior_treatments[].drug_class",),
    "adequate_trials": ("prior_treatments[].adequate_weeks", "prior_treatments[].response",
                        "prior_treatments[].current_episode"),
    "adequate_in_episode": ("prior_treatments[].current_episode", "clinical.episode_start"),
    "failed_names": ("prior_treatments[].response",),
    "depression": ("diagnoses",),
    "crps": ("diagnoses",),
    "on_label": ("treatment.kind", "diagnoses", "prior_treatments[].adequate_weeks"),
    "responded": ("clinical.scores", "treatment.start_date"),
    "remitted": ("clinical.scores", "treatment.start_date"),
    "rated": ("clinical.scores",),
    "total_charged": ("treatment.services",),
    "total_paid": ("treatment.services",),
}


def _expression_paths(source: str) -> list[str]:
    """`case.clinical.scores`, `t.sessions` and `facts.adequate_trials` in a wording or condition, as case paths."""
    from jinja2 import nodes

    from appeal.render import shared_environment

    found: list[str] = []
    tree = shared_environment(for_docx=False).parse(source)
    for node in tree.find_all(nodes.Getattr):
        parts: list[str] = []
        while isinstance(node, nodes.Getattr):
            parts.insert(0, node.attr)
            node = node.node
        if not isinstance(node, nodes.Name):
            continue
        if node.name == "case" and parts:
            found.append(".".join(parts[:2]))
        elif node.name == "t" and parts:
            found.append(f"treatment.{parts[0]}")
        elif node.name == "facts" and parts:
            found.extend(FACT_INPUTS.get(parts[0], ()))
    return found


@lru_cache(maxsize=64)
def _argument_paths(reason: str) -> tuple[str, ...]:
    from appeal.letter_plan import _arguments

    found: list[str] = []
    for paragraph in (_arguments().get(reason) or {}).get("paragraphs", []):
        for source in (paragraph.get("when"), paragraph.get("text")):
            if source:
                found.extend(_expression_paths(("{{ (" + source + ") }}") if source is paragraph.get("when") else source))
    return tuple(found)


@lru_cache(maxsize=32)
def _template_paths(template: str) -> tuple[str, ...]:
    from pathlib import Path

    from appeal.template_tools import used_paths

    return tuple(sorted(used_paths(Path(template))))


def criteria_needs(case: Case, today: date | None = None) -> list[tuple[readiness.Result, list[str]]]:
    """Each criterion that applies, with its result and the facts it needs that the case does not hold yet."""
    results = []
    for result in readiness.check(case, today):
        missing = [path for path in result.criterion.needs if not _holds(case, path)]
        results.append((result, missing))
    return results


def _holds(case: Case, path: str) -> bool:
    """Whether the case has a value at the path; for "x[].y", whether every entry of x has y."""
    head, _, rest = path.partition("[].")
    value = case
    for part in head.split("."):
        value = getattr(value, part, None) if value is not None else None
    if not rest:
        return value not in (None, "", [])
    return bool(value) and all(getattr(item, rest, None) not in (None, "", []) for item in value)


def needed(case: Case, kind: kinds.LetterKind | None) -> list[str]:
    """The facts this letter uses, most important first: the criteria's needs (in criteria.yaml order), the
    arguments for each denial reason, then the template's own fields. Empty before a letter kind is chosen."""
    if kind is None:
        return []
    found: list[str] = []
    if kind.argues_case:
        for result in readiness.check(case):
            found.extend(result.criterion.needs)
        reasons = [case.denial.reason, *case.denial.other_reasons] if case.denial else []
        for reason in reasons:
            if reason is not None:
                found.extend(_argument_paths(reason.value))
    found.extend(_template_paths(str(kind.template)))
    if kind.states_consequences:  # the letter's "What is at stake" is written from these facts
        from appeal.letter_plan import STAKES

        found.extend(f"clinical.{name}" for name, _ in STAKES)
    ordered: list[str] = []
    for path in found:
        for name in (path, path.partition("[]")[0]):
            if name not in ordered:
                ordered.append(name)
    return ordered
