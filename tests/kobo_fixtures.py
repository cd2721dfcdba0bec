"""Fake KoBo fixtures: a fresh store, a live server on 127.0.0.1:0 and a fast-retrying client."""

from collections.abc import Iterator
from typing import Any

import pytest

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.kobo.client import KoboClient
from surveys.models import KoboForm, KoboServer

KOBO_TOKEN = "test-token"
KOBO_USERNAME = "tester"
FORM_UID = "aTestForm8kQ2wZpLx9mVn"

FORM_CONTENT: dict[str, Any] = {
    "schema": "1",
    "survey": [
        {"type": "start", "name": "start", "$xpath": "start"},
        {"type": "end", "name": "end", "$xpath": "end"},
        {"type": "begin_group", "name": "respondent", "$xpath": "respondent"},
        {"type": "integer", "name": "age", "label": ["Age"], "$xpath": "respondent/age"},
        {"type": "text", "name": "name", "label": ["Name"], "$xpath": "respondent/name"},
        {"type": "end_group"},
        {"type": "geopoint", "name": "gps", "label": ["Location"], "$xpath": "gps"},
    ],
    "choices": [],
    "settings": {},
    "translations": [None],
    "translated": ["label"],
}


def add_form(
    store: FakeKoboStore, uid: str = FORM_UID, *, versions: tuple[str, ...] = ("vOld1", "vNew2")
) -> str:
    """Deploy a small test form (last version deployed) and return its uid."""
    store.add_asset(uid, f"Form {uid}", versions=[(v, FORM_CONTENT) for v in versions])
    return uid


def answers(index: int) -> dict[str, Any]:
    """Answers as KoBo stores them: strings, group paths, unanswered questions absent."""
    return {
        "start": "2026-03-02T10:02:11.204+05:00",
        "end": "2026-03-02T10:14:40.911+05:00",
        "respondent/age": str(18 + index % 60),
        "respondent/name": f"Respondent {index}",
        "gps": "43.238 76.945 850 4.5",
    }


@pytest.fixture
def kobo_store() -> FakeKoboStore:
    return FakeKoboStore(token=KOBO_TOKEN, username=KOBO_USERNAME)


@pytest.fixture
def kobo_server(kobo_store: FakeKoboStore) -> Iterator[FakeKoboServer]:
    with FakeKoboServer(kobo_store) as server:
        yield server


@pytest.fixture
def kobo_client(kobo_server: FakeKoboServer) -> KoboClient:
    """Small timeouts and backoff so fault tests stay fast."""
    return KoboClient(kobo_server.url, KOBO_TOKEN, timeout=(1, 2), retries=2, backoff=0.01)


@pytest.fixture
def form(kobo_store: FakeKoboStore, kobo_server: FakeKoboServer) -> KoboForm:
    """The test form, deployed on the fake server and registered here with that server."""
    add_form(kobo_store)
    server = KoboServer.objects.create(name="fake", base_url=kobo_server.url, api_token=KOBO_TOKEN)
    return KoboForm.objects.create(server=server, asset_uid=FORM_UID, name="test form")
