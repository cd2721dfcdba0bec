"""Sample allocation from the baseline: Hamilton rounding, minimum per stratum, the command."""

import io
from fractions import Fraction
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from surveys.allocation import (
    AllocationError,
    StalePlanError,
    allocate,
    apply_plan,
    largest_remainder,
)
from surveys.models import BaselineFigure, Location, Quota, Round
from tests import factories

pytestmark = pytest.mark.django_db
MW = "migrant_workers"


def test_largest_remainder_is_exact_and_stable() -> None:
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert largest_remainder(1810, [5000, 3000, 1999, 1]) == [905, 543, 362, 0]
    assert sum(largest_remainder(1811, [7, 13, 29, 31, 101])) == 1811
    # Hamilton, not rounding each share: 3 x 33.33.. and 1 left goes to the largest weight.
    assert largest_remainder(100, [1, 1, 1.0001]) == [33, 33, 34]  # type: ignore[list-item]
    with pytest.raises(AllocationError):
        largest_remainder(5, [0, 0])


def figure(round_: Round, code: str, count: int, sex: str = "", year: int = 2023) -> None:
    BaselineFigure.objects.create(
        round=round_,
        location=Location.objects.get(code=code),
        year=year,
        population=MW,
        sex=sex,
        count=count,
    )


@pytest.fixture
def round_() -> Round:
    round_ = factories.RoundFactory.create()
    city = factories.CityFactory.create()
    for code, name in (
        ("KZ-ALA-BOS", "Bostandyk"),
        ("KZ-ALA-MED", "Medeu"),
        ("KZ-ALA-TUR", "Turksib"),
    ):
        factories.DistrictFactory.create(code=code, name_en=name, parent=city)
    figure(round_, "KZ-ALA-BOS", 6000)
    figure(round_, "KZ-ALA-BOS", 5000, "male")
    figure(round_, "KZ-ALA-BOS", 1000, "female")
    figure(round_, "KZ-ALA-MED", 3000)  # no sex split
    figure(round_, "KZ-ALA-TUR", 100)
    figure(round_, "KZ-ALA-TUR", 0, year=2024, sex="")  # a later year is the one used
    figure(round_, "KZ-ALA-MED", 9000, year=2022)  # an older year is ignored
    return round_


def test_allocation_takes_the_minimum_first_then_shares_the_rest(round_: Round) -> None:
    BaselineFigure.objects.filter(year=2024).delete()
    plan = allocate(round_=round_, total=1810, min_per_stratum=100)
    targets = {s.location_code: s.target for s in plan.strata}
    assert plan.year == 2023
    assert sum(targets.values()) == 1810
    # 1,510 left after 3 x 100, shared 6000 : 3000 : 100.
    assert targets == {"KZ-ALA-BOS": 100 + 996, "KZ-ALA-MED": 100 + 498, "KZ-ALA-TUR": 100 + 16}
    with pytest.raises(AllocationError, match="more than the total"):
        allocate(round_=round_, total=200, min_per_stratum=100)


def test_strata_are_the_latest_year_locations_with_migrant_workers(round_: Round) -> None:
    with pytest.raises(AllocationError, match="no location with migrant workers in 2024"):
        allocate(round_=round_, total=100)
    figure(round_, "KZ-ALA-MED", 50, year=2024)
    plan = allocate(round_=round_, total=100)
    assert [(s.location_code, s.target) for s in plan.strata] == [("KZ-ALA-MED", 100)]


def test_by_sex_uses_the_location_split_then_the_round_split(round_: Round) -> None:
    BaselineFigure.objects.filter(year=2024).delete()
    plan = allocate(round_=round_, total=910, by_sex=True)
    strata = {s.location_code: s for s in plan.strata}
    assert strata["KZ-ALA-BOS"].by_sex == {"male": 500, "female": 100}
    assert strata["KZ-ALA-BOS"].sex_basis == "location baseline"
    # Medeu has no split: the round's (5000 : 1000, from Bostandyk) applies.
    assert strata["KZ-ALA-MED"].by_sex == {"male": 250, "female": 50}
    assert strata["KZ-ALA-MED"].sex_basis == "round baseline"
    assert sum(sum(s.by_sex.values()) for s in plan.strata) == 910


def test_by_sex_without_any_split_needs_a_stated_share(round_: Round) -> None:
    BaselineFigure.objects.filter(sex__in=("male", "female")).delete()
    BaselineFigure.objects.filter(year=2024).delete()
    with pytest.raises(AllocationError, match="--female-share"):
        allocate(round_=round_, total=100, by_sex=True)
    plan = allocate(round_=round_, total=100, by_sex=True, female_share=Fraction("0.19"))
    assert all(s.sex_basis == "given female share" for s in plan.strata)
    assert sum(s.by_sex["female"] for s in plan.strata) == 19


def _run(*args: str, **kwargs: Any) -> str:
    out = io.StringIO()
    call_command("allocate_sample", *args, stdout=out, **kwargs)
    return out.getvalue()


def test_command_dry_run_shows_the_diff_and_changes_nothing(round_: Round) -> None:
    BaselineFigure.objects.filter(year=2024).delete()
    bos = Location.objects.get(code="KZ-ALA-BOS")
    factories.QuotaFactory.create(round=round_, location=bos, sex="male", target=500)
    out = _run("--round", "3", "--total", "910", "--by", "sex", "--dry-run")
    assert "same    KZ-ALA-BOS" in out
    assert "create  KZ-ALA-BOS     female" in out
    assert "publish no formula" in out
    assert "Dry run: nothing changed." in out
    assert Quota.objects.count() == 1


def test_command_applies_after_confirmation_and_leaves_other_levels(
    round_: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    BaselineFigure.objects.filter(year=2024).delete()
    city = Location.objects.get(code="KZ-ALA")
    bos = Location.objects.get(code="KZ-ALA-BOS")
    other = factories.DistrictFactory.create(code="KZ-ALA-ZHE", name_en="Zhetysu", parent=city)
    factories.QuotaFactory.create(round=round_, location=bos, sex="male", target=1)
    factories.QuotaFactory.create(
        round=round_, location=other, sex="female", target=7
    )  # no baseline
    factories.QuotaFactory.create(
        round=round_, location=city, sex="male", target=999
    )  # a city total
    factories.QuotaFactory.create(
        round=round_, location=bos, sex="male", citizenship="uz", target=5
    )
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    out = _run("--round", "3", "--total", "910", "--by", "sex", "--min-per-stratum", "10")
    assert "Not applied." in out
    assert Quota.objects.get(location=bos, sex="male", citizenship="").target == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    out = _run("--round", "3", "--total", "910", "--by", "sex", "--min-per-stratum", "10")
    assert "2 other quotas" in out
    assert "Applied" in out
    planned = Quota.objects.filter(round=round_, citizenship="", location__kind="district")
    assert sum(planned.values_list("target", flat=True)) == 910
    assert not planned.filter(location=other).exists()  # deleted: no baseline there
    assert Quota.objects.get(location=city).target == 999
    assert Quota.objects.get(citizenship="uz").target == 5
    assert "nothing to apply" in _run(
        "--round", "3", "--total", "910", "--by", "sex", "--min-per-stratum", "10", "--yes"
    )


def test_command_refuses_what_it_cannot_do(round_: Round) -> None:
    BaselineFigure.objects.filter(year=2024).delete()
    with pytest.raises(CommandError, match="--by sex"):
        _run("--round", "3", "--total", "100", "--yes")
    with pytest.raises(CommandError, match="does not exist"):
        _run("--round", "9", "--total", "100", "--dry-run")
    with pytest.raises(CommandError, match="positive"):
        _run("--round", "3", "--total", "0", "--dry-run")
    BaselineFigure.objects.all().delete()
    with pytest.raises(CommandError, match="no baseline counts"):
        _run("--round", "3", "--total", "100", "--dry-run")


def test_a_plan_is_not_applied_over_quotas_changed_since(round_: Round) -> None:
    BaselineFigure.objects.filter(year=2024).delete()
    plan = allocate(round_=round_, total=100, by_sex=True)
    factories.QuotaFactory.create(
        round=round_, location=Location.objects.get(code="KZ-ALA-MED"), sex="male", target=3
    )
    with pytest.raises(StalePlanError):
        apply_plan(plan)
    assert Quota.objects.count() == 1
