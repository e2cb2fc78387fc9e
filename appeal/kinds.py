"""Letter kinds: each is a .docx template with a small YAML file beside it that says what it is for."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from appeal.errors import UserError
from appeal.resources import bundled


@dataclass(frozen=True)
class LetterKind:
    """A kind of letter, described by `<name>.yaml` beside `<name>.docx`."""

    name: str
    title: str
    summary: str
    template: Path
    senders: tuple[str, ...] = ("patient", "representative", "provider")
    needs_denial: bool = False
    source: str = "built-in"
    notes: dict = field(default_factory=dict)


def _read_kind(meta_path: Path, source: str) -> LetterKind:
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    return LetterKind(
        name=meta_path.stem,
        title=meta["title"],
        summary=meta["summary"],
        template=meta_path.with_suffix(".docx"),
        senders=tuple(meta.get("senders", LetterKind.senders)),
        needs_denial=bool(meta.get("needs_denial", False)),
        source=source,
    )


@lru_cache(maxsize=1)
def all_kinds() -> dict[str, LetterKind]:
    folder = bundled("letter_templates")
    return {
        meta.stem: _read_kind(meta, "built-in")
        for meta in sorted(folder.glob("*.yaml"))
        if meta.with_suffix(".docx").is_file()
    }


def get(name: str) -> LetterKind:
    kinds = all_kinds()
    if name not in kinds:
        raise UserError(f"There is no letter kind '{name}'. The kinds are: {', '.join(kinds)} (see `appeal letters`).")
    return kinds[name]
