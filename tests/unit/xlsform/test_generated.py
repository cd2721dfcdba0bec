"""The generated passes (generated.py, inline.py) do exactly what checker.py's loops do.

Each form is checked twice per submission: with its generated settle/check passes and with
the reference ones (checker.run_steps / check_steps over the whole plan, no inlining). The
runtime state (relevance, visible values, unknowns, reasons, evaluations) and every finding,
message included, must be the same.
"""

import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from tests.differential.forms import DEMO_FORM, REACH_FORM, UNHCR_FORM, FormUnderTest
from tests.differential.generator import submissions
from tests.differential.nested_form import write_nested_form, write_probe_form
from validation.xlsform import CompiledForm, checker, compile_asset_content, compile_xlsx, merged
from validation.xlsform.generated import (
    calculations,
    check_pass,
    settle_namespace,
    settle_pass,
    single_pass,
)
from validation.xlsform.inline import Inliner
from validation.xlsform.merged import instance_by_instance
from validation.xlsform.model import Element
from validation.xlsform.parser import parse

NOW = dt.datetime(2024, 2, 10, 18, 30, tzinfo=dt.UTC)


def reference(form: CompiledForm) -> CompiledForm:
    """The same form, checked by checker.py's loops only."""
    form.settle_pass = settle_pass(form, generate=False)
    form.check_pass = check_pass(form, generate=False)
    form.merged_pass = None
    return form


def state(form: CompiledForm, data: dict[str, Any], now: dt.datetime) -> tuple[Any, ...]:
    """The runtime after settle alone, and after the check (merged.py's pass where there is one)."""
    rt = form._runtime(data, now)
    checked = form._loaded(data, now)
    found = [f.as_dict() for f in checker.check_submission(form, checked, form.default_language)]
    after = checked.rel, checked.values, checked.unknown, checked.reasons, checked.evaluations
    return rt.rel, rt.values, rt.unknown, rt.reasons, rt.evaluations, after, found


def assert_same(path: Path, n: int, seed: int = 3) -> int:
    fast, slow = compile_xlsx(path), reference(compile_xlsx(path))
    findings = 0
    for sub in submissions(FormUnderTest(path).tree, n, seed):
        ours, theirs = state(fast, sub.data, sub.now), state(slow, sub.data, sub.now)
        assert ours == theirs, f"submission {sub.index}"
        findings += len(ours[-1])
    return findings


@pytest.mark.parametrize("path", [DEMO_FORM, REACH_FORM, UNHCR_FORM], ids=lambda p: p.stem)
def test_generated_passes_match_the_reference_on_the_real_forms(path: Path) -> None:
    assert assert_same(path, 25) > 25


def test_generated_passes_match_the_reference_on_nested_repeats_and_functions(
    tmp_path: Path,
) -> None:
    assert assert_same(write_nested_form(tmp_path / "nested.xlsx"), 40) > 40
    assert assert_same(write_probe_form(tmp_path / "probe.xlsx"), 40) > 40


def test_remembered_repeat_nodes_start_again_when_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checker, "MAX_TABLES", 2)
    path = write_nested_form(tmp_path / "nested.xlsx")
    assert assert_same(path, 30) > 30  # the tables made again give the same nodes
    form = compile_xlsx(path)
    for sub in submissions(FormUnderTest(path).tree, 30, 5):
        form.check(sub.data, now=sub.now)
        assert len(form.repeat_nodes) <= 2


def test_remembered_skipped_instances_start_again_when_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(merged, "MAX_KNOWN", 1)
    assert assert_same(UNHCR_FORM, 12, seed=4) > 12  # made again: the same nodes


def test_the_real_forms_settle_in_one_pass() -> None:
    # What lets their generated settle pass leave out the later passes' branches.
    for path in (DEMO_FORM, REACH_FORM, UNHCR_FORM):
        assert single_pass(compile_xlsx(path)), path.name


def early_read_form() -> CompiledForm:
    """A question read before its place, in a group that may be skipped: several passes."""
    survey: list[dict[str, Any]] = [
        {"type": "text", "name": "a", "label": ["A"]},
        {"type": "text", "name": "early", "label": ["E"], "relevant": "${b} = 'x' or ${k} = 'y!'"},
        {"type": "begin_group", "name": "g", "relevant": "${a} = 'yes'"},
        {"type": "text", "name": "b", "label": ["B"]},
        {"type": "begin_group", "name": "h"},
        {"type": "calculate", "name": "k", "calculation": "concat(${b}, '!')"},
        {"type": "text", "name": "d", "label": ["D"]},
        {"type": "end_group"},
        {"type": "end_group"},
        {"type": "text", "name": "c", "label": ["C"], "relevant": "${b} != ''"},
    ]
    return compile_asset_content({"survey": survey, "choices": []})


def test_a_skipped_group_read_before_its_place_takes_another_pass() -> None:
    fast, slow = early_read_form(), reference(early_read_form())
    assert not single_pass(fast)
    for a, b, early, d, c in itertools.product(("yes", "no", ""), ("x", "y", ""), *[("z", "")] * 3):
        answers = {"a": a, "g/b": b, "early": early, "g/h/d": d, "c": c}
        data = {key: answer for key, answer in answers.items() if answer}
        assert state(fast, data, NOW) == state(slow, data, NOW), data
    # The first pass finds `early` relevant (b = 'x'); dropping the skipped b changes that.
    found = fast.check({"a": "no", "g/b": "x", "early": "z", "c": "z"}, now=NOW)
    assert [(f.code, f.path) for f in found] == [
        ("skip_logic.not_relevant", "early"),
        ("skip_logic.not_relevant", "g/b"),
        ("skip_logic.not_relevant", "c"),
    ]
    assert "should have been skipped: it is in 'g', which was skipped" in found[1].message


# -- a form of the expressions inline.py writes out, and of some it must leave alone --------

CHOICES = [
    {"list_name": "abc", "name": name, "label": [name.upper()]} for name in ("a", "b", "c", "yes")
]
EXPRESSIONS = [
    "${t} = 'yes'",
    "${t} != ${u}",
    "'yes' = ${t}",
    "${n} >= 18",
    "5 < ${n}",
    "-1 > ${n}",
    "${n} <= ${u}",
    "${n} = 3",
    "selected(${m}, 'b')",
    "selected(${m}, ' c ')",
    "not(${t} = 'no') and (${n} > 2 or ${n} < -1)",
    "${t} = 'yes' or ${u} = 'yes' or selected(${m}, 'a')",
    "not(selected(${m}, 'a'))",
    "${pd} = 'x'",  # an answer nobody can know: the closure decides
    "count-selected(${m}) >= 2",
    "count-selected(.) = 1 or 2 != count-selected(${m})",
    "${n} < (${t} + ${u} * 2) - 1",
    "'3' = ${n} + 0 and ${n} * 2 >= -4",
    "${n} div 2 > 1",  # div by a number literal: Python's /
    "${n} div 0 = ${u} div -0",  # div by 0 (NaN, ±Infinity): not inlined
    "position(..) > 1 or int(${n}) = 2",  # position(..): the instance's, in rep only
    "int(format-date(${t}, '%d')) > 3",
    "format-date(${t}, '%b') = 'Jan' or format-date(${t}, '%d') + 1 > 5",  # compared as text
    "${r} = 'yes'",  # a question in a repeat, read from outside: not inlined
    ". <= today()",  # a date against today(): both as days (values.relate)
    "today() > ${n} or ${t} >= today()",
    "${t} = today() or today() != ${n}",  # = compares a date as a date: not inlined
    "date(${t}) < today() and today() - date(${u}) <= 40",
    "int(today() - date(${t})) >= ${n} div 100",
]
# NOW's date, a date-time, a padded date, an impossible date, a date-time on NOW's day, and
# NOW's date in days since 1970 (equal to today() as a number, not as a date).
DATES = [
    "2024-02-10",
    "2024-01-05T10:00:00+06:00",
    " 2024-02-09 ",
    "2024-02-30",
    "2024-02-10T23:00",
    "19763",
]
VALUES = ["", "yes", "no", "3", "18", "-2", "2024-01-05", " a  b ", "c", "x", "1e3", "abc", *DATES]
NUMBERS = ["0", "1", "2", "3", "5", "7", "18", "-2", "0.5"]


def probe_form() -> CompiledForm:
    survey: list[dict[str, Any]] = [
        {"type": "text", "name": "t", "label": ["T"]},
        {"type": "text", "name": "u", "label": ["U"]},
        {"type": "text", "name": "n", "label": ["N"]},
        {"type": "select_multiple", "select_from_list_name": "abc", "name": "m", "label": ["M"]},
        {  # unknown only when relevant: else no answer is unknown and the inlined source runs
            "type": "calculate",
            "name": "pd",
            "calculation": "pulldata('f', 'c', 'k', ${t})",
            "relevant": "${u} = 'x'",
        },
        {"type": "begin_repeat", "name": "rep", "label": ["Rep"]},
        {"type": "text", "name": "r", "label": ["R"]},
    ]
    for i, expression in enumerate(EXPRESSIONS):
        survey += [  # in the repeat (`.` and answers of the same instance), and outside it
            {"type": "text", "name": f"rq{i}", "label": [f"RQ{i}"], "relevant": expression},
            {"type": "text", "name": f"rc{i}", "label": [f"RC{i}"], "constraint": expression},
        ]
    survey.append({"type": "end_repeat"})
    survey.append({"type": "begin_group", "name": "g", "relevant": "${t} != 'skip'"})
    for i, expression in enumerate(EXPRESSIONS):
        survey += [
            {"type": "text", "name": f"q{i}", "label": [f"Q{i}"], "relevant": expression},
            {"type": "integer", "name": f"c{i}", "label": [f"C{i}"], "constraint": expression},
            {
                "type": "select_one",
                "select_from_list_name": "abc",
                "name": f"s{i}",
                "label": [f"S{i}"],
                "constraint": ". = 'a' or " + expression,
                "required": True,
            },
        ]
    survey.append({"type": "end_group"})
    return compile_asset_content({"survey": survey, "choices": CHOICES})


def test_inlined_expressions_give_the_closures_results() -> None:
    fast, slow = probe_form(), reference(probe_form())
    rng = random.Random(11)
    names = [q.path for q in fast.questions if q.type not in ("begin_group", "begin_repeat")]
    plain = [n for n in names if not n.startswith("rep/")]
    inner = [n.removeprefix("rep/") for n in names if n.startswith("rep/")]
    for _ in range(300):
        pool = NUMBERS if rng.random() < 0.5 else VALUES
        data: dict[str, Any] = {n: rng.choice(pool) for n in plain if rng.random() < 0.8}
        data["rep"] = [
            {f"rep/{n}": rng.choice(pool) for n in inner if rng.random() < 0.8}
            for _ in range(rng.randrange(3))
        ]
        assert state(fast, data, NOW) == state(slow, data, NOW), data


def test_what_inline_writes_out() -> None:
    form = probe_form()
    top = Inliner(form.by_name, form.by_path["g/q0"], "()")
    assert top.boolean(parse("${t} = 'yes'")) == "(values_get(K1, '') == 'yes')"
    assert top.boolean(parse("5 < ${n}")) == "(number(values_get(K3, '')) > 5.0)"
    assert top.boolean(parse("count-selected(${m}) >= 2")) == "(float(len(w0)) >= 2.0)"
    assert top.boolean(parse("selected(${m}, 'a') or selected(${t}, 'b')")) == (
        "(('a' in w0) or ('b' in w1))"
    )
    assert top.prelude() == [  # each string split once, whatever reads its words
        "w0 = values_get(K4, '').split()",
        "w1 = values_get(K1, '').split()",
    ]
    assert top.boolean(parse("${n} < ${t} + 1")) == (
        "(number(values_get(K3, '')) < (number(values_get(K1, '')) + 1.0))"
    )
    assert top.boolean(parse("${n} mod 2 = 1")) is None
    assert top.boolean(parse("count-selected(${r}) = 1")) is None
    assert top.boolean(parse("string-length(${t}) = 1")) is None
    assert top.boolean(parse("${r} = 'x'")) is None  # in a repeat
    assert top.boolean(parse("1 = 1")) is None
    assert top.boolean(parse("selected(${m}, ${t})")) is None
    assert top.boolean(parse("true()")) is None
    assert top.boolean(parse("${n} <= today()")) == (
        "(number(values_get(K3, '')) <= days(rt.now.date()))"
    )
    assert top.boolean(parse("date(${t}) < today() - 2")) == (
        "(date_days(values_get(K1, '')) < (days(rt.now.date()) - 2.0))"
    )
    assert top.boolean(parse("${t} = today()")) is None  # a date's = is not its number's
    assert top.boolean(parse("date(${t}) != ${n}")) is None
    assert top.string(parse("region")) is None  # a column only in a choice_filter
    row = Inliner(form.by_name, form.by_path["g/q0"], "()", row="row")
    assert row.boolean(parse("region = ${t}")) == "(row.get('region', '') == values_get(K1, ''))"
    assert row.boolean(parse("../region = ${t}")) is None  # a path: checker.choices decides
    group = Inliner(form.by_name, form.by_path["g"], "()")
    assert group.string(parse(".")) is None  # a group's string is its leaves'
    in_repeat = Inliner(form.by_name, form.by_path["rep/rq0"], "idx")
    assert in_repeat.boolean(parse("${r} = .")) == (
        f"(values_get(({form.by_path['rep/r'].id}, idx), '') == "
        f"values_get(({form.by_path['rep/rq0'].id}, idx), ''))"
    )
    assert isinstance(form.by_path["rep/r"], Element)


def test_text_in_expressions_stays_data_in_the_generated_source(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attack = f"x'); open('{marker}', 'w'); ('"
    huge = "9" * 400  # float('9' * 400) is inf, which repr() cannot write as a literal
    survey = [
        {"type": "text", "name": "t", "label": ["T"]},
        {"type": "text", "name": "q", "label": ["Q"], "relevant": f'${{t}} = "{attack}"'},
        {"type": "integer", "name": "n", "label": ["N"], "constraint": f". < {huge}"},
    ]
    form = compile_asset_content({"survey": survey, "choices": []})
    assert form.check({"t": attack, "q": "answered", "n": "5"}, now=NOW) == []
    skipped = form.check({"t": "y", "q": "answered"}, now=NOW)
    assert [(f.code, f.path) for f in skipped] == [("skip_logic.not_relevant", "q")]
    assert not marker.exists()


def test_an_answer_read_by_many_relevances_is_split_once_per_pass() -> None:
    form = probe_form()
    once: set[int] = set()
    top = Inliner(form.by_name, form.by_path["g/q0"], "()", once)
    assert top.boolean(parse("selected(${m}, 'a') or count-selected(${m}) > 1")) == (
        "(('a' in s4) or (float(len(s4)) > 1.0))"
    )
    assert top.prelude() == ["if s4 is None:", "    s4 = values_get(K4, '').split()"]
    assert once == {4}
    in_repeat = Inliner(form.by_name, form.by_path["rep/rq0"], "idx", once)
    in_repeat.boolean(parse("selected(${r}, 'a') and selected(${m}, 'b')"))
    assert in_repeat.prelude() == [  # an answer inside repeats: split where it is read
        f"w0 = values_get(({form.by_path['rep/r'].id}, idx), '').split()",
        "if s4 is None:",
        "    s4 = values_get(K4, '').split()",
    ]


def test_split_once_words_are_those_settled_when_the_answer_itself_is_skipped() -> None:
    # m is dropped (not relevant) or kept before the later relevances read its words.
    survey: list[dict[str, Any]] = [
        {"type": "text", "name": "t", "label": ["T"]},
        {"type": "select_multiple abc", "name": "m", "label": ["M"], "relevant": "${t} = 'y'"},
        {"type": "text", "name": "a", "label": ["A"], "relevant": "selected(${m}, 'a')"},
        {"type": "begin_repeat", "name": "rep", "label": ["Rep"]},
        {"type": "text", "name": "b", "label": ["B"], "relevant": "selected(${m}, 'b')"},
        {"type": "end_repeat"},
        {"type": "text", "name": "c", "label": ["C"], "relevant": "count-selected(${m}) = 2"},
    ]
    content = {"survey": survey, "choices": CHOICES}
    fast, slow = compile_asset_content(content), reference(compile_asset_content(content))
    m_words = f"s{fast.by_path['m'].id}"  # its words, split once (a local of the pass)
    assert single_pass(fast)
    assert m_words in fast.settle_pass.__code__.co_varnames
    for t, m in itertools.product(["y", "n"], ["a", "b", "a b", ""]):
        data: dict[str, Any] = {"t": t, "m": m, "a": "1", "c": "1"}
        data["rep"] = [{"rep/b": "1"}, {"rep/b": "2"}]
        ours = state(fast, data, NOW)
        assert ours == state(slow, data, NOW), data
        skipped = {f["path"] for f in ours[-1] if f["code"] == "skip_logic.not_relevant"}
        words = m.split() if t == "y" else []
        assert ("a" in skipped) == ("a" not in words)
        assert ("rep[2]/b" in skipped) == ("b" not in words)
        assert ("c" in skipped) == (len(words) != 2)


def test_settle_and_checks_share_one_pass_only_where_each_check_reads_settled_answers() -> None:
    later = [
        {"type": "integer", "name": "a", "label": ["A"], "constraint": ". < ${b}"},
        {"type": "integer", "name": "b", "label": ["B"], "relevant": "${a} != 0"},
    ]
    earlier = [later[1] | {"relevant": ""}, later[0]]
    for survey, one_pass in ((later, False), (earlier, True)):
        content = {"survey": survey, "choices": []}
        fast, slow = compile_asset_content(content), reference(compile_asset_content(content))
        assert (fast.merged_pass is not None) == one_pass
        for a, b in itertools.product(["", "0", "3", "9"], ["", "5"]):
            data = {k: x for k, x in (("a", a), ("b", b)) if x}
            assert state(fast, data, NOW) == state(slow, data, NOW), data
    found = compile_asset_content({"survey": later, "choices": []}).check({"a": "9", "b": "5"})
    assert [(f.code, f.path) for f in found] == [("skip_logic.constraint_failed", "a")]


def repeat_form(first: str) -> CompiledForm:
    """Two questions skipped per instance; `first` is a calculate in the repeat."""
    survey: list[dict[str, Any]] = [
        {"type": "text", "name": "t", "label": ["T"]},
        {"type": "begin_repeat", "name": "rep", "label": ["Rep"]},
        {"type": "text", "name": "x", "label": ["X"]},
        {"type": "calculate", "name": "first", "calculation": first},
        {"type": "text", "name": "a", "label": ["A"], "relevant": "${x} = 'a'"},
        {"type": "text", "name": "b", "label": ["B"], "relevant": "${first} = 'b'"},
        {"type": "begin_group", "name": "g", "relevant": "${x} != 'c'"},
        {"type": "text", "name": "y", "label": ["Y"]},
        {"type": "calculate", "name": "yc", "calculation": "concat(${x}, '!')"},
        {"type": "end_group"},
        {"type": "end_repeat"},
    ]
    return compile_asset_content({"survey": survey, "choices": []})


@pytest.mark.parametrize(
    ("first", "one_at_a_time"),
    [("${x}", True), ("indexed-repeat(${x}, ${rep}, 1)", False)],
)
def test_a_repeat_is_walked_instance_by_instance_unless_it_reads_another_instance(
    first: str, one_at_a_time: bool
) -> None:
    fast, slow = repeat_form(first), reference(repeat_form(first))
    assert instance_by_instance(fast, fast.by_path["rep"]) is one_at_a_time
    data = {
        "rep": [
            {"rep/x": x, "rep/a": "1", "rep/b": "1", "rep/g/y": "2", "rep/g/yc": "s"}
            for x in ("b", "a", "c")
        ]
    }
    ours = state(fast, data, NOW)
    assert ours == state(slow, data, NOW)
    # Findings element by element, as the reference walk gives them, whatever the walk.
    # indexed-repeat: every instance reads the first's x ('b'), so b is relevant in each.
    b_skipped = ["rep[2]/b", "rep[3]/b"] if one_at_a_time else []
    assert [f["path"] for f in ours[-1]] == ["rep[1]/a", "rep[3]/a", *b_skipped, "rep[3]/g/y"]
    assert ours[1][(fast.by_path["rep/g/yc"].id, (2,))] == "s"  # as submitted, kept
    assert (fast.by_path["rep/g/yc"].id, (3,)) not in ours[1]  # skipped: not kept


def test_nested_repeats_settle_and_check_in_the_one_pass_as_in_the_reference() -> None:
    survey: list[dict[str, Any]] = [
        {"type": "text", "name": "t", "label": ["T"]},
        {"type": "begin_repeat", "name": "rep", "label": ["Rep"]},
        {"type": "text", "name": "x", "label": ["X"], "required": True},
        {"type": "begin_group", "name": "g", "relevant": "${x} != 'c'"},
        {"type": "begin_repeat", "name": "inner", "label": ["Inner"]},
        {"type": "integer", "name": "z", "label": ["Z"], "relevant": "${t} = 'yes'"},
        {"type": "calculate", "name": "zc", "calculation": "${z} + 1"},
        {"type": "text", "name": "w", "label": ["W"], "constraint": ". != ${x}"},
        {"type": "end_repeat"},
        {"type": "end_group"},
        {"type": "end_repeat"},
    ]
    content = {"survey": survey, "choices": []}
    fast, slow = compile_asset_content(content), reference(compile_asset_content(content))
    assert fast.merged_pass is not None
    assert not instance_by_instance(fast, fast.by_path["rep"])  # it holds a repeat
    codes: set[str] = set()
    for t, xs in itertools.product(["yes", "no"], [("a", "c"), ("c", ""), ("b",)]):
        data: dict[str, Any] = {"t": t, "rep": []}
        for x in xs:
            inner = [{"rep/g/inner/z": z, "rep/g/inner/w": x or "q"} for z in ("1", "x")]
            data["rep"].append({"rep/x": x, "rep/g/inner": inner} if x else {"rep/g/inner": inner})
        ours = state(fast, data, NOW)
        assert ours == state(slow, data, NOW), data
        codes |= {f["code"] for f in ours[-1]}
    assert codes >= {  # each kind the loops write, met at least once
        "skip_logic.not_relevant",
        "skip_logic.constraint_failed",
        "skip_logic.invalid_value",
        "skip_logic.required_missing",
    }


# -- calculations inline.py writes out (Inliner.calculation), and some it must leave alone ----

# (calculation, written out): outside repeats, then in a repeat beside rep, then in its group.
TOP_CALCULATIONS = [
    ("'lit'", True),
    ("3.5", True),
    ("-2", True),
    ("100000000000000000000", True),  # format_number: 1e+20
    ("${t}", True),
    ("${n} * 2 - ${u}", True),
    ("count-selected(${m})", True),
    ("${t} = 'yes' or selected(${m}, 'a')", True),
    ("if(${t} = 'yes', 1, 0)", True),
    ("if(${n} > 2, ${t}, 0.25)", True),
    ("jr:if(not(${t} = 'no'), if(${n} < 0, 'neg', ${u}), '')", True),
    ("indexed-repeat(${r}, ${rep}, 1)", True),
    ("indexed-repeat(${r}, ${rep}, 2)", True),
    ("indexed-repeat(${r}, ${rep}, 3)", True),  # past the count in most submissions
    ("indexed-repeat(${r}, ${rep}, 1.5)", False),  # int() truncates: the closure decides
    ("indexed-repeat(${r}, ${rep}, 0)", False),
    ("indexed-repeat(${r}, ${rep}, ${n})", False),
    ("indexed-repeat(${rg}, ${rep}, 1)", False),  # a group: its leaves' string
    ("${pd}", True),  # unknown: the pass evaluates it then
    ("if(${pd} = 'x', 1, 0)", True),
    ("${n} div 2", True),
    ("if(${t} = 'yes', ${n} div 2, 0)", True),
    ("concat(${t}, 'x')", True),
    ("substr(${t}, 1)", False),
    ("${r}", False),  # every instance of r, from outside the repeat
    ("(${n} - ${t}) div -3 * 2", True),  # dates are days (values.string_number)
    ("${n} div 0.5 div 4", True),
    ("${n} div 0", False),  # NaN or an infinity
    ("${n} div ${u}", False),
    ("${n} mod 2", False),
    ("selected-at(${m}, 0)", True),
    ("selected-at(${m}, 1)", True),
    ("jr:selected-at(${t}, 2)", True),  # past the end in most submissions
    ("selected-at(${m}, 1.5)", True),  # int(1.5)
    ("selected-at(' x  y ', 1)", True),
    ("selected-at(${m}, -1)", False),
    ("selected-at(${m}, ${n})", False),
    ("join(' ', ${r})", True),  # '' for a non-relevant instance's r
    ("join(${t}, ${rq})", True),
    ("join(', ', ${r}, ${t}, 'z', ${rq})", True),
    ("join(' ', ${rg})", False),  # a group: its leaves' string
    ("join(' ', ${pd}, 2)", True),
    ("sum(${r})", True),  # NaN when any r is no number (or not relevant)
    ("sum(${rq}) + count(${rep}) * 2", True),
    ("count(${r})", True),
    ("count(${rg})", True),
    ("sum(${rg})", False),
    ("sum(${t})", False),  # one node
    ("sum(${r}) div count(${rep})", False),
    ("today()", True),
    ("concat(${t}, '-', ${n} + 1, ${r})", True),
    ("concat()", False),
    ("position(..)", False),  # `..` is g
    ("jr:choice-name(selected-at(${m}, 0), '${m}')", True),
    ("choice-name(${t}, ${m})", True),  # '' for no choice of m's list
    ("choice-name(concat(' ', ${u}), 'm')", True),
    ("choice-name(${n} + 1, ${m})", True),
    ("int(format-date-time(${t}, '%H')) * 60 + int(format-date-time(${u}, '%S.%3'))", True),
    ("format-date(${t}, '%Y-%m-%d %a %b %e %3 %')", True),
    ("format-date-time(${n}, '%H:%M')", True),  # a number is days since 1970
    ("int(${n} div 0.3)", True),
    ("format-date-time(today(), '%Y')", False),  # a date, not a string
    ("int(today() - date(${t}))", True),  # days since a date (a date-time: its day)
    ("today() - date(${n}) + 0.5", True),  # a number's date: that many days after 1970
    ("date(${t}) - date(${u})", True),  # '' where either is no date: NaN
    ("today() - date(concat(${t}, ''))", False),  # date() of one answer's string only
    ("date(${t})", False),  # a date's string
    ("int(today() - ${t})", True),  # a date string is days; a date-time, fractional
]
REPEAT_CALCULATIONS = [
    ("indexed-repeat(${r}, ${rep}, position(..))", True),  # past rep's count when rep2 is longer
    ("indexed-repeat(${r2}, ${rep}, position(..))", False),  # r2 is not in rep
    ("if(${r2} = 'yes', ${r2}, indexed-repeat(${r}, ${rep}, position(..)))", True),
    ("${r2} + 1", True),
    ("position(..)", True),
    ("concat(position(..) - 1, ' ', ${r2})", True),
    ("join(' ', ${r})", True),  # rep's instances, from another repeat
    ("sum(${rq})", True),
    ("count(${r}) + ${r2}", True),
    ("selected-at(${r2}, 0)", True),
    ("jr:choice-name(${r2}, '${m}')", True),
]
GROUP_CALCULATIONS = [  # `..` is the group: position(..) is 1 there
    ("indexed-repeat(${r}, ${rep}, position(..))", False),
    ("indexed-repeat(${r}, ${rep}, 1)", True),
    ("position(..)", False),
]


def calculation_form() -> CompiledForm:
    def calculates(prefix: str, pairs: list[tuple[str, bool]]) -> list[dict[str, Any]]:
        return [
            {"type": "calculate", "name": f"{prefix}{i}", "calculation": text}
            for i, (text, _) in enumerate(pairs)
        ]

    survey: list[dict[str, Any]] = [
        {"type": "text", "name": "t", "label": ["T"]},
        {"type": "text", "name": "u", "label": ["U"]},
        {"type": "text", "name": "n", "label": ["N"]},
        {"type": "select_multiple", "select_from_list_name": "abc", "name": "m", "label": ["M"]},
        {  # unknown when relevant: the pass evaluates the calculations then
            "type": "calculate",
            "name": "pd",
            "calculation": "pulldata('f', 'c', 'k', ${t})",
            "relevant": "${u} = 'pd'",
        },
        {"type": "begin_repeat", "name": "rep", "label": ["Rep"]},
        # a non-relevant instance's r holds nothing
        {"type": "text", "name": "r", "label": ["R"], "relevant": "${t} != 'hide'"},
        {"type": "begin_group", "name": "rg"},
        {"type": "text", "name": "rq", "label": ["RQ"]},
        {"type": "end_group"},
        {"type": "end_repeat"},
        {"type": "begin_group", "name": "g", "relevant": "${t} != 'skip'"},
        *calculates("c", TOP_CALCULATIONS),
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "rep2", "label": ["Rep2"]},
        {"type": "text", "name": "r2", "label": ["R2"]},
        *calculates("rc", REPEAT_CALCULATIONS),
        {"type": "begin_group", "name": "g2"},
        *calculates("gc", GROUP_CALCULATIONS),
        {"type": "end_group"},
        {"type": "end_repeat"},
    ]
    return compile_asset_content({"survey": survey, "choices": CHOICES})


def test_what_inline_writes_out_of_calculations() -> None:
    form = calculation_form()
    places = [("g/c", TOP_CALCULATIONS), ("rep2/rc", REPEAT_CALCULATIONS)]
    for prefix, pairs in [*places, ("rep2/g2/gc", GROUP_CALCULATIONS)]:
        for i, (text, written) in enumerate(pairs):
            element = form.by_path[f"{prefix}{i}"]
            inline = Inliner(
                form.by_name, element, "idx", table=lambda _: "T0", labels=lambda _: "CL0"
            )
            source = inline.calculation(parse(text))
            assert (source is not None) == written, text
    top = Inliner(form.by_name, form.by_path["g/c0"], "()")
    r = form.by_path["rep/r"].id
    fixed = top.calculation(parse("indexed-repeat(${r}, ${rep}, 2)"))
    assert fixed == f"values_get(({r}, (2,)), '')"
    assert top.calculation(parse("if(${t} = 'yes', 1, 2.5)")) == (
        "('1' if (values_get(K1, '') == 'yes') else '2.5')"
    )
    inner = Inliner(form.by_name, form.by_path["rep2/rc0"], "idx")
    assert inner.calculation(parse("indexed-repeat(${r}, ${rep}, position(..))")) == (
        f"values_get(({r}, idx), '')"
    )


def test_what_inline_writes_out_of_repeats_and_words() -> None:
    form = calculation_form()
    r, rq = form.by_path["rep/r"].id, form.by_path["rep/rg/rq"].id
    tables: list[tuple[Element, ...]] = []

    def table(repeats: tuple[Element, ...]) -> str:
        tables.append(repeats)
        return "T0"

    top = Inliner(form.by_name, form.by_path["g/c0"], "()", table=table)
    assert top.calculation(parse("join(' ', ${r})")) == (
        f"' '.join(repeat_strings(values_get, T0[{r}]))"
    )
    assert top.calculation(parse("sum(${rq})")) == (f"to_string(repeat_sum(values_get, T0[{rq}]))")
    assert top.calculation(parse("count(${r}) div 2")) == f"to_string((float(len(T0[{r}])) / 2.0))"
    assert tables == [(form.by_path["rep"],)] * 3
    assert top.calculation(parse("selected-at(${m}, 2)")) == "(w0[2] if len(w0) > 2 else '')"
    assert top.prelude() == ["w0 = values_get(K4, '').split()"]
    assert top.calculation(parse("choice-name(${t}, 'm')")) is None  # without labels
    assert top.calculation(parse("sum(${rg})")) is None
    assert tables == [(form.by_path["rep"],)] * 3  # no table for what is not written out
    # Inside rep `${r}` is its own instance's r; without a table nothing reads every one.
    inside = Inliner(form.by_name, form.by_path["rep/r"], "idx", table=table)
    assert inside.calculation(parse("sum(${r})")) is None
    assert Inliner(form.by_name, form.by_path["g/c0"], "()").calculation(parse("sum(${r})")) is None


def test_choice_name_reads_the_labels_the_pass_holds() -> None:
    form = calculation_form()
    m = form.by_path["m"]
    namespace = settle_namespace(form)
    inline = calculations(form.by_name, form.by_path["g/c0"], "()", namespace)
    assert inline.calculation(parse("choice-name(${t}, ${m})")) == (
        f"CL{m.id}.get(values_get(K1, '').strip(), '')"
    )
    assert namespace[f"CL{m.id}"] == {"a": "A", "b": "B", "c": "C", "yes": "YES"}


def test_inlined_calculations_give_the_closures_results() -> None:
    fast, slow = calculation_form(), reference(calculation_form())
    in_rep = {e.id for e in fast.order if fast.by_path["rep"] in e.repeats}
    rng = random.Random(7)
    times = ["2024-02-01T10:02:11.204+05:00", "2023-12-31 23:59:59.9", "2024-02-30T10:00"]
    pool = [*VALUES, *NUMBERS, *times, "yes", "hide", "skip", "a b", "pd"]
    for _ in range(300):
        data: dict[str, Any] = {
            name: rng.choice(pool) for name in ("t", "u", "n", "m") if rng.random() < 0.8
        }
        data["rep"] = [
            {k: rng.choice(pool) for k in ("rep/r", "rep/rg/rq") if rng.random() < 0.8}
            for _ in range(rng.randrange(4))
        ]
        data["rep2"] = [
            {"rep2/r2": rng.choice(pool)} if rng.random() < 0.8 else {}
            for _ in range(rng.randrange(5))
        ]
        if rng.random() < 0.2:  # a submitted calculation is kept as submitted
            data["g/c12"] = rng.choice(pool)
        ours = state(fast, data, NOW)
        assert ours == state(slow, data, NOW), data
        # What lets indexed-repeat() past rep's count read values alone: nothing there.
        assert all(not idx or idx[0] <= len(data["rep"]) for (e, idx) in ours[1] if e in in_rep)


# -- a select_one's choice_filter written in place (generated._filtered) --------------------

FILTERS = [
    "region = ${area}",  # the usual cascade: a column against an answer
    "${area} = region",
    "region != ${area} and name != 'c1'",
    "kind = 'x' or region = ${area}",  # a column some choices lack: '' there
    "region = ${pd}",  # an answer nobody can know: checker.choices decides
    "selected(${many}, region)",  # not written in place: checker.choices decides
]
FILTER_CHOICES = [
    {"list_name": "areas", "name": a, "label": [a.upper()]} for a in ("north", "south", "x")
] + [
    {"list_name": "cities", "name": f"c{k}", "label": [f"C{k}"], "region": region, **extra}
    for k, (region, extra) in enumerate(
        [("north", {}), ("north", {"kind": "x"}), ("south", {}), ("", {"kind": "y"})]
    )
]


def filter_form() -> CompiledForm:
    survey: list[dict[str, Any]] = [
        {"type": "select_one", "select_from_list_name": "areas", "name": "area", "label": ["A"]},
        {
            "type": "select_multiple",
            "select_from_list_name": "areas",
            "name": "many",
            "label": ["M"],
        },
        {
            "type": "calculate",
            "name": "pd",
            "calculation": "pulldata('f', 'c', 'k', ${area})",
            "relevant": "${area} = 'x'",  # unknown only then: else the filter runs in place
        },
    ]
    for i, expression in enumerate(FILTERS):
        survey += [
            {
                "type": "select_one",
                "select_from_list_name": "cities",
                "name": f"city{i}",
                "label": [f"City {i}"],
                "choice_filter": expression,
            },
            {
                "type": "select_one cities or_other",
                "name": f"other{i}",
                "label": [f"Other {i}"],
                "choice_filter": expression,
            },
        ]
    survey += [  # in a repeat walked instance by instance: its instance's answer, or another
        {"type": "begin_repeat", "name": "rep", "label": ["Rep"]},
        {"type": "select_one", "select_from_list_name": "areas", "name": "ra", "label": ["RA"]},
        {
            "type": "select_one",
            "select_from_list_name": "cities",
            "name": "rc",
            "label": ["RC"],
            "choice_filter": "region = ${ra} or region = ${area}",
        },
        {"type": "end_repeat"},
    ]
    return compile_asset_content({"survey": survey, "choices": FILTER_CHOICES})


@pytest.mark.parametrize("one_pass", [True, False])
def test_a_choice_filter_written_in_place_gives_what_choices_gives(one_pass: bool) -> None:
    fast, slow = filter_form(), reference(filter_form())
    if not one_pass:  # the generated findings walk of two-pass forms writes it in place too
        fast.merged_pass = None
    assert (fast.merged_pass is not None) == one_pass
    assert not one_pass or instance_by_instance(fast, fast.by_name["rep"])
    rng = random.Random(5)
    areas, cities = ["north", "south", "x", "", "west"], ["c0", "c1", "c2", "c3", " c2 ", "c9"]
    filtered = 0
    for _ in range(300):
        data: dict[str, Any] = {"area": rng.choice(areas), "many": "north x"}
        for i in range(len(FILTERS)):
            data[f"city{i}"] = rng.choice(cities)
            data[f"other{i}"] = rng.choice([*cities, "other"])
        data["rep"] = [
            {"rep/ra": rng.choice(areas), "rep/rc": rng.choice(cities)}
            for _ in range(rng.randrange(3))
        ]
        ours = state(fast, data, NOW)
        assert ours == state(slow, data, NOW), data
        filtered += sum(1 for f in ours[-1] if "not offered here" in f["message"])
    assert filtered > 100  # the filter left choices out, and said so, many times
