"""ICD-10-CM diagnosis codes, looked up in a compact index of the official code set: `appeal/data/icd10cm.tsv`.

The index is the code set that simple-icd-10-cm ships (1.5: its icd10c-tabular-April-1-2026.xml), written once
as one sorted line per code: code, billable (1) or not (0), description, children. A look-up is a binary search in
the memory-mapped file, so a process loads nothing (simple-icd-10-cm builds ~98,000 objects from XML: about
two seconds and 150 MB in every process that checked a code). Regenerate it with `python -m appeal.cases.icd10`
(needs the test extras); tests/cases/test_icd10.py compares every code's answers with simple-icd-10-cm's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from appeal.base.language import translate as _

INDEX = Path(__file__).resolve().parent.parent / "data" / "icd10cm.tsv"
_HEADER = "#code\tbillable\tdescription\tchildren"
_CODE_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")

# Codes a payer reads as "the diagnosis was not worked up": unspecified or catch-all codes in the fields we serve.
_WEAK_CODES = {
    "F32.9": "major depressive disorder, single episode, unspecified",
    "F32.A": "depression, unspecified",
    "F33.9": "major depressive disorder, recurrent, unspecified",
    "F43.10": "post-traumatic stress disorder, unspecified",
    "G90.50": "complex regional pain syndrome I, unspecified",
    "G89.29": "other chronic pain",
}


@lru_cache(maxsize=1)
def _index():
    """The index file, memory-mapped: pages are read only where a search looks."""
    import mmap

    with INDEX.open("rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _unescape(text: str) -> str:
    if "\\" not in text:  # almost every description: nothing to undo
        return text
    return re.sub(r"\\(.)", lambda match: {"t": "\t", "n": "\n"}.get(match[1], match[1]), text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _entry(code: str) -> tuple[bool, str, list[str]] | None:
    """(billable, description, children) of an item of the code set (a code, a block, a chapter), or None."""
    line = _line(code)
    if line is None:
        return None
    fields = line.split("\t")
    return fields[1] == "1", _unescape(fields[2]), fields[3].split()


@lru_cache(maxsize=1024)  # a case's codes are looked up again and again: checked, described, weighed
def _line(code: str) -> str | None:
    """The index's line for `code`, or None. A binary search over the sorted lines: `lo` is always the start of a
    line, every line before it sorts before `code`, every line from `hi` on does not."""
    data = _index()
    key = code.encode() + b"\t"  # a line's code and its tab: the tab sorts before every character of a code
    lo, hi = 0, len(data)
    while lo < hi:
        start = data.rfind(b"\n", lo, (lo + hi) // 2) + 1 or lo
        if data[start : start + len(key)] < key:
            end = data.find(b"\n", start)
            lo = len(data) if end < 0 else end + 1
        else:
            hi = start
    end = data.find(b"\n", lo)
    line = data[lo : len(data) if end < 0 else end].decode("utf-8")
    if lo == 0 or line.split("\t", 1)[0] != code:  # the first line is the header
        return None
    return line


def normalize(code: str) -> str:
    """F332, f33.2 and ' F33.2 ' all mean F33.2."""
    text = re.sub(r"\s", "", code).upper()
    if "." not in text and len(text) > 3:
        text = f"{text[:3]}.{text[3:]}"
    return text


def check(code: str) -> str:
    """Return the normalized code, or raise ValueError saying why it cannot be billed."""
    normalized = normalize(code)
    entry = _entry(normalized) if _CODE_SHAPE.fullmatch(normalized) else None
    if entry is None:
        raise ValueError(_("'{code}' is not an ICD-10-CM code (codes look like F33.2)").format(code=code))
    billable, _description, children = entry
    if not billable:
        children = ", ".join(children[:6])
        raise ValueError(_("'{code}' is a category, not a billable code; use a more specific code such as {codes}"
                           ).format(code=normalized, codes=children))
    return normalized


def describe(code: str) -> str:
    entry = _entry(normalize(code))
    if entry is None:
        raise ValueError(_("'{code}' is not an ICD-10-CM code (codes look like F33.2)").format(code=code))
    return entry[1]


def weakness(code: str) -> str | None:
    """A warning when the code is an unspecified one that payers treat as weak evidence, else None."""
    normalized = normalize(code)
    if normalized in _WEAK_CODES or normalized.endswith(".9"):
        return _("{code} is an unspecified code; payers read it as weak evidence. Ask the provider whether a more "
                 "specific code fits (for example F33.2 for recurrent severe depression).").format(code=normalized)
    return None


@lru_cache(maxsize=1)
def _billable_index() -> list[tuple[str, str]]:
    """Every billable code with its description (for a search by words, which reads them all)."""
    lines = INDEX.read_text(encoding="utf-8").splitlines()[1:]
    return [
        (code, _unescape(text))
        for code, billable, text, _ in (line.split("\t") for line in lines)
        if billable == "1"
    ]


@lru_cache(maxsize=1)
def _lowered() -> list[str]:
    """The descriptions of `_billable_index` in lower case, in its order (lowered once, not at every search)."""
    return [text.lower() for _, text in _billable_index()]


@lru_cache(maxsize=1)
def _vocabulary() -> list[str]:
    return sorted(set(re.findall(r"[a-z]+", "\n".join(_lowered()))))


def has_word(word: str) -> bool:
    """Whether the code set's descriptions hold this word (lower case, or capitalized as a description's first
    word): the proofreader's question for a word its dictionary lacks. A search of the mapped file, not a list
    of its words (building that costs a fifth of a second)."""
    data = _index()
    for variant in {word.lower(), word.capitalize()}:
        needle = variant.encode()
        at = data.find(needle)
        while at >= 0:
            before, after = data[at - 1 : at] if at else b" ", data[at + len(needle) : at + len(needle) + 1]
            if not before.isalnum() and not after.isalnum():
                return True
            at = data.find(needle, at + 1)
    return False


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
    from bisect import bisect_left
    from difflib import get_close_matches

    vocabulary, stem = _vocabulary(), _stem(term)
    at = bisect_left(vocabulary, stem)  # the words are sorted: one starting with the stem would be the first after it
    if at < len(vocabulary) and vocabulary[at].startswith(stem):
        return term
    nearest = get_close_matches(term, vocabulary, n=1, cutoff=0.75)
    return nearest[0] if nearest else term


def search(words: str, limit: int = 12) -> list[tuple[str, str]]:
    """Billable codes whose description holds every word typed (forgiving plural, -ive/-ion and typos),
    the codes of this tool's field first ("depression" offers F33.x and F32.x before postpartum depression)."""
    words = " ".join(_PLAIN_WORDS.get(word, word) for word in re.split(r"\W+", words.lower()))
    terms = [_stem(_known(term)) for term in words.split() if term]
    if not terms:
        return []
    patterns = [(term, re.compile(rf"\b{re.escape(term)}")) for term in terms]
    longest, index, lowered = max(terms, key=len), _billable_index(), _lowered()
    holding = [number for number, lower in enumerate(lowered) if longest in lower]  # one C-fast `in` each
    found = [index[number] for number in holding
             if all(term in lowered[number] and pattern.search(lowered[number]) for term, pattern in patterns)]

    def rank(item: tuple[str, str]) -> tuple[int, bool, bool, str]:
        # F33 before F32 (the field's order), then the specific codes before "other", "unspecified" and remission,
        # then in code order: F33.0 mild, F33.1 moderate, F33.2 severe, as a clinician reads the list.
        code, text = item
        field = next((n for n, prefix in enumerate(_FIELD_PREFIXES) if code.startswith(prefix)), len(_FIELD_PREFIXES))
        lowered = text.lower()
        vague = code in _WEAK_CODES or code.endswith(".9") or lowered.startswith("other") or "unspecified" in lowered
        return (field, vague, "remission" in lowered, code)

    return sorted(found, key=rank)[:limit]


def index_text() -> str:
    """The index, generated from simple-icd-10-cm: every item of its code set once, as its own functions answer."""
    import simple_icd_10_cm as icd

    lines = [_HEADER]
    for code in sorted(set(icd.get_all_codes(with_dots=True))):
        billable = icd.is_leaf(code)
        children = "" if billable else " ".join(icd.get_children(code))
        lines.append(f"{code}\t{int(billable)}\t{_escape(icd.get_description(code))}\t{children}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    INDEX.write_text(index_text(), encoding="utf-8")
    print(f"Wrote {INDEX}")
