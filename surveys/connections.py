"""Build a KoBo client for a configured server, with timeouts and retries from settings."""

from django.conf import settings

from surveys.kobo.client import KoboClient
from surveys.kobo.errors import KoboAuthError
from surveys.models import KoboServer


def client_for(server: KoboServer) -> KoboClient:
    """A client for the server; KoboAuthError if it has no token (one is cleared on a move)."""
    if not server.api_token:
        raise KoboAuthError(
            f"No API token is stored for the KoBo server {server.name!r} ({server.base_url}): "
            "enter it in the admin (KoBo servers)."
        )
    return KoboClient(
        server.base_url,
        server.api_token,
        timeout=(settings.KOBO_CONNECT_TIMEOUT_S, settings.KOBO_TIMEOUT_S),
        page_size=settings.KOBO_PAGE_SIZE,
        retries=settings.KOBO_RETRIES,
    )


def default_server() -> KoboServer:
    """The server named by KOBO_URL/KOBO_TOKEN, registered on first use."""
    server, created = KoboServer.objects.get_or_create(
        base_url=settings.KOBO_URL.rstrip("/"),
        defaults={"name": settings.KOBO_URL, "api_token": settings.KOBO_TOKEN},
    )
    if not created and server.api_token != settings.KOBO_TOKEN:
        server.set_token(settings.KOBO_TOKEN)
        server.save(update_fields=["api_token"])
    return server
