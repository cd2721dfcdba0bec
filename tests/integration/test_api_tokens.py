"""API tokens expire after MTM_API_TOKEN_TTL_DAYS, and each user sees and rotates their own."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests import factories

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/correction-tasks/"


def _api(key: str) -> int:
    return Client().get(TASKS, HTTP_AUTHORIZATION=f"Token {key}").status_code


def _age(token: Token, days: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=days))


def test_a_token_works_until_its_ttl_then_is_refused_with_a_clear_401() -> None:
    user = factories.enumerator_user(username="enum11")
    token = Token.objects.create(user=user)
    _age(token, 89.9)
    assert _api(token.key) == 200
    _age(token, 90.01)
    response = Client().get(TASKS, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["code"] == "token_expired"
    assert "This API token expired on " in body["detail"]
    assert body["detail"].endswith("/my/api-token/")


def test_the_ttl_is_configurable(settings: object) -> None:
    settings.MTM_API_TOKEN_TTL_DAYS = 7  # type: ignore[attr-defined]
    token = Token.objects.create(user=factories.supervisor(username="sup11"))
    _age(token, 8)
    response = Client().get(TASKS, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    assert response.json()["detail"].endswith("/admin/api-token/")  # staff rotate in the admin


def test_an_expired_token_is_not_counted_as_a_guess() -> None:
    token = Token.objects.create(user=factories.enumerator_user(username="enum12"))
    _age(token, 120)
    for _ in range(30):
        assert _api(token.key) == 401
    Token.objects.filter(pk=token.pk).update(created=timezone.now())
    assert _api(token.key) == 200  # not locked out by 30 refusals of a real, old token


def test_an_enumerator_issues_then_rotates_their_token_on_the_my_pages() -> None:
    user = factories.enumerator_user(username="enum13")
    client = Client()
    client.force_login(user)
    page = client.get("/my/api-token/")
    assert page.status_code == 200
    assert "You have no API token." in page.content.decode()

    issued = client.post("/my/api-token/")
    first = Token.objects.get(user=user)
    html = issued.content.decode()
    assert f'<code id="new-token">{first.key}</code>' in html
    assert _api(first.key) == 200

    again = client.get("/my/api-token/").content.decode()
    assert first.key not in again  # shown once only
    assert f"…{first.key[-4:]}" in again
    assert "Replace with a new token" in again

    client.post("/my/api-token/")
    second = Token.objects.get(user=user)
    assert second.key != first.key
    assert _api(first.key) == 401
    assert _api(second.key) == 200


def test_rotation_renews_an_expired_token() -> None:
    user = factories.enumerator_user(username="enum14")
    old = Token.objects.create(user=user)
    _age(old, 100)
    client = Client()
    client.force_login(user)
    assert "(expired)" in client.get("/my/api-token/").content.decode()
    client.post("/my/api-token/")
    assert _api(Token.objects.get(user=user).key) == 200


def test_staff_rotate_their_token_in_the_admin() -> None:
    user = factories.supervisor(username="sup15")
    client = Client()
    client.force_login(user)
    page = client.get("/admin/api-token/")
    assert page.status_code == 200
    assert "mtm-qc" in page.content.decode()  # the admin's own header and links
    response = client.post("/admin/api-token/")
    key = re.search(r'<code id="new-token">(\w+)</code>', response.content.decode())
    assert key is not None
    assert Token.objects.get(user=user).key == key.group(1)


def test_each_user_touches_only_their_own_token() -> None:
    mine = factories.enumerator_user(username="enum16")
    other = factories.enumerator_user(username="enum17")
    others_token = Token.objects.create(user=other)
    client = Client()
    client.force_login(mine)
    client.post("/my/api-token/")
    assert Token.objects.get(user=other).key == others_token.key
    assert Token.objects.count() == 2


@pytest.mark.parametrize(
    ("_case", "url", "login"),
    [
        ("anonymous, /my/", "/my/api-token/", "/my/login/?next=/my/api-token/"),
        ("anonymous, admin", "/admin/api-token/", "/admin/login/?next=/admin/api-token/"),
    ],
)
def test_the_token_pages_need_a_login(_case: str, url: str, login: str) -> None:
    response = Client().post(url)
    assert response.status_code == 302
    assert response["Location"] == login
    assert Token.objects.count() == 0


def test_an_enumerator_has_no_admin_token_page() -> None:
    client = Client()
    client.force_login(factories.enumerator_user(username="enum18"))
    response = client.post("/admin/api-token/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Token.objects.count() == 0


def test_the_token_page_is_in_russian() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(factories.enumerator_user(username="enum19"))
    html = client.get("/my/api-token/").content.decode()
    assert "У вас нет API-токена." in html
    assert "действует 90 дней с момента выдачи" in html
