"""The quality run's incremental path: what a new, edited or deleted interview changes.

Each test ends by checking that a full re-run would write nothing: the incremental runs left
the flags exactly as running every check over every interview does.
"""

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from surveys.models import Submission
from tests.integration.test_quality_pipeline import ALM, BOS, NOW, World, open_ids, run
from validation.checks.duplicates import kept
from validation.engine.validate import validate_submission
from validation.models import CheckConfig, Flag
from validation.models.check_config import DEFAULT_LISTS
from validation.quality import estimates
from validation.quality.services import save_check_config

pytestmark = pytest.mark.django_db
REPEAT = "duplicate.respondent"
PERSON_KEYS = ("profile/sex", "screening/age", "screening/citizenship", "screening/arrival_date")


@pytest.fixture
def world() -> World:
    return World()


def _same_person(first: Submission) -> dict[str, Any]:
    keys = (*PERSON_KEYS, *DEFAULT_LISTS["respondent_facts"], "wellbeing/phone")
    return {k: first.data[k] for k in keys if k in first.data}


def _full_run_writes_nothing(world: World) -> None:
    full = run(world.form, full=True)
    assert (full.written, dict(full.added), dict(full.resolved)) == (0, {}, {})


def test_new_interview_repeating_an_old_respondent_flags_both(world: World) -> None:
    for i in range(20):
        world.add(f"A{i % 3}", BOS)
    first = world.add("A0", BOS, **{"wellbeing/phone": "+77071234567"})
    run(world.form)
    assert REPEAT not in set(Flag.objects.values_list("check_code", flat=True))

    again = world.add("B1", ALM, **_same_person(first))
    report = run(world.form)
    assert report.due == 1
    assert open_ids(REPEAT) == {first.pk, again.pk}
    old = Flag.objects.get(submission=first, check_code=REPEAT)
    assert old.values["other_id"] == again.pk  # the earlier one names the new one
    assert old.severity == "minor"  # earlier_severity: the later interview is the one to look at
    assert Flag.objects.get(submission=again, check_code=REPEAT).severity == "major"
    _full_run_writes_nothing(world)


def test_deleted_repeat_unflags_its_partner(world: World) -> None:
    for i in range(20):
        world.add(f"A{i % 3}", BOS)
    first = world.add("A0", BOS, **{"wellbeing/phone": "+77071234567"})
    again = world.add("B1", ALM, **_same_person(first))
    run(world.form)
    assert open_ids(REPEAT) == {first.pk, again.pk}

    Submission.objects.filter(pk=again.pk).update(deleted_at=NOW)
    report = run(world.form)
    assert report.due == 1
    assert open_ids(REPEAT) == set()
    assert Flag.objects.get(submission=first, check_code=REPEAT).status == Flag.Status.RESOLVED
    # Every quality flag of the deleted interview resolves; none stays open.
    assert not Flag.objects.filter(submission=again, status=Flag.Status.OPEN).exists()
    _full_run_writes_nothing(world)

    # Restored in KoBo: both are flagged again (their resolved flags reopen).
    Submission.objects.filter(pk=again.pk).update(deleted_at=None)
    run(world.form)
    assert open_ids(REPEAT) == {first.pk, again.pk}
    assert Flag.objects.filter(check_code=REPEAT).count() == 2
    _full_run_writes_nothing(world)


def test_edit_that_ends_a_match_unflags_both_and_third_interview_joins(world: World) -> None:
    for i in range(20):
        world.add(f"A{i % 3}", BOS)
    first = world.add("A0", BOS, **{"wellbeing/phone": "+77071234567"})
    again = world.add("B1", ALM, **_same_person(first))
    run(world.form)

    # A third interview of the same person: all three list each other.
    third = world.add("B2", ALM, **_same_person(first))
    assert run(world.form).due == 1
    assert open_ids(REPEAT) == {first.pk, again.pk, third.pk}
    listed = Flag.objects.get(submission=first, check_code=REPEAT).values["matches"]
    assert {m["id"] for m in listed} == {again.pk, third.pk}

    # The second is corrected in KoBo to another respondent: only first and third remain.
    other = {"profile/sex": "female" if first.data["profile/sex"] == "male" else "male"}
    world.edit(Submission.objects.get(pk=again.pk), **other, **{"wellbeing/phone": "+77019998877"})
    assert run(world.form).due == 1
    assert open_ids(REPEAT) == {first.pk, third.pk}
    listed = Flag.objects.get(submission=first, check_code=REPEAT).values["matches"]
    assert {m["id"] for m in listed} == {third.pk}
    _full_run_writes_nothing(world)


def test_new_interviews_move_block_checks_as_a_full_run_would(world: World) -> None:
    # Outliers judged per district on one question; a copied interview (fabrication); a
    # rushed enumerator whose rate moves the team's productivity yardstick.
    CheckConfig.objects.create(
        round=world.round,
        thresholds={"outlier.value": {"min_sample": 10}},
        question_map={"numeric_questions": ["profile/dependants"]},
    )
    for i in range(14):
        world.add(f"A{i % 3}", BOS, **{"profile/dependants": str(2 + i % 3)})
        world.add(f"B{i % 3}", ALM, **{"profile/dependants": str(3 + i % 2)})
    run(world.form)
    assert open_ids("outlier.value") == set()

    odd = world.add("A1", BOS, **{"profile/dependants": "19"})
    source = Submission.objects.filter(enumerator=world.enumerators["B0"]).first()
    assert source is not None
    copy = world.add("B0", ALM, **dict(source.data, **{"wellbeing/agree_safe": "disagree"}))
    report = run(world.form)
    assert report.due == 2
    assert odd.pk in open_ids("outlier.value")
    assert {source.pk, copy.pk} <= open_ids("fabrication.near_duplicate")
    _full_run_writes_nothing(world)

    # The copy deleted: its original is no longer a near-duplicate of anything.
    Submission.objects.filter(pk=copy.pk).update(deleted_at=NOW + dt.timedelta(hours=1))
    run(world.form)
    assert source.pk not in open_ids("fabrication.near_duplicate")
    _full_run_writes_nothing(world)


def test_engine_rerun_writes_no_flag(world: World) -> None:
    """The engine goes through the same flag diff: an unchanged interview writes nothing."""
    sub = world.add("A0", BOS, **{"screening/age": "abc"})
    sub = Submission.objects.select_related("form", "version").get(pk=sub.pk)
    validate_submission(submission=sub)
    before = list(Flag.objects.order_by("pk").values_list("pk", "status", "last_seen_at"))
    report = validate_submission(submission=sub)
    assert (report.opened, report.resolved) == (0, 0)
    assert list(Flag.objects.order_by("pk").values_list("pk", "status", "last_seen_at")) == before


def test_saving_a_check_configuration_queues_the_rerun(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    subs = [world.add(f"A{i % 3}", BOS) for i in range(12)]
    run(world.form)
    manager = world.teams["A"].supervisor
    config = CheckConfig(round=world.round, thresholds={"duration.too_short": {"min_minutes": 60}})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        save_check_config(config=config, user=manager)
    assert len(callbacks) == 1  # the run is queued after commit, not before
    # Eager Celery ran it: every interview under an hour is flagged now.
    assert open_ids("duration.too_short") == {
        s.pk
        for s in subs
        if s.ended_at and s.started_at and s.ended_at - s.started_at < dt.timedelta(minutes=60)
    }
    assert CheckConfig.objects.get().updated_by == manager

    bad = CheckConfig(round=world.round, thresholds={"duration.too_short": {"min_minutes": -1}})
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="min_minutes must be at least 0"),
    ):
        save_check_config(config=bad, user=manager)
    assert callbacks == []
    assert CheckConfig.objects.count() == 1


def test_round_estimates_are_kept_between_runs_and_redone_on_a_full_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept, "_KEEP_FROM", 0)  # small rounds keep their estimates too
    key = estimates._KEY.format(world.form.pk)
    cache.delete(key)  # an earlier test database's form of this id
    for i in range(20):
        world.add(f"A{i % 3}", BOS)
    first = world.add("A0", BOS, **{"wellbeing/phone": "+77071234567"})
    run(world.form)
    stored = cache.get(key)
    entry = stored["rounds"][world.round.pk]
    assert (entry["size"], entry["prior"] < 0) == (21, True)

    # A doctored kept prior (any candidate pair is one person) shows the next run scores the
    # new interview with the kept estimates: a relative sharing the phone is flagged.
    entry["prior"] = 50.0
    cache.set(key, stored)
    sex = "female" if first.data["profile/sex"] == "male" else "male"
    relative = world.add("B1", ALM, **{"wellbeing/phone": "+77071234567", "profile/sex": sex})
    assert run(world.form).due == 1
    assert relative.pk in open_ids(REPEAT)
    assert cache.get(key)["rounds"][world.round.pk]["prior"] == 50.0

    # A full run estimates afresh: the relative is another person, and the new estimates kept.
    run(world.form, full=True)
    assert relative.pk not in open_ids(REPEAT)
    renewed = cache.get(key)["rounds"][world.round.pk]
    assert (renewed["size"], renewed["prior"] < 0) == (22, True)

    # Another configuration does not reuse them (its hash differs): a threshold changed.
    cache.set(key, dict(cache.get(key), rounds={world.round.pk: dict(renewed, prior=50.0)}))
    CheckConfig.objects.create(
        round=world.round, thresholds={"duplicate.respondent": {"min_score": 0.5}}
    )
    run(world.form)
    assert relative.pk not in open_ids(REPEAT)
    assert cache.get(key)["rounds"][world.round.pk]["prior"] < 0
