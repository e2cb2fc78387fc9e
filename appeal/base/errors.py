"""The one exception a user should ever see: a plain message, exit status 2, never a traceback."""

from appeal.base.language import N_


class UserError(Exception):
    """Something the person can fix (a file, a field, an option). The message names it and says what is wrong."""

    exit_status = 2


# --------------------------------------------------------------------------------------------------------------
# Turning the errors of the file system, YAML and pydantic into words, in one place (casefile, csv_cases,
# evidence, kinds, questionnaire and batch all use these).


def os_reason(error: OSError) -> str:
    """'Permission denied', not '[Errno 13] Permission denied: ...' (the path is named by the caller); the usual
    ones in the person's language (the system's own words are English in most locales)."""
    import errno

    from appeal.base.language import translate as _

    usual = {errno.ENOENT: N_("No such file or directory"), errno.EACCES: N_("Permission denied"),
             errno.EPERM: N_("Operation not permitted"), errno.EISDIR: N_("Is a directory"),
             errno.ENOTDIR: N_("Not a directory"), errno.ENOSPC: N_("No space left on device"),
             errno.EROFS: N_("Read-only file system"), errno.ENAMETOOLONG: N_("File name too long")}
    return _(usual[error.errno]) if error.errno in usual else error.strerror or str(error)


def cannot_read(path: object, error: OSError, what: str = "") -> UserError:
    """'{what} {path} cannot be read: Permission denied.'"""
    from appeal.base.language import translate as _

    name = f"{what} {path}" if what else str(path)
    return UserError(_("{name} cannot be read: {reason}.").format(name=name, reason=os_reason(error)))


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
    if kind in _PYDANTIC_WORDS:  # pydantic's own words, in the person's language (the same words in English)
        from appeal.base.language import translate as _

        return _(_PYDANTIC_WORDS[kind]).format(**(problem.get("ctx") or {}))
    return problem["msg"].removeprefix("Value error, ")


# pydantic's messages for the problems a case file's hand edits usually have, as pydantic writes them (so the
# English is unchanged), marked for the catalog.
_PYDANTIC_WORDS = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
}


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
