"""`appeal batch`: many cases in one run, each reported on its own; CSV rows as cases; names that never collide."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from cli_harness import appeal
from conftest import docx_text, example_case
from docx import Document

from appeal.commands import batch
from appeal.cases import casefile, csv_cases
from appeal.letters import draft, kinds
from appeal.cli import main
from appeal.base.errors import UserError
from appeal.base.resources import examples_folder

TODAY = date.today().isoformat()
ERISA = examples_folder() / "ketamine-trd-erisa-appeal.yaml"
PRIOR_AUTH = examples_folder() / "esketamine-prior-auth-psychiatrist.yaml"


def run(*args: str, cwd: Path, env: dict | None = None):
    """`appeal batch ARGS` as a person runs it, in this process (tests/cli_harness.py); with --jobs 2 its workers
    are still processes of their own."""
    return appeal("batch", *args, cwd=cwd, env=env)


def letters(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.docx"))


def three_treatment_case():
    case = example_case("ketamine-trd-erisa-appeal")
    return case.model_copy(update={"prior_treatments": case.prior_treatments[:3]})


@pytest.fixture
def cases(tmp_path) -> Path:
    """A folder with two bundled examples of different kinds (an appeal and a prior authorization: how many is
    not what the batch tests are about, and every example is drafted by tests/letters) and one case with an
    impossible date."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in (ERISA, PRIOR_AUTH):
        shutil.copy(path, folder / path.name)
    (folder / "bad-date.yaml").write_text("letter_kind: prior-auth\npatient:\n  date_of_birth: 13/45/1990\n")
    (folder / "notes.txt").write_text("not a case: only .yaml, .yml, .json and .csv files are read")
    return folder


def test_a_folder_with_bad_cases_writes_the_good_ones_and_reports_the_bad(tmp_path, cases):
    result = run(str(cases), "missing.yaml", "-o", "out", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    out = tmp_path / "out"
    expected = {}
    for path in (ERISA, PRIOR_AUTH):
        case = casefile.load(path)
        expected[draft.default_name(case, draft.choose_kind(case, None)).name] = case.patient.full_name
    assert letters(out) == sorted(expected)
    for name, patient in expected.items():
        assert patient in docx_text(out / name)
        assert (out / name).stat().st_mode & 0o777 == 0o600
    # each bad case is reported with the reason `appeal draft` gives for it, and the summary counts them
    assert "patient.date_of_birth (line 3): '13/45/1990' is not a date" in result.stdout
    assert "No case file at missing.yaml" in result.stdout
    assert f"{len(expected)} written" in result.stdout and "2 failed" in result.stdout
    failed = result.stdout.split("Failed (2)")[1]
    assert "bad-date.yaml" in failed and "missing.yaml" in failed


def test_output_that_is_not_a_terminal_is_plain_lines(tmp_path, cases):
    result = run(str(cases / "ketamine-trd-erisa-appeal.yaml"), str(cases / "bad-date.yaml"), "-o", "out",
                 "--jobs", "1", cwd=tmp_path)
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"\[1/2\] written: .*ketamine-trd-erisa-appeal\.yaml: out/alvarez-maria-appeal-.*\.docx", lines[0])
    assert re.fullmatch(r"\[2/2\] failed: .*bad-date\.yaml: .*is not a date.*", lines[1])


def test_the_bar_on_a_terminal_is_redrawn_in_place():
    stream = io.StringIO()
    progress = batch.Progress(2, stream, bar=True)
    progress.add(batch.Outcome("a.yaml", batch.WRITTEN, "out/a.docx"))
    progress.add(batch.Outcome("b.yaml", batch.FAILED, "b.yaml has 1 problem:\n  patient.phone: bad"))
    progress.close()
    text = stream.getvalue()
    assert "\r[" in text and "2/2" in text
    assert "failed: b.yaml: b.yaml has 1 problem: patient.phone: bad" in text


def test_a_case_without_a_letter_kind_fails_clearly_unless_letter_is_given(in_tmp, capsys):
    (in_tmp / "case.yaml").write_text("patient:\n  first_name: Ann\n  last_name: Lee\n")
    assert main(["batch", "case.yaml", "-o", "out", "--jobs", "1"]) == 1
    assert "Which letter? Give --letter KIND, or set letter_kind" in capsys.readouterr().out
    assert main(["batch", "case.yaml", "-o", "out", "--jobs", "1", "--letter", "prior-auth"]) == 0
    assert letters(in_tmp / "out") == [f"lee-ann-prior-auth-{TODAY}.docx"]


def test_names_never_collide_within_a_run(in_tmp, capsys):
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        shutil.copy(ERISA, in_tmp / name)
    assert main(["batch", "a.yaml", "b.yaml", "c.yaml", "-o", "out", "--jobs", "1"]) == 0
    base = f"alvarez-maria-appeal-{TODAY}"
    assert letters(in_tmp / "out") == [f"{base}-2.docx", f"{base}-3.docx", f"{base}.docx"]
    out = capsys.readouterr().out
    assert f"a.yaml: out/{base}.docx" in out and f"b.yaml: out/{base}-2.docx" in out


def test_an_existing_letter_is_replaced_only_with_force(in_tmp, capsys):
    (in_tmp / "out").mkdir()
    existing = in_tmp / "out" / f"alvarez-maria-appeal-{TODAY}.docx"
    existing.write_bytes(b"the user's own file")
    assert main(["batch", str(ERISA), str(PRIOR_AUTH), "-o", "out", "--jobs", "1"]) == 1
    assert existing.read_bytes() == b"the user's own file"
    out = capsys.readouterr().out
    assert "already exists" in out and "--force" in out
    assert f"lindqvist-rebecca-prior-auth-{TODAY}.docx" in letters(in_tmp / "out")  # the other case went on

    assert main(["batch", str(ERISA), "-o", "out", "--jobs", "1", "--force"]) == 0
    assert "Maria Alvarez" in docx_text(existing)
    assert not [path for path in (in_tmp / "out").iterdir() if path.name.startswith(".")]  # no temporary files


def test_strict_fails_letters_with_blanks(in_tmp, capsys):
    (in_tmp / "thin.yaml").write_text("letter_kind: prior-auth\npatient:\n  first_name: Ann\n  last_name: Lee\n")
    assert main(["batch", "thin.yaml", str(ERISA), "-o", "out", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 written, 1 written with blanks, 0 failed" in out and "member ID" in out
    assert main(["batch", "thin.yaml", "-o", "strict", "--jobs", "1", "--strict"]) == 1
    assert "--strict: the letter still has" in capsys.readouterr().out
    assert letters(in_tmp / "strict") == []


def test_a_csv_row_round_trips_and_drafts_the_letter_with_every_treatment(in_tmp, capsys):
    case = three_treatment_case()
    row = csv_cases.case_to_row(case)
    assert row["prior_treatments.2.name"] == "bupropion XL" and "prior_treatments.3.name" not in row
    csv_cases.write_cases(in_tmp / "cases.csv", [case], overwrite=False)
    rows = list(csv_cases.read_rows(in_tmp / "cases.csv"))
    assert [item.number for item in rows] == [2]
    assert csv_cases.row_to_case(rows[0].cells, rows[0].source) == case

    assert main(["batch", "cases.csv", "-o", "out", "--jobs", "1"]) == 0
    assert "cases.csv row 2: out/alvarez-maria-appeal-" in capsys.readouterr().out
    document = Document(str(in_tmp / "out" / f"alvarez-maria-appeal-{TODAY}.docx"))
    table_text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for treatment in case.prior_treatments:
        assert treatment.name in table_text
    assert "aripiprazole" not in table_text


def test_a_bad_csv_cell_names_the_row_and_the_column_and_the_other_rows_go_on(in_tmp, capsys):
    with open(in_tmp / "cases.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["letter_kind", "patient.first_name", "patient.last_name", "prior_treatments.0.name",
                         "prior_treatments.2.name", "prior_treatments.2.start_date"])
        writer.writerow(["prior-auth", "Ann", "Lee", "sertraline", "", ""])
        writer.writerow(["", "", "", "", "", ""])  # an empty row is skipped, but keeps its number
        writer.writerow(["prior-auth", "Bo", "Kim", "", "bupropion", "13/45/2020"])
    assert main(["batch", "cases.csv", "-o", "out", "--jobs", "1"]) == 1
    out = capsys.readouterr().out
    assert "cases.csv row 4 has 1 problem:" in out
    assert "prior_treatments.2.start_date: '13/45/2020' is not a date" in out  # the column as typed
    assert letters(in_tmp / "out") == [f"lee-ann-prior-auth-{TODAY}.docx"]


def test_a_csv_with_an_unknown_column_fails_as_one_input(in_tmp, capsys):
    (in_tmp / "cases.csv").write_text("letter_kind,patient.lastname\nprior-auth,Lee\n")
    shutil.copy(ERISA, in_tmp / "good.yaml")
    assert main(["batch", "cases.csv", "good.yaml", "-o", "out", "--jobs", "1"]) == 1
    out = capsys.readouterr().out
    assert "patient.lastname: is not a field of a case (a typo?); did you mean patient.last_name?" in out
    assert len(letters(in_tmp / "out")) == 1


def test_the_csv_template_has_every_column_and_no_rows(in_tmp, capsys):
    assert main(["batch", "--csv-template", "cases.csv"]) == 0
    path = in_tmp / "cases.csv"
    assert path.stat().st_mode & 0o777 == 0o600
    rows = list(csv.reader(path.open(newline="")))
    assert len(rows) == 1
    header = rows[0]
    assert header == csv_cases.columns()
    for column in ("letter_kind", "patient.last_name", "prior_treatments.5.name", "diagnoses.3.code",
                   "clinical.scores.5.value", "treatment.codes.3.code", "treatment.services.11.charge",
                   "treatment.dates_of_service.11", "enclosures.5", "denial.quote"):
        assert column in header
    assert "prior_treatments.6.name" not in header and "diagnoses.4.code" not in header
    with pytest.raises(SystemExit) as stopped:
        main(["batch", "--csv-template", "cases.csv", "case.yaml"])
    assert stopped.value.code == 2
    assert main(["batch", "--csv-template", "cases.csv"]) == 2  # never replaced without --force
    assert main(["batch", "--csv-template", "cases.csv", "--force"]) == 0


def test_every_bundled_example_round_trips_through_a_csv_row():
    for path in examples_folder().glob("*.yaml"):
        case = casefile.load(path)
        assert csv_cases.row_to_case(csv_cases.case_to_row(case), "x") == case, path.name


@pytest.mark.parametrize(
    "args",
    [["cases"], [], ["cases", "-o", "out", "--jobs", "0"], ["cases", "-o", "out", "--jobs", "two"]],
    ids=["no output folder", "no input", "zero jobs", "jobs not a number"],
)
def test_argument_errors_exit_2(in_tmp, args, capsys):
    (in_tmp / "cases").mkdir()
    with pytest.raises(SystemExit) as stopped:
        main(["batch", *args])
    assert stopped.value.code == 2


def test_no_cases_found_is_an_error(in_tmp, capsys):
    (in_tmp / "empty").mkdir()
    assert main(["batch", "empty", "-o", "out"]) == 2
    assert "Found no cases in empty" in capsys.readouterr().err


def test_two_jobs_write_the_same_letters_as_one(tmp_path, cases):
    shutil.copy(ERISA, cases / "same-patient-again.yaml")
    one = run(str(cases), "-o", "one", "--jobs", "1", cwd=tmp_path)
    two = run(str(cases), "-o", "two", "--jobs", "2", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert letters(tmp_path / "one") == letters(tmp_path / "two")
    assert len(letters(tmp_path / "one")) == 3  # each example, and one again
    for name in letters(tmp_path / "one"):
        assert docx_text(tmp_path / "one" / name) == docx_text(tmp_path / "two" / name), name
    def same_folder(text: str, folder: str) -> str:
        return text.replace(f" {folder}/", " OUT/").replace(f"are in {folder}.", "are in OUT.")

    assert same_folder(one.stdout, "one") == same_folder(two.stdout, "two")


_DRAFT_TASK = batch.draft_task


def _crash_on_crash_yaml(task):
    """A stand-in for batch.draft_task whose worker dies on one case (module level, so a worker can load it)."""
    if task.path and task.path.endswith("crash.yaml"):
        import os

        os._exit(1)
    return _DRAFT_TASK(task)


def test_a_worker_that_dies_costs_only_its_own_case(tmp_path, monkeypatch):
    """A crash in a worker process (say, out of memory) fails that case alone; the run goes on."""
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the stand-in reaches the workers only when they are forked from this process")
    (tmp_path / "crash.yaml").write_text("letter_kind: prior-auth\npatient:\n  first_name: Ann\n")
    shutil.copy(ERISA, tmp_path / "good.yaml")
    monkeypatch.setattr(batch, "draft_task", _crash_on_crash_yaml)
    settings = batch.Settings(None, None, date.today())
    inputs = [str(tmp_path / "crash.yaml"), str(tmp_path / "good.yaml")]
    outcomes = list(batch.run(inputs, tmp_path, settings, jobs=2, strict=False, force=False))
    assert [item.status for item in outcomes] == [batch.FAILED, batch.WRITTEN]
    assert "stopped unexpectedly" in outcomes[0].detail


def test_a_bad_evidence_folder_is_one_error_before_any_case(in_tmp, capsys):
    assert main(["batch", str(ERISA), "-o", "out", "--evidence", "nowhere"]) == 2
    assert "There is no evidence folder at nowhere" in capsys.readouterr().err
    assert not (in_tmp / "out").exists()


def test_kinds_of_every_example_are_known():
    """The batch relies on each bundled example naming its letter kind."""
    for path in examples_folder().glob("*.yaml"):
        assert casefile.load(path).letter_kind in kinds.all_kinds()


def test_row_to_case_reports_like_a_case_file():
    with pytest.raises(UserError, match=r"cases.csv row 7 has 1 problem:\n  patient.phone: '12' is not a 10-digit"):
        csv_cases.row_to_case({"patient.phone": "12", "patient.first_name": "  "}, "cases.csv row 7")


def test_batch_uses_an_advocates_template_folder(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    mine = Document(str(kinds.get("appeal").template))
    mine.paragraphs[0].insert_paragraph_before("COMMUNITY HEALTH ADVOCATES")
    mine.save(str(folder / "appeal.docx"))
    result = run(str(ERISA), "-o", "out", "--jobs", "1", "--templates", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    (written,) = (tmp_path / "out").glob("*.docx")
    assert "COMMUNITY HEALTH ADVOCATES" in docx_text(written)


def test_batch_letter_names_a_kind_from_the_template_folder(tmp_path):
    """--letter may name a kind that only --templates holds, as `appeal draft` allows (issue 12)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    source = kinds.get("appeal")
    mine = Document(str(source.template))
    mine.paragraphs[0].insert_paragraph_before("HARDSHIP LETTERHEAD")
    mine.save(str(folder / "hardship.docx"))
    import yaml

    (folder / "hardship.yaml").write_text(yaml.safe_dump(source.description()), encoding="utf-8")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    result = run(str(ERISA), "-o", "out", "--jobs", "1", "--letter", "hardship", "--templates", str(folder),
                 cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    (written,) = (tmp_path / "out").glob("*hardship*.docx")
    text = docx_text(written)
    assert "HARDSHIP LETTERHEAD" in text and "Attachment A" in text
    without = run(str(ERISA), "-o", "out2", "--letter", "hardship", cwd=tmp_path, env=env)
    assert without.returncode == 2 and "There is no letter kind 'hardship'" in without.stderr


def test_batch_does_not_import_the_cli_that_imports_it():
    """cli builds batch's parser; batch takes its shared options from appeal.base.folders, so there is no cycle."""
    import ast

    tree = ast.parse(Path(batch.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert "appeal.base.folders" in imported and "appeal.cli" not in imported


def test_each_packet_attaches_the_files_of_its_own_folder_and_a_missing_folder_names_the_case(tmp_path, short_temp):
    from PIL import Image
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ERISA, cases / "alvarez.yaml")
    shutil.copy(ERISA, cases / "no-files.yaml")
    csv_cases.write_cases(cases / "clinic.csv", [casefile.load(PRIOR_AUTH)], overwrite=False)
    files = tmp_path / "files"
    (files / "alvarez").mkdir(parents=True)
    (files / "clinic-row2").mkdir()  # the CSV's first case is its row 2, as a spreadsheet numbers it
    Image.new("RGB", (300, 400), "white").save(files / "alvarez" / "1-notice.png")
    records = canvas.Canvas(str(files / "alvarez" / "2-records.pdf"))
    records.drawString(72, 700, "Records")
    records.save()
    (files / "alvarez" / ".DS_Store").write_bytes(b"\0")  # a hidden file is never attached
    result = run(str(cases), "-o", "out", "--packet", "fax", "--attach-dir", str(files), "--jobs", "2", cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(r"no-files\.yaml\s+--attach-dir: there is no folder \S*files/no-files with this case's files",
                     result.stdout)
    outlines = {path.name: [item.title for item in PdfReader(path).outline if not isinstance(item, list)]
                for path in (tmp_path / "out").glob("*.pdf")}
    assert len(outlines) == 2
    with_files = [titles for titles in outlines.values() if "1-notice.png" in titles]
    assert len(with_files) == 1 and with_files[0].index("1-notice.png") < with_files[0].index("2-records.pdf")
    assert not any(".DS_Store" in titles for titles in outlines.values())

    missing = run(str(cases), "-o", "out2", "--packet", "--attach-dir", "nowhere", cwd=tmp_path)
    assert missing.returncode == 2 and "--attach-dir nowhere: there is no such folder" in missing.stderr
    alone = run(str(cases), "-o", "out2", "--attach-dir", str(files), cwd=tmp_path)
    assert alone.returncode == 2 and "add --packet" in alone.stderr


def test_the_progress_bar_counts_packets():
    stream = io.StringIO()
    progress = batch.Progress(3, stream=stream, bar=True, unit="packets")
    progress.add(batch.Outcome("a.yaml", batch.WRITTEN, "out/a.docx and a.pdf"))
    assert "1/3 packets" in stream.getvalue()


def test_a_damaged_attachment_is_our_message_alone_without_the_pdf_librarys_warning(tmp_path):
    """pypdf logs 'EOF marker not found' on stderr; the person needs only our line naming the file (run with
    logging as a new process has it, by cli_harness: pytest's own log capture would hide the warning either way)."""
    (tmp_path / "files" / "alvarez").mkdir(parents=True)
    (tmp_path / "files" / "alvarez" / "records.pdf").write_bytes(b"%PDF-1.4\n")
    shutil.copy(ERISA, tmp_path / "alvarez.yaml")
    result = run("alvarez.yaml", "-o", "out", "--packet", "fax", "--attach-dir", "files", "--jobs", "1", cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode == 1 and "records.pdf is a damaged PDF that cannot be read" in said
    assert "EOF marker" not in said


def test_a_spanish_reader_gets_the_run_and_its_summary_in_spanish(in_tmp, capsys):
    """`appeal --lang es batch`: each case's line, the summary table and a refusal in Spanish; the letters English."""
    from english_left import english_in

    from appeal.base import language

    (in_tmp / "thin.yaml").write_text("letter_kind: prior-auth\npatient:\n  first_name: Ann\n  last_name: Lee\n")
    try:
        assert main(["--lang", "es", "batch", "thin.yaml", str(ERISA), "-o", "out", "--jobs", "1"]) == 0
        out = capsys.readouterr().out
        assert "Terminado: 1 escritas, 1 escritas con espacios en blanco, 0 no escritas, de 2 casos." in out
        assert "Escritas con espacios en blanco (1)" in out and "Entrada" in out
        words = re.sub(r"\S*[/\\.]\S*|\[ADD: [^\]]*\]|[A-Z][a-z]+ [A-Z][a-z]+", " ", out)  # paths, blanks, names
        assert [line for line in words.splitlines() if english_in(line)] == []
        (in_tmp / "empty").mkdir()
        assert main(["--lang", "es", "batch", "empty", "-o", "out2"]) == 2
        assert "No se encontraron casos en empty" in capsys.readouterr().err
    finally:
        language.choose(None)
