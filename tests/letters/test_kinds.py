"""Letter kinds as data: everything a kind does is declared in its YAML, so a copy under any name behaves the same."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import EXAMPLES, docx_text, example_case, example_text

from appeal.letters import draft, kinds, letter_plan, template_tools
from appeal.rules import rule_book as rules
from appeal.cases.case import PlanType, SenderRole, Urgency
from appeal.base.errors import UserError

PACKAGE = Path(letter_plan.__file__).resolve().parents[1]
BUILT_IN = sorted(name for name, kind in kinds.all_kinds().items() if kind.source == "built-in")


@pytest.fixture
def user_folder(tmp_path, monkeypatch):
    """An empty per-user data folder, so copies land in tmp_path and never in the real HOME."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(kinds.ENVIRONMENT_VARIABLE, raising=False)
    kinds.all_kinds.cache_clear()
    yield tmp_path / "data" / "appeal" / "templates"
    kinds.all_kinds.cache_clear()


def _variants(case):
    """The example as written, then urgent from a representative, then from its provider on another plan type."""
    yield case
    urgent = case.model_copy(deep=True)
    urgent.treatment.urgency = Urgency.expedited
    urgent.sender.role = SenderRole.representative
    yield urgent
    other = case.model_copy(deep=True)
    other.sender.role = SenderRole.provider
    other.insurance.plan_type = PlanType.medicare_original if case.insurance.plan_type is not PlanType.medicare_original else PlanType.individual_marketplace
    yield other


def _plan(context):
    letter = context["letter"]
    return (letter.urgent, letter.rights, letter.requests, [str(item) for item in letter.enclosures], letter.warnings,
            [item.snippet.id for item in letter.evidence], [(s.heading, s.paragraphs) for s in letter.arguments],
            letter.request_title)


def test_every_built_in_kind_is_here():
    assert BUILT_IN == ["appeal", "claim-file-request", "employer-letter", "external-review", "medical-necessity",
                        "parity-request", "prior-auth", "reauthorization", "regulator-complaint", "reimbursement",
                        "representative-authorization"]


@pytest.mark.parametrize("source", BUILT_IN)
def test_a_copy_under_a_new_name_drafts_the_same_letter(source, user_folder):
    copied = template_tools.new(f"my-{source}", source)
    assert copied.parent == user_folder
    kinds.all_kinds.cache_clear()
    original, copy = kinds.get(source), kinds.get(f"my-{source}")
    assert copy.source.startswith("your templates")
    drafted = 0
    for name in EXAMPLES:
        case = example_case(name)
        if original.needs_denial and case.denial is None:
            continue
        for variant in _variants(case):
            assert _plan(letter_plan.context_for(variant, copy)) == _plan(letter_plan.context_for(variant, original))
        assert docx_text(draft.draft(case, copy).content) == example_text(name, source), name
        drafted += 1
    assert drafted >= 3


def test_a_copy_carries_the_whole_description(user_folder):
    """The issue's hardship letter: 95 paragraphs became 54 when the copy lost its rights, requests and evidence."""
    template_tools.new("hardship-letter", "prior-auth")
    kinds.all_kinds.cache_clear()
    copy = kinds.get("hardship-letter")
    letter = letter_plan.context_for(example_case("esketamine-prior-auth-psychiatrist"), copy)["letter"]
    assert letter.rights and letter.requests and letter.evidence and letter.enclosures
    assert copy.title.endswith("(hardship-letter)")
    assert copy.description() | {"title": ""} == kinds.get("prior-auth").description() | {"title": ""}


def _user_kind(folder: Path, name: str, description: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.docx").write_bytes(kinds.get("claim-file-request").template.read_bytes())
    (folder / f"{name}.yaml").write_text(description, encoding="utf-8")
    kinds.all_kinds.cache_clear()


def test_a_new_kind_declares_its_own_requests_and_enclosures(user_folder):
    _user_kind(user_folder, "hardship", "title: Hardship\nsummary: s\nrequests:\n"
               "  - text: 'Waive the cost of {{ treatment }}.'\n"
               "  - when: urgent\n    text: Never shown, this kind cannot be urgent.\n"
               "enclosures:\n  - when: \"case.sender.role == 'patient'\"\n    text: Proof of income\n"
               "    unless_listed: income\n")
    case = example_case("ketamine-trd-erisa-appeal")
    case.treatment.urgency = Urgency.expedited
    letter = letter_plan.context_for(case, kinds.get("hardship"))["letter"]
    assert letter.requests == [f"Waive the cost of {case.treatment.display_name}."]
    assert letter.urgent is False
    assert ("Proof of income" in letter.enclosures) == (case.sender.role is SenderRole.patient)
    assert letter.rights == [] and letter.evidence == []


def test_a_new_kind_declares_its_consequences_parity_and_requests_that_cite_a_rule(user_folder):
    _user_kind(user_folder, "stakes", "title: Stakes\nsummary: s\nstates_consequences: true\n"
               "parity_rules: [mhpaea-parity-nqtl]\nrequests:\n"
               "  - text: \"Note: {{ cited('mhpaea-parity-nqtl') }}\"\n")
    case = example_case("ketamine-trd-erisa-appeal")  # an employer plan, which the parity law reaches
    letter = letter_plan.context_for(case, kinds.get("stakes"))["letter"]
    parity_rule = rules.by_id("mhpaea-parity-nqtl")
    assert letter.parity == [rules.cited(parity_rule)] and parity_rule.citation in letter.parity[0]
    assert letter.requests == [f"Note: {rules.cited(parity_rule)}"]
    assert letter.consequences and letter.consequences == letter_plan._consequences(case)
    assert letter_plan.context_for(case, kinds.get("claim-file-request"))["letter"].consequences == []

    _user_kind(user_folder, "stakes", "title: Stakes\nsummary: s\nparity_rules: [no-such-rule]\n")
    with pytest.raises(UserError, match="parity_rules names no rule of rules.yaml: no-such-rule"):
        letter_plan.context_for(case, kinds.get("stakes"))


@pytest.mark.parametrize(("description", "message"), [
    ("title: T\nargues_the_case: true\n", "unknown field(s) argues_the_case"),
    ("title: T\nrequests:\n  - when: 'urgent and'\n    text: x\n", "requests entry 1"),
    ("title: T\nenclosures:\n  - txt: x\n", "enclosures entry 1 must have 'text:'"),
    ("title: T\nstarts: appeal\n", "starts may be"),
    ("title: T\nasks: [bill]\n", "asks may be"),
    ("title: T\nparity_rules: {a: 1}\n", "parity_rules must be a rule id"),
    ("title: T\nsummary: [unclosed\n", "line 3, column 1"),
])
def test_a_mistake_in_a_kind_is_named_with_its_file(user_folder, description, message):
    _user_kind(user_folder, "broken", description)
    with pytest.raises(UserError, match="broken.yaml") as raised:
        kinds.all_kinds()
    assert message in str(raised.value)


def _name_comparisons(tree: ast.AST) -> list[int]:
    """Lines that compare with, or list, a built-in kind's name."""
    def is_name(node):
        return isinstance(node, ast.Constant) and node.value in BUILT_IN

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(is_name(item) for item in [node.left, *node.comparators]):
            found.append(node.lineno)
        elif isinstance(node, (ast.Set, ast.Tuple, ast.List)) and any(is_name(item) for item in node.elts):
            found.append(node.lineno)
    return found


def test_no_code_compares_a_kind_by_its_name():
    found = {path.name: lines for path in sorted(PACKAGE.rglob("*.py"))
             if (lines := _name_comparisons(ast.parse(path.read_text(encoding="utf-8"))))}
    assert found == {}
    assert sorted(set(_name_comparisons(ast.parse('if kind.name in ("appeal", "x"): pass\nok = kind == "prior-auth"')))) == [1, 2]
