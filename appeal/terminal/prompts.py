"""questionary's list and yes/no prompts with their key hints in the person's language.

questionary writes its own English beside every prompt ("(Use arrow keys)", "(Y/n)") and answers a confirm with
"Yes" or "No" unless the caller passes its own words; every list and yes/no question of the terminal comes through
here so none is missed. A yes/no question in another language is a two-item list ("Sí" / "No"): questionary's
confirm only knows the keys y and n, which a Spanish speaker would not guess.
"""

from __future__ import annotations

from typing import Any

import questionary

from appeal.base import language
from appeal.base.language import translate as _


def arrows() -> str:
    """The hint beside a list, in the person's language."""
    return _("(Use arrow keys)")


def select(message: str, choices: list, **kwargs: Any) -> questionary.Question:
    """questionary.select with the hint in the person's language."""
    return questionary.select(message, choices=choices, instruction=arrows(), **kwargs)


def confirm(message: str, default: bool = True) -> questionary.Question:
    """A yes/no question: questionary's confirm in English; in another language a list of the two answers in it
    (the answer is True or False either way)."""
    if language.current() == language.ENGLISH:
        return questionary.confirm(message, default=default)
    return select(message, [questionary.Choice(_("Yes"), value=True), questionary.Choice(_("No"), value=False)],
                  default=default)
