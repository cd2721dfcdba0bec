"""Ways in: `/`, both log-in pages and /my/ send each role to its own pages (issue #16 item 7)."""

from typing import Any

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Mtm-2024"  # tests.factories.UserFactory's


def _enumerator() -> Any:
    return factories.EnumeratorFactory.create(kobo_username="enum07").user


@pytest.mark.parametrize(
    ("_case", "who", "target"),
    [
        ("nobody signed in", None, "/my/login/"),
        ("enumerator", "enumerator", "/my/"),
        ("supervisor", "supervisor", "/admin/"),
        ("data manager", "manager", "/admin/"),
    ],
)
def test_the_site_root_sends_each_role_to_its_pages(
    _case: str, who: str | None, target: str
) -> None:
    client = Client()
    users = {
        "enumerator": _enumerator,
        "supervisor": lambda: factories.supervisor(username="sup"),
        "manager": lambda: factories.data_manager(username="dm"),
    }
    if who:
        client.force_login(users[who]())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_an_enumerator_logging_in_to_the_admin_is_sent_to_their_tasks() -> None:
    _enumerator()
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "enum07", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    page = client.get("/my/")
    assert page.status_code == 200
    assert "staff account" not in page.content.decode()
    # Signed in, the admin's door forwards them too (not "you are not authorized").
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/my/"


def test_a_user_with_no_role_is_still_refused_by_the_admin_login() -> None:
    factories.UserFactory.create(username="nobody")
    client = Client()
    response = client.post("/admin/login/", {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_at_the_admin_login_is_refused_for_an_enumerator() -> None:
    _enumerator()
    client = Client()
    response = client.post("/admin/login/", {"username": "enum07", "password": "wrong-1234"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_supervisor_at_my_pages_is_sent_to_the_admin() -> None:
    client = Client()
    client.force_login(factories.supervisor(username="sup"))
    response = client.get("/my/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_supervisor_logging_in_on_the_enumerators_page_reaches_the_admin() -> None:
    factories.supervisor(username="sup")
    client = Client()
    response = client.post("/my/login/", {"username": "sup", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_the_admin_header_names_the_user_as_written_and_links_the_token_page() -> None:
    user = factories.data_manager(username="dm", first_name="Data", last_name="Manager")
    client = Client()
    client.force_login(user)
    body = client.get("/admin/").content.decode()
    assert "<strong>Data Manager</strong>" in body
    assert "text-transform:none" in body  # Django's capitals made it "WELCOME, DATA"
    assert 'href="/admin/api-token/"' in body
    assert "View site" not in body  # there is no public site to view


def test_the_enumerator_task_list_links_the_token_page() -> None:
    client = Client()
    client.force_login(_enumerator())
    body = client.get("/my/").content.decode()
    assert 'href="/my/api-token/"' in body
    assert client.get("/my/api-token/").status_code == 200


def test_the_language_buttons_work_on_the_log_in_page() -> None:
    client = Client()
    response = client.post("/my/language/", {"language": "ru", "next": "/my/login/"})
    assert (response.status_code, response["Location"]) == (302, "/my/login/")
    assert "Войти" in client.get("/my/login/").content.decode()
    outside = client.post("/my/language/", {"language": "ru", "next": "https://evil.example/"})
    assert outside["Location"] == "/my/login/"


def test_the_admin_switches_to_russian_and_back_from_its_header() -> None:
    client = Client()
    client.force_login(factories.supervisor(username="sup"))
    assert 'value="ru" lang="ru">Русский</button>' in client.get("/admin/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    body = client.get("/admin/").content.decode()
    assert "Добро пожаловать" in body
    assert 'value="en" lang="en">English</button>' in body
