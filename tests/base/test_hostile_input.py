"""A corpus of hostile case files and CSVs: each one ends in exit status 2 (1 for a batch) with a message naming
the file and the problem, never a traceback, in a process that may use at most 1 GiB of memory and 30 s of CPU.

Those are bounds the kernel enforces on the process (setrlimit), not timers: a run that needs more is killed and
the test fails. All the files are read in one such process (`cli_harness.appeal_all`, each run as a process of its
own would run it), made once for the module: a process start per file was nearly all of the time. Large files are
made sparse, so they cost no disk and little time to create.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from cli_harness import Call, appeal, appeal_all

GIB = 1 << 30


def bounded(*calls: Call) -> dict:
    return appeal_all(calls, memory=GIB, cpu_seconds=30)


def _sparse(path: Path, head: bytes, size: int, tail: bytes = b"") -> Path:
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(size)
        handle.seek(size)
        handle.write(tail)
    return path


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi")
)

# name -> (file name, content, words the message must hold)
CORPUS: dict[str, tuple[str, bytes, list[str]]] = {
    "february 30 unquoted": ("case.yaml", b"denial:\n  notice_date: 2026-02-30\n",
                             ["denial.notice_date (line 2)", "February has 28 days in 2026"]),
    "year zero": ("case.yaml", b"patient:\n  last_name: Doe\n  date_of_birth: 0000-00-00\n",
                  ["patient.date_of_birth (line 3)", "there is no year 0"]),
    "month 13": ("case.yaml", b"denial:\n  received_date: 2026-13-01\n",
                 ["denial.received_date (line 2)", "there is no month 13"]),
    "impossible time": ("case.yaml", b"denial:\n  notice_date: 2026-11-02 25:61:00\n",
                        ["denial.notice_date (line 2)", "25:61:00 is not a time of day", "write 2026-11-02"]),
    "cost 1e30": ("case.yaml", b"treatment:\n  cost_per_session: 1e30\n",
                  ["treatment.cost_per_session (line 2)", "more than $10,000,000.00"]),
    "cost 1.0e+30": ("case.yaml", b"treatment:\n  cost_per_session: 1.0e+30\n",
                     ["line 2", "treatment.cost_per_session", "larger than any field can mean"]),
    "cost .inf": ("case.yaml", b"treatment:\n  cost_per_session: .inf\n",
                  ["line 2", "treatment.cost_per_session", "not a number a case can hold"]),
    "5000-digit number": ("case.yaml", b"treatment:\n  sessions: " + b"7" * 5000 + b"\n",
                          ["line 2", "treatment.sessions", "5,000 characters long"]),
    "sessions out of range": ("case.yaml", b"treatment:\n  sessions: 100000\n",
                              ["treatment.sessions (line 2)", "400"]),
    "!!float with no value": ("case.yaml", b"treatment:\n  cost_per_session: !!float\n",
                              ["line 2", "!!float is not allowed"]),
    "python tag": ("case.yaml", b"patient:\n  last_name: !!python/object/apply:os.system [echo hi]\n",
                   ["line 2", "!!python/object/apply:os.system is not allowed"]),
    "5000-deep YAML": ("case.yaml", b"patient: " + b"[" * 5000 + b"]" * 5000 + b"\n",
                       ["line 1", "nested more than 32 levels deep"]),
    "5000-deep JSON": ("case.json", b'{"patient": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
                       ["line 1", "nested more than 32 levels deep"]),
    "alias bomb": ("case.yaml", BOMB.encode(), ["more than 20,000 values", "alias"]),
    "alias inside itself": ("case.yaml", b"enclosures: &a [*a]\n", ["line 1", "alias"]),
    "merge key": ("case.yaml", b"x: &x {last_name: Doe}\npatient:\n  <<: *x\n", ["line 3", "merge keys"]),
    "control bytes": ("case.yaml", b"patient:\n  last_name: Do\x07e\n", ["line 2, column 16", "U+0007"]),
    "escape sequence": ("case.yaml", b"patient:\n  first_name: \x1b[31mAna\n", ["line 2", "U+001B"]),
    "YAML escape \\e": ("case.yaml", b'patient:\n  first_name: "Maria\\e[31m"\n',
                       ["line 2", "patient.first_name: holds the control character U+001B (escape)"]),
    "YAML escape \\x9b in a list": ("case.yaml", b'enclosures: [records, "bill\\x9b2J"]\n',
                                   ["line 1", "enclosures.1: holds the control character U+009B"]),
    "JSON \\u0007": ("case.json", b'{"clinical": {"history": "ten years\\u0007"}}',
                      ["line 1", "clinical.history: holds the control character U+0007 (bell)"]),
    "sessions: yes": ("case.yaml", b"treatment:\n  sessions: yes\n",
                      ["treatment.sessions (line 2)", "a yes/no value", "not a number"]),
    "schema_version: true": ("case.yaml", b"schema_version: true\n", ["schema_version (line 1)", "not a number"]),
    "illness_years: on": ("case.yaml", b"clinical:\n  illness_years: on\n", ["clinical.illness_years", "not a number"]),
    "adequate_weeks: no": ("case.yaml", b"prior_treatments:\n  - adequate_weeks: no\n",
                           ["prior_treatments.0.adequate_weeks", "not a number"]),
    "a score of yes": ("case.yaml", b"clinical:\n  scores:\n    - {instrument: phq9, value: yes}\n",
                       ["clinical.scores.0.value", "not a number"]),
    "cost: off": ("case.yaml", b"treatment:\n  cost_per_session: off\n", ["treatment.cost_per_session", "not a number"]),
    "empty file": ("case.yaml", b"", ["the file is empty"]),
    "blank file": ("case.yaml", b"  \n\n", ["the file is empty"]),
    "comments only": ("case.yaml", b"# nothing yet\n", ["the file is empty", "comments"]),
    "UTF-16 with a mark": ("case.yaml", codecs.BOM_UTF16_LE + "denial:\n  notice_date: 2026-02-30\n".encode("utf-16-le"),
                           ["denial.notice_date (line 2)", "February has 28 days"]),
    "UTF-16 without a mark": ("case.yaml", "denial:\n  notice_date: 2026-02-29\n".encode("utf-16-be"),
                              ["denial.notice_date (line 2)", "February has 28 days"]),
    "Windows-1252": ("case.yaml", "patient:\n  last_name: Müller\n".encode("cp1252"),
                     ["line 2, column 15", "not UTF-8", "Windows-1252"]),
    "a PDF": ("case.yaml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ["not text", "PDF"]),
    "a Word document": ("case.yaml", b"PK\x03\x04\x14\x00\x06\x00", ["not text", "Word"]),
    "zero bytes": ("case.yaml", b"patient:\x00\x00\x00\x00\x01\x02\x00\x00\x00", ["not text", "binary"]),
    "duplicate keys": ("case.yaml", b"patient:\n  last_name: Alvarez\n  first_name: Maria\n  last_name: Alvare\n",
                       ["patient.last_name is written twice, at line 2 and line 4"]),
    "a list, not fields": ("case.yaml", b"- patient\n- denial\n", ["must hold fields like 'patient:'", "not a list"]),
    "tab indentation": ("case.yaml", b"patient:\n\tlast_name: Doe\n", ["line 2", "Indent with spaces"]),
    "unknown field": ("case.yaml", b"patient:\n  lastname: Doe\n", ["patient.lastname (line 2)", "not a field"]),
    "120,000-character note": ("case.yaml", b"clinical:\n  provider_notes: " + b"word " * 24000 + b"\n",
                               ["clinical.provider_notes (line 2)", "119,999 characters long", "never cuts one short"]),
}


HUGE = {"57-MB list of enclosures": 57 << 20, "50-MB note": 50 << 20, "1-GB file": GIB}


@pytest.fixture(scope="module")
def refused(tmp_path_factory) -> dict:
    """Every file of CORPUS and HUGE, each in a folder of its own, given to `appeal deadline --case`, and an
    evidence folder holding a 1-GB snippet to `appeal evidence list`, all in one bounded process: name -> (the
    file, what its run left)."""
    paths, calls = {}, []
    for name, (filename, content, _) in CORPUS.items():
        folder = tmp_path_factory.mktemp("hostile")
        paths[name] = folder / filename
        paths[name].write_bytes(content)
        calls.append(Call(name, ["deadline", "--case", str(paths[name])], folder))
    for name, size in HUGE.items():
        folder = tmp_path_factory.mktemp("huge")
        paths[name] = _sparse(folder / "case.yaml", b"enclosures:\n  - ", size)
        calls.append(Call(name, ["deadline", "--case", str(paths[name])], folder))
    folder = tmp_path_factory.mktemp("evidence")
    (folder / "evidence").mkdir()
    paths["evidence"] = _sparse(folder / "evidence" / "huge.md", b"---\nid: huge\n", GIB)
    calls.append(Call("evidence", ["evidence", "list", "--evidence", str(folder / "evidence")], folder))
    ran = bounded(*calls)
    return {name: (path, ran[name]) for name, path in paths.items()}


@pytest.mark.parametrize("name", CORPUS)
def test_a_hostile_case_file_gets_a_clear_message(refused, name):
    words = CORPUS[name][2]
    path, result = refused[name]
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr[:2000])
    assert len(result.stderr) < 3000  # a message, not a dump of the file
    assert "\x1b" not in result.stderr and "\x9b" not in result.stderr  # never printed, even when quoted


@pytest.mark.parametrize("name", HUGE)
def test_a_huge_case_file_is_refused_before_it_is_read(refused, name):
    path, result = refused[name]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path} is larger than 1,000,000 bytes" in result.stderr


def test_a_utf16_case_file_is_read(tmp_path):
    path = tmp_path / "case.yaml"
    text = "letter_kind: appeal\ninsurance: {plan_type: employer_self_funded}\ndenial: {notice_date: 2026-01-05}\n"
    path.write_bytes(text.encode("utf-16"))
    result = appeal("deadline", "--case", str(path), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"filing"' in result.stdout


CSV_HEADER = b"patient.last_name,patient.first_name,letter_kind,sender.role\n"


def test_hostile_csvs_report_their_rows_and_the_good_rows_are_drafted(tmp_path):
    """One batch (one process under the same bounds, so all four together) of: a CSV with a 300-MB line between
    good rows, a 1-GB sparse file, a header of 100,000 unknown columns, and a 500,000-character cell."""
    good = b"Lopez,Ana,prior-auth,patient\n" * 2
    long_line = _sparse(tmp_path / "long-line.csv", CSV_HEADER + good + b"x" * 70_000, 300 << 20,
                        b"\nRuiz,Jo,prior-auth,patient\n")
    sparse = _sparse(tmp_path / "sparse.csv", b"", GIB)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{number}" for number in range(100_000)) + "\nx\n", encoding="utf-8")
    big_cell = tmp_path / "big-cell.csv"
    big_cell.write_bytes(CSV_HEADER + b'"' + b"y" * 500_000 + b'",Ana,prior-auth,patient\n'
                         + b"Kim,Lee,prior-auth,patient\n")
    result = bounded(Call("batch", ["batch", *(str(p) for p in (long_line, sparse, wide, big_cell)), "-o", "out",
                                     "--jobs", "1"], tmp_path))["batch"]
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "Traceback" not in output
    assert f"{long_line} row 4 is 314,572," in output and "more than a row can hold" in output
    assert f"{sparse}: the file is not text" in output
    assert f"{wide}: its first row names 100,000 columns, more than a case has" in output
    assert f"{big_cell} row 2 cannot be read: a cell longer than 400,000 characters" in output
    written = sorted(p.name.split("-prior")[0] for p in (tmp_path / "out").glob("*.docx"))
    assert written == ["kim-lee", "lopez-ana", "lopez-ana", "ruiz-jo"]


def test_a_utf16_csv_from_excel_is_read(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(("patient.last_name\tletter_kind\n".replace("\t", ",")
                      + "Lopez,claim-file-request\n").encode("utf-16"))
    from appeal.cases import csv_cases

    rows = list(csv_cases.read_rows(path))
    assert [row.cells for row in rows] == [{"patient.last_name": "Lopez", "letter_kind": "claim-file-request"}]


def test_a_snippet_header_and_a_template_description_are_read_by_the_same_rules(tmp_path):
    from appeal.rules import evidence
    from appeal.letters import kinds
    from appeal.base.errors import UserError

    snippet = tmp_path / "dup.md"
    snippet.write_text("---\nid: dup\ntitle: A\ntitle: B\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        evidence.read_snippet(snippet)
    assert f"Evidence snippet {snippet}, line 4" in str(raised.value) and "at line 3 and line 4" in str(raised.value)

    description = tmp_path / "mine.yaml"
    description.write_bytes(b"title: !!python/name:os.system x\n")
    with pytest.raises(UserError) as raised:
        kinds._read_meta(description)
    assert f"The template description {description}, line 1" in str(raised.value) and "not allowed" in str(raised.value)


def test_a_letter_that_cannot_hold_a_value_in_full_is_refused_not_cut_short():
    """The case model caps a field at 100,000 characters; past the model (a value built in code), docxtpl's
    recovering parser would drop the rest of the letter after a 10-M character text. It is refused instead."""
    from conftest import example_case

    from appeal.letters import draft, kinds
    from appeal.base.errors import UserError

    case = example_case("ketamine-trd-erisa-appeal")
    huge = case.model_copy(update={"denial": case.denial.model_copy(update={"quote": "x" * 11_000_000})})
    with pytest.raises(UserError) as raised:
        draft.draft(huge, kinds.get("appeal"))
    assert "never cut short" in str(raised.value)


def test_a_huge_file_in_an_evidence_folder_is_refused_before_it_is_read(refused):
    huge, result = refused["evidence"]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{huge} is larger than 200,000 bytes" in result.stderr
