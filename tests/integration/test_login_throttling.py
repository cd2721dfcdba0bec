"""Log-in lockout on every way in: per account and per address, on time, with a clear message."""

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from mtm.tokens import _failure_key
from tests import factories

if TYPE_CHECKING:  # the stubs' type of a test client's response
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Mtm-2024"  # the factories' password
WAYS_IN = [("admin", "/admin/login/"), ("enumerator pages", "/my/login/")]
LOCKED = "Too many failed log-in attempts"


@pytest.fixture(autouse=True)
def _clean_token_counters() -> Iterator[None]:
    """The failed-token counters live in the cache (Redis under test), outside the transaction."""
    keys = [_failure_key(a) for a in ("10.0.0.1", "10.0.0.2", "10.9.9.9", "203.0.113.7")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def _post(
    client: Client, url: str, username: str, password: str, address: str
) -> "_MonkeyPatchedWSGIResponse":
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, follow=False
    )


def _logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize(("_case", "url"), WAYS_IN)
def test_the_fifth_wrong_password_locks_the_account_even_for_the_right_one(
    _case: str, url: str
) -> None:
    if "admin" in url:
        user = factories.data_manager(username="dm")
    else:
        user = factories.enumerator_user(username="enum07")
    client = Client()
    for _ in range(4):
        response = _post(client, url, user.username, "wrong-guess", "10.0.0.1")
        assert response.status_code == 200  # the form again, with "did not match"
    response = _post(client, url, user.username, "wrong-guess", "10.0.0.1")
    assert response.status_code == 429
    response = _post(client, url, user.username, PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "15 minutes" in page
    assert 'name="password"' in page  # the same login page, not a bare error
    assert "did not match" not in page
    assert "Please enter" not in page
    assert response["Retry-After"] == "900"
    assert _logged_in_as(client) is None
    # Per account: another address does not help either.
    response = _post(Client(), url, user.username, PASSWORD, "10.0.0.2")
    assert response.status_code == 429


@pytest.mark.parametrize(("_case", "url"), WAYS_IN)
def test_four_wrong_passwords_then_the_right_one_logs_in_and_forgets_them(
    _case: str, url: str
) -> None:
    user = factories.enumerator_user(username="enum08")
    if "admin" in url:
        user = factories.supervisor(username="sup08")
    client = Client()
    for _ in range(4):
        _post(client, url, user.username, "wrong-guess", "10.0.0.1")
    response = _post(client, url, user.username, PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert _logged_in_as(client) == str(user.pk)
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_a_good_log_in_does_not_forgive_guesses_from_elsewhere() -> None:
    user = factories.supervisor(username="sup_guessed")
    for _ in range(4):
        _post(Client(), "/admin/login/", user.username, "wrong-guess", "203.0.113.7")
    assert _post(Client(), "/admin/login/", user.username, PASSWORD, "10.0.0.2").status_code == 302
    # The owner's log-in elsewhere left the guesser's four standing: one more locks the account.
    _post(Client(), "/admin/login/", user.username, "wrong-guess", "203.0.113.7")
    assert _post(Client(), "/admin/login/", user.username, PASSWORD, "10.0.0.2").status_code == 429


def test_an_address_is_locked_after_twenty_failures_across_accounts() -> None:
    victim = factories.supervisor(username="sup_victim")
    for n in range(19):  # 19 names, once each: no account reaches its own limit
        _post(Client(), "/admin/login/", f"guess{n}", "wrong-guess", "203.0.113.7")
    response = _post(Client(), "/admin/login/", victim.username, PASSWORD, "203.0.113.7")
    assert response.status_code == 302  # 19 < 20: a shared office address still works
    _post(Client(), "/my/login/", "guess19", "wrong-guess", "203.0.113.7")
    _post(Client(), "/my/login/", "guess20", "wrong-guess", "203.0.113.7")
    response = _post(Client(), "/admin/login/", victim.username, PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # The account itself is fine from anywhere else.
    response = _post(Client(), "/admin/login/", victim.username, PASSWORD, "10.0.0.2")
    assert response.status_code == 302


def test_a_lock_ends_after_the_cool_off() -> None:
    user = factories.supervisor(username="sup_cool")
    for _ in range(5):
        _post(Client(), "/admin/login/", user.username, "wrong-guess", "10.0.0.1")
    assert _post(Client(), "/admin/login/", user.username, PASSWORD, "10.0.0.1").status_code == 429
    # Attempts during the lock do not extend it; 15 minutes after the last counted one it ends.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))
    response = _post(Client(), "/admin/login/", user.username, PASSWORD, "10.0.0.1")
    assert response.status_code == 302


def test_failures_during_a_lock_are_not_counted(settings: object) -> None:
    user = factories.supervisor(username="sup_hammer")
    for _ in range(5):
        _post(Client(), "/admin/login/", user.username, "wrong-guess", "10.0.0.1")
    for _ in range(10):
        _post(Client(), "/admin/login/", user.username, "wrong-guess", "10.0.0.1")
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 5


def test_behind_a_proxy_the_client_is_told_apart_by_x_forwarded_for(settings: object) -> None:
    settings.DJANGO_PROXY_COUNT = 1  # type: ignore[attr-defined]
    user = factories.supervisor(username="sup_proxy")
    for n in range(20):
        # The attacker writes its own X-Forwarded-For; our proxy appends the real address.
        Client().post(
            "/admin/login/",
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 10.9.9.9",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.9.9.9"}
    office = Client().post(
        "/admin/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.0.0.2",
    )
    assert office.status_code == 302  # same proxy, different client: not locked
    attacker = Client().post(
        "/admin/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert attacker.status_code == 429


def test_without_a_proxy_a_forged_x_forwarded_for_is_ignored() -> None:
    for n in range(20):
        Client().post(
            "/admin/login/",
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


def test_the_api_refuses_bad_tokens_from_an_address_after_twenty() -> None:
    world_user = factories.enumerator_user(username="enum_api")
    good = Token.objects.create(user=world_user).key
    client = Client()
    for n in range(20):
        response = client.get(
            "/api/v1/correction-tasks/",
            HTTP_AUTHORIZATION=f"Token {n:040d}",
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
    response = client.get(
        "/api/v1/correction-tasks/", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert LOCKED in response.json()["detail"]
    assert int(response["Retry-After"]) == 900
    # Elsewhere the same token works.
    response = client.get(
        "/api/v1/correction-tasks/", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 200


def test_an_address_locked_by_password_guessing_is_locked_on_the_api_too() -> None:
    user = factories.enumerator_user(username="enum_both")
    good = Token.objects.create(user=user).key
    for n in range(20):
        _post(Client(), "/my/login/", f"guess{n}", "wrong-guess", "10.0.0.1")
    response = Client().get(
        "/api/v1/correction-tasks/", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"


def test_the_lockout_message_is_in_russian_for_russian_speakers() -> None:
    user = factories.enumerator_user(username="enum_ru")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    for _ in range(5):
        _post(client, "/my/login/", user.username, "wrong-guess", "10.0.0.1")
    page = _post(client, "/my/login/", user.username, PASSWORD, "10.0.0.1").content.decode()
    assert "Слишком много неудачных попыток входа" in page
    assert "15 минут" in page


@pytest.mark.parametrize(
    ("_case", "password", "refused"),
    [
        ("all digits", "83920417561", True),
        ("a date", "19840527", True),
        ("letters and digits", "kazakh-steppe-2024", False),
    ],
)
def test_an_all_numeric_password_is_refused(_case: str, password: str, refused: bool) -> None:
    if refused:
        with pytest.raises(ValidationError) as refusal:
            validate_password(password)
        assert [e.code for e in refusal.value.error_list] == ["password_entirely_numeric"]
    else:
        validate_password(password)
