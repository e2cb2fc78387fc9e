"""Every bundled example drafted as every letter kind gives the text recorded in tests/letters/same_text/.

A restructuring of the code (the house in rooms) must not change a single word a person or an insurer reads. Each
example is drafted as every kind through the real command (`appeal draft --case ... --letter ... --today ...`), and
the letter's text, with what the command printed (blanks, next steps, warnings) or the refusal it gave, is
compared with the recorded file. When a letter is meant to change, record it again and read the diff:

    python tests/letters/test_same_text.py --record
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import EXAMPLES, docx_text  # noqa: E402

RECORDED = Path(__file__).parent / "same_text"
TODAY = "2026-12-01"
KINDS = ["appeal", "claim-file-request", "employer-letter", "external-review", "medical-necessity", "parity-request",
         "prior-auth", "reauthorization", "regulator-complaint", "reimbursement", "representative-authorization"]


def drafted_text(example: str, kind: str, folder: Path) -> str:
    """What a person sees of this example drafted as this kind: the command's output and the letter's text."""
    from appeal.cli import main

    examples = Path(__file__).resolve().parents[2] / "appeal" / "examples"
    case, out = examples / f"{example}.yaml", folder / f"{example}-{kind}.docx"
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        status = main(["draft", "--case", str(case), "--letter", kind, "-o", str(out), "--today", TODAY])
    def seen(text: str) -> str:  # where the checkout and the scratch folder are is no part of the text
        return text.replace(str(folder), "OUT").replace(str(examples), "EXAMPLES")

    parts = [f"exit {status}", "--- printed", seen(printed.getvalue()), "--- errors", seen(errors.getvalue())]
    if out.exists():
        parts += ["--- letter", docx_text(out)]
    return "\n".join(parts).rstrip() + "\n"


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_kind_reads_as_recorded(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert KINDS == sorted(KINDS)
    from appeal.letters import kinds

    assert sorted(kinds.all_kinds()) == KINDS, "a kind was added or removed: add it to KINDS and record again"
    for kind in KINDS:
        expected = (RECORDED / example / f"{kind}.txt").read_text(encoding="utf-8")
        assert drafted_text(example, kind, tmp_path) == expected, f"{example} as {kind} reads differently"


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        for example in EXAMPLES:
            (RECORDED / example).mkdir(parents=True, exist_ok=True)
            for kind in KINDS:
                text = drafted_text(example, kind, Path(scratch))
                (RECORDED / example / f"{kind}.txt").write_text(text, encoding="utf-8")
                print(example, kind, text.splitlines()[0])
