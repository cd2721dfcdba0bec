"""Property-based tests of the XPath engine (hypothesis).

- Arbitrary text and token soup: the parser returns a tree or raises ExpressionSyntaxError,
  and evaluation raises nothing but the engine's own errors (never RecursionError,
  TypeError, OverflowError...).
- Random arithmetic, comparison and logic over literals and answers agree with a small,
  separate Python model of XPath 1.0 coercion written below (ODK's reading of it: a
  one-node answer compares by its text and counts as true even when empty).
- Printing a parsed tree and parsing it again gives the same tree, and the same value.
"""

import contextlib
import datetime as dt
import decimal
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from validation.xlsform import CompiledForm, XLSFormError, compile_asset_content, load_form_file
from validation.xlsform import nodes as n
from validation.xlsform.errors import ExpressionSyntaxError
from validation.xlsform.functions import EAGER
from validation.xlsform.model import Element
from validation.xlsform.parser import parse

NOW = dt.datetime(2024, 2, 10, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=6)))
FORM = compile_asset_content(
    {
        "survey": [
            {"type": "integer", "name": "a", "label": ["A"]},
            {"type": "decimal", "name": "b", "label": ["B"]},
            {"type": "text", "name": "e", "label": ["E"]},
            {"type": "text", "name": "s", "label": ["S"]},
            {"type": "text", "name": "z", "label": ["Z"]},
            {"type": "select_multiple", "select_from_list_name": "l", "name": "m", "label": ["M"]},
            {"type": "begin_repeat", "name": "r", "label": ["R"]},
            {"type": "integer", "name": "k", "label": ["K"]},
            {"type": "text", "name": "w", "label": ["W"], "relevant": "${k} > 1"},
            {"type": "end_repeat"},
        ],
        "choices": [{"list_name": "l", "name": c, "label": [c]} for c in ("x", "y")],
        "translations": [None],
    }
)
ANSWERS = {"a": "2", "b": "-1.5", "e": "", "s": "abc", "z": " 7 "}
DATA = {
    **{k: v for k, v in ANSWERS.items() if v},
    "m": "x y",
    "r": [{"r/k": "1", "r/w": "hidden"}, {"r/k": "3", "r/w": "shown"}],
}
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# -- 1. nothing but the engine's own errors ------------------------------------------------------

# fmt: off
TOKENS = [
    "0", "1", "42", "3.5", ".5", "'x'", '"y"', "''", "${a}", "${b}", "${e}", "${s}", "${m}",
    "${r}", "${k}", "${w}", "${nope}", "$v", "a", "b", "r", "k", "w", "data", ".", "..", "@",
    "*", "/", "//", "::", "|", "[", "]", "(", ")", ",", "+", "-", "=", "!=", "<", "<=", ">",
    ">=", "and", "or", "div", "mod", "child::", "parent::", "self::", "ancestor::",
    "descendant::", "following::", "node()", "text()", "jr:choice-name(", "indexed-repeat(",
    "if(", "concat(", "substr(", "round(", "count(", "sum(", "selected(", "number(", "string(",
    "boolean(", "not(", "true()", "false()", "position()", "last()", "current()", "today(",
    "format-date(", "date(", "decimal-date-time(", "pow(", "log(", "int(", "regex(", "max(",
    "min(", "join(", "pulldata(", "random()", "instance(", "foo(", "‘", "“", "#", "{", "}",
    "${", "$", "1e5", "--", "---", "²", "٣",
]
# fmt: on


def _evaluate_or_engine_error(text: str) -> None:
    # Syntax, compile, evaluation and cannot-check errors are all the engine's own.
    with contextlib.suppress(XLSFormError):
        FORM.evaluate(text, DATA, now=NOW)


def _syntax_error(text: str) -> ExpressionSyntaxError | None:
    try:
        parse(text)
    except ExpressionSyntaxError as exc:
        return exc
    return None


def _parses_or_fails_clearly(text: str) -> None:
    error = _syntax_error(text)
    if error is None:
        _evaluate_or_engine_error(text)
    else:
        assert 1 <= error.column <= len(text) + 1
        assert error.reason


@PROPERTY
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_is_a_syntax_error(text: str) -> None:
    _parses_or_fails_clearly(text)


@PROPERTY
@given(st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from([" ", ""]))
def test_token_soup_never_crashes_the_engine(tokens: list[str], glue: str) -> None:
    _parses_or_fails_clearly(glue.join(tokens))


@settings(PROPERTY, max_examples=60)
@given(st.integers(1, 400), st.sampled_from(["(", "not(", "a[", "-(", "concat(1,", "if(1,"]))
def test_any_nesting_depth_gives_a_value_or_a_clear_error(depth: int, opener: str) -> None:
    closer = {"a[": "]", "if(1,": ", 0)"}.get(opener, ")")
    text = opener * depth + "1" + closer * depth
    _evaluate_or_engine_error(text)


ODD_ARGUMENTS = [
    "0", "-1", "2.5", "0 div 0", "1 div 0", "-1 div 0", "99999999999999999999", "-0",
    "''", "' '", "'abc'", "'x y'", "'2024-02-29'", "'2024-02-10T10:00:00+06:00'",
    "'12:00:00.000+06:00'", "'%Y-%m-%d %H:%M:%S %3 %a %b %%'", "'[a-'", "'sha256'",
    "'base64'", "'hex'", "true()", "false()", "${a}", "${e}", "${m}", "${r}", "${k}", "${w}",
    "/data", ".", "..", "/data/r[2]", "today()", "now()", "0.000000000000000000001",
    "99999999999999999999 * 99999999999999999999", "-(99999999999999999999 * 999999999)",
    "4503599627370495.5", "0.49999999999999994", "-2.5", "-800000", "-719162.5", "2932896.9",
    "'0001-01-01T00:00:00+06:00'", "'9999-12-31T23:59:59-05:00'", "'9999-12-31'",
]  # fmt: skip


def _call(arguments: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(name: str) -> st.SearchStrategy[str]:
        _, low, high = EAGER[name]
        size = st.integers(low, low + 3 if high is None else high)
        return size.flatmap(lambda k: st.lists(arguments, min_size=k, max_size=k)).map(
            lambda args: f"{name}({', '.join(args)})"
        )

    return st.sampled_from(sorted(EAGER)).flatmap(build)


CALLS = _call(st.recursive(st.sampled_from(ODD_ARGUMENTS), _call, max_leaves=6))


@PROPERTY
@given(CALLS)
def test_every_function_on_any_arguments_gives_a_value_or_an_engine_error(text: str) -> None:
    _evaluate_or_engine_error(text)


# -- 2. a separate model of XPath 1.0 values -----------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A `${name}` reference: a node-set of one node whose text is `text`."""

    text: str


Model = float | str | bool | Answer
_NUMERIC = re.compile(r"[ \t\r\n]*-?(\d+(\.\d*)?|\.\d+)[ \t\r\n]*")


def m_number(value: Model) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = value.text if isinstance(value, Answer) else value
    return float(text) if _NUMERIC.fullmatch(text) else math.nan


def m_string(value: Model) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Answer):
        return value.text
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    assume(value == 0 or 1e-6 <= abs(value) < 1e15)  # exponent notation is out of scope
    if value == int(value):
        return str(int(value))
    return repr(value)


def m_boolean(value: Model) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, Answer):
        return True  # the node exists, empty or not
    if isinstance(value, str):
        return value != ""
    return not math.isnan(value) and value != 0


def m_equal(a: Model, b: Model, negate: bool) -> bool:
    if isinstance(b, Answer) and not isinstance(a, Answer):
        a, b = b, a
    if isinstance(a, Answer):
        if isinstance(b, bool):
            same = m_boolean(a) == b
        elif isinstance(b, float):
            return (m_number(a) != b) if negate else (m_number(a) == b)
        else:
            same = a.text == m_string(b)
    elif isinstance(a, bool) or isinstance(b, bool):
        same = m_boolean(a) == m_boolean(b)
    elif isinstance(a, float) or isinstance(b, float):
        x, y = m_number(a), m_number(b)
        return (x != y) if negate else (x == y)
    else:
        same = m_string(a) == m_string(b)
    return not same if negate else same


def m_arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if math.isnan(x) or x == 0:
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    # mod: the sign of the dividend, like Java's % (XPath 1.0 §3.5)
    if y == 0 or math.isnan(x) or math.isnan(y) or math.isinf(x):
        return math.nan
    return math.fmod(x, y)


RELATIONS = {
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def m_binary(op: str, a: Model, b: Model) -> Model:
    if op in ("=", "!="):
        return m_equal(a, b, negate=op == "!=")
    if op in RELATIONS:
        return bool(RELATIONS[op](m_number(a), m_number(b)))
    if op == "and":
        return m_boolean(a) and m_boolean(b)
    if op == "or":
        return m_boolean(a) or m_boolean(b)
    return m_arithmetic(op, m_number(a), m_number(b))


# A generated expression: (XPath text, model value).
Gen = tuple[str, Model]

NUMBER_LITERALS = st.one_of(
    st.integers(0, 100).map(lambda i: (str(i), float(i))),
    st.decimals(0, 100, places=2, allow_nan=False).map(lambda d: (f"{d:f}", float(d))),
)
STRING_VALUES = ["", "0", "1", "2.50", " 3 ", "-4", ".5", "5.", "abc", "true", "false", "NaN",
                 "1e3", "-", " ", "x y"]  # fmt: skip
STRING_LITERALS = st.sampled_from(STRING_VALUES).map(lambda s: (f"'{s}'", s))
REFS = st.sampled_from(sorted(ANSWERS)).map(lambda k: (f"${{{k}}}", Answer(ANSWERS[k])))
BOOLEANS = st.sampled_from([("true()", True), ("false()", False)])
LEAVES = st.one_of(NUMBER_LITERALS, STRING_LITERALS, REFS, BOOLEANS)
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]


def _combine(children: st.SearchStrategy[Gen]) -> st.SearchStrategy[Gen]:
    binary = st.tuples(children, st.sampled_from(OPERATORS), children).map(
        lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", m_binary(t[1], t[0][1], t[2][1]))
    )
    unary = st.one_of(
        children.map(lambda c: (f"-({c[0]})", -m_number(c[1]))),
        children.map(lambda c: (f"number({c[0]})", m_number(c[1]))),
        children.map(lambda c: (f"boolean({c[0]})", m_boolean(c[1]))),
        children.map(lambda c: (f"not({c[0]})", not m_boolean(c[1]))),
        children.map(lambda c: (f"string({c[0]})", m_string(c[1]))),
    )
    branch = st.tuples(children, children, children).map(
        lambda t: (
            f"if({t[0][0]}, {t[1][0]}, {t[2][0]})",
            t[1][1] if m_boolean(t[0][1]) else t[2][1],
        )
    )
    return st.one_of(binary, unary, branch)


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=12)


def _same(actual: Any, expected: Model) -> bool:
    if isinstance(expected, Answer):
        return actual == expected.text
    if isinstance(expected, float):
        if math.isnan(expected):
            return isinstance(actual, float) and math.isnan(actual)
        return type(actual) is float and actual == expected
    return type(actual) is type(expected) and actual == expected


@PROPERTY
@given(EXPRESSIONS)
def test_values_agree_with_the_xpath_model(generated: Gen) -> None:
    text, expected = generated
    actual = FORM.evaluate(text, DATA, now=NOW)
    assert _same(actual, expected), f"{text}: engine {actual!r}, model {expected!r}"


# Precedence and associativity without parentheses: the model climbs precedence itself.
LEVEL = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
         "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}  # fmt: skip


def m_flat(values: list[Model], ops: list[str]) -> Model:
    """Evaluate `v0 op0 v1 op1 v2 ...` with XPath precedence, all operators left-associative."""
    out: list[Model] = [values[0]]
    pending: list[str] = []
    for op, value in zip(ops, values[1:], strict=True):
        while pending and LEVEL[pending[-1]] >= LEVEL[op]:
            right, left = out.pop(), out.pop()
            out.append(m_binary(pending.pop(), left, right))
        pending.append(op)
        out.append(value)
    while pending:
        right, left = out.pop(), out.pop()
        out.append(m_binary(pending.pop(), left, right))
    return out[0]


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(OPERATORS), LEAVES), min_size=1, max_size=8), LEAVES)
def test_precedence_and_associativity_agree_with_the_model(
    rest: list[tuple[str, Gen]], first: Gen
) -> None:
    text = first[0] + "".join(f" {op} {leaf[0]}" for op, leaf in rest)
    expected = m_flat([first[1]] + [leaf[1] for _, leaf in rest], [op for op, _ in rest])
    actual = FORM.evaluate(text, DATA, now=NOW)
    assert _same(actual, expected), f"{text}: engine {actual!r}, model {expected!r}"


# -- 3. print and parse again ----------------------------------------------------------------


def unparse(expr: n.Expr) -> str:
    """XPath text for a tree; every operand in parentheses, so no precedence is assumed."""
    if isinstance(expr, n.Number):
        return format(decimal.Decimal(repr(expr.value)), "f")
    if isinstance(expr, n.String):
        return f'"{expr.value}"' if "'" in expr.value else f"'{expr.value}'"
    if isinstance(expr, n.Ref):
        return f"${{{expr.name}}}"
    if isinstance(expr, n.Variable):
        return f"${expr.name}"
    if isinstance(expr, n.Call):
        return f"{expr.name}({', '.join(unparse(a) for a in expr.args)})"
    if isinstance(expr, n.Logical):
        return f" {expr.op} ".join(f"({unparse(o)})" for o in expr.operands)
    if isinstance(expr, n.Chain):
        return f"({unparse(expr.first)})" + "".join(f" {op} ({unparse(o)})" for op, o in expr.rest)
    if isinstance(expr, n.Negate):
        return f"-({unparse(expr.operand)})"
    if isinstance(expr, n.Union):
        return " | ".join(f"({unparse(o)})" for o in expr.operands)
    if isinstance(expr, n.Path):
        body = "/".join(_step(s) for s in expr.steps)
        return "/" + body if expr.absolute else body
    assert isinstance(expr, n.Filter)
    text = f"({unparse(expr.primary)})" + "".join(f"[{unparse(p)}]" for p in expr.predicates)
    return text + "".join("/" + _step(s) for s in expr.steps)


def _step(step: n.Step) -> str:
    return f"{step.axis}::{step.test}" + "".join(f"[{unparse(p)}]" for p in step.predicates)


def shape(expr: Any) -> Any:
    """The tree without source positions (printing moves them)."""
    if isinstance(expr, tuple):
        return tuple(shape(x) for x in expr)
    if isinstance(expr, n.Ref | n.Variable):
        return (type(expr).__name__, expr.name)
    if isinstance(expr, n.Call):
        return ("Call", expr.name, shape(expr.args))
    if hasattr(expr, "__slots__") and not isinstance(expr, str):
        return (type(expr).__name__, *(shape(getattr(expr, f)) for f in expr.__slots__))
    return expr


NAMES = st.sampled_from(["a", "b", "e", "s", "r", "k", "w", "data", "*", "node()"])
AXES = st.sampled_from(["", "child::", "self::", "parent::", "descendant::", "ancestor::"])


def _paths(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    step = st.tuples(AXES, NAMES, st.lists(children, max_size=2)).map(
        lambda t: t[0] + t[1] + "".join(f"[{p}]" for p in t[2])
    )
    steps = st.lists(st.one_of(step, st.sampled_from([".", ".."])), min_size=1, max_size=4)
    return st.tuples(st.sampled_from(["", "/", "//"]), steps).map(lambda t: t[0] + "/".join(t[1]))


def _texts(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    calls = st.tuples(
        st.sampled_from(["concat", "count", "not", "sum", "string", "if", "jr:choice-name"]),
        st.lists(children, max_size=3),
    ).map(lambda t: f"{t[0]}({', '.join(t[1])})")
    return st.one_of(
        st.tuples(children, st.sampled_from(OPERATORS), children).map(" ".join),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        st.tuples(children, children).map(lambda t: f"{t[0]} | ({t[1]})"),  # PathExpr only
        calls,
        _paths(children),
        st.tuples(st.sampled_from(["${r}", "${a}", "current()"]), children).map(
            lambda t: f"{t[0]}[{t[1]}]/k"
        ),
    )


TEXT_LEAVES = st.one_of(
    NUMBER_LITERALS.map(lambda g: g[0]),
    STRING_LITERALS.map(lambda g: g[0]),
    st.sampled_from(["${a}", "${k}", "${r}", "true()", "position()", "last()", ".", ".."]),
)
TEXTS = st.recursive(TEXT_LEAVES, _texts, max_leaves=10)


def _outcome(text: str) -> Any:
    try:
        value = FORM.evaluate(text, DATA, now=NOW)
    except XLSFormError as exc:
        return type(exc).__name__
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


@PROPERTY
@given(TEXTS)
def test_print_and_parse_again_gives_the_same_tree_and_value(text: str) -> None:
    tree = parse(text)  # every generated text is valid XPath: a syntax error is a bug
    printed = unparse(tree)
    assert shape(parse(printed)) == shape(tree), printed
    assert _outcome(printed) == _outcome(text)


# -- 4. checking odd submissions never crashes -------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
REAL_FORMS = {
    "demo": load_form_file(ROOT / "demo" / "data" / "mtm_survey_r3.asset.json"),
    "unhcr": load_form_file(
        ROOT / "tests" / "data" / "forms" / "unhcr_household_survey_americas.xlsx"
    ),
}
# fmt: off
ODD_STRINGS = [
    "", " ", "0", "1", "-1", "2.5", "1e5", "NaN", "abc", "x y", "٣", "99999999999999999999",
    "-719162.5", "2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31",
    "2024-02-10T10:00:00+06:00", "12:00:00.000+06:00", "41.3 69.2 0 5",
]
ODD_TIMES = [
    "2024-02-10T18:30:00.000+06:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+06:00",
    "garbage", "", "2024-02-10",
]
# fmt: on
ODD_ANSWERS = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=8),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.just([]),
    st.just({}),
)


def _submission(form: CompiledForm, data: st.DataObject) -> dict[str, Any]:
    def fill(container: Element, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in container.children.values():
            if child.kind == "group":
                out.update(fill(child, depth))
            elif child.kind == "repeat":
                if depth < 2 and data.draw(st.booleans()):
                    count = data.draw(st.integers(0, 3))
                    out[child.xpath] = [fill(child, depth + 1) for _ in range(count)]
            elif data.draw(st.integers(0, 3)) == 0:
                choices = list(child.choices or {})
                pool = st.one_of(ODD_ANSWERS, st.sampled_from(choices)) if choices else ODD_ANSWERS
                if child.type.startswith("select_multiple") and choices:
                    pool = st.lists(st.sampled_from(choices), max_size=3).map(" ".join)
                out[child.xpath] = data.draw(pool)
        return out

    submission = fill(form.root, 0)
    submission["end"] = data.draw(st.sampled_from(ODD_TIMES))
    return submission


@settings(PROPERTY, max_examples=40)
@given(st.sampled_from(sorted(REAL_FORMS)), st.data())
def test_checking_odd_submissions_of_real_forms_never_crashes(
    name: str, data: st.DataObject
) -> None:
    form = REAL_FORMS[name]
    findings = form.check(_submission(form, data))
    assert all(f.code.startswith("skip_logic.") for f in findings)
