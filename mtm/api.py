"""DRF glue shared by the apps: domain errors become 4xx JSON with a stable code."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mtm.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map DomainError to 400 {"detail", "code"}; defer to DRF for everything else."""
    if isinstance(exc, DomainError):
        status = getattr(exc, "http_status", 400)
        return Response({"detail": exc.message, "code": exc.code}, status=status)
    return drf_exception_handler(exc, context)
