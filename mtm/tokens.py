"""API tokens: they expire, failed ones are throttled per address, and users rotate their own.

A token (DRF's authtoken, `Authorization: Token <key>`) lives MTM_API_TOKEN_TTL_DAYS from its
creation. An address that sends MTM_API_TOKEN_FAILURES_PER_ADDRESS unknown tokens within
MTM_LOGIN_COOLOFF_MIN minutes, or whose password log-ins are locked, gets 429 for the rest of
that window. The counter is kept apart from the password lockout on purpose: a phone still
syncing with a rotated token must not lock its whole office out of the log-in pages.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from mtm.lockout import client_address, is_address_locked, lockout_message


class TokenExpiredError(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class LoginLockedError(exceptions.Throttled):
    default_code = "login_locked"


def token_ttl() -> timedelta:
    return timedelta(days=settings.MTM_API_TOKEN_TTL_DAYS)


def expires_at(token: Token) -> datetime:
    return token.created + token_ttl()


def _failure_key(address: str) -> str:
    return f"mtm:api-token-failures:{address}"


def _window_s() -> int:
    return int(settings.MTM_LOGIN_COOLOFF_MIN * 60)


def token_failures(address: str) -> int:
    return int(cache.get(_failure_key(address), 0))


def _record_failure(address: str) -> None:
    key = _failure_key(address)
    # A fixed window from the first failure: add() starts it, incr() never extends it.
    cache.add(key, 0, timeout=_window_s())
    try:
        cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.set(key, 1, timeout=_window_s())


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, plus expiry and a per-address brake on failed tokens."""

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        address = client_address(request._request) or "unknown"
        too_many = token_failures(address) >= settings.MTM_API_TOKEN_FAILURES_PER_ADDRESS
        if too_many or is_address_locked(request._request):
            raise LoginLockedError(wait=_window_s(), detail=lockout_message())
        try:
            return super().authenticate(request)  # type: ignore[no-any-return]
        except TokenExpiredError:
            raise  # a real token, only old: not a guess
        except exceptions.AuthenticationFailed:
            _record_failure(address)
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if expires_at(token) <= timezone.now():
            raise TokenExpiredError(
                _(
                    "This API token expired on %(date)s. Get a new one on your API token "
                    "page: %(url)s"
                )
                % {
                    "date": timezone.localtime(expires_at(token)).strftime("%Y-%m-%d %H:%M"),
                    "url": settings.MTM_PUBLIC_URL + token_page_url(user),
                }
            )
        return user, token


def token_page_url(user: Any) -> str:
    """Staff manage their token in the admin, everyone else on the /my/ pages."""
    return reverse("admin-api-token" if user.is_staff else "my-api-token")


@dataclass(frozen=True)
class TokenStatus:
    hint: str  # the last characters only; the whole key is shown once, when issued
    created: datetime
    expires_at: datetime
    expired: bool


def token_status(*, user: User) -> TokenStatus | None:
    token = Token.objects.filter(user=user).first()
    if token is None:
        return None
    ends = expires_at(token)
    return TokenStatus(
        hint=token.key[-4:], created=token.created, expires_at=ends, expired=ends <= timezone.now()
    )


def rotate_token(*, user: User) -> Token:
    """Replace the user's token (or issue the first one); the old key stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)
