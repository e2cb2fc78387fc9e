"""Control characters in what a person typed: refused where text comes in, made visible where text goes out.

A terminal obeys control characters. ESC [ 31 m turns the text after it red, ESC [ 2 J clears the screen, ESC ] 0 ;
... BEL retitles the window, and the C1 character U+009B starts the same sequences on many terminals; so a name
written `"Maria\\e[2J"` in a case file, a CSV cell or a tracking note would act on the screen of whoever prints it.
No letter, form or note needs one: a field keeps its tabs and line breaks (a Windows line end becomes a plain one),
and every other C0 character, DEL and every C1 character is refused with the field's name (`refuse_controls`).
Accents, ñ, emoji and curly apostrophes are not control characters and pass untouched.

What is printed to a terminal goes through `printable` as well, so a value that reached us before this rule (an
old tracking record, a file name, a value quoted in an error message) is shown as `\\x1b`, never obeyed.
"""

from __future__ import annotations

import re

# C0 controls except tab (09) and line feed (0A), then DEL (7F) and the C1 controls (80-9F): never printed.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same but the carriage return (0D), which a kept text holds only as part of a line end, made plain.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_NAMES = {0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
          0x0D: "carriage return", 0x1B: "escape", 0x7F: "delete", 0x9B: "C1 control sequence introducer"}


def control_problem(text: str) -> str | None:
    """Why `text` cannot be kept ('holds the control character U+001B (escape) ...'), or None when it can (a
    carriage return can: `refuse_controls` makes it a line end)."""
    match = _REFUSED.search(text)
    if match is None:
        return None
    code = ord(match.group())
    name = _NAMES.get(code, "control character")
    return (f"holds the control character U+{code:04X} ({name}) at character {match.start() + 1}, which no letter "
            "or note can hold (pasted from a terminal or another program?); delete it or retype that part")


def without_windows_line_ends(text: str) -> str:
    """A Windows (CR LF) or old Mac (CR) line end as a plain line break: the same text, nothing lost."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def refuse_controls(text: str) -> str:
    """`text` with plain line ends, or ValueError naming the control character it holds (for validators)."""
    text = without_windows_line_ends(text)
    problem = control_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def printable(text: object) -> str:
    """Text safe to print to a terminal: every control character but tab and line feed shown as `\\x1b`."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))
