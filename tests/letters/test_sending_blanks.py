"""A letter asks only for what its way of sending needs: faxed (the case holds the plan's fax and no address), it has
no blank for a mailing address; mailed (an address and no fax), it has no blank for a fax number; with neither, the
address is the blank to fill."""

from __future__ import annotations

import contextlib
import io

import pytest

from appeal.cases import casefile
from appeal.cli import main
from conftest import docx_text, example_case


def _drafted(tmp_path, fax, address, kind="appeal") -> tuple[str, str]:
    case = example_case("ketamine-trd-erisa-appeal")
    case.insurance.appeals_fax, case.insurance.appeals_address = fax, address
    path = casefile.save(case, tmp_path / "case.yaml", overwrite=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        assert main(["draft", "--case", str(path), "--letter", kind, "-o", str(tmp_path / "x.docx"), "--force",
                     "--today", "2026-12-01"]) == 0
    return docx_text(tmp_path / "x.docx"), printed.getvalue()


@pytest.mark.parametrize("kind", ["appeal", "claim-file-request", "prior-auth"])
def test_a_faxed_letter_has_no_mailing_address_blank(tmp_path, kind):
    text, printed = _drafted(tmp_path, "(937) 555-0199", None, kind)
    assert "By fax: (937) 555-0199" in text
    assert "[ADD: appeals address]" not in text and "appeals address" not in printed
    assert "Fax it to (937) 555-0199" in printed


def test_a_mailed_letter_has_no_fax_blank(tmp_path):
    text, printed = _drafted(tmp_path, None, "Attn: Appeals Unit\nP.O. Box 30512\nDayton, OH 45401")
    assert "P.O. Box 30512" in text and "By fax" not in text
    assert not [line for line in text.splitlines() if "[ADD:" in line and "fax" in line.lower()]
    assert "Mail it to Attn: Appeals Unit" in printed


def test_with_neither_the_address_is_the_blank(tmp_path):
    text, printed = _drafted(tmp_path, None, None)
    assert "[ADD: appeals address]" in text and "By fax" not in text
    assert "appeals address" in printed


def test_an_address_that_names_the_plan_is_not_headed_by_its_name_again(tmp_path):
    """An imported notice's address often starts with the plan's name ('Meridian Health Administrators, Appeals
    Unit'); the block printed the name twice, one line above the other."""
    text, _ = _drafted(tmp_path, None, "Meridian Health Administrators, Appeals Unit\nP.O. Box 30512\nDayton, OH 45401")
    block = text[:text.index("P.O. Box 30512")]
    assert block.count("Meridian Health Administrators") == 1
    assert "Meridian Health Administrators, Appeals Unit" in block
