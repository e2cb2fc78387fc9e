"""Writing files the way health information deserves: atomically, owner-only, never silently over a user's file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from appeal.errors import UserError

OWNER_ONLY = 0o600


def write_bytes(path: Path, data: bytes, *, overwrite: bool) -> Path:
    """Write to a temporary file beside `path`, then move it into place in one step.

    A crash leaves either the old file or the new one, never half of one. Without `overwrite`, an existing file
    is refused (the link below fails if the name is taken, so even a race cannot clobber it).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"Cannot write {path}: the folder {folder} does not exist.")
    if path.exists() and not overwrite:
        raise UserError(f"{path} already exists. Choose another name with -o, or add --force to replace it.")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, OWNER_ONLY)
        if overwrite:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise UserError(f"{path} already exists. Choose another name with -o, or add --force.") from None
            except OSError:  # a file system without hard links: check, then move
                if path.exists():
                    raise UserError(f"{path} already exists. Choose another name with -o, or add --force.") from None
                os.replace(temporary, path)
            else:
                os.unlink(temporary)
    except PermissionError:
        raise UserError(f"Cannot write {path}: permission denied.") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def write_text(path: Path, text: str, *, overwrite: bool) -> Path:
    return write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def private_folder(path: Path) -> Path:
    """Make `path` and any missing parents readable by the owner only (0700), whatever the umask. Folders that
    already exist are left as they are."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue
        except OSError as error:
            raise UserError(f"Cannot create the folder {folder}: {error.strerror or error}.") from None
        os.chmod(folder, 0o700)
    if not path.is_dir():
        raise UserError(f"Cannot use {path} as a folder: something else is in the way.")
    return path
