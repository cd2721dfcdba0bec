"""The demo MTM form: converts with pyxform, matches its KoBo JSON, and its data is KoBo-shaped."""

import hashlib
import random
from typing import Any

import pytest
from pyxform.xls2xform import convert

from surveys.demo import build_form
from surveys.demo.people import ENUMERATORS, QUOTAS
from surveys.demo.submissions import VIOLATIONS, generate_submission


def _digest(version: str) -> str:
    return hashlib.sha256(
        build_form.ASSET_JSON[version].read_bytes() + build_form.XLSX[version].read_bytes()
    ).hexdigest()


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_xlsform_converts_cleanly_with_pyxform(version: str) -> None:
    result = convert(xlsform=str(build_form.XLSX[version]))
    assert "<h:html" in result.xform
    assert result.warnings == []


def test_the_committed_files_are_what_the_build_writes(tmp_path: Any, monkeypatch: Any) -> None:
    for version in build_form.VERSIONS:
        expected = build_form.asset_content(version)
        assert build_form.load_content(version) == expected


def test_the_form_has_the_mtm_shape() -> None:
    content = build_form.load_content("v2")
    survey = content["survey"]
    questions = [
        r
        for r in survey
        if r["type"] not in ("begin_group", "end_group", "begin_repeat", "end_repeat")
    ]
    assert len(questions) >= 80
    assert survey[0]["type"] == "start"
    assert any(r["type"] == "begin_repeat" for r in survey)
    assert {r["name"] for r in survey if "name" in r} >= {
        "consent",
        "age",
        "citizenship",
        "employment_status",
        "interviewed_before",
        "arrival_date",
        "sector",
        "remit_share",
        "gps",
        "eligible",
    }
    assert all(len(r["label"]) == 2 and all(r["label"]) for r in survey if "label" in r)
    names = {(c["list_name"], c["name"]) for c in content["choices"]}
    assert ("yesno_dk", "dk") in names
    assert ("yesno_dk", "refuse") in names
    old = {r.get("name") for r in build_form.load_content("v1")["survey"]}
    assert "sanctions_impact" not in old


def test_round_three_teams_and_quotas() -> None:
    assert sum(q["target"] for q in QUOTAS) == 1810
    assert len(ENUMERATORS) == 20
    assert sum(e["sex"] == "male" for e in ENUMERATORS) == 4


@pytest.mark.parametrize("seed", range(30))
def test_generated_answers_are_kobo_shaped(seed: int) -> None:
    rng = random.Random(seed)
    answers = generate_submission(
        rng,
        enumerator="enum01",
        district_code="KZ-ALA-BOS",
        violations=[VIOLATIONS[seed % len(VIOLATIONS)]],
    )
    paths = {r["$xpath"] for r in build_form.load_content("v2")["survey"] if "$xpath" in r}
    for key, value in answers.items():
        if isinstance(value, list):
            for item in value:
                assert all(isinstance(v, str) and k in paths for k, v in item.items())
        else:
            assert isinstance(value, str)
            assert key in paths
    if answers.get("employment/sends_money") == "no":
        assert "employment/remit_frequency" not in answers
