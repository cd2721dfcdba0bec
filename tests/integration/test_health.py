"""/healthz reports the database and the broker, 200 when both answer, else 503."""

import os

import pytest
from django.db import connection
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_with_the_configured_services(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "up", "vendor": connection.vendor}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_is_503_when_the_broker_is_unreachable(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "down"
    assert "127.0.0.1:1" not in response.content.decode()


def test_ci_runs_on_the_real_services() -> None:
    """In CI (MTM_REQUIRE_SERVICES=True) the suite must run on PostgreSQL with a Redis broker."""
    if os.environ.get("MTM_REQUIRE_SERVICES") != "True":
        assert connection.vendor in ("sqlite", "postgresql")
        return
    assert connection.vendor == "postgresql"
    response = Client().get("/healthz")
    assert response.json()["checks"]["broker"] == {"status": "up", "mode": "broker"}
