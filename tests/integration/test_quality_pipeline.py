"""Quality checks on stored submissions: idempotence, thresholds, okays, PII, dry run, blocks."""

import datetime as dt
import hashlib
import json
import random
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from demo.data.submissions import generate_submission
from surveys.models import KoboForm, Submission
from tests import factories
from validation import quality
from validation.flags.priority import update_priority
from validation.models import CheckConfig, Flag, QualityState, ReviewEvent, ReviewPriority
from validation.models.check_config import DEFAULT_LISTS
from validation.reporting.scorecards import round_scorecards
from validation.tasks import run_quality_checks_task

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
BOS, ALM = "KZ-ALA-BOS", "KZ-ALA-ALM"


class World:
    def __init__(self) -> None:
        self.rng = random.Random(7)
        self.round: Any = factories.RoundFactory.create()
        self.form: Any = factories.KoboFormFactory.create(round=self.round)
        city = factories.CityFactory.create()
        self.locations: dict[str, Any] = {
            BOS: factories.DistrictFactory.create(code=BOS, parent=city, centroid_lat=43.20),
            ALM: factories.DistrictFactory.create(
                code=ALM, parent=city, name_en="Almaly", centroid_lat=43.25, centroid_lon=76.92
            ),
        }
        self.teams: dict[str, Any] = {
            "A": factories.TeamFactory.create(name="Almaty A"),
            "B": factories.TeamFactory.create(name="Almaty B"),
        }
        self.enumerators: dict[str, Any] = {
            f"{team}{i}": factories.EnumeratorFactory.create(
                kobo_username=f"enum_{team.lower()}{i}", team=self.teams[team]
            )
            for team in "AB"
            for i in range(3)
        }
        self.kobo_id = 5000

    def add(self, who: str, district: str, **overrides: Any) -> Submission:
        violations = overrides.pop("violations", ())
        data = generate_submission(
            self.rng,
            enumerator=self.enumerators[who].kobo_username,
            district_code=district,
            violations=violations,
        )
        data.update(overrides)
        self.kobo_id += 1
        start = dt.datetime.fromisoformat(data["start"])
        end = dt.datetime.fromisoformat(data["end"])
        submission: Any = factories.SubmissionFactory.create(
            form=self.form,
            kobo_id=self.kobo_id,
            data=data,
            started_at=start,
            ended_at=end,
            submission_time=end + dt.timedelta(hours=1),
            enumerator=self.enumerators[who],
            location=self.locations[district],
            content_hash=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
        )
        assert isinstance(submission, Submission)
        return submission

    def edit(self, submission: Submission, **changes: Any) -> None:
        submission.data = {**submission.data, **changes}
        submission.content_hash = hashlib.sha256(
            json.dumps(submission.data, sort_keys=True).encode()
        ).hexdigest()
        submission.save()


@pytest.fixture
def world() -> World:
    return World()


def run(form: KoboForm, **kwargs: Any) -> quality.QualityReport:
    return quality.check_form(KoboForm.objects.get(pk=form.pk), now=NOW, **kwargs)


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Flag.objects.order_by("pk").values_list(
            "pk", "check_code", "path", "status", "severity", "message", "values", "last_seen_at"
        )
    )


def open_ids(code: str) -> set[int]:
    return set(
        Flag.objects.filter(check_code=code, status=Flag.Status.OPEN).values_list(
            "submission_id", flat=True
        )
    )


def minutes(sub: Submission) -> float:
    assert sub.started_at is not None
    assert sub.ended_at is not None
    return (sub.ended_at - sub.started_at).total_seconds() / 60


def test_rerun_is_idempotent(world: World) -> None:
    subs = [world.add(f"A{i % 3}", BOS) for i in range(24)]
    subs.append(world.add("A0", BOS, violations=["too_short", "gps_far"]))
    first = run(world.form)
    assert first.due == 25
    assert open_ids("duration.too_short") == {s.pk for s in subs if minutes(s) < 15}
    assert subs[-1].pk in open_ids("gps.far_from_centroid")
    # Quality flags move the interview into the review queue like skip-logic flags do.
    flagged = Submission.objects.get(pk=subs[-1].pk)
    assert flagged.review_status == Submission.ReviewStatus.FLAGGED
    assert flagged.priority.majors >= 1  # duration.too_short is major
    before = snapshot()
    assert before

    again = run(world.form)
    assert (again.due, again.written) == (0, 0)
    forced = run(world.form, full=True)
    assert forced.due == 25
    assert forced.written == 0
    assert not forced.added
    assert not forced.resolved
    assert snapshot() == before
    # The Celery step is the same service, so it is idempotent too.
    assert run_quality_checks_task.delay().get() == 0
    assert snapshot() == before


def test_threshold_change_adds_and_resolves_exactly(world: World) -> None:
    subs = [world.add(f"A{i % 3}", BOS) for i in range(20)]
    subs.append(world.add("A1", BOS, violations=["too_short"]))
    run(world.form)
    assert open_ids("duration.too_short") == {s.pk for s in subs if minutes(s) < 15}

    config = CheckConfig.objects.create(
        round=world.round, thresholds={"duration.too_short": {"min_minutes": 35}}
    )
    raised = run(world.form)
    expected = {s.pk for s in subs if minutes(s) < 35}
    assert raised.due == 21  # a new configuration makes the whole round due
    assert open_ids("duration.too_short") == expected
    assert raised.added["duration.too_short"] == len(expected) - 1
    assert raised.resolved.get("duration.too_short", 0) == 0

    config.thresholds = {"duration.too_short": {"min_minutes": 3}}
    config.save()
    lowered = run(world.form)
    assert open_ids("duration.too_short") == set()
    assert lowered.resolved["duration.too_short"] == len(expected)
    assert Flag.objects.filter(
        check_code="duration.too_short", status=Flag.Status.RESOLVED
    ).count() == len(expected)

    # Enabling only the GPS checks resolves every other quality flag; GPS flags stay.
    gps_before = set(Flag.objects.filter(check_code__startswith="gps.").values_list("pk", "status"))
    config.thresholds = {}
    config.enabled_checks = ["gps.outside_district", "gps.far_from_centroid"]
    config.save()
    run(world.form)
    open_codes = set(Flag.objects.open().values_list("check_code", flat=True))
    assert all(code.startswith("gps.") for code in open_codes)
    assert (
        set(Flag.objects.filter(check_code__startswith="gps.").values_list("pk", "status"))
        == gps_before
    )


def test_supervisor_okay_on_outlier_persists_until_the_answer_changes(world: World) -> None:
    subs = [
        world.add(f"A{i % 3}", BOS, **{"profile/dependants": str(2 + i % 3)}) for i in range(24)
    ]
    odd = world.add("A0", BOS, **{"profile/dependants": "19"})
    run(world.form)
    flag = Flag.objects.get(submission=odd, check_code="outlier.value", path="profile/dependants")
    assert flag.status == Flag.Status.OPEN
    assert flag.values["value"] == 19
    supervisor = world.teams["A"].supervisor
    Flag.objects.filter(pk=flag.pk).update(status=Flag.Status.OKAYED, okayed_by=supervisor)

    # New interviews move the location's fences; the re-run refreshes but keeps the okay.
    subs += [world.add("A1", BOS, **{"profile/dependants": "3"}) for _ in range(4)]
    run(world.form)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OKAYED
    assert flag.okayed_by == supervisor
    assert flag.values["n"] == 29

    # A threshold that drops the finding, then one that brings it back: still okayed.
    config = CheckConfig.objects.create(round=world.round, thresholds={"outlier.value": {"k": 50}})
    run(world.form)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OKAYED
    config.thresholds = {}
    config.save()
    run(world.form)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OKAYED

    # The enumerator changes the answer in KoBo: the okay no longer covers it.
    world.edit(odd, **{"profile/dependants": "18"})
    run(world.form)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN
    assert flag.okayed_by is None
    assert flag.values["value"] == 18


def test_repeat_respondent_is_flagged_without_phone_in_clear(world: World) -> None:
    phone = "+77071234567"
    for i in range(20):
        world.add(f"A{i % 3}", BOS)
    first = world.add("A0", BOS, **{"wellbeing/phone": phone, "wellbeing/followup_consent": "yes"})
    keys = ("profile/sex", "screening/age", "screening/citizenship", "screening/arrival_date")
    person = {
        k: first.data[k] for k in (*keys, *DEFAULT_LISTS["respondent_facts"]) if k in first.data
    }
    # The same person, met again by another team's enumerator in another district, whose
    # phone was written in another format.
    again = world.add("B1", ALM, **person, **{"wellbeing/phone": "8 707 123 45 67"})
    run(world.form)
    flag = Flag.objects.get(submission=again, check_code="duplicate.respondent")
    assert flag.values["other_id"] == first.pk
    assert "phone" in flag.values["fields"]
    assert Flag.objects.filter(submission=first, check_code="duplicate.respondent").exists()
    digits = "1234567"
    for message, values in Flag.objects.values_list("message", "values"):
        assert digits not in message
        assert digits not in json.dumps(values)
    assert quality.identifier_hash("phone", phone) == quality.identifier_hash(
        "phone", "8 707 123 45 67"
    )
    assert digits not in (quality.identifier_hash("phone", phone) or "")


def test_anonymous_repeat_is_found_by_profile_answers(world: World) -> None:
    """No phone either time: the profile answers (question map's respondent_facts) tell."""
    for i in range(40):
        world.add(f"A{i % 3}", BOS)
    first = world.add("A0", BOS)
    keys = ("profile/sex", "screening/age", "screening/citizenship", "screening/arrival_date")
    person = {
        k: first.data[k] for k in (*keys, *DEFAULT_LISTS["respondent_facts"]) if k in first.data
    }
    again = world.add("B1", ALM, **person)
    run(world.form)
    flag = Flag.objects.get(submission=again, check_code="duplicate.respondent")
    assert flag.values["other_id"] == first.pk
    assert {"profile/marital_status", "migration/first_arrival_year"} <= set(flag.values["fields"])
    assert flag.values["score"] > 0.99

    # Without the profile answers, age, sex, nationality and arrival alone do not tell.
    CheckConfig.objects.create(round=world.round, question_map={"respondent_facts": []})
    run(world.form)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.RESOLVED


def test_dry_run_reports_the_diff_and_writes_nothing(world: World, tmp_path: Path) -> None:
    subs = [world.add(f"A{i % 3}", BOS) for i in range(15)]
    run(world.form)
    flags, states = snapshot(), list(QualityState.objects.values_list())
    config_file = tmp_path / "config.json"
    config_file.write_text(
        json.dumps({"thresholds": {"duration.too_short": {"min_minutes": 40}}, "severities": {}})
    )
    out = StringIO()
    call_command(
        "checks_dry_run",
        "--round",
        str(world.round.number),
        "--config",
        str(config_file),
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    expected = sum(1 for s in subs if 15 <= minutes(s) < 40)
    assert result["interviews"] == 15
    assert result["checks"]["duration.too_short"] == {"add": expected, "resolve": 0}
    assert snapshot() == flags
    assert list(QualityState.objects.values_list()) == states
    assert not CheckConfig.objects.exists()

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"thresholds": {"duration.too_short": {"min_minutes": -5}}}))
    with pytest.raises(Exception, match="min_minutes must be at least 0"):
        call_command("checks_dry_run", "--round", str(world.round.number), "--config", str(bad))


def test_only_touched_blocks_rerun(world: World) -> None:
    # Outliers per district on age alone, so no district falls back to the round's fences.
    CheckConfig.objects.create(
        round=world.round,
        thresholds={"outlier.value": {"min_sample": 10}},
        question_map={"numeric_questions": ["screening/age"]},
    )
    for i in range(12):
        world.add(f"A{i % 3}", BOS)
        world.add(f"B{i % 3}", ALM)
    run(world.form)
    team_b = Submission.objects.filter(enumerator__team=world.teams["B"])
    seen_b = dict(Flag.objects.filter(submission__in=team_b).values_list("pk", "last_seen_at"))
    state_b = dict(
        QualityState.objects.filter(submission__in=team_b).values_list("pk", "checked_at")
    )

    new = world.add("A2", BOS)
    report = run(world.form)
    assert report.due == 1
    assert report.blocks == {"e:enum_a2", "t:Almaty A", f"l:{BOS}"}
    # Read with all answers: the due interview and team A's block (13), never team B's 12.
    assert report.loaded == 1 + 13
    assert set(QualityState.objects.get(submission=new).blocks) == report.blocks
    assert (
        dict(Flag.objects.filter(submission__in=team_b).values_list("pk", "last_seen_at")) == seen_b
    )
    assert (
        dict(QualityState.objects.filter(submission__in=team_b).values_list("pk", "checked_at"))
        == state_b
    )

    # Moving an interview to the other team's district re-runs both districts' blocks.
    moved = Submission.objects.get(pk=new.pk)
    moved.location = world.locations[ALM]
    world.edit(moved, **{"screening/district": ALM})
    report = run(world.form)
    assert report.due == 1
    assert {f"l:{BOS}", f"l:{ALM}"} <= report.blocks

    # A deleted interview leaves its blocks and its flags resolve.
    Submission.objects.filter(pk=new.pk).update(deleted_at=NOW)
    run(world.form)
    assert not Flag.objects.filter(submission=new, status=Flag.Status.OPEN).exists()
    assert run(world.form).due == 0


def test_config_validation_names_the_problem(world: World, manager_client: Any) -> None:
    config = CheckConfig(
        round=world.round,
        enabled_checks=["duration"],
        thresholds={"duration.too_short": {"min_minutes": 200}},
        question_map={"age": 5},
    )
    with pytest.raises(ValidationError) as caught:
        config.clean()
    errors = caught.value.message_dict
    assert "a family" in errors["enabled_checks"][0]
    assert "must not exceed" in errors["thresholds"][0]
    assert "age must be a question path" in errors["question_map"][0]
    with pytest.raises(ValidationError, match="Choose a round, a form, or both"):
        CheckConfig().clean()

    response = manager_client.post(
        "/admin/validation/checkconfig/add/",
        {
            "round": world.round.pk,
            "is_active": "on",
            "enabled_checks": "[]",
            "thresholds": json.dumps({"gps.low_accuracy": {"max_accuracy_m": "far"}}),
            "severities": json.dumps({"gps.low_accuracy": "urgent"}),
            "question_map": "{}",
        },
    )
    assert response.status_code == 200
    assert "max_accuracy_m must be a number" in response.content.decode()
    assert not CheckConfig.objects.exists()

    response = manager_client.post(
        "/admin/validation/checkconfig/add/",
        {
            "round": world.round.pk,
            "is_active": "on",
            "enabled_checks": "[]",
            "thresholds": json.dumps({"gps.low_accuracy": {"max_accuracy_m": 50}}),
            "severities": json.dumps({"gps.low_accuracy": "major"}),
            "question_map": "{}",
        },
    )
    assert response.status_code == 302
    saved = CheckConfig.objects.get()
    assert saved.params() == {"gps.low_accuracy": {"max_accuracy_m": 50, "severity": "major"}}


def test_supervisors_see_but_cannot_edit_configs() -> None:
    sup = factories.supervisor()
    manager = factories.data_manager()
    assert sup.has_perm("validation.view_checkconfig")
    assert not sup.has_perm("validation.change_checkconfig")
    assert manager.has_perm("validation.change_checkconfig")


def test_scorecard_compares_each_enumerator_with_the_team(world: World) -> None:
    for i in range(9):
        world.add(f"A{i % 3}", BOS)
    rushed = [world.add("A0", BOS, violations=["too_short"]) for _ in range(3)]
    for i in range(4):
        world.add(f"B{i % 3}", ALM)
    run(world.form)
    cards = round_scorecards(world.teams["A"].supervisor, world.round)
    assert set(cards) == {"enum_a0", "enum_a1", "enum_a2"}  # never the other team's
    a0, a1 = cards["enum_a0"], cards["enum_a1"]
    assert a0["interviews"] == 6
    assert a1["interviews"] == 3
    flagged = {s.pk for s in rushed} | (
        open_ids("duration.too_short")
        & set(
            Submission.objects.filter(enumerator__kobo_username="enum_a0").values_list(
                "pk", flat=True
            )
        )
    )
    assert a0["flag_rate"]["duration"] == round(len(flagged) / 6, 4)
    assert a0["median_duration_min"] < 25 <= a1["median_duration_min"]
    assert a0["team_median"]["enumerators"] == 3
    assert a0["team_median"]["interviews"] == 3
    manager_cards = round_scorecards(factories.data_manager(), world.round)
    assert set(manager_cards) == {f"enum_{t}{i}" for t in "ab" for i in range(3)}


def test_priorities_written_in_bulk_equal_update_priority(world: World) -> None:
    """Flags and priorities are written in bulk; they equal what the per-row services write."""
    subs = [
        world.add(f"A{i % 3}", BOS, violations=["too_short"] if i % 2 else []) for i in range(12)
    ]
    # As the validation step leaves them: some judged flagged by skip-logic, some clean.
    already = {s.pk for s in subs[1::4]}
    Submission.objects.filter(pk__in=[s.pk for s in subs]).update(
        review_status=Submission.ReviewStatus.CLEAN
    )
    Submission.objects.filter(pk__in=already).update(review_status=Submission.ReviewStatus.FLAGGED)
    run(world.form)
    flagged = open_ids("duration.too_short")
    assert flagged == {s.pk for s in subs[1::2]}
    stored = {
        p.submission_id: (p.score, p.blockers, p.majors, p.minors, p.spot_check)
        for p in ReviewPriority.objects.filter(submission__in=subs)
    }
    assert set(stored) == flagged
    # Copied onto each interview, where the review queue's index reads them.
    copied = {
        pk: (score, spot)
        for pk, score, spot in Submission.objects.filter(pk__in=flagged).values_list(
            "pk", "risk_score", "spot_check"
        )
    }
    assert copied == {pk: (row[0], row[4]) for pk, row in stored.items()}
    events = set(
        ReviewEvent.objects.filter(submission__in=subs).values_list("submission_id", flat=True)
    )
    assert events == flagged - already  # clean -> flagged went through review.transition
    for sub in Submission.objects.filter(pk__in=flagged):
        assert sub.review_status == Submission.ReviewStatus.FLAGGED
        again = update_priority(submission=sub, verdict=None)
        assert Submission.objects.values_list("risk_score", "spot_check").get(pk=sub.pk) == (
            again.score,
            again.spot_check,
        )
        assert stored[sub.pk] == (
            again.score,
            again.blockers,
            again.majors,
            again.minors,
            again.spot_check,
        )
        assert again.score > 0
