"""The documents themselves: the committed templates match their builder, every kind converts with LibreOffice,
and an installed wheel (outside this checkout) renders every kind."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from conftest import applicable_kinds, converted_once, docx_text, drafted_example, example_case
from templates_harness import built_templates
from test_letter_review import TODAY as REVIEWED

from appeal.letters import kinds

ROOT = Path(__file__).resolve().parents[2]


def test_committed_templates_match_their_builder(tmp_path_factory):
    for kind in kinds.all_kinds().values():
        built = built_templates(tmp_path_factory) / kind.template.name
        with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(kind.template) as committed:
            assert fresh.read("word/document.xml") == committed.read("word/document.xml"), kind.name
            assert fresh.read("word/styles.xml") == committed.read("word/styles.xml"), kind.name


def test_templates_define_their_styles():
    from docx import Document

    for kind in kinds.all_kinds().values():
        names = {style.name for style in Document(str(kind.template)).styles}
        assert {"Letterhead", "Re Line", "Urgent Banner", "Denial Quote", "Body Text Letter", "Signature"} <= names


def test_every_kind_converts_with_libreoffice(tmp_path, tmp_path_factory):
    assert shutil.which("soffice") or shutil.which("libreoffice"), "LibreOffice is required (.ci/run installs it)"
    # dated as the reviewer's tests date theirs: seven of these letters are among the ones they convert, and each
    # letter is converted once in the run (conftest.converted_once), all that are left in one LibreOffice start
    names = list(kinds.all_kinds())
    pdfs = converted_once([drafted_example("ketamine-trd-erisa-appeal", name, REVIEWED).content for name in names],
                          tmp_path_factory)
    for name, content in zip(names, pdfs):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(content)
        assert len(content) > 1000, name
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Maria Alvarez" in text and "MHA884120537" in text, name


def test_wheel_ships_templates_and_renders_every_kind_outside_the_checkout(tmp_path, monkeypatch):
    # Built by the build backend pyproject.toml names, through its PEP 517 hook, as `pip wheel` calls it (pip would
    # first make an isolated environment and install the backend there: most of this test's time; the test extra
    # installs it here).
    backend = importlib.import_module(tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["build-backend"])
    wheels = tmp_path / "wheels"
    monkeypatch.chdir(ROOT)  # the hook builds the project of the current folder
    wheel = wheels / backend.build_wheel(str(wheels))
    monkeypatch.undo()
    names = zipfile.ZipFile(wheel).namelist()
    for kind in kinds.all_kinds():
        assert f"appeal/letter_templates/{kind}.docx" in names and f"appeal/letter_templates/{kind}.yaml" in names
    assert any(name.startswith("appeal/evidence_snippets/") and name.endswith(".md") for name in names)
    assert "appeal/data/rules.yaml" in names and "appeal/examples/ketamine-trd-erisa-appeal.yaml" in names
    assert "appeal/data/icd10cm.tsv" in names
    web_files = {str(path.relative_to(ROOT)) for path in (ROOT / "appeal" / "web" / "assets").rglob("*") if path.is_file()}
    assert web_files and web_files <= set(names)  # `appeal web`'s pages, styles and script: nothing from the internet
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    script = (
        "import appeal, sys\n"
        "assert appeal.__file__.startswith(sys.argv[1]), appeal.__file__\n"
        "from appeal.cli import main\n"
        "for kind in sys.argv[2:]:\n"
        "    main(['example', 'ketamine-trd-erisa-appeal', '-o', 'case.yaml', '--force'])\n"
        "    assert main(['draft', '--case', 'case.yaml', '--letter', kind, '-o', kind + '.docx']) == 0\n"
    )
    wanted = applicable_kinds(example_case("ketamine-trd-erisa-appeal"))  # all but the representative's own
    assert len(wanted) == len(kinds.all_kinds()) - 1
    result = subprocess.run([sys.executable, "-c", script, str(target), *wanted], cwd=elsewhere, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for kind in wanted:
        assert "Maria Alvarez" in docx_text(elsewhere / f"{kind}.docx")
