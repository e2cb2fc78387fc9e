"""US states and territories (appeal/data/states.yaml): a plan's state as a person types it, 'co', 'Colorado' or
'colorado', becomes its code; a code that is no state is refused with the nearest names, not kept as two letters."""

from __future__ import annotations

import difflib
from functools import lru_cache

from appeal.base.language import translate as _
from appeal.base.resources import load_data


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """Every state's name by its two-letter code."""
    return {str(code): str(name) for code, name in load_data("states.yaml").items()}


def code_of(typed: str) -> str:
    """The two-letter code of a state typed as its code or its name (any capitals, extra spaces); a ValueError
    that names the nearest states when it is neither."""
    words = " ".join(typed.replace(".", "").split())
    by_name = {name.lower(): code for code, name in names().items()}
    if words.upper() in names():
        return words.upper()
    if words.lower() in by_name:
        return by_name[words.lower()]
    near = difflib.get_close_matches(words.lower(), list(by_name), n=2, cutoff=0.75)
    hint = (" " + _("(did you mean {states}?)").format(states=_(" or ").join(
        f"{by_name[name]}, {names()[by_name[name]]}" for name in near))) if near else ""
    raise ValueError(_("'{typed}' is not a US state or territory{hint}: write its two-letter code, like CO, or its "
                       "name, like Colorado").format(typed=typed, hint=hint))
