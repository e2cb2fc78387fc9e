"""Compiled templates and sentences kept on disk between runs, so a new process does not compile them again.

Compiling Jinja to Python is most of a cold `appeal draft` after the imports: the kinds' sentences (about 150,
each checked when the kinds are read) and the .docx body cost a quarter of a second on every run (profiled).
Jinja's own bytecode cache serves only templates read through a loader, and ours are handed over as text
(`from_string`, docxtpl's whole document, `compile_expression`), so this does the same job for them (and keeps
the names each .docx template uses, which take reading the whole template to find):

- Each entry is the marshalled code object of one source, kept by appeal/base/disk_cache.py (atomic owner-only
  files, a damaged one ignored, the folder the user's alone, $APPEAL_NO_COMPILE_CACHE), and named by a hash of the
  source and of everything that shapes its code (which environment, Jinja's and Python's versions, and the text of
  the sandbox's own modules, whose rewriting goes into the code), so a changed template or a changed sandbox never
  finds a stale entry.
- Only what compiled without error is kept: a template the sandbox refuses is refused again on every run.
"""

from __future__ import annotations

import hashlib
import sys
import types
from functools import lru_cache
from pathlib import Path
from typing import Any

from appeal.base.disk_cache import DISABLE_VARIABLE, DiskCache, cache_folder

__all__ = ["DISABLE_VARIABLE", "CompiledCache", "user_compiled_cache"]

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


class CompiledCache(DiskCache):
    """Code objects by source, in `folder` (None: nothing is kept)."""

    def __init__(self, folder: Path | None):
        super().__init__(folder, _salt)

    def load(self, key: str, expected: type = types.CodeType) -> Any:
        return super().load(key, expected)


def user_compiled_cache() -> CompiledCache:
    """The user's cache of compiled templates (off when $APPEAL_NO_COMPILE_CACHE is set to anything but 0)."""
    return CompiledCache(cache_folder())
