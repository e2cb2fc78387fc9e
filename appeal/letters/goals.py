"""What the letter will use: the case facts that the chosen letter kind, the arguments for this denial and the
coverage criteria for this treatment need, most important first (goal-driven questions, as docassemble does).

The questionnaire asks a question only when its field is one of these goals (and its `when:` holds), in the
order of `rank`. Nothing here is a hand-kept list of fields:

* the coverage criteria's `needs:` (criteria.yaml), in the file's order: what settles a criterion comes first;
* the fields the arguments for this denial reason read (arguments.yaml), the derived `facts.x` they use resolved
  by running each fact (appeal.letters.reads), then the facts that say what a denial puts at stake;
* everything the letter itself reads, found by building the letter plan and the next-steps sheet for the case so
  far while recording the fields read (appeal.letters.reads), plus the template's own variables.

So a new criterion, a new argument paragraph or a new line of the letter plan that reads `case.x.y` brings in
the question for x.y with no list edited. Paths are written as questions.yaml writes them
("prior_treatments[].current_episode"); a list's items count as the list itself too ("prior_treatments").
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from appeal.base.errors import UserError
from appeal.cases.case import Case
from appeal.letters import kinds, reads
from appeal.rules import readiness


def fact_inputs(case: Case, today: date | None = None) -> dict[str, list[str]]:
    """What each derived fact of the wording (`facts.x`, clinical.FACTS) reads from this case."""
    from appeal.rules.clinical import FACTS

    found, where = {}, reads.places(case)  # the same case for every fact: its places worked out once
    for name, fact in FACTS.items():
        with reads.recording(case, where) as read:
            fact(case, today or date.today())
        found[name] = read
    return found


def _expression_paths(source: str, facts: dict[str, list[str]]) -> list[str]:
    """`case.clinical.scores`, `t.sessions` and `facts.adequate_trials` in a wording or condition, as case paths."""
    found: list[str] = []
    for name, parts in _attribute_chains(source):
        if name == "case":
            found.append(".".join(parts[:2]))
        elif name == "t":
            found.append(f"treatment.{parts[0]}")
        elif name == "facts":
            found.extend(facts.get(parts[0], ()))
    return found


@lru_cache(maxsize=1024)
def _attribute_chains(source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each `name.attribute...` a wording or condition reads, as (name, attributes): the source is read once per
    process, not at every answer (the questionnaire asks for a case's goals after each one; profiled)."""
    from jinja2 import nodes

    from appeal.letters.render_env import shared_environment

    found: list[tuple[str, tuple[str, ...]]] = []
    tree = shared_environment(for_docx=False).parse(source)
    for node in tree.find_all(nodes.Getattr):
        parts: list[str] = []
        while isinstance(node, nodes.Getattr):
            parts.insert(0, node.attr)
            node = node.node
        if isinstance(node, nodes.Name) and parts:
            found.append((node.name, tuple(parts)))
    return tuple(found)


@lru_cache(maxsize=64)
def _argument_sources(reason: str) -> tuple[str, ...]:
    """Each condition and wording of the answer to one denial reason, as a template source."""
    from appeal.letters.letter_plan import argument_wordings

    found: list[str] = []
    for paragraph in (argument_wordings().get(reason) or {}).get("paragraphs", []):
        if paragraph.get("when"):
            found.append("{{ (" + paragraph["when"] + ") }}")
        if paragraph.get("text"):
            found.append(paragraph["text"])
    return tuple(found)


@lru_cache(maxsize=32)
def _template_paths(template: str) -> tuple[str, ...]:
    from pathlib import Path

    from appeal.letters.template_tools import used_paths

    return tuple(sorted(used_paths(Path(template))))


def criteria_needs(case: Case, today: date | None = None) -> list[tuple[readiness.Result, list[str]]]:
    """Each criterion that applies, with its result and the facts it needs that the case does not hold yet."""
    results = []
    for result in readiness.check(case, today):
        missing = [path for path in result.criterion.needs if not holds(case, path)]
        results.append((result, missing))
    return results


def holds(case: Case, path: str) -> bool:
    """Whether the case has a value at the path; for "x[].y", whether every entry of x has y."""
    head, _, rest = path.partition("[].")
    value = case
    for part in head.split("."):
        value = getattr(value, part, None) if value is not None else None
    if not rest:
        return value not in (None, "", [])
    return bool(value) and all(getattr(item, rest, None) not in (None, "", []) for item in value)


def _reasons(case: Case, kind: kinds.LetterKind) -> list[str]:
    """The arguments.yaml entries the letter makes: the denial's reasons, or without one the kind's own."""
    if case.denial is None:
        return list(kind.argues_without_denial)
    return [reason.value for reason in case.denial.reasons]


def _ranked(case: Case, kind: kinds.LetterKind) -> list[str]:
    """The facts that make the letter's case, most important first: criteria, then arguments, then stakes."""
    found: list[str] = []
    if not kind.argues_case:
        return found
    for result in readiness.check(case):
        found.extend(result.criterion.needs)
    facts = fact_inputs(case)
    for reason in _reasons(case, kind):
        for source in _argument_sources(reason):
            found.extend(_expression_paths(source, facts))
    if kind.states_consequences:  # the letter's "What is at stake" is written from these facts
        from appeal.letters.letter_plan import STAKE_FACTS

        found.extend(STAKE_FACTS)
    return found


def _letter_reads(case: Case, kind: kinds.LetterKind) -> list[str]:
    """Every case field the letter plan and the next-steps sheet read for this case (appeal.letters.reads)."""
    from appeal.cases.case import Denial
    from appeal.letters import letter_plan
    from appeal.rules import next_steps

    if case.denial is None and kind.needs_denial:  # the letter reads the denial's fields once there is one
        case = case.model_copy(update={"denial": Denial()})
    with reads.recording(case) as read:
        try:
            plan = letter_plan.context_for(case, kind)["letter"]
            next_steps.sections(case, plan.enclosures, suggested=plan.suggested_enclosures)
        except (UserError, ValueError, LookupError):  # a half-finished case the letter cannot take yet
            pass
    return read


def _with_lists(paths: list[str]) -> list[str]:
    ordered: list[str] = []
    for path in paths:
        for name in (path, path.partition("[]")[0]):
            if name not in ordered:
                ordered.append(name)
    return ordered


def letter_goals(case: Case, kind: kinds.LetterKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the facts that make the letter's case, every fact the letter uses), each most important first.

    The facts that make the case are the criteria's needs, the arguments' fields and what is at stake; the rest
    of what a letter uses (an address, a code) is not ranked. This builds the letter plan, so it is worked out
    once per state of the answers: `questions.Context` keeps it."""
    ranked = _ranked(case, kind)
    everything = ranked + _letter_reads(case, kind) + list(_template_paths(str(kind.template)))
    return tuple(_with_lists(ranked)), tuple(_with_lists(everything))


def forget() -> None:
    """Drop what was computed (after the criteria, arguments or templates changed, as tests change them)."""
    _argument_sources.cache_clear()
