"""The Jinja sandbox every template renders in: deny by default, bounded in time, size and loops.

Templates are shared by email and zip, so a template from a stranger must not be able to run code, read or write
files, or hang the machine. Jinja's own sandbox only blocks names starting with an underscore; this one, modelled
on copier's `is_safe_attribute` override, allows an attribute only where it is listed below:
- the fields of the case and the values of the letter plan, through the read-only views in
  `appeal/letters/render_views.py` (`TemplateView`), which say for themselves which names they expose;
- a choice's `label` and `value`, a date's `year`, `month`, `day` and `isoformat`, a loop's `loop.*`;
- a few harmless text methods (`upper`, `lower`, `title`, `capitalize`, `strip`, `startswith`, `endswith`).
Everything else (methods, classes, paths, documents) is refused with a message naming the attribute.

Bounds, so that no template can exhaust the machine: any text a template builds (`*`, `+`, `~`, `%`, filters)
is at most MAX_TEXT characters, a number at most MAX_INT_BITS bits, `range()`, `batch` and `slice` at most
MAX_ITEMS items, all loops together at most MAX_ITERATIONS turns, a whole rendered part at most MAX_OUTPUT
characters, and one render at most RENDER_SECONDS of processor time. `{% include %}`, `{% import %}` and
`{% extends %}` are refused when the template is read: a template cannot reach other files.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import time
import types
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Iterable, Iterator

from jinja2 import Undefined, nodes, pass_eval_context
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, soft_str
from pydantic import BaseModel

MAX_TEXT = 1_000_000
MAX_OUTPUT = 20_000_000
MAX_ITEMS = 10_000
MAX_ITERATIONS = 1_000_000
MAX_INT_BITS = 4_096
RENDER_SECONDS = 5.0
REMOVED_GLOBALS = frozenset({"lipsum", "cycler", "joiner", "namespace", "dict"})  # Jinja's, refused here
_CHECK_CLOCK_EVERY = 256  # reading the clock on every hook would cost a letter about 10% (measured)


class TemplateProblem(SecurityError):
    """A template did something it may not, or hit a bound. `token` is the piece of the tag to look for when
    telling the person where it is (an attribute name, an operator, a filter)."""

    def __init__(self, message: str, token: str = ""):
        super().__init__(message)  # Jinja's errors keep it as .message
        self.token = token


class TemplateView:
    """A read-only value handed to templates. Subclasses say which attribute names they expose; these two
    methods are the sandbox's questions, never something a template may read (`_allowed` refuses them)."""

    __slots__ = ()

    def exposes(self, name: str) -> bool:
        raise NotImplementedError

    def reaches_python(self, name: str) -> bool:
        """True for a name that exists on what the view wraps but is not exposed (a method, a path)."""
        return False


# The sandbox's questions to a view: a view that exposes every name (a blank) must still not hand them out.
_VIEW_QUESTIONS = frozenset({"exposes", "reaches_python"})


@dataclass
class _Budget:
    deadline: float
    iterations: int = 0
    hooks: int = 0


_budget: ContextVar[_Budget | None] = ContextVar("appeal_render_budget", default=None)


@contextmanager
def render_budget(seconds: float = RENDER_SECONDS) -> Iterator[None]:
    """Bound everything rendered inside the `with` block: at most `seconds` of processor time and
    MAX_ITERATIONS loop turns in all."""
    token = _budget.set(_Budget(time.process_time() + seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def _tick(turns: int = 0) -> None:
    budget = _budget.get()
    if budget is None:
        return
    if turns:
        budget.iterations += turns
        if budget.iterations > MAX_ITERATIONS:
            raise TemplateProblem(f"its loops ran more than {MAX_ITERATIONS:,} times in all", "for")
    budget.hooks += 1
    if budget.hooks % _CHECK_CLOCK_EVERY == 0 and time.process_time() > budget.deadline:
        raise TemplateProblem(f"it took more than {RENDER_SECONDS:g} seconds to render", "for")


def _too_long(what: str, size: int, token: str) -> TemplateProblem:
    return TemplateProblem(f"{what} would be {size:,} characters long (the limit is {MAX_TEXT:,})", token)


def _check_text(value: Any, token: str) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise _too_long("a text it builds", len(value), token)
    return value


# --------------------------------------------------------------------------------------------------------------
# What may be reached


_TEXT_METHODS = frozenset({"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith",
                           "endswith", "isdigit", "isalpha", "isspace"})
_DATE_ATTRIBUTES = frozenset({"year", "month", "day", "isoformat"})
_CHOICE_ATTRIBUTES = frozenset({"label", "value"})
_LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                              "depth0", "previtem", "nextitem", "cycle", "changed"})
_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})


class PlanFunction:
    """A function the letter plan itself hands its wordings, such as `cite('snippet-id')` in arguments.yaml: a
    template may call it, and reach nothing through it (its attributes are refused like any undeclared one)."""

    def __init__(self, function: Any):
        self._function = function
        self.__name__ = function.__name__

    def __call__(self, *args: str) -> str:
        return self._function(*(str(arg) for arg in args))


def _allowed(obj: Any, name: str) -> bool:
    if name.startswith("_"):
        return False
    if isinstance(obj, TemplateView):
        return name not in _VIEW_QUESTIONS and obj.exposes(name)
    if isinstance(obj, BaseModel):
        return name in model_exposes(type(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return name in {item.name for item in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return name in _CHOICE_ATTRIBUTES
    if isinstance(obj, str):
        return name in _TEXT_METHODS
    if isinstance(obj, date):
        return name in _DATE_ATTRIBUTES
    if isinstance(obj, LoopContext):
        return name in _LOOP_ATTRIBUTES
    if type(obj) in (dict, types.MappingProxyType):
        return name in _MAPPING_METHODS
    return False


@functools.lru_cache(maxsize=None)
def model_exposes(model: type[BaseModel]) -> frozenset[str]:
    """A model's declared fields (not file paths) and the properties our own classes define on it, such as
    `full_name`; never pydantic's methods (`parse_raw` accepts pickle) or anything pydantic itself defines."""
    names = {name for name, info in model.model_fields.items() if "Path" not in str(info.annotation)}
    for owner in model.__mro__:
        if owner.__module__.startswith("appeal"):
            names |= {name for name, value in vars(owner).items() if isinstance(value, property)}
    return frozenset(name for name in names if not name.startswith("_"))


def _describe(obj: Any) -> str:
    if isinstance(obj, TemplateView | BaseModel) or dataclasses.is_dataclass(obj):
        return "a case value"
    if isinstance(obj, str):
        return "a text"
    return {int: "a number", float: "a number", list: "a list", tuple: "a list", dict: "a mapping"}.get(
        type(obj), "this value")


def bounded_range(*args: int) -> range:
    """Jinja's `range`, at most MAX_ITEMS long."""
    _tick()
    numbers = range(*args)
    if len(numbers) > MAX_ITEMS:
        raise TemplateProblem(f"range{args} has {len(numbers):,} numbers (the limit is {MAX_ITEMS:,})", "range")
    return numbers


# --------------------------------------------------------------------------------------------------------------
# Filters, with their arguments checked before they run and their results after


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")


def _check_percent_format(text: Any, token: str) -> None:
    if not isinstance(text, str):
        return
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*" or (number and int(number) > 1000):
                raise TemplateProblem(f"the format {match.group(0)!r} asks for a width over 1,000", token)


def _count_text(parts: Iterable[Any], token: str, limit: int = MAX_TEXT) -> list[str]:
    texts, total = [], 0
    for part in parts:
        _tick(1)
        text = soft_str(part)
        total += len(text)
        if total > limit:
            raise _too_long("a text it builds", total, token)
        texts.append(text)
    return texts


def _check_join(arguments: dict[str, Any]) -> None:
    items = list(arguments["value"])
    separators = len(soft_str(arguments.get("d", ""))) * max(len(items) - 1, 0)
    if separators > MAX_TEXT:
        raise _too_long("the joined text", separators, "join")
    _count_text(items, "join", MAX_TEXT - separators)
    arguments["value"] = items


def _check_replace(arguments: dict[str, Any]) -> None:
    text, old, new = soft_str(arguments["s"]), soft_str(arguments["old"]), soft_str(arguments["new"])
    count = arguments.get("count")
    hits = (len(text) + 1) if old == "" else text.count(old)
    if count is not None and count >= 0:
        hits = min(hits, count)
    size = len(text) + hits * (len(new) - len(old))
    if size > MAX_TEXT:
        raise _too_long("the replaced text", size, "replace")


def _check_indent(arguments: dict[str, Any]) -> None:
    text, width = soft_str(arguments["s"]), arguments.get("width", 4)
    width_length = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    size = len(text) + (text.count("\n") + 1) * max(width_length, 0)
    if size > MAX_TEXT:
        raise _too_long("the indented text", size, "indent")


def _check_size_argument(name: str, limit: int, token: str):
    def check(arguments: dict[str, Any]) -> None:
        value = arguments.get(name)
        if isinstance(value, int) and value > limit:
            raise TemplateProblem(f"|{token}({value:,}) asks for more than {limit:,}", token)
    return check


def _check_format(arguments: dict[str, Any]) -> None:
    _check_percent_format(arguments.get("value"), "format")


_FILTER_CHECKS = {
    "join": _check_join,
    "replace": _check_replace,
    "indent": _check_indent,
    "center": _check_size_argument("width", MAX_TEXT, "center"),
    "batch": _check_size_argument("linecount", MAX_ITEMS, "batch"),
    "slice": _check_size_argument("slices", MAX_ITEMS, "slice"),
    "format": _check_format,
}


def _guarded_filter(name: str, function: Any) -> Any:
    """`function` with its arguments checked (where a filter can blow up) and its result's length bounded."""
    check = _FILTER_CHECKS.get(name)
    signature = inspect.signature(function) if check else None

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if check is not None:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            check(bound.arguments)
            args, kwargs = bound.args, bound.kwargs
        try:
            result = function(*args, **kwargs)
        except TemplateProblem:
            raise
        except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError) as error:
            raise TemplateProblem(f"the filter |{name} failed: {error}", name) from None
        return _check_text(result, name)

    return guarded


@pass_eval_context
def _concat(eval_context: Any, parts: list[Any]) -> str:
    """The `~` operator, bounded: Jinja's markup_join/str_join after counting the length."""
    texts = _count_text(parts, "~")
    if eval_context.autoescape and any(hasattr(part, "__html__") for part in parts):
        return Markup("").join(parts)
    return "".join(texts)


def _counted(iterable: Any, where: str = "") -> Iterator[Any]:
    """Every `{% for %}` loops over this, so the loops of one render share one count and one clock. `where` is
    the start of the loop's own tag ('for b in'), so a loop that runs too long is the one named."""
    for item in iterable:
        try:
            _tick(1)
        except TemplateProblem as problem:
            if where:
                problem.token = where
            raise
        yield item


def _bounded_output(chunks: Iterable[str]) -> str:
    """Jinja's `concat` for whole templates, blocks and macros: at most MAX_OUTPUT characters."""
    buffer, total = [], 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_OUTPUT:
            raise TemplateProblem(f"its text would be over {MAX_OUTPUT:,} characters long", "for")
        buffer.append(chunk)
        if len(buffer) % _CHECK_CLOCK_EVERY == 0:
            _tick()
    return "".join(buffer)


# --------------------------------------------------------------------------------------------------------------
# The environment


_FILE_TAGS = {nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "import"}


def _rewrite(node: nodes.Node) -> nodes.Node:
    """Route every loop through `_counted` and every `~` through `_concat`."""
    for name, value in node.iter_fields():
        if isinstance(value, nodes.Node):
            setattr(node, name, _rewrite(value))
        elif isinstance(value, list):
            setattr(node, name, [_rewrite(item) if isinstance(item, nodes.Node) else item for item in value])
    if isinstance(node, nodes.For):
        names = [item.name for item in node.target.find_all(nodes.Name)] if not isinstance(node.target, nodes.Name) \
            else [node.target.name]
        where = nodes.Const(f"for {', '.join(names)} in", lineno=node.lineno)
        node.iter = nodes.Filter(node.iter, "_counted", [where], [], None, None, lineno=node.lineno)
    if isinstance(node, nodes.Concat):
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "_concat", [], [], None, None,
                            lineno=node.lineno)
    return node


class SafeEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with allow-listed attributes and calls, bounded operators, filters and loops, and no
    access to other template files."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "/", "//", "-"})
    concat = staticmethod(_bounded_output)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.globals.clear()
        self.globals["range"] = bounded_range
        self.filters = {name: _guarded_filter(name, function) for name, function in self.filters.items()}
        self.filters["_counted"] = _counted
        self.filters["_concat"] = _concat

    def add_filters(self, filters: dict[str, Any]) -> None:
        """Our own filters, bounded like Jinja's."""
        for name, function in filters.items():
            self.filters[name] = _guarded_filter(name, function)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for kind, word in _FILE_TAGS.items():
            for _ in tree.find_all(kind):
                raise TemplateProblem(
                    f"{{% {word} %}} is not allowed: a template cannot read other files (copy the text in instead)",
                    word,
                )
        tree = _rewrite(tree)
        tree.set_environment(self)
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        _tick()
        return _allowed(obj, attr)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise TemplateProblem(
            f"'{attribute}' is unsafe: it is not something a template can use on {_describe(obj)}; templates may "
            "use the case's fields and letter.* (see `appeal templates vars`)",
            attribute,
        )

    def is_safe_callable(self, obj: Any) -> bool:
        _tick()
        if obj is bounded_range or isinstance(obj, Macro | LoopContext | PlanFunction):
            return True
        owner = getattr(obj, "__self__", None)
        if isinstance(obj, types.BuiltinMethodType | types.MethodType) and owner is not None:
            return _allowed(owner, obj.__name__)
        return False

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        if isinstance(__obj, Undefined):
            __obj()  # calling an undefined raises Jinja's own error, which says which name does not exist
        if not __self.is_safe_callable(__obj):
            name = getattr(__obj, "__name__", "this")
            raise TemplateProblem(f"calling {name}() is not allowed in a template", name)
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_operands(operator, left, right)
        try:
            result = self.binop_table[operator](left, right)
        except (ArithmeticError, TypeError, ValueError) as error:
            raise TemplateProblem(f"{left!r:.40} {operator} {right!r:.40} cannot be computed: {error}", operator) from None
        return _check_text(result, operator)

    def wrap_str_format(self, value: Any) -> None:
        """Jinja lets `'...'.format` through before asking is_safe_attribute; here it is asked like any other
        method (and refused: a format width can ask for a gigabyte)."""
        return None

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        if isinstance(obj, TemplateView) and obj.reaches_python(attribute):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        if isinstance(argument, str) and argument.startswith("_"):
            return self.unsafe_undefined(obj, argument)
        if isinstance(obj, TemplateView) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)


def _check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, an operation whose result could not fit in memory."""
    sequence = (str, list, tuple)
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if left.bit_length() * right > MAX_INT_BITS:
            raise TemplateProblem(f"{left} ** {right} is a number far too large to print", "**")
    elif operator == "*":
        if isinstance(left, int) and isinstance(right, sequence):
            left, right = right, left
        if isinstance(left, sequence) and isinstance(right, int) and len(left) * right > MAX_TEXT:
            raise _too_long("repeating a text or list", len(left) * right, "*")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateProblem("multiplying makes a number far too large to print", "*")
    elif operator == "+" and isinstance(left, sequence) and isinstance(right, sequence):
        if len(left) + len(right) > MAX_TEXT:
            raise _too_long("joining two texts or lists", len(left) + len(right), "+")
    elif operator == "%" and isinstance(left, str):
        _check_percent_format(left, "%")


