"""Login lockout (django-axes): per user and per address, each with its own limit.

One account is locked after MTM_LOGIN_FAILURES_PER_USER failures from anywhere; one address
after MTM_LOGIN_FAILURES_PER_ADDRESS failures for any accounts (higher: a field office or a
mobile operator puts many enumerators behind one address). A lock lasts MTM_LOGIN_COOLOFF_MIN
minutes from the failure that set it; a data manager can lift it sooner (admin, *Access
attempts*, or `manage.py axes_reset_username`).
"""

from http import HTTPStatus
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import ngettext


def client_address(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For's entry set by our own proxy.

    With DJANGO_PROXY_COUNT proxies in front, each appends the address it saw, so the client is
    that many entries from the right; anything further left was written by the client itself.
    """
    count = settings.DJANGO_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def lockout_message() -> str:
    minutes = int(settings.MTM_LOGIN_COOLOFF_MIN)
    return ngettext(
        "Too many failed log-in attempts for this account or from this address. Log-in is "
        "blocked for %(minutes)d minute; try again later or ask a data manager to unlock it.",
        "Too many failed log-in attempts for this account or from this address. Log-in is "
        "blocked for %(minutes)d minutes; try again later or ask a data manager to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def _recent_failures(request: HttpRequest, **lookup: str) -> int:
    """Failures recorded for the lookup whose last one is within the cool-off window."""
    attempts = AccessAttempt.objects.filter(
        attempt_time__gte=get_cool_off_threshold(request), **lookup
    )
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate limit per address, and no lump of blank names.

    Axes compares one failure count with one limit (AXES_FAILURE_LIMIT, the per-user limit), so
    the per-address count is scaled onto it: N address failures count N * user / address limit.
    """

    def filter_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> list[QuerySet[AccessAttempt]]:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        # A failure without a username (a bad API token) must not count against every other
        # such failure: filtering on username=None would match them all.
        querysets = []
        if username:
            querysets.append(AccessAttempt.objects.filter(username=username))
        if address:
            querysets.append(AccessAttempt.objects.filter(ip_address=address))
        return querysets

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        per_user = int(settings.AXES_FAILURE_LIMIT)
        per_address = int(settings.MTM_LOGIN_FAILURES_PER_ADDRESS)
        user_failures = _recent_failures(request, username=username) if username else 0
        address_failures = _recent_failures(request, ip_address=address) if address else 0
        return max(user_failures, address_failures * per_user // per_address)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a good log-in forget that account's failures from this address only.

        Clearing the whole address would let anyone with one valid account keep guessing
        others' passwords from it by logging in between rounds; clearing the account's failures
        from everywhere would give someone guessing it elsewhere fresh tries each time its
        owner logs in.
        """
        username = get_client_username(request, credentials)
        if not username:
            return 0
        address = request.axes_ip_address  # type: ignore[attr-defined]
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return count


class LockoutBackend(AxesStandaloneBackend):
    """Axes' gate, first in AUTHENTICATION_BACKENDS; it authenticates nobody itself.

    Calls without a request (the shell, management commands, the test client's login()) are
    not a way in from the network, so they pass instead of failing with Axes' error.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The answer to a locked log-in: the same login page with the reason, or JSON for the API.

    The page is re-rendered with an empty form, so "wrong password" is not shown beside it.
    """
    message = lockout_message()
    retry_after = str(int(get_cool_off(request).total_seconds()))  # type: ignore[union-attr]
    status = HTTPStatus.TOO_MANY_REQUESTS
    if isinstance(original_response, TemplateResponse) and original_response.context_data:
        context = dict(original_response.context_data)
        form = context.get("form")
        if form is not None:
            context["form"] = type(form)(request)
        context["lockout_message"] = message
        response: HttpResponse = TemplateResponse(
            request, original_response.template_name or "", context, status=status
        )
        response.render()  # type: ignore[attr-defined]
    elif request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "code": "login_locked"}, status=status)
    else:
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = retry_after
    return response


def is_address_locked(request: HttpRequest) -> bool:
    """Whether password guessing from this address has locked it (API tokens check this)."""
    return bool(AxesProxyHandler.is_locked(request, get_credentials(None)))
