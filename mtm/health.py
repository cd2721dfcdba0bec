"""/healthz: database and broker reachability as JSON (200 when all is well, else 503)."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from kombu.exceptions import OperationalError


def _database() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up", "vendor": connection.vendor}


def _broker() -> dict[str, str]:
    if not settings.CELERY_BROKER_URL:
        return {"status": "up", "mode": "eager (no broker configured)"}
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (OperationalError, OSError) as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up", "mode": "broker"}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency; never echo URLs or credentials."""
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(check["status"] == "up" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
