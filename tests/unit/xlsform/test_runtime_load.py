"""Reading submissions: the form remembers where each data key goes, and that memory is safe.

CompiledForm keeps, per repeat level, the element each data key names and, per instance, the
runtime key of each question's answer (runtime.KeyCache), so later submissions skip the path
walk and build no keys. These tests pin that a remembered placement never carries answers
between submissions, that odd keys keep being read right once the memory is full, that keys
the form cannot use are ignored as before, and that a form's memory loads any submission into
the state a fresh memory gives. For the one-pass function the answers are read in place
(Runtime.load_direct): what it reads is what the whole load reads, on every odd submission.
"""

import datetime as dt
from typing import Any

import pytest

from validation.xlsform import Finding, checker, compile_asset_content, runtime
from validation.xlsform.form import CompiledForm

NOW = dt.datetime(2024, 2, 10, 18, 30, tzinfo=dt.UTC)
CONTENT = {
    "survey": [
        {"type": "integer", "name": "age", "label": ["Age"]},
        {"type": "text", "name": "job", "label": ["Job"], "relevant": "${age} >= 18"},
        {"type": "begin_repeat", "name": "kid", "label": ["Kid"]},
        {"type": "integer", "name": "kid_age", "label": ["Kid age"]},
        {"type": "text", "name": "school", "label": ["School"], "relevant": "${kid_age} >= 6"},
        {"type": "end_repeat"},
    ],
    "translations": [None],
}
CONTENT_NAMES = ("age", "job", "kid", "kid_age", "school")
SUBMISSIONS: list[dict[Any, Any]] = [
    {"age": "12", "job": "driver", "kid": [{"kid/kid_age": "3", "kid/school": "No 5"}]},
    {"age": "40", "job": "driver", "kid": [{"kid/kid_age": "9", "kid/school": "No 5"}]},
    {"age": "16", "kid": [{"kid/kid_age": "2", "kid/school": "x"}, {"kid/kid_age": "7"}]},
    {"age": 15, "job": "x", "_id": 7, "meta/instanceID": "uuid:1", "odd": "1", 5: "five"},
    {"age": "30", "kid": {"kid/kid_age": "1"}},  # a repeat that is not a list: no instances
]


def _paths(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in findings]


def _fresh(data: dict[Any, Any]) -> list[Finding]:
    return compile_asset_content(CONTENT).check(data, now=NOW)


def test_one_form_gives_each_submission_what_a_fresh_form_gives() -> None:
    form = compile_asset_content(CONTENT)
    for data in SUBMISSIONS * 2:
        assert form.check(data, now=NOW) == _fresh(data)
    assert _paths(form.check(SUBMISSIONS[0], now=NOW)) == [
        ("skip_logic.not_relevant", "job"),
        ("skip_logic.not_relevant", "kid[1]/school"),
    ]
    assert _paths(form.check(SUBMISSIONS[1], now=NOW)) == []


def test_keys_the_form_cannot_use_are_ignored() -> None:
    form = compile_asset_content(CONTENT)
    assert _paths(form.check(SUBMISSIONS[3], now=NOW)) == [("skip_logic.not_relevant", "job")]
    assert form.evaluate("count(${kid})", SUBMISSIONS[4], now=NOW) == 0.0


def test_once_the_memory_is_full_keys_are_still_placed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "MAX_KEYS", 2)
    form: CompiledForm = compile_asset_content(CONTENT)
    for data in SUBMISSIONS:
        assert form.check(data, now=NOW) == _fresh(data)
    assert all(len(level.places) <= 2 and level.size <= 2 for level in form._keys.values())


# Each answers the form's questions in a way the remembered keys do not cover: text that is
# not a string or is empty, keys the form does not have (listed in order, inside repeats
# too: a question's key there is its full path), keys first seen in a later instance.
ODD: list[dict[Any, Any]] = [
    {"age": 41, "job": 2.0, "x1": "a", "_id": 3, "kid": [{"kid/kid_age": 7.5}, {"x2": "b"}]},
    {"age": True, "job": None, "kid": [{"kid_age": "4"}, {"kid/school": "", "kid_age": "8"}]},
    {"job": ["a"], "age": {"n": 1}, "kid": [{}, {}, {"kid/kid_age": "5", "kid/school": ""}]},
    {"kid": [{"kid/kid_age": 6}, "not a mapping", {"kid/school": "x"}], "age": ""},
    {"x2": "c", "kid": [{"x1": "d"}], "formhub/uuid": "u", "__version__": "v", "x1": "e"},
]


def _state(rt: runtime.Runtime) -> tuple[Any, ...]:
    return list(rt.raw.items()), list(rt.counts.items()), rt.extra


def _loaded(form: CompiledForm, data: dict[Any, Any], keys: runtime.KeyCache | None) -> Any:
    rt = runtime.Runtime(NOW)
    rt.load(form.root, data, keys)
    return _state(rt)


@pytest.mark.parametrize("cap", [10_000, 3])
def test_remembered_keys_load_the_state_fresh_keys_do(
    monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    monkeypatch.setattr(runtime, "MAX_KEYS", cap)
    form = compile_asset_content(CONTENT)
    for data in (SUBMISSIONS + ODD) * 2 + ODD[::-1]:
        assert _loaded(form, data, form._keys) == _loaded(form, data, None)
    assert all(len(level.places) <= cap and level.size <= cap for level in form._keys.values())


def test_odd_answers_are_read_as_before() -> None:
    form = compile_asset_content(CONTENT)
    age, job, kid, kid_age, school = (form.by_name[n].id for n in CONTENT_NAMES)
    expected = [
        ([((age, ()), "41"), ((job, ()), "2"), ((kid_age, (1,)), "7.5")], 2, ["x1", "x2"]),
        ([((age, ()), "true")], 2, ["kid_age", "kid_age"]),
        ([((kid_age, (3,)), "5")], 3, []),
        ([((kid_age, (1,)), "6"), ((school, (3,)), "x")], 3, []),
        ([], 1, ["x2", "x1", "x1"]),
    ]
    for _ in range(2):  # the second time from the form's memory
        for data, (raw, count, extra) in zip(ODD, expected, strict=True):
            assert _loaded(form, data, form._keys) == (raw, [((kid, ()), count)], extra)


def test_the_memory_holds_what_it_saw_once() -> None:
    form = compile_asset_content(CONTENT)
    for data in SUBMISSIONS + ODD:
        _loaded(form, data, form._keys)
    sizes = [(len(level.places), level.size) for level in form._keys.values()]
    for data in (SUBMISSIONS + ODD) * 5:  # numbers as answers again: nothing new to remember
        _loaded(form, data, form._keys)
    assert [(len(level.places), level.size) for level in form._keys.values()] == sizes


def test_answers_hold_the_forms_own_key_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    form = compile_asset_content(CONTENT)
    rt = form._loaded(SUBMISSIONS[2], NOW, whole=True)
    assert len(rt.raw) == 4
    for key in rt.raw:  # the objects the generated passes use: found by identity
        assert key is form.node_keys.at(key[1])[key[0]]
    assert rt.key(form.by_name["age"], ()) is form.by_name["age"].key
    monkeypatch.setattr(runtime, "MAX_KEYS", 1)  # each index's keys made again: equal keys
    again = form._loaded(SUBMISSIONS[2], NOW, whole=True)
    assert again.raw == rt.raw
    assert _state(again) == _state(rt)


def _read_in_place(form: CompiledForm, rt: runtime.Runtime) -> dict[Any, str]:
    """What the one-pass function reads of a load_direct runtime, by the answers' keys."""
    assert rt.top is not None
    found = {}
    for path, answer in rt.top.items():
        text = runtime.as_text(answer)  # as the one-pass function reads it
        if path in form.in_place[form.root.id] and text:
            found[form.by_path[path].key] = text
    for rid, instances in rt.inner.items():
        for k, instance in enumerate(instances, start=1):
            for path, answer in instance.items():
                if path in form.in_place[rid] and answer:
                    found[(form.by_path[path].id, (k,))] = answer
    return found


def test_answers_read_in_place_are_what_the_whole_load_reads() -> None:
    form = compile_asset_content(CONTENT)
    assert form.merged_pass is not None
    assert set(form.in_place) == {form.root.id, form.by_name["kid"].id}  # kid: instance walk
    for data in (SUBMISSIONS + ODD) * 2:  # the second time, most keys known: no look at each
        direct = form._loaded(data, NOW)
        whole = form._loaded(data, NOW, whole=True)
        assert whole.top is None
        assert _read_in_place(form, direct) == whole.raw
        assert list(direct.answers) == [runtime.as_text(data.get(path)) for path in form.top_order]
        assert direct.counts == whole.counts
        assert sorted(map(str, direct.extra)) == sorted(map(str, whole.extra))
        lang = form.default_language
        assert checker.check_submission(form, direct, lang) == checker.check_submission(
            form,
            whole,
            lang,  # rt.top None: the two generated passes, which read raw
        )
    kobo_own = {"_id", "meta/instanceID", 5, "formhub/uuid", "__version__"}  # seen, ignored
    known = form._keys[form.root.id].known
    assert known is not None  # the questions first, then the other keys it has seen
    assert list(known[0])[: len(form.top_order)] == list(form.top_order)
    assert set(known[0]) == set(form.top_order) | {"kid"} | kobo_own
    text = SUBMISSIONS[0]
    direct = form._loaded(text, NOW)
    assert direct.top is text  # every answer text, as KoBo sends them: nothing copied
    assert direct.inner[form.by_name["kid"].id] is text["kid"]
    assert direct.raw == {}
    odd = form._loaded(ODD[0], NOW)  # numbers as answers: read as load() reads them
    assert odd.top is ODD[0]
    assert [runtime.as_text(odd.top[k]) for k in ("age", "job")] == ["41", "2"]
    assert odd.inner[form.by_name["kid"].id] == [{"kid/kid_age": "7.5"}, {}]


def test_an_empty_answer_read_in_place_is_no_answer() -> None:
    survey = [
        {"type": "integer", "name": "n", "label": ["N"]},
        {"type": "calculate", "name": "c", "calculation": "${n} + 1"},
        {"type": "text", "name": "t", "label": ["T"], "relevant": "${c} = 3"},
    ]
    form = compile_asset_content({"survey": survey, "choices": []})
    assert form.merged_pass is not None
    # c sent empty is no answer: it is calculated (3 where n is 2), so t is asked there
    assert form.check({"n": "2", "c": "", "t": "x"}, now=NOW) == []
    found = form.check({"n": "5", "c": "", "t": "x"}, now=NOW)
    assert [(f.code, f.path) for f in found] == [("skip_logic.not_relevant", "t")]
