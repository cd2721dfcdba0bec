"""Sync hands over to validation from any process: `sync_kobo` with a broker and a real worker.

`manage.py sync_kobo` runs as its own process (its task registry holds no validation task),
queues validation by name through Redis, and a separate `celery worker` validates every row.
A message that never arrives costs minutes: the sweep queues rows left waiting.
"""

import datetime as dt
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.utils import timezone

from demo.data import build_form
from demo.data.submissions import generate_submission
from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.models import KoboForm, KoboServer, Submission
from tests import factories
from tests.integration.celery_worker import Worker, database_url, e2e_broker, wait_for
from validation.models import Flag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
_ = e2e_broker
UID = "aMTMkzR3demo2024"
TOKEN = "e2e-sync-token"
N = 299


@pytest.fixture
def kobo() -> Iterator[tuple[FakeKoboStore, FakeKoboServer]]:
    store = FakeKoboStore(token=TOKEN, username="kobo-admin")
    store.add_asset(UID, "MTM R3", versions=[("vDemo2", build_form.load_content("v2"))])
    rng = random.Random(11)
    for _ in range(N):
        answers = generate_submission(
            rng, enumerator="enum01", district_code="KZ-ALA-BOS", violations=["constraint"]
        )
        store.add_submission(UID, answers, version_uid="vDemo2", submitted_by="enum01")
    with FakeKoboServer(store) as server:
        yield store, server


@pytest.fixture
def env(kobo: tuple[FakeKoboStore, FakeKoboServer], e2e_broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": e2e_broker,
        "KOBO_URL": kobo[1].url,
        "KOBO_TOKEN": TOKEN,
    }


@pytest.fixture
def worker(env: dict[str, str], tmp_path: Path) -> Iterator[Worker]:
    started = Worker(env, tmp_path / "worker.log").start()
    yield started
    started.kill()


def test_sync_kobo_with_a_broker_ends_with_every_row_validated(
    kobo: tuple[FakeKoboStore, FakeKoboServer], env: dict[str, str], worker: Worker
) -> None:
    server = KoboServer.objects.create(name="fake", base_url=kobo[1].url, api_token=TOKEN)
    form = KoboForm.objects.create(
        server=server, asset_uid=UID, name="MTM R3", round=factories.RoundFactory.create()
    )

    command = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "sync_kobo", "--asset", UID, "--json"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert command.returncode == 0, command.stderr
    assert json.loads(command.stdout)["created"] == N

    rows = Submission.objects.filter(form=form)
    wait_for(
        lambda: not rows.filter(needs_validation=True).exists(),
        what="the worker to validate every synced row",
        worker=worker,
    )
    assert rows.count() == N
    assert Flag.objects.filter(submission__form=form).exists()

    # A queue message lost on the way: rows left waiting are found by the sweep (run by beat
    # every 5 minutes; sent here by name as beat sends it).
    lost = list(rows.order_by("pk").values_list("pk", flat=True)[:7])
    rows.filter(pk__in=lost).update(
        needs_validation=True, updated_at=timezone.now() - dt.timedelta(minutes=10)
    )
    current_app.send_task("validation.tasks.validate_stale_task")
    wait_for(
        lambda: not rows.filter(needs_validation=True).exists(),
        what="the sweep to have the waiting rows validated",
        worker=worker,
    )
