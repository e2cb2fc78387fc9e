"""The compact ICD-10-CM index (appeal/data/icd10cm.tsv) gives simple-icd-10-cm's answers for its whole code set:
valid or not, billable or not, the description, the more specific codes of a category, the codes a search reads."""

from __future__ import annotations

import pytest
import simple_icd_10_cm as icd

from appeal import icd10

ITEMS = sorted(set(icd.get_all_codes(with_dots=True)))


def test_committed_index_is_what_simple_icd_10_cm_generates():
    """Fails when simple-icd-10-cm brings a new code set: regenerate with `python -m appeal.icd10`."""
    assert icd10.INDEX.read_text(encoding="utf-8") == icd10.index_text()


def test_every_code_is_checked_and_described_as_simple_icd_10_cm_says():
    billable = 0
    for code in ITEMS:
        leaf = icd.is_leaf(code)
        assert icd10._entry(code) == (leaf, icd.get_description(code), [] if leaf else icd.get_children(code)), code
        if not icd10._CODE_SHAPE.fullmatch(code):  # chapters ("5"), blocks ("F30-F39"), the QA0 placeholders
            with pytest.raises(ValueError, match="is not an ICD-10-CM code"):
                icd10.check(code)
        elif leaf:
            billable += 1
            assert icd10.check(code) == code and icd10.describe(code) == icd.get_description(code)
            assert icd10.check(f" {code.replace('.', '').lower()} ") == code
        else:
            with pytest.raises(ValueError) as raised:
                icd10.check(code)
            assert str(raised.value) == (f"'{code}' is a category, not a billable code; use a more specific code "
                                         f"such as {', '.join(icd.get_children(code)[:6])}")
    assert billable > 70_000


def test_strings_next_to_real_codes_are_not_codes():
    """Before the first line, after the last, and between neighbours: a look-up never finds what is not there."""
    near = {"A00.00", "Z99.9", "ZZZ", "ZZZ.99", "A0", "F33.10", "F33.", "0", "00", "#code", "#CODE", "S82.021BX"}
    near |= {code + suffix for code in ITEMS[::97] for suffix in ("0", "Z", "-", ".")}
    known = set(ITEMS)
    for text in sorted(near - known):
        assert icd10._entry(text) is None, text
        if icd10.normalize(text) not in known:
            assert not icd.is_valid_item(icd10.normalize(text)), text
            with pytest.raises(ValueError, match="is not an ICD-10-CM code"):
                icd10.check(text)


def test_search_reads_every_billable_code_with_its_description_once():
    expected = {(code, icd.get_description(code)) for code in ITEMS if icd.is_leaf(code)}
    assert sorted(icd10._billable_index()) == sorted(expected)
