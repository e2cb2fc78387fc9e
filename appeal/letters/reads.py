"""Which case fields a piece of code reads: the letter's real dependencies, found by running it.

The letter plan, the coverage checks and the derived facts are Python and Jinja over the case; a table of what
each of them reads would be a second copy that drifts. Instead, `recording(case)` watches every field read on
the case's own models while a block runs and returns them as field paths ("patient.member_id",
"prior_treatments[].current_episode"), in the order first read. appeal.letters.goals asks the questions for these.

It works by giving the case models a `__getattribute__` for the duration of the block only (nothing is slower
outside it), and it records only reads in the current context (contextvars), so another thread or a nested
recording is not disturbed. Reading a section ("patient") is not a fact; reading a list ("diagnoses") is.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from pydantic import BaseModel

from appeal.cases.case import Model

_active: ContextVar[tuple[dict[int, str], list[str], set[str]] | None] = ContextVar("appeal_reads", default=None)
_lock = threading.Lock()
_installed = 0


def _paths(model: BaseModel, path: str, found: dict[int, str]) -> dict[int, str]:
    """Each model object of the case by id, with its field path ("" for the case, "prior_treatments[]")."""
    found[id(model)] = path
    for name, value in model:  # iterating a model reads its __dict__, not through __getattribute__
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            _paths(value, where, found)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _paths(item, where + "[]", found)
    return found


def _watching(self: Any, name: str) -> Any:
    """Every attribute read on a case model while a recording is on: the questionnaire records the letter's reads
    after each answer, millions of reads, so the common cases (a private name, a read outside the case) leave first."""
    value = object.__getattribute__(self, name)
    if name[:1] == "_":
        return value
    state = _active.get()
    if state is None:
        return value
    owner = state[0].get(id(self))
    if owner is not None and name in _field_names(type(self)) and not isinstance(value, BaseModel):
        path = f"{owner}.{name}" if owner else name
        if path not in state[2]:
            state[2].add(path)
            state[1].append(path)
    return value


def places(case: BaseModel) -> dict[int, str]:
    """Each model object of the case by id, with its field path: what `recording` watches."""
    return _paths(case, "", {})


@functools.cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """A model's field names, once per class (pydantic's `model_fields` is a property that builds its answer)."""
    return frozenset(model.__pydantic_fields__)


@contextmanager
def recording(case: BaseModel, where: dict[int, str] | None = None) -> Iterator[list[str]]:
    """`with recording(case) as read:` ... then `read` holds the case's field paths read in the block. `where` is
    `places(case)` already worked out, for several blocks recorded in turn on the same unchanged case."""
    global _installed
    read: list[str] = []
    token = _active.set((where if where is not None else places(case), read, set()))
    with _lock:
        if _installed == 0:
            Model.__getattribute__ = _watching
        _installed += 1
    try:
        yield read
    finally:
        _active.reset(token)
        with _lock:
            _installed -= 1
            if _installed == 0:
                del Model.__getattribute__
