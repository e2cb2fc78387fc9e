"""The guided questionnaire's questions: declared as data in appeal/data/questions.yaml (like copier's
copier.yml), loaded and validated here.

Each entry names the case field it fills, its prompt, a plain-words hint, its kind, when it applies (a Jinja
expression in the sandbox arguments.yaml uses) and its validator. The validator is always the case model's own
rule (`case_paths.model_rule` assigns the answer into a copy of the owning model, which has
validate_assignment=True), so a date, phone, NPI or ICD-10 code is judged exactly as a case file would be. The
engine that asks them is `appeal.intake.engine`; a translator reads the YAML without it.

Here, in code, stay only what data cannot say: choice lists made from the installation (letter kinds, evidence),
how an entry of a list is shown, and the suggestion of a drug class. The file is validated when it loads:
every path is a real case field, every condition name and `case.` path exists, every named choice list is here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from appeal.base import language
from appeal.base.errors import UserError
from appeal.base.language import N_, translate as _
from appeal.base.resources import data_file
from appeal.cases import conditions
from appeal.cases.case import Case, DrugClass, SenderRole
from appeal.cases.case_paths import field_at, get_path, item_type, model_rule, value_type
from appeal.cases.fields import format_money
from appeal.letters import kinds

# --------------------------------------------------------------------------------------------------------------
# What a condition sees

# How a prompt asks about a treatment tried, by whether it is a medication (True), a non-drug treatment such as
# physical therapy or a nerve block (False), or of a kind not known yet (None): `{dose_asked}`, `{weeks_asked}`.
_TREATMENT_WORDS: dict[bool | None, dict[str, str]] = {
    True: {"dose_asked": N_("Highest dose reached"), "weeks_asked": N_("How many weeks at that full dose?"),
           "weeks_label": N_("Weeks at full dose"),
           "weeks_hint": N_("An adequate trial of a medication is usually at least 6 weeks at a full dose; count "
                            "only those weeks. A number, like 8.")},
    False: {"dose_asked": N_("How often, or how many sessions or procedures"),
            "weeks_asked": N_("How many weeks did it last?"), "weeks_label": N_("Weeks it lasted"),
            "weeks_hint": N_("From the first session or procedure to the last, in weeks. A number, like 8.")},
    None: {"dose_asked": N_("Highest dose reached (for a therapy or procedure, how often or how many)"),
           "weeks_asked": N_("How many weeks at that full dose? (for a therapy or procedure, how many weeks it "
                             "lasted)"),
           "weeks_label": N_("Weeks"),
           "weeks_hint": N_("For a medication, an adequate trial is usually at least 6 weeks at a full dose; count "
                            "only those weeks. A number, like 8.")},
}

# How prompts speak of the patient, by language, to the patient writing (True) or about them (False). Each
# language has the names its own sentences need: Spanish says "usted" to the patient, and puts "del paciente"
# after the noun where English says "the patient's" before it (appeal/locale/es/glossary.md).
_PERSON_WORDS: dict[str, dict[bool, dict[str, str]]] = {
    "en": {
        True: {"patient": "you", "patients": "your", "Patient": "You", "Patients": "Your", "are_in": "are in"},
        False: {"are_in": "is in", "patient": "the patient", "patients": "the patient's", "Patient": "The patient",
                "Patients": "The patient's"},
    },
    "es": {
        True: {"patient": "usted", "Patient": "Usted", "patients": "su", "Patients": "Su", "are_in": "está",
               "del_paciente": "", "al_paciente": "a usted"},
        False: {"patient": "el paciente", "Patient": "El paciente", "patients": "su", "Patients": "Su",
                "are_in": "está", "del_paciente": " del paciente", "al_paciente": "al paciente"},
    },
}


@dataclass
class Context:
    """The answers so far, as conditions and choice lists need them.

    What it works out from the answers (the letter's goals, the conditions' values) is worked out once and kept
    in `memo`: a Context stands for one state of the answers, so make a new one after an answer changes them
    (the intake engine does, once per answer). `with_item` shares the memo, since no goal or condition reads the
    list entry being filled."""

    case: Case
    extras: dict[str, Any] = field(default_factory=dict)
    item: dict[str, Any] | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
    def age(self) -> int | None:
        """The patient's age today in whole years, from the date of birth (None before it is known)."""
        born = self.case.patient.date_of_birth
        if born is None:
            return None
        today = date.today()
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def words(self) -> dict[str, str]:
        """How prompts speak of the patient (to them, or about them), and of a treatment tried: a medication's
        dose and weeks at full dose, a non-drug treatment's sessions and weeks (never "full dose"); and of a
        score, the range of the scale chosen for it (`{score_asked}`: "A number from 0 to 10." for a pain score)."""
        words = _PERSON_WORDS.get(language.current(), _PERSON_WORDS["en"])[self.role == "patient"]
        return {**words, **{name: _(text) for name, text in _TREATMENT_WORDS[self._item_is_drug()].items()},
                "score_asked": self._score_asked()}

    def _score_asked(self) -> str:
        """The help for a score: the chosen scale's range, or, for a scale with versions of different ranges (the
        HAM-D), the form's own total. An example number from another scale misled ("like 22" for a pain score)."""
        from appeal.cases import scales

        instrument = (self.item or {}).get("instrument")
        most = scales.get(instrument).maximum if instrument else None
        if most is None:
            return _("A number: the total the form gives.")
        return _("A number from 0 to {most}.").format(most=f"{most:g}")

    def _item_is_drug(self) -> bool | None:
        """Whether the list entry being filled is a medication (None: not a treatment, or its kind not known)."""
        value = (self.item or {}).get("drug_class")
        return DrugClass(value).drug if value in conditions.all_classes() else None

    def with_item(self, item: dict[str, Any] | None) -> Context:
        """The same answers, with the list entry being filled (for its choices and suggestions)."""
        return Context(self.case, self.extras, item, self.memo)

    def as_provider(self) -> Context:
        """The same answers, as if the treating provider were writing."""
        if "as_provider" not in self.memo:
            sender = self.case.sender.model_copy(update={"role": SenderRole.provider})
            self.memo["as_provider"] = Context(self.case.model_copy(update={"sender": sender}), self.extras)
        return self.memo["as_provider"].with_item(self.item)

    def _letter_goals(self) -> tuple[list[str], list[str]]:
        """(the facts that make the letter's case, every fact the letter uses), worked out once (appeal.letters.goals)."""
        if "goals" not in self.memo:
            from appeal.letters import goals

            self.memo["goals"] = goals.letter_goals(self.case, self.kind) if self.kind is not None else ([], [])
        return self.memo["goals"]

    def goals(self) -> list[str]:
        """The facts the chosen letter uses, most important first (appeal.letters.goals); none before a letter is chosen."""
        return list(self._letter_goals()[1])

    def case_facts(self) -> list[str]:
        """The facts that make the chosen letter's case, most important first (appeal.letters.goals)."""
        return list(self._letter_goals()[0])

    def conditions(self) -> list[str]:
        """The conditions the answers so far are about (appeal/data/conditions.yaml ids; ['other'] when none)."""
        if "conditions" not in self.memo:
            from appeal.rules import clinical

            self.memo["conditions"] = clinical.condition_names(self.case)
        return self.memo["conditions"]

    def names(self) -> dict[str, Any]:
        """What a `when:` sees: role, situation, kind, case, conditions, episodic, scales, and each named condition's value
        (computed once)."""
        if "names" not in self.memo:
            from appeal.letters.render_views import present

            base = {"role": self.role, "situation": self.situation, "kind": self.kind or NO_KIND,
                    "case": present(self.case, "case"), "conditions": self.conditions(),
                    "episodic": conditions.episodic(self.conditions()),
                    "scales": conditions.scales_for(self.conditions()),
                    "age": self.age}
            self.memo["names"] = {**base, **{name: condition.holds(base)
                                             for name, condition in _declared().conditions.items()}}
        return self.memo["names"]


class Condition:
    """A `when:` expression, compiled once, the first time it is asked (a process that only names questions, as
    `appeal draft` naming a letter's blanks, compiles none); called with a Context, as the engine does."""

    def __init__(self, source: str | None):
        self.source = source

    @cached_property
    def _compiled(self) -> Any:
        from appeal.letters.render_env import shared_environment

        return shared_environment(for_docx=False).compile_expression(self.source) if self.source else None

    def holds(self, names: dict[str, Any]) -> bool:
        return True if self._compiled is None else bool(self._compiled(**names))

    def value(self, ctx: Context) -> Any:
        """What the expression gives for these answers (a question's `default:`), not only whether it holds."""
        return None if self._compiled is None else self._compiled(**ctx.names())

    def __call__(self, ctx: Context) -> bool:
        return self._compiled is None or self.holds(ctx.names())

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"


always = Condition(None)
# Before a letter kind is chosen, every flag of it is false (a question about the letter waits for the choice).
NO_KIND = kinds.LetterKind("", "", "", Path(), senders=(), sent_to_plan=False)

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
    recommend: bool | None = None  # a yes/no question starts on this answer
    essential: bool = False  # skipped, it stays a visible [ADD: ...] blank; other skipped facts are left out
    stage: str = "ranked"  # its section's place in the order: one of STAGES
    default: Condition | None = None  # an expression over earlier answers: the answer it starts on (a list: first)
    unit: str = ""  # a number's unit, said back when a number is read from words ("kept 10 weeks")

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
    add_label: str = N_("Yes, add one")  # the menu choice that starts a new entry
    recommend: bool | None = None  # false: the menu starts on "No" (an optional list most people skip)
    stage: str = "ranked"

    @property
    def key(self) -> str:
        return self.path


Entry = Union[Question, Group]


# --------------------------------------------------------------------------------------------------------------
# Reading the case model's fields by path


def field_info(path: str) -> FieldInfo | None:
    """The case model's FieldInfo for a path ("denial.notice_date", "prior_treatments[].dose", "enclosures[]");
    None for an answer the questionnaire keeps for itself ("@situation")."""
    return None if path.startswith("@") else field_at(path)


def enum_options(path: str) -> list[Option]:
    enum = str if path.startswith("@") else value_type(path)  # an answer kept for itself ("@situation") is text
    if isinstance(enum, type) and issubclass(enum, Enum):
        return [(member.value, getattr(member, "label", member.value)) for member in enum]
    raise TypeError(f"{path} is not a choice field")


# --------------------------------------------------------------------------------------------------------------
# Choices that are not an enum field

# What the person sees for each situation; a letter kind says which situation it serves (`situation:` in its YAML).
SITUATIONS: dict[str, str] = {
    "denial": N_("The plan said no (a denial), and I want to appeal it"),
    "prior_auth": N_("The plan must approve a treatment before it starts (prior authorization)"),
    "reimbursement": N_("I paid for care myself and want the plan to pay me back"),
    "claim_file": N_("I want the plan's papers about a denial (the claim file) before appealing"),
    "parity": N_("The plan limits mental health care more than other care (a parity request)"),
    "medical_necessity": N_("A provider's letter that the treatment is medically necessary"),
    "continuation": N_("A treatment is working and the plan must approve more sessions (reauthorization)"),
}
# After the letter that fits what was said, in the menu of letters (the review shows the title without it).
SUGGESTED = N_("  (suggested)")


def situation_for(letter_kind: str | None, has_denial_section: bool = False) -> str | None:
    """The situation a finished letter kind implies (for case files made without the questionnaire)."""
    if has_denial_section:
        return "denial"
    kind = kinds.all_kinds().get(letter_kind or "")
    return kind.situation if kind else None


def suggested_kind(situation: str | None) -> str | None:
    """The first kind (built-in ones come first) that serves the situation."""
    return next((name for name, kind in kinds.all_kinds().items() if situation and kind.situation == situation), None)


def situation_options(ctx: Context) -> list[Option]:
    return [(value, _(text)) for value, text in SITUATIONS.items()]


def chosen_evidence_options(ctx: Context) -> list[Option]:
    """The snippets the tool picked for this case, to drop one."""
    from appeal.rules import evidence

    try:
        chosen = evidence.select(ctx.case, evidence.load_library())
    except Exception:  # an unknown id in an earlier answer: show the library instead of failing
        chosen = []
    return [(item.snippet.id, f"[{item.number}] {item.snippet.title}") for item in chosen]


def other_evidence_options(ctx: Context) -> list[Option]:
    """Snippets the tool did not pick, to add one."""
    from appeal.rules import evidence

    library = evidence.load_library()
    picked = {value for value, _ in chosen_evidence_options(ctx)}
    return [(snippet_id, snippet.title) for snippet_id, snippet in sorted(library.items()) if snippet_id not in picked]


def suggested_drug_class(ctx: Context) -> str | None:
    """'Zoloft' or 'sertraline 100mg' pre-selects SSRI: few patients know the class of their medication."""
    from functools import cached_property, lru_cache

    from appeal.base.resources import load_data

    @lru_cache(maxsize=1)
    def table() -> dict[str, str]:
        data = load_data("medications.yaml")
        return {name: drug_class for drug_class, names in data.items() for name in names}

    name = str((ctx.item or {}).get("name") or "").lower()
    return next((table()[word] for word in re.findall(r"[a-z]+", name) if word in table()), None)


def treatment_class_options(ctx: Context) -> list[Option]:
    """The kinds of treatment for the case's conditions (a pain patient is offered pain treatments, not
    antidepressants), most usual first; the entry's suggested or stored kind is kept even when another condition's."""
    offered = conditions.classes_for(ctx.conditions())
    for value in (suggested_drug_class(ctx), (ctx.item or {}).get("drug_class")):
        if value in conditions.all_classes() and value not in offered:
            offered.insert(len(offered) - 1, value)  # before 'other'
    return [(value, _class_option(value)) for value in offered]


def _class_option(value: str) -> str:
    kind = conditions.treatment_class(value)
    return f"{_(kind.label)} ({_(kind.hint)})" if kind.hint else _(kind.label)


def suggested_for_case(ctx: Context) -> str | None:
    """The letter that fits what was said: after a denial, the kind that starts the dispute's next step for how far
    it has gone (appeal.rules.dispute; a final internal denial: external review, not another internal appeal;
    a first-level one only once the plan type says whether a second internal level follows); otherwise the first
    kind that serves the situation."""
    from appeal.rules import dispute

    denial = ctx.case.denial
    level = denial.level_exhausted.value if denial is not None and denial.level_exhausted else None
    # a first-level decision leads to a second internal level on some plans: said only once the plan type is known
    if ctx.situation == "denial" and (level == "final_internal" or (level and ctx.case.insurance.plan_type)):
        index = dispute.next_step_index(ctx.case)
        step = dispute.case_steps(ctx.case)[index].step.value if index is not None else None
        fitting = kinds.kind_for_step(step) if step else None
        if fitting and kinds.all_kinds()[fitting].situation == ctx.situation:
            return fitting
    return suggested_kind(ctx.situation)


def letter_options(ctx: Context) -> list[Option]:
    """Letters this sender can send, the one that fits the situation (and a denial's level) first."""
    suggested = suggested_for_case(ctx)
    options = []
    for name, kind in kinds.all_kinds().items():
        if ctx.role and ctx.role not in kind.senders:
            continue
        title = f"{_(kind.title)}: {_(kind.summary)}"
        options.append((name, title + _(SUGGESTED) if name == suggested else title))
    options.sort(key=lambda option: option[0] != suggested)
    return options


def role_options(ctx: Context) -> list[Option]:
    return [
        ("patient", _("I am the patient")),
        ("representative", _("I am helping the patient (family member, friend or advocate)")),
        ("provider", _("I am the patient's doctor or clinician, or work in their office")),
    ]


# --------------------------------------------------------------------------------------------------------------
# How entries of a group are listed


def _show_treatment(item: Any) -> str:
    details = [_(item.drug_class.label) if item.drug_class else None, item.dose]
    if item.adequate_weeks is not None:  # "at full dose" only for a medication, never for therapy or a procedure
        medication = item.drug_class is not None and item.drug_class.drug
        details.append((_("{weeks:g} weeks at full dose") if medication else _("{weeks:g} weeks")).format(
            weeks=item.adequate_weeks))
    text = f"{item.name or _('(no name)')}"
    shown = ", ".join(part for part in details if part)
    text += f" ({shown})" if shown else ""
    return text + (f": {_(item.response.label)}" if item.response else "")


def _show_score(item: Any) -> str:
    shown = f"{_(item.instrument.label)} {item.number}"  # `item.shown` is the letter's, in English
    return shown + (_(" on {date}").format(date=language.shown_date(item.date)) if item.date else "")


def _show_service(item: Any) -> str:
    parts = [language.shown_date(item.date) if item.date else None, ", ".join(item.codes) or None, item.description]
    money = [_("charged {amount}").format(amount=format_money(item.charge)) if item.charge is not None else None]
    money.append(_("paid {amount}").format(amount=format_money(item.paid)) if item.paid is not None else None)
    return " ".join(part for part in parts + money if part) or _("(empty)")


def _show_label(item: Any) -> str:
    return _(getattr(item, "label", str(item)))


def _show_date(item: Any) -> str:
    return language.shown_date(item)


def _show_code(item: Any) -> str:
    return f"{item.code}" + (f" ({item.description})" if item.description else "")


def _show_diagnosis(item: Any) -> str:
    return f"{item.code} {item.description or ''}".strip()


# --------------------------------------------------------------------------------------------------------------
# Loading appeal/data/questions.yaml

CHOICES: dict[str, Callable[[Context], list[Option]]] = {
    "roles": role_options,
    "situations": situation_options,
    "letters": letter_options,
    "chosen_evidence": chosen_evidence_options,
    "other_evidence": other_evidence_options,
    "treatment_classes": treatment_class_options,
}
SUGGESTIONS: dict[str, Callable[[Context], Any]] = {"drug_class": suggested_drug_class}
SHOW: dict[str, Callable[[Any], str]] = {
    "text": str,
    "code": _show_code,
    "date": _show_date,
    "label": _show_label,
    "score": _show_score,
    "service": _show_service,
    "diagnosis": _show_diagnosis,
    "treatment": _show_treatment,
}
BASE_NAMES = ("role", "situation", "kind", "case", "conditions", "episodic", "scales", "age")
_QUESTION_KEYS = {"path", "prompt", "hint", "kind", "when", "required", "label", "choices", "validator", "resets",
                  "suggest", "recommend", "essential", "default", "unit"}
_GROUP_KEYS = {"group", "prompt", "more", "hint", "when", "label", "show", "add_label", "items", "recommend"}


@dataclass(frozen=True)
class Declared:
    """questions.yaml, loaded: the named conditions and the entries in the order they are asked."""

    conditions: dict[str, Condition]
    entries: list[Entry]


class _Invalid(Exception):
    pass


def _getattr_path(node: Any) -> list[str] | None:
    """`case.insurance.plan_type` -> ["case", "insurance", "plan_type"]; None when it does not start at a name."""
    from jinja2 import nodes

    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.insert(0, node.attr)
        node = node.node
    return [node.name, *parts] if isinstance(node, nodes.Name) else None


def _check_case_path(parts: list[str]) -> None:
    try:
        field_at(".".join(parts))
    except (KeyError, TypeError):
        raise _Invalid(f"'case.{'.'.join(parts)}' is not a case field") from None


def _constants(node: Any) -> list[Any]:
    from jinja2 import nodes

    if isinstance(node, nodes.Const):
        return [node.value]
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return [item.value for item in node.items if isinstance(item, nodes.Const)]
    return []


@lru_cache(maxsize=1)
def _facts_flavour() -> str:
    """The cache's name for the facts, with this module's own text in it: facts read another way are never read
    back as these."""
    import hashlib

    return "when: facts " + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _expression_facts(source: str) -> tuple:
    """What a `when:` uses, read from its parse tree: the names (in the tree's order), each `a.b.c` path (empty
    when it does not start at a name), and each comparison's (path, compared constants) both ways round. Kept in
    the compile cache, as the expression's code is: parsing the 77 `when:`s was half of reading the questions.
    A syntax error is raised as Jinja's, and never kept."""
    from jinja2 import nodes

    from appeal.letters.render_env import shared_environment

    environment = shared_environment(for_docx=False)
    key = environment.disk.key(_facts_flavour(), source)
    facts = environment.disk.load(key, expected=tuple)
    if facts is None:
        tree = environment.parse("{{ (" + source + ") }}")
        compared = []
        for compare in tree.find_all(nodes.Compare):
            for left, operand in zip([compare.expr, *(item.expr for item in compare.ops)], compare.ops):
                compared += [(tuple(_getattr_path(left) or ()), tuple(_constants(operand.expr))),
                             (tuple(_getattr_path(operand.expr) or ()), tuple(_constants(left)))]
        facts = (tuple(name.name for name in tree.find_all(nodes.Name)),
                 tuple(tuple(_getattr_path(node) or ()) for node in tree.find_all(nodes.Getattr)), tuple(compared))
        environment.disk.store(key, facts)
    return facts


def _check_expression(source: Any, allowed: set[str]) -> Condition:
    """A `when:`, after checking every name, `case.` path, `kind.` flag and compared value it uses."""
    from jinja2 import TemplateSyntaxError

    if not isinstance(source, str) or not source.strip():
        raise _Invalid("'when' must be an expression, like \"provider and clinical_letter\"")
    try:
        names, paths, compared = _expression_facts(source)
    except TemplateSyntaxError as error:
        raise _Invalid(f"'when: {source}' is not a valid expression: {error.message}") from None
    for name in names:
        if name not in allowed:
            raise _Invalid(f"'when: {source}' uses '{name}', which is not a condition name; the names are "
                           f"{', '.join(sorted(allowed))}")
    kind_fields = {item.name for item in dataclasses.fields(kinds.LetterKind)}
    for parts in paths:
        if parts[:1] == ("case",):
            _check_case_path(list(parts[1:]))
        elif parts[:1] == ("kind",) and parts[1] not in kind_fields:
            raise _Invalid(f"'when: {source}': a letter kind has no '{parts[1]}'")
    allowed_values = {("role",): kinds.ALL_SENDERS, ("situation",): tuple(SITUATIONS),
                      ("kind", "asks"): kinds.QUESTION_TOPICS}
    for subject, values in compared:
        known = allowed_values.get(subject)
        unknown = [value for value in values if known is not None and value is not None and value not in known]
        if unknown:
            raise _Invalid(f"'when: {source}': {unknown[0]!r} is not one of {', '.join(known)}")
    return Condition(source)


def _named(table: dict[str, Any], name: Any, what: str) -> Any:
    if name not in table:
        raise _Invalid(f"{what} '{name}' is not one of {', '.join(table)}")
    return table[name]


# Where a section's questions come in the conversation (its `order:` in questions.yaml): the opening, asked on
# their `when:` alone before the letter is chosen; the basics (who, the plan, the denial, the treatment), in the
# file's order; then everything else, most important first (appeal.letters.goals.rank), a section's questions together.
STAGES = ("opening", "basics", "ranked")


def _question(item: Any, section: str, conditions: set[str], stage: str = "ranked") -> Question:
    if not isinstance(item, dict) or "path" not in item or "prompt" not in item:
        raise _Invalid(f"each question needs 'path:' and 'prompt:', not {item!r}")
    unknown = set(item) - _QUESTION_KEYS
    if unknown:
        raise _Invalid(f"unknown key(s) {', '.join(sorted(unknown))}; a question has {', '.join(sorted(_QUESTION_KEYS))}")
    path = item["path"]
    if not path.startswith("@"):
        try:
            field_info(path)
        except (KeyError, TypeError):
            raise _Invalid(f"'{path}' is not a case field") from None
    kind = item.get("kind", "text")
    if kind not in KINDS:
        raise _Invalid(f"kind '{kind}' is not one of {', '.join(KINDS)}")
    if item.get("validator", "model") not in ("model", "none"):
        raise _Invalid("validator may only be 'none' (for an answer that is not a case field)")
    choices = _named(CHOICES, item["choices"], "choices") if "choices" in item else None
    if kind == "choice" and choices is None:
        try:
            enum_options(path)
        except TypeError:
            raise _Invalid("a choice question needs 'choices:' unless its field has choices of its own") from None
    return Question(
        path=path,
        prompt=str(item["prompt"]),
        hint=str(item.get("hint", "")),
        kind=kind,
        when=_check_expression(item["when"], conditions) if "when" in item else always,
        required=bool(item.get("required", False)),
        label=item.get("label"),
        choices=choices,
        validator=None if item.get("validator") == "none" else model_rule,
        resets=tuple(item.get("resets", ())),
        section=section,
        suggest=_named(SUGGESTIONS, item["suggest"], "suggest") if "suggest" in item else None,
        recommend=_recommend(item, kind),
        essential=bool(item.get("essential", False)),
        stage=stage,
        default=_check_expression(item["default"], conditions) if "default" in item else None,
        unit=_unit(item, kind),
    )


def _unit(item: dict, kind: str) -> str:
    if "unit" not in item:
        return ""
    if kind != "number" or not isinstance(item["unit"], str):
        raise _Invalid("'unit:' (a word, like weeks) is for a number question")
    return item["unit"]


def _recommend(item: dict, kind: str) -> bool | None:
    if "recommend" not in item:
        return None
    if kind != "confirm" or not isinstance(item["recommend"], bool):
        raise _Invalid("'recommend: true' or 'recommend: false' is for a yes/no (confirm) question")
    return item["recommend"]


def _group(item: dict, section: str, conditions: set[str], stage: str = "ranked") -> Group:
    unknown = set(item) - _GROUP_KEYS
    if unknown:
        raise _Invalid(f"unknown key(s) {', '.join(sorted(unknown))}; a group has {', '.join(sorted(_GROUP_KEYS))}")
    try:
        item_type(item["group"])
    except (KeyError, TypeError):
        raise _Invalid(f"'{item['group']}' is not a list in the case") from None
    questions = []
    for child in item.get("items") or []:
        try:
            questions.append(_question(child, "", conditions))
        except _Invalid as error:
            raise _Invalid(f"{child.get('path', '?') if isinstance(child, dict) else '?'}: {error}") from None
    if not questions or any(not question.path.startswith(item["group"] + "[]") for question in questions):
        raise _Invalid(f"a group's items are questions about '{item['group']}[]'")
    return Group(
        path=item["group"],
        prompt=str(item["prompt"]),
        more=str(item["more"]),
        items=tuple(questions),
        hint=str(item.get("hint", "")),
        when=_check_expression(item["when"], conditions) if "when" in item else always,
        label=item.get("label"),
        show=_named(SHOW, item.get("show", "text"), "show"),
        section=section,
        add_label=str(item.get("add_label", Group.add_label)),
        recommend=item.get("recommend") if isinstance(item.get("recommend"), bool) else None,
        stage=stage,
    )


def _load(path: Path) -> Declared:
    from appeal.base.resources import parse_bundled_yaml

    data = parse_bundled_yaml(path.read_text(encoding="utf-8"))
    where = "conditions"
    try:
        if not isinstance(data, dict) or set(data) != {"conditions", "sections"}:
            raise _Invalid("the file holds 'conditions:' and 'sections:'")
        conditions: dict[str, Condition] = {}
        for name, source in data["conditions"].items():
            where = f"condition {name}"
            if name in BASE_NAMES:
                raise _Invalid(f"'{name}' is a name every condition sees; choose another")
            conditions[name] = _check_expression(source, set(BASE_NAMES))
        allowed = set(BASE_NAMES) | set(conditions)
        entries: list[Entry] = []
        for section in data["sections"]:
            where = f"section {section.get('title')}"
            stage = section.get("order", "ranked")
            if stage not in STAGES or set(section) - {"title", "order", "questions"}:
                raise _Invalid(f"a section has title, questions and order (one of {', '.join(STAGES)})")
            for item in section["questions"]:
                where = item.get("group") or item.get("path") or "a question"
                is_group = isinstance(item, dict) and "group" in item
                make = _group if is_group else _question
                entries.append(make(item, section["title"], allowed, stage))
        keys = [entry.key for entry in entries]
        for entry in entries:
            where = entry.key
            if keys.count(entry.key) > 1:
                raise _Invalid("two entries fill this field")
            for reset in getattr(entry, "resets", ()):
                if reset not in keys:
                    raise _Invalid(f"resets '{reset}', which no question asks")
    except _Invalid as error:
        raise UserError(f"{path}: {where}: {error}.") from None
    return Declared(conditions, entries)


QUESTIONS_FILE = data_file("questions.yaml")
FOR_EACH_ENTRY = N_(", for each entry: ")


@lru_cache(maxsize=1)
def _declared() -> Declared:
    return _load(QUESTIONS_FILE)


QUESTIONS: list[Entry] = _declared().entries
ENTRIES: dict[str, Entry] = {entry.key: entry for entry in QUESTIONS}  # each entry by its key (its field path)
GROUP_OF: dict[str, Group] = {  # the list each question about a list entry belongs to
    question.path: entry for entry in QUESTIONS if isinstance(entry, Group) for question in entry.items
}

# Each field's one question, as the readiness check and the blanks name it ("x[].y" by its own prompt, a list by
# its group's), so the terminal and the browser say the same.
PROMPTS: dict[str, str] = {entry.key: entry.prompt for entry in QUESTIONS} | {
    question.path: f"{entry.label or entry.prompt}{FOR_EACH_ENTRY}{question.prompt}"
    for entry in QUESTIONS if isinstance(entry, Group) for question in entry.items
}


def prompt_words(path: str) -> str:
    """A field's question as PROMPTS names it, in the person's language (a list entry's by both its parts)."""
    group = GROUP_OF.get(path)
    if group is None:
        return _(PROMPTS[path])
    question = next(question for question in group.items if question.path == path)
    return _(group.label or group.prompt) + _(FOR_EACH_ENTRY) + _(question.prompt)


def applies(entry: Entry, ctx: Context) -> bool:
    """Whether to ask an entry. The opening questions (who writes, what happened, which letter) are asked on their
    `when:` alone. Every other question only once a letter is chosen, and only when that letter uses its field
    (appeal.letters.goals: the criteria for this treatment, the arguments for this denial, what the letter plan and the
    template read), and its `when:` holds, or holds for a provider writing the same case, so a patient is asked
    for the scores and trials a strong letter needs while answers still decide (no "why urgent" for a standard
    request). The sender's own questions stay with their `when:` (a patient is never asked "your specialty"
    because a criterion reads sender.specialty)."""
    if entry.stage == "opening" or "[]" in entry.key:  # a group's items are asked when the group is
        return entry.when(ctx)
    if ctx.kind is None or entry.key not in ctx.goals():
        return False
    if entry.when(ctx):
        return True
    if entry.key.startswith(("@", "sender.")) or ctx.role == "provider" or entry.key not in ctx.case_facts():
        return False
    return entry.when(ctx.as_provider())


def asking_order(ctx: Context) -> list[Entry]:
    """The entries to ask for this case, in the order to ask them: the opening and the basics as the file lists
    them; then the other sections, the one holding the most important fact first (Context.case_facts), each
    section's questions together, most important first, so the conversation stays on one topic at a time. A
    fact that makes no part of the letter's case (an address, a code) keeps the file's order after them."""
    rank = {path: number for number, path in enumerate(ctx.case_facts())}
    applying = [(position, entry) for position, entry in enumerate(QUESTIONS) if applies(entry, ctx)]
    first = [entry for _, entry in applying if entry.stage != "ranked"]
    place = {entry.key: (rank.get(entry.key, len(rank) + position), position) for position, entry in applying}
    sections: dict[str, list[Entry]] = {}
    for _, entry in applying:
        if entry.stage == "ranked":
            sections.setdefault(entry.section, []).append(entry)
    ordered = sorted(sections.values(), key=lambda entries: min(place[entry.key] for entry in entries))
    return first + [entry for entries in ordered for entry in sorted(entries, key=lambda entry: place[entry.key])]


def next_open(ctx: Context, done: Callable[[str], bool]) -> Entry | None:
    """The next entry to ask: the first in `asking_order` not done yet, or a list with an entry that lacks a fact
    the letter's case needs (`incomplete_item`: a draft or case file from before the letter needed it)."""
    order = asking_order(ctx)
    return next((entry for entry in order if not done(entry.key)), None) or next(
        (entry for entry in order if isinstance(entry, Group) and incomplete_item(entry, ctx, done)), None)


def incomplete_item(group: Group, ctx: Context, done: Callable[[str], bool]) -> tuple[int, list[Question]] | None:
    """The first entry of a list missing facts that make the letter's case (per-trial dose, weeks, current
    episode...), with the questions that would give them; None when every entry has them. A question skipped for
    an entry is done (its key `skipped_key`), so it is not asked again."""
    wanted = set(ctx.case_facts())
    items = list(get_path(ctx.case, group.path) or [])
    for index, item in enumerate(items):
        missing = [question for question in group.items
                   if question.field_name and question.path in wanted and question.when(ctx)
                   and getattr(item, question.field_name, None) in (None, "", [])
                   and not done(skipped_key(question, index))]
        if missing:
            return index, missing
    return None


def skipped_key(question: Question, index: int) -> str:
    """How progress records a list entry's question skipped on purpose: "prior_treatments[].dose@1"."""
    return f"{question.path}@{index}"


def questions_for_blank(label: str) -> list[Question]:
    """The questions that fill a letter's `[ADD: label]` blank ("member ID" -> "Member ID"; "patient's name" ->
    first and last name), if any do."""
    from appeal.base.letter_language import labels_of
    from appeal.letters.render_views import COMPOSITE_BLANKS, field_blank

    for composite, paths in COMPOSITE_BLANKS.items():
        if label in labels_of(composite):
            return [question for question in every_question() if question.path in paths]
    for question in every_question():
        owner, _, name = question.path.rpartition(".")
        if not owner or "[" in question.path or "." in owner:
            continue
        if label in labels_of(field_blank(question.path).label):  # a Spanish letter's blank names it in Spanish
            return [question]
    return []


def prompt_for_anyone(prompt: str) -> str:
    """A question's prompt in the person's language, worded for whoever reads it ("the patient"), as a report
    outside the questionnaire names the question that fills a blank."""
    words = {**_PERSON_WORDS.get(language.current(), _PERSON_WORDS["en"])[False],
             **{name: _(text) for name, text in _TREATMENT_WORDS[None].items()}}
    return _(prompt).format_map(words)


def blank_facts(labels: list[str]) -> list[tuple[str, list[Question]]]:
    """The letter's blanks, one line per fact: a blank whose questions an earlier one already names ("first
    name" after "patient's name") is the same fact and is not listed again."""
    found: list[tuple[str, list[Question]]] = []
    named: set[str] = set()
    for label in labels:
        questions = questions_for_blank(label)
        if questions and {question.path for question in questions} <= named:
            continue
        named.update(question.path for question in questions)
        found.append((label, questions))
    return found


def every_question() -> list[Question]:
    """All questions, including those inside groups."""
    found: list[Question] = []
    for entry in QUESTIONS:
        found.extend(entry.items if isinstance(entry, Group) else (entry,))
    return found


def check_declarations(path: Path | None = None) -> None:
    """Load and validate a questions file (the built-in one by default), and evaluate each condition once."""
    declared = _load(path) if path else _declared()
    empty = Context(Case())
    for entry in declared.entries:
        entry.when(empty)
