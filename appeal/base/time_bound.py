"""A bound on the processor time of work done inside this process on a file someone gave us (a PDF parsed by
pypdf, a picture cleaned up by Pillow), where a subprocess's timeout cannot be used.

A file can be made to keep a parser busy for hours (a content stream of millions of operators, a page tree that
folds back on itself). The kernel's interval timer counts this process's processor time and rings a signal when
the budget is spent; the handler raises an exception from whatever line is running, and the `with` block turns it
into the caller's message. The exception is not an `Exception`, so a library's own `except Exception` cannot
swallow it. Signals reach only the main thread: elsewhere (a web server's worker) the work runs unbounded, and
the caller keeps its own bounds (sizes, pages).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from appeal.base.errors import UserError


class _OutOfTime(BaseException):
    """Raised by the timer's signal inside the bounded block; never seen outside it."""


@contextmanager
def processor_time_bound(seconds: float, message: str) -> Iterator[None]:
    """Run the block with at most `seconds` of processor time; past that, UserError(message)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    armed = [True]

    def ring(signum, frame) -> None:
        if armed[0]:  # the signal may arrive just after the block ended: then it means nothing
            raise _OutOfTime

    previous = signal.signal(signal.SIGPROF, ring)
    # The timer rings again every tenth of its budget: a ring that lands inside a finalizer or a weakref callback
    # cannot be raised there, and a one-shot timer would then never stop. Such a ring is dropped quietly (Python
    # would print it as "Exception ignored in ..." with a traceback); any other unraisable error still goes on.
    hook = sys.unraisablehook

    def quiet(unraisable) -> None:
        if not isinstance(unraisable.exc_value, _OutOfTime):
            hook(unraisable)

    sys.unraisablehook = quiet
    outer = signal.setitimer(signal.ITIMER_PROF, seconds, max(seconds / 10, 0.001))
    try:
        yield
    except _OutOfTime:
        raise UserError(message) from None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_PROF, *outer)
        signal.signal(signal.SIGPROF, previous)
        sys.unraisablehook = hook
