"""DRF glue shared by the apps: domain errors become 4xx JSON with a stable code."""

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mtm.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map DomainError to 400 {"detail", "code"}; defer to DRF for everything else."""
    if isinstance(exc, DomainError):
        status = getattr(exc, "http_status", 400)
        return Response({"detail": exc.message, "code": exc.code}, status=status)
    response = drf_exception_handler(exc, context)
    # A client tells "log in again" (not_authenticated, authentication_failed, token_expired)
    # from "wait" (throttled, login_locked) by the code, not by the translated text.
    if (
        response is not None
        and isinstance(response.data, dict)
        and isinstance(
            exc,
            (exceptions.AuthenticationFailed, exceptions.NotAuthenticated, exceptions.Throttled),
        )
    ):
        response.data.setdefault("code", exc.get_codes())
    return response


class Pagination(LimitOffsetPagination):
    """?limit=&offset= pages; a cap keeps one request from pulling a whole round."""

    default_limit = 50
    max_limit = 500


class ModelPermissions(DjangoModelPermissions):
    """The admin's model-level rule: reading needs the model's view permission.

    Row-level scoping is the selectors' job (the same ones the admin's get_queryset calls).
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
