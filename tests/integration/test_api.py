"""REST API: authentication, role scoping of every endpoint, decisions, filters, query bounds."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mtm.api_urls import router
from surveys.models import Submission
from tests import factories
from tests.integration import two_teams
from validation.models import Flag, ReviewEvent

pytestmark = pytest.mark.django_db

LISTS = (
    "rounds",
    "locations",
    "quotas",
    "teams",
    "enumerators",
    "submissions",
    "sync-runs",
    "flags",
    "review-decisions",
)
# The query bound holds for every list the router serves (quota progress: one row per quota,
# whatever the interviews, bounded in bench/progress.py).
ALL_LISTS = tuple(prefix for prefix, _, _ in router.registry if prefix != "quota-progress")


def client_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world() -> two_teams.World:
    return two_teams.build()


@pytest.mark.parametrize("endpoint", LISTS)
def test_anonymous_is_refused_everywhere(world: two_teams.World, endpoint: str) -> None:
    response = APIClient().get(f"/api/v1/{endpoint}/")
    assert response.status_code == 401  # token auth first: a WWW-Authenticate challenge


@pytest.mark.parametrize("endpoint", LISTS)
def test_an_enumerator_has_no_api_access_as_in_the_admin(
    world: two_teams.World, endpoint: str
) -> None:
    response = client_for(world.enum_a.user).get(f"/api/v1/{endpoint}/")
    assert response.status_code == 403


def test_token_authentication() -> None:
    user = factories.data_manager(username="warehouse")
    token = Token.objects.create(user=user)
    client = APIClient()
    assert client.get("/api/v1/rounds/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/rounds/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/rounds/").status_code == 401


def test_a_supervisor_sees_only_their_teams_rows(world: two_teams.World) -> None:
    api = client_for(world.sup_a)
    assert ids(api.get("/api/v1/submissions/")) == {s.pk for s in world.subs_a}
    assert ids(api.get("/api/v1/flags/")) == {world.flag_a.pk}
    assert ids(api.get("/api/v1/review-decisions/")) == {world.event_a.pk}
    assert ids(api.get("/api/v1/teams/")) == {world.enum_a.team_id}
    assert ids(api.get("/api/v1/enumerators/")) == {world.enum_a.pk}
    # Set-up data is readable by supervisors in the admin, so here too.
    assert ids(api.get("/api/v1/rounds/")) == {world.round.pk}
    assert len(ids(api.get("/api/v1/locations/"))) == 3
    # Sync runs are for data managers only (supervisors lack the view permission).
    assert api.get("/api/v1/sync-runs/").status_code == 403


@pytest.mark.parametrize(
    ("endpoint", "attr"),
    [
        ("submissions", "subs_b"),
        ("flags", "flag_b"),
        ("review-decisions", "event_b"),
        ("enumerators", "enum_b"),
    ],
)
def test_another_teams_row_is_404(world: two_teams.World, endpoint: str, attr: str) -> None:
    target = getattr(world, attr)
    row = target[0] if isinstance(target, list) else target
    assert client_for(world.sup_a).get(f"/api/v1/{endpoint}/{row.pk}/").status_code == 404
    assert client_for(world.sup_b).get(f"/api/v1/{endpoint}/{row.pk}/").status_code == 200


def test_the_data_manager_sees_everything(world: two_teams.World) -> None:
    api = client_for(world.manager)
    every = {s.pk for s in world.subs_a + world.subs_b}
    assert ids(api.get("/api/v1/submissions/")) == every
    assert ids(api.get("/api/v1/flags/")) == {world.flag_a.pk, world.flag_b.pk}
    assert ids(api.get("/api/v1/sync-runs/")) == {world.sync_run.pk}
    assert len(ids(api.get("/api/v1/teams/"))) == 2


def test_submission_detail_has_the_answers_and_the_list_does_not(world: two_teams.World) -> None:
    api = client_for(world.sup_a)
    listed = api.get("/api/v1/submissions/").json()["results"][0]
    assert "data" not in listed
    detail = api.get(f"/api/v1/submissions/{world.subs_a[0].pk}/").json()
    assert detail["data"]["respondent/age"] == "34"


def test_filters(world: two_teams.World) -> None:
    api = client_for(world.manager)
    held = ids(api.get("/api/v1/submissions/", {"review_status": "on_hold"}))
    assert held == {world.subs_a[1].pk, world.subs_b[1].pk}
    team_b = ids(api.get("/api/v1/submissions/", {"team": world.enum_b.team_id}))
    assert team_b == {s.pk for s in world.subs_b}
    assert ids(api.get("/api/v1/flags/", {"enumerator": world.enum_a.pk})) == {world.flag_a.pk}
    assert ids(api.get("/api/v1/flags/", {"check_code": "gps.outside_district"})) == set()
    bad = api.get("/api/v1/submissions/", {"review_status": "nonsense"})
    assert bad.status_code == 400


def test_date_filters_take_any_iso_offset(world: two_teams.World) -> None:
    # PostgreSQL refuses offsets beyond 15:59 that Python parses (schemathesis found a 500).
    api = client_for(world.manager)
    everything = {s.pk for s in [*world.subs_a, *world.subs_b]}
    early = {"submitted_after": "0274-01-31T23:37:19.992+16:25"}
    assert ids(api.get("/api/v1/submissions/", early)) == everything
    assert ids(api.get("/api/v1/review-decisions/", {"before": "0274-01-31T23:37+16:25"})) == set()
    out_of_range = api.get("/api/v1/submissions/", {"submitted_before": "0001-01-01T00:00+10:00"})
    assert out_of_range.status_code == 400


def test_pagination_is_capped(world: two_teams.World) -> None:
    body = client_for(world.manager).get("/api/v1/submissions/", {"limit": 2}).json()
    assert (body["count"], len(body["results"])) == (6, 2)
    assert body["next"] is not None
    huge = client_for(world.manager).get("/api/v1/submissions/", {"limit": 100000}).json()
    assert len(huge["results"]) == 6  # capped at 500, fewer rows exist


def test_a_supervisor_decides_on_their_teams_interview(world: two_teams.World) -> None:
    target = world.subs_a[0]
    response = client_for(world.sup_a).post(
        "/api/v1/review-decisions/",
        {"interview": target.kobo_id, "decision": "approve", "comment": "checked by phone"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["to_status"] == "approved"
    assert response.json()["actor"] == "sup_a"
    assert response.json()["interview"] == target.kobo_id
    assert Submission.objects.get(pk=target.pk).review_status == "approved"


def test_a_decision_on_another_teams_interview_is_404_and_changes_nothing(
    world: two_teams.World,
) -> None:
    target = world.subs_b[0]
    before = ReviewEvent.objects.count()
    response = client_for(world.sup_a).post(
        "/api/v1/review-decisions/",
        {"interview": target.kobo_id, "decision": "approve"},
        format="json",
    )
    assert response.status_code == 404
    assert Submission.objects.get(pk=target.pk).review_status == "flagged"
    assert ReviewEvent.objects.count() == before


def test_an_enumerator_cannot_decide(world: two_teams.World) -> None:
    target = world.subs_a[0]
    response = client_for(world.enum_a.user).post(
        "/api/v1/review-decisions/",
        {"interview": target.kobo_id, "decision": "approve"},
        format="json",
    )
    assert response.status_code == 404
    assert Submission.objects.get(pk=target.pk).review_status == "flagged"


@pytest.mark.parametrize(
    ("_case", "payload", "code"),
    [
        ("return without questions", {"decision": "return", "comment": "re-ask"}, "decision_input"),
        ("exclude without reason", {"decision": "exclude"}, "decision_input"),
    ],
)
def test_bad_decisions_are_400_with_a_code(
    world: two_teams.World, _case: str, payload: dict[str, Any], code: str
) -> None:
    target = world.subs_a[0]
    response = client_for(world.sup_a).post(
        "/api/v1/review-decisions/", {"interview": target.kobo_id, **payload}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert Submission.objects.get(pk=target.pk).review_status == "flagged"


def test_an_illegal_transition_is_409(world: two_teams.World) -> None:
    target = world.subs_a[0]
    Submission.objects.filter(pk=target.pk).update(review_status="corrected")
    response = client_for(world.sup_a).post(
        "/api/v1/review-decisions/",
        {"interview": target.kobo_id, "decision": "approve"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("endpoint", ALL_LISTS)
def test_list_queries_do_not_grow_with_rows(endpoint: str) -> None:
    small = two_teams.build(per_team=2)
    api = client_for(small.manager)
    _queries(api, f"/api/v1/{endpoint}/")  # warm the user's permission cache
    few = _queries(api, f"/api/v1/{endpoint}/")
    for n in range(3):  # more of everything: teams, enumerators, interviews, flags, events
        team = factories.TeamFactory.create(name=f"extra {n}")
        team.locations.add(factories.DistrictFactory.create())
        enum = factories.EnumeratorFactory.create(team=team)
        for sub in factories.SubmissionFactory.create_batch(5, enumerator=enum):
            Flag.objects.create(
                submission=sub, check_code="gps.outside_district", severity="minor", message="m"
            )
            ReviewEvent.objects.create(submission=sub, from_status="received", to_status="clean")
    assert _queries(api, f"/api/v1/{endpoint}/") == few
    assert few <= 5  # role lookup, count, page (and one prefetch for teams)


def test_quota_progress_endpoint_is_scoped(world: two_teams.World) -> None:
    bos = world.subs_a[0].location
    factories.QuotaFactory.create(round=world.round, location=bos, sex="female", target=5)
    url = f"/api/v1/quota-progress/?round={world.round.pk}"
    assert client_for(world.enum_a.user).get(url).status_code == 403
    assert client_for(world.manager).get("/api/v1/quota-progress/").status_code == 400
    assert client_for(world.manager).get("/api/v1/quota-progress/?round=999999").status_code == 404
    rows = client_for(world.sup_b).get(url).json()
    assert [(r["location_code"], r["sex"], r["target"], r["collected"]) for r in rows] == [
        ("KZ-ALA-BOS", "female", 5, 0)
    ]
