"""The user's own folders, found in one order for everything (templates, evidence, drafts), documented here once.

Where a letter template or an evidence snippet can come from, highest first:
  1. the command line: --templates DIR, --evidence DIR (repeatable; a later one wins over an earlier one),
  2. the environment: $APPEAL_TEMPLATES, $APPEAL_EVIDENCE_DIR (folders separated by os.pathsep, later wins),
  3. the user's folder: appeal's data folder from platformdirs (on Linux $XDG_DATA_HOME/appeal, else
     ~/.local/share/appeal); `appeal templates new` copies templates to its templates/, drafts go to drafts/,
  4. the built-in ones.
A template or snippet of the same name replaces the one from a lower place. Only the standard library is
imported here at start-up, because `appeal --help` builds its parser with `add_folder_options`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from appeal.base.language import translate as _

TEMPLATES_VARIABLE = "APPEAL_TEMPLATES"
EVIDENCE_VARIABLE = "APPEAL_EVIDENCE_DIR"


def user_data() -> Path:
    """appeal's per-user data folder. Drafts hold health information, so never the current directory."""
    base = os.environ.get("XDG_DATA_HOME", "")
    if base and not os.path.isabs(base):  # the XDG rule: a relative path is invalid and is ignored
        return Path.home() / ".local" / "share" / "appeal"
    import platformdirs

    return Path(platformdirs.user_data_dir("appeal", appauthor=False))


def user_cache() -> Path:
    """appeal's per-user cache folder (compiled templates): $XDG_CACHE_HOME/appeal, else ~/.cache/appeal on Linux.
    Everything in it can be made again; deleting it only costs the next run some time."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "appeal"
    if base:  # the XDG rule: a relative path is invalid and is ignored
        return Path.home() / ".cache" / "appeal"
    import platformdirs

    return Path(platformdirs.user_cache_dir("appeal", appauthor=False))


def from_environment(variable: str) -> list[Path]:
    value = os.environ.get(variable, "")
    return [Path(part.strip()).expanduser() for part in value.split(os.pathsep) if part.strip()]


def search_order(built_in: Path, variable: str, command_line: tuple[Path, ...] | list[Path] | None,
                 option: str, user: Path | None = None) -> list[tuple[Path, str]]:
    """Every folder to read, lowest priority first, each with where it came from (as `appeal letters` says)."""
    found = [(built_in, "built-in")]
    if user is not None:
        found.append((user, "your templates"))
    found += [(folder, f"${variable}") for folder in from_environment(variable)]
    found += [(Path(folder), option) for folder in command_line or ()]
    return found


def add_folder_options(parser: argparse.ArgumentParser, *, evidence: bool = True, templates: bool = True) -> None:
    """The user's own evidence and template folders, the same for every command that reads them."""
    if evidence:
        parser.add_argument("--evidence", metavar=_("DIR"), action="append", type=Path,
                            help=_("a folder of your own evidence snippets (repeatable; also ${variable})").format(
                                variable=EVIDENCE_VARIABLE))
    if templates:
        parser.add_argument("--templates", metavar=_("DIR"), action="append", type=Path,
                            help=_("a folder of your own letter templates (repeatable; also ${variable})").format(
                                variable=TEMPLATES_VARIABLE))
