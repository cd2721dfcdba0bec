"""The OpenAPI schema: valid, documented offline, and a schemathesis run finds no server error."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from tests.integration import two_teams

pytestmark = pytest.mark.django_db

# The Django app itself, called in-process over WSGI: no server, no socket. The schema is read
# at collection, before any user exists, so it is made public for that one request.
with override_settings(MTM_API_DOCS_PUBLIC=True):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def token() -> Iterator[str]:
    world = two_teams.build()
    # A raw WSGI request closes the DB connection when it ends; the test's transaction lives on
    # that connection, so keep it open as Django's own test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield Token.objects.create(user=world.manager).key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error])


def test_the_schema_is_openapi_3_and_lists_every_resource(manager_client: object) -> None:
    response = manager_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")  # type: ignore[attr-defined]
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    for resource in (
        "rounds",
        "locations",
        "quotas",
        "teams",
        "enumerators",
        "submissions",
        "flags",
        "review-decisions",
        "sync-runs",
    ):
        assert f"/api/v1/{resource}/" in body["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(body["components"]["securitySchemes"])


def test_the_interactive_docs_use_local_assets_only(manager_client: object) -> None:
    html = manager_client.get("/api/docs/").content.decode()  # type: ignore[attr-defined]
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
