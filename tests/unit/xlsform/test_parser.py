"""The XPath parser: precedence and associativity, errors with columns, bounds, and no eval."""

import ast
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from validation.xlsform import (
    CannotCheckError,
    ExpressionSyntaxError,
    XLSFormError,
    compile_asset_content,
)
from validation.xlsform import nodes as n
from validation.xlsform.lexer import MAX_LENGTH, tokenize
from validation.xlsform.parser import MAX_DEPTH, parse

NOW = dt.datetime(2024, 2, 10, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=6)))
FORM = compile_asset_content(
    {
        "survey": [
            {"type": "integer", "name": "a", "label": ["A"]},
            {"type": "integer", "name": "b", "label": ["B"]},
            {"type": "begin_group", "name": "g", "label": ["G"]},
            {"type": "text", "name": "c", "label": ["C"]},
            {"type": "end_group"},
        ],
        "choices": [],
        "translations": [None],
    }
)
DATA = {"a": "2", "b": "3", "g/c": "x"}


def num(value: float) -> n.Number:
    return n.Number(float(value))


def child(name: str) -> n.Path:
    return n.Path(False, (n.Step("child", name, ()),))


# -- precedence and associativity (XPath 1.0 §3.4-3.5: or < and < = != < relational <
# additive < multiplicative < unary minus < union) -------------------------------------------

SHAPES = [
    ("1 or 2 and 3", n.Logical("or", (num(1), n.Logical("and", (num(2), num(3)))))),
    ("1 and 2 or 3", n.Logical("or", (n.Logical("and", (num(1), num(2))), num(3)))),
    ("1 or 2 or 3 or 4", n.Logical("or", (num(1), num(2), num(3), num(4)))),  # flat, n-ary
    ("1 = 2 and 3", n.Logical("and", (n.Chain(num(1), (("=", num(2)),)), num(3)))),
    ("1 = 2 < 3", n.Chain(num(1), (("=", n.Chain(num(2), (("<", num(3)),))),))),
    ("1 < 2 + 3", n.Chain(num(1), (("<", n.Chain(num(2), (("+", num(3)),))),))),
    ("1 + 2 * 3", n.Chain(num(1), (("+", n.Chain(num(2), (("*", num(3)),))),))),
    ("1 * 2 + 3", n.Chain(n.Chain(num(1), (("*", num(2)),)), (("+", num(3)),))),
    ("10 - 4 - 3", n.Chain(num(10), (("-", num(4)), ("-", num(3))))),  # left to right
    ("2 * 3 mod 4 div 5", n.Chain(num(2), (("*", num(3)), ("mod", num(4)), ("div", num(5))))),
    ("1 != 2 = 3", n.Chain(num(1), (("!=", num(2)), ("=", num(3))))),
    ("1 <= 2 >= 3", n.Chain(num(1), (("<=", num(2)), (">=", num(3))))),
    ("-2 * 3", n.Chain(n.Negate(num(2)), (("*", num(3)),))),  # unary binds tighter
    ("- -2", n.Call("number", (num(2),), -1)),  # XP: --x is number(x)
    ("1--1", n.Chain(num(1), (("-", n.Negate(num(1))),))),
    ("-a | b", n.Negate(n.Union((child("a"), child("b"))))),  # union binds tighter still
    ("(1 + 2) * 3", n.Chain(n.Chain(num(1), (("+", num(2)),)), (("*", num(3)),))),
    # Operator names are names where an operand is expected (XPath 1.0 §3.7).
    ("div div div", n.Chain(child("div"), (("div", child("div")),))),
    ("and and or", n.Logical("and", (child("and"), child("or")))),
    ("* * *", n.Chain(n.Path(False, (n.Step("child", "*", ()),)), (("*", child("*")),))),
    ("a-b", child("a-b")),  # a hyphen inside a name is part of the name
    ("a - b", n.Chain(child("a"), (("-", child("b")),))),
    ("jr:choice-name(a, 'b')", n.Call("jr:choice-name", (child("a"), n.String("b")), 0)),
    ("child::x", child("x")),
    (
        "x[1][2]/y",
        n.Path(False, (n.Step("child", "x", (num(1), num(2))), n.Step("child", "y", ()))),
    ),
    ("${a}", n.Ref("a", 0)),
    (
        "${a}[1]/../b",
        n.Filter(
            n.Ref("a", 0), (num(1),), (n.Step("parent", "node()", ()), n.Step("child", "b", ()))
        ),
    ),
]


@pytest.mark.parametrize(("text", "shape"), SHAPES)
def test_parse_shape(text: str, shape: n.Expr) -> None:
    assert parse(text) == shape


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10 - 4 - 3", 3.0),  # (10 - 4) - 3, not 10 - (4 - 3)
        ("2 * 3 mod 4", 2.0),  # (2 * 3) mod 4
        ("12 div 2 div 3", 2.0),
        ("2 + 3 * 4", 14.0),
        ("3 > 2 > 1", False),  # (3 > 2) > 1 is true() > 1, 1 > 1
        ("1 = 1 = 1", True),  # (1 = 1) = 1 is true() = true()
        ("1 = 2 or 2 = 2 and 3 = 4", False),
        ("1 = 1 or 1 div 0 = 0 and 0", True),
        ("-2 * -3", 6.0),
        ("${a} * ${b} + ${a} mod ${b} - -${b}", 11.0),
        ("${a}+${b}*2", 8.0),
        ("${a} < ${b} = (${b} > ${a})", True),
    ],
)
def test_precedence_by_value(text: str, value: object) -> None:
    assert FORM.evaluate(text, DATA, now=NOW) == value


# -- errors name the column a form author counts (1-based) ------------------------------------

ERRORS = [
    ("", 1, "expression is empty"),
    ("   ", 4, "expression is empty"),
    ("1 +", 4, "ends too early"),
    ("(1", 3, "expected ')'"),
    ("1)", 2, "unexpected ')'"),
    ("${a} = 'abc", 8, "string is not closed"),
    ("${a", 1, "malformed ${...} reference"),
    ("${1a} = 2", 1, "malformed ${...} reference"),
    ("${} = 2", 1, "malformed ${...} reference"),
    ("$", 1, "'$' must start"),
    ("${a} = ‘yes’", 8, "typographic quote"),
    ("${a} = “yes”", 8, "typographic quote"),
    ("1 # 2", 3, "unexpected character '#'"),
    ("a::b", 1, "unknown axis 'a'"),
    ("foo(1,", 7, "ends too early"),
    ("concat('a' 'b')", 12, "expected ',' or ')' in concat()"),
    ("f(,)", 3, "unexpected ','"),
    ("${a} = = 2", 8, "unexpected '='"),
    ("[1]", 1, "unexpected '['"),
    ("a[1", 4, "expected ']'"),
    ("a/", 3, "expected a name"),
    ("//", 3, "expected a name"),
    ("1 2", 3, "unexpected '2'"),
    ("1 and", 6, "ends too early"),
    ("'it''s'", 5, "unexpected 's'"),  # XPath 1.0 has no doubled-quote escape
    ("string(1e20)", 9, "expected ',' or ')' in string()"),  # XP numbers have no exponent
    ("selected(${a}, 'x') and 🙂", 25, "unexpected character"),
    ("-", 2, "ends too early"),
    ("()", 2, "unexpected ')'"),
]


@pytest.mark.parametrize(("text", "column", "reason"), ERRORS)
def test_syntax_error_names_the_column(text: str, column: int, reason: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    error = caught.value
    assert (error.column, error.expression) == (column, text)
    assert reason in error.reason
    assert str(error) == f"{error.reason} (column {column})"


def test_syntax_error_in_a_form_is_reported_with_its_column_and_question() -> None:
    f = compile_asset_content(
        {
            "survey": [
                {"type": "integer", "name": "a", "label": ["A"]},
                {"type": "text", "name": "b", "label": ["B"], "relevant": "${a} > 1 +"},
            ],
            "choices": [],
            "translations": [None],
        }
    )
    (error,) = f.errors
    assert (error.name, error.column) == ("b", "relevant")
    assert error.message == "expression ends too early at column 11"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${nope} = 1", "${nope} does not name a question"),
        ("$x = 1", "$x is not defined"),
        ("round(1, 2, 3)", "round() takes 1 to 2 argument(s), not 3"),
    ],
)
def test_compile_errors_are_xlsform_errors(text: str, message: str) -> None:
    with pytest.raises(XLSFormError, match=re.escape(message)):
        FORM.evaluate(text, DATA, now=NOW)


# -- bounds: length and nesting give a clear error, never RecursionError ----------------------


def test_length_limit() -> None:
    ok = "1" + " + 1" * ((MAX_LENGTH - 1) // 4)
    assert len(ok) <= MAX_LENGTH
    assert FORM.evaluate(ok, DATA, now=NOW) == float((MAX_LENGTH - 1) // 4 + 1)
    with pytest.raises(ExpressionSyntaxError, match="longer than") as caught:
        parse("1" * (MAX_LENGTH + 1))
    assert caught.value.column == MAX_LENGTH + 1


@pytest.mark.parametrize(
    "make",
    [
        lambda k: "(" * k + "1" + ")" * k,
        lambda k: "not(" * k + "1" + ")" * k,
        lambda k: "a[" * k + "1" + "]" * k,
        lambda k: "concat(" * k + "'x'" + ", 1)" * k,
        lambda k: "-(" * k + "1" + ")" * k,
    ],
    ids=["parentheses", "calls", "predicates", "call-arguments", "negations"],
)
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(make: Callable[[int], str]) -> None:
    # Shallow enough: parses and evaluates.
    FORM.evaluate(make(MAX_DEPTH // 2 - 1), DATA, now=NOW)
    for depth in (MAX_DEPTH + 1, 5_000):
        text = make(depth)[:MAX_LENGTH]
        with pytest.raises(ExpressionSyntaxError, match=r"nested more than|ends too early"):
            parse(text)


def test_long_flat_expressions_do_not_recurse() -> None:
    # n-ary chains and loops: thousands of operands stay shallow.
    many_or = " or ".join(["${a} = 9"] * 800)
    assert FORM.evaluate(many_or, DATA, now=NOW) is False
    many_steps = "/data" + "/g/.." * 1500 + "/g/c"
    assert FORM.evaluate(many_steps, DATA, now=NOW) == "x"
    minus = "-" * 4001 + "1"
    assert FORM.evaluate(minus, DATA, now=NOW) == -1.0
    concat = "concat(" + ", ".join(["'a'"] * 1500) + ")"
    assert FORM.evaluate(concat, DATA, now=NOW) == "a" * 1500


# -- no eval, no exec: expressions are data ---------------------------------------------------

ENGINE = Path(__file__).resolve().parents[3] / "validation" / "xlsform"
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "getattr", "setattr", "globals"}
FORBIDDEN_MODULES = {"pickle", "marshal", "subprocess", "ctypes", "importlib", "shelve"}
# generated.py execs the passes it writes, once per form: their source holds element ids,
# numbers and repr() string literals (inline.py), never an expression's text as code.
ALLOWED_CALLS = {("generated.py", "compile"), ("generated.py", "exec")}


def test_engine_source_has_no_dynamic_code_execution() -> None:
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) >= 10
    allowed = set()
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if (path.name, node.func.id) in ALLOWED_CALLS:
                    allowed.add((path.name, node.func.id))
                    continue
                assert node.func.id not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names.append(getattr(node, "module", None) or "")
                for name in names:
                    assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name}: {name}"
    assert allowed == ALLOWED_CALLS  # one exec, in one place


@pytest.mark.parametrize(
    ("attack", "error", "match"),
    [
        ("__import__('os').system('touch {marker}')", ExpressionSyntaxError, "unexpected '.'"),
        ("eval(\"open('{marker}', 'w')\")", CannotCheckError, "is not supported"),
        ("exec('import os')", CannotCheckError, "is not supported"),
        ("system('touch {marker}')", CannotCheckError, "is not supported"),
        ("open('{marker}', 'w')", CannotCheckError, "is not supported"),
    ],
)
def test_python_in_an_expression_is_never_run(
    tmp_path: Path, attack: str, error: Any, match: str
) -> None:
    marker = tmp_path / "pwned"
    text = attack.format(marker=marker)
    with pytest.raises(error, match=match):
        FORM.evaluate(text, DATA, now=NOW)
    assert not marker.exists()


def test_tokens_carry_offsets_and_the_parse_is_cached_and_immutable() -> None:
    tokens = tokenize("${a} >= 10 div 2")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("ref", "a", 0),
        ("op", ">=", 5),
        ("num", "10", 8),
        ("opname", "div", 11),
        ("num", "2", 15),
        ("eof", "", 16),
    ]
    tree = parse("${a} + 1")
    assert parse("${a} + 1") is tree
    with pytest.raises(AttributeError):
        tree.first = num(2)  # type: ignore[union-attr,misc]
