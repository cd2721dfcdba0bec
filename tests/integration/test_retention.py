"""Retention: tombstones lose their answers, identifiers leave after fieldwork, rounds go after
seven years; a dry run prints per round and removes nothing; every purge is audited."""

import datetime as dt
import getpass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from surveys.models import PurgeRun, RetentionPolicy, Submission
from tests.integration import round_data
from validation.models import CheckConfig, Flag, ReviewEvent
from validation.retention import purge as retention
from validation.retention.tasks import purge_personal_data_task

pytestmark = pytest.mark.django_db
PHONE, GPS = "wellbeing/phone", "wellbeing/gps"
# Round 3 of the factories: fieldwork 1-29 February 2024.
AFTER_FIELDWORK = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def rd() -> round_data.RoundData:
    return round_data.build()


def _interview(rd: round_data.RoundData, seed: int, **answers: Any) -> Submission:
    data = round_data.answers(seed, "KZ-ALA-BOS", **answers)
    return round_data.add(rd, data)


def _world(rd: round_data.RoundData, now: dt.datetime) -> dict[str, Submission]:
    kept = _interview(rd, 1, **{PHONE: "+77071234567", GPS: "43.2 76.9 800 5"})
    old_tombstone = _interview(rd, 2, **{PHONE: "+77070000002"})
    new_tombstone = _interview(rd, 3)
    Submission.objects.filter(pk=old_tombstone.pk).update(deleted_at=now - dt.timedelta(days=31))
    Submission.objects.filter(pk=new_tombstone.pk).update(deleted_at=now - dt.timedelta(days=10))
    Flag.objects.create(
        submission=old_tombstone,
        check_code="outlier.value",
        path="employment/hours_week",
        severity="minor",
        message="Hours per week far from the district's.",
        values={"value": 96},
    )
    ReviewEvent.objects.create(
        submission=old_tombstone, from_status="flagged", to_status="approved"
    )
    return {"kept": kept, "old_tombstone": old_tombstone, "new_tombstone": new_tombstone}


def test_the_dry_run_prints_per_round_and_removes_nothing(rd: round_data.RoundData) -> None:
    world = _world(rd, timezone.now())
    before = {s.pk: s.data for s in Submission.objects.all()}
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.startswith("Would remove (per round):\n")
    assert f"{rd.round}: answers of interviews deleted in KoBo before" in text
    assert ": 1 interview(s)" in text  # the tombstone of 31 days, not the one of 10
    paths = retention.personal_paths(rd.round)
    assert {PHONE, GPS, "deviceid", "_geolocation"} <= paths
    expected = [
        retention.scrub(s.data, paths)[1]
        for s in Submission.objects.exclude(pk=world["old_tombstone"].pk)
    ]
    assert f"personal identifiers (from 2024-05-29): {sum(expected)} answer(s) in " in text
    assert f" in {sum(1 for n in expected if n)} interview(s), 0 quarantined" in text
    assert "whole interviews (from 2031-02-28): 0" in text
    assert {s.pk: s.data for s in Submission.objects.all()} == before
    assert PurgeRun.objects.count() == 0
    assert world["kept"].data[PHONE] == "+77071234567"


def test_a_purge_removes_what_the_policy_says_and_audits_it(rd: round_data.RoundData) -> None:
    now = timezone.now()
    world = _world(rd, now)
    kept_before = Submission.objects.get(pk=world["kept"].pk)
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert out.getvalue().startswith("Removed (per round):\n")

    kept = Submission.objects.get(pk=world["kept"].pk)
    assert PHONE not in kept.data
    assert GPS not in kept.data
    paths = retention.personal_paths(rd.round)
    assert {k: v for k, v in kept_before.data.items() if k not in paths} == kept.data
    assert kept.data["profile/sex"] == kept_before.data["profile/sex"]
    # The content hash stays: sync must not take the purged copy for an edit and refetch it.
    assert kept.content_hash == kept_before.content_hash

    gone = Submission.objects.get(pk=world["old_tombstone"].pk)
    assert gone.data == {}
    assert Flag.objects.get(submission=gone).values == {}
    assert ReviewEvent.objects.filter(submission=gone).count() == 1  # history stays
    recent = Submission.objects.get(pk=world["new_tombstone"].pk)
    assert recent.data != {}
    assert PHONE not in recent.data

    run = PurgeRun.objects.get()
    assert run.actor == getpass.getuser()
    assert run.trigger == PurgeRun.Trigger.COMMAND
    assert (run.round_id_value, run.round_label) == (rd.round.pk, str(rd.round))
    assert run.deleted_answers == 1
    assert run.interviews_deleted == 0
    assert run.personal_interviews >= 1
    assert run.personal_answers >= 2
    assert run.policy == {"personal_data_days": 90, "deleted_answers_days": 30, "keep_years": 7}
    assert {PHONE, GPS} <= set(run.detail["paths"])

    # Nothing left to remove: a second run removes and records nothing.
    call_command("purge_personal_data", stdout=StringIO())
    assert PurgeRun.objects.count() == 1


def test_identifiers_stay_until_the_policy_s_days_after_fieldwork(
    rd: round_data.RoundData,
) -> None:
    sub = _interview(rd, 1, **{PHONE: "+77071234567"})
    retention.purge_personal_data(
        actor="t", trigger="command", now=dt.datetime(2024, 5, 28, 12, tzinfo=dt.UTC)
    )
    sub.refresh_from_db()
    assert sub.data[PHONE] == "+77071234567"
    RetentionPolicy.objects.create(round=rd.round, personal_data_days=365)
    retention.purge_personal_data(actor="t", trigger="command", now=AFTER_FIELDWORK)
    sub.refresh_from_db()
    assert sub.data[PHONE] == "+77071234567"
    retention.purge_personal_data(
        actor="t", trigger="command", now=dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    )
    sub.refresh_from_db()
    assert PHONE not in sub.data


def test_questions_the_check_configuration_lists_are_personal_data(
    rd: round_data.RoundData,
) -> None:
    CheckConfig.objects.create(
        round=rd.round, question_map={"personal_data": ["profile/education_field"]}
    )
    sub = _interview(rd, 1, **{"profile/education_field": "Nursing, Almaty college no. 3"})
    retention.purge_personal_data(actor="t", trigger="command", now=AFTER_FIELDWORK)
    sub.refresh_from_db()
    assert "profile/education_field" not in sub.data
    assert "profile/sex" in sub.data


def test_whole_interviews_go_seven_years_after_fieldwork(rd: round_data.RoundData) -> None:
    _interview(rd, 1)
    round_data.add(rd, round_data.answers(2, "KZ-ALA-BOS"), status="flagged")
    day_before = dt.datetime(2031, 2, 27, 12, tzinfo=dt.UTC)
    [plan] = retention.purge_personal_data(actor="t", trigger="command", now=day_before)
    assert plan.interviews_deleted == 0
    assert Submission.objects.count() == 2

    due = dt.datetime(2031, 2, 28, 12, tzinfo=dt.UTC)  # 29 February 2024 + 7 years
    [dry] = retention.purge_personal_data(actor="t", trigger="command", now=due, dry_run=True)
    assert (dry.interviews_deleted, Submission.objects.count()) == (2, 2)
    retention.purge_personal_data(actor="t", trigger="command", now=due)
    assert Submission.objects.count() == 0
    assert Flag.objects.count() == 0
    run = PurgeRun.objects.get(interviews_deleted=2)
    assert run.detail["deleted_by_status"] == {"approved": 1, "flagged": 1}


def test_the_audit_is_append_only(rd: round_data.RoundData) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the guard is a PostgreSQL trigger")
    _world(rd, timezone.now())
    retention.purge_personal_data(actor="t", trigger="command")
    run = PurgeRun.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PurgeRun.objects.filter(pk=run.pk).update(deleted_answers=0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PurgeRun.objects.filter(pk=run.pk).delete()
    assert PurgeRun.objects.get().deleted_answers == 1


def test_the_nightly_purge_is_on_beat_and_audited_as_the_schedule(
    rd: round_data.RoundData,
) -> None:
    task = PeriodicTask.objects.get(name="Purge personal data past retention")
    assert task.task == "validation.retention_tasks.purge_personal_data_task"
    assert (task.crontab.hour, task.crontab.minute) == ("2", "30")
    _world(rd, timezone.now())
    purge_personal_data_task.delay()
    run = PurgeRun.objects.get()
    assert (run.actor, run.trigger) == ("schedule", PurgeRun.Trigger.SCHEDULE)


def test_scrub_reaches_into_repeat_groups() -> None:
    data = {
        "hh/members": [
            {"hh/members/name": "Aigerim", "hh/members/age": "34"},
            {"hh/members/age": "9"},
        ],
        "wellbeing/phone": "+77071234567",
        "profile/sex": "female",
    }
    kept, removed = retention.scrub(data, frozenset({"hh/members/name", "wellbeing/phone"}))
    assert removed == 2
    assert kept == {
        "hh/members": [{"hh/members/age": "34"}, {"hh/members/age": "9"}],
        "profile/sex": "female",
    }


def test_the_command_names_an_unknown_round_and_refuses_as_of_without_dry_run(
    rd: round_data.RoundData,
) -> None:
    with pytest.raises(CommandError, match="No round with id 999999"):
        call_command("purge_personal_data", "--round", "999999")
    with pytest.raises(CommandError, match="--as-of only with --dry-run"):
        call_command("purge_personal_data", "--as-of", "2031-03-01")
    out = StringIO()
    call_command(
        "purge_personal_data",
        "--dry-run",
        "--as-of",
        "2031-03-01",
        "--round",
        str(rd.round.pk),
        stdout=out,
    )
    assert "whole interviews (from 2031-02-28): 0" in out.getvalue()
