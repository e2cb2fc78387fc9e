"""argparse's own words ("usage:", "options", "show this help message and exit", its error messages) in the person's
language. argparse asks the standard library's gettext for them, in the process-wide default domain and the
environment's language, so `appeal --lang es` (or a Spanish locale without a catalog of Python's own) would still
print them in English; pointed at our catalog instead, they follow the language chosen like every other word.

The messages are argparse's exact msgids (Python 3.11's), declared here so the extractor puts them in our catalog
and each is translated there with ours. A msgid that some other Python version words differently is shown as it is
written, in English, never an error."""

from __future__ import annotations

import argparse

from appeal.base.language import N_, ngettext, translate

# the words a person meets: the help, the usage line and the mistakes typed on a command line
MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def _argparse_ngettext(singular: str, plural: str, count: int) -> str:
    """argparse's 'expected %s argument(s)' (a literal pair here, so the extractor sees it)."""
    if singular == "expected %s argument":
        return ngettext("expected %s argument", "expected %s arguments", count)
    return ngettext(singular, plural, count)


def install() -> None:
    """argparse's words through our catalog, in the language chosen (English: as argparse writes them). Called
    before the parser is built: the group titles and the -h help are worded when the parser is made."""
    argparse._ = translate
    argparse.ngettext = _argparse_ngettext
