"""The one exception a user should ever see: a plain message, exit status 2, never a traceback."""


class UserError(Exception):
    """Something the person can fix (a file, a field, an option). The message names it and says what is wrong."""

    exit_status = 2


# --------------------------------------------------------------------------------------------------------------
# Turning the errors of the file system, YAML and pydantic into words, in one place (casefile, csv_cases,
# evidence, kinds, questionnaire and batch all use these).


def os_reason(error: OSError) -> str:
    """'Permission denied', not '[Errno 13] Permission denied: ...' (the path is named by the caller)."""
    return error.strerror or str(error)


def cannot_read(path: object, error: OSError, what: str = "") -> UserError:
    """'{what} {path} cannot be read: Permission denied.'"""
    return UserError(f"{what + ' ' if what else ''}{path} cannot be read: {os_reason(error)}.")


def one_of(problem: dict) -> str:
    """An enum's problem: 'must be one of: 'a', 'b' or 'c'' (the values as they are typed)."""
    import re

    from appeal.base.language import translate as _

    values = re.findall(r"'[^']*'", problem["ctx"]["expected"])  # pydantic's "'a', 'b' or 'c'", its 'or' English
    if len(values) > 1:
        values = [_("{items} or {last}").format(items=", ".join(values[:-1]), last=values[-1])]
    return _("must be one of: {values}").format(values="".join(values) or problem["ctx"]["expected"])


def problem_words(problem: dict, messages: dict[str, str] | None = None,
                  pattern_hints: dict[str, str] | None = None) -> str:
    """One pydantic problem in words: the caller's message for its type, the choices of an enum, a hint for a
    pattern, or the model's own message (without pydantic's 'Value error, ')."""
    kind = problem["type"]
    if kind == "enum":
        return one_of(problem)
    if kind == "string_pattern_mismatch" and pattern_hints and str(problem["loc"][-1]) in pattern_hints:
        return pattern_hints[str(problem["loc"][-1])]
    if messages and kind in messages:
        return messages[kind]
    return problem["msg"].removeprefix("Value error, ")


def describe_validation(error: object, source: str, *, whole: str, messages: dict[str, str] | None = None,
                        pattern_hints: dict[str, str] | None = None, places: dict[str, str] | None = None) -> str:
    """'{source} has 2 problems:' then one line per problem: the field's path (or `whole`), what is wrong.
    Never the value's full repr or a traceback. `error` is a pydantic ValidationError, or anything with its
    errors() method."""
    lines = []
    for problem in error.errors():  # type: ignore[attr-defined]
        where = ".".join(str(part) for part in problem["loc"]) or whole
        lines.append(f"  {(places or {}).get(where, where)}: {problem_words(problem, messages, pattern_hints)}")
    return problems(source, lines)


def problems(source: str, lines: list[str]) -> str:
    """'{source} has 2 problems:' (in the person's language) and the problems' lines under it."""
    from appeal.base.language import ngettext

    return ngettext("{source} has {count} problem:", "{source} has {count} problems:", len(lines)).format(
        source=source, count=len(lines)) + "\n" + "\n".join(lines)
