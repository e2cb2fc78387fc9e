"""Values kept on disk between runs, so a new process does not work them out again: compiled templates
(appeal/letters/compile_cache.py), the spelling list (appeal/letters/proofread.py) and the bundled YAML files
parsed (appeal/base/resources.py).

- Each entry is one marshalled value (or pickled, where marshal cannot hold it: a date), named by a hash of its
  source and of a salt: everything else that shapes the value (library versions, Python's), so a changed source
  or library never finds a stale entry.
- The folder is in the user's cache folder (appeal/base/folders.py), owner-only (0700); one owned by another user
  is not used at all, since compiled code from it would run in this process. A file is written atomically and
  carries a hash of its content: a damaged or truncated one is ignored, worked out again and rewritten.
- $APPEAL_NO_COMPILE_CACHE=1 turns it off (every run works everything out, as without it).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

DISABLE_VARIABLE = "APPEAL_NO_COMPILE_CACHE"
MAGIC = b"appeal-jinja-code 1\n"
_DIGEST_SIZE = 32
_MOST_FILES = 4_000  # beyond this many entries, the older half is removed (edited templates leave old ones)


class DiskCache:
    """Values by source, in `folder` (None: nothing is kept), each key salted by `salt()` (asked for on the first
    key, so a salt that imports a library costs nothing until a key is wanted). `loaded` and `stored` count what
    it did, so tests can tell a run that worked something out from one that did not, without a clock.
    `makes_folder=False`: the cache is read and added to only once something else has made the folder, so a
    command that otherwise writes nothing leaves nothing behind. `pickled`: values are pickled, not marshalled
    (the cache is as trusted as the compiled code it holds, which runs in this process anyway)."""

    def __init__(self, folder: Path | None, salt: Callable[[], bytes] = bytes, makes_folder: bool = True,
                 pickled: bool = False):
        self.folder = folder
        self._pickled = pickled
        self.loaded = 0
        self.stored = 0
        self._salt = salt
        self._makes_folder = makes_folder
        self._usable: bool | None = None

    def key(self, flavour: str, source: str | bytes) -> str:
        digest = hashlib.sha256(self._salt())
        digest.update(flavour.encode() + b"\0")
        digest.update(source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def load(self, key: str, expected: type) -> Any:
        """The value of type `expected` kept under `key`, or None when there is none, or it is damaged, or the
        folder is not ours."""
        if self.folder is None or not self._folder_is_private(create=False):
            return None
        try:
            data = (self.folder / key).read_bytes()
        except OSError:
            return None
        header = len(MAGIC) + _DIGEST_SIZE
        if len(data) <= header or not data.startswith(MAGIC):
            return None
        payload = data[header:]
        if hashlib.sha256(payload).digest() != data[len(MAGIC):header]:
            return None
        try:
            value = self._serializer().loads(payload)
        except Exception:  # noqa: BLE001 (whatever a damaged entry makes pickle or marshal raise: not kept)
            return None
        if not isinstance(value, expected):
            return None
        self.loaded += 1
        return value

    def store(self, key: str, value: Any) -> None:
        """Keep `value` (anything marshal, or pickle for a pickled cache, can write; anything else is not kept)
        under `key`; a folder that cannot be written (read-only, full) only means no cache."""
        if self.folder is None or not self._folder_is_private(create=self._makes_folder):
            return
        from appeal.base.errors import UserError
        from appeal.base.safe_write import write_bytes

        try:
            payload = self._serializer().dumps(value)
            write_bytes(self.folder / key, MAGIC + hashlib.sha256(payload).digest() + payload, overwrite=True,
                        durable=False)
        except (UserError, ValueError, TypeError, AttributeError):  # not writable, or a value it cannot hold
            return
        self.stored += 1
        if self.stored % 100 == 1:
            self._trim()

    def _serializer(self) -> Any:
        if self._pickled:
            import pickle

            return pickle
        return marshal

    def _folder_is_private(self, create: bool) -> bool:
        """The folder and its parent (appeal's cache folder) exist, are this user's and no one else's (made 0700
        when they are ours but open to others)."""
        if self._usable:
            return True
        assert self.folder is not None
        if create:
            from appeal.base.errors import UserError
            from appeal.base.safe_write import private_folder

            try:
                private_folder(self.folder)
            except UserError:
                self._usable = False
                return False
        for folder in (self.folder.parent, self.folder):
            try:
                status = os.lstat(folder)
            except OSError:
                return False  # not made yet: nothing to read, and a later store makes it
            if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
                self._usable = False
                return False
            if status.st_mode & 0o077:
                try:
                    os.chmod(folder, 0o700)
                except OSError:
                    self._usable = False
                    return False
        self._usable = True
        return True

    def _trim(self) -> None:
        """At most _MOST_FILES entries: the older half goes when there are more (each is made again if needed)."""
        try:
            entries = [entry for entry in os.scandir(self.folder) if entry.is_file(follow_symlinks=False)]
            if len(entries) <= _MOST_FILES:
                return
            entries.sort(key=lambda entry: entry.stat().st_mtime)
            for entry in entries[: len(entries) // 2]:
                os.unlink(entry.path)
        except OSError:
            pass


def cache_folder() -> Path | None:
    """The folder of every entry, in the user's cache folder; None when $APPEAL_NO_COMPILE_CACHE is set to
    anything but 0."""
    if os.environ.get(DISABLE_VARIABLE, "0") not in ("", "0"):
        return None
    from appeal.base.folders import user_cache

    return user_cache() / "compiled"
