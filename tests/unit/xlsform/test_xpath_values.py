"""XPath 1.0 semantics as ODK reads them: coercion, comparison and arithmetic over answers.

Same fixture and references as test_functions.py: every row was run through Enketo's
openrosa-xpath-evaluator 3.1.0 and agrees unless a comment says otherwise (JR = JavaRosa).
"""

from typing import Any

import pytest

from tests.unit.xlsform.test_functions import DATA, FORM, NAN, NOW, _same
from validation.xlsform import values

SEMANTICS: list[tuple[str, Any]] = [
    # An empty answer is not 0: as a number it is NaN, and NaN compares false with anything.
    ("${empty} = 0", False),
    ("${empty} != 0", True),
    ("${empty} < 1", False),
    ("${empty} > -1", False),
    ("${empty} = ''", True),
    ("${empty} + 1", NAN),
    ("${n} * ${empty}", NAN),
    ("'' = 0", False),
    ("'' < 1", False),
    ("0 div 0 = 0 div 0", False),
    ("0 div 0 != 0 div 0", True),
    ("(0 div 0) < 1 or (0 div 0) >= 1", False),
    # Strings compare as text for = and as numbers for < >, so non-numbers never order.
    ("'abc' < 'abd'", False),
    ("'abc' > 'abd'", False),
    ("'10' > '9'", True),
    ("'10' = '10.0'", False),
    ("'1' = 1.0", True),
    ("'' >= ''", False),
    # Booleans win an equality: the other side becomes a boolean.
    ("1 = true()", True),
    ("2 = true()", True),
    ("0 = false()", True),
    ("'false' = true()", True),  # a non-empty string is true, whatever it says
    ("'' = false()", True),
    ("${empty} = false()", False),  # a one-node set is true even when the answer is empty
    ("${t} = true()", True),
    ("true() > false()", True),
    ("boolean('false')", True),
    ("if('0', 'yes', 'no')", "yes"),
    # One answer against a value: numbers compare as numbers, text as text.
    ("${n} = '42'", True),
    ("${n} = 42.0", True),
    ("${n} = ' 42 '", False),  # text against text: the spaces count
    ("${n} = ' 42 ' + 0", True),  # a number: spaces do not
    ("${n} > '5'", True),  # relational: both numbers
    ("${d} < 0", True),
    ("${n} + ${d}", 39.5),
    ("${so} = 'banana'", True),
    # Answers across repeat instances: comparisons are existential (XPath 1.0 §3.4).
    ("${age} = 7", True),
    ("${age} = 30", True),
    ("${age} != 7", True),  # some instance differs too
    ("${age} = ''", True),  # Bob's age is empty
    ("${age} > 29", True),
    ("${age} < 0", False),
    ("${name} = 'Bob'", True),
    ("${age} = ${p_age}", True),  # 30 is in both
    ("${age} != ${age}", True),
    ("/data/member[age > 99]/age = ''", False),  # an empty set equals nothing ...
    ("/data/member[age > 99]/age != ''", False),  # ... and differs from nothing
    ("count(/data/member[age > 99]) = 0", True),
    # A question that is not relevant has no value, whatever the submission says.
    ("${skipped} = ''", True),
    ("${skipped} = 'secret'", False),
    ("concat('[', ${skipped}, ']')", "[]"),
    # Dates: a date answer against a date string or a date compares as dates, in days.
    ("${dob} < '2000-01-01'", True),
    ("${dob} = '1990-06-15'", True),
    ("${dob} = date('1990-06-15')", True),
    ("today() > ${dob}", True),
    ("date('2024-02-10') = today()", True),
    ("today() - ${dob}", 12293.0),
    ("${dob} + 1", 7471.0),  # JR: whole days (EN: 7470.75, an instant at +06:00)
    ("today() - date('2024-02-01') > 7", True),
    ("${ts} < now()", True),
    # Arithmetic: IEEE 754 doubles; mod keeps the dividend's sign, like Java's %.
    ("7 div 2", 3.5),
    ("1 div 0", float("inf")),
    ("-1 div 0", float("-inf")),
    ("0 div 0", NAN),
    ("1 div -0", float("-inf")),
    ("-7 mod 3", -1.0),
    ("7 mod -3", 1.0),
    ("5.5 mod 2", 1.5),
    ("1 mod 0", NAN),
    ("5 mod (1 div 0)", 5.0),
    ("(1 div 0) mod 2", NAN),
    ("0.1 + 0.2", 0.30000000000000004),
    ("'3' + '4'", 7.0),
    ("true() + true()", 2.0),
    ("'abc' * 1", NAN),
    ("-${n}", -42.0),  # (EN 3.1.0 cannot parse a minus before a path)
    ("- -'5'", 5.0),  # XP: number('5') (EN 3.1.0 gives NaN)
    # Logic: short-circuit, so the right side of a decided `or`/`and` is not evaluated.
    ("true() or 1 div 0", True),
    ("false() and pulldata('x', 'y', 'z', 1)", False),
    ("true() and ''", False),
    ("${empty} or ${skipped}", True),  # one-node sets are true
]


@pytest.mark.parametrize(("expr", "expected"), SEMANTICS, ids=[row[0] for row in SEMANTICS])
def test_semantics(expr: str, expected: Any) -> None:
    actual = FORM.evaluate(expr, DATA, now=NOW)
    assert _same(actual, expected), f"{expr} gave {actual!r}, expected {expected!r}"


def test_a_number_cache_gives_what_string_number_gives_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(values, "MAX_NUMBERS", 3)
    cache = values.NumberCache()
    texts = ["18", " 7 ", "2024-05-28", "1e5", "-0.5", "", "abc", "NaN", "18", "2024-05-28"]
    for text in texts * 2:
        got, want = cache[text], values.string_number(text)
        assert got == want or (got != got and want != want), text  # NaN is NaN
        assert len(cache) <= 3
    assert cache["2024-05-28"] == values.string_number("2024-05-28") > 19_000  # days, a date
