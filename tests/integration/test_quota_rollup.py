"""Quotas on any node of the location tree roll up: district interviews fill city and region quotas.

Progress, quota.over flags, alerts, digest lines, the API and the supervisor's home all count
an interview toward its district's quota and every quota above it; a city quota beside its
districts' quotas is shown once in totals.
"""

import csv
import datetime as dt
import io
from typing import Any

import pytest
import tablib
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from surveys.models import Location, Quota, Submission
from surveys.resources import QuotaResource
from tests.integration import round_data
from validation.models import Flag, QuotaAlert
from validation.quotas.alerts import OVER, check_quotas, digest_lines
from validation.quotas.progress import (
    StratumProgress,
    derive_progress_fields,
    progress_totals,
    round_progress,
)
from validation.review_screen.progress import team_progress
from validation.selectors import export_scope

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2024, 2, 10, 9, 0, tzinfo=round_data.ALMATY)


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    rd.sup_a.email, rd.sup_b.email = "sup_a@example.org", "sup_b@example.org"
    rd.sup_a.save()
    rd.sup_b.save()
    region = Location.objects.create(code="KZ-MAN", kind="region", name_en="Mangystau")
    Location.objects.create(code="KZ-MAN-AKT", kind="district", name_en="Aktau", parent=region)
    return rd


def place(code: str) -> Location:
    return Location.objects.get(code=code)


def quota(rd: round_data.RoundData, code: str, sex: str, target: int, cit: str = "") -> Quota:
    return Quota.objects.create(
        round=rd.round, location=place(code), sex=sex, citizenship=cit, target=target
    )


def interview(
    rd: round_data.RoundData, n: int, code: str, sex: str = "female", cit: str = "uz", **kw: Any
) -> Submission:
    """Team A's interviews in Bostandyk, team B's in Medeu; others moved to `code`."""
    team = "b" if code == "KZ-ALA-MED" else "a"
    data = round_data.answers(n, code, **{"profile/sex": sex, "screening/citizenship": cit})
    sub = round_data.add(rd, data, team=team, when=T0 + dt.timedelta(hours=n), **kw)
    assert sub.location is not None
    if sub.location.code != code:
        Submission.objects.filter(pk=sub.pk).update(location=place(code))
    return sub


def progress(rd: round_data.RoundData, user: Any = None) -> dict[tuple[str, str, str], Any]:
    rows = round_progress(scope=export_scope(user or rd.manager), round_id=rd.round.pk)
    return {(r.location_code, r.sex, r.citizenship): r for r in rows}


def test_a_city_and_a_region_quota_fill_from_district_interviews(
    rd: round_data.RoundData,
) -> None:
    quota(rd, "KZ-ALA", "female", 3)
    quota(rd, "KZ-MAN", "male", 2)
    interview(rd, 1, "KZ-ALA-BOS")
    interview(rd, 2, "KZ-ALA-BOS")
    interview(rd, 3, "KZ-ALA-MED")
    interview(rd, 4, "KZ-ALA-MED", sex="male")  # a man: not the city's women quota
    interview(rd, 5, "KZ-MAN-AKT", sex="male")
    interview(rd, 6, "KZ-MAN-AKT", sex="male", verdict="ineligible")
    rows = progress(rd)
    city, region = rows[("KZ-ALA", "female", "")], rows[("KZ-MAN", "male", "")]
    assert (city.level, city.collected, city.counted, city.remaining) == ("city", 3, 3, 0)
    assert (region.level, region.collected, region.counted, region.remaining) == (
        "region",
        2,
        1,
        1,
    )
    # The same from the stored fields validation leaves behind.
    subs = Submission.objects.filter(form__round=rd.round)
    derive_progress_fields(rows=subs, round_id=rd.round.pk)
    subs.update(needs_validation=False)
    assert progress(rd)[("KZ-ALA", "female", "")].counted == 3
    assert check_quotas(round_id=rd.round.pk).counted == {city.quota_id: 3, region.quota_id: 1}


def test_a_city_quota_beside_its_districts_is_not_counted_twice(
    rd: round_data.RoundData,
) -> None:
    quota(rd, "KZ-ALA-BOS", "female", 3)
    quota(rd, "KZ-ALA", "female", 5)
    quota(rd, "KZ-ALA-MED", "female", 2)
    quota(rd, "KZ-MAN", "female", 4)
    for n in (1, 2, 3):
        interview(rd, n, "KZ-ALA-BOS")
    interview(rd, 4, "KZ-ALA-MED")
    interview(rd, 5, "KZ-MAN-AKT")
    rows: list[StratumProgress] = round_progress(
        scope=export_scope(rd.manager), round_id=rd.round.pk
    )
    # Each quota after the one containing it; the city row counts all its districts.
    assert [(r.location_code, r.counted, r.nested, r.depth) for r in rows] == [
        ("KZ-ALA", 4, False, 0),
        ("KZ-ALA-BOS", 3, True, 1),
        ("KZ-ALA-MED", 1, True, 1),
        ("KZ-MAN", 1, False, 0),
    ]
    city = rows[0]
    assert {r.within_quota_id for r in rows[1:3]} == {city.quota_id}
    totals = progress_totals(rows)
    assert (totals["target"], totals["collected"], totals["counted"], totals["remaining"]) == (
        9,
        5,
        5,
        4,
    )
    # Shown so on the dashboard and the admin home: one total, nested rows marked.
    client = Client()
    client.force_login(rd.manager)
    page = client.get(f"/admin/dashboards/rounds/{rd.round.pk}/").content.decode()
    assert "↳ rows not added again" in page
    assert page.count('data-nested="1"') == 2


def test_citizenship_quotas_count_only_their_citizens(rd: round_data.RoundData) -> None:
    men = quota(rd, "KZ-ALA", "male", 3)
    uzbek_men = quota(rd, "KZ-ALA", "male", 1, cit="uz")
    kyrgyz_in_bos = quota(rd, "KZ-ALA-BOS", "male", 1, cit="kg")
    interview(rd, 1, "KZ-ALA-BOS", sex="male", cit="uz")
    interview(rd, 2, "KZ-ALA-MED", sex="male", cit="uz")
    interview(rd, 3, "KZ-ALA-BOS", sex="male", cit="kg")
    rows = progress(rd)
    assert rows[("KZ-ALA", "male", "")].counted == 3
    assert rows[("KZ-ALA", "male", "uz")].counted == 2
    assert rows[("KZ-ALA-BOS", "male", "kg")].counted == 1
    assert rows[("KZ-ALA", "male", "uz")].within_quota_id == men.pk
    assert rows[("KZ-ALA-BOS", "male", "kg")].within_quota_id == men.pk
    assert progress_totals(rows.values())["target"] == 3
    result = check_quotas(round_id=rd.round.pk)
    assert result.counted == {men.pk: 3, uzbek_men.pk: 2, kyrgyz_in_bos.pk: 1}
    over = Flag.objects.open().get(check_code=OVER)
    assert "men from uz, Almaty" in over.message


def test_over_flags_and_alerts_follow_the_roll_up(rd: round_data.RoundData, settings: Any) -> None:
    settings.MTM_QUOTA_NEAR_FULL = 0.9
    city = quota(rd, "KZ-ALA", "female", 2)
    interview(rd, 1, "KZ-ALA-BOS")
    interview(rd, 2, "KZ-ALA-MED")
    late = interview(rd, 3, "KZ-ALA-BOS")
    result = check_quotas(round_id=rd.round.pk)
    assert result.counted == {city.pk: 3}
    flag = Flag.objects.open().get(check_code=OVER)
    assert flag.submission_id == late.pk
    assert "women, Almaty was already met" in flag.message
    # Both district teams work toward the city quota: both supervisors are told, once.
    assert sorted(a.kind for a in result.alerts) == ["met", "over"]
    assert QuotaAlert.objects.get(kind="over").recipients == ["sup_a", "sup_b"]
    assert sorted(mail.outbox[0].to) == ["sup_a@example.org", "sup_b@example.org"]
    assert check_quotas(round_id=rd.round.pk).alerts == []
    # A district quota met before its city's: the interview beyond it is flagged too.
    quota(rd, "KZ-ALA-MED", "female", 0)
    mid = Submission.objects.get(location__code="KZ-ALA-MED")
    check_quotas(round_id=rd.round.pk)
    assert set(
        Flag.objects.open().filter(check_code=OVER).values_list("submission_id", flat=True)
    ) == {
        late.pk,
        mid.pk,
    }


def test_digest_lines_include_the_city_quota_a_team_works_toward(
    rd: round_data.RoundData,
) -> None:
    quota(rd, "KZ-ALA", "female", 3)
    quota(rd, "KZ-ALA-BOS", "female", 1)
    quota(rd, "KZ-ALA-MED", "male", 4)
    quota(rd, "KZ-MAN", "female", 9)
    interview(rd, 1, "KZ-ALA-BOS")
    interview(rd, 2, "KZ-ALA-MED")
    assert digest_lines(enumerator=rd.enum_a, round_id=rd.round.pk) == [
        "women, Almaty: 1 more needed",
        "women, Almaty – Bostandyk: quota met",
    ]


def test_supervisor_home_and_api_show_the_roll_up(rd: round_data.RoundData) -> None:
    city = quota(rd, "KZ-ALA", "female", 4)
    quota(rd, "KZ-ALA-BOS", "female", 2)
    quota(rd, "KZ-ALA-MED", "female", 2)
    interview(rd, 1, "KZ-ALA-BOS")
    interview(rd, 2, "KZ-ALA-MED")
    interview(rd, 3, "KZ-ALA-MED")
    # Team A's supervisor: their district and the city above it, over their interviews.
    (mine,) = team_progress(rd.sup_a)
    assert [(s.location_code, s.counted) for s in mine.strata] == [
        ("KZ-ALA", 1),
        ("KZ-ALA-BOS", 1),
    ]
    assert (mine.totals["target"], mine.totals["counted"]) == (4, 1)
    (everything,) = team_progress(rd.manager)
    assert (everything.totals["target"], everything.totals["counted"]) == (4, 3)
    client = Client()
    client.force_login(rd.sup_a)
    home = client.get("/admin/").content.decode()
    assert 'data-location="KZ-ALA" data-sex="female"' in home
    assert "KZ-ALA-MED" not in home
    api = APIClient()
    api.force_authenticate(rd.manager)
    rows = api.get(f"/api/v1/quota-progress/?round={rd.round.pk}").json()
    assert [(r["location_code"], r["level"], r["nested"], r["counted"]) for r in rows] == [
        ("KZ-ALA", "city", False, 3),
        ("KZ-ALA-BOS", "district", True, 1),
        ("KZ-ALA-MED", "district", True, 2),
    ]
    assert {r["within_quota_id"] for r in rows[1:]} == {city.pk}
    listed = api.get(f"/api/v1/quotas/?round={rd.round.pk}").json()
    assert {q["citizenship"] for q in listed["results"]} == {""}


def test_progress_is_one_aggregate_whatever_the_number_of_quotas(
    rd: round_data.RoundData, django_assert_max_num_queries: Any
) -> None:
    for n in range(1, 4):
        interview(rd, n, "KZ-ALA-BOS")
    quota(rd, "KZ-ALA", "female", 4)
    with django_assert_max_num_queries(8) as few:
        round_progress(scope=export_scope(rd.manager), round_id=rd.round.pk)
    for code in ("KZ-ALA-BOS", "KZ-ALA-MED", "KZ-MAN"):
        for sex in ("female", "male"):
            quota(rd, code, sex, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        round_progress(scope=export_scope(rd.manager), round_id=rd.round.pk)


def test_quota_import_takes_a_citizenship_column_or_none(rd: round_data.RoundData) -> None:
    n = rd.round.number
    with_column = (
        f"round,location,sex,citizenship,target\n{n},KZ-ALA,male,uz,30\n{n},KZ-ALA,male,,50\n"
    )
    result = QuotaResource().import_data(
        tablib.Dataset().load(with_column, format="csv"), dry_run=False, raise_errors=False
    )
    assert not result.has_errors()
    assert not result.has_validation_errors()
    without = f"round,location,sex,target\n{n},KZ-ALA,male,55\n"
    QuotaResource().import_data(tablib.Dataset().load(without, format="csv"), dry_run=False)
    assert sorted(Quota.objects.filter(round=rd.round).values_list("citizenship", "target")) == [
        ("", 55),
        ("uz", 30),
    ]
    exported = QuotaResource().export().csv
    assert next(csv.reader(io.StringIO(exported))) == [
        "round",
        "location",
        "sex",
        "citizenship",
        "target",
    ]


def test_demo_round_city_quotas_are_their_districts_sum() -> None:
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    rows = round_progress(
        scope=Submission.objects.all(), round_id=Quota.objects.earliest("pk").round_id
    )
    assert progress_totals(rows)["target"] == 1810
    assert sum(1 for r in rows if r.level == "city") == 6
