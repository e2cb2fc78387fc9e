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


def search(words: str, limit: int = 12) -> list[tuple[str, str]]:
    """Billable codes whose description holds every word typed ("depression recurrent" finds F33.x)."""
    terms = [term for term in re.split(r"\W+", words.lower()) if term]
    if not terms:
        return []
    found = [(code, text) for code, text in _billable_index() if all(term in text.lower() for term in terms)]
    return sorted(found, key=lambda item: (len(item[1]), item[0]))[:limit]
