"""The benchmark's judge (tests/notice_scoring.py): the same fact written two ways is right, a different one is not."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from notice_scoring import norm, same  # noqa: E402


def test_a_service_with_its_quantity_or_phase_after_it_is_the_same_service():
    truth = "Spravato (esketamine) nasal spray treatment sessions"
    assert same("service", truth, truth + ", induction phase, 8 sessions")
    assert same("service", "Ketamine infusion", "Ketamine infusion, 6 sessions")
    assert not same("service", "Ketamine infusion", "Ketamine infusion and psychotherapy")
    assert not same("service", "Transforaminal epidural inj, lumbar", "Transforaminal epidural inj, lumbar, single level")


def test_codes_compare_as_sets_and_a_fax_by_its_digits():
    assert norm("procedure_codes", "96365, J3490") == norm("procedure_codes", "J3490, 96365")
    assert norm("appeals_fax", "1-402-555-0134") == norm("appeals_fax", "(402) 555-0134")
    assert norm("diagnoses", "F33.2, F41.1") != norm("diagnoses", "F41.1, F33.2")  # the first is the principal one


def test_a_group_numbers_prefix_and_a_drugs_generic_name_change_nothing():
    assert norm("group_number", "GRP 00581129") == norm("group_number", "00581129")
    assert same("service", "Breztri Aerosphere", "Breztri Aerosphere (budesonide/glycopyrrolate/ formoterol) 160 mcg")
    assert not same("service", "Breztri Aerosphere", "Breztri Aerosphere Inhaler Kit")
