"""The compile cache (appeal/letters/compile_cache.py): a second run of `appeal draft` compiles nothing, a damaged
entry is ignored and written again, the folder is the user's alone, and the sandbox refuses as it did.

Each test has its own cache folder ($XDG_CACHE_HOME in tmp_path). A "new run" is the same process with the
per-process caches dropped (the environments, the kinds, the names a template uses): what a fresh process would
hold. Compilations are counted at the sandbox's own compile, below the cache, so the count is real work done.
"""

from __future__ import annotations

import marshal
import os
import stat
from pathlib import Path

import pytest
from conftest import docx_text

from appeal.base import disk_cache
from appeal.base.resources import examples_folder
from appeal.cli import main
from appeal.letters import compile_cache, kinds, proofread, render, render_env
from appeal.letters.sandbox import SafeEnvironment, TemplateProblem

EXAMPLE = str(examples_folder() / "ketamine-trd-erisa-appeal.yaml")


def _new_run() -> None:
    """Forget what this process compiled and read, as a new process starts."""
    render_env.shared_environment.cache_clear()
    kinds.all_kinds.cache_clear()
    kinds._built_in.cache_clear()
    render._template_names.cache_clear()
    proofread._checker.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """This test's own cache folder, and a count of the sandbox's real compilations in `compiled`."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(compile_cache.DISABLE_VARIABLE, raising=False)
    compiled: list[object] = []
    real_compile = SafeEnvironment.compile

    def counting(self, source, *args, **kwargs):
        compiled.append(source)
        return real_compile(self, source, *args, **kwargs)

    monkeypatch.setattr(SafeEnvironment, "compile", counting)
    _new_run()
    yield tmp_path / "cache" / "appeal" / "compiled", compiled
    _new_run()  # the next test's environments use the session's cache again


def _draft(out: Path) -> str:
    _new_run()
    assert main(["draft", "--case", EXAMPLE, "-o", str(out)]) in (0, None)
    return docx_text(out)


def _loaded() -> int:
    return sum(render_env.shared_environment(**flag).disk.loaded for flag in ({}, {"for_docx": False}))


def test_a_second_run_compiles_nothing_and_writes_the_same_letter(cache, tmp_path):
    folder, compiled = cache
    first = _draft(tmp_path / "first.docx")
    compiled_first = len(compiled)
    assert compiled_first > 50  # the kinds' sentences and conditions, the letter's wordings, the .docx body
    assert len(list(folder.iterdir())) >= compiled_first

    second = _draft(tmp_path / "second.docx")
    assert len(compiled) == compiled_first  # nothing compiled again: read from the cache instead
    assert _loaded() > 50  # (the questionnaire's conditions, compiled when first asked, stay in memory)
    assert second == first and "Maria Alvarez" in second


def test_with_the_cache_turned_off_every_run_compiles(cache, tmp_path, monkeypatch):
    folder, compiled = cache
    monkeypatch.setenv(compile_cache.DISABLE_VARIABLE, "1")
    first = _draft(tmp_path / "first.docx")
    compiled_first = len(compiled)
    assert compiled_first > 50 and not folder.exists()
    assert _draft(tmp_path / "second.docx") == first
    assert len(compiled) == 2 * compiled_first


def _damage(path: Path, how: int) -> None:
    data = path.read_bytes()
    if how == 0:  # cut short, as by a full disk
        path.write_bytes(data[: len(data) // 2])
    elif how == 1:  # one byte changed in the code
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    elif how == 2:  # a well-formed entry holding something that is not code
        import hashlib

        payload = marshal.dumps(42)
        path.write_bytes(disk_cache.MAGIC + hashlib.sha256(payload).digest() + payload)
    else:  # not ours at all
        path.write_bytes(b"\x00garbage")


def test_damaged_cache_files_are_ignored_rewritten_and_the_letter_is_still_right(cache, tmp_path):
    folder, compiled = cache
    first = _draft(tmp_path / "first.docx")
    compiled_first = len(compiled)
    entries = sorted(folder.iterdir())
    for number, path in enumerate(entries):
        _damage(path, number % 4)

    assert _draft(tmp_path / "second.docx") == first
    assert len(compiled) == 2 * compiled_first  # every damaged entry compiled again
    assert _loaded() == 0

    assert _draft(tmp_path / "third.docx") == first  # and written again: the third run reads them all
    assert len(compiled) == 2 * compiled_first and _loaded() > 50


def test_the_cache_folder_and_its_files_are_the_users_alone(cache, tmp_path):
    folder, _ = cache
    folder.parent.mkdir(parents=True, mode=0o755)
    os.chmod(folder.parent, 0o757)  # made by someone careless: others could plant code in it
    _draft(tmp_path / "letter.docx")
    for path in (folder.parent, folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert files and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)


def test_a_cache_folder_owned_by_someone_else_is_not_used(tmp_path, monkeypatch):
    environment = render_env._configure(render_env._CompilingOnce, False, flavour="wording",
                                        disk=compile_cache.CompiledCache(tmp_path / "appeal" / "compiled"))
    environment.from_string("Hello {{ name }}")
    disk = compile_cache.CompiledCache(tmp_path / "appeal" / "compiled")
    key = disk.key("wording", "Hello {{ name }}")
    assert disk.load(key) is not None
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    stranger = compile_cache.CompiledCache(tmp_path / "appeal" / "compiled")
    assert stranger.load(key) is None
    stranger.store(disk.key("wording", "Other"), compile("1", "<x>", "eval"))
    assert stranger.stored == 0 and len(list((tmp_path / "appeal" / "compiled").iterdir())) == 1


def _fresh(folder: Path) -> render_env._CompilingOnce:
    return render_env._configure(render_env._CompilingOnce, True, flavour="docx",
                                 disk=compile_cache.CompiledCache(folder))


def test_a_cached_template_is_held_to_the_sandbox_as_a_compiled_one(cache):
    folder, compiled = cache
    reaching = "{{ name.__class__.__mro__ }}"
    with pytest.raises(TemplateProblem, match="__class__"):
        _fresh(folder).from_string(reaching).render(name="x")
    assert len(compiled) == 1
    with pytest.raises(TemplateProblem, match="__class__"):  # from the cache, refused at the same place
        _fresh(folder).from_string(reaching).render(name="x")
    assert len(compiled) == 1
    for _ in range(2):  # refused while reading: never kept, so refused on every run
        with pytest.raises(TemplateProblem, match="include"):
            _fresh(folder).from_string("{% include 'letter.docx' %}")
    assert len(compiled) == 3 and len(list(folder.iterdir())) == 1


def test_an_expression_and_a_template_of_the_same_text_do_not_share_an_entry(cache):
    folder, _ = cache
    first = _fresh(folder)
    assert first.compile_expression("1 + 1")() == 2
    assert first.from_string("1 + 1").render() == "1 + 1"
    second = _fresh(folder)
    assert second.from_string("1 + 1").render() == "1 + 1"
    assert second.compile_expression("1 + 1")() == 2
    assert second.disk.loaded == 2
