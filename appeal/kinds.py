"""Letter kinds: each is a .docx template, described by a small YAML file beside it.

Templates come from folders, later ones winning: the built-in `letter_templates/`, the per-user folder
(`appeal templates new` puts copies there), the folders in $APPEAL_TEMPLATES, then each `--templates DIR`.
A template named like a built-in kind replaces it; a new name adds a kind. A template without its YAML file
borrows the built-in kind's description, or its own .docx title and subject.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from appeal.errors import UserError
from appeal.resources import bundled, parse_bundled_yaml

ENVIRONMENT_VARIABLE = "APPEAL_TEMPLATES"
ALL_SENDERS = ("patient", "representative", "provider")


@dataclass(frozen=True)
class LetterKind:
    """A kind of letter: its template and what it is for."""

    name: str
    title: str
    summary: str
    template: Path
    senders: tuple[str, ...] = ALL_SENDERS
    needs_denial: bool = False
    source: str = "built-in"


def user_folder() -> Path:
    """The per-user template folder (on Linux ~/.local/share/appeal/templates), from platformdirs."""
    import platformdirs

    return Path(platformdirs.user_data_dir("appeal", appauthor=False)) / "templates"


def folders(extra: tuple[Path, ...] = ()) -> list[tuple[Path, str]]:
    """Every template folder with a short name for `appeal letters`, lowest priority first."""
    found = [(bundled("letter_templates"), "built-in"), (user_folder(), "your templates")]
    for item in os.environ.get(ENVIRONMENT_VARIABLE, "").split(os.pathsep):
        if item.strip():
            found.append((Path(item.strip()), f"${ENVIRONMENT_VARIABLE}"))
    found += [(Path(item), "--templates") for item in extra]
    return found


def _read_meta(path: Path) -> dict:
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"The template description {path} cannot be read: {error}.") from None
    if not isinstance(meta, dict):
        raise UserError(f"The template description {path} must hold fields like 'title:' and 'summary:'.")
    return meta


def _kind(template: Path, source: str, inherited: LetterKind | None) -> LetterKind:
    meta_path = template.with_suffix(".yaml")
    if not meta_path.is_file():
        meta = {}
    elif source == "built-in":  # our own file: parsed by libyaml, without a user file's checks
        meta = parse_bundled_yaml(meta_path.read_text(encoding="utf-8")) or {}
    else:
        meta = _read_meta(meta_path)
    if not meta and inherited is None:
        from docx import Document

        properties = Document(str(template)).core_properties
        meta = {"title": properties.title or template.stem.replace("-", " ").capitalize(),
                "summary": properties.subject or properties.comments or f"Your own template {template.name}."}
    base = inherited or LetterKind(template.stem, "", "", template)
    senders = meta.get("senders", base.senders)
    unknown = set(senders) - set(ALL_SENDERS)
    if unknown:
        raise UserError(f"{meta_path}: senders may be {', '.join(ALL_SENDERS)}, not {', '.join(sorted(unknown))}.")
    return LetterKind(
        name=template.stem,
        title=str(meta.get("title", base.title)),
        summary=str(meta.get("summary", base.summary)),
        template=template,
        senders=tuple(senders),
        needs_denial=bool(meta.get("needs_denial", base.needs_denial)),
        source=source if source == "built-in" else f"{source}: {template.parent}",
    )


@lru_cache(maxsize=8)
def all_kinds(extra: tuple[Path, ...] = ()) -> dict[str, LetterKind]:
    kinds: dict[str, LetterKind] = {}
    for folder, source in folders(extra):
        if source != "built-in" and not folder.is_dir():
            if source == "--templates":
                raise UserError(f"--templates {folder}: no such folder.")
            continue
        for template in sorted(folder.glob("*.docx")):
            if template.name.startswith(("~$", ".")):  # Word's lock files and hidden files
                continue
            kinds[template.stem] = _kind(template, source, kinds.get(template.stem))
    return kinds


def get(name: str, extra: tuple[Path, ...] = ()) -> LetterKind:
    kinds = all_kinds(extra)
    if name not in kinds:
        raise UserError(f"There is no letter kind '{name}'. The kinds are: {', '.join(kinds)} (see `appeal letters`).")
    return kinds[name]
