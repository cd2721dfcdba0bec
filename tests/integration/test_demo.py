"""load_demo builds round 3 once, and a second run changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from surveys.models import Enumerator, Location, Quota, Team
from validation.models import InclusionCriterion

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_its_users_can_log_in() -> None:
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    # 42 district x sex quotas (1,810 interviews) and 6 city x sex quotas over them.
    assert Quota.objects.filter(round__number=3).count() == 48
    districts = Quota.objects.filter(location__kind="district")
    assert sum(districts.values_list("target", flat=True)) == 1810
    assert Quota.objects.get(location__code="KZ-ALA", sex="female").target == sum(
        districts.filter(location__parent__code="KZ-ALA", sex="female").values_list(
            "target", flat=True
        )
    )
    assert Enumerator.objects.count() == 20
    assert Enumerator.objects.filter(sex="male").count() == 4
    assert Team.objects.count() == 5
    assert Location.objects.filter(kind="district", parent__code="KZ-ALA").count() == 8
    assert Location.objects.get(code="KZ-AST").aliases[0] == "Nur-Sultan"
    # The strictest published set: the three-city study's, exclusions included.
    criteria = InclusionCriterion.objects.filter(round__number=3, is_active=True)
    assert set(criteria.values_list("preset", flat=True)) == {"Three-city 2022"}
    assert {"not_student", "not_refugee_or_stateless", "length_of_stay"} <= set(
        criteria.values_list("code", flat=True)
    )
    client = Client()
    assert client.login(username="manager", password="mtm-demo-2024")
    assert client.get("/admin/surveys/quota/").status_code == 200
    assert client.login(username="sup_almaty_a", password="mtm-demo-2024")
    assert client.get("/admin/").status_code == 200
    assert client.login(username="enum01", password="mtm-demo-2024")
    assert client.get("/admin/").status_code == 302
    assert not get_user_model().objects.get(username="enum01").is_staff
