"""Role permissions: what each role may see and change in the admin, and what a refusal leaves."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from surveys.connections import client_for
from surveys.kobo.errors import KoboAuthError
from surveys.models import Location, Quota
from surveys.roles import DATA_MANAGER, ENUMERATOR, SUPERVISOR
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_three_roles_exist_with_least_privilege() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {DATA_MANAGER, SUPERVISOR, ENUMERATOR} <= names
    supervisor = set(
        Group.objects.get(name=SUPERVISOR).permissions.values_list("codename", flat=True)
    )
    assert "view_location" in supervisor
    assert "view_submission" in supervisor
    writes = {p for p in supervisor if p.startswith(("add_", "change_", "delete_"))}
    assert writes == {"change_interviewreview"}  # decisions on their team's interviews only
    assert not Group.objects.get(name=ENUMERATOR).permissions.exists()
    manager = set(
        Group.objects.get(name=DATA_MANAGER).permissions.values_list("codename", flat=True)
    )
    assert {"add_location", "change_quota", "add_enumerator"} <= manager
    assert "change_user" not in manager  # could otherwise grant itself superuser


def test_supervisor_can_read_but_not_edit_locations_or_quotas() -> None:
    quota = factories.QuotaFactory.create(target=40)
    client = _client(factories.supervisor())
    assert client.get("/admin/surveys/location/").status_code == 200
    assert client.get("/admin/surveys/location/add/").status_code == 403
    response = client.post(
        f"/admin/surveys/quota/{quota.pk}/change/",
        {"round": quota.round_id, "location": quota.location_id, "sex": "female", "target": 999},
    )
    assert response.status_code == 403
    assert Quota.objects.get(pk=quota.pk).target == 40
    response = client.post(f"/admin/surveys/location/{quota.location_id}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Location.objects.filter(pk=quota.location_id).exists()
    assert client.get("/admin/surveys/quota/import/").status_code == 403


def test_enumerator_cannot_enter_the_admin() -> None:
    enumerator = factories.EnumeratorFactory.create()
    client = _client(enumerator.user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    response = client.get("/admin/surveys/submission/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_data_manager_can_add_a_location(manager_client: Client) -> None:
    response = manager_client.post(
        "/admin/surveys/location/add/",
        {
            "code": "KZ-MAN",
            "kind": "region",
            "name_en": "Mangystau",
            "aliases": "[]",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Location.objects.get(code="KZ-MAN").name_en == "Mangystau"


def test_supervisor_sees_only_their_team_s_submissions() -> None:
    mine = factories.SubmissionFactory.create()
    theirs = factories.SubmissionFactory.create(form=mine.form)
    supervisor = factories.supervisor_of(mine)
    client = _client(supervisor)
    listing = client.get("/admin/surveys/submission/")
    assert listing.status_code == 200
    shown = {s.pk for s in listing.context["cl"].result_list}
    assert shown == {mine.pk}
    response = client.get(f"/admin/surveys/submission/{theirs.pk}/change/")
    assert response.status_code == 302  # the admin answers "does not exist" for hidden rows
    assert client.get(f"/admin/surveys/submission/{mine.pk}/change/").status_code == 200


def test_kobo_token_is_never_shown_back(manager_client: Client) -> None:
    server = factories.KoboServerFactory.create(api_token="secret-token-0123456789")
    page = manager_client.get(f"/admin/surveys/koboserver/{server.pk}/change/").content.decode()
    listing = manager_client.get("/admin/surveys/koboserver/").content.decode()
    assert "secret-token-0123456789" not in page + listing
    assert "…6789" in listing
    response = manager_client.post(
        f"/admin/surveys/koboserver/{server.pk}/change/",
        {"name": "Renamed", "base_url": server.base_url, "api_token": "", "is_active": "on"},
    )
    assert response.status_code == 302
    server.refresh_from_db()
    assert server.name == "Renamed"
    assert server.api_token == "secret-token-0123456789"


def test_kobo_server_address_without_scheme_is_https(manager_client: Client) -> None:
    server = factories.KoboServerFactory.create()
    response = manager_client.post(
        f"/admin/surveys/koboserver/{server.pk}/change/",
        {"name": server.name, "base_url": "kobo.iom.int", "api_token": "tok-new-server-1234"},
    )
    assert response.status_code == 302
    server.refresh_from_db()
    assert server.base_url == "https://kobo.iom.int"


def test_a_new_address_needs_the_token_entered_again(manager_client: Client) -> None:
    server = factories.KoboServerFactory.create(
        base_url="https://kf.kobotoolbox.org", api_token="secret-token-0123456789"
    )
    url = f"/admin/surveys/koboserver/{server.pk}/change/"
    moved = {"name": server.name, "base_url": "https://attacker.example", "is_active": "on"}

    response = manager_client.post(url, {**moved, "api_token": ""})

    assert response.status_code == 200
    assert (
        "The address changed: enter the API token for the new server" in response.content.decode()
    )
    server.refresh_from_db()
    assert (server.base_url, server.api_token) == (
        "https://kf.kobotoolbox.org",
        "secret-token-0123456789",
    )
    # Typing a token (even the same one) is a deliberate choice for the new address.
    assert (
        manager_client.post(url, {**moved, "api_token": "token-for-new-host-42"}).status_code == 302
    )
    server.refresh_from_db()
    assert (server.base_url, server.api_token) == (
        "https://attacker.example",
        "token-for-new-host-42",
    )


def test_a_server_moved_outside_the_admin_loses_its_token_and_syncs_nothing() -> None:
    server = factories.KoboServerFactory.create(api_token="secret-token-0123456789")
    server.base_url = "https://elsewhere.example"
    server.save(update_fields=["base_url"])
    server.refresh_from_db()
    assert server.api_token == ""
    with pytest.raises(KoboAuthError, match="No API token is stored for the KoBo server"):
        client_for(server)
    # Renaming it keeps the token.
    server.set_token("fresh-token-9876543210")
    server.save()
    server.name = "Renamed"
    server.save()
    server.refresh_from_db()
    assert server.api_token == "fresh-token-9876543210"
