"""/healthz reports the database and the broker, 200 when both answer, else 503."""

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


def test_the_suite_runs_on_the_real_services() -> None:
    """The suite runs on PostgreSQL with a Redis broker (make test and CI set both), so a run on
    SQLite or without a broker fails here instead of passing on what it could not test."""
    assert connection.vendor == "postgresql"
    response = Client().get("/healthz")
    assert response.json()["checks"]["broker"] == {"status": "up", "mode": "broker"}
