"""The access log: append-only down to the database, written by every view, reveal, export and
admin change, read and exported by data managers only."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from surveys.models import Round, Submission
from tests import factories
from tests.integration import round_data
from validation.models import AccessLog
from validation.models.access_log import AccessLogChangeError
from validation.privacy import audit

pytestmark = pytest.mark.django_db
LOG_URL = "/admin/validation/accesslog/"


@pytest.fixture
def rd() -> round_data.RoundData:
    return round_data.build()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def interview(rd: round_data.RoundData, team: str = "a") -> Submission:
    data = round_data.answers(5, "KZ-ALA-BOS" if team == "a" else "KZ-ALA-MED")
    return round_data.add(rd, data, team=team, status=Submission.ReviewStatus.FLAGGED)


def read_csv(response: Any) -> list[dict[str, str]]:
    body = response.getvalue().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_rows_cannot_be_changed_or_deleted_through_the_orm(rd: round_data.RoundData) -> None:
    row = audit.record(actor=rd.sup_a, action=AccessLog.Action.VIEW, submission=interview(rd))
    row.field = "tampered"
    with pytest.raises(AccessLogChangeError):
        row.save()
    with pytest.raises(AccessLogChangeError):
        row.delete()
    with pytest.raises(AccessLogChangeError):
        AccessLog.objects.filter(pk=row.pk).update(actor_name="nobody")
    with pytest.raises(AccessLogChangeError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().actor_name == "sup_a"


@pytest.mark.parametrize(
    ("_case", "sql"),
    [
        ("update", "UPDATE validation_accesslog SET actor_name = 'nobody'"),
        ("delete", "DELETE FROM validation_accesslog"),
    ],
)
def test_the_database_refuses_changes_too(rd: round_data.RoundData, _case: str, sql: str) -> None:
    assert connection.vendor == "postgresql"
    audit.record(actor=rd.sup_a, action=AccessLog.Action.VIEW, submission=interview(rd))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AccessLog.objects.get().actor_name == "sup_a"


def test_deleting_a_user_or_an_interview_keeps_their_rows(rd: round_data.RoundData) -> None:
    sub = interview(rd)
    someone = factories.supervisor(username="leaver")
    audit.record(actor=someone, action=AccessLog.Action.VIEW, submission=sub)
    someone.delete()
    Submission.objects.filter(pk=sub.pk).delete()
    row = AccessLog.objects.get()
    assert (row.actor_name, row.object_repr, row.object_id) == (
        "leaver",
        f"Interview #{sub.kobo_id}",
        str(sub.pk),
    )


def test_only_data_managers_see_the_page_and_nobody_edits_it(rd: round_data.RoundData) -> None:
    sub = interview(rd)
    client_for(rd.sup_a).get(f"/admin/review/{sub.kobo_id}/")
    row = AccessLog.objects.get()
    manager = client_for(rd.manager)
    page = manager.get(LOG_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "sup_a" in html
    assert f"Interview #{sub.kobo_id}" in html
    assert 'id="access-log-export"' in html
    assert "Add access log entry" not in html
    assert manager.get(f"{LOG_URL}add/").status_code == 403
    assert manager.post(f"{LOG_URL}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    detail = manager.post(f"{LOG_URL}{row.pk}/change/", {"actor_name": "nobody"})
    assert detail.status_code == 403  # a read-only view at most
    assert AccessLog.objects.get(pk=row.pk).actor_name == "sup_a"
    assert "Access log" in manager.get("/admin/").content.decode()

    supervisor = client_for(rd.sup_a)
    assert supervisor.get(LOG_URL).status_code == 403
    assert supervisor.get(f"{LOG_URL}export/").status_code == 403
    assert "Access log" not in supervisor.get("/admin/").content.decode()
    enumerator = client_for(factories.enumerator_user(username="enum_user"))
    assert enumerator.get(LOG_URL).status_code == 302  # not staff: the admin's login
    assert APIClient().get("/api/v1/").status_code == 401
    # Denied requests leave no export row behind.
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_export_is_csv_with_the_page_s_filters_and_is_logged(rd: round_data.RoundData) -> None:
    sub = interview(rd)
    client_for(rd.sup_a).get(f"/admin/review/{sub.kobo_id}/")
    client_for(rd.sup_a).post(f"/admin/review/{sub.kobo_id}/reveal/", {"path": "wellbeing/gps"})
    manager = client_for(rd.manager)
    everything = manager.get(f"{LOG_URL}export/")
    assert everything["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(everything)
    assert [r["action"] for r in rows] == ["view", "reveal"]  # oldest first, up to the export
    assert list(rows[0]) == list(audit.COLUMNS)
    reveal = rows[1]
    assert (reveal["user"], reveal["field"], reveal["object"]) == (
        "sup_a",
        "wellbeing/gps",
        f"Interview #{sub.kobo_id}",
    )
    assert reveal["ip"] == "127.0.0.1"
    only_reveals = read_csv(manager.get(f"{LOG_URL}export/", {"action__exact": "reveal"}))
    assert [r["action"] for r in only_reveals] == ["reveal"]
    exports = AccessLog.objects.filter(action="export")
    assert [(e.actor_name, e.object_type) for e in exports] == [
        ("manager", "validation.accesslog"),
        ("manager", "validation.accesslog"),
    ]


def test_admin_changes_reach_the_log_once(rd: round_data.RoundData) -> None:
    manager = client_for(rd.manager)
    response = manager.post(
        f"/admin/surveys/round/{rd.round.pk}/change/",
        {
            "country": rd.round.country,
            "number": rd.round.number,
            "name": "Round renamed",
            "fieldwork_start": str(rd.round.fieldwork_start),
            "fieldwork_end": str(rd.round.fieldwork_end),
            "status": rd.round.status,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Round.objects.get(pk=rd.round.pk).name == "Round renamed"
    assert "Round renamed" in manager.get(LOG_URL).content.decode()
    manager.get(LOG_URL)
    assert audit.import_admin_changes() == 0
    change = AccessLog.objects.get(action="change")
    assert (change.actor_name, change.object_type, change.object_id, change.channel) == (
        "manager",
        "surveys.round",
        str(rd.round.pk),
        "admin",
    )
    assert change.detail["admin_action"] == "changed"
    assert "Name" in change.detail["message"]


def test_streamed_and_downloaded_exports_are_logged(
    rd: round_data.RoundData, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MTM_EXPORT_DIR = tmp_path
    interview(rd)
    streamed = client_for(rd.manager).get(
        f"/admin/dashboards/rounds/{rd.round.pk}/export/cleaning_log.csv"
    )
    assert streamed.status_code == 200
    streamed.getvalue()
    api = APIClient()
    api.force_authenticate(rd.manager)
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(
            "/api/v1/exports/",
            {"kind": "clean_dataset", "round": rd.round.pk, "format": "xlsx"},
            format="json",
        ).json()
    assert not AccessLog.objects.filter(channel="api").exists()  # queued is not handed out
    assert api.get(f"/api/v1/exports/{job['id']}/download/").status_code == 200
    rows = [
        (r.action, r.channel, r.detail, r.object_type)
        for r in AccessLog.objects.order_by("at", "pk")
    ]
    assert rows == [
        (
            "export",
            "dashboard",
            {"kind": "cleaning_log", "format": "csv", "round": rd.round.pk},
            "export",
        ),
        (
            "export",
            "api",
            {"kind": "clean_dataset", "format": "xlsx", "round": rd.round.pk},
            "validation.exportjob",
        ),
    ]


def test_a_user_without_export_rights_leaves_no_export_row(rd: round_data.RoundData) -> None:
    user_model = get_user_model()
    outsider = user_model.objects.create_user("outsider", password="x" * 12, is_staff=True)
    response = client_for(outsider).get(
        f"/admin/dashboards/rounds/{rd.round.pk}/export/cleaning_log.csv"
    )
    assert response.status_code == 403
    assert not AccessLog.objects.exists()
