"""The demo MTM form: follows the instrument, converts with pyxform, matches its KoBo JSON.

Its answer bands come from a codebook per round, its labels are in English, Russian and Kazakh,
and its generated data is KoBo-shaped, valid against the form, and lands near Round 3's
published shares.
"""

import datetime as dt
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert

from demo.data import build_form
from demo.data.codebook import CodebookError, load_codebook, parse_interval, read_codebook
from demo.data.people import ENUMERATORS, QUOTAS
from demo.data.seed import DEMO_ASSET_UID, seed_store
from demo.data.submissions import VIOLATIONS, generate_submission
from demo.kobo_fake.store import FakeKoboStore
from validation.xlsform import compile_asset_content

NOW = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _survey(version: str = "v2") -> list[dict[str, Any]]:
    survey: list[dict[str, Any]] = build_form.load_content(version)["survey"]
    return survey


def _row(name: str) -> dict[str, Any]:
    return next(r for r in _survey() if r.get("name") == name)


def _list(list_name: str, content: dict[str, Any] | None = None) -> dict[str, list[str]]:
    content = content or build_form.load_content("v2")
    return {c["name"]: c["label"] for c in content["choices"] if c["list_name"] == list_name}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_xlsform_converts_cleanly_with_pyxform(version: str) -> None:
    result = convert(xlsform=str(build_form.XLSX[version]))
    assert "<h:html" in result.xform
    assert 'lang="Kazakh (kk)"' in result.xform
    assert result.warnings == []


def test_the_committed_files_are_what_the_build_writes(tmp_path: Path) -> None:
    for version in build_form.VERSIONS:
        assert build_form.load_content(version) == build_form.asset_content(version)
        fresh = tmp_path / f"{version}.xlsx"
        build_form.write_xlsx(version, fresh)
        assert (
            convert(xlsform=str(fresh)).xform
            == convert(xlsform=str(build_form.XLSX[version])).xform
        )


def test_the_form_has_the_mtm_shape() -> None:
    survey = _survey()
    questions = [
        r
        for r in survey
        if r["type"] not in ("begin_group", "end_group", "begin_repeat", "end_repeat")
    ]
    assert len(questions) >= 100
    assert survey[0]["type"] == "start"
    assert any(r["type"] == "begin_repeat" for r in survey)
    # Names other code and tests read stay as they were.
    assert {r["name"] for r in survey if "name" in r} >= {
        "consent",
        "age",
        "sex",
        "citizenship",
        "employment_status",
        "interviewed_before",
        "arrival_date",
        "legal_status",
        "district",
        "enumerator",
        "sector",
        "sends_money",
        "remit_share",
        "remit_frequency",
        "phone",
        "gps",
        "eligible",
    }
    names = {(c["list_name"], c["name"]) for c in build_form.load_content("v2")["choices"]}
    assert ("yesno_dk", "dk") in names
    assert ("yesno_dk", "refuse") in names
    assert {"student", "refugee", "stateless"} <= set(_list("status"))
    old = {r.get("name") for r in _survey("v1")}
    assert "sanctions_impact" not in old


def test_the_modules_and_categories_follow_the_instrument() -> None:
    """The R3 categories of mtm-instrument-and-figures.md §3 and §4.1, question by question."""
    lists = {r["name"]: r.get("select_from_list_name") for r in _survey() if "name" in r}
    expect = {
        "employment_type": {"employee", "dependent_contractor", "self_employed", "employer"},
        "work_time": {"full_time", "part_time", "forced_part_time"},
        "contract": {"written", "none"},
        "income_band": {"usd_1_200", "usd_201_300", "usd_301_500", "usd_500_plus", "no_income"},
        "remit_share_band": {"gt50", "25_50", "10_24", "lt10", "dk", "refuse"},
        "education": {
            "primary",
            "lower_secondary",
            "upper_secondary",
            "post_secondary",
            "short_cycle",
            "bachelor",
            "master",
        },
        "intention_12m": {"circulate", "stay", "move_on", "return"},
        "entry_document": {"passport", "temporary_passport", "national_id"},
        "housing": {"permanent", "temporary", "own", "homeless"},
        "access_health": {"yes", "no", "dk"},
        "can_afford": {
            "phone",
            "warm_home",
            "arrears",
            "meat",
            "washing_machine",
            "tv",
            "unexpected",
            "holiday",
            "car",
        },
        "household_provider": {"yes", "no", "refuse"},
        "pays_rent": {"yes", "no"},
        "left_russia_reasons": {"war_sanctions", "sanctions", "war", "ethnic"},
        "relations_locals": {"good", "none", "bad", "dk", "refuse"},
        "relations_migrants": {"good", "none", "bad", "dk", "refuse"},
        "status_before": {"private", "unemployed_looking", "daily_wage", "self_employed"},
        "time_away": {"lt1m", "2_3m", "4_6m", "7_12m", "1_3y", "3_5y"},
        "experience_years": {"1y", "1_2y", "3_5y", "6_10y", "gt11y"},
        "remit_frequency": {"monthly", "irregular", "quarterly", "more_than_monthly"},
    }
    for question, categories in expect.items():
        assert categories <= set(_list(str(lists[question]))), question
    assert _list("remit_share")["10_24"][0] == "10 to 24%"
    # Asked of everyone (R3's base is all 1,810), "no income" included.
    assert "relevant" not in _row("income_band")


def test_every_text_has_english_russian_and_real_kazakh() -> None:
    content = build_form.load_content("v2")
    assert content["translations"] == ["English (en)", "Russian (ru)", "Kazakh (kk)"]
    texts = [r["label"] for r in content["survey"] if "label" in r]
    texts += [r["constraint_message"] for r in content["survey"] if "constraint_message" in r]
    texts += [r["hint"] for r in content["survey"] if "hint" in r]
    texts += [c["label"] for c in content["choices"]]
    assert all(len(t) == 3 and all(part.strip() for part in t) for t in texts)
    # Kazakh, not Russian copied over: its own letters, and rarely the Russian wording.
    assert sum(bool(set(t[2]) & KAZAKH_LETTERS) for t in texts) / len(texts) > 0.8
    assert sum(t[1] == t[2] for t in texts) / len(texts) < 0.05
    assert _row("consent")["label"][2] == "Осы сұхбатқа қатысуға келісесіз бе?"
    workbook = convert(xlsform=str(build_form.XLSX["v2"])).xform
    assert "Жасыңыз нешеде?" in workbook


@pytest.mark.parametrize("name", ["migration_reasons", "why_kazakhstan", "left_russia_reasons"])
def test_multi_selects_the_reports_cap_allow_three_answers(name: str) -> None:
    row = _row(name)
    assert row["type"] == "select_multiple"
    assert row["constraint"] == "count-selected(.) <= 3"
    assert len(row["constraint_message"]) == 3
    assert all(row["constraint_message"])
    form = compile_asset_content(build_form.load_content("v2"))
    answers = _valid_answers(lambda a: a.get(f"migration/{name}") is not None)
    choices = [c for c in _list(row["select_from_list_name"]) if c not in ("dk", "refuse", "other")]
    three = {**answers, f"migration/{name}": " ".join(choices[:3])}
    four = {**answers, f"migration/{name}": " ".join(choices[:4])}
    assert _findings(form, three) == []
    assert _findings(form, four) == [("skip_logic.constraint_failed", f"migration/{name}")]


def _findings(form: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in form.check(answers, now=NOW)]


def _valid_answers(condition: Any, *, seed: int = 11) -> dict[str, Any]:
    rng = random.Random(seed)
    while True:
        answers = generate_submission(rng, enumerator="enum01", district_code="KZ-ALA-BOS")
        if condition(answers):
            return answers


def test_the_exact_remittance_share_must_sit_in_the_chosen_band() -> None:
    form = compile_asset_content(build_form.load_content("v2"))
    answers = _valid_answers(lambda a: a.get("employment/remit_share_band") == "10_24")
    assert _findings(form, {**answers, "employment/remit_share": "24"}) == []
    for outside in ("25", "9", "140"):
        assert _findings(form, {**answers, "employment/remit_share": outside}) == [
            ("skip_logic.constraint_failed", "employment/remit_share")
        ]


def test_bands_are_a_codebook_per_round(tmp_path: Path) -> None:
    r3, r1 = load_codebook(3), load_codebook(1)
    assert [c.name for c in r3.lists["remit_share"]] == ["gt50", "25_50", "10_24", "lt10"]
    assert [c.name for c in r1.lists["remit_share"]] == ["gt50", "25_50", "10_25"]
    assert r3.choice("remit_share", "10_24").interval == parse_interval("[10,25)")
    assert r1.choice("remit_share", "10_25").interval == parse_interval("[10,25]")
    build_form.build(1, tmp_path)
    content = json.loads((tmp_path / "mtm_survey_r1.asset.json").read_text(encoding="utf-8"))
    assert convert(xlsform=str(tmp_path / "mtm_survey_r1.xlsx")).warnings == []
    assert _list("remit_share", content)["10_25"] == ["10–25%", "10–25%", "10–25%"]
    assert "10_24" not in _list("remit_share", content)
    assert set(_list("time_away", content)) >= {"lt6m", "7_12m", "1_3y", "3_5y"}
    assert content["settings"]["id_string"] == "mtm_kz_r1"
    # R1's 10-25 % band takes 25 %; R3's 10-24 % does not (the constraint is built from data).
    form = compile_asset_content(content)
    rng = random.Random(2)
    while True:
        answers = generate_submission(
            rng, enumerator="enum01", district_code="KZ-ALA-BOS", codebook=r1
        )
        if answers.get("employment/remit_share_band") == "10_25":
            break
    assert _findings(form, {**answers, "employment/remit_share": "25"}) == []


def test_a_broken_codebook_names_the_file_and_the_entry(tmp_path: Path) -> None:
    raw = json.loads((Path(build_form.HERE) / "codebooks" / "r3.json").read_text("utf-8"))
    raw["lists"]["remit_share"][2]["interval"] = "10 to 24"
    path = tmp_path / "r9.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"r9.json: lists.remit_share.10_24: interval"):
        read_codebook(path)
    raw["lists"]["remit_share"][2]["interval"] = "[10,25)"
    del raw["lists"]["income"][0]["label"]["kk"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"lists.income.usd_1_200: label missing in kk"):
        read_codebook(path)
    with pytest.raises(CodebookError, match="No codebook for round 9; known rounds: 1, 3"):
        load_codebook(9)


def test_round_three_teams_and_quotas() -> None:
    assert sum(q["target"] for q in QUOTAS) == 1810
    female = sum(q["target"] for q in QUOTAS if q["sex"] == "female")
    assert abs(female / 1810 - 0.19) < 0.01
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
    paths = {r["$xpath"] for r in _survey() if "$xpath" in r}
    for key, value in answers.items():
        if isinstance(value, list):
            for item in value:
                assert all(isinstance(v, str) and k in paths for k, v in item.items())
        else:
            assert isinstance(value, str)
            assert key in paths
    if answers.get("employment/sends_money") == "no":
        assert "employment/remit_frequency" not in answers


@pytest.mark.parametrize(("version", "round_number"), [("v2", 3), ("v1", 3), ("v2", 1)])
def test_generated_answers_break_no_rule_of_the_form(
    version: str, round_number: int, tmp_path: Path
) -> None:
    codebook = load_codebook(round_number)
    form = compile_asset_content(build_form.asset_content(version, codebook))
    rng = random.Random(round_number)
    for _ in range(150):
        answers = generate_submission(
            rng,
            version=version,
            enumerator="enum01",
            district_code="KZ-SHY-ABA",
            codebook=codebook,
        )
        assert _findings(form, answers) == [], answers


def test_planted_violations_are_found() -> None:
    form = compile_asset_content(build_form.load_content("v2"))
    found: Counter[str] = Counter()
    for seed in range(40):
        for violation in ("not_relevant", "required_missing", "constraint", "invalid_choice"):
            answers = generate_submission(
                random.Random(seed),
                enumerator="enum01",
                district_code="KZ-ALA-BOS",
                violations=[violation],
            )
            found[violation] += bool(_findings(form, answers))
    assert found["required_missing"] == found["invalid_choice"] == 40
    assert found["constraint"] == 40
    assert found["not_relevant"] >= 15  # only when a question would have been skipped


def test_the_demo_round_lands_near_round_three_figures() -> None:
    """3,000 interviews; shares within 3 points of §4.1 (bases as the report states them)."""
    rng = random.Random(2024)
    rows = [
        generate_submission(rng, enumerator="enum01", district_code="KZ-ALA-BOS")
        for _ in range(3000)
    ]

    def share(path: str, value: str) -> float:
        asked = [r[path] for r in rows if path in r]
        return 100 * sum(value in answer.split() for answer in asked) / len(asked)

    published = [
        ("profile/sex", "male", 81),
        ("profile/education", "lower_secondary", 32),
        ("profile/household_provider", "yes", 50),
        ("screening/citizenship", "uz", 61),
        ("migration/intention_12m", "circulate", 63),
        ("migration/intention_12m", "stay", 30),
        ("migration/why_kazakhstan", "income", 36),
        ("employment/income_band", "usd_301_500", 40),
        ("employment/income_band", "no_income", 4),
        ("employment/sends_money", "yes", 50),
        ("employment/remit_share_band", "gt50", 48),
        ("employment/remit_share_band", "25_50", 33),
        ("employment/remit_share_band", "10_24", 14),
        ("employment/contract", "written", 57),
        ("employment/work_time", "full_time", 91),
        ("employment/employment_type", "dependent_contractor", 53),
        ("wellbeing/housing", "permanent", 72),
        ("wellbeing/pays_rent", "yes", 55),
        ("wellbeing/access_health", "yes", 60),
        ("wellbeing/can_afford", "phone", 65),
        ("wellbeing/can_afford", "car", 8),
        ("wellbeing/relations_locals", "good", 91),
        ("wellbeing/relations_migrants", "good", 85),
    ]
    off = {
        (path, value): round(share(path, value), 1)
        for path, value, figure in published
        if abs(share(path, value) - figure) > 3
    }
    assert off == {}
    assert 33 <= sum(int(r["screening/age"]) for r in rows) / len(rows) <= 36


def test_seeded_uploads_never_precede_their_interview_whatever_the_local_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Django sets the process's zone to TIME_ZONE (Asia/Almaty): a naive UTC upload time
    # read as local time came out 6 hours early, so half the demo looked clock-skewed.
    monkeypatch.setenv("TZ", "Asia/Almaty")
    time.tzset()
    try:
        store = FakeKoboStore()
        seed_store(store, 60)
        docs = [  # an edited one ends when edited (meta/deprecatedID), as in KoBo
            d
            for d in store.assets[DEMO_ASSET_UID].docs.values()
            if d.get("end") and "meta/deprecatedID" not in d
        ]
        assert docs
        for doc in docs:
            end = dt.datetime.fromisoformat(doc["end"])
            uploaded = dt.datetime.fromisoformat(doc["_submission_time"]).replace(tzinfo=dt.UTC)
            assert uploaded >= end, doc["_id"]
    finally:
        monkeypatch.undo()
        time.tzset()
