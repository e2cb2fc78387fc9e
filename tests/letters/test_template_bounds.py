"""Issue 27, points 1, 2, 4 and 9a: a kind's .yaml sentences run in the template sandbox and budget, sizes are
bounded before anything is built, a letter prints only text, numbers and dates, and a tag nested too deeply is a
message.

Every attack runs as the other security tests do (test_template_security.py): `appeal ...` in a forked child with
a processor-time limit (20 s) and a memory limit, the parent waiting for the child to exit (the commands that try
one attack run one after the other in one child, so the bounds hold for them together). Each must end with a
message naming the tag or the field, no traceback, nothing written, within 20 s of processor time and with less
than 600 MB more memory than the test process holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_template_security import EXAMPLE, assert_refused, folder_with, home, memory_grown, run_each  # noqa: F401 - home is a fixture

from appeal.base.resources import bundled

MEMORY_BOUND = 600 << 20
CPU_BOUND = 20.0


def refused_within_bounds(commands: list[list[str]], home: Path, *expected: str) -> list[str]:
    """Run each `appeal ARGS` of `commands` bounded (one after the other in one child: the bounds hold for all of
    them together); each must refuse with every one of `expected` in its message, and none may write a letter
    anywhere under `home`. Their outputs, in order."""
    results, usage = run_each(commands, home)
    for status, output in results:
        assert_refused(status, output, expected[0], home)
        for words in expected[1:]:
            assert words.lower() in output.lower(), output
    assert usage.ru_utime + usage.ru_stime < CPU_BOUND, f"{usage.ru_utime + usage.ru_stime:.1f} s of CPU"
    assert memory_grown(usage) < MEMORY_BOUND, f"grew by {memory_grown(usage) >> 20} MB"
    assert not [path for path in home.rglob("*.docx") if path.parent.name != "shared-templates"], "a letter was written"
    return [output for _, output in results]


def draft_args(folder: Path, kind: str = "appeal") -> list[str]:
    return ["draft", "--case", str(EXAMPLE), "--templates", str(folder), "--letter", kind, "-o", "out.docx"]


# --------------------------------------------------------------------------------------------------------------
# Point 1: a kind's sentences, in draft, templates check and batch

RULE_ID = "erisa-internal-decision-pre-service-two-levels-first"

SENTENCE_ATTACKS = {
    "class of the rules": ("{{ rules.__class__ }}", "__class__"),
    "a rule's parse_raw": (f"{{{{ rules['{RULE_ID}'].parse_raw('x') }}}}", "parse_raw"),
    "the kind file's bytes": ("{{ kind.template.read_bytes() }}", "read_bytes"),
    "the kind's path printed": ("{{ kind.template }}", "file path"),
    "a rule printed whole": (f"{{{{ rules['{RULE_ID}'] }}}}", "prints only text"),
    "three nested loops": ("{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}"
                           "{% endfor %}{% endfor %}{% endfor %}", "loops ran more than"),
    "doubling macro": ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                       "seconds to render"),
    "a list repeated": ("{{ [('x' * 1000000)] * 1000000 }}", "10,000"),
}


def kind_folder(home: Path, field: str, text: str, when: str | None = None) -> Path:
    """A template folder with the kind 'mine': the built-in appeal letter, and a .yaml whose `field` holds two
    harmless sentences and then `text` (with `when`)."""
    folder = folder_with(home, "A harmless paragraph.", name="mine")
    entry = {"text": text} | ({"when": when} if when else {})
    import yaml

    (folder / "mine.yaml").write_text(yaml.safe_dump(
        {"title": "Mine", field: [{"text": "Plain words."}, {"text": "More plain words."}, entry]}))
    return folder


@pytest.mark.parametrize("attack", SENTENCE_ATTACKS, ids=list(SENTENCE_ATTACKS))
def test_a_kind_sentence_is_bounded_in_draft_check_and_batch(attack, home):
    text, expected = SENTENCE_ATTACKS[attack]
    folder = kind_folder(home, "requests", text)
    refused_within_bounds([draft_args(folder, "mine"), ["templates", "check", str(folder / "mine.docx")],
                           ["batch", str(EXAMPLE), "--letter", "mine", "--templates", str(folder), "-o", "out",
                            "--jobs", "1"]], home, expected, "mine.yaml", "requests entry 3")


@pytest.mark.parametrize("field", ["enclosures", "warnings", "sending"])
def test_every_sentence_field_is_bounded(field, home):
    folder = kind_folder(home, field, "{{ rules.__class__ }}")
    refused_within_bounds([draft_args(folder, "mine")], home, "__class__", f"{field} entry 3", "mine.yaml")


@pytest.mark.parametrize("field", ["requests", "sending"])
def test_a_control_character_written_as_a_yaml_escape_in_a_sentence_is_refused_never_printed(field, home):
    """A shared kind whose sentence holds "\\e[2J" (clear the screen) as a YAML escape: refused where the .yaml is
    read, with the entry named, and the escape never reaches the terminal."""
    folder = kind_folder(home, field, "Plain")
    (folder / "mine.yaml").write_text((folder / "mine.yaml").read_text().replace("text: Plain\n",
                                                                                  'text: "Plain\\e[2J"\n'))
    assert '"Plain\\e[2J"' in (folder / "mine.yaml").read_text()
    for output in refused_within_bounds([draft_args(folder, "mine"), ["templates", "check", str(folder / "mine.docx")]],
                                        home, "U+001B", "mine.yaml", f"{field}.2.text"):
        assert "\x1b" not in output


def test_a_condition_is_bounded_and_named(home):
    folder = kind_folder(home, "requests", "Words.", when="kind.template.read_bytes()")
    refused_within_bounds([draft_args(folder, "mine")], home, "read_bytes", "requests entry 3", "in its when")
    folder = kind_folder(home, "enclosures", "Words.", when="(('x' * 1000000) ~ ('x' * 1000000)) and true")
    refused_within_bounds([draft_args(folder, "mine")], home, "characters long", "enclosures entry 3")


def test_templates_check_reports_a_refused_name_in_a_sentence_no_example_reaches(home):
    folder = kind_folder(home, "warnings", "{{ rules.__class__ }}", when="false")
    refused_within_bounds([["templates", "check", str(folder / "mine.docx")]], home, "__class__",
                          "mine.yaml, warnings entry 3 (text)")


def test_a_sentence_nested_too_deeply_is_named_when_the_kind_is_read(home):
    folder = kind_folder(home, "requests", "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}")
    refused_within_bounds([draft_args(folder, "mine"), ["templates", "check", str(folder / "mine.docx")]], home,
                          "nested too deeply", "requests entry 3")


# --------------------------------------------------------------------------------------------------------------
# Point 2: sizes bounded before anything is built; the clock read inside long filters

SIZE_ATTACKS = {
    "a list of long texts repeated": ("{{ [('x' * 1000000)] * 1000000 }}", "10,000"),
    "slice past its bound": ("{{ [1] | slice(10**9) | list }}", "slice"),
    "tojson of a big list": ("{{ ([('x' * 1000000)] * 1000) | tojson }}", "tojson"),
    "tojson with a huge indent": ("{{ (range(10000) | list) | tojson(indent=1000000) }}", "tojson"),
    "percent with many specs": ("{{ ('%s' * 1000) % ((('x' * 1000000),) * 1000) }}", "characters long"),
    "percent mapping reused": ("{{ ('%(a)s' * 1000) % {'a': 'x' * 1000000} }}", "characters long"),
    "format filter with many specs": ("{{ ('%s' * 1000) | format(*((('x' * 1000000),) * 1000)) }}",
                                      "characters long"),
    "wordwrap of one long word": ("{{ ('x' * 1000000) | wordwrap(1) }}", "wordwrap"),
    "wordwrap just under the bound": ("{{ ('x' * 499000) | wordwrap(1) | length }}{{ ('x' * 499000) | wordwrap(1) | "
                                      "length }}{{ ('x' * 499000) | wordwrap(1) | length }}", "seconds to render"),
    "sum of lists": ("{{ ([[1] * 10000] * 10000) | sum(start=[]) | length }}", "sum"),
    "a list joined with ~": ("{{ 'x' ~ ([('x' * 1000000)] * 1000) }}", "prints only text"),
    "urlencode of a big list": ("{{ ([('x', 'y' * 1000000)] * 1000) | urlencode }}", "urlencode"),
    "a huge format width": ("{{ '%0" + "9" * 5000 + "d' % 1 }}", "width"),
}


@pytest.mark.parametrize("attack", SIZE_ATTACKS, ids=list(SIZE_ATTACKS))
def test_a_size_is_bounded_before_it_is_built(attack, home):
    tag, expected = SIZE_ATTACKS[attack]
    folder = folder_with(home, tag)
    drafted, checked = refused_within_bounds([draft_args(folder), ["templates", "check", str(folder / "appeal.docx")]],
                                             home, expected)
    assert "appeal.docx" in drafted, drafted


# --------------------------------------------------------------------------------------------------------------
# Point 4: a letter prints text, numbers and dates, never an object's repr or a path

# (the tag, what the message says, whether the message finds the tag's own paragraph: a filter is looked for by
# its name, and the built-in letter uses |join and |format itself)
OBJECTS = {
    "evidence pprinted": ("{{ letter.evidence | pprint }}", "pprint", True),
    "the plan pprinted": ("{{ letter | pprint }}", "pprint", True),
    "a snippet printed": ("{{ letter.evidence[0].snippet }}", "'letter.evidence[0].snippet' is a case value", True),
    "the evidence list printed": ("{{ letter.evidence }}", "'letter.evidence' is a list", True),
    "the plan as a string": ("{{ letter | string }}", "string", True),
    "the facts printed": ("{{ letter.facts }}", "'letter.facts' is a mapping", True),
    "a section printed": ("{{ patient }}", "'patient' is a case value", True),
    "the plan in a format": ("{{ '%s' | format(letter) }}", "format", False),
    "the plan joined": ("{{ [letter] | join(', ') }}", "join", False),
    "a snippet made safe": ("{{ letter.evidence[0].snippet | safe }}", "safe", True),
    "a kind's template": ("{{ kind.template }}", "kind", False),  # templates are not handed the kind at all
}


@pytest.mark.parametrize("attack", OBJECTS, ids=list(OBJECTS))
def test_an_object_is_never_printed(attack, home):
    tag, expected, found_in_place = OBJECTS[attack]
    folder = folder_with(home, f"Printed here: {tag}")
    for output in refused_within_bounds([draft_args(folder), ["templates", "check", str(folder / "appeal.docx")]], home,
                                        expected):
        if found_in_place:
            assert "Printed here" in output, output  # the message names the tag's own paragraph
        assert str(bundled("letter_templates").parent) not in output and "PosixPath" not in output, output


# --------------------------------------------------------------------------------------------------------------
# Point 9a: a tag nested too deeply is a message in templates check as in draft

NESTED = {
    "5,000 brackets": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "20,000 nots": "{{ " + "not " * 20000 + "1 }}",
    "900 nots": "{{ " + "not " * 900 + "1 }}",
}


@pytest.mark.parametrize("attack", NESTED, ids=list(NESTED))
def test_a_tag_nested_too_deeply_is_the_same_message_in_check_and_draft(attack, home):
    folder = folder_with(home, NESTED[attack])
    drafted, checked = refused_within_bounds([draft_args(folder), ["templates", "check", str(folder / "appeal.docx")]],
                                             home, "nested too deeply")
    assert "appeal.docx" in drafted, drafted
    assert "write it in simpler steps" in drafted and "write it in simpler steps" in checked
