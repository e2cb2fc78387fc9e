"""The questions as data (appeal/data/questions.yaml): validated at load, every one reachable, readable alone."""

from __future__ import annotations

import copy
import functools
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from appeal.letters import kinds
from appeal.intake import questions
from appeal.cases.case import Case, PlanType
from appeal.base.errors import UserError


def contexts():
    """Every sender, letter kind (or none yet) and situation, on a few plans and treatments."""
    cases = [
        {"insurance": {"plan_type": "employer_self_funded"}, "treatment": {"urgency": "expedited"}},
        {"insurance": {"plan_type": "individual_marketplace"}, "treatment": {"kind": "iv_ketamine"}},
        {"insurance": {"plan_type": PlanType.medicare_original.value}, "treatment": {"kind": "other"}},
    ]
    for role, kind, situation, data in itertools.product(
        [None, "patient", "representative", "provider"], [None, *kinds.all_kinds()], [None, *questions.SITUATIONS], cases
    ):
        case = Case.model_validate({**data, "sender": {"role": role} if role else {}, "letter_kind": kind})
        yield questions.Context(case, {"situation": situation} if situation else {})


def unreachable(entries) -> list[str]:
    waiting = {entry.key: entry for entry in entries}
    for entry in entries:
        waiting.update({item.key: item for item in getattr(entry, "items", ())})
    for ctx in contexts():
        for key, entry in list(waiting.items()):
            if entry.when(ctx):
                del waiting[key]
        if not waiting:
            break
    return sorted(waiting)


@functools.cache
def _parsed() -> dict:
    return yaml.load(questions.QUESTIONS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def questions_data() -> dict:
    """questions.yaml as data for a test to change: parsed once per test process (libyaml), each test its own copy."""
    return copy.deepcopy(_parsed())


def write(data: dict, path: Path) -> Path:
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper), encoding="utf-8")
    return path


def test_every_question_can_be_reached():
    assert unreachable(questions.QUESTIONS) == []


def test_an_unreachable_question_is_found(tmp_path):
    data = questions_data()
    data["sections"][1]["questions"][0]["when"] = "provider and patient_writes"
    path = write(data, tmp_path / "questions.yaml")
    assert unreachable(questions._load(path).entries) == [data["sections"][1]["questions"][0]["path"]]


@pytest.mark.parametrize(("change", "message"), [
    ({"path": "sender.nmae"}, "'sender.nmae' is not a case field"),
    ({"when": "provider and clinical_leter"}, "uses 'clinical_leter', which is not a condition name"),
    ({"when": "case.insurance.plan_typ == 'va'"}, "'case.insurance.plan_typ' is not a case field"),
    ({"when": "kind.argues"}, "a letter kind has no 'argues'"),
    ({"when": "'bill' in kind.asks"}, "'bill' is not one of start_date"),
    ({"when": "role == 'doctor'"}, "'doctor' is not one of patient, representative, provider"),
    ({"when": "provider and"}, "is not a valid expression"),
    ({"choices": "everything"}, "choices 'everything' is not one of roles"),
    ({"kind": "slider"}, "kind 'slider' is not one of text"),
    ({"colour": "red"}, "unknown key(s) colour"),
    ({"resets": ["sender.fax2"]}, "resets 'sender.fax2', which no question asks"),
])
def test_a_mistake_in_the_file_is_named_at_start(tmp_path, change, message):
    data = questions_data()
    data["sections"][1]["questions"][0].update(change)  # "Your full name"
    path = write(data, tmp_path / "questions.yaml")
    with pytest.raises(UserError) as raised:
        questions.check_declarations(path)
    assert str(path) in str(raised.value) and message in str(raised.value), str(raised.value)


def test_a_mistake_is_named_as_well_when_what_the_expression_uses_comes_from_the_cache(tmp_path, monkeypatch):
    """What each `when:` uses is kept in the compile cache (questions._expression_facts): read back, it is checked
    as when it was parsed."""
    from appeal.letters.sandbox import SafeEnvironment

    parsed: list[str] = []
    real_parse = SafeEnvironment._parse

    def counting(self, source, *args, **kwargs):
        parsed.append(source)
        return real_parse(self, source, *args, **kwargs)

    monkeypatch.setattr(SafeEnvironment, "_parse", counting)
    data = questions_data()
    data["sections"][1]["questions"][0]["when"] = "provider and case.insurance.plan_typ == 'va'"
    path = write(data, tmp_path / "questions.yaml")
    said = []
    for _ in range(2):
        with pytest.raises(UserError) as raised:
            questions.check_declarations(path)
        said.append(str(raised.value))
    assert said[0] == said[1] and "'case.insurance.plan_typ' is not a case field" in said[1]
    assert sum("plan_typ" in source for source in parsed) == 1  # parsed the first time only


def test_the_questions_are_read_without_the_terminal_engine():
    """A front end reads the questions (and the package's own loader) without importing questionary."""
    program = ("import sys; from appeal.intake import questions; assert len(questions.QUESTIONS) > 50; "
               "assert 'questionary' not in sys.modules and 'appeal.terminal.questionnaire' not in sys.modules; print('ok')")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=Path(questions.__file__).resolve().parents[2])
    assert done.stdout.strip() == "ok", done.stderr


def test_conditions_follow_the_letter_kinds_declarations():
    ask = {entry.key: entry for entry in questions.QUESTIONS}

    def provider_writing(kind: str) -> questions.Context:
        return questions.Context(Case.model_validate({"sender": {"role": "provider"}, "letter_kind": kind}))

    assert ask["treatment.services"].when(provider_writing("reimbursement"))
    # a reimbursement claim argues the clinical case (issue 14), so it asks for the history; a claim-file request
    # does not
    assert ask["clinical.history"].when(provider_writing("reimbursement"))
    assert not ask["clinical.history"].when(provider_writing("claim-file-request"))
    assert ask["clinical.history"].when(provider_writing("medical-necessity"))
    assert not ask["insurance.appeals_address"].when(provider_writing("medical-necessity"))
