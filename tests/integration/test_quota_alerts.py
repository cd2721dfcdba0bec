"""Quotas: what counts (edge cases), over-quota flags, alerts sent once, digest lines."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from surveys.models import Location, Submission
from tests import factories
from tests.integration import round_data
from validation.models import Eligibility, Flag, QuotaAlert
from validation.quotas.alerts import OVER, check_quotas, counted_interviews, digest_lines
from validation.quotas.progress import derive_progress_fields

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2024, 2, 10, 9, 0, tzinfo=round_data.ALMATY)


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    rd.sup_a.email = "sup_a@example.org"
    rd.sup_a.save()
    bos = Location.objects.get(code="KZ-ALA-BOS")
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="female", target=3)
    factories.QuotaFactory.create(round=rd.round, location=bos, sex="male", target=10)
    return rd


def woman(rd: round_data.RoundData, n: int, **kwargs: Any) -> Submission:
    data = round_data.answers(n, "KZ-ALA-BOS", **{"profile/sex": "female"})
    return round_data.add(rd, data, when=T0 + dt.timedelta(hours=n), **kwargs)


def test_only_eligible_active_non_excluded_non_duplicate_interviews_count(
    rd: round_data.RoundData,
) -> None:
    woman(rd, 1, status="flagged")  # pending review still counts
    woman(rd, 2, verdict="ineligible")
    woman(rd, 3, verdict="unknown")
    woman(rd, 4, status="excluded")
    gone = woman(rd, 5)
    Submission.objects.filter(pk=gone.pk).update(deleted_at=T0)
    dup = woman(rd, 6)
    Flag.objects.create(
        submission=dup, check_code="duplicate.respondent", severity="major", message="same"
    )
    okayed_dup = woman(rd, 7)  # a supervisor okayed the duplicate flag: it counts
    Flag.objects.create(
        submission=okayed_dup,
        check_code="duplicate.respondent",
        severity="major",
        message="same",
        status=Flag.Status.OKAYED,
    )
    result = check_quotas(round_id=rd.round.pk)
    female = rd.round.quotas.get(sex="female")
    assert result.counted == {female.pk: 2}
    assert not Flag.objects.filter(check_code=OVER).exists()


def ranking(rd: round_data.RoundData) -> list[tuple[Any, ...]]:
    ranked: Any = counted_interviews(rd.round.pk)
    return sorted(ranked.values_list("pk", "location__code", "sex", "rank"))


def test_checked_and_unchecked_interviews_rank_the_same(rd: round_data.RoundData) -> None:
    """Stored respondent_sex and is_eligible (checked) or answers and verdict: one ranking."""

    def add(n: int, sex: str = "female", **kwargs: Any) -> Submission:
        data = round_data.answers(n, "KZ-ALA-BOS", **{"profile/sex": sex})
        return round_data.add(rd, data, when=T0 - dt.timedelta(hours=n), **kwargs)

    a = add(1, status="flagged")
    add(2, verdict="ineligible")
    add(3, verdict=None)
    add(4, status="excluded")
    gone = add(5)
    Submission.objects.filter(pk=gone.pk).update(deleted_at=T0)
    dup = add(6)
    Flag.objects.create(
        submission=dup, check_code="duplicate.respondent", severity="major", message="same"
    )
    b = add(7)
    man = add(8, sex="male")
    add(9, sex="other")
    c = add(10)
    elsewhere = add(11, team="b")
    assert elsewhere.location is not None
    bos, other = "KZ-ALA-BOS", elsewhere.location.code
    # Interviews are earlier the higher their n: the ranks run backwards.
    expected = sorted(
        [
            (c.pk, bos, "female", 1),
            (b.pk, bos, "female", 2),
            (a.pk, bos, "female", 3),
            (man.pk, bos, "male", 1),
            (elsewhere.pk, other, "female", 1),
        ]
    )
    rows = Submission.objects.filter(form__round=rd.round)
    assert set(rows.values_list("respondent_sex", flat=True)) == {""}
    assert ranking(rd) == expected  # every interview read from its answers
    derive_progress_fields(rows=rows, round_id=rd.round.pk)
    rows.update(needs_validation=False)
    assert set(rows.values_list("respondent_sex", flat=True)) == {"female", "male", "other"}
    assert ranking(rd) == expected  # every interview read from its stored fields
    half = rows.order_by("pk").values("pk")[:6]
    Submission.objects.filter(pk__in=half).update(needs_validation=True)
    assert ranking(rd) == expected
    # Sync changed an answer: it ranks by the new one before validation re-derives it.
    Submission.objects.filter(pk=b.pk).update(
        data={**b.data, "profile/sex": "male"}, needs_validation=True
    )
    assert ranking(rd) == sorted(
        [
            (c.pk, bos, "female", 1),
            (a.pk, bos, "female", 2),
            (man.pk, bos, "male", 1),
            (b.pk, bos, "male", 2),
            (elsewhere.pk, other, "female", 1),
        ]
    )


def test_returned_then_fixed_keeps_its_place(rd: round_data.RoundData) -> None:
    first = woman(rd, 1, status="returned")
    woman(rd, 2)
    woman(rd, 3)
    late = woman(rd, 4)
    check_quotas(round_id=rd.round.pk)
    assert set(Flag.objects.filter(check_code=OVER).values_list("submission_id", flat=True)) == {
        late.pk
    }
    Submission.objects.filter(pk=first.pk).update(review_status="corrected")
    check_quotas(round_id=rd.round.pk)  # ranked by interview time, not by when it was fixed
    assert list(
        Flag.objects.open().filter(check_code=OVER).values_list("submission_id", flat=True)
    ) == [late.pk]


def test_over_quota_flag_resolves_when_an_earlier_interview_stops_counting(
    rd: round_data.RoundData,
) -> None:
    subs = [woman(rd, n) for n in range(1, 5)]
    check_quotas(round_id=rd.round.pk)
    assert Flag.objects.open().get(check_code=OVER).submission_id == subs[3].pk
    Eligibility.objects.filter(submission=subs[0]).update(verdict="ineligible")
    result = check_quotas(round_id=rd.round.pk)
    assert result.resolved == 1
    assert not Flag.objects.open().filter(check_code=OVER).exists()


def test_alerts_are_sent_once(rd: round_data.RoundData, settings: Any) -> None:
    settings.MTM_QUOTA_NEAR_FULL = 0.6
    woman(rd, 1)
    woman(rd, 2)  # 2 of 3: nearly full
    first = check_quotas(round_id=rd.round.pk)
    assert [a.kind for a in first.alerts] == ["near_full"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sup_a@example.org"]
    assert "women, Almaty – Bostandyk (2/3)" in mail.outbox[0].subject
    assert check_quotas(round_id=rd.round.pk).alerts == []
    woman(rd, 3)
    woman(rd, 4)  # met, then over
    assert sorted(a.kind for a in check_quotas(round_id=rd.round.pk).alerts) == ["met", "over"]
    assert check_quotas(round_id=rd.round.pk).alerts == []
    assert len(mail.outbox) == 3
    assert QuotaAlert.objects.count() == 3
    assert QuotaAlert.objects.get(kind="over").recipients == ["sup_a"]


def test_digest_lines_for_an_enumerator(rd: round_data.RoundData) -> None:
    for n in range(1, 4):
        woman(rd, n)
    assert digest_lines(enumerator=rd.enum_a, round_id=rd.round.pk) == [
        "women, Almaty – Bostandyk: quota met",
        "men, Almaty – Bostandyk: 10 more needed",
    ]
    assert digest_lines(enumerator=rd.enum_b, round_id=rd.round.pk) == []


def test_beat_runs_the_quota_check_task(rd: round_data.RoundData) -> None:
    from django_celery_beat.models import PeriodicTask

    from mtm.celery import app
    from validation.quotas.tasks import check_quotas_task

    app.loader.import_default_modules()
    scheduled = PeriodicTask.objects.get(name="Check quotas")
    assert scheduled.task in app.tasks
    for n in range(1, 5):
        woman(rd, n)
    check_quotas_task.delay()
    assert Flag.objects.open().filter(check_code=OVER).count() == 1


def test_progress_arithmetic(rd: round_data.RoundData) -> None:
    from validation.quotas.progress import round_progress
    from validation.selectors import export_scope

    woman(rd, 1)  # approved, eligible: counted
    woman(rd, 2, status="flagged")  # pending, counted
    woman(rd, 3, status="returned")  # returned: pending, counted
    woman(rd, 4, verdict="ineligible")  # collected only
    woman(rd, 5, status="excluded")  # excluded
    dup = woman(rd, 6, status="flagged")
    Flag.objects.create(
        submission=dup, check_code="duplicate.respondent", severity="major", message="same"
    )
    gone = woman(rd, 7)
    Submission.objects.filter(pk=gone.pk).update(deleted_at=T0)
    woman(rd, 8, team="b")  # another team's district has no quota here
    rows = round_progress(scope=export_scope(rd.manager), round_id=rd.round.pk)
    female, male = rows[0], rows[1]
    assert (female.sex, male.sex) == ("female", "male")
    assert (
        female.target,
        female.collected,
        female.eligible,
        female.approved,
        female.pending,
        female.excluded,
        female.counted,
        female.remaining,
        female.over,
        female.percent,
    ) == (3, 6, 5, 1, 3, 1, 3, 0, 0, 100.0)
    assert (male.collected, male.counted, male.remaining, male.percent) == (0, 0, 10, 0.0)
    woman(rd, 9)
    female = round_progress(scope=export_scope(rd.manager), round_id=rd.round.pk)[0]
    assert (female.counted, female.remaining, female.over, female.percent) == (4, 0, 1, 133.3)
    # A supervisor of another team sees the quotas with none of team A's interviews.
    theirs = round_progress(scope=export_scope(rd.sup_b), round_id=rd.round.pk)[0]
    assert (theirs.collected, theirs.counted) == (0, 0)
