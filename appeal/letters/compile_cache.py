"""Compiled templates and sentences kept on disk between runs, so a new process does not compile them again.

Compiling Jinja to Python is most of a cold `appeal draft` after the imports: the kinds' sentences (about 150,
each checked when the kinds are read) and the .docx body cost a quarter of a second on every run (profiled).
Jinja's own bytecode cache serves only templates read through a loader, and ours are handed over as text
(`from_string`, docxtpl's whole document, `compile_expression`), so this does the same job for them (and keeps
the names each .docx template uses, which take reading the whole template to find):

- Each entry is the marshalled code object of one source, named by a hash of the source and of everything that
  shapes its code (which environment, Jinja's and Python's versions, and the text of the sandbox's own modules,
  whose rewriting goes into the code), so a changed template or a changed sandbox never finds a stale entry.
- Only what compiled without error is kept: a template the sandbox refuses is refused again on every run.
- The folder is the user's cache folder (appeal/base/folders.py), owner-only (0700); one owned by another user
  is not used at all, since its code would run in this process. A file is written atomically and carries a
  hash of its content: a damaged or truncated one is ignored, compiled again and rewritten.
- $APPEAL_NO_COMPILE_CACHE=1 turns it off (every run compiles, as before).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import types
from functools import lru_cache
from pathlib import Path
from typing import Any

DISABLE_VARIABLE = "APPEAL_NO_COMPILE_CACHE"
_MAGIC = b"appeal-jinja-code 1\n"
_DIGEST_SIZE = 32
_MOST_FILES = 4_000  # beyond this many entries, the older half is removed (edited templates leave old ones)
# The modules whose text shapes the compiled code: the sandbox's rewriting and the environments' options.
_SHAPING = ("sandbox.py", "render_env.py", "compile_cache.py")


@lru_cache(maxsize=1)
def _salt() -> bytes:
    import jinja2

    digest = hashlib.sha256(f"{jinja2.__version__}\0{sys.implementation.cache_tag}\0".encode())
    here = Path(__file__).parent
    for name in _SHAPING:
        digest.update((here / name).read_bytes())
    return digest.digest()


class CompiledCache:
    """Code objects by source, in `folder` (None: nothing is kept). `loaded` and `stored` count what it did, so
    tests can tell a run that compiled from one that did not, without a clock."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.loaded = 0
        self.stored = 0
        self._usable: bool | None = None

    def key(self, flavour: str, source: str) -> str:
        digest = hashlib.sha256(_salt())
        digest.update(flavour.encode() + b"\0")
        digest.update(source.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def load(self, key: str, expected: type = types.CodeType) -> Any:
        """The code (or other `expected` value) kept under `key`, or None when there is none, or it is damaged, or
        the folder is not ours."""
        if self.folder is None or not self._folder_is_private(create=False):
            return None
        try:
            data = (self.folder / key).read_bytes()
        except OSError:
            return None
        header = len(_MAGIC) + _DIGEST_SIZE
        if len(data) <= header or not data.startswith(_MAGIC):
            return None
        payload = data[header:]
        if hashlib.sha256(payload).digest() != data[len(_MAGIC):header]:
            return None
        try:
            code = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if not isinstance(code, expected):
            return None
        self.loaded += 1
        return code

    def store(self, key: str, code: Any) -> None:
        """Keep `code` (or any value marshal can write) under `key`; a folder that cannot be written (read-only, full) only means no cache."""
        if self.folder is None or not self._folder_is_private(create=True):
            return
        from appeal.base.errors import UserError
        from appeal.base.safe_write import write_bytes

        payload = marshal.dumps(code)
        try:
            write_bytes(self.folder / key, _MAGIC + hashlib.sha256(payload).digest() + payload, overwrite=True,
                        durable=False)
        except (UserError, ValueError):
            return
        self.stored += 1
        if self.stored % 100 == 1:
            self._trim()

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


def user_compiled_cache() -> CompiledCache:
    """The user's cache of compiled templates (off when $APPEAL_NO_COMPILE_CACHE is set to anything but 0)."""
    if os.environ.get(DISABLE_VARIABLE, "0") not in ("", "0"):
        return CompiledCache(None)
    from appeal.base.folders import user_cache

    return CompiledCache(user_cache() / "compiled")
