"""Exports: the clean dataset and the cleaning log, built through the API, read back, checked."""

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from surveys.models import Submission
from tests.integration import round_data
from validation.models import ExportJob, Flag, ReviewEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Path) -> None:
    settings.MTM_EXPORT_DIR = tmp_path


@pytest.fixture
def rd() -> round_data.RoundData:
    return round_data.build()


def export(
    user: Any, rd: round_data.RoundData, kind: str, fmt: str, capture: Any
) -> tuple[ExportJob, bytes]:
    api = APIClient()
    api.force_authenticate(user)
    with capture(execute=True):
        response = api.post(
            "/api/v1/exports/", {"kind": kind, "round": rd.round.pk, "format": fmt}, format="json"
        )
    assert response.status_code == 201, response.content
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert job.status == ExportJob.Status.DONE, job.error
    progress = api.get(f"/api/v1/exports/{job.pk}/").json()
    assert progress["percent"] == 100
    download = api.get(f"/api/v1/exports/{job.pk}/download/")
    assert download.status_code == 200
    return job, download.getvalue()  # type: ignore[attr-defined]


def read_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_clean_dataset_has_only_approved_eligible_interviews_without_personal_data(
    rd: round_data.RoundData, django_capture_on_commit_callbacks: Any
) -> None:
    keep = round_data.add(
        rd,
        round_data.answers(1, "KZ-ALA-BOS", **{"wellbeing/phone": "+77071234567"}),
    )
    other_team = round_data.add(rd, round_data.answers(2, "KZ-ALA-MED"), team="b")
    round_data.add(rd, round_data.answers(3, "KZ-ALA-BOS"), status="flagged")
    round_data.add(rd, round_data.answers(4, "KZ-ALA-BOS"), verdict="ineligible")
    round_data.add(rd, round_data.answers(5, "KZ-ALA-BOS"), verdict="unknown")
    gone = round_data.add(rd, round_data.answers(6, "KZ-ALA-BOS"))
    Submission.objects.filter(pk=gone.pk).update(deleted_at=gone.submission_time)
    # A correction made in KoBo arrives by sync: the dataset shows the corrected answer.
    keep.data["employment/remit_share"] = "25"
    keep.save(update_fields=["data"])

    job, body = export(rd.manager, rd, "clean_dataset", "csv", django_capture_on_commit_callbacks)
    rows = read_csv(body)
    assert sorted(int(r["_submission_id"]) for r in rows) == sorted([keep.pk, other_team.pk])
    assert job.rows_done == 2
    header = list(rows[0])
    for personal in ("wellbeing/phone", "wellbeing/gps", "deviceid", "wellbeing/comments"):
        assert personal not in header
    assert "+77071234567" not in body.decode("utf-8-sig")
    mine = next(r for r in rows if int(r["_submission_id"]) == keep.pk)
    for path in ("screening/age", "profile/sex", "migration/origin_country", "profile/education"):
        assert mine[path] == keep.data[path]
    assert mine["employment/remit_share"] == "25"
    assert mine["_enumerator"] == "enum_a"
    assert mine["_location"] == "KZ-ALA-BOS"
    if "profile/children" in keep.data:
        assert '"profile/children/child_age"' in mine["profile/children"]


def test_a_supervisor_exports_only_their_team(
    rd: round_data.RoundData, django_capture_on_commit_callbacks: Any
) -> None:
    mine = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"))
    round_data.add(rd, round_data.answers(2, "KZ-ALA-MED"), team="b")
    _, body = export(rd.sup_a, rd, "clean_dataset", "xlsx", django_capture_on_commit_callbacks)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][0] == "_submission_id"
    assert [row[0] for row in table[1:]] == [mine.pk]
    age = table[0].index("screening/age")
    assert table[1][age] == mine.data["screening/age"]


def test_an_enumerator_cannot_export_and_nothing_is_queued(rd: round_data.RoundData) -> None:
    api = APIClient()
    api.force_authenticate(rd.enum_a.user)
    response = api.post(
        "/api/v1/exports/", {"kind": "clean_dataset", "round": rd.round.pk}, format="json"
    )
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_someone_elses_export_is_404(
    rd: round_data.RoundData, django_capture_on_commit_callbacks: Any
) -> None:
    round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"))
    job, _ = export(rd.sup_a, rd, "clean_dataset", "csv", django_capture_on_commit_callbacks)
    api = APIClient()
    api.force_authenticate(rd.sup_b)
    assert api.get(f"/api/v1/exports/{job.pk}/").status_code == 404
    assert api.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404


def test_cleaning_log_has_a_row_per_flag_and_decision(
    rd: round_data.RoundData, django_capture_on_commit_callbacks: Any
) -> None:
    data = round_data.answers(1, "KZ-ALA-BOS", **{"employment/sends_money": "yes"})
    sub = round_data.add(rd, {**data, "employment/remit_share": "140"}, status="returned")
    Flag.objects.create(
        submission=sub,
        check_code="skip_logic.constraint",
        path="employment/remit_share",
        severity="major",
        message="Share of income sent home must be between 0 and 100 but is 140.",
        values={"/data/employment/remit_share": "140"},
        status=Flag.Status.RESOLVED,
    )
    ReviewEvent.objects.create(
        submission=sub,
        actor=rd.sup_a,
        from_status="flagged",
        to_status="returned",
        comment="Please re-ask the share",
        questions=["employment/remit_share"],
    )
    # The enumerator corrected it in KoBo.
    sub.data["employment/remit_share"] = "40"
    sub.save(update_fields=["data"])
    round_data.add(rd, round_data.answers(2, "KZ-ALA-MED"), team="b")  # no flag, no decision

    _, body = export(rd.manager, rd, "cleaning_log", "csv", django_capture_on_commit_callbacks)
    rows = read_csv(body)
    assert list(rows[0])[:8] == [
        "uuid",
        "kobo_id",
        "interview_date",
        "enumerator",
        "location",
        "question.name",
        "question.label",
        "old.value",
    ]
    assert len(rows) == 2
    flag_row, decision_row = rows
    assert flag_row["uuid"] == sub.root_uuid
    assert flag_row["question.name"] == "employment/remit_share"
    assert flag_row["question.label"] == "What share of your income do you send home (%)?"
    assert (flag_row["old.value"], flag_row["new.value"], flag_row["changed"]) == (
        "140",
        "40",
        "yes",
    )
    assert (flag_row["check"], flag_row["actor"]) == ("skip_logic.constraint", "system")
    assert decision_row["decision"] == "returned"
    assert decision_row["actor"] == "sup_a"
    assert decision_row["comment"] == "Please re-ask the share"
    assert decision_row["question.name"] == "employment/remit_share"


def _tricky_round(rd: round_data.RoundData) -> list[Submission]:
    """Interviews whose answers test the COPY path: repeats with personal data, nulls, JSON
    numbers and booleans, formula text, quotes and line breaks, a missing enumerator."""
    answers = round_data.answers(11, "KZ-ALA-BOS")
    hostile = {
        **answers,
        "screening/age": 34,
        "profile/sex": None,
        "profile/education": '=HYPERLINK("http://x.example","a")',
        "migration/origin_country": 'say "hi",\nthen\\go',
        "employment/remit_share": -5,
        "wellbeing/satisfaction": True,
        "profile/children": [
            {"profile/children/child_age": "7", "deviceid": "Aida's phone"},
            "odd entry",
        ],
    }
    subs = [
        round_data.add(rd, answers),
        round_data.add(rd, hostile),
        round_data.add(rd, {"only": "this"}, team="b"),
    ]
    orphan = subs[2]
    Submission.objects.filter(pk=orphan.pk).update(
        enumerator=None, location=None, submitted_by="kobo_user", ended_at=None
    )
    return subs


@pytest.mark.parametrize(
    "_zone",
    ["Asia/Almaty", "America/St_Johns", "Asia/Kolkata"],  # +05, -03:30 (DST), +05:30
)
def test_the_copy_path_yields_the_rows_of_the_orm_path(
    rd: round_data.RoundData, settings: Any, _zone: str
) -> None:
    from validation.exports import clean_dataset, copy_lines

    settings.TIME_ZONE = _zone
    first = _tricky_round(rd)[0]
    # Before standard time: an offset in seconds (local mean time), and a fraction of a second.
    old = dt.datetime(1880, 7, 1, 12, 0, 59, 999999, tzinfo=dt.UTC)
    Submission.objects.filter(pk=first.pk).update(started_at=old)
    shape = clean_dataset.layout(rd.round.pk)
    assert "profile/children" in shape.repeats
    subs = clean_dataset.clean_submissions(Submission.objects.all(), rd.round.pk)
    expected = list(clean_dataset.clean_rows(subs, shape))
    assert len(expected) == 3
    assert list(copy_lines.xlsx_rows(subs, shape)) == expected
    children = expected[1][shape.header.index("profile/children")]
    assert "Aida" not in children  # personal data removed inside the repeat
    assert '"profile/children/child_age": "7"' in children


def test_csv_and_xlsx_hold_the_same_escaped_values(
    rd: round_data.RoundData, django_capture_on_commit_callbacks: Any
) -> None:
    subs = _tricky_round(rd)
    _, csv_body = export(rd.manager, rd, "clean_dataset", "csv", django_capture_on_commit_callbacks)
    _, xlsx_body = export(
        rd.manager, rd, "clean_dataset", "xlsx", django_capture_on_commit_callbacks
    )
    table = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"), newline="")))
    sheet = load_workbook(io.BytesIO(xlsx_body), read_only=True).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == table[0]
    assert len(cells) == len(table) == 4
    for from_xlsx, from_csv in zip(cells[1:], table[1:], strict=True):
        as_text = [
            "" if v is None else str(v).replace("\n", "\r") if "\r" in c else str(v)
            for v, c in zip(
                from_xlsx + [None] * (len(from_csv) - len(from_xlsx)), from_csv, strict=True
            )
        ]
        assert as_text == from_csv
    hostile = next(r for r in cells[1:] if r[0] == subs[1].pk)
    header = cells[0]
    assert hostile[header.index("profile/education")].startswith("'=HYPERLINK")
    assert hostile[header.index("screening/age")] == 34  # a JSON number stays a number
    assert hostile[header.index("employment/remit_share")] == -5
    orphan = next(r for r in table[1:] if int(r[0]) == subs[2].pk)
    assert (orphan[7], orphan[8], orphan[5]) == ("kobo_user", "", "")
