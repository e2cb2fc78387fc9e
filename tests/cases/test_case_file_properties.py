"""Property: any case file built at the YAML level (dates of every shape, numbers at every scale, nesting, tags,
aliases, control characters, encodings, truncated at any byte) is either a valid case or a UserError naming the
file. Never another exception, which would reach the person as a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.base.errors import UserError

SOURCE = "hypothesis-case.yaml"

_digits = st.integers(min_value=0, max_value=99999).map(str)
_date_shapes = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.dates().map(lambda day: f"{day:%m/%d/%Y}"),
    st.tuples(_digits, _digits, _digits).map(lambda parts: "-".join(parts)),
    st.tuples(_digits, _digits, _digits, _digits, _digits, _digits).map(
        lambda p: f"{p[0]:0>4}-{p[1]:0>2}-{p[2]:0>2} {p[3]:0>2}:{p[4]:0>2}:{p[5]:0>2}"),
    st.tuples(_digits, _digits, _digits).map(lambda p: f"{p[0]}/{p[1]}/{p[2]}"),
)
_numbers = st.one_of(
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-400, max_value=400).map(lambda exponent: f"1e{exponent}"),
    st.integers(min_value=-400, max_value=400).map(lambda exponent: f"1.5e+{abs(exponent)}"),
    st.integers(min_value=1, max_value=6000).map(lambda length: "9" * length),
    st.sampled_from([".inf", "-.inf", ".nan", "0x1F", "0o17", "1_000", "190:20:30", "$1,250.50", "=", "~"]),
)
_tags = st.sampled_from(["", "!!float ", "!!int ", "!!str ", "!!timestamp ", "!!binary ", "!!python/name:os.system ",
                         "!local ", "! ", "!!set ", "!!omap "])
_text = st.text(st.characters(codec="utf-8"), max_size=40).map(lambda text: '"' + text.replace("\\", "\\\\")
                                                                 .replace('"', '\\"') + '"')
_scalar = st.one_of(_date_shapes, _numbers, _text, st.text(max_size=20), st.sampled_from(["", "null", "yes", "no"]))
_value = st.tuples(_tags, _scalar).map("".join)
_nested = st.tuples(st.integers(min_value=0, max_value=80), _value).map(
    lambda pair: "[" * pair[0] + pair[1] + "]" * pair[0])
_alias = st.sampled_from(["&a x", "*a", "&b [*a, *a]", "*missing", "&c [*c]", "<<: *a"])

_fields = st.sampled_from([
    "patient.last_name", "patient.date_of_birth", "denial.notice_date", "denial.received_date",
    "treatment.cost_per_session", "treatment.sessions", "treatment.start_date", "clinical.illness_years",
    "clinical.provider_notes", "clinical.scores", "enclosures", "letter_kind", "insurance.plan_type", "nonsense",
])


def _line(field: str, value: str) -> str:
    section, _, name = field.partition(".")
    return f"{section}:\n  {name}: {value}\n" if name else f"{field}: {value}\n"


_lines = st.lists(st.tuples(_fields, st.one_of(_value, _nested, _alias)).map(lambda pair: _line(*pair)),
                  min_size=0, max_size=8)
_encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"])


@st.composite
def case_files(draw) -> bytes:
    text = "".join(draw(_lines))
    if draw(st.booleans()):
        text = "{" + text.replace("\n", " ") + "}" if draw(st.booleans()) else "- " + text
    try:
        data = text.encode(draw(_encodings))
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    cut = draw(st.integers(min_value=0, max_value=len(data)))
    return data[:cut] if draw(st.booleans()) else data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_files())
def test_any_case_file_is_a_case_or_a_clear_message(data):
    try:
        loaded = casefile.read(data, SOURCE)
        case = casefile.from_data(loaded.data, SOURCE, loaded)
    except UserError as error:
        message = str(error)
        assert message.startswith(SOURCE) and "Traceback" not in message
        assert len(message) < 5000
    else:
        assert isinstance(case, Case)
        casefile.dumps(case)  # a case that loaded can be saved again
