"""`appeal ARGS` run in the test's own process, as a new process would run it: a start of an `appeal` process is
0.6-1 s of processor time (the interpreter and our imports), the command itself mostly a few milliseconds. For
tests about what a command says and writes; a test about the process itself (its imports at start-up, a signal,
the console script, the kernel's permission checks) starts a real one.

What a new process would not carry over, `appeal()` does not either: it runs in its own working folder, with the
environment the test gives, stdin that is not a terminal (as /dev/null), logging as a fresh process has it (no
handler on the root logger, so a library's stray warning reaches stderr as it would), and stdout and stderr
captured; afterwards the folder, the environment and the root logger's handlers are as they were. Module-level
state of the CLI is reset before and after each run: the language chosen (`--lang`), and the letter kinds read from
the user's template folders (`kinds.all_kinds`, which depend on HOME, XDG_DATA_HOME and $APPEAL_TEMPLATES); when the
environment a test gives moves the user's cache folder, the compiled templates, spelling list and parsed data files
kept for it too.
What stays is only what depends on the files we ship (rules, the code set, the built-in kinds' data).

`appeal_all()` runs many calls in ONE child process held by the kernel to a memory and processor-time bound, for
the hostile inputs whose claim is that bound: each call is run there by `appeal()`, so one process start serves all.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import resource
import subprocess
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ran:
    """What a process running `appeal ARGS` would have left: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def _forget(cache_folder_moved: bool) -> None:
    """The CLI's module-level state a new process would not have (see the module's docstring)."""
    from appeal.base import language
    from appeal.letters import kinds

    language.choose(None)
    kinds.all_kinds.cache_clear()
    if cache_folder_moved:
        from appeal.base import resources
        from appeal.letters import proofread, render_env

        render_env.shared_environment.cache_clear()
        proofread._checker.cache_clear()
        resources._parsed_cache.cache_clear()


def _status(code: object, stderr: io.StringIO) -> int:
    """The exit status `sys.exit(code)` gives a process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1


def appeal(*args: str | os.PathLike, cwd: Path, env: Mapping[str, str | None] | None = None) -> Ran:
    """`appeal ARGS` in folder `cwd`, with the environment changed by `env` (a value of None unsets it)."""
    from appeal.base.folders import user_cache
    from appeal.cli import main

    saved_environment, saved_folder = dict(os.environ), os.getcwd()
    root = logging.getLogger()
    saved_handlers = root.handlers[:]
    out, err = io.StringIO(), io.StringIO()
    cache_folder, cache_folder_moved = user_cache(), False
    try:
        for name, value in (env or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(value)
        cache_folder_moved = user_cache() != cache_folder
        _forget(cache_folder_moved)
        os.chdir(cwd)
        root.handlers = []
        with open(os.devnull) as no_terminal, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            saved_stdin, sys.stdin = sys.stdin, no_terminal
            try:
                status = main([str(arg) for arg in args])
            except SystemExit as stop:
                status = _status(stop.code, err)
            except Exception:  # as an uncaught exception ends a process: its traceback on stderr, status 1
                traceback.print_exc(file=err)
                status = 1
            finally:
                sys.stdin = saved_stdin
    finally:
        root.handlers = saved_handlers
        os.chdir(saved_folder)
        os.environ.clear()
        os.environ.update(saved_environment)
        _forget(cache_folder_moved)
    return Ran(status, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Call:
    """One `appeal ARGS` for `appeal_all`, under a name its test looks it up by."""

    name: str
    args: Sequence[str]
    cwd: Path
    env: Mapping[str, str | None] | None = None


_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from cli_harness import appeal

for call in json.load(sys.stdin):
    ran = appeal(*call["args"], cwd=Path(call["cwd"]), env=call["env"])
    print(json.dumps({"name": call["name"], **ran.__dict__}), file=sys.__stdout__, flush=True)
"""


def appeal_all(calls: Sequence[Call], *, memory: int, cpu_seconds: int) -> dict[str, Ran]:
    """Each call run by `appeal()` in one child process that the kernel holds to `memory` bytes and `cpu_seconds`
    of processor time in all (setrlimit: over either it is stopped, never a timer), by name. A call the child did
    not finish (it was stopped) gets its exit status and the end of its stderr, so that call's test fails."""

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    request = json.dumps([{"name": call.name, "args": [str(arg) for arg in call.args], "cwd": str(call.cwd),
                           "env": dict(call.env or {})} for call in calls])
    child = subprocess.run([sys.executable, "-c", _CHILD, str(Path(__file__).parent)], input=request,
                           capture_output=True, text=True, preexec_fn=bounded)
    found = {}
    for line in child.stdout.splitlines():
        item = json.loads(line)
        name = item.pop("name")
        found[name] = Ran(**item)
    stopped = Ran(child.returncode or -1, "", f"the bounded process ended with status {child.returncode} before "
                                             f"this call was done:\n{child.stderr[-3000:]}")
    return {call.name: found.get(call.name, stopped) for call in calls}
