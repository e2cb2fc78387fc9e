"""The letter checks its enclosures before it is written: what the text calls enclosed is listed, and what is listed
is mentioned or is a document a reviewer expects anyway.

A reviewer who reads "documented in the enclosed records" and finds no records under Enclosures stops trusting the
rest (rubric item 19). The letter's own sentences are chosen by data so this never happens (`enclosed_types`
tells them what the Enclosures hold); this check reads the drafted document itself, so a template edited in
Word, a shared kind's sentence or a sender's typed text that says "enclosed" is caught too, as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from appeal.base.paragraph_styles import document_texts, style_names
from appeal.base.resources import load_data

# "the enclosed records", "attached superbill", "see the enclosed claim form": the words after the marker
_AFTER = re.compile(r"\b(?:enclosed|attached)\s+((?:[A-Za-z][\w'-]*\s*){1,3})", re.IGNORECASE)
# "(authorization enclosed)", "records are enclosed", "a copy is attached": the word before it
_BEFORE = re.compile(r"\b([A-Za-z][\w'-]*)\s+(?:(?:is|are)\s+)?(?:enclosed|attached)\b", re.IGNORECASE)
# words that carry no document ('is enclosed', 'the enclosed ...' read from the other side)
_FILLER = {"the", "a", "an", "is", "are", "and", "or", "of", "for", "with", "copy", "copies", "here", "also", "been",
           "be", "was", "were", "as", "in", "on", "to", "see", "please", "find"}


@dataclass(frozen=True)
class DocumentType:
    """One type of document (appeal/data/documents.yaml): how it is named, and whether it needs no mention."""

    name: str
    label: str
    names: tuple[str, ...]
    standard: bool
    single: bool = False


@lru_cache(maxsize=1)
def document_types() -> tuple[DocumentType, ...]:
    return tuple(DocumentType(name, entry["label"], tuple(entry["names"]), bool(entry.get("standard")),
                              bool(entry.get("single"))) for name, entry in load_data("documents.yaml").items())


def _names(text: str, words: Iterable[str]) -> bool:
    """Whether `text` holds one of `words`, each as the start of a word ('authoriz' in 'Authorization')."""
    return _starting_any(tuple(words)).search(text.lower()) is not None


@lru_cache(maxsize=256)
def _starting_any(words: tuple[str, ...]) -> re.Pattern:
    """One pattern for `_names`: a letter's check asks for the same types' words hundreds of times (profiled)."""
    return re.compile(r"(?<![a-z])(?:" + "|".join(map(re.escape, words)) + ")" if words else r"(?!)")


def types_of(text: str) -> set[str]:
    """The document types a line or a mention names."""
    return {kind.name for kind in document_types() if _names(text, kind.names)}


def single_types() -> set[str]:
    """The types a letter sends one document of (the denial notice, the letter of medical necessity, ...)."""
    return {kind.name for kind in document_types() if kind.single}


def enclosed_types(enclosures: Iterable[str]) -> list[str]:
    """The types of document an Enclosures list holds, sorted: what a sentence may call enclosed."""
    found: set[str] = set()
    for line in enclosures:
        found |= types_of(line)
    return sorted(found)


def mentions(text: str) -> list[str]:
    """What the text calls enclosed or attached, as the few words that name it: 'records', 'claim for IV'."""
    found = []
    for match in _AFTER.finditer(text):
        found.append(" ".join(match.group(1).split()))
    for match in _BEFORE.finditer(text):
        if match.group(1).lower() not in _FILLER:
            found.append(match.group(1))
    return found


def _content_words(phrase: str) -> list[str]:
    return [word for word in re.findall(r"[a-z][a-z'-]+", phrase.lower()) if word not in _FILLER and len(word) > 2]


def _listed(mention: str, enclosures: list[str]) -> bool:
    """Whether an Enclosures line answers this mention: a line of the type it names, or (a type this tool does not
    know) a line holding its first word."""
    wanted = types_of(mention)
    if wanted:
        return any(wanted & types_of(line) for line in enclosures)
    words = _content_words(mention)
    return not words or any(_names(line, words[:1]) for line in enclosures)


def check(body: list[str], enclosures: list[str]) -> list[str]:
    """The warnings for a letter whose text (before its Enclosures) is `body` and whose Enclosures are
    `enclosures`: each thing called enclosed and not listed, each listed thing neither mentioned nor standard."""
    text = "\n".join(body)
    warnings = []
    seen: set[str] = set()
    for mention in mentions(text):
        key = mention.lower()
        if key in seen or _listed(mention, enclosures):
            continue
        seen.add(key)
        warnings.append(f"The letter says '{_quoted(text, mention)}' but its Enclosures list nothing of the kind: add "
                        "the document to the case's enclosures (the questionnaire's 'Documents to send with the "
                        "letter'), or change the sentence.")
    for line in enclosures:
        standard = any(kind.standard for kind in document_types() if kind.name in types_of(line))
        words = _content_words(line)
        if standard or any(_names(text, [word]) for word in words[:2]):
            continue
        warnings.append(f"The Enclosures list '{line}', which the letter never mentions and which is not a document a "
                        "reviewer expects with it: say in the letter what it shows, or leave it out.")
    return warnings


def _quoted(text: str, mention: str) -> str:
    """The words around a mention, as the letter has them: 'enclosed brochure'."""
    match = re.search(r"\b(?:enclosed|attached)\s+" + re.escape(mention) + r"|\b" + re.escape(mention)
                      + r"\s+(?:(?:is|are)\s+)?(?:enclosed|attached)", text, re.IGNORECASE)
    return match.group(0) if match else mention


def split_letter(paragraphs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(body, enclosures) of a drafted letter given as (style name, text) paragraphs: the body is everything above
    the 'Enclosures:' label, the enclosures the list paragraphs right under it (the appendix that follows is
    neither)."""
    for index, (_, text) in enumerate(paragraphs):
        if text.strip().rstrip(":").strip().lower() == "enclosures":
            listed = []
            for style, item in paragraphs[index + 1:]:
                if not item.strip():
                    continue
                if not style.lower().startswith("list"):
                    break
                listed.append(item.strip())
            return [text for _, text in paragraphs[:index]], listed
    return [text for _, text in paragraphs], []


def check_document(document, texts: list[str] | None = None) -> list[str]:
    """`check` on a python-docx document: its paragraphs and table cells, as drafted. `texts`: every paragraph's
    text then every table cell's, in that order, when the caller has read them already (drafting has): python-docx
    works a paragraph's text out anew each time it is asked, which was half of this check (profiled)."""
    styles = style_names(document)
    if texts is None:
        texts = document_texts(document)
    body, listed = split_letter(list(zip(styles, texts[:len(styles)])))
    return check(body + texts[len(styles):], listed)
