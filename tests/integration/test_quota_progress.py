"""Round progress from the stored fields (respondent_sex, is_eligible) and from the answers.

Validation stores each checked interview's sex answer and verdict on the submission; the
aggregate reads those for checked interviews and the answers for the rest. Both ways must give
the same figures, and an answer sync changed must count as the new answer at once.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from surveys.models import Location, Submission
from tests import factories
from tests.integration import round_data
from validation.engine.validate import validate_pending
from validation.flags.criteria_presets import ensure_default_criteria
from validation.models import CheckConfig, Eligibility, Flag
from validation.quotas.progress import (
    StratumProgress,
    derive_progress_fields,
    refresh_progress_fields,
    round_progress,
)
from validation.selectors import export_scope

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2024, 2, 10, 9, 0, tzinfo=round_data.ALMATY)


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    bos = Location.objects.get(code="KZ-ALA-BOS")
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="female", target=3)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="male", target=10)
    return rd


def interview(
    rd: round_data.RoundData,
    n: int,
    sex: str = "female",
    answers: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Submission:
    data = round_data.answers(n, "KZ-ALA-BOS", **{"profile/sex": sex, **(answers or {})})
    return round_data.add(rd, data, when=T0 + dt.timedelta(hours=n), **kwargs)


def figures(rd: round_data.RoundData, user: Any = None) -> list[tuple[Any, ...]]:
    rows: list[StratumProgress] = round_progress(
        scope=export_scope(user or rd.manager), round_id=rd.round.pk
    )
    return [
        (r.sex, r.collected, r.eligible, r.approved, r.pending, r.excluded, r.counted) for r in rows
    ]


def mark_checked(rd: round_data.RoundData) -> None:
    """What validation leaves behind: fields derived, nothing waiting."""
    rows = Submission.objects.filter(form__round=rd.round)
    derive_progress_fields(rows=rows, round_id=rd.round.pk)
    rows.update(needs_validation=False)


def edge_cases(rd: round_data.RoundData) -> None:
    interview(rd, 1)  # approved, eligible: counted
    interview(rd, 2, status="flagged")  # pending, counted
    interview(rd, 3, status="returned")  # pending, counted
    interview(rd, 4, verdict="ineligible")  # collected only
    interview(rd, 5, verdict=None)  # no verdict yet: collected only
    interview(rd, 6, status="excluded")
    dup = interview(rd, 7, status="flagged")
    Flag.objects.create(
        submission=dup, check_code="duplicate.respondent", severity="major", message="same"
    )
    okayed = interview(rd, 8)  # a duplicate flag the supervisor okayed: counts
    Flag.objects.create(
        submission=okayed,
        check_code="duplicate.respondent",
        severity="major",
        message="same",
        status=Flag.Status.OKAYED,
    )
    gone = interview(rd, 9)
    Submission.objects.filter(pk=gone.pk).update(deleted_at=T0)
    interview(rd, 10, sex="male")
    interview(rd, 11, sex="other")  # no quota of that sex
    interview(rd, 12, team="b")  # a district without quotas


EXPECTED = [
    # sex, collected, eligible, approved, pending, excluded, counted
    ("female", 8, 6, 2, 3, 1, 4),
    ("male", 1, 1, 1, 0, 0, 1),
]


def test_checked_and_unchecked_interviews_give_the_same_figures(rd: round_data.RoundData) -> None:
    edge_cases(rd)
    assert figures(rd) == EXPECTED  # every interview read from its answers
    mark_checked(rd)
    stored = dict(
        Submission.objects.filter(form__round=rd.round).values_list("pk", "respondent_sex")
    )
    assert set(stored.values()) == {"female", "male", "other"}
    assert figures(rd) == EXPECTED  # every interview read from its stored fields
    # Half and half: each stratum adds up its two parts.
    half = Submission.objects.filter(form__round=rd.round).order_by("pk")[:6]
    Submission.objects.filter(pk__in=half.values("pk")).update(needs_validation=True)
    assert figures(rd) == EXPECTED
    # A supervisor of the other team sees none of them, either way.
    assert [f[1:] for f in figures(rd, rd.sup_b)] == [(0,) * 6, (0,) * 6]


def test_an_answer_sync_changed_counts_at_once(rd: round_data.RoundData) -> None:
    woman = interview(rd, 1)
    interview(rd, 2)
    mark_checked(rd)
    # Sync stores the edited answers and marks the interview for validation.
    data = {**woman.data, "profile/sex": "male"}
    Submission.objects.filter(pk=woman.pk).update(data=data, needs_validation=True)
    assert Submission.objects.get(pk=woman.pk).respondent_sex == "female"  # stale until checked
    assert figures(rd) == [("female", 1, 1, 1, 0, 0, 1), ("male", 1, 1, 1, 0, 0, 1)]


def test_validation_stores_the_sex_answer_and_the_verdict(rd: round_data.RoundData) -> None:
    ensure_default_criteria(round=rd.round)
    woman = interview(rd, 1, verdict=None)
    child = interview(rd, 2, sex="male", answers={"screening/age": "12"}, verdict=None)
    unchecked = figures(rd)
    assert validate_pending() == 2
    verdicts = dict(Eligibility.objects.values_list("submission_id", "verdict"))
    assert verdicts == {woman.pk: "eligible", child.pk: "ineligible"}
    stored = {
        s.pk: (s.respondent_sex, s.is_eligible, s.needs_validation)
        for s in Submission.objects.all()
    }
    assert stored == {woman.pk: ("female", True, False), child.pk: ("male", False, False)}
    assert unchecked == [("female", 1, 0, 0, 0, 0, 0), ("male", 1, 0, 0, 0, 0, 0)]
    assert figures(rd) == [("female", 1, 1, 1, 0, 0, 1), ("male", 1, 0, 0, 0, 0, 0)]


def test_refresh_follows_a_moved_sex_question_and_writes_nothing_twice(
    rd: round_data.RoundData,
) -> None:
    interview(rd, 1, answers={"profile/respondent_sex": "male"})
    interview(rd, 2, answers={"profile/respondent_sex": "male"})
    mark_checked(rd)
    assert refresh_progress_fields(round_id=rd.round.pk) == 0
    assert figures(rd)[0][:2] == ("female", 2)
    CheckConfig.objects.create(round=rd.round, question_map={"sex": "profile/respondent_sex"})
    assert refresh_progress_fields(round_id=rd.round.pk) == 2
    assert refresh_progress_fields(round_id=rd.round.pk) == 0
    assert set(Submission.objects.values_list("respondent_sex", flat=True)) == {"male"}
    assert [f[:2] for f in figures(rd)] == [("female", 0), ("male", 2)]
    # A verdict changed behind validation's back is caught up too.
    Eligibility.objects.filter(submission__form__round=rd.round).update(verdict="ineligible")
    assert refresh_progress_fields(round_id=rd.round.pk) == 2
    assert figures(rd)[1] == ("male", 2, 0, 0, 0, 0, 0)


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Whatever a migration test leaves, later tests find every migration applied."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)  # migrations run outside a test transaction
def test_the_migration_backfills_interviews_already_stored(latest_schema_after: None) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    # The last validation migration that needs no surveys migration after 0008 (later ones,
    # e.g. the access log, depend on surveys 0011): the state both steps can reach.
    leaf = ("validation", "0013_validation_sweep_schedule")
    before = [("surveys", "0008_answers_lz4"), leaf]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    server = apps.get_model("surveys", "KoboServer").objects.create(
        name="s", base_url="http://127.0.0.1:1", api_token="t"
    )
    rows = []
    for number, question in ((1, None), (2, "q/sex")):
        round_ = apps.get_model("surveys", "Round").objects.create(
            number=number, name=f"R{number}", fieldwork_start=dt.date(2024, 2, 1)
        )
        if question:
            apps.get_model("validation", "CheckConfig").objects.create(
                round=round_, question_map={"sex": question}
            )
        form = apps.get_model("surveys", "KoboForm").objects.create(
            server=server, asset_uid=f"a{number}", round=round_
        )
        for n, answers in enumerate(
            ({"profile/sex": "female"}, {"profile/sex": "male", "q/sex": "female"}, {})
        ):
            rows.append(
                apps.get_model("surveys", "Submission").objects.create(
                    form=form,
                    kobo_id=n,
                    root_uuid=f"{number}-{n}",
                    instance_id=f"uuid:{number}-{n}",
                    submission_time=T0,
                    data=answers,
                    content_hash="h",
                )
            )
    Eligibility = apps.get_model("validation", "Eligibility")
    Eligibility.objects.create(submission=rows[0], verdict="eligible")
    Eligibility.objects.create(submission=rows[1], verdict="ineligible")
    Eligibility.objects.create(submission=rows[4], verdict="eligible")

    executor = MigrationExecutor(connection)
    executor.migrate([("surveys", "0009_progress_fields"), leaf])
    stored = Submission.objects.order_by("form__round__number", "kobo_id").values_list(
        "respondent_sex", "is_eligible"
    )
    assert list(stored) == [
        ("female", True),
        ("male", False),
        ("other", False),
        ("other", False),  # round 2 asks the sex at q/sex
        ("female", True),
        ("other", False),
    ]
