"""The house in rooms: the package's layout keeps the promises the README's architecture section makes.

Imports go down only (each subpackage may import the ones below it in LAYERS, never one beside or above it), no
module imports another module's private name, code names a letter kind only in the kinds module and a plan type
only where the case model and the plan-type data define it. These read the source as text (ast), so a change that
breaks the layout fails here, naming the line.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "appeal"

# Bottom first. A module may import its own subpackage and any subpackage on a lower floor.
LAYERS = [
    ("base",),
    ("cases",),
    ("rules",),
    ("letters",),
    ("intake", "output", "tracking"),
    ("terminal", "web"),
    ("commands",),
    ("",),  # the top: cli.py, __main__.py
]
FLOOR = {room: number for number, rooms in enumerate(LAYERS) for room in rooms}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else ""


@functools.cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of a module's syntax tree, parsed once for all the tests here (they only read it)."""
    return tuple(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def imports(name: str, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names) for every import of our own package in a module, lazy ones included."""
    found = []
    for node in nodes(path):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("appeal")):
            assert not node.level, f"{path.name}:{node.lineno}: a relative import; write appeal.ROOM.MODULE"
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names if alias.name.startswith("appeal")]
    return found


def arrows() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (a name imported from a package counts as its module)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for _, module, names in imports(name, path):
            targets = [f"{module}.{item}" for item in names if f"{module}.{item}" in known] or [module]
            graph[name].update(target for target in targets if target in known and target != name)
    return graph


def test_the_package_is_a_few_rooms():
    top = [path.name for path in PACKAGE.glob("*.py") if path.name not in ("__init__.py", "__main__.py")]
    rooms = [path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()]
    assert len(top) <= 10, top
    assert len(rooms) >= 5, rooms
    assert sorted(rooms) == sorted(room for rooms_ in LAYERS for room in rooms_ if room), "a room is missing from LAYERS"


def test_imports_go_down_only():
    climbing = []
    for name, targets in arrows().items():
        for target in targets:
            if room(target) != room(name) and FLOOR[room(target)] >= FLOOR[room(name)]:
                climbing.append(f"{name} -> {target}")
    assert not climbing, "imports that do not go down:\n" + "\n".join(sorted(climbing))


def test_no_import_circle():
    graph, seen, on_path, circles = arrows(), set(), [], []

    def visit(name: str) -> None:
        seen.add(name)
        on_path.append(name)
        for target in sorted(graph[name]):
            if target in on_path:
                circles.append(" -> ".join(on_path[on_path.index(target):] + [target]))
            elif target not in seen:
                visit(target)
        on_path.pop()

    for name in sorted(graph):
        if name not in seen:
            visit(name)
    assert not circles, "\n".join(circles)


def test_no_module_imports_another_modules_private_name():
    private = [f"{path.relative_to(PACKAGE)}:{line} {module}.{item}"
               for name, path in modules().items() for line, module, names in imports(name, path)
               for item in names if item.startswith("_") and not item.startswith("__")]
    assert not private, private


def test_private_attributes_are_used_on_self_only_but_for_a_few():
    """Reaching into another object's private state couples two rooms; Jinja's, python-docx's, argparse's and
    pypdf's own private API is used in a few places where they have no public one (argparse's: the gettext function
    its words go through, `commands/argparse_words.py`; pypdf's: adding a new stream to a writer, `output/packet.py`)."""
    found = []
    for path in modules().values():
        for node in nodes(path):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
    assert len(found) <= 8, found


def test_letter_kinds_are_named_only_in_the_kinds_module():
    """A kind's behaviour is its YAML: code that compares a kind's name breaks a copy under a new name. ('appeal'
    is also the program's own name, and 'reimbursement' also names one of the questionnaire's situations, which
    kinds declare they serve, so those two are not looked for there.)"""
    names = {path.stem for path in (PACKAGE.parent / "letter_templates").glob("*.yaml")} - {"appeal"}
    other_meaning = {("intake/questions.py", "reimbursement")}
    named = [f"{where}:{node.lineno} {node.value!r}"
             for path in modules().values() if path.name != "kinds.py"
             for where in [str(path.relative_to(PACKAGE))]
             for node in nodes(path)
             if isinstance(node, ast.Constant) and node.value in names and (where, node.value) not in other_meaning]
    assert not named, named
    assert {value for _, value in other_meaning} <= names


def test_plan_types_are_named_where_they_are_defined():
    naming = sorted({str(path.relative_to(PACKAGE)) for path in modules().values()
                     for node in nodes(path)
                     if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                     and node.value.id == "PlanType" and not node.attr.startswith("_")})
    assert len(naming) <= 3, naming


@pytest.mark.parametrize("room_name", [room for rooms in LAYERS for room in rooms if room])
def test_each_room_says_what_lives_there(room_name):
    init = PACKAGE / room_name / "__init__.py"
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init} has no docstring"
