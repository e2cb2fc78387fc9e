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


MAX_DESCRIPTION_BYTES = 64 * 1024
_TEXT_FIELDS = ("title", "summary")


def _read_meta(path: Path) -> dict:
    """A kind's description, read with bounds: a shared template folder may hold anything."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DESCRIPTION_BYTES + 1)
    except OSError as error:
        raise UserError(f"The template description {path} cannot be read: {error.strerror or error}.") from None
    if len(data) > MAX_DESCRIPTION_BYTES:
        raise UserError(f"The template description {path} is over {MAX_DESCRIPTION_BYTES // 1024} KB; it should hold "
                        "a few lines (title, summary, senders).")
    if b"\0" in data:
        raise UserError(f"The template description {path} is not text (it looks like a binary file).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"The template description {path} is not UTF-8 text; save it as UTF-8.") from None
    try:
        meta = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise UserError(f"The template description {path} is not valid YAML{where}: "
                        f"{getattr(error, 'problem', None) or error}.") from None
    except (RecursionError, ValueError, IndexError, OverflowError, MemoryError) as error:
        raise UserError(f"The template description {path} cannot be read: {type(error).__name__}: {error}.") from None
    if not isinstance(meta, dict):
        raise UserError(f"The template description {path} must hold fields like 'title:' and 'summary:'.")
    return _checked_meta(path, meta)


def _checked_meta(path: Path, meta: dict) -> dict:
    """Each field the right type, so that nothing below walks a strange structure (a YAML alias bomb)."""
    for name in _TEXT_FIELDS:
        if name in meta and not isinstance(meta[name], str | int | float):
            raise UserError(f"{path}: {name} must be a line of text, e.g. {name}: My own appeal letter.")
    if "senders" in meta:
        senders = meta["senders"]
        if not isinstance(senders, list) or not all(isinstance(item, str) for item in senders):
            raise UserError(f"{path}: senders must be a list such as [patient, representative, provider].")
    if "needs_denial" in meta and not isinstance(meta["needs_denial"], bool):
        raise UserError(f"{path}: needs_denial must be true or false.")
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

        from appeal.template_package import check_package

        check_package(template)
        try:
            properties = Document(str(template)).core_properties
        except Exception as error:  # noqa: BLE001 - python-docx raises many kinds for a damaged file
            raise UserError(f"The template {template} is not a Word document that can be opened ({error}).") from None
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


def refuse_if_others_can_write(path: Path) -> None:
    """Another local user who can write into a template folder could plant a template; such a folder is refused.

    Writable by everyone, or by a group that is not the person's own private group (the usual setting on
    Debian and Ubuntu, where each user has a group of their own), or owned by someone else.
    """
    if os.name != "posix":
        return
    import grp
    import pwd
    import stat

    try:
        status = path.stat()
    except OSError:
        return
    me = os.getuid()
    mode = status.st_mode
    writable_by_group = bool(mode & stat.S_IWGRP)
    if writable_by_group:
        try:
            group = grp.getgrgid(status.st_gid)
            own_private_group = status.st_gid == os.getgid() and group.gr_name == pwd.getpwuid(me).pw_name \
                and not group.gr_mem
        except KeyError:
            own_private_group = False
        writable_by_group = not own_private_group
    if mode & stat.S_IWOTH or writable_by_group or status.st_uid not in (me, 0):
        what = "folder" if path.is_dir() else "file"
        raise UserError(
            f"The template {what} {path} can be changed by other users of this computer, so its templates are not "
            f"used (someone could plant a letter there). Make it yours alone: chmod go-w '{path}'."
        )


@lru_cache(maxsize=8)
def all_kinds(extra: tuple[Path, ...] = ()) -> dict[str, LetterKind]:
    kinds: dict[str, LetterKind] = {}
    for folder, source in folders(extra):
        if source != "built-in" and not folder.is_dir():
            if source == "--templates":
                raise UserError(f"--templates {folder}: no such folder.")
            continue
        if source != "built-in":
            refuse_if_others_can_write(folder)
        for template in sorted(folder.glob("*.docx")):
            if template.name.startswith(("~$", ".")):  # Word's lock files and hidden files
                continue
            if source != "built-in":
                refuse_if_others_can_write(template)
                if template.with_suffix(".yaml").exists():
                    refuse_if_others_can_write(template.with_suffix(".yaml"))
            kinds[template.stem] = _kind(template, source, kinds.get(template.stem))
    return kinds


def get(name: str, extra: tuple[Path, ...] = ()) -> LetterKind:
    kinds = all_kinds(extra)
    if name not in kinds:
        raise UserError(f"There is no letter kind '{name}'. The kinds are: {', '.join(kinds)} (see `appeal letters`).")
    return kinds[name]
