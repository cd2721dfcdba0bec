"""Round summary on a synthetic round whose true figures are known by construction."""

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from surveys.models import Round, Submission
from tests.integration import round_data
from validation.models import CheckConfig
from validation.reporting.downloads import summary_csv
from validation.reporting.summary import IndicatorTable, RoundSummary, round_summary
from validation.selectors import export_scope

pytestmark = pytest.mark.django_db

# (sex, age, origin, sector or None if not working, remit share or None if not sending, why KZ)
RESPONDENTS = [
    ("male", 30, "uz", "construction", "50", "jobs close"),
    ("male", 40, "uz", "construction", "20", "jobs"),
    ("male", 50, "tj", "trade", None, "network"),
    ("male", 20, "kg", None, "80", "jobs language"),
    ("female", 25, "uz", "services", "10", "close"),
    ("female", 35, "ru", "domestic", "30", "language network"),
    ("female", 45, "cn", "services", None, "jobs"),
    ("female", 55, "tm", None, "dk", "easy_entry"),
    ("female", 33, "az", "trade", "60", "jobs close network"),
]


# The form's band question (R3's codebook); the numeric share stays for configured bands.
_BAND = {"10": "10_24", "20": "10_24", "30": "25_50", "50": "25_50", "60": "gt50", "80": "gt50"}
_BAND["dk"] = "dk"


def interview(
    seed: int, sex: str, age: int, origin: str, sector: Any, share: Any, why: str
) -> dict:
    working = sector is not None
    return round_data.answers(
        seed,
        "KZ-ALA-BOS",
        **{
            "profile/sex": sex,
            "screening/age": str(age),
            "migration/origin_country": origin,
            "screening/citizenship": origin,
            "screening/employment_status": "working" if working else "looking",
            "employment/sector": sector,
            "employment/sends_money": "yes" if share is not None else "no",
            "employment/remit_share": share,
            "employment/remit_share_band": _BAND.get(share),
            "migration/why_kazakhstan": why,
        },
    )


def build_round() -> round_data.RoundData:
    rd = round_data.build()
    Round.objects.filter(pk=rd.round.pk).update(number=3, country="KZ")
    for seed, row in enumerate(RESPONDENTS):
        round_data.add(rd, interview(seed, *row))
    # None of these count: ineligible, excluded, deleted.
    outlier = ("male", 89, "other", "industry", "100", "jobs")
    round_data.add(rd, interview(91, *outlier), verdict="ineligible")
    round_data.add(rd, interview(92, *outlier), status="excluded")
    gone = round_data.add(rd, interview(93, *outlier))
    Submission.objects.filter(pk=gone.pk).update(deleted_at=gone.submission_time)
    # Pending review still counts (the quota rule), like the approved ones.
    round_data.add(rd, interview(94, "female", 40, "uz", None, None, "jobs"), status="received")
    return rd


def table(summary: RoundSummary, key: str) -> IndicatorTable:
    return next(t for t in summary.tables if t.key == key)


def shares(t: IndicatorTable, column: str = "all") -> dict[str, tuple[int, float | None]]:
    return {r.code: (r.cells[column].count, r.cells[column].percent) for r in t.rows}


def test_every_indicator_reproduces_the_known_figures() -> None:
    rd = build_round()
    summary = round_summary(scope=export_scope(rd.manager), round_id=rd.round.pk)
    assert summary.respondents == 10
    assert summary.published_source == "000_e9a37cb888d5de8c.txt"

    sex = table(summary, "sex")
    assert sex.base["all"] == 10
    assert shares(sex) == {"male": (4, 40.0), "female": (6, 60.0)}
    assert [r.published for r in sex.rows] == ["81", "19"]
    assert [r.label("ru") for r in sex.rows] == ["Мужской", "Женский"]

    age = table(summary, "age")
    assert age.means == {
        "all": 37.3,  # 373 / 10
        "sex:male": 35.0,
        "sex:female": 38.8,
        **{k: v for k, v in age.means.items() if not k.startswith(("all", "sex:"))},
    }
    assert age.mean_published == {"sex:male": "34", "sex:female": "36"}

    # Sector: asked only of the employed (7), by sex 3 men and 4 women.
    sector = table(summary, "sector")
    assert (sector.base["all"], sector.base["sex:male"], sector.base["sex:female"]) == (7, 3, 4)
    assert shares(sector) == {
        "construction": (2, 28.6),
        "trade": (2, 28.6),
        "services": (2, 28.6),
        "agriculture": (0, 0.0),
        "industry": (0, 0.0),
        "domestic": (1, 14.3),
        **dict.fromkeys(
            [
                "vocational",
                "engineering",
                "transport",
                "education",
                "technology",
                "health",
                "banking",
                "tourism",
                "other",
                "dk",
                "refuse",
            ],
            (0, 0.0),
        ),
    }
    assert shares(sector, "sex:male")["construction"] == (2, 66.7)
    assert shares(sector, "sex:female")["services"] == (2, 50.0)
    assert next(r.published for r in sector.rows if r.code == "trade") == "29"

    # Remittance share: among the 7 senders, in the round's bands (its form's choice list).
    remit = table(summary, "remit_share")
    assert remit.base["all"] == 7
    assert shares(remit) == {
        "gt50": (2, 28.6),
        "25_50": (2, 28.6),
        "10_24": (2, 28.6),
        "lt10": (0, 0.0),
        "dk": (1, 14.3),
        "refuse": (0, 0.0),
    }
    assert [r.label("en") for r in remit.rows][2] == "10 to 24%"  # R3's band, from the form
    assert [r.published for r in remit.rows][:4] == ["48", "33", "14", "3"]
    sends = table(summary, "sends_money")
    assert shares(sends)["yes"] == (7, 70.0)

    # Multi-select: each option over respondents; shares sum above 100.
    why = table(summary, "why_kazakhstan")
    assert why.base["all"] == 10
    got = shares(why)
    assert {k: got[k] for k in ("jobs", "close", "network", "language", "easy_entry")} == {
        "jobs": (6, 60.0),
        "close": (3, 30.0),
        "network": (3, 30.0),
        "language": (2, 20.0),
        "easy_entry": (1, 10.0),
    }

    # Breakdowns: one city (Almaty, the district's city), citizenship by answer.
    cities = summary.columns_of("city")
    assert [c.label("en") for c in cities] == ["Almaty"]
    assert sex.base[cities[0].key] == 10
    assert shares(sex, "citizenship:uz") == {"male": (2, 50.0), "female": (2, 50.0)}
    assert summary.unmapped == []  # the demo form asks every indicator's question

    rows = list(csv.DictReader(io.StringIO(summary_csv(summary).lstrip("\ufeff"))))
    row = next(
        r
        for r in rows
        if r["indicator"] == "sector" and r["row"] == "construction" and r["column"] == ""
    )
    assert (row["base_n"], row["count"], row["percent"], row["published_r3"]) == (
        "7",
        "2",
        "28.6",
        "39",
    )


def test_the_round_configuration_moves_questions_and_bands() -> None:
    rd = build_round()
    Round.objects.filter(pk=rd.round.pk).update(number=1)
    CheckConfig.objects.create(
        round=rd.round,
        question_map={
            "indicators": {
                "remit_share": {
                    "path": "employment/remit_share",
                    "bands": [[0, 25, "Up to a quarter"], [25.5, 100, "More"]],
                },
                "sector": "employment/sector_before",  # another question entirely
            }
        },
    )
    summary = round_summary(scope=export_scope(rd.manager), round_id=rd.round.pk)
    assert summary.published_source is None  # Round 1: no R3 figures beside it
    assert shares(table(summary, "remit_share")) == {
        "Up to a quarter": (2, 28.6),
        "More": (4, 57.1),
        "dk": (1, 14.3),
    }
    assert table(summary, "sector").question == "employment/sector_before"


def test_a_bad_indicator_mapping_is_refused_with_its_role() -> None:
    from django.core.exceptions import ValidationError

    rd = round_data.build()
    for bad, words in (
        ({"indicators": {"nonsense": "x"}}, "nonsense"),
        ({"indicators": {"remit_share": {"path": "a", "bands": [[5, 1]]}}}, "low above high"),
        ({"indicators": "x"}, "must be an object"),
    ):
        with pytest.raises(ValidationError, match=words):
            CheckConfig(round=rd.round, question_map=bad).full_clean()


def test_a_supervisors_summary_covers_their_team_only() -> None:
    rd = round_data.build()
    round_data.add(rd, interview(1, *RESPONDENTS[0]))
    round_data.add(rd, interview(2, *RESPONDENTS[4]), team="b")
    mine = round_summary(scope=export_scope(rd.sup_a), round_id=rd.round.pk)
    assert (mine.respondents, shares(table(mine, "sex"))["male"]) == (1, (1, 100.0))
    assert round_summary(scope=export_scope(rd.enum_a.user), round_id=rd.round.pk).respondents == 0


def test_page_downloads_and_api() -> None:
    rd = build_round()
    client = Client()
    client.force_login(rd.manager)
    url = f"/admin/dashboards/rounds/{rd.round.pk}/summary/"
    html = client.get(url + "?by=citizenship").content.decode()
    assert 'id="respondents">10<' in html
    assert "000_e9a37cb888d5de8c.txt" in html
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Женский" in ru
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert header[:3] == ["indicator", "indicator_label", "question"]
    body = client.get(f"/api/v1/rounds/{rd.round.pk}/summary/").json()
    assert body["respondents"] == 10
    assert {t["key"] for t in body["tables"]} >= {"sex", "sector", "remit_share"}
    enumerator = Client()
    enumerator.force_login(rd.enum_a.user)
    assert enumerator.get(f"/api/v1/rounds/{rd.round.pk}/summary/").status_code == 403
