"""Imports of locations, quotas, teams and enumerators: good files, each bad row, all-or-nothing."""

import io
import re

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.test import Client

from surveys.models import Enumerator, Location, Quota, Team
from surveys.resources import EnumeratorResource, LocationResource, QuotaResource, TeamResource
from surveys.roles import ENUMERATOR
from tests import factories

pytestmark = pytest.mark.django_db

LOCATIONS_CSV = """code,kind,parent,name_en,name_ru,name_kk,aliases,centroid_lat,centroid_lon
KZ-AST,city,,Astana,Астана,Астана,Nur-Sultan; Nursultan; Akmola,51.169,71.449
KZ-AST-ESI,district,Nur-Sultan,Esil,Есильский,Есіл,,51.13,71.43
KZ-SHY,city,,Shymkent,Шымкент,Шымкент,Symkent; Chimkent,42.317,69.59
KZ-SHY-ABA,district,Symkent,Abay,Абайский,Абай,,42.33,69.57
"""


def _csv(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text, format="csv")


def _errors(result: object) -> list[tuple[int, str]]:
    """(line number, message) for every bad row: exceptions and validation errors alike."""
    found = [(line, str(err.error)) for line, errs in result.row_errors() for err in errs]  # type: ignore[attr-defined]
    found += [(row.number, str(row.error_dict)) for row in result.invalid_rows]  # type: ignore[attr-defined]
    return sorted(found)


def test_locations_import_and_match_parents_by_alias() -> None:
    result = LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False, raise_errors=False)
    assert _errors(result) == []
    esil = Location.objects.get(code="KZ-AST-ESI")
    assert esil.parent is not None
    assert esil.parent.code == "KZ-AST"
    assert Location.objects.get(code="KZ-AST").aliases == ["Nur-Sultan", "Nursultan", "Akmola"]
    assert Location.objects.get(code="KZ-SHY-ABA").parent == Location.objects.get(code="KZ-SHY")


def test_a_row_naming_a_location_by_alias_updates_it() -> None:
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    update = "code,kind,parent,name_en,name_ru\nNur-Sultan,city,,Astana city,Астана\n"
    result = LocationResource().import_data(_csv(update), dry_run=False)
    assert _errors(result) == []
    assert Location.objects.get(code="KZ-AST").name_en == "Astana city"
    assert Location.objects.count() == 4


@pytest.mark.parametrize(
    ("_case", "bad_row", "message"),
    [
        ("unknown parent", "KZ-X-1,district,Atlantis,Nowhere,,,,,", "Unknown location 'Atlantis'"),
        ("district without parent", "KZ-X-2,district,,Orphan,,,,,", "needs a parent"),
        ("unknown kind", "KZ-X-3,village,,Village,,,,,", "not a valid choice"),
        ("latitude out of range", "KZ-X-4,region,,Far,,,,95,70", "centroid"),
        ("latitude not a number", "KZ-X-5,region,,Far,,,,north,70", "north"),
        ("duplicate code in file", "KZ-AST,city,,Astana again,,,,,", "repeats line 2"),
    ],
)
def test_a_bad_location_row_is_reported_with_its_line_and_nothing_is_imported(
    _case: str, bad_row: str, message: str
) -> None:
    text = LOCATIONS_CSV + bad_row + "\n"
    result = LocationResource().import_data(_csv(text), dry_run=False, raise_errors=False)
    errors = _errors(result)
    assert len(errors) == 1
    line, reason = errors[0]
    assert line == 5
    assert re.search(message, reason), reason
    assert Location.objects.count() == 0


def test_an_ambiguous_name_is_refused() -> None:
    factories.CityFactory.create(code="KZ-ALA", name_en="Almaty")
    Location.objects.create(
        code="KZ-ALM", kind="region", name_en="Almaty Region", aliases=["Almaty"]
    )
    text = "code,kind,parent,name_en\nKZ-ALA-NEW,district,Almaty,New district\n"
    result = LocationResource().import_data(_csv(text), dry_run=False, raise_errors=False)
    [(line, reason)] = _errors(result)
    assert line == 1
    assert "ambiguous" in reason
    assert "KZ-ALA, KZ-ALM" in reason
    assert not Location.objects.filter(code="KZ-ALA-NEW").exists()


def test_quotas_import_with_aliases_and_sex_words() -> None:
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    factories.RoundFactory.create(number=3)
    text = "round,location,sex,target\nR3,KZ-AST-ESI,women,40\n3,Symkent,M,12\n3,Абай,женский,9\n"
    result = QuotaResource().import_data(_csv(text), dry_run=False, raise_errors=False)
    assert _errors(result) == []
    assert {(q.location.code, q.sex, q.target) for q in Quota.objects.all()} == {
        ("KZ-AST-ESI", "female", 40),
        ("KZ-SHY", "male", 12),
        ("KZ-SHY-ABA", "female", 9),
    }
    again = QuotaResource().import_data(
        _csv("round,location,sex,target\n3,KZ-SHY,male,15\n"), dry_run=False
    )
    assert _errors(again) == []
    assert Quota.objects.get(location__code="KZ-SHY").target == 15
    assert Quota.objects.count() == 3


@pytest.mark.parametrize(
    ("_case", "bad_row", "message"),
    [
        ("unknown round", "9,KZ-AST,female,10", "Round 9 of KZ does not exist"),
        ("unknown sex", "3,KZ-AST,other,10", "Unknown sex"),
        ("negative target", "3,KZ-AST,female,-4", "greater than or equal to 0"),
        ("unknown location", "3,Paris,female,10", "Unknown location 'Paris'"),
        ("target not a number", "3,KZ-AST,female,many", "Must be a whole number"),
    ],
)
def test_a_bad_quota_row_rolls_back_the_whole_file(_case: str, bad_row: str, message: str) -> None:
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    factories.RoundFactory.create(number=3)
    text = f"round,location,sex,target\n3,KZ-AST-ESI,female,40\n{bad_row}\n"
    result = QuotaResource().import_data(_csv(text), dry_run=False, raise_errors=False)
    [(line, reason)] = _errors(result)
    assert line == 2
    assert re.search(message, reason), reason
    assert Quota.objects.count() == 0


def test_teams_and_enumerators_import_and_enumerators_get_a_non_staff_login() -> None:
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    factories.RoundFactory.create(number=3)
    factories.supervisor(username="sup_astana")
    teams = "name,supervisor,locations\nAstana A,sup_astana,KZ-AST-ESI; Nur-Sultan\n"
    assert _errors(TeamResource().import_data(_csv(teams), dry_run=False)) == []
    team = Team.objects.get(name="Astana A")
    assert sorted(team.locations.values_list("code", flat=True)) == ["KZ-AST", "KZ-AST-ESI"]

    enums = (
        "kobo_username,full_name,sex,team,active_rounds\n"
        "enum01,Dilnoza Karimova,F,Astana A,3\nenum02,Arman Seitkali,male,Astana A,3\n"
    )
    assert _errors(EnumeratorResource().import_data(_csv(enums), dry_run=False)) == []
    enumerator = Enumerator.objects.get(kobo_username="enum01")
    assert enumerator.sex == "female"
    assert enumerator.team == team
    assert list(enumerator.active_rounds.values_list("number", flat=True)) == [3]
    user = get_user_model().objects.get(username="enum01")
    assert enumerator.user == user
    assert not user.is_staff
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [ENUMERATOR]


def test_a_bad_enumerator_row_creates_no_user() -> None:
    factories.TeamFactory.create(name="Astana A")
    enums = (
        "kobo_username,full_name,sex,team\nenum01,Dilnoza Karimova,F,Astana A\n"
        "enum02,Arman Seitkali,male,No such team\n"
    )
    result = EnumeratorResource().import_data(_csv(enums), dry_run=False, raise_errors=False)
    assert [line for line, _ in _errors(result)] == [2]
    assert not get_user_model().objects.filter(username__startswith="enum").exists()


def test_export_round_trips_through_import() -> None:
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    exported = LocationResource().export()
    assert exported.headers[:3] == ["code", "kind", "parent"]
    assert "KZ-AST" in exported.csv
    assert "Nur-Sultan; Nursultan; Akmola" in exported.csv
    Location.objects.filter(kind="district").delete()
    Location.objects.all().delete()
    result = LocationResource().import_data(_csv(exported.csv), dry_run=False)
    assert _errors(result) == []
    assert Location.objects.count() == 4


def test_xlsx_import_through_the_admin_previews_then_confirms(manager_client: Client) -> None:
    factories.RoundFactory.create(number=3)
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    data = tablib.Dataset(headers=["round", "location", "sex", "target"])
    data.append([3, "Nur-Sultan", "female", 55])
    upload = io.BytesIO(data.export("xlsx"))
    upload.name = "quotas.xlsx"
    response = manager_client.post(
        "/admin/surveys/quota/import/",
        {"import_file": upload, "format": "1", "resource": "0"},
    )
    assert response.status_code == 200
    assert b"confirm" in response.content.lower()
    assert Quota.objects.count() == 0  # a preview writes nothing
    form = response.context["confirm_form"]
    response = manager_client.post("/admin/surveys/quota/process_import/", form.initial)
    assert response.status_code == 302
    assert Quota.objects.get().target == 55


def test_admin_import_of_a_bad_file_shows_the_line_and_offers_no_confirm(
    manager_client: Client,
) -> None:
    factories.RoundFactory.create(number=3)
    upload = io.BytesIO(b"round,location,sex,target\n3,Atlantis,female,5\n")
    upload.name = "quotas.csv"
    response = manager_client.post(
        "/admin/surveys/quota/import/",
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown location" in body
    assert "Atlantis" in body
    assert response.context.get("confirm_form") is None
    assert Quota.objects.count() == 0


def test_the_admin_preview_lists_every_error_in_plain_view_by_the_file_line(
    manager_client: Client,
) -> None:
    factories.RoundFactory.create(number=3)
    LocationResource().import_data(_csv(LOCATIONS_CSV), dry_run=False)
    text = (
        "round,location,sex,target\n"  # line 1
        "3,Nur-Sultan,female,5\n"  # line 2: good
        "3,Atlantis,female,5\n"  # line 3: an exception (unknown location)
        "3,Symkent,female,lots\n"  # line 4: a field's validation error
    )
    upload = io.BytesIO(text.encode())
    upload.name = "quotas.csv"
    response = manager_client.post(
        "/admin/surveys/quota/import/", {"import_file": upload, "format": "0", "resource": "0"}
    )
    problems = response.context["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(3, ""), (4, "target")]
    body = response.content.decode()
    assert "validation-error-count" not in body  # no hover badge
    cells = r"<tr><td class=\"num\">(\d+)</td><td>([^<]*)</td><td class=\"msg\">([^<]*)</td>"
    rows = re.findall(cells, body)
    assert [(line, column) for line, column, _ in rows] == [("3", "—"), ("4", "target")]
    assert "Atlantis" in rows[0][2]
    assert Quota.objects.count() == 0
