"""Every list endpoint answers 200 or 400 with a message to any filter value, never a 500.

The parameters come from the OpenAPI schema, so a filter added later is fuzzed too.
"""

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.integration import two_teams

pytestmark = pytest.mark.django_db

HOSTILE = (
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "-1",
    "0",
    "1e400",
    "NaN",
    "Infinity",
    "abc",
    "",
    " ",
    "1.5",
    "\x00",
    "1\x00",
    "a\x00b",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31T23:59:59+14:00",
    "99999-01-01",
    "10000",
    "275760",
    "-4713",
    "2024-01-01T25:61:00Z",
    "2024-01-01T00:00:00+16:25",
    "true",
    "maybe",
    "%",
    "'; drop table x; --",
    "🙂",
    "x" * 5000,
)

# Parameters that name the one thing the endpoint shows: a well-formed id of nothing is a 404.
NAMES_A_RESOURCE = {("/api/v1/quota-progress/", "round")}


def _list_parameters(client: APIClient) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    pairs: list[tuple[str, str]] = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        pairs.extend(
            (path, parameter["name"])
            for parameter in get.get("parameters", [])
            if parameter["in"] == "query" and parameter["name"] != "format"
        )
    return pairs


@pytest.fixture
def manager(world: two_teams.World) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.manager)
    return client


@pytest.fixture
def world() -> two_teams.World:
    return two_teams.build()


def test_the_schema_names_the_filters_the_fuzz_relies_on(manager: APIClient) -> None:
    pairs = set(_list_parameters(manager))
    assert ("/api/v1/submissions/", "team") in pairs
    assert ("/api/v1/submissions/", "submitted_after") in pairs
    assert ("/api/v1/flags/", "round") in pairs
    assert ("/api/v1/quota-progress/", "round") in pairs
    assert len({path for path, _ in pairs}) >= 12


def test_every_list_filter_answers_200_or_400_with_a_message(manager: APIClient) -> None:
    failures: list[str] = []
    for path, name in _list_parameters(manager):
        # An endpoint that is a 404 for this user whatever the query (an enumerator's trend)
        # may stay one; anything else must be a page or a 400.
        baseline = manager.get(path).status_code
        for value in HOSTILE:
            response: Any = manager.get(path, {name: value})
            if response.status_code == 200 or response.status_code == baseline == 404:
                continue
            if response.status_code == 404 and (path, name) in NAMES_A_RESOURCE:
                assert response.json()["detail"]
                continue
            if response.status_code == 400:
                body = response.json()
                if isinstance(body, dict) and body and all(body.values()):
                    continue
            failures.append(f"{path}?{name}={value[:30]!r}: {response.status_code}")
    assert not failures, "\n".join(failures[:50])


@pytest.mark.parametrize(
    ("_case", "path", "params", "field"),
    [
        ("huge team", "/api/v1/submissions/", {"team": "99999999999999999999"}, "team"),
        ("huge round", "/api/v1/flags/", {"round": "99999999999999999999"}, "round"),
        ("huge id", "/api/v1/quotas/", {"round": "99999999999999999999"}, "round"),
        ("nul byte", "/api/v1/locations/", {"code": "a\x00b"}, "code"),
        ("odd offset", "/api/v1/submissions/", {"submitted_after": "2024-01-01T00:00+16:25"}, None),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(
    manager: APIClient, _case: str, path: str, params: dict[str, str], field: str | None
) -> None:
    response = manager.get(path, params)
    if field is None:
        assert response.status_code == 200, response.content
        return
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    ("_case", "value", "valid"),
    [
        ("a year", "2024", True),
        ("far future", "99999", False),
        ("year zero", "0", False),
        ("past bigint", "99999999999999999999", False),
        ("not a number", "twenty", False),
    ],
)
def test_a_date_part_lookup_is_bounded_by_what_a_date_can_be(
    world: two_teams.World, _case: str, value: str, valid: bool
) -> None:
    from mtm.api_filters import StrictFilterSet
    from surveys.models import Submission

    class ByYear(StrictFilterSet):
        class Meta:
            model = Submission
            fields = {"submission_time": ["year", "month"], "kobo_id": ["exact", "gt"]}

    filterset = ByYear(data={"submission_time__year": value}, queryset=Submission.objects.all())
    assert filterset.is_valid() is valid, filterset.errors
    if valid:
        assert list(filterset.qs) is not None  # the query runs on PostgreSQL
    else:
        assert "from 1 to 9999" in str(filterset.errors["submission_time__year"])
