"""The compiler's direct comparisons agree with the general XPath value rules.

`${q} = 'yes'`, `. >= 18`, `${a} != ${b}` and `5 < ${q}` compile to closures comparing strings
or numbers without node-sets (compiler._comparison). For any answers and literals they must
give what values.equal / not_equal / relate give for the node-sets the general path builds;
these tests compute that expectation with those functions, on the same answers.
"""

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validation.xlsform import compile_asset_content
from validation.xlsform import values as v
from validation.xlsform.model import Finding, Missing, Skipped, lazy_finding
from validation.xlsform.values import NodeSet, Value

NOW = dt.datetime(2024, 2, 10, 18, 30, tzinfo=dt.UTC)
FORM = compile_asset_content(
    {
        "survey": [
            {"type": "text", "name": "s", "label": ["S"]},
            {"type": "text", "name": "t", "label": ["T"]},
            {"type": "begin_repeat", "name": "r", "label": ["R"]},
            {"type": "text", "name": "k", "label": ["K"]},
            {"type": "text", "name": "w", "label": ["W"], "relevant": "${k} = ${s}"},
            {"type": "end_repeat"},
        ],
        "translations": [None],
    }
)
OPERATORS = ["=", "!=", "<", "<=", ">", ">="]
# Answers that look like numbers, dates, padded numbers, empty or plain text.
TEXTS = st.one_of(
    st.sampled_from(["", " ", "0", "1", "1.0", " 42 ", "-3.5", ".5", "1e3", "NaN", "2024-02-10"]),
    st.sampled_from(["2024-02-10T12:00:00+06:00", "yes", "no", "abc", "٣", "10", "9"]),
    st.text(alphabet="0123456789.- abT:", max_size=12),
)
NUMBERS = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 42.0, 0.5, 19763.0]),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: float(f"{x:.3f}")),
)


def _general(op: str, a: Value, b: Value) -> bool:
    if op == "=":
        return v.equal(a, b)
    if op == "!=":
        return v.not_equal(a, b)
    return v.relate(op, a, b)


def _one(text: str) -> NodeSet:
    return NodeSet([], [text])


def _number_literal(number: float) -> str:
    text = repr(abs(number))
    return f"-{text}" if number < 0 else text  # the parser reads -x as a negation


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(OPERATORS), TEXTS, TEXTS.filter(lambda t: "'" not in t))
def test_an_answer_against_a_string_literal(op: str, answer: str, literal: str) -> None:
    data = {"s": answer} if answer else {}
    expected = _general(op, _one(answer), literal)
    assert FORM.evaluate(f"${{s}} {op} '{literal}'", data, now=NOW) is expected
    assert FORM.evaluate(f"'{literal}' {op} ${{s}}", data, now=NOW) is _general(
        op, literal, _one(answer)
    )


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(OPERATORS), TEXTS, NUMBERS)
def test_an_answer_against_a_number_literal(op: str, answer: str, number: float) -> None:
    data = {"s": answer} if answer else {}
    literal = _number_literal(number)
    assert FORM.evaluate(f"${{s}} {op} {literal}", data, now=NOW) is _general(
        op, _one(answer), number
    )
    assert FORM.evaluate(f"{literal} {op} ${{s}}", data, now=NOW) is _general(
        op, number, _one(answer)
    )


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(OPERATORS), TEXTS, TEXTS)
def test_two_answers_and_the_context_node(op: str, first: str, second: str) -> None:
    data = {k: x for k, x in (("s", first), ("t", second)) if x}
    assert FORM.evaluate(f"${{s}} {op} ${{t}}", data, now=NOW) is _general(
        op, _one(first), _one(second)
    )
    # `.` at the root is the root node: its string is every answer's text in document order.
    assert FORM.evaluate(f". {op} ${{t}}", data, now=NOW) is _general(
        op, _one(first + second), _one(second)
    )


def test_a_reference_inside_a_repeat_reads_its_own_instance() -> None:
    data = {"s": "b", "r": [{"r/k": "a", "r/w": "x"}, {"r/k": "b", "r/w": "y"}]}
    findings = FORM.check(data, now=NOW)
    assert [(f.code, f.path) for f in findings] == [("skip_logic.not_relevant", "r[1]/w")]


def test_a_reference_to_every_instance_stays_existential() -> None:
    data = {"r": [{"r/k": "1"}, {"r/k": "7"}]}
    assert FORM.evaluate("${k} = 7", data, now=NOW) is True
    assert FORM.evaluate("${k} != 7", data, now=NOW) is True
    assert FORM.evaluate("${k} > 6", data, now=NOW) is True
    assert FORM.evaluate("${k} < 1", data, now=NOW) is False


@pytest.mark.parametrize(
    ("_case", "expression", "expected"),
    [
        ("constant numbers", "1 < 2", True),
        ("negated number on the left", "-1 < ${s}", True),
        ("empty answer is NaN", "${t} >= 0", False),
    ],
)
def test_edge_cases(_case: str, expression: str, expected: bool) -> None:
    assert FORM.evaluate(expression, {"s": "0"}, now=NOW) is expected


def test_a_finding_is_frozen_and_equals_one_of_the_same_fields() -> None:
    fields = ("skip_logic.not_relevant", "a/b", "b", "message", "major", {"a/b": "1"}, "x = 1")
    fast, slow = Finding(*fields), Finding(*fields)
    assert fast == slow
    assert repr(fast) == repr(slow)
    with pytest.raises(AttributeError):
        fast.code = "other"  # type: ignore[misc]
    assert hash(fast) == hash(slow)
    assert fast != fields  # a Finding equals only a Finding
    assert fast.as_dict() == dict(
        zip(
            ("code", "path", "name", "message", "severity", "values", "expression"),
            fields,
            strict=True,
        )
    )


def test_a_lazy_finding_writes_its_words_once_when_first_read() -> None:
    calls: list[str] = []

    def words(answer: str) -> tuple[str, dict[str, str]]:
        calls.append(answer)
        return f"answered {answer}", {"a/b": answer}

    lazy = lazy_finding("skip_logic.not_relevant", "a/b", "b", "major", "x = 1", words, "2")
    assert calls == []
    assert lazy.values == {"a/b": "2"}
    assert lazy.message == "answered 2"
    assert calls == ["2"]
    eager = Finding(
        "skip_logic.not_relevant", "a/b", "b", "answered 2", "major", {"a/b": "2"}, "x = 1"
    )
    assert lazy == eager
    assert repr(lazy) == repr(eager)


def test_a_skipped_answer_follows_from_its_question_index_and_decider() -> None:
    calls: list[tuple[Any, ...]] = []

    def words(*args: Any) -> tuple[str, dict[str, str]]:
        calls.append(args)
        return "answered", {"r/w": args[2]}

    w = FORM.by_name["w"]
    skipped: Skipped = object.__new__(Skipped)
    skipped._e, skipped._x, skipped._build = w, "2", (words, (2,), w, (2,))
    assert (skipped.code, skipped.name, skipped.path) == ("skip_logic.not_relevant", "w", "r[2]/w")
    assert skipped.expression == "${k} = ${s}"  # the decider's relevant
    assert calls == []
    assert (skipped.message, skipped.values) == ("answered", {"r/w": "2"})
    assert skipped.message == "answered"
    assert calls == [(w, (2,), "2", w, (2,))]  # written once
    eager = Finding(
        "skip_logic.not_relevant", "r[2]/w", "w", "answered", "major", {"r/w": "2"}, "${k} = ${s}"
    )
    assert skipped == eager
    assert hash(skipped) == hash(eager)


def test_a_missing_answer_follows_from_its_question_and_index() -> None:
    calls: list[Any] = []

    def words(element: Any) -> tuple[str, dict[str, str]]:
        calls.append(element)
        return "not answered", {"r/w": ""}

    w = FORM.by_name["w"]
    missing: Missing = object.__new__(Missing)
    missing._e, missing._build = w, (words, (1,))
    assert (missing.code, missing.name, missing.path) == (
        "skip_logic.required_missing",
        "w",
        "r[1]/w",
    )
    assert calls == []
    assert (missing.message, missing.values, missing.message) == (
        "not answered",
        {"r/w": ""},
        "not answered",
    )
    assert calls == [w]  # written once
    eager = Finding(
        "skip_logic.required_missing", "r[1]/w", "w", "not answered", "major", {"r/w": ""}
    )
    assert missing == eager
    assert hash(missing) == hash(eager)


@pytest.mark.parametrize("words_first", [False, True])
def test_a_skipped_answer_in_a_repeat_gets_its_instance_path_when_read(words_first: bool) -> None:
    # The generated pass leaves a repeat's not-relevant path to be written from its node.
    data = {"s": "a", "r": [{"r/k": "a", "r/w": "1"}, {"r/k": "b", "r/w": "2"}]}
    (finding,) = FORM.check(data, now=NOW)
    if words_first:
        assert "should have been skipped" in finding.message
    assert (finding.code, finding.path, finding.name) == ("skip_logic.not_relevant", "r[2]/w", "w")
    assert finding.values == {"r/w": "2", "r/k": "b", "s": "a"}
    eager = Finding(
        finding.code, "r[2]/w", "w", finding.message, "major", finding.values, "${k} = ${s}"
    )
    assert finding == eager
    assert hash(finding) == hash(eager)


def test_a_skipped_answer_outside_repeats_carries_its_path_and_deciding_expression() -> None:
    # The one-pass function stores them (model.TopSkipped); the section decides for the
    # questions in it, a question's own relevant for the one outside it.
    form = compile_asset_content(
        {
            "survey": [
                {"type": "text", "name": "a", "label": ["A"]},
                {"type": "begin_group", "name": "g", "label": ["G"], "relevant": "${a} = 'y'"},
                {"type": "text", "name": "b", "label": ["B"]},
                {"type": "text", "name": "c", "label": ["C"], "relevant": "${b} != ''"},
                {"type": "end_group"},
                {"type": "text", "name": "d", "label": ["D"], "relevant": "${a} = 'z'"},
            ],
            "translations": [None],
        }
    )
    assert form.merged_pass is not None
    found = form.check({"a": "n", "g/b": "1", "g/c": "2", "d": "3"}, now=NOW)
    verdicts = [(f.code, f.path, f.name, f.expression) for f in found]
    assert verdicts == [
        ("skip_logic.not_relevant", "g/b", "b", "${a} = 'y'"),
        ("skip_logic.not_relevant", "g/c", "c", "${a} = 'y'"),  # its section's, not its own
        ("skip_logic.not_relevant", "d", "d", "${a} = 'z'"),
    ]
    assert {type(f).__name__ for f in found} == {"TopSkipped"}
    assert "'D' was answered ('3') but should have been skipped" in found[2].message
    assert found[2].values == {"d": "3", "a": "n"}
    assert found[0].message == (
        "'B' was answered ('1') but should have been skipped: it is in 'G', which was skipped "
        "because 'A' is 'n'."
    )
    message = found[2].message
    eager = Finding(
        "skip_logic.not_relevant", "d", "d", message, "major", {"d": "3", "a": "n"}, "${a} = 'z'"
    )
    assert found[2] == eager
    assert hash(found[2]) == hash(eager)
    with pytest.raises(AttributeError):
        found[0].code = "other"  # type: ignore[misc]
