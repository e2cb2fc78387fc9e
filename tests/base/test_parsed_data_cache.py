"""The bundled YAML files parsed once and kept in the user's cache (appeal/base/resources.py): read back as the
parser reads them, dates included; a damaged entry is parsed again; nothing kept until a command that compiles has
made the cache folder."""

from __future__ import annotations

import yaml

from appeal.base import resources
from appeal.base.resources import PACKAGE, parse_bundled_yaml

TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted((PACKAGE / "data").glob("*.yaml"))}


def _parsed(text: str):
    """As the parser reads it (tests/test_startup.py checks libyaml's reading against the pure-Python one's)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def _fresh_cache(tmp_path, monkeypatch, made: bool):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("APPEAL_NO_COMPILE_CACHE", raising=False)
    if made:
        (tmp_path / "appeal" / "compiled").mkdir(parents=True, mode=0o700)
    resources._parsed_cache.cache_clear()
    return resources._parsed_cache()


def test_data_read_back_from_the_cache_is_what_the_parser_reads(tmp_path, monkeypatch):
    disk = _fresh_cache(tmp_path, monkeypatch, made=True)
    try:
        expected = {name: _parsed(text) for name, text in TEXTS.items()}
        for name, text in TEXTS.items():
            assert parse_bundled_yaml(text) == expected[name], name
        assert disk.stored == len(TEXTS) and disk.loaded == 0
        for name, text in TEXTS.items():  # rules.yaml has dates: kept too
            kept = parse_bundled_yaml(text)
            assert kept == expected[name] and kept is not parse_bundled_yaml(text), name
        assert disk.loaded == 2 * len(TEXTS)

        for path in (tmp_path / "appeal" / "compiled").iterdir():  # damaged: parsed again, not read
            path.write_bytes(path.read_bytes()[:-1] + b"\x00")
        assert all(parse_bundled_yaml(text) == expected[name] for name, text in TEXTS.items())
        assert disk.loaded == 2 * len(TEXTS) and disk.stored == 2 * len(TEXTS)
    finally:
        resources._parsed_cache.cache_clear()


def test_nothing_is_kept_before_the_cache_folder_is_made(tmp_path, monkeypatch):
    """`appeal check` or `deadline` alone leave no cache folder behind (tests/test_startup.py)."""
    disk = _fresh_cache(tmp_path, monkeypatch, made=False)
    try:
        assert parse_bundled_yaml(TEXTS["states.yaml"]) == _parsed(TEXTS["states.yaml"])
        assert disk.stored == 0 and not (tmp_path / "appeal").exists()
    finally:
        resources._parsed_cache.cache_clear()
