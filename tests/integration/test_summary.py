"""Round summary on a synthetic round whose true figures are known by construction."""

import csv
import io
from typing import Any

import pytest

from surveys.models import Submission
from tests.integration import round_data
from validation.selectors import export_scope
from validation.summary import round_summary, summary_csv

pytestmark = pytest.mark.django_db

# (sex, age, origin, education, sector or None if not working, remit share or None if not sending)
RESPONDENTS = [
    ("male", 30, "uz", "secondary", "construction", "50"),
    ("male", 40, "uz", "secondary", "construction", "20"),
    ("male", 50, "tj", "higher", "trade", None),
    ("male", 20, "kg", "vocational", None, "80"),
    ("female", 25, "uz", "higher", "services", "10"),
    ("female", 35, "ru", "secondary", "domestic", "30"),
    ("female", 45, "cn", "primary", "services", None),
    ("female", 55, "tm", "secondary", None, "dk"),
    ("female", 33, "az", "higher", "trade", "60"),
]


def interview(
    seed: int, sex: str, age: int, origin: str, education: str, sector: Any, share: Any
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
            "profile/education": education,
            "screening/employment_status": "working" if working else "looking",
            "employment/sector": sector,
            "employment/sends_money": "yes" if share is not None else "no",
            "employment/remit_share": share,
        },
    )


def test_the_summary_reproduces_the_known_figures() -> None:
    rd = round_data.build()
    for seed, row in enumerate(RESPONDENTS):
        round_data.add(rd, interview(seed, *row))
    # None of these count: not approved, ineligible, excluded, deleted.
    outlier = ("male", 89, "other", "none", "industry", "100")
    round_data.add(rd, interview(90, *outlier), status="flagged")
    round_data.add(rd, interview(91, *outlier), verdict="ineligible")
    round_data.add(rd, interview(92, *outlier), status="excluded")
    gone = round_data.add(rd, interview(93, *outlier))
    Submission.objects.filter(pk=gone.pk).update(deleted_at=gone.submission_time)

    summary = round_summary(scope=export_scope(rd.manager), round_id=rd.round.pk)

    assert summary.respondents == 9
    assert [(c.code, c.count, c.share) for c in summary.by_sex] == [
        ("female", 5, 0.5556),
        ("male", 4, 0.4444),
    ]
    assert summary.mean_age_by_sex == {"female": 38.6, "male": 35.0}
    assert [(c.code, c.label, c.count) for c in summary.top_origins] == [
        ("uz", "Uzbekistan", 3),
        ("az", "Azerbaijan", 1),
        ("cn", "China", 1),
        ("kg", "Kyrgyzstan", 1),
        ("ru", "Russia", 1),
    ]
    assert [(c.code, c.count) for c in summary.education] == [
        ("secondary", 4),
        ("higher", 3),
        ("primary", 1),
        ("vocational", 1),
    ]
    assert summary.sector_base == 7
    assert [(c.code, c.label, c.count) for c in summary.sector] == [
        ("construction", "Construction", 2),
        ("services", "Services", 2),
        ("trade", "Trade", 2),
        ("domestic", "Domestic work", 1),
    ]
    assert summary.senders == 7
    # Shares given: 50, 20, 80, 10, 30, 60 ("dk" gives none) -> mean 41.7
    assert summary.remit_share_mean == 41.7
    assert [(c.code, c.count) for c in summary.remit_bands] == [
        ("0-25", 2),
        ("25-50", 1),
        ("50-75", 2),
        ("75-100", 1),
    ]

    table = list(csv.DictReader(io.StringIO(summary_csv(summary))))
    assert {"section": "mean_age", "code": "female", "value": "38.6"}.items() <= next(
        r for r in table if r["section"] == "mean_age" and r["code"] == "female"
    ).items()
    assert next(r["code"] for r in table if r["section"] == "country_of_origin_top5") == "uz"


def test_a_supervisors_summary_covers_their_team_only() -> None:
    rd = round_data.build()
    round_data.add(rd, interview(1, *RESPONDENTS[0]))
    round_data.add(rd, interview(2, *RESPONDENTS[4]), team="b")
    mine = round_summary(scope=export_scope(rd.sup_a), round_id=rd.round.pk)
    assert (mine.respondents, [c.code for c in mine.by_sex]) == (1, ["male"])
    assert round_summary(scope=export_scope(rd.enum_a.user), round_id=rd.round.pk).respondents == 0
