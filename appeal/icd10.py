"""ICD-10-CM diagnosis codes, checked against the official code set shipped by simple-icd-10-cm.

The code set takes about a second to load, so it is imported on first use, not at start-up.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Codes a payer reads as "the diagnosis was not worked up": unspecified or catch-all codes in the fields we serve.
_WEAK_CODES = {
    "F32.9": "major depressive disorder, single episode, unspecified",
    "F32.A": "depression, unspecified",
    "F33.9": "major depressive disorder, recurrent, unspecified",
    "F43.10": "post-traumatic stress disorder, unspecified",
    "G90.50": "complex regional pain syndrome I, unspecified",
    "G89.29": "other chronic pain",
}


def _codes():
    import simple_icd_10_cm

    return simple_icd_10_cm


def normalize(code: str) -> str:
    """F332, f33.2 and ' F33.2 ' all mean F33.2."""
    text = re.sub(r"\s", "", code).upper()
    if "." not in text and len(text) > 3:
        text = f"{text[:3]}.{text[3:]}"
    return text


def check(code: str) -> str:
    """Return the normalized code, or raise ValueError saying why it cannot be billed."""
    normalized = normalize(code)
    icd = _codes()
    if not re.fullmatch(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", normalized) or not icd.is_valid_item(normalized):
        raise ValueError(f"'{code}' is not an ICD-10-CM code (codes look like F33.2)")
    if not icd.is_leaf(normalized):
        children = ", ".join(icd.get_children(normalized)[:6])
        raise ValueError(
            f"'{normalized}' is a category, not a billable code; use a more specific code such as {children}"
        )
    return normalized


def describe(code: str) -> str:
    return _codes().get_description(normalize(code))


def weakness(code: str) -> str | None:
    """A warning when the code is an unspecified one that payers treat as weak evidence, else None."""
    normalized = normalize(code)
    if normalized in _WEAK_CODES or normalized.endswith(".9"):
        return (
            f"{normalized} is an unspecified code; payers read it as weak evidence. "
            "Ask the provider whether a more specific code fits (for example F33.2 for recurrent severe depression)."
        )
    return None


@lru_cache(maxsize=1)
def _billable_index() -> list[tuple[str, str]]:
    icd = _codes()
    return [(code, icd.get_description(code)) for code in icd.get_all_codes(with_dots=True) if icd.is_leaf(code)]


@lru_cache(maxsize=1)
def _vocabulary() -> list[str]:
    return sorted({word for _, text in _billable_index() for word in re.findall(r"[a-z]+", text.lower())})


# Codes this tool's users most often need come first in a lookup: depression, PTSD, CRPS, chronic pain, suicidality.
_FIELD_PREFIXES = ("F33", "F32", "F43.1", "G90.5", "G56.4", "G57.7", "G89", "R45.851", "F31", "F41")


# What people say, in the words the code set uses.
_PLAIN_WORDS = {
    "ptsd": "post traumatic stress",
    "crps": "complex regional pain syndrome",
    "rsd": "complex regional pain syndrome",
    "mdd": "major depressive",
    "trd": "major depressive",
    "depressed": "depressive",
    "arm": "upper limb",
    "leg": "lower limb",
    "anxiety": "anxiety",
    "suicide": "suicid",
}


def _stem(term: str) -> str:
    """'depression' also finds 'depressive': long words are matched on their first letters."""
    return term[: max(5, len(term) - 3)] if len(term) > 6 else term


def _known(term: str) -> str:
    """A misspelled word ('depresion') becomes the nearest word the code set uses."""
    from difflib import get_close_matches

    if any(word.startswith(_stem(term)) for word in _vocabulary()):
        return term
    nearest = get_close_matches(term, _vocabulary(), n=1, cutoff=0.75)
    return nearest[0] if nearest else term


def search(words: str, limit: int = 12) -> list[tuple[str, str]]:
    """Billable codes whose description holds every word typed (forgiving plural, -ive/-ion and typos),
    the codes of this tool's field first ("depression" offers F33.x and F32.x before postpartum depression)."""
    words = " ".join(_PLAIN_WORDS.get(word, word) for word in re.split(r"\W+", words.lower()))
    terms = [_stem(_known(term)) for term in words.split() if term]
    if not terms:
        return []
    found = [
        (code, text)
        for code, text in _billable_index()
        if all(re.search(rf"\b{re.escape(term)}", text.lower()) for term in terms)
    ]

    def rank(item: tuple[str, str]) -> tuple[int, bool, bool, str]:
        # F33 before F32 (the field's order), then the specific codes before "other", "unspecified" and remission,
        # then in code order: F33.0 mild, F33.1 moderate, F33.2 severe, as a clinician reads the list.
        code, text = item
        field = next((n for n, prefix in enumerate(_FIELD_PREFIXES) if code.startswith(prefix)), len(_FIELD_PREFIXES))
        lowered = text.lower()
        vague = code in _WEAK_CODES or code.endswith(".9") or lowered.startswith("other") or "unspecified" in lowered
        return (field, vague, "remission" in lowered, code)

    return sorted(found, key=rank)[:limit]
