"""Reading submissions: the form remembers where each data key goes, and that memory is safe.

CompiledForm keeps, per repeat level, the element each data key names (runtime.KeyCache), so
later submissions skip the path walk. These tests pin that a remembered placement never
carries answers between submissions, that odd keys keep being read right once the memory is
full, and that keys the form cannot use are ignored as before.
"""

import datetime as dt
from typing import Any

import pytest

from validation.xlsform import Finding, compile_asset_content, runtime
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
    assert all(len(level) <= 2 for level in form._keys.values())
