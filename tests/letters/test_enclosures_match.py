"""What a letter calls enclosed is under its Enclosures, and what is under its Enclosures is mentioned or is a
document a reviewer expects (rubric item 19): every bundled example drafted as every kind, read back from the .docx;
and a case without records gets sentences that do not claim records."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from docx import Document

from appeal.cases import casefile
from appeal.cli import main
from appeal.letters.enclosure_check import document_types, mentions, types_of
from conftest import EXAMPLES, applicable_kinds, example_case, examples_folder

TODAY = "2026-12-01"


def _draft(case_path: Path, kind: str, out: Path) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        status = main(["draft", "--case", str(case_path), "--letter", kind, "-o", str(out), "--today", TODAY,
                       "--force"])
    return status, printed.getvalue()


def _body_and_enclosures(path: Path) -> tuple[str, list[str]]:
    """The letter's text above 'Enclosures:', and the lines of the list under it (not the appendix after it)."""
    paragraphs = Document(str(path)).paragraphs
    texts = [paragraph.text for paragraph in paragraphs]
    if "Enclosures:" not in texts:
        return "\n".join(texts), []
    start = texts.index("Enclosures:")
    listed = []
    for paragraph in paragraphs[start + 1:]:
        if paragraph.style.name != "List Enclosure":
            break
        listed.append(paragraph.text)
    return "\n".join(texts[:start]), listed


STANDARD = {kind.name for kind in document_types() if kind.standard}


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_enclosed_thing_is_listed_and_every_listed_thing_is_mentioned(example, tmp_path):
    case_path = examples_folder() / f"{example}.yaml"
    for kind in applicable_kinds(example_case(example)):
        out = tmp_path / f"{kind}.docx"
        status, printed = _draft(case_path, kind, out)
        assert status == 0, printed
        body, listed = _body_and_enclosures(out)
        for mention in mentions(body):
            wanted = types_of(mention)
            assert wanted, f"{example} as {kind}: 'enclosed {mention}' names no document type of documents.yaml"
            assert any(wanted & types_of(line) for line in listed), \
                f"{example} as {kind}: the letter says '{mention}' is enclosed, but the Enclosures are {listed}"
        for line in listed:
            assert types_of(line) & STANDARD or line.split()[0].lower() in body.lower(), \
                f"{example} as {kind}: '{line}' is listed but neither standard nor mentioned"
        assert "Enclosures list" not in printed and "but its Enclosures" not in printed, printed


def _without_records(tmp_path: Path, example: str = "ketamine-trd-erisa-appeal") -> Path:
    case = example_case(example)
    case.enclosures = [item for item in case.enclosures if "records" not in item.lower()]
    return casefile.save(case, tmp_path / "case.yaml", overwrite=True)


def test_records_not_listed_no_sentence_calls_them_enclosed(tmp_path):
    status, printed = _draft(_without_records(tmp_path), "appeal", tmp_path / "without.docx")
    body, listed = _body_and_enclosures(tmp_path / "without.docx")
    assert status == 0 and not any("records" in line.lower() for line in listed)
    assert "enclosed records" not in body
    assert "My condition has already had these effects; they are what is at stake" in body
    assert "Warning: The letter says" not in printed
    _draft(_without_records(tmp_path, "ketamine-oon-reimbursement-superbill"), "prior-auth", tmp_path / "prior-auth.docx")
    body, _ = _body_and_enclosures(tmp_path / "prior-auth.docx")
    assert "for the clinical reasons summarized in this letter. If the plan" in body

    status, _ = _draft(examples_folder() / "ketamine-trd-erisa-appeal.yaml", "appeal", tmp_path / "with.docx")
    body, listed = _body_and_enclosures(tmp_path / "with.docx")
    assert any("records" in line.lower() for line in listed)
    assert "already had these effects, documented in the enclosed records;" in body
    _draft(examples_folder() / "ketamine-oon-reimbursement-superbill.yaml", "prior-auth", tmp_path / "prior-auth.docx")
    body, _ = _body_and_enclosures(tmp_path / "prior-auth.docx")
    assert "summarized in this letter and documented in the enclosed records. If the plan" in body


def test_reimbursement_calls_the_claim_enclosed_only_when_it_is(tmp_path):
    case = example_case("ketamine-oon-reimbursement-superbill")
    path = casefile.save(case, tmp_path / "case.yaml", overwrite=True)
    _draft(path, "reimbursement", tmp_path / "with.docx")
    body, _ = _body_and_enclosures(tmp_path / "with.docx")
    assert "Process the enclosed claim for" in body and "on the enclosed superbill" in body
    case.enclosures = [item for item in case.enclosures if not re.search(r"(?i)superbill|claim", item)]
    path = casefile.save(case, tmp_path / "case.yaml", overwrite=True)
    _draft(path, "reimbursement", tmp_path / "without.docx")
    body, _ = _body_and_enclosures(tmp_path / "without.docx")
    assert "Process this claim for" in body and "enclosed superbill" not in body
    assert "The services are itemized below; the clinical facts" in body


def test_typed_text_that_claims_an_enclosure_and_a_stray_enclosure_are_warned_about(tmp_path):
    case = example_case("ketamine-trd-erisa-appeal")
    case.clinical.history = (case.clinical.history or "") + " See the enclosed MRI report from March."
    case.enclosures = [*case.enclosures, "Photographs of my garden"]
    path = casefile.save(case, tmp_path / "case.yaml", overwrite=True)
    status, printed = _draft(path, "appeal", tmp_path / "letter.docx")
    assert status == 0
    assert "Warning: The letter says 'enclosed MRI report from' but its Enclosures list nothing of the kind" in printed
    assert "Warning: The Enclosures list 'Photographs of my garden', which the letter never mentions" in printed
    # once listed, the report is no longer warned about
    case.enclosures.append("MRI report, March 2026")
    path = casefile.save(case, tmp_path / "case.yaml", overwrite=True)
    _, printed = _draft(path, "appeal", tmp_path / "letter.docx")
    assert "enclosed MRI" not in printed


def test_a_document_listed_in_other_words_is_not_suggested_again_but_records_and_forms_still_are():
    """In tmux a patient listed 'letter from dr oyelaran' and was told it was worth getting a letter of medical
    necessity too: a document a letter sends one of counts in any words; records come in many, so they do not."""
    from appeal.letters import kinds, letter_plan

    case = example_case("ketamine-crps-marketplace-external-review").model_copy(deep=True)
    case.enclosures = ["copy of the final denial letter", "letter from dr oyelaran"]
    suggested = letter_plan.suggested_enclosures_for(case, kinds.get("external-review"))
    assert not any("medical necessity" in item.lower() or "denial" in item.lower() for item in suggested), suggested
    assert any("records" in item.lower() for item in suggested), suggested
