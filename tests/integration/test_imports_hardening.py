"""Imports, hardened: parent loops, encodings, size limit, staff accounts, background jobs."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from surveys.imports.jobs import retry_import, run_import
from surveys.models import Enumerator, ImportJob, Location
from surveys.resources import BulkLocationResource, EnumeratorResource, LocationResource
from surveys.roles import ENUMERATOR, SUPERVISOR
from tests import factories

ROOT = Path(__file__).resolve().parents[2]

LOCATIONS = """code,kind,parent,name_en,name_ru,name_kk,aliases
KZ-AST,city,,Astana,Астана,Астана,Nur-Sultan
KZ-AST-ESI,district,Nur-Sultan,Esil,Есильский,Есіл,
KZ-AST-SAR,district,KZ-AST,Saryarka,Сарыарка,Сарыарқа,
KZ-SHY,city,,Shymkent,Шымкент,Шымкент,Symkent
"""


def _csv(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text, format="csv")


def _errors(result: Any) -> list[tuple[int, str]]:
    found = [(line, str(err.error)) for line, errs in result.row_errors() for err in errs]
    found += [(row.number, str(row.error_dict)) for row in result.invalid_rows]
    return sorted(found)


def _upload(client: Client, model: str, data: bytes, name: str, fmt: str = "0") -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        f"/admin/surveys/{model}/import/", {"import_file": upload, "format": fmt, "resource": "0"}
    )


# Parent loops ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("_case", "row"),
    [
        ("new row names itself", "KZ-X,district,KZ-X,Loop,,,"),
        ("new row names itself in other case", "KZ-X,district,kz-x,Loop,,,"),
        ("existing row names itself", "KZ-AST-SAR,district,KZ-AST-SAR,Saryarka,,,"),
    ],
)
def test_a_location_cannot_be_its_own_parent(_case: str, row: str) -> None:
    LocationResource().import_data(_csv(LOCATIONS), dry_run=False)
    result = LocationResource().import_data(
        _csv("code,kind,parent,name_en,name_ru,name_kk,aliases\n" + row + "\n"),
        dry_run=False,
        raise_errors=False,
    )
    [(line, reason)] = _errors(result)
    assert line == 1
    assert re.search(r"cannot be its own parent|inside itself: KZ-AST-SAR → KZ-AST-SAR", reason)
    assert Location.objects.get(code="KZ-AST-SAR").parent == Location.objects.get(code="KZ-AST")
    assert not Location.objects.filter(code="KZ-X").exists()


@pytest.mark.django_db
def test_a_parent_loop_through_another_location_is_refused() -> None:
    LocationResource().import_data(_csv(LOCATIONS), dry_run=False)
    # KZ-AST-SAR under KZ-AST-ESI is fine; then KZ-AST-ESI under KZ-AST-SAR closes a loop.
    text = (
        "code,kind,parent,name_en\n"
        "KZ-AST-SAR,district,KZ-AST-ESI,Saryarka\n"
        "KZ-AST-ESI,district,Saryarka,Esil\n"
    )
    result = LocationResource().import_data(_csv(text), dry_run=False, raise_errors=False)
    [(line, reason)] = _errors(result)
    assert line == 2
    assert "KZ-AST-ESI → KZ-AST-SAR → KZ-AST-ESI" in reason
    # All or nothing: the first row's change is rolled back too.
    assert Location.objects.get(code="KZ-AST-SAR").parent == Location.objects.get(code="KZ-AST")
    assert Location.objects.get(code="KZ-AST-ESI").parent == Location.objects.get(code="KZ-AST")


# Encodings and file checks --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("_case", "encoding"),
    [
        ("utf-8 with BOM", "utf-8-sig"),
        ("windows-1251", "cp1251"),
        ("koi8-r", "koi8_r"),
        ("utf-16 with BOM (Excel's Unicode text)", "utf-16"),
        ("utf-16-le without BOM", "utf-16-le"),
    ],
)
def test_admin_imports_csv_in_common_encodings(
    manager_client: Client, _case: str, encoding: str
) -> None:
    text = LOCATIONS.replace("Сарыарқа", "Сарыарка").replace("Есіл", "Есиль")  # cp1251 has no қ, і
    response = _upload(manager_client, "location", text.encode(encoding), "locations.csv")
    assert response.status_code == 200
    assert response.context.get("confirm_form") is not None, response.content.decode()[-3000:]
    response = manager_client.post(
        "/admin/surveys/location/process_import/", response.context["confirm_form"].initial
    )
    assert response.status_code == 302
    assert Location.objects.get(code="KZ-AST-ESI").name_ru == "Есильский"
    assert Location.objects.get(code="KZ-SHY").name_ru == "Шымкент"
    assert Location.objects.get(code="KZ-AST-ESI").parent == Location.objects.get(code="KZ-AST")


@pytest.mark.django_db
def test_kazakh_letters_in_kz1048_are_read_as_kazakh(manager_client: Client) -> None:
    text = (
        "code,kind,parent,name_en,name_kk\nKZ-ABY,region,,Abay,Абай облысы\n"
        "KZ-ZHT,region,,Zhetysu,Жетісу облысы\nKZ-ULY,region,,Ulytau,Ұлытау облысы\n"
    )
    response = _upload(manager_client, "location", text.encode("kz1048"), "regions.csv")
    assert response.context.get("confirm_form") is not None, response.content.decode()[-3000:]
    manager_client.post(
        "/admin/surveys/location/process_import/", response.context["confirm_form"].initial
    )
    assert Location.objects.get(code="KZ-ZHT").name_kk == "Жетісу облысы"
    assert Location.objects.get(code="KZ-ULY").name_kk == "Ұлытау облысы"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("_case", "data", "fmt", "message"),
    [
        ("binary noise", bytes(range(256)) * 8, "0", "Could not read the file as text"),
        ("csv sent as xlsx", LOCATIONS.encode(), "1", r"This is not an Excel \(XLSX\) file"),
        ("empty file", b"", "0", "The submitted file is empty|The file is empty"),
    ],
)
def test_an_unreadable_file_gets_a_plain_reason(
    manager_client: Client, _case: str, data: bytes, fmt: str, message: str
) -> None:
    name = "locations.xlsx" if fmt == "1" else "locations.csv"
    response = _upload(manager_client, "location", data, name, fmt)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(message, body), body[-3000:]
    assert "UnicodeDecodeError" not in body
    assert "encountered while trying to read file" not in body
    assert Location.objects.count() == 0


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    manager_client: Client, settings: Any
) -> None:
    settings.MTM_IMPORT_MAX_BYTES = 2048
    body = LOCATIONS + "".join(f"KZ-R{i:04d},region,,Region {i},,,\n" for i in range(100))
    response = _upload(manager_client, "location", body.encode(), "big.csv")
    assert response.status_code == 200
    assert "the largest accepted is 0.0 MB" in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert Location.objects.count() == 0
    assert ImportJob.objects.count() == 0


# Staff accounts ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("_case", ["supervisor (staff)", "superuser", "other role, not staff"])
def test_an_enumerator_named_like_a_privileged_account_is_refused(_case: str) -> None:
    team = factories.TeamFactory.create(name="Astana A")
    if _case == "supervisor (staff)":
        account = factories.supervisor(username="sup_astana")
    elif _case == "superuser":
        account = get_user_model().objects.create_superuser("sup_astana", password="x-Mtm-2024")
    else:
        account = factories.UserFactory.create(username="sup_astana")
        account.groups.add(factories.Group.objects.get(name=SUPERVISOR))
    groups_before = sorted(account.groups.values_list("name", flat=True))
    text = (
        "kobo_username,full_name,sex,team\n"
        f"enum01,Aigerim,F,{team.name}\nsup_astana,Boss,M,{team.name}\n"
    )
    result = EnumeratorResource().import_data(_csv(text), dry_run=False, raise_errors=False)
    [(line, reason)] = _errors(result)
    assert line == 2
    assert "sup_astana" in reason
    assert "cannot share it" in reason
    account.refresh_from_db()
    assert sorted(account.groups.values_list("name", flat=True)) == groups_before
    assert ENUMERATOR not in groups_before
    assert account.is_staff == (_case != "other role, not staff")
    assert not Enumerator.objects.exists()
    assert not get_user_model().objects.filter(username="enum01").exists()


@pytest.mark.django_db
def test_the_admin_preview_shows_the_staff_refusal_and_offers_no_confirm(
    manager_client: Client,
) -> None:
    factories.TeamFactory.create(name="Astana A")
    text = "kobo_username,full_name,sex,team\nmanager,Someone,F,Astana A\n"
    response = _upload(manager_client, "enumerator", text.encode(), "enumerators.csv")
    assert "staff account" in response.content.decode()
    assert response.context.get("confirm_form") is None
    manager = get_user_model().objects.get(username="manager")
    assert not manager.groups.filter(name=ENUMERATOR).exists()


# Background jobs --------------------------------------------------------------------------


def _regions(count: int, *, bad_line: int | None = None) -> bytes:
    rows = ["code,kind,parent,name_en,name_ru"]
    for i in range(1, count + 1):
        kind = "village" if i == bad_line else "region"
        rows.append(f"KZ-R{i:05d},{kind},,Region {i},Регион {i}")
    return ("\n".join(rows) + "\n").encode("cp1251")


@pytest.mark.django_db
def test_a_large_file_is_imported_in_the_background_with_a_progress_page(
    manager_client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MTM_IMPORT_BACKGROUND_ROWS = 50
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(manager_client, "location", _regions(120), "regions.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/surveys/location/import/jobs/{job.pk}/"
    assert job.status == ImportJob.Status.DONE, (job.error, job.errors)
    assert (job.rows_total, job.rows_done, job.created, job.encoding) == (120, 120, 120, "cp1251")
    assert job.content == b""  # the file is not kept once imported
    assert Location.objects.get(code="KZ-R00007").name_ru == "Регион 7"
    page = manager_client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "100%" in body
    assert 'http-equiv="refresh"' not in body  # finished: no more polling


@pytest.mark.django_db
def test_a_background_import_with_a_bad_row_imports_nothing_and_shows_the_line(
    manager_client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MTM_IMPORT_BACKGROUND_ROWS = 50
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(manager_client, "location", _regions(120, bad_line=77), "r.csv")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert [e["line"] for e in job.errors] == [78]  # the 77th data row: the header is line 1
    assert "not a valid choice" in job.errors[0]["message"]
    assert Location.objects.count() == 0
    body = manager_client.get(response["Location"]).content.decode()
    assert "nothing was imported" in body
    assert '<td class="num">78</td>' in body
    assert "Run again" not in body  # the same file would fail again: fix it and upload


@pytest.mark.django_db
def test_a_supervisor_cannot_see_an_import_job(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = factories.data_manager(username="manager")
    job = ImportJob.objects.create(
        kind="locations", format="csv", file_name="x.csv", content=b"x", requested_by=manager
    )
    client = Client()
    client.force_login(factories.supervisor(username="sup"))
    response = client.get(f"/admin/surveys/location/import/jobs/{job.pk}/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_bulk_location_import_makes_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    """Linear, not quadratic: the queries do not grow with the rows (batched writes)."""
    if connection.vendor != "postgresql":
        pytest.skip("the bulk path reserves ids from a PostgreSQL sequence")
    rows = ["code,kind,parent,name_en,aliases"]
    rows += [f"KZ-T{t},region,,Top {t},T{t}" for t in range(10)]
    rows += [f"KZ-T{i % 10}-{i:05d},district,T{i % 10},District {i}," for i in range(1990)]
    dataset = _csv("\n".join(rows) + "\n")
    with django_assert_max_num_queries(20):
        result = BulkLocationResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert result.totals["new"] == 2000
    assert Location.objects.filter(parent__code="KZ-T3").count() == 199


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_nothing_and_runs_again(tmp_path: Path) -> None:
    """SIGKILL the importing process half-way: no row is left; the job is then re-run."""
    if connection.vendor != "postgresql":
        pytest.skip("progress is written from a second connection on PostgreSQL only")
    manager = factories.data_manager(username="manager")
    total = 8000
    job = ImportJob.objects.create(
        kind="locations",
        format="csv",
        file_name="regions.csv",
        content=_regions(total),
        requested_by=manager,
        rows_total=total,
    )
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "mtm.settings",
    }
    code = (
        "import django; django.setup(); from surveys.imports.jobs import run_import; "
        f"run_import(job_id={str(job.pk)!r})"
    )
    worker = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            job.refresh_from_db()
            if job.rows_done >= 1500:  # past the first written batch of 1,000
                break
            time.sleep(0.05)
        assert worker.poll() is None, "the import finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert 1500 <= job.rows_done < total
    assert Location.objects.count() == 0  # nothing half-written

    assert not retry_import(job_id=str(job.pk))  # its lease has not lapsed yet
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    run_import(job_id=str(job.pk))  # the redelivered task
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_done, job.created) == ("done", 2, total, total)
    assert Location.objects.count() == total
    run_import(job_id=str(job.pk))  # a duplicate delivery does nothing
    assert Location.objects.count() == total


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("_case", "parent_code"), [("itself", "KZ-AST-SAR"), ("its child", "KZ-X")]
)
def test_the_location_form_refuses_a_parent_loop(
    manager_client: Client, _case: str, parent_code: str
) -> None:
    LocationResource().import_data(_csv(LOCATIONS), dry_run=False)
    sar = Location.objects.get(code="KZ-AST-SAR")
    Location.objects.create(code="KZ-X", kind="district", parent=sar, name_en="Child")
    parent = Location.objects.get(code=parent_code)
    form = {
        "code": "KZ-AST-SAR",
        "kind": "district",
        "parent": str(parent.pk),
        "name_en": "Saryarka",
        "aliases": "[]",
        "is_active": "on",
    }
    response = manager_client.post(f"/admin/surveys/location/{sar.pk}/change/", form)
    assert response.status_code == 200
    assert "inside itself" in response.content.decode()
    sar.refresh_from_db()
    assert sar.parent == Location.objects.get(code="KZ-AST")
    form["parent"] = str(Location.objects.get(code="KZ-SHY").pk)  # a real move still works
    assert manager_client.post(f"/admin/surveys/location/{sar.pk}/change/", form).status_code == 302
