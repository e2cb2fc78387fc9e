"""Reading what users give us (case files, CSV files, snippet headers, template descriptions), in bounded time
and memory, with a message a person can act on for anything that goes wrong.

Why each limit:
- Size is checked before a byte is parsed: a 57-MB list or a 1-GB sparse file is refused at once.
- The encoding is detected (UTF-8 with or without a byte-order mark, UTF-16 or UTF-32 with a mark or with the
  telltale zero bytes) or refused by name: "not UTF-8 (it looks like Windows-1252)", "not text (a PDF)".
- YAML is parsed into events (by libyaml when PyYAML has it, with the same lines and columns) and the data is
  built from them without recursion, so nesting deeper than a person writes is refused where it starts, and an
  explicit tag (`!!float`, `!!python/...`) is refused where it is.
- Every value is counted, an alias as many times as the values it stands for, so an alias bomb stops at the
  count without being expanded.
- Dates stay text: YAML would turn `2026-02-30` into an error and `2026-03-14` into a date behind the case
  model's back; the model's own date rule (appeal/cases/fields.py) judges them, with its own message.
- Numbers longer than any field can mean, or not finite, are refused; each field then applies its own range.
- A key written twice is an error naming both lines (YAML would silently keep the last).
Every error is a UserError naming the file, the line and column, and the field path where known.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from yaml.nodes import ScalarNode

from appeal.base.control_chars import control_problem
from appeal.base.errors import UserError
from appeal.base.language import N_, translate as _


@dataclass(frozen=True)
class Limits:
    """The bounds a file is read within. The defaults fit a case file with room to spare."""

    max_bytes: int = 1_000_000  # ~300 pages of text
    max_depth: int = 32  # a case is 4 levels deep
    max_nodes: int = 20_000  # values after aliases are expanded; a full case has a few hundred
    max_number_chars: int = 30  # no field means a number longer than this
    max_number: float = 1e15


CASE_LIMITS = Limits()
SMALL_LIMITS = Limits(max_bytes=200_000, max_nodes=5_000)  # a snippet header or a template description


# --------------------------------------------------------------------------------------------------------------
# Bytes -> text


_BINARY_SIGNATURES = (
    (b"%PDF", N_("a PDF document")),
    (b"PK\x03\x04", N_("a ZIP archive, such as a Word (.docx) or Excel (.xlsx) file")),
    (b"\xd0\xcf\x11\xe0", N_("an old Word or Excel document (.doc, .xls)")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"{\\rtf", N_("an RTF document; save it as plain text")),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What PyYAML (and a text editor) will not accept in a text file: control characters other than tab and line ends.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _position(text: str, index: int, first_line: int = 1) -> tuple[int, int]:
    line = text.count("\n", 0, index) + first_line
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def sniff_encoding(head: bytes, source: str) -> tuple[str, int]:
    """The encoding of a file from its first bytes, and how many bytes of mark to skip; a UserError for a
    binary file. UTF-16 without a mark is recognized by its zero bytes."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return encoding, len(mark)
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise UserError(_("{source}: the file is not text (it looks like {what}); give a YAML, JSON or CSV "
                              "text file.").format(source=source, what=_(what)))
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            return "utf-16-le", 0
        if even > len(sample) // 4 and odd == 0:
            return "utf-16-be", 0
    if b"\x00" in sample:
        raise UserError(_("{source}: the file is not text (it looks like a binary file: it has zero bytes); "
                          "give a YAML, JSON or CSV text file.").format(source=source))
    return "utf-8", 0


def _not_utf8(data: bytes, error: UnicodeDecodeError, source: str) -> UserError:
    line, column = _position(data.decode("latin-1"), error.start)
    byte = data[error.start]
    try:
        data.decode("cp1252")
        guess = "Windows-1252 or Latin-1 (Excel and older Windows programs save that)"
    except UnicodeDecodeError:
        guess = "another encoding"
    return UserError(
        f"{source}, line {line}, column {column}: the file is not UTF-8 text (byte 0x{byte:02X}; it looks like "
        f"{guess}). Save it again as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: Encoding > UTF-8)."
    )


def decode(data: bytes, source: str, *, first_line: int = 1) -> str:
    """Bytes of a user's file as text: UTF-8 (with or without a mark), UTF-16 or UTF-32; anything else, an
    empty file and a binary file are refused by name. Control characters are refused with their line."""
    if not data.strip():
        raise UserError((_("{source}: the file is empty (it holds only blank space).") if data
                         else _("{source}: the file is empty (0 bytes).")).format(source=source))
    encoding, skip = sniff_encoding(data, source)
    try:
        text = data[skip:].decode(encoding)
    except UnicodeDecodeError as error:
        if encoding == "utf-8":
            raise _not_utf8(data, error, source) from None
        raise UserError(f"{source} starts like {encoding.upper()} text but is not valid {encoding.upper()}; "
                        "save it again as UTF-8.") from None
    check_characters(text, source, first_line=first_line)
    if not text.strip():
        raise UserError(_("{source}: the file is empty (it holds only blank space).").format(source=source))
    return text


def check_characters(text: str, source: str, *, first_line: int = 1) -> None:
    """Refuse a control character (a pasted NUL, an escape code) with its line and column."""
    match = _NOT_PRINTABLE.search(text)
    if match:
        line, column = _position(text, match.start(), first_line)
        raise UserError(_(
            "{source}, line {line}, column {column}: the control character U+{code} is not allowed in a text file "
            "(pasted from another program?); delete it or retype that part.").format(
                source=source, line=line, column=column, code=f"{ord(match.group()):04X}"))


def _head(path: Path, size: int, what: str) -> bytes:
    """The first `size` bytes of a file; a missing file, a folder, a pipe or an unreadable file is a UserError."""
    if not Path(path).exists():
        raise UserError(_("No {what} at {path}. Check the name.").format(what=_(what), path=path))
    if Path(path).is_dir():
        raise UserError(_("{path} is a folder; give the path of a {what}.").format(path=path, what=_(what)))
    return read_regular(path, size, name=str(path), what=what, cut=True)


_NOT_REGULAR = ((stat.S_ISDIR, N_("a folder")), (stat.S_ISLNK, N_("a link to another place")),
                (stat.S_ISFIFO, N_("a named pipe (FIFO)")), (stat.S_ISSOCK, N_("a socket")),
                (stat.S_ISCHR, N_("a device")), (stat.S_ISBLK, N_("a device")))
# The names of the files callers read (their `what`), for the catalog: messages say them in the person's language.
_WHATS = (N_("file"), N_("notice"), N_("case file"), N_("draft"), N_("picture"), N_("Word file"), N_("CSV file"),
          N_("evidence snippet"), N_("folder"))


def unreadable(name: str, error: OSError) -> UserError:
    """The message for a file the system refused to open or stat: its name and the system's reason."""
    return UserError(_("{name} cannot be read: {error}.").format(name=name, error=error.strerror or error))


def not_a_file(mode: int) -> str | None:
    """What a file-system entry is when it is not a regular file ('a named pipe (FIFO)'), else None."""
    return next((kind for test, kind in _NOT_REGULAR if test(mode)), None if stat.S_ISREG(mode) else N_("not a file"))


def read_regular(path: Path, max_bytes: int, *, name: str, what: str = "file", under: Path | None = None,
                 cut: bool = False) -> bytes:
    """A regular file's bytes, at most `max_bytes` of them: more is refused (or, with `cut`, left unread); nothing
    is ever read whole without a bound.

    Anything else is refused by what it is, from its status, before it is opened: opening a named pipe would wait
    for a writer for ever, and a device can be endless. The file is then opened without waiting and without
    following a link, and checked again once open, so nothing swapped in between is read. With `under` (a folder
    the person gave), every part of the path below it must be a real folder or file, not a link: a link inside
    an export would copy a file from elsewhere. Messages start with `name` ('Attachment scan.pdf')."""
    path = Path(path)
    parts = path.relative_to(under).parts if under is not None else (path.name or ".",)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        folder = os.open(under if under is not None else path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UserError(_("{name}: there is no such {what}.").format(name=name, what=_(what))) from None
    except OSError as error:
        raise unreadable(name, error) from None
    try:
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            subject = f"{name}: {Path(*parts[: number + 1])}" if under is not None else name
            try:
                mode = os.stat(part, dir_fd=folder, follow_symlinks=under is None).st_mode
            except FileNotFoundError:
                raise UserError(_("{name}: there is no such {what}.").format(
                    name=subject, what=_(what if last else "folder"))) from None
            except OSError as error:
                raise unreadable(subject, error) from None
            kind = not_a_file(mode) if last else (None if stat.S_ISDIR(mode) else not_a_file(mode))
            if kind:
                raise UserError((_("{name} is {kind}, not a regular {what}; ") if last
                                 else _("{name} is {kind}, not a folder; ")).format(name=subject, kind=_(kind),
                                                                                    what=_(what))
                                + (_("give the file itself.") if under is None else _("it was not read.")))
            try:
                opened = os.open(part, (flags if last else flags | os.O_DIRECTORY)
                                 | (os.O_NOFOLLOW if under is not None else 0), dir_fd=folder)
            except OSError as error:
                raise unreadable(subject, error) from None
            os.close(folder)
            folder = opened
        if not stat.S_ISREG(os.fstat(folder).st_mode):
            raise UserError(_("{name} changed while it was opened; it was not read.").format(name=name))
        with os.fdopen(folder, "rb", closefd=True) as handle:
            folder = -1
            data = handle.read(max_bytes + 1)
    finally:
        if folder >= 0:
            os.close(folder)
    if len(data) > max_bytes and not cut:
        raise UserError(f"{name} is larger than {max_bytes:,} bytes, more than a {what} holds; check it is the "
                        "right file.")
    return data[:max_bytes]


def read_bytes(path: Path, *, max_bytes: int, what: str = "file") -> bytes:
    """A file's bytes, refusing a missing file, a folder and a file over `max_bytes` before reading it."""
    path = Path(path)
    data = _head(path, max_bytes + 1, what)
    if len(data) > max_bytes:
        raise UserError(f"{path} is larger than {max_bytes:,} bytes, more than a {what} holds; "
                        "check it is the right file (long documents are enclosed, not typed in).")
    return data


def read_text(path: Path, *, limits: Limits = CASE_LIMITS, what: str = "file") -> str:
    return decode(read_bytes(path, max_bytes=limits.max_bytes, what=what), str(path))


def open_text(path: Path, *, what: str = "file") -> IO[str]:
    """A text stream of a large file (a CSV), its encoding sniffed from the first bytes; read it with
    `BoundedLines`, never whole."""
    path = Path(path)
    head = _head(path, 65536, what)
    if not head.strip():
        raise UserError(f"{path}: the file is empty; its first row must name the columns "
                        "(see `appeal batch --csv-template`).")
    encoding, skip = sniff_encoding(head, str(path))
    stream = open(path, encoding=encoding, newline="", errors="strict")
    if skip:
        stream.read(1)  # the byte-order mark, one character in every encoding
    return stream


class LineTooLong(Exception):
    """A line longer than the limit; the stream has been moved past it."""

    def __init__(self, length: int):
        super().__init__(length)
        self.length = length


class BoundedLines:
    """The lines of `stream`, each at most `max_chars` characters. A longer line raises LineTooLong after its
    end is skipped in fixed-size pieces (memory stays flat); iterating again goes on with the next line."""

    def __init__(self, stream: IO[str], max_chars: int):
        self.stream = stream
        self.max_chars = max_chars

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(self.max_chars + 1)
        if not line:
            raise StopIteration
        if len(line) > self.max_chars and not line.endswith("\n"):
            length = len(line)
            while True:
                piece = self.stream.readline(1 << 20)
                length += len(piece)
                if not piece or piece.endswith("\n"):
                    break
            raise LineTooLong(length)
        return line


# --------------------------------------------------------------------------------------------------------------
# YAML (and JSON, which YAML reads) -> data


class _Refused(Exception):
    """A problem found while parsing, with where it is."""

    def __init__(self, message: str, mark: Any):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1's implicit types without timestamps: a date stays the text the person wrote."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
# libyaml's parser when PyYAML has it (ten times faster, the same events and marks), else PyYAML's own.
_PARSER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


@dataclass
class Loaded:
    """Data read from a file, with where each value was written, to name its line in later messages."""

    data: Any
    source: str
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: tuple | list) -> str:
        """' (line 38)' for the nearest written part of `path`; '' when unknown."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return " " + _("(line {number})").format(number=self.positions[path][0])
            path = path[:-1]
        return ""


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path) or "(the top level)"


@dataclass
class _Open:
    """A list or mapping being built: where it is, and what it has counted so far."""

    value: list | dict
    path: tuple
    anchor: str | None
    counted_before: int
    mark: Any
    height: int = 0
    key: Any = None
    has_key: bool = False
    key_lines: dict = field(default_factory=dict)


@dataclass
class _Anchored:
    value: Any
    size: int
    height: int


_NOTHING = object()


class _Builder:
    """Parser events -> plain data (dicts, lists, str, int, float, bool, None), without recursion: nesting,
    the values an alias stands for, tags, numbers and repeated keys are checked as each event arrives, so no
    file can make it recurse, loop or grow past the limits."""

    _PLAIN = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:value"}

    def __init__(self, limits: Limits, first_line: int):
        self.limits = limits
        self.first_line = first_line
        self.count = 0
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.anchors: dict[str, _Anchored] = {}
        self.stack: list[_Open] = []
        self.resolver = _Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.root: Any = _NOTHING

    def line(self, mark: Any) -> int:
        return mark.line + self.first_line

    def build(self, events: Any) -> Any:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent) and self.root is not _NOTHING:
                raise _Refused("the file holds a second document (after a '---' line); one file is one case",
                               event.start_mark)
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentStartEvent,
                                  yaml.DocumentEndEvent)):
                continue
            if getattr(event, "tag", None) is not None:
                shown = event.tag.replace("tag:yaml.org,2002:", "!!")
                raise _Refused(f"the tag {shown} is not allowed; write the value without it, like 'amount: 450.00' "
                               "or, for text, in quotes: 'member_id: \"00123\"'", event.start_mark)
            if isinstance(event, yaml.CollectionEndEvent):
                self.close(event)
            elif isinstance(event, yaml.CollectionStartEvent):
                self.open(event)
            elif isinstance(event, yaml.AliasEvent):
                self.alias(event)
            else:
                self.scalar(event)
        return None if self.root is _NOTHING else self.root

    def next_path(self, mark: Any, what: str) -> tuple:
        """The path of the value starting here; a list or section cannot be a field name."""
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        if not parent.has_key and what != "scalar":
            raise _Refused("a field name must be a plain word, like 'last_name:', not a list, a section or an "
                           "alias", mark)
        return (*parent.path, parent.key) if parent.has_key else parent.path

    def count_in(self, amount: int, mark: Any) -> None:
        self.count += amount
        if self.count > self.limits.max_nodes:
            raise _Refused(f"it holds more than {self.limits.max_nodes:,} values (counting each use of an alias "
                           "'*name'); a case holds a few hundred", mark)

    def place(self, value: Any, mark: Any, height: int, path: tuple) -> None:
        """Put a finished value in its list or mapping (or make it the whole document)."""
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.has_key:
            parent.value[parent.key] = value
            parent.has_key = False
        else:
            self.take_key(parent, value, mark)
            return
        self.positions.setdefault(path, (self.line(mark), mark.column + 1))

    def take_key(self, parent: _Open, key: Any, mark: Any) -> None:
        if key is _MERGE:
            raise _Refused("merge keys ('<<: *name') are not allowed; write the fields out", mark)
        path = (*parent.path, key)
        if key in parent.key_lines:
            raise _Refused(f"{_dotted(path)} is written twice, at line {parent.key_lines[key]} and line "
                           f"{self.line(mark)}; keep one of them", mark)
        parent.key_lines[key] = self.line(mark)
        parent.key, parent.has_key = key, True
        self.positions[path] = (self.line(mark), mark.column + 1)

    def open(self, event: Any) -> None:
        path = self.next_path(event.start_mark, "collection")
        if len(self.stack) >= self.limits.max_depth:
            raise _Refused(f"the data is nested more than {self.limits.max_depth} levels deep; a case is a few "
                           "levels deep, like patient: then last_name:", event.start_mark)
        self.count_in(1, event.start_mark)
        self.positions.setdefault(path, (self.line(event.start_mark), event.start_mark.column + 1))
        value: list | dict = [] if isinstance(event, yaml.SequenceStartEvent) else {}
        self.stack.append(_Open(value, path, event.anchor, self.count - 1, event.start_mark))

    def close(self, event: Any) -> None:
        done = self.stack.pop()
        if done.anchor is not None:
            self.anchors[done.anchor] = _Anchored(done.value, self.count - done.counted_before, done.height)
        self.place(done.value, done.mark, done.height, done.path)

    def alias(self, event: Any) -> None:
        path = self.next_path(event.start_mark, "alias")
        anchored = self.anchors.get(event.anchor)
        if anchored is None:
            if any(frame.anchor == event.anchor for frame in self.stack):
                raise _Refused(f"the alias *{event.anchor} is used inside its own anchor (an alias inside itself); "
                               "write the values out", event.start_mark)
            raise _Refused(f"the alias *{event.anchor} has no anchor &{event.anchor} above it", event.start_mark)
        if len(self.stack) + anchored.height > self.limits.max_depth:
            raise _Refused(f"the aliases nest more than {self.limits.max_depth} levels deep; write the values out",
                           event.start_mark)
        self.count_in(anchored.size, event.start_mark)
        self.place(anchored.value, event.start_mark, anchored.height, path)

    def scalar(self, event: Any) -> None:
        path = self.next_path(event.start_mark, "scalar")
        self.count_in(1, event.start_mark)
        problem = control_problem(event.value)  # written as a YAML escape ("\e[2J"): the text check cannot see it
        if problem:
            raise _Refused(f"{_dotted(path) or 'a value'}: {problem}", event.start_mark)
        value = self.resolve(event, path)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, 1, 0)
        self.place(value, event.start_mark, 0, path)

    def resolve(self, event: Any, path: tuple) -> Any:
        tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        if tag in self._PLAIN:
            return event.value
        if tag == "tag:yaml.org,2002:merge":
            return _MERGE
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            text = event.value
            if len(text) > self.limits.max_number_chars:
                raise _Refused(f"{_dotted(path)}: a number {len(text):,} characters long is more than any field "
                               "can mean; check it (an identifier of digits goes in quotes: \"00123\")",
                               event.start_mark)
            value = self.constructor.construct_object(node)
            if isinstance(value, float) and not math.isfinite(value):
                raise _Refused(f"{_dotted(path)}: {text} is not a number a case can hold; write a plain number, "
                               "like 450.00", event.start_mark)
            if abs(value) > self.limits.max_number:
                raise _Refused(f"{_dotted(path)}: {text} is larger than any field can mean "
                               f"(at most {self.limits.max_number:,.0f}); check the number", event.start_mark)
            return value
        if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"):
            return self.constructor.construct_object(node)
        raise _Refused(f"{_dotted(path)}: this value cannot be read ({tag}); put it in quotes",
                       event.start_mark)  # pragma: no cover - every implicit tag is handled above


class _Merge:
    """The merge key '<<', refused when it is used as a key."""


_MERGE = _Merge()


def _text_of(source: str | bytes | Path, source_name: str | None, limits: Limits, first_line: int,
             allow_empty: bool) -> tuple[str, str]:
    name = source_name or (str(source) if isinstance(source, Path) else "the text")
    if isinstance(source, Path):
        source = read_bytes(source, max_bytes=limits.max_bytes)
    if isinstance(source, bytes):
        if allow_empty and not source.strip():
            return "", name
        if len(source) > limits.max_bytes:
            raise UserError(f"{name} is larger than {limits.max_bytes:,} bytes, more than it can hold.")
        return decode(source, name, first_line=first_line), name
    if len(source) > limits.max_bytes:
        raise UserError(f"{name} is longer than {limits.max_bytes:,} characters, more than it can hold.")
    check_characters(source, name, first_line=first_line)
    return source, name


def read_yaml(
    source: str | bytes | Path, *, source_name: str | None = None, limits: Limits = CASE_LIMITS, first_line: int = 1,
    allow_empty: bool = False,
) -> Loaded:
    """YAML or JSON text (a path, bytes or a str) as plain data with the line of each value, within `limits`.

    `first_line` is the line the text starts on in its file (a snippet's header starts on line 2). An empty
    document is an error unless `allow_empty` (then its data is None). Raises UserError, never anything else."""
    text, name = _text_of(source, source_name, limits, first_line, allow_empty)
    if not text.strip():
        if allow_empty:
            return Loaded(None, name)
        raise UserError(f"{name} is empty.")
    builder = _Builder(limits, first_line)
    try:
        data = builder.build(yaml.parse(text, Loader=_PARSER))
    except _Refused as refused:
        mark = refused.mark
        raise UserError(f"{name}, line {mark.line + first_line}, column {mark.column + 1}: {refused.message}.") from None
    except yaml.MarkedYAMLError as error:
        raise UserError(_describe_yaml_error(error, name, first_line, text, limits)) from None
    except yaml.YAMLError as error:  # pragma: no cover - every PyYAML error past the reader is marked
        raise UserError(f"{name} cannot be read as YAML: {error}.") from None
    if data is None and builder.root is _NOTHING:
        if allow_empty:
            return Loaded(None, name)
        raise UserError(f"{name}: the file is empty (it holds only comments).")
    return Loaded(data, name, builder.positions)


def load_yaml(source: str | bytes | Path, *, source_name: str | None = None, limits: Limits = CASE_LIMITS,
              first_line: int = 1, allow_empty: bool = False) -> Any:
    """`read_yaml`, the data only."""
    return read_yaml(source, source_name=source_name, limits=limits, first_line=first_line,
                     allow_empty=allow_empty).data


def _describe_yaml_error(error: yaml.MarkedYAMLError, name: str, first_line: int, text: str,
                         limits: Limits) -> str:
    mark = error.problem_mark or error.context_mark
    where = f", line {mark.line + first_line}, column {mark.column + 1}" if mark else ""
    problem = error.problem or "it is not valid YAML"
    context = error.context_mark
    if context is not None and mark is not None and context.line != mark.line:
        problem += f" ({error.context or 'in what starts'} at line {context.line + first_line}, column {context.column + 1})"
    hint = "Check the indentation and quotes there."
    line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if "\t" in line[: mark.column + 1] if mark else False:
        problem, hint = "a tab is used for indenting", "Indent with spaces, not tabs."
    elif "maximum nesting depth" in problem:
        problem = f"the data is nested more than {limits.max_depth} levels deep"
        hint = "A case is a few levels deep, like patient: then last_name:."
    elif "mapping values are not allowed" in problem:
        hint = "A value with a colon in it goes in quotes, like note: \"time: 10:30\"."
    elif "undefined alias" in problem:
        hint = "An alias '*name' needs an anchor '&name' above it."
    return f"{name}{where}: {problem}. {hint}"
