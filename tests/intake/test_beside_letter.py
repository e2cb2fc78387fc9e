"""The commands printed for a letter kept beside its case file name the .docx for the packet, even when what was
sent is the packet made from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from appeal.intake.beside_letter import follow_up


def test_the_packet_command_names_the_letter_and_track_add_names_what_was_sent(tmp_path):
    case, letter = tmp_path / "dana-appeal.yaml", tmp_path / "dana-appeal.docx"
    for sent in (letter, letter.with_suffix(".pdf")):
        commands = dict(follow_up(case, sent, date(2026, 12, 6)))
        assert f"appeal packet --case {case} --docx {letter}" in commands
        assert f"appeal track add --case {case} --sent 2026-12-06 --packet {sent}" in commands
