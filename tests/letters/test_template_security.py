"""A shared template cannot run code, read or write files, or hang the machine (issue 10).

Every attack is tried through `appeal draft --templates DIR` and `appeal templates check` (one after the other, each
with its own exit status and output) in a child process forked from this one with a processor-time limit
(RLIMIT_CPU, 20 s an attack), a memory limit (1 GiB above what the test process already holds) and the sandbox's own render
budget and loop bound lowered (RENDER_SECONDS, MAX_ITERATIONS: an attack only the clock or the loop count stops
then does not spend 5 s or a million turns), so a hang or a memory blow-up kills the child and fails the test
instead of stalling the run. The escapes and the bounds are each tried in one child, each attack in its own HOME,
and every attack that failed is named. The parent waits for the child to exit (an event, not a timer). Each run must exit 2 or 1 with a message, print no traceback, write no letter and
leave no side effect.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import os
import pickle
import resource
import shutil
import signal
import stat
import tempfile
import types
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pytest
from docx import Document

from appeal import cli
from appeal.letters import kinds, sandbox
from appeal.base.resources import bundled, examples_folder

EXAMPLE = examples_folder() / "ketamine-trd-erisa-appeal.yaml"
CPU_SECONDS = 20
# The sandbox's bounds in these children, lowered because only their size is at stake here (the real ones are
# asserted below): the processor-time budget is 5 s (sandbox.RENDER_SECONDS) and the loop bound a million turns
# (sandbox.MAX_ITERATIONS, half a second), and an attack that only the clock or the loop count stops would spend
# them in full. A small template's whole draft fits in 5 ms of budget (the clock is read every 256 steps), the
# lowered loop bound is hit in about 0.05 s, well before the clock; a template that is the whole built-in letter
# (which renders in about 0.2 s) is given LETTER_RENDER_SECONDS.
RENDER_SECONDS = 0.2
LETTER_RENDER_SECONDS = 1.0
MAX_ITERATIONS = 100_000


def run_bounded(args: list[str], home: Path) -> tuple[int, str]:
    """Run `appeal ARGS` in a forked child under CPU and memory limits; return its exit status and output."""
    status, output, _ = run_measured(args, home)
    return status, output


def run_measured(args: list[str], home: Path) -> tuple[int, str, resource.struct_rusage]:
    """`run_bounded`, also giving back what the child used (its processor time and its peak resident memory,
    which counts the pages it shares with this process: see `memory_grown`)."""
    (result,), usage = run_each([args], home)
    return *result, usage


def run_bounded_each(commands: list[list[str]], home: Path) -> list[tuple[int, str]]:
    """`run_bounded` for several commands, one after the other in ONE forked child (an attack is tried by `draft`
    and `templates check` alike: one child instead of two), each command's exit status and output on its own."""
    return run_each(commands, home)[0]


def run_each(commands: list[list[str]], home: Path,
             render_seconds: float = RENDER_SECONDS) -> tuple[list[tuple[int, str]], resource.struct_rusage]:
    """Run each `appeal ARGS` of `commands` in turn in one forked child under CPU and memory limits (the limits
    hold for all of them together) and the lowered sandbox bounds; give back each one's (exit status, output) and
    what the child used."""
    (results,), usage = run_groups([(commands, home)], render_seconds)
    return results, usage


def run_groups(groups: list[tuple[list[list[str]], Path]], render_seconds: float = RENDER_SECONDS,
               ) -> tuple[list[list[tuple[int, str]]], resource.struct_rusage]:
    """`run_each` for several attacks in ONE forked child (a child's start, its pages copied from this process as
    it touches them, is a fifth of an attack's cost): each group's commands run in its own HOME and working
    folder, with CPU_SECONDS of processor time of its own (the soft limit moved on before each group: over it, the
    child is killed and the test fails naming the command). The
    child is forked from this process once it has drafted a letter itself (`_warmed`), so it starts with the
    program's modules imported and its data read, as a long-running process would, and spends its time on the
    attack."""
    _warmed()
    commands = [(args, home) for group, home in groups for args in group]
    read_end, write_end = os.pipe()
    gc.freeze()  # the child's collections then leave this process's objects (and their pages) alone
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            most = CPU_SECONDS * len(groups)
            resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, most + 1))
            signal.alarm(600)  # a last resort should the child ever block without using the processor
            limit = _virtual_memory() + (1 << 30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            os.environ.pop("APPEAL_TEMPLATES", None)
            sandbox.RENDER_SECONDS, sandbox.MAX_ITERATIONS = render_seconds, MAX_ITERATIONS
            with os.fdopen(write_end, "wb") as pipe:
                for group, home in groups:
                    used = resource.getrusage(resource.RUSAGE_SELF)
                    spent = int(used.ru_utime + used.ru_stime) + 1
                    resource.setrlimit(resource.RLIMIT_CPU, (min(spent + CPU_SECONDS, most), most + 1))
                    os.environ.update({"HOME": str(home), "XDG_DATA_HOME": str(home / "data")})
                    os.chdir(home)
                    for args in group:  # each result sent as it ends: a kill names the command it stopped
                        pickle.dump(_run_in_child(args), pipe)
                        pipe.flush()
        finally:
            os._exit(0)
    gc.unfreeze()
    os.close(write_end)
    results = []
    with os.fdopen(read_end, "rb") as pipe:
        with contextlib.suppress(EOFError):
            while len(results) < len(commands):
                results.append(pickle.load(pipe))
    _, wait_status, usage = os.wait4(pid, 0)
    if os.WIFSIGNALED(wait_status) or len(results) < len(commands):
        stopped = commands[len(results)][0] if len(results) < len(commands) else commands[-1][0]
        pytest.fail(f"`appeal {' '.join(stopped)}` was killed by signal {os.WTERMSIG(wait_status)} (over its CPU "
                    f"or memory limit); the commands before it: {results}"
                    if os.WIFSIGNALED(wait_status) else f"`appeal {' '.join(stopped)}` ended the child: {results}")
    found = iter(results)
    return [[next(found) for _ in group] for group, _ in groups], usage


def _run_in_child(args: list[str]) -> tuple[int, str]:
    """`appeal ARGS` as the command line would run it, in the forked child: its exit status and output."""
    status = 99
    output = io.StringIO()
    try:
        kinds.all_kinds.cache_clear()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            status = cli.main(args)
    except BaseException:  # noqa: BLE001 - anything escaping main is what the test looks for
        import traceback

        output.write("Traceback (escaped main)\n" + traceback.format_exc())
    return (status if isinstance(status, int) else 98), output.getvalue()


@functools.cache
def _warmed() -> None:
    """Draft a letter and check a template once in this process (a scratch folder, a harmless template), so the
    children forked from it inherit the imports and the data read: each attack then costs what the attack
    costs. Nothing it caches is a template under attack (every attack's template is a new file)."""
    scratch = Path(tempfile.mkdtemp(prefix="warm"))
    folder = folder_with(scratch, "A harmless paragraph.")
    here = os.getcwd()
    try:
        os.chdir(scratch)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cli.main(["draft", "--case", str(EXAMPLE), "--templates", str(folder), "-o", "out.docx"])
            cli.main(["templates", "check", str(folder / "appeal.docx")])
    finally:
        os.chdir(here)
        kinds.all_kinds.cache_clear()
        shutil.rmtree(scratch, ignore_errors=True)


def memory_grown(usage: resource.struct_rusage) -> int:
    """Bytes a child's peak resident memory went above this process's (which it started with, shared)."""
    return usage.ru_maxrss * 1024 - _status_field("VmRSS:")


def _virtual_memory() -> int:
    return _status_field("VmSize:") or 4 << 30


def _status_field(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name):
            return int(line.split()[1]) * 1024
    return 0


@pytest.fixture
def home(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


_TAG_HERE = "TAG-GOES-HERE"


def folder_with(home: Path, tag: str, name: str = "appeal") -> Path:
    """A template folder holding a small letter (a heading, a line of the case's own fields) with one more
    paragraph: `tag`. Small, so that each attack costs what the attack costs rather than a render of the whole
    built-in letter first (every built-in template is rendered by the letter tests). The letter is the one
    python-docx writes, made once, `tag` written into its paragraph's text (python-docx took 25 ms an attack)."""
    parts = dict(_small_letter())
    parts["word/document.xml"] = parts["word/document.xml"].replace(_TAG_HERE.encode(), xml_escape(tag).encode())
    folder = home / "shared-templates"
    folder.mkdir(exist_ok=True)
    _zip(folder / f"{name}.docx", parts)
    return folder


@functools.cache
def _small_letter() -> dict[str, bytes]:
    saved = io.BytesIO()
    folder_document(("heading", "Request for review"),
                    ("text", "Re: {{ patient.first_name }} {{ patient.last_name }}, member ID {{ patient.member_id }}"),
                    ("text", _TAG_HERE)).save(saved)
    with zipfile.ZipFile(saved) as package:
        return {name: package.read(name) for name in package.namelist()}


def folder_of(home: Path, *paragraphs: tuple[str, str], name: str = "appeal") -> Path:
    """A template folder holding a small NAME.docx of (style, text) paragraphs: 'heading' or 'text'."""
    folder = home / "shared-templates"
    folder.mkdir(exist_ok=True)
    folder_document(*paragraphs).save(str(folder / f"{name}.docx"))
    return folder


def folder_document(*paragraphs: tuple[str, str]):
    """A python-docx document of (style, text) paragraphs."""
    document = Document()
    for style, text in paragraphs:
        document.add_heading(text, level=2) if style == "heading" else document.add_paragraph(text)
    return document


def assert_refused(status: int, output: str, expected: str, home: Path) -> None:
    assert status in (1, 2), output
    assert "Traceback" not in output, output
    assert expected.lower() in output.lower(), output
    assert not list(home.glob("*.docx")), "a letter was written"


def draft_args(folder: Path) -> list[str]:
    return ["draft", "--case", str(EXAMPLE), "--templates", str(folder), "-o", "out.docx"]


def check_args(path: Path) -> list[str]:
    return ["templates", "check", str(path)]


def draft_with(folder: Path, home: Path) -> tuple[int, str]:
    return run_bounded(draft_args(folder), home)


def check_of(path: Path, home: Path) -> tuple[int, str]:
    return run_bounded(check_args(path), home)


# --------------------------------------------------------------------------------------------------------------
# Escapes: each refused by the sandbox in `draft` and reported (never run) by `templates check`

ESCAPES = {
    "pydantic parse_raw": ("{{ patient.parse_raw('x', proto='pickle', allow_pickle=True) }}", "parse_raw"),
    "model_validate_json": ("{{ patient.model_validate_json('{}') }}", "model_validate_json"),
    "model_construct": ("{{ patient.model_construct() }}", "model_construct"),
    "class and mro": ("{{ patient.__class__.__mro__ }}", "__class__"),
    "subclasses from a string": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__"),
    "attr filter to parse_raw": ("{{ (patient | attr('parse_raw'))('x') }}", "parse_raw"),
    "attr filter to __class__": ("{{ patient | attr('__class__') }}", "__class__"),
    "item access to __class__": ("{{ patient['__class__'] }}", "__class__"),
    "lipsum globals": ("{{ lipsum.__globals__ }}", "lipsum"),
    "cycler internals": ("{{ cycler.__init__.__globals__ }}", "cycler"),
    "joiner": ("{{ joiner('x')() }}", "joiner"),
    "namespace": ("{% set ns = namespace(x=1) %}{{ ns.x }}", "namespace"),
    "format-string trick": ("{{ '{0.__class__}'.format(patient) }}", "format"),
    "format_map": ("{{ patient.first_name.format_map({}) }}", "format_map"),
    "snippet parse_raw": ("{{ letter.evidence[0].snippet.parse_raw('x') }}", "parse_raw"),
    "snippet file path": ("{{ letter.evidence[0].snippet.source_path.read_text() }}", "source_path"),
    "appendix save": ("{{ evidence_appendix.save('stolen.docx') }}", "save"),
    "a date's constructor": ("{{ letter.date.fromtimestamp(0) }}", "fromtimestamp"),
    "a text's class": ("{{ patient.first_name.__class__ }}", "__class__"),
    "include": ("{% include '/etc/passwd' %}", "include"),
    "import": ("{% import '/etc/passwd' as secrets %}", "import"),
    "extends": ("{% extends '/etc/passwd' %}", "extends"),
}


def refused_by_draft_and_check(attacks: dict[str, tuple[str, str]], tmp_path: Path) -> dict[str, Path]:
    """Each attack (name: its tag, the words its refusal must hold) in the small letter: `draft --templates` and
    `templates check` both refuse it, and the draft's message names the template file. All are tried in one
    bounded child (`run_groups`), each in a HOME of its own (given back by name); a failure names every attack
    that failed."""
    homes = {name: tmp_path / f"home-{number}" for number, name in enumerate(attacks)}
    groups = []
    for name, (tag, _) in attacks.items():
        homes[name].mkdir()
        folder = folder_with(homes[name], tag)
        groups.append(([draft_args(folder), check_args(folder / "appeal.docx")], homes[name]))
    failures = []
    for (name, (_, expected)), ((status, output), checked) in zip(attacks.items(), run_groups(groups)[0]):
        try:
            assert_refused(status, output, expected, homes[name])
            assert "appeal.docx" in output, output
            assert_refused(*checked, expected, homes[name])
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert not failures, "\n".join(failures)
    return homes


def test_every_escape_is_refused_by_draft_and_check(tmp_path):
    homes = refused_by_draft_and_check(ESCAPES, tmp_path)
    assert not [name for name, home in homes.items() if (home / "stolen.docx").exists()]


def test_a_pickle_payload_never_runs(home):
    """The red-team's own attack: pickle bytes through parse_raw would create a file when unpickled."""
    marker = home / "pwned"
    payload = pickle.dumps(_Touch(str(marker)), protocol=0).decode("ascii")
    literal = payload.encode("unicode_escape").decode("ascii").replace("'", "\\'")
    folder = folder_with(home, f"{{{{ patient.parse_raw('{literal}', proto='pickle', allow_pickle=True) }}}}")
    for status, output in run_bounded_each([draft_args(folder), check_args(folder / "appeal.docx")], home):
        assert_refused(status, output, "parse_raw", home)
        assert not marker.exists(), "the pickle payload ran"
    # The same template placed in the user's own template folder, where the red-team saw exit 0 and silence.
    user_folder = home / "data" / "appeal" / "templates"
    user_folder.mkdir(parents=True)
    shutil.copy(folder / "appeal.docx", user_folder / "appeal.docx")
    status, output = run_bounded(["draft", "--case", str(EXAMPLE), "-o", "out.docx"], home)
    assert_refused(status, output, "parse_raw", home)
    assert not marker.exists()


class _Touch:
    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


# --------------------------------------------------------------------------------------------------------------
# Bounds: each fails within seconds with a message naming the tag

BOUNDS = {
    "huge repeated text": ("{{ 'x' * 10**9 }}", "characters long"),
    "huge power": ("{{ 10 ** (10 ** 8) }}", "too large"),
    "huge power of a power": ("{{ (10 ** 10) ** (10 ** 7) }}", "too large"),
    "huge range": ("{% for i in range(10**9) %}{% endfor %}", "range"),
    "nested loops": ("{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
                     "loops ran more than"),
    "loop over a long text": ("{% for a in 'x' * 1000000 %}{% for b in 'y' * 1000000 %}{% endfor %}{% endfor %}",
                              "loops ran more than"),
    "center filter": ("{{ 'x' | center(10**9) }}", "center"),
    "doubling with ~": ("{% set a = 'x' * 100000 %}{{ a~a~a~a~a~a~a~a~a~a~a~a }}", "characters long"),
    "percent width": ("{{ '%0999999999d' % 1 }}", "width"),
    "format filter width": ("{{ '%0999999999d' | format(1) }}", "width"),
    "replace blow-up": ("{{ ('x' * 100000) | replace('x', 'yyyyyyyyyyyyyyyyyyyy') }}", "characters long"),
    "indent blow-up": ("{{ ('\\n' * 100000) | indent(1000) }}", "characters long"),
    "batch": ("{{ [1] | batch(10**9, 0) | list }}", "batch"),
    "division by zero": ("{{ 1 / 0 }}", "division by zero"),
    "text plus number": ("{{ 'a' + 1 }}", "cannot be computed"),
    "endless macro": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "stopped"),
    "exponential macro": ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                          "stopped"),
}


def test_every_bound_stops_the_template(tmp_path):
    refused_by_draft_and_check(BOUNDS, tmp_path)


DOUBLING = "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}"


def test_the_render_budget_is_five_seconds_and_a_million_loop_turns_unless_lowered(monkeypatch):
    """The children above run with a lower budget and loop bound; the ones every user gets are 5 s of processor
    time and a million loop turns, each read when it is used."""
    from appeal.letters.render_env import make_environment

    assert sandbox.RENDER_SECONDS == 5.0 and sandbox.MAX_ITERATIONS == 1_000_000
    template = make_environment(for_docx=False).from_string(DOUBLING)
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.2)
    with pytest.raises(sandbox.TemplateProblem, match="more than 0.2 seconds to render"), sandbox.render_budget():
        template.render()
    with pytest.raises(sandbox.TemplateProblem, match="more than 0.1 seconds to render"), sandbox.render_budget(0.1):
        template.render()
    loops = make_environment(for_docx=False).from_string(
        "{% for a in range(100) %}{% for b in range(100) %}{% endfor %}{% endfor %}")
    monkeypatch.setattr(sandbox, "MAX_ITERATIONS", 1_000)
    with pytest.raises(sandbox.TemplateProblem, match="loops ran more than 1,000 times"), sandbox.render_budget():
        loops.render()


def test_a_failing_tag_is_located_in_words(home):
    folder = folder_of(home, ("heading", "Why the treatment is needed"),
                       ("text", "Dear reviewer, {{ patient.last_name | center(10**9) }} thank you."))
    status, output = draft_with(folder, home)
    assert_refused(status, output, "center", home)
    assert "Dear reviewer" in output and "Why the treatment is needed" in output, output


# --------------------------------------------------------------------------------------------------------------
# Hostile template packages and kind files: refused by draft, letters and templates check


def _zip(path: Path, parts: dict[str, bytes], level: int | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _built_in_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(bundled("letter_templates") / "appeal.docx") as package:
        return {name: package.read(name) for name in package.namelist()}


def _with_part(folder: Path, name: str, data: bytes, level: int | None = None) -> None:
    parts = _built_in_parts()
    parts[name] = data
    _zip(folder / "appeal.docx", parts, level)


def _zip_bomb(folder):
    """200 MB of spaces in under 1 MB (compressed fast: the default level took four times as long)."""
    _with_part(folder, "word/document.xml", b"<a>" + b" " * (200 * 1024 * 1024) + b"</a>", level=1)


def _entity_bomb(folder):
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]><lolz>&lol9;</lolz>"
    _with_part(folder, "word/document.xml", lol)


def _rel_outside(folder):
    parts = _built_in_parts()
    rels = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="../../../../etc/passwd"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = rels
    _zip(folder / "appeal.docx", parts)


def _rel_network(folder):
    parts = _built_in_parts()
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="http://example.invalid/track.png" TargetMode="External"/></Relationships>')
    _zip(folder / "appeal.docx", parts)


def _not_a_zip(folder):
    (folder / "appeal.docx").write_bytes(b"this is just text pretending to be a document\n")


def _empty(folder):
    (folder / "appeal.docx").write_bytes(b"")


def _zip_without_word(folder):
    _zip(folder / "appeal.docx", {"hello.txt": b"hi"})


def _old_doc(folder):
    (folder / "appeal.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)


PACKAGES = {
    "zip bomb": (_zip_bomb, "zip bomb"),
    "entity bomb": (_entity_bomb, "DOCTYPE"),
    "relationship outside the package": (_rel_outside, "not inside it"),
    "external picture link": (_rel_network, "outside the document"),
    "not a zip": (_not_a_zip, "not a Word document"),
    "empty file": (_empty, "empty file"),
    "zip that is not Word": (_zip_without_word, "not a Word document"),
    "old .doc": (_old_doc, "old Word .doc"),
}


@pytest.mark.parametrize("hostile", PACKAGES, ids=list(PACKAGES))
def test_hostile_package_is_refused(hostile, home):
    make, expected = PACKAGES[hostile]
    folder = home / "shared-templates"
    folder.mkdir()
    make(folder)
    # A new kind without a description is read for its title by `appeal letters`: the same file as a new kind.
    kind_folder = home / "shared-kinds"
    kind_folder.mkdir()
    shutil.copyfile(folder / "appeal.docx", kind_folder / "hostile-kind.docx")
    drafted, checked, listed = run_bounded_each(
        [draft_args(folder), check_args(folder / "appeal.docx"), ["letters", "--templates", str(kind_folder)]], home)
    assert_refused(*drafted, expected, home)
    assert_refused(*checked, expected, home)
    assert_refused(*listed, expected, home)


KIND_FILES = {
    "alias bomb": ("a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(8))
        + "title: *i\n", "alias"),
    "binary bytes": ("\0\1\2binary", "not text"),
    "a list where text belongs": ("title: [a, b]\n", "title must be a line of text"),
    "number where a list belongs": ("title: Mine\nsenders: 5\n", "senders must be a list"),
    "deep nesting": ("title: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
    "a date where yes/no belongs": ("title: Mine\nneeds_denial: 2026-02-30\n", "needs_denial must be true or false"),
    "not a mapping": ("- just\n- a list\n", "must hold fields"),
    "latin-1 text": ("title: Se\xf1or\n".encode("latin-1").decode("latin-1"), "not UTF-8"),
}


@pytest.mark.parametrize("hostile", KIND_FILES, ids=list(KIND_FILES))
def test_hostile_kind_file_is_refused(hostile, home):
    text, expected = KIND_FILES[hostile]
    folder = folder_with(home, "A harmless paragraph.", name="mine")
    data = text.encode("latin-1") if hostile == "latin-1 text" else text.encode("utf-8")
    (folder / "mine.yaml").write_bytes(data)
    for result in run_bounded_each([
            ["draft", "--case", str(EXAMPLE), "--templates", str(folder), "--letter", "mine", "-o", "out.docx"],
            ["letters", "--templates", str(folder)],
            check_args(folder / "mine.docx")], home):
        assert_refused(*result, expected, home)


def test_a_template_folder_others_can_write_is_refused(home):
    folder = folder_with(home, "A harmless paragraph.", name="mine")
    folder.chmod(0o777)
    status, output = draft_with(folder, home)
    assert_refused(status, output, "can be changed by other users", home)
    folder.chmod(0o700)
    (folder / "mine.docx").chmod(0o666)
    assert_refused(*run_bounded(["letters", "--templates", str(folder)], home), "other users", home)


# --------------------------------------------------------------------------------------------------------------
# What templates are handed: every value the letter plan gives is plain data


def test_every_value_a_template_sees_is_plain_data():
    """Walk everything reachable from a real letter's context the way a template can, and ask the sandbox
    about every attribute of every value: only fields, properties and a few harmless methods are allowed."""
    from appeal.cases import casefile
    from appeal.letters.letter_plan import context_for
    from appeal.letters.render_env import shared_environment
    from appeal.letters.sandbox import TemplateView

    environment = shared_environment()
    harmless_methods = {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith",
                        "endswith", "isdigit", "isalpha", "isspace", "isoformat", "items", "keys", "values", "get"}
    case = casefile.load(EXAMPLE)
    context = context_for(case, kinds.get("appeal"))
    seen: set[int] = set()
    reached = 0

    def visit(value, path, depth):
        nonlocal reached
        if depth > 8 or id(value) in seen:
            return
        seen.add(id(value))
        reached += 1
        assert not isinstance(value, Path | type | types.FunctionType | types.ModuleType), path
        assert type(value).__module__.split(".")[0] not in ("docx", "docxtpl", "lxml", "pydantic"), path
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                visit(item, f"{path}[{index}]", depth + 1)
            return
        if isinstance(value, dict):
            for key, item in value.items():
                visit(item, f"{path}.{key}", depth + 1)
            return
        for name in dir(value):
            if name.startswith("_"):
                continue
            if not environment.is_safe_attribute(value, name, None):
                continue
            attribute = getattr(value, name)
            if callable(attribute) and not isinstance(attribute, TemplateView):
                assert name in harmless_methods, f"{path}.{name} is a method a template can call"
            visit(attribute, f"{path}.{name}", depth + 1)

    for name, value in context.items():
        visit(value, name, 0)
    assert reached > 100  # the walk really went through the case and the plan


def test_templates_new_writes_private_files_and_never_follows_a_link(tmp_path, monkeypatch):
    from appeal.letters import template_tools

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    kinds.all_kinds.cache_clear()
    old_umask = os.umask(0)
    try:
        path = template_tools.new("hardship-letter", "prior-auth")
    finally:
        os.umask(old_umask)
    meta = path.with_suffix(".yaml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(meta.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    import yaml

    described = yaml.safe_load(meta.read_text())
    assert described["title"].endswith("(hardship-letter)") and described["senders"]
    # A dangling symlink where the description would go: refused, and nothing written through it.
    target = tmp_path / "elsewhere.txt"
    (path.parent / "other.yaml").symlink_to(target)
    with pytest.raises(Exception, match="already exists"):
        template_tools.new("other", "appeal")
    assert not target.exists() and not (path.parent / "other.docx").exists()


def test_a_summary_with_colons_and_quotes_round_trips(tmp_path, monkeypatch):
    from appeal.letters import template_tools
    from appeal.letters.kinds import LetterKind

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    kinds.all_kinds.cache_clear()
    tricky = LetterKind("appeal", "Appeal: \"second\" level", "Asks: 'why?' and # not a comment", 
                        bundled("letter_templates") / "appeal.docx")
    monkeypatch.setattr(kinds, "get", lambda name, extra=(): tricky)
    path = template_tools.new("tricky", "appeal")
    kinds.all_kinds.cache_clear()
    monkeypatch.undo()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    kinds.all_kinds.cache_clear()
    try:
        kind = kinds.all_kinds()["tricky"]
        assert kind.summary == "Asks: 'why?' and # not a comment"
        assert kind.title == 'Appeal: "second" level (tricky)'
        assert path.exists()
    finally:  # the next test on this worker must not see "tricky" among the kinds
        monkeypatch.undo()
        kinds.all_kinds.cache_clear()


def test_the_loop_that_runs_too_long_is_the_one_named(home):
    folder = folder_of(home, ("text", "{% for line in letter.recipient %}{{ line }}{% endfor %}"),
                       ("heading", "Evidence"),
                       ("text", "Items {% for a in range(5000) %}{% for b in range(5000) %}{% endfor %}{% endfor %}"))
    status, output = draft_with(folder, home)
    assert_refused(status, output, "loops ran more than", home)
    assert "{% for b in range(5000) %}" in output and "Evidence" in output, output


def test_every_built_in_template_passes_the_package_check():
    """The built-in templates skip the check at run time (they ship with the program); this proves they pass it."""
    from appeal.letters.template_package import _check_cached

    for template in bundled("letter_templates").glob("*.docx"):
        status = template.stat()
        _check_cached(str(template.resolve()), status.st_size, status.st_mtime_ns)
