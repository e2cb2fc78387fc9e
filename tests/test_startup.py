"""What a command loads: only what it uses (so `appeal deadline` answers at once), and the files we ship
parsed by libyaml give the same data as the parsers that read a user's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from appeal.rules import evidence
from appeal.letters import kinds
from appeal.base.resources import PACKAGE, bundled, data_file, examples_folder, load_data, parse_bundled_yaml

EXAMPLE = str(examples_folder() / "ketamine-trd-erisa-appeal.yaml")
HEAVY = ("docxtpl", "docx", "simple_icd_10_cm", "questionary", "pypdf", "reportlab", "PIL", "starlette", "uvicorn")
PARSERS = ("pydantic", "yaml", "jinja2")  # every command that reads a case or data file needs them; --help none

# Runs one command in a fresh interpreter, then prints which heavy modules it loaded and whether it read the
# ICD-10 index (the memory map: a code was checked) or listed every billable code (only a search by words does).
_PROBE = """
import json, sys
from appeal.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = sorted(name for name in {heavy!r} if name in sys.modules)
parsers = sorted(name for name in {parsers!r} if name in sys.modules)
icd10 = sys.modules.get("appeal.cases.icd10")
render_env = sys.modules.get("appeal.letters.render_env")
caches = [render_env.shared_environment(**flag).disk for flag in ({{}}, {{"for_docx": False}})] if render_env else []
resources = sys.modules.get("appeal.base.resources")
parsed = resources._parsed_cache() if resources and resources._parsed_cache.cache_info().currsize else None
commands = sorted(name.rpartition(".")[2] for name in sys.modules if name.startswith("appeal.commands."))
print(json.dumps({{"loaded": loaded, "pydantic": "pydantic" in sys.modules, "parsers": parsers, "commands": commands,
                  "questions": "appeal.intake.questions" in sys.modules,
                  "index": bool(icd10 and icd10._index.cache_info().currsize),
                  "all_codes": bool(icd10 and icd10._billable_index.cache_info().currsize),
                  "compiled": sum(cache.stored for cache in caches),
                  "from_cache": sum(cache.loaded for cache in caches),
                  "data_parsed": parsed.stored if parsed else 0, "data_from_cache": parsed.loaded if parsed else 0}}))
"""


def loaded_by(*args: str, home: Path) -> dict:
    """What `appeal ARGS` loaded, run with its own empty HOME (never the real user's folders)."""
    environment = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                   "XDG_CACHE_HOME": str(home / "cache")}
    for name in ("APPEAL_TEMPLATES", "APPEAL_EVIDENCE_DIR"):
        environment.pop(name, None)
    probe = _PROBE.format(heavy=HEAVY, parsers=PARSERS)
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=home,
                            env=environment, stdin=subprocess.DEVNULL)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", [["--help"], ["letters"], ["deadline", "--case", EXAMPLE],
                                     ["check", "--case", EXAMPLE], ["evidence", "list"]])
def test_commands_that_write_no_document_load_neither_docxtpl_nor_the_code_set(command, tmp_path):
    """Each command in one process of its own; those that write nothing also leave no compile cache (`letters`
    compiles the kinds' sentences, so it may)."""
    found = loaded_by(*command, home=tmp_path)
    assert found["loaded"] == [] and not found["all_codes"]
    assert found["index"] == (command[0] in ("deadline", "check"))  # the case's diagnosis codes are checked
    assert found["pydantic"] == (command[0] != "--help")
    if command[0] == "--help":  # `appeal --help` answers at once: not even a parser of files is loaded
        assert found["parsers"] == []
    if command[0] in ("--help", "deadline", "check"):
        assert found["compiled"] == 0 and not (tmp_path / "cache").exists()
    if command[0] in ("deadline", "check"):  # their own parser alone is built
        assert found["commands"] == ["argparse_words", "reports"]


@pytest.fixture(scope="module")
def first_draft(tmp_path_factory) -> tuple[Path, dict]:
    """One `appeal draft` in a process of its own with an empty HOME: that HOME, and what the process loaded."""
    home = tmp_path_factory.mktemp("home")
    return home, loaded_by("draft", "--case", EXAMPLE, "-o", str(home / "first.docx"), home=home)


def test_drafting_a_letter_reads_the_code_index_but_not_the_whole_code_set(first_draft):
    home, found = first_draft
    assert (home / "first.docx").is_file()
    assert found["loaded"] == ["docx", "docxtpl"] and found["index"] and not found["all_codes"]


def test_drafting_a_letter_without_blanks_reads_no_question(first_draft):
    """The questions (appeal/data/questions.yaml, each `when:` checked) only name what a letter still lacks; the
    example lacks nothing (tests/letters/same_text/ has the lines of letters with blanks)."""
    assert not first_draft[1]["questions"]


def test_a_second_draft_process_compiles_no_template_and_no_sentence_and_parses_no_data_file(first_draft):
    """The first run compiles the kinds' sentences and the template and keeps them in the user's cache
    (appeal/letters/compile_cache.py), and the data files it parses once that folder is made
    (appeal/base/resources.py); the next process takes them from there."""
    home, first = first_draft
    assert first["compiled"] > 100 and first["from_cache"] == 0
    assert first["data_parsed"] > 10 and first["data_from_cache"] == 0
    second = loaded_by("draft", "--case", EXAMPLE, "-o", str(home / "second.docx"), home=home)
    assert second["compiled"] == 0 and second["from_cache"] > 100
    assert second["data_from_cache"] >= first["data_parsed"] and second["data_from_cache"] > 40
    assert (home / "second.docx").is_file()


@pytest.mark.parametrize("name", sorted(path.name for path in (PACKAGE / "data").glob("*.yaml")))
def test_data_files_parse_as_the_pure_python_parser_reads_them(name):
    assert load_data(name) == yaml.safe_load(data_file(name).read_text(encoding="utf-8"))


def test_built_in_snippets_and_template_descriptions_parse_as_a_users_would():
    paths = sorted(bundled("evidence_snippets").glob("*.md"))
    assert paths and all(evidence._bundled_snippet(path) == evidence.read_snippet(path) for path in paths)
    described = sorted(bundled("letter_templates").glob("*.yaml"))
    assert len(described) == len(kinds.all_kinds())
    for path in described:
        assert parse_bundled_yaml(path.read_text(encoding="utf-8")) == kinds._read_meta(path), path.name


def test_no_pydantic_plugin_installed_beside_appeal_is_loaded(tmp_path):
    """A plugin that any installed package registers for pydantic would see every case validated, health
    information and all. One is installed here (a package on the path, registered as Python's entry points are),
    and a plain pydantic model in the same setting loads it, so the check below could fail; `appeal check` does not."""
    site = tmp_path / "site"
    (site / "spy_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "spy_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (site / "spy_plugin-1.0.dist-info" / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    marker = tmp_path / "loaded"
    (site / "spy_plugin.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "class Spy:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n"
        "plugin = Spy()\n")
    environment = {**os.environ, "PYTHONPATH": str(site), "HOME": str(tmp_path)}
    environment.pop("PYDANTIC_DISABLE_PLUGINS", None)

    def run(*args: str) -> None:
        result = subprocess.run([sys.executable, *args], env=environment, cwd=tmp_path, capture_output=True,
                                text=True, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr

    run("-c", "import pydantic\nclass Plain(pydantic.BaseModel):\n    x: int = 0")
    assert marker.exists(), "the planted plugin is not found by pydantic, so this test proves nothing"
    marker.unlink()
    run("-m", "appeal", "check", "--case", EXAMPLE)
    assert not marker.exists()
