"""Writing files the way health information deserves: atomically, owner-only, never silently over a user's file."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from appeal.base.errors import UserError, os_reason
from appeal.base.language import N_, translate as _

OWNER_ONLY = 0o600


def describe_os_error(error: OSError) -> str:
    """An operating-system error in words: what to do about it."""
    reasons = {
        errno.EACCES: N_("permission denied (choose a folder you can write to)"),
        errno.EPERM: N_("permission denied (choose a folder you can write to)"),
        errno.EROFS: N_("the disk or folder is read-only (choose another folder)"),
        errno.ENOSPC: N_("the disk is full (free some space, or choose another disk)"),
        errno.EDQUOT: N_("your disk quota is used up (free some space)"),
        errno.EISDIR: N_("a folder has that name (choose a file name, like letter.docx)"),
        errno.ENOTDIR: N_("part of the path is a file, not a folder"),
        errno.ENAMETOOLONG: N_("the name is too long"),
        errno.EFBIG: N_("the file is larger than the disk or your limits allow"),
    }
    return _(reasons[error.errno]) if error.errno in reasons else os_reason(error)


# Errors that are the folder's (its permissions, its disk), so the message names the folder as well.
_FOLDER_ERRORS = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT)


def write_bytes(path: Path, data: bytes, *, overwrite: bool, durable: bool = True) -> Path:
    """Write to a temporary file beside `path`, then move it into place in one step.

    A crash leaves either the old file or the new one, never half of one. Without `overwrite`, an existing file
    is refused (the link below fails if the name is taken, so even a race cannot clobber it). Every failure
    (permission, a read-only or full disk, a folder in the way) is a UserError; the old file is untouched and
    the temporary file is removed. `durable=False` skips waiting for the disk (a cache, which checks what it
    reads, can lose a file to a power cut; a letter cannot).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(_("Cannot write {path}: the folder {folder} does not exist.").format(path=path, folder=folder))
    if path.is_dir():
        raise UserError(_("Cannot write {path}: it is a folder. Give a file name, like {example}.").format(
            path=path, example=path / "letter.docx"))
    if path.exists() and not overwrite:
        raise UserError(_("{path} already exists. Choose another name with -o, or add --force to replace it.").format(path=path))
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temporary, OWNER_ONLY)
        if overwrite:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise UserError(_("{path} already exists. Choose another name with -o, or add --force.").format(path=path)) from None
            except OSError:  # a file system without hard links: check, then move
                if path.exists():
                    raise UserError(_("{path} already exists. Choose another name with -o, or add --force.").format(path=path)) from None
                os.replace(temporary, path)
    except OSError as error:
        if error.errno in _FOLDER_ERRORS:
            raise UserError(_("Cannot write {path}: {reason} in the folder {folder}. Nothing was changed.").format(
                path=path, reason=describe_os_error(error), folder=folder.resolve())) from None
        raise UserError(_("Cannot write {path}: {reason}. Nothing was changed.").format(
            path=path, reason=describe_os_error(error))) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass  # moved into place
            except OSError:
                pass  # a folder we cannot change: mkstemp made nothing there
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
            raise UserError(_("Cannot create the folder {folder}: {reason}.").format(folder=folder, reason=os_reason(error))) from None
        os.chmod(folder, 0o700)
    if not path.is_dir():
        raise UserError(_("Cannot use {path} as a folder: something else is in the way.").format(path=path))
    return path
