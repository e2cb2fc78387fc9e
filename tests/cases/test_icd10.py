"""The compact ICD-10-CM index (appeal/data/icd10cm.tsv) gives simple-icd-10-cm's answers for its whole code set:
valid or not, billable or not, the description, the more specific codes of a category, the codes a search reads."""

from __future__ import annotations

import re

import pytest

from appeal.cases import icd10


@pytest.fixture(scope="module")  # simple-icd-10-cm takes seconds and 150 MB to load: once per process
def icd():
    import simple_icd_10_cm

    return simple_icd_10_cm


@pytest.fixture(scope="module")
def items(icd) -> list[str]:
    return sorted(set(icd.get_all_codes(with_dots=True)))


@pytest.fixture(scope="module")
def billable(icd, items) -> list[tuple[str, str]]:
    """Every billable code of simple-icd-10-cm with its description, as it says: the tests only read it."""
    return [(code, icd.get_description(code)) for code in items if icd.is_leaf(code)]


def test_committed_index_is_what_simple_icd_10_cm_generates(icd):
    """Fails when simple-icd-10-cm brings a new code set: regenerate with `python -m appeal.cases.icd10`."""
    assert icd10.INDEX.read_text(encoding="utf-8") == icd10.index_text()


def test_every_code_is_checked_and_described_as_simple_icd_10_cm_says(icd, items):
    billable = 0
    for number, code in enumerate(items):
        leaf = icd.is_leaf(code)
        assert icd10._entry(code) == (leaf, icd.get_description(code), [] if leaf else icd.get_children(code)), code
        if not icd10._CODE_SHAPE.fullmatch(code):  # chapters ("5"), blocks ("F30-F39"), the QA0 placeholders
            with pytest.raises(ValueError, match="is not an ICD-10-CM code"):
                icd10.check(code)
        elif leaf:
            billable += 1
            assert icd10.check(code) == code
            if number % 10 == 0:  # as typed: without the dot, in lower case, with spaces
                assert icd10.check(f" {code.replace('.', '').lower()} ") == code
                assert icd10.describe(code.replace(".", "")) == icd.get_description(code)
        else:
            with pytest.raises(ValueError) as raised:
                icd10.check(code)
            assert str(raised.value) == (f"'{code}' is a category, not a billable code; use a more specific code "
                                         f"such as {', '.join(icd.get_children(code)[:6])}")
    assert billable > 70_000


def test_strings_next_to_real_codes_are_not_codes(icd, items):
    """Before the first line, after the last, and between neighbours: a look-up never finds what is not there."""
    near = {"A00.00", "Z99.9", "ZZZ", "ZZZ.99", "A0", "F33.10", "F33.", "0", "00", "#code", "#CODE", "S82.021BX"}
    near |= {code + suffix for code in items[::97] for suffix in ("0", "Z", "-", ".")}
    known = set(items)
    for text in sorted(near - known):
        assert icd10._entry(text) is None, text
        if icd10.normalize(text) not in known:
            assert not icd.is_valid_item(icd10.normalize(text)), text
            with pytest.raises(ValueError, match="is not an ICD-10-CM code"):
                icd10.check(text)


def test_search_reads_every_billable_code_with_its_description_once(billable):
    assert sorted(icd10._billable_index()) == sorted(set(billable))


@pytest.mark.parametrize("words", ["depression", "depresion", "ptsd", "crps left arm", "suicide ideation", "hiv",
                                   "depressive recurrent severe", "chronic pain", "bipolar", "femur fracture", "x"])
def test_search_by_words_finds_what_a_scan_of_simple_icd_10_cm_finds(billable, words):
    """The same codes as testing every billable description of simple-icd-10-cm for every word typed (after
    the search's own plain-word, typo and stem rules), in the search's order, the codes of our field first."""
    typed = " ".join(icd10._PLAIN_WORDS.get(word, word) for word in re.split(r"\W+", words.lower()))
    terms = [icd10._stem(icd10._known(term)) for term in typed.split() if term]
    patterns = [(term, re.compile(rf"\b{re.escape(term)}")) for term in terms]
    expected = {  # a word found at a word's start is found in the text: `in` first, for speed only
        (code, text) for code, text in billable
        if all(term in lowered and pattern.search(lowered) for lowered in [text.lower()] for term, pattern in patterns)
    }
    found = icd10.search(words, limit=100_000)
    assert set(found) == expected and len(found) == len(expected)
    assert icd10.search(words) == found[:12]
