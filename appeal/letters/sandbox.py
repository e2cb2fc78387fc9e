"""The Jinja sandbox every template renders in: deny by default, bounded in time, size and loops.

Templates are shared by email and zip, so a template from a stranger must not be able to run code, read or write
files, or hang the machine. Jinja's own sandbox only blocks names starting with an underscore; this one, modelled
on copier's `is_safe_attribute` override, allows an attribute only where it is listed below:
- the fields of the case and the values of the letter plan, through the read-only views in
  `appeal/letters/render_views.py` (`TemplateView`), which say for themselves which names they expose;
- a choice's `label` and `value`, a date's `year`, `month`, `day` and `isoformat`, a loop's `loop.*`;
- a few harmless text methods (`upper`, `lower`, `title`, `capitalize`, `strip`, `startswith`, `endswith`).
Everything else (methods, classes, paths, documents) is refused with a message naming the attribute.

What a template prints is text, numbers and dates only (`printable`): a list, a mapping, a section of the case or
the plan, a path or a function is refused with a message naming the tag, never printed as Python writes it (a
repr can hold the user's home folder). `|pprint` is refused for the same reason.

Bounds, so that no template can exhaust the machine: any text a template builds (`*`, `+`, `~`, `%`, filters)
is at most MAX_TEXT characters, a number at most MAX_INT_BITS bits, a list it builds and `range()`, `batch` and
`slice` at most MAX_ITEMS items, all loops together at most MAX_ITERATIONS turns, a whole rendered part at most
MAX_OUTPUT characters, and one render at most RENDER_SECONDS of processor time. Sizes are worked out before
anything is built (repeating, `%` and `|format`, `|tojson`, `|wordwrap`, ...), so memory never grows past a bound
first; a filter that can run long (`|wordwrap`) reads the clock as it goes. `{% include %}`, `{% import %}` and
`{% extends %}` are refused when the template is read: a template cannot reach other files, and a tag nested too
deeply to read is refused with a message rather than a crash.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import textwrap
import time
import types
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any, Iterable, Iterator

from jinja2 import TemplateSyntaxError, Undefined, nodes, pass_environment, pass_eval_context
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

    def prints_as_text(self) -> bool:
        """True for a view a letter may print as it is (a visible blank); a section is printed field by field."""
        return False


# The sandbox's questions to a view: a view that exposes every name (a blank) must still not hand them out.
_VIEW_QUESTIONS = frozenset({"exposes", "reaches_python", "prints_as_text"})


@dataclass
class _Budget:
    deadline: float
    seconds: float  # the whole budget, for the message
    iterations: int = 0
    hooks: int = 0


_budget: ContextVar[_Budget | None] = ContextVar("appeal_render_budget", default=None)


@contextmanager
def render_budget(seconds: float | None = None) -> Iterator[None]:
    """Bound everything rendered inside the `with` block: at most `seconds` of processor time (RENDER_SECONDS,
    read as the budget opens, so a test can lower it rather than wait 5 s) and MAX_ITERATIONS loop turns in all.
    A `with` inside another shares the outer one's budget, so the many sentences of one letter plan cannot each
    spend a budget of their own."""
    if _budget.get() is not None:
        yield
        return
    seconds = RENDER_SECONDS if seconds is None else seconds
    token = _budget.set(_Budget(time.process_time() + seconds, seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def within_render_budget(function: Any) -> Any:
    """`function`, run inside one render budget that everything it renders shares."""
    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        with render_budget():
            return function(*args, **kwargs)
    return bounded


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
        raise TemplateProblem(f"it took more than {budget.seconds:g} seconds to render", "for")


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
    if isinstance(obj, PurePath):
        return "a file path"
    if isinstance(obj, list | tuple | set | frozenset | range):
        return "a list"
    if isinstance(obj, dict | types.MappingProxyType):
        return "a mapping"
    if callable(obj):
        return "a function"
    return {int: "a number", float: "a number"}.get(type(obj), "this value")


def printable(value: Any) -> bool:
    """What a letter may print: text, a number, a date, a choice (printed as its label), a visible blank, nothing
    (None), or finished XML (Attachment A, the chart). An undefined name passes, to fail with Jinja's own message
    naming it."""
    return (value is None or isinstance(value, str | int | float | Decimal | date | Enum | Undefined)
            or (isinstance(value, TemplateView) and value.prints_as_text())
            or (not isinstance(value, TemplateView) and hasattr(value, "__html__")))


def _refuse_unprintable(value: Any, token: str, shown: str = "") -> None:
    if not printable(value):
        raise TemplateProblem(
            f"{shown or f'a value given to {token}'} is {_describe(value)}, and a letter prints only text, numbers "
            "and dates (print one of its fields by name, or its items one by one in a {% for %} loop)", token)


def _printed(value: Any, expression: str = "", tag: str = "") -> Any:
    """Every `{{ ... }}` prints through this: `value` itself when a letter may print it, else a refusal naming
    the tag's expression (`tag` is how the tag is likely written, to find it by)."""
    _refuse_unprintable(value, tag or expression, f"'{expression}'" if expression else "what a tag prints")
    return value


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


_MOST_PER_SPEC = 2_500  # what one %-spec can add beyond its value: a width or precision of at most 1,000, a float's digits


def _check_percent(text: Any, arguments: Any, token: str) -> None:
    """`text % arguments` (and `|format`), refused before it is built when a width is over 1,000, a value is not
    text, a number or a date, or the result could pass MAX_TEXT characters (one value may fill many specs)."""
    if not isinstance(text, str):
        return
    specs = 0
    for match in _PERCENT_SPEC.finditer(text):
        specs += 1
        for number in match.groups():
            if number == "*" or (number and (len(number) > 4 or int(number) > 1000)):
                raise TemplateProblem(f"the format {match.group(0)[:20]!r} asks for a width over 1,000", token)
    values = list(arguments.values()) if isinstance(arguments, dict) else \
        list(arguments) if isinstance(arguments, tuple) else [arguments]
    for value in values:
        _refuse_unprintable(value, token)
    sizes = [len(soft_str(value)) for value in values]
    filled = sum(sizes) if not isinstance(arguments, dict) else specs * max(sizes, default=0)
    size = len(text) + filled + specs * _MOST_PER_SPEC
    if size > MAX_TEXT:
        raise _too_long("the formatted text", size, token)


def _count_text(parts: Iterable[Any], token: str, limit: int = MAX_TEXT) -> list[str]:
    texts, total = [], 0
    for part in parts:
        _tick(1)
        _refuse_unprintable(part, token)
        text = soft_str(part)
        total += len(text)
        if total > limit:
            raise _too_long("a text it builds", total, token)
        texts.append(text)
    return texts


def _check_join(arguments: dict[str, Any]) -> None:
    items = list(arguments["value"])
    if arguments.get("attribute") is not None:  # join(', ', attribute='label'): the attributes are what is joined
        from jinja2.filters import make_attrgetter

        getter = make_attrgetter(arguments["eval_ctx"].environment, arguments["attribute"])
        items, arguments["attribute"] = [getter(item) for item in items], None
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
    _check_percent(arguments.get("value"), arguments.get("kwargs") or arguments.get("args", ()), "format")


def _check_sum(arguments: dict[str, Any]) -> None:
    if not isinstance(arguments.get("start"), int | float | Decimal):  # sum(start=[]) would join lists quadratically
        raise TemplateProblem("|sum adds numbers only: its start must be a number", "sum")


_ESCAPED = 12  # the most characters one character becomes when written out: \uXXXX in JSON, %XX%XX%XX%XX in a URL


def _check_written_out(name: str, value: str, indent: str | None = None):
    """For filters that write a whole list or mapping out as text (`tojson`, `urlencode`, `xmlattr`): it holds
    only text, numbers and dates, and its written length (counted before writing, indents included) is within
    MAX_TEXT."""
    def check(arguments: dict[str, Any]) -> None:
        width = arguments.get(indent) if indent else 0
        width = len(width) if isinstance(width, str) else width if isinstance(width, int) and width > 0 else 0
        size, stack = 0, [(arguments.get(value), 1)]
        while stack:
            item, depth = stack.pop()
            _tick()
            if isinstance(item, dict | list | tuple):
                size += 2 + len(item) * (4 + width * depth)
                for key, inner in (item.items() if isinstance(item, dict) else ((None, inner) for inner in item)):
                    stack.extend([(key, depth + 1)] if key is not None else [])
                    stack.append((inner, depth + 1))
            else:
                _refuse_unprintable(item, name)
                size += 2 + _ESCAPED * len(soft_str(item))
            if size > MAX_TEXT:
                raise _too_long(f"the text |{name} writes", size, name)
    return check


_FILTER_CHECKS = {
    "join": _check_join,
    "replace": _check_replace,
    "indent": _check_indent,
    "center": _check_size_argument("width", MAX_TEXT, "center"),
    "batch": _check_size_argument("linecount", MAX_ITEMS, "batch"),
    "slice": _check_size_argument("slices", MAX_ITEMS, "slice"),
    "format": _check_format,
    "sum": _check_sum,
    "tojson": _check_written_out("tojson", "value", indent="indent"),
    "urlencode": _check_written_out("urlencode", "value"),
    "xmlattr": _check_written_out("xmlattr", "d"),
}
# Filters that turn their value into text: it must be text, a number or a date, never an object's repr.
_TEXT_FILTERS = frozenset({"capitalize", "center", "e", "escape", "forceescape", "format", "indent", "lower",
                           "replace", "string", "striptags", "title", "trim", "truncate", "upper", "urlize",
                           "wordcount", "wordwrap", "possessive", "filesizeformat"})
_CONTEXT_PARAMETERS = frozenset({"eval_ctx", "environment", "env", "context"})


class _ClockedWrapper(textwrap.TextWrapper):
    """textwrap's wrapper, reading the clock at each long word it breaks: breaking one long word into pieces
    of width 1 copies the rest of the word each time, minutes of processor time on a long text."""

    def _handle_long_word(self, *args: Any) -> None:
        _tick()
        super()._handle_long_word(*args)


@pass_environment
def _wordwrap(environment: Any, s: str, width: int = 79, break_long_words: bool = True, wrapstring: str | None = None,
              break_on_hyphens: bool = True) -> str:
    """Jinja's `wordwrap`, its length counted before wrapping and the clock read as it goes."""
    text = soft_str(s)
    wrapstring = environment.newline_sequence if wrapstring is None else soft_str(wrapstring)
    if not isinstance(width, int) or width < 1:
        raise TemplateProblem("|wordwrap needs a width of 1 or more", "wordwrap")
    # Two lines in a row hold more than `width` characters (else the second's first word would have fitted).
    breaks = min(len(text), 2 * len(text) // width + 2 * text.count("\n") + 2)
    size = len(text) + breaks * len(wrapstring)
    if size > MAX_TEXT:
        raise _too_long("the wrapped text", size, "wordwrap")
    wrapper = _ClockedWrapper(width=width, expand_tabs=False, replace_whitespace=False,
                              break_long_words=break_long_words, break_on_hyphens=break_on_hyphens)
    return wrapstring.join(wrapstring.join(wrapper.wrap(line)) for line in text.splitlines())


def _no_pprint(value: Any) -> str:
    raise TemplateProblem("|pprint prints a value as Python writes it (with the program's own names and folders); "
                          "a letter prints only text, numbers and dates", "pprint")


def _no_safe(value: Any) -> str:
    raise TemplateProblem("|safe would print its text as raw Word XML, which can build fields and links the "
                          "template does not show; a letter prints only text, numbers and dates", "safe")


def _passes_argument(function: Any) -> bool:
    return getattr(function, "jinja_pass_arg", None) is not None


def _guarded_filter(name: str, function: Any) -> Any:
    """`function` with its arguments checked (where a filter can blow up, or would print an object) and its
    result's length bounded."""
    check = _FILTER_CHECKS.get(name)
    text_in = name in _TEXT_FILTERS
    signature = inspect.signature(function) if check or text_in else None
    # Jinja hands some filters (slice, list) an evaluation context that their own signature does not show.
    # (Jinja marks them with the public attribute `jinja_pass_arg`, which functools.wraps copies onto a wrapper.)
    hidden = 1 if _passes_argument(function) and not _passes_argument(inspect.unwrap(function)) else 0
    value_name = next((item for item in signature.parameters if item not in _CONTEXT_PARAMETERS), "") \
        if signature else ""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        try:
            if signature is not None:
                bound = signature.bind(*args[hidden:], **kwargs)
                bound.apply_defaults()
                if text_in:
                    _refuse_unprintable(bound.arguments.get(value_name), name)
                if check is not None:
                    check(bound.arguments)
                args, kwargs = (*args[:hidden], *bound.args), bound.kwargs
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


def _written(node: nodes.Node) -> str:
    """An expression as a template author writes it, for a message and for finding its tag: `letter.evidence[0]`,
    `kind.template`; a filtered value as the value; anything else as nothing."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _written(node.node)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, int):
        base = _written(node.node)
        return f"{base}[{node.arg.value}]" if base else ""
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _written(node.node)
    return ""


def _rewrite(node: nodes.Node) -> nodes.Node:
    """Route every loop through `_counted`, every `~` through `_concat` and every printed value through
    `_printed`."""
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
    if isinstance(node, nodes.Output):
        node.nodes = [item if isinstance(item, nodes.TemplateData) else _printing(item) for item in node.nodes]
    return node


def _printing(node: nodes.Expr) -> nodes.Expr:
    """`node` printed through `_printed`, told the expression and the tag as it is most likely written:
    `{{ letter.facts }}`, or `{{ letter.evidence` before a filter."""
    expression = _written(node)
    tag = "" if not expression else f"{{{{ {expression}" if isinstance(node, nodes.Filter) else f"{{{{ {expression} }}}}"
    return nodes.Filter(node, "_printed", [nodes.Const(expression), nodes.Const(tag)], [], None, None,
                        lineno=node.lineno)


def _rewritten(tree: nodes.Template) -> bool:
    return any(node.name in ("_counted", "_printed", "_concat") for node in tree.find_all(nodes.Filter))


TOO_DEEP = ("a tag is nested too deeply to read (hundreds of brackets or 'not's inside one another); write it in "
            "simpler steps")


@contextmanager
def bounded_nesting() -> Iterator[None]:
    """Reading, compiling and walking a template recurse once for each level of nesting: a tag nested thousands
    deep is refused with a message, never a crash."""
    try:
        yield
    except RecursionError:
        raise TemplateProblem(TOO_DEEP) from None
    except SyntaxError as error:  # Python's own limit on the nesting of the code Jinja writes
        if isinstance(error, TemplateSyntaxError):
            raise
        raise TemplateProblem(TOO_DEEP) from None


class SafeEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with allow-listed attributes and calls, bounded operators, filters and loops, and no
    access to other template files."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "/", "//", "-"})
    concat = staticmethod(_bounded_output)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.globals.clear()
        self.globals["range"] = bounded_range
        self.filters.update({"wordwrap": _wordwrap, "pprint": _no_pprint, "safe": _no_safe})
        self.filters = {name: _guarded_filter(name, function) for name, function in self.filters.items()}
        self.filters["_printed"] = _printed
        self.filters["_counted"] = _counted
        self.filters["_concat"] = _concat

    def add_filters(self, filters: dict[str, Any]) -> None:
        """Our own filters, bounded like Jinja's."""
        for name, function in filters.items():
            self.filters[name] = _guarded_filter(name, function)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        with bounded_nesting():
            tree = super()._parse(source, name, filename)
            for kind, word in _FILE_TAGS.items():
                for _ in tree.find_all(kind):
                    raise TemplateProblem(
                        f"{{% {word} %}} is not allowed: a template cannot read other files (copy the text in "
                        "instead)", word,
                    )
            for _ in tree.find_all((nodes.ScopedEvalContextModifier, nodes.EvalContextModifier)):
                raise TemplateProblem("{% autoescape %} is not allowed: with it off, text would be printed as raw "
                                      "Word XML; a letter prints only text, numbers and dates", "autoescape")
            tree = _rewrite(tree)
            tree.set_environment(self)
        return tree

    def compile(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        """Jinja's compile, also for an expression's tree (`compile_expression` hands one over without reading
        text through `_parse`): rewritten the same way, and refused when nested too deeply."""
        with bounded_nesting():
            if isinstance(source, nodes.Template) and not _rewritten(source):
                source = _rewrite(source)
                source.set_environment(self)
            return super().compile(source, *args, **kwargs)

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> Any:
        with bounded_nesting():
            return super().compile_expression(source, undefined_to_none)

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
            raise TemplateProblem(f"{_operand(left)} {operator} {_operand(right)} cannot be computed: {error}",
                                  operator) from None
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


def _check_sequence_size(doing: str, sequence: Any, size: int, token: str) -> None:
    """A text is at most MAX_TEXT characters; a list at most MAX_ITEMS items (each may be a long text)."""
    if isinstance(sequence, str):
        if size > MAX_TEXT:
            raise _too_long(f"{doing} texts", size, token)
    elif size > MAX_ITEMS:
        raise TemplateProblem(f"{doing} lists would make {size:,} items (the limit is {MAX_ITEMS:,})", token)


def _operand(value: Any) -> str:
    """An operand as an error message shows it: a number itself, anything else only by what it is."""
    return f"{value!r:.40}" if isinstance(value, int | float | Decimal) else _describe(value)


def _check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, an operation whose result could not fit in memory."""
    sequence = (str, list, tuple)
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if left.bit_length() * right > MAX_INT_BITS:
            raise TemplateProblem(f"{left} ** {right} is a number far too large to print", "**")
    elif operator == "*":
        if isinstance(left, int) and isinstance(right, sequence):
            left, right = right, left
        if isinstance(left, sequence) and isinstance(right, int):
            _check_sequence_size("repeating", left, len(left) * right, "*")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateProblem("multiplying makes a number far too large to print", "*")
    elif operator == "+" and isinstance(left, sequence) and isinstance(right, sequence):
        _check_sequence_size("adding", left, len(left) + len(right), "+")
    elif operator == "%" and isinstance(left, str):
        _check_percent(left, right, "%")


