"""Proofreading: the free text a person typed, checked for likely typos before it goes into a formal letter.

A letter to a plan's medical reviewer is read as evidence of care; "I recieve my infusions" costs it credibility.
The words are checked with pyspellchecker (a maintained checker ranking suggestions by English word frequency; its
word list ships inside the package, so nothing is fetched), to which this module adds every word the tool itself
knows: its data files (medications, codes, criteria, rules), its letter templates and their sentences, its
evidence snippets, the ICD-10-CM descriptions, `data/proofread.yaml`'s drug and clinical terms, and the names and
places of the case at hand. So "esketamine", "Spravato" or the patient's own name are never flagged.

It only points: nothing here changes a case. The questionnaire asks the person about each word ("recieve ->
receive?": use the fix, or keep it as typed, remembered in the case's `kept_spellings` for that field); `appeal
draft --case` and `batch` print the words after drafting. The plan's quoted words (`denial.quote`) are the
plan's, so a likely typo there is only flagged to check against the notice.

The checker and the word lists load on the first text checked, never at start-up (a quarter of a second), and
the finished list is kept in the user's cache (appeal/letters/compile_cache.py) for the next run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from appeal.base.language import N_, looks_spanish
from appeal.base.resources import bundled, data_file, load_data
from appeal.cases.case import Case

# The case's free text that a letter prints: what a person writes in sentences. Names, addresses, codes and
# numbers are not here (they are checked by their own rules, or are the person's to spell).
FREE_TEXT = (
    "denial.quote",
    "treatment.urgency_reason",
    "treatment.induction",
    "treatment.maintenance",
    "clinical.history",
    "clinical.current_episode",
    "clinical.functional_impairment",
    "clinical.hospitalizations",
    "clinical.suicide_risk",
    "clinical.if_denied",
    "clinical.contraindications",
    "clinical.provider_notes",
    "prior_treatments[].reason_stopped",
    "history[].note",
    "enclosures[]",
)

# Names the letter prints in its heading, its requests and its signature. No word list holds a name, so they are
# not spell-checked; typed all in lower case ("dr. amir haddad") they are offered their capitals, as one fix.
NAMES_CAPITALIZED = ("patient.first_name", "patient.last_name", "patient.policy_holder", "sender.name",
                     "treatment.prescriber")

# Copied word for word from a document: flagged to check against it, never corrected.
VERBATIM = {"denial.quote": N_("the notice")}

# The case's names and places: never flagged in its own text.
_NAMES = (
    "sender.name", "sender.relationship", "sender.organization", "sender.address", "sender.specialty",
    "patient.first_name", "patient.last_name", "patient.address", "patient.policy_holder",
    "insurance.insurer", "insurance.plan_name", "insurance.employer", "insurance.employer_address",
    "insurance.appeals_address", "treatment.name", "treatment.facility", "treatment.prescriber",
    "treatment.prescriber_specialty", "denial.reviewer", "diagnoses[].description", "prior_treatments[].name",
)

_WORD = re.compile(r"(?<![\w'’])[A-Za-z]+(?:['’][A-Za-z]+)*(?![\w'’])")
_SENTENCE_END = re.compile(r"(^|[.!?:;\n\"“(]\s*)$")


@dataclass(frozen=True)
class Typo:
    """A likely typo in one field: the word as typed and the word meant (None where the text is quoted)."""

    field: str  # the field's path, a list's entries as `prior_treatments[].reason_stopped`
    word: str
    suggestion: str | None
    source: str | None = None  # for quoted text: the document to check it against

    @property
    def shown(self) -> str:
        """The word and what to do, in plain words: "recieve → receive?"."""
        if self.suggestion is None:
            return f"'{self.word}' may be a typo: check it against {self.source}; the letter quotes it as typed"
        return f"{self.word} → {self.suggestion}?"


# A medication's name: no word list holds every brand, so only a word one or two letters off a medication the tool
# knows (appeal/data/medications.yaml) is offered its spelling ('mirtazepine -> mirtazapine?').
MEDICATION_NAMES = ("prior_treatments[].name",)


def checks(path: str) -> bool:
    """Whether a field's text is proofread."""
    return path in FREE_TEXT or path in NAMES_CAPITALIZED or path in MEDICATION_NAMES


@lru_cache(maxsize=1)
def _medications() -> tuple[str, ...]:
    return tuple(sorted({name for names in load_data("medications.yaml").values() for name in names if len(name) > 4}))


def _medication_typos(text: str, field: str, kept_lower: set[str]) -> list[Typo]:
    import difflib

    found = []
    for word in dict.fromkeys(re.findall(r"[A-Za-z]{5,}", text)):
        lower = word.lower()
        if lower in kept_lower or lower in _medications():
            continue
        near = difflib.get_close_matches(lower, _medications(), n=1, cutoff=0.85)
        if near:
            found.append(Typo(field, word, _like(word, near[0])))
    return found


# --------------------------------------------------------------------------------------------------------------
# What is known


@lru_cache(maxsize=1)
def _extra() -> dict[str, Any]:
    return load_data("proofread.yaml")


def _words_of(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]{2,}", text)}


def _word_sources() -> list:
    """The files the tool's own words come from (the proofreading list's words are added from its data)."""
    return [*sorted(data_file("x").parent.glob("*.yaml")), *sorted(bundled("letter_templates").glob("*.yaml")),
            *sorted(bundled("evidence_snippets").glob("*.md")), *sorted(bundled("letter_templates").glob("*.docx"))]


@lru_cache(maxsize=1)
def bundled_words() -> frozenset[str]:
    """Every word of the tool's own data, templates and evidence, in lower case (the proofreading list itself
    aside: its typed-without-apostrophe keys are what it flags)."""
    import zipfile

    found = set(_extra()["words"])
    for path in _word_sources():
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                found |= _words_of(re.sub(r"<[^>]+>", " ", package.read("word/document.xml").decode("utf-8")))
        elif path.name != "proofread.yaml":
            found |= _words_of(path.read_text(encoding="utf-8"))
    return frozenset(found)


@lru_cache(maxsize=1)
def _checker():
    """pyspellchecker's English list with the tool's words in it, so a misspelled drug name is offered its
    spelling too. Distance 1 (one letter added, dropped, changed or two swapped): the typos people make, and
    fast; a word further from every known word is more likely a term the list lacks than a typo.

    The finished list is kept in the user's cache, named by the bytes of the files our words come from: unpacking
    pyspellchecker's own list and adding ours is a quarter of a cold `appeal draft` (profiled). It is kept as one
    sorted text (`_KeptWords`), read back in a millisecond, where a dictionary of its 160,000 words took a tenth
    of a draft to rebuild, and finding our words in the files another twentieth."""
    import hashlib

    import spellchecker

    from appeal.letters.compile_cache import user_compiled_cache

    disk = user_compiled_cache()
    digest = hashlib.sha256()
    for path in _word_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    key = disk.key(f"pyspellchecker {spellchecker.__version__} English and ours, sorted by three letters", digest.hexdigest())
    kept = disk.load(key, expected=tuple)
    checker = spellchecker.SpellChecker(language=None, distance=1)
    if kept is not None and len(kept) == 4 and isinstance(kept[0], bytes) and isinstance(kept[1], dict):
        checker._word_frequency = _KeptWords(*kept)  # the checker's own lookups and corrections, on our list
        return checker
    checker = spellchecker.SpellChecker(distance=1)
    checker.word_frequency.load_words(bundled_words())
    found = checker.word_frequency
    disk.store(key, (*_KeptWords.packed(found.dictionary), "".join(sorted(found.letters)), found.longest_word_length))
    return checker


class _KeptWords:
    """The word list as pyspellchecker's SpellChecker reads it (its `WordFrequency`: `dictionary`, `letters`,
    `longest_word_length`, `[word]`), from the cache as it was built. The words and their counts are one sorted
    text, "\\nword\\tcount" a word, with where the words of each first three letters start and end in it: a look-up is
    one search of that short stretch, so nothing is built from the whole list."""

    __slots__ = ("_text", "_spans", "letters", "longest_word_length")

    def __init__(self, text: bytes, spans: dict[str, tuple[int, int]], letters: str, longest: int):
        self._text, self._spans = text, spans
        self.letters, self.longest_word_length = set(letters), longest

    @staticmethod
    def packed(counts: dict[str, int]) -> tuple[bytes, dict[str, tuple[int, int]]]:
        """The sorted text of `counts` and the stretch of each first three letters in it."""
        words = sorted(counts)
        text = ("".join(f"\n{word}\t{counts[word]}" for word in words) + "\n").encode()
        firsts = words[:1] + [word for before, word in zip(words, words[1:]) if word[:3] != before[:3]]
        spans, end = {}, len(text) - 1
        for word in reversed(firsts):  # each stretch ends where the next begins
            start = text.rfind(f"\n{word}\t".encode(), 0, end)
            spans[word[:3]], end = (start, end), start
        return text, spans

    @property
    def dictionary(self) -> _KeptWords:  # what SpellChecker.known asks `in`
        return self

    def __contains__(self, word: str) -> bool:
        return self._count(word) is not None

    def __getitem__(self, word: str) -> int:
        return self._count(word) or 0

    def _count(self, word: str) -> int | None:
        span = self._spans.get(word[:3])
        if span is None or "\n" in word or "\t" in word:
            return None
        needle = f"\n{word}\t".encode()
        at = self._text.find(needle, span[0], span[1])
        if at < 0:
            return None
        return int(self._text[at + len(needle) : self._text.index(b"\n", at + 1)])


def _in_code_set(word: str) -> bool:
    from appeal.cases import icd10

    return icd10.has_word(word)


def _values(case: Case, path: str) -> Iterator[tuple[str, str]]:
    """(the value's own path, its text) for a field path, a list's entries each with its index."""
    head, _, rest = path.partition("[]")
    if not rest and not path.endswith("[]"):
        value: Any = case
        for part in path.split("."):
            value = getattr(value, part, None) if value is not None else None
        if isinstance(value, str):
            yield path, value
        return
    owner: Any = case
    for part in head.split("."):
        owner = getattr(owner, part, None) if owner is not None else None
    for index, item in enumerate(owner or []):
        value = getattr(item, rest.lstrip("."), None) if rest else item
        if isinstance(value, str):
            yield f"{head}[{index}]{rest}", value


def case_words(case: Case) -> frozenset[str]:
    """The names and places the case itself gives, in lower case."""
    found: set[str] = set()
    for path in _NAMES:
        for _, text in _values(case, path):
            found |= _words_of(text)
    return frozenset(found)


# --------------------------------------------------------------------------------------------------------------
# Checking


def _like(typed: str, meant: str) -> str:
    """The word meant, capitalized as typed ("Recieve" -> "Receive"); "I'm" keeps its capital."""
    if typed.isupper() and len(typed) > 1:
        return meant.upper()
    return meant[0].upper() + meant[1:] if typed[0].isupper() else meant


def _skipped(text: str, match: re.Match) -> bool:
    """Words not judged: one or two letters, acronyms (PHQ, IV), words with a capital inside (McKesson), and a
    capitalized word inside a sentence, which is a name the case may not give (a doctor's, a town's)."""
    word = match[0]
    if len(word) < 3 or (word.isupper() and len(word) > 1) or any(c.isupper() for c in word[1:]):
        return True
    return word[0].isupper() and not _SENTENCE_END.search(text[: match.start()])


def typos(text: str, field: str, known: frozenset[str] = frozenset(), kept: tuple[str, ...] | list[str] = ()
          ) -> list[Typo]:
    """The likely typos in one field's text, each word once, in the order typed; `known` are more words not to
    flag (the case's names), `kept` the words the person chose to keep as typed in this field."""
    source = VERBATIM.get(field)
    shortened = {**_extra()["apostrophes"], **_extra()["short_forms"]}  # offered before the checker's guess
    capitals = _extra()["capitals"]
    kept_lower = {word.lower() for word in kept}
    if field in NAMES_CAPITALIZED:
        return _name_capitals(text.strip(), field, kept_lower)
    if field in MEDICATION_NAMES:
        return _medication_typos(text, field, kept_lower)
    found: list[Typo] = []
    seen: set[str] = set()
    first: dict[str, int] = {}  # where each word is first typed, for the order (a search would find "i" in "since")
    unknown: list[tuple[str, str]] = []
    for match in _WORD.finditer(text):
        word = match[0]
        lower = word.lower().replace("’", "'")
        if lower in seen or lower in kept_lower:
            continue
        seen.add(lower)
        first[word] = match.start()
        if word in capitals:  # typed in lower case: "i", "november"
            found.append(Typo(field, word, None if source else capitals[word], source))
            continue
        if lower in shortened:
            found.append(Typo(field, word, None if source else _like(word, shortened[lower]), source))
            continue
        base = re.sub(r"'s$", "", lower)
        if _skipped(text, match) or base in known or "'" in base:
            continue
        unknown.append((word, base))
    if unknown:
        checker = _checker()
        unknown = [(word, base) for word, base in unknown if not checker.known([base])]
    for word, base in unknown:
        meant = _checker().correction(base)
        if meant and meant != base and not _in_code_set(base):  # the code set asked last: only for a typo
                found.append(Typo(field, word, None if source else _like(word, meant), source))
    return sorted(found, key=lambda typo: first[typo.word])


def _name_capitals(name: str, field: str, kept_lower: set[str]) -> list[Typo]:
    """A name typed all in lower case, offered with a capital on each word ("dr. amir haddad -> Dr. Amir Haddad",
    "o'brien -> O'Brien"); a name with any capital is left as the person typed it, and so is what is no name at all
    (an email address typed in the wrong box was offered "Denise.Okafor@Gmail.Com")."""
    if name != name.lower() or not re.search(r"[a-z]", name) or name in kept_lower or re.search(r"[@/\d]", name):
        return []
    return [Typo(field, name, re.sub(r"[a-z]+", lambda word: word[0].capitalize(), name))]


def case_typos(case: Case) -> list[tuple[str, Typo]]:
    """Every likely typo in the case's free text not kept as typed: (the value's own path, the typo). An answer
    typed in Spanish is left out: an English spelling check would "correct" every word of it."""
    known = case_words(case)
    found = []
    for field in FREE_TEXT + NAMES_CAPITALIZED + MEDICATION_NAMES:
        kept = case.kept_spellings.get(field, [])
        for path, text in _values(case, field):
            if not looks_spanish(text):
                found += [(path, typo) for typo in typos(text, field, known, kept)]
    return found


def warnings(case: Case) -> list[str]:
    """The likely typos as `appeal draft --case` prints them, naming the field and the word; the letter is not
    changed."""
    return [f"{path}: {typo.shown}" for path, typo in case_typos(case)]


def corrected(text: str, word: str, meant: str) -> str:
    """The text with every `word` (as a whole word, in any case) replaced by the word meant, each capitalized as
    it was typed (a typo is asked about once per field)."""
    if word[0].isupper() and not meant.startswith("I'"):  # "Recieve -> Receive" also mends a lower-case "recieve"
        meant = meant[0].lower() + meant[1:]
    return re.sub(rf"(?<![\w'’]){re.escape(word)}(?![\w'’])", lambda match: _like(match[0], meant), text,
                  flags=re.IGNORECASE)
