"""The progress counters (validation.ProgressCount) stay equal to a full count of the interviews.

PostgreSQL's triggers keep them through every kind of write: sync's COPY (bulk_insert), single
saves, bulk updates, validation, review decisions, tombstones, hard deletes, moves between
places and teams, raw SQL. After a random mix of those, the counters per stratum equal a fresh
aggregate of the interviews, round progress read from them equals round progress aggregated
for every role, and compaction and rebuild change neither.
"""

import datetime as dt
import random
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone

from surveys.bulk_insert import insert_rows
from surveys.models import Location, Submission
from surveys.selectors import submission_rule, visible_submissions
from tests import factories
from tests.integration import round_data
from validation.engine.validate import validate_pending
from validation.flags.criteria_presets import ensure_default_criteria
from validation.flags.status import IllegalTransitionError
from validation.models import Flag, ProgressCount
from validation.quotas import counters
from validation.quotas.progress import derive_progress_fields, round_progress
from validation.quotas.tasks import check_quotas_task
from validation.review import decisions

pytestmark = pytest.mark.django_db
KEY = (
    "form_id",
    "location_id",
    "enumerator_id",
    "respondent_sex",
    "respondent_citizenship",
    "review_status",
    "is_eligible",
)
STATUSES = [s for s, _ in Submission.ReviewStatus.choices]


def counted_now() -> Counter[tuple[Any, ...]]:
    """The counters' total per stratum, zeros left out."""
    rows = ProgressCount.objects.values(*KEY).annotate(total=Sum("n")).order_by()
    return Counter({tuple(r[k] for k in KEY): r["total"] for r in rows if r["total"]})


def counted_fresh() -> Counter[tuple[Any, ...]]:
    """What the counters must hold: the active, checked, placed interviews per stratum."""
    rows = Submission.objects.filter(
        deleted_at__isnull=True, needs_validation=False, location__isnull=False
    ).values_list(*KEY)
    return Counter(rows)


@pytest.fixture
def rd() -> round_data.RoundData:
    rd = round_data.build()
    ensure_default_criteria(round=rd.round)
    almaty = Location.objects.get(code="KZ-ALA")
    for place in Location.objects.filter(parent=almaty):
        for sex in ("female", "male"):
            factories.QuotaFactory.create(round=rd.round, location=place, sex=sex, target=5)
    factories.QuotaFactory.create(round=rd.round, location=almaty, sex="female", target=9)
    factories.QuotaFactory.create(
        round=rd.round, location=almaty, sex="male", citizenship="UZ", target=4
    )
    return rd


def synced_page(rd: round_data.RoundData, rng: random.Random, first: int, size: int) -> None:
    """A page as sync writes it (COPY), some rows already checked, as a restore might bring."""
    now = timezone.now()
    rows = []
    for i in range(first, first + size):
        team = rng.choice("ab")
        enum = rd.enum_a if team == "a" else rd.enum_b
        sex = rng.choice(["female", "male"])
        data = round_data.answers(i, "KZ-ALA-BOS", **{"profile/sex": sex})
        rows.append(
            {
                "form_id": rd.form.pk,
                "kobo_id": 10_000 + i,
                "root_uuid": f"uuid-{i}",
                "instance_id": f"uuid:{i}",
                "version_id": rd.version.pk,
                "version_uid": rd.version.version_uid,
                "submission_time": now - dt.timedelta(minutes=i),
                "content_hash": f"{i:064x}",
                "enumerator_id": enum.pk,
                "location_id": enum.team.locations.get().pk,
                "data": data,
                "review_status": rng.choice(STATUSES),
                "needs_validation": rng.random() < 0.7,
                "respondent_sex": data["profile/sex"],
                "respondent_citizenship": rng.choice(["UZ", "KG", ""]),
                "is_eligible": rng.random() < 0.8,
            }
        )
    insert_rows(Submission, rows)


def random_writes(rd: round_data.RoundData, rng: random.Random) -> None:
    """Every kind of write round progress must follow, in a random order, several times."""
    for n in range(6):
        round_data.add(rd, round_data.answers(n, "KZ-ALA-BOS"), team=rng.choice("ab"))
    synced_page(rd, rng, 0, 40)
    med = Location.objects.get(code="KZ-ALA-MED")

    def pick(k: int = 5) -> list[Submission]:
        subs = list(Submission.objects.order_by("pk"))
        return rng.sample(subs, min(k, len(subs)))

    steps = {
        "validate": lambda: validate_pending(),
        "derive": lambda: derive_progress_fields(
            rows=Submission.objects.filter(pk__in=[s.pk for s in pick(8)]), round_id=rd.round.pk
        ),
        "status": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick()]).update(
            review_status=rng.choice(STATUSES)
        ),
        "decide": lambda: [decisions.approve(submission=s, actor=rd.sup_a) for s in pick(2)],
        "exclude": lambda: [
            decisions.exclude(submission=s, actor=rd.sup_a, reason="other", comment="why")
            for s in pick(1)
        ],
        "sync_edit": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick()]).update(
            needs_validation=True
        ),
        "tombstone": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick(2)]).update(
            deleted_at=timezone.now()
        ),
        "undelete": lambda: Submission.objects.filter(deleted_at__isnull=False).update(
            deleted_at=None
        ),
        "hard_delete": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick(3)]).delete(),
        "move": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick(3)]).update(
            location=med
        ),
        "unplace": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick(1)]).update(
            location=None
        ),
        "no_enumerator": lambda: Submission.objects.filter(pk__in=[s.pk for s in pick(2)]).update(
            enumerator=None
        ),
        "save": lambda: _resave(pick(2), rng),
        "raw_sql": lambda: _raw_update(rng),
        "sync_page": lambda: synced_page(rd, rng, rng.randrange(100, 10_000), 7),
        "noop_update": lambda: Submission.objects.update(updated_at=timezone.now()),
    }
    order = sorted(steps)
    rng.shuffle(order)  # each kind at least once, then any
    for name in order + [rng.choice(sorted(steps)) for _ in range(60)]:
        try:
            steps[name]()
        except (decisions.DecisionInputError, IllegalTransitionError):
            pass  # a transition the workflow refuses writes nothing
        except Exception as exc:  # a random kobo_id may repeat: that page is refused whole
            if "unique" not in str(exc).lower():
                raise


def _resave(subs: list[Submission], rng: random.Random) -> None:
    for sub in subs:  # as the admin saves an edit: the whole row
        sub.respondent_sex = rng.choice(["female", "male", "other", ""])
        sub.is_eligible = not sub.is_eligible
        sub.save()


def _raw_update(rng: random.Random) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_submission SET respondent_citizenship = %s, needs_validation = false "
            "WHERE id %% 3 = %s",
            [rng.choice(["UZ", "KG", ""]), rng.randrange(3)],
        )


def progress_both_ways(rd: round_data.RoundData, user: Any) -> None:
    from_counters = round_progress(scope=submission_rule(user), round_id=rd.round.pk)
    aggregated = round_progress(scope=visible_submissions(user), round_id=rd.round.pk)
    assert from_counters == aggregated
    assert from_counters  # the round's quotas are there, with figures to compare


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_equal_a_full_count_after_random_writes(
    rd: round_data.RoundData, seed: int
) -> None:
    assert counters.enabled()  # the suite runs on PostgreSQL: the triggers are under test
    rng = random.Random(seed)
    random_writes(rd, rng)
    # Open duplicates among the counted interviews come off `counted`, read apart.
    for sub in Submission.objects.filter(needs_validation=False, is_eligible=True)[:3]:
        Flag.objects.create(
            submission=sub, check_code="duplicate.respondent", severity="major", message="d"
        )
    assert counted_now() == counted_fresh()
    assert sum(counted_fresh().values()) > 10  # the mix left checked interviews to count
    # A supervisor moves: their scope (and the counters read through it) follow at once.
    rd.enum_b.team.supervisor = rd.sup_a
    rd.enum_b.team.save()
    for user in (rd.manager, rd.sup_a, rd.sup_b, rd.enum_a.user or rd.manager):
        progress_both_ways(rd, user)
    before = counted_now()
    counters.compact()
    assert counted_now() == before
    assert ProgressCount.objects.count() == len(before)  # one row per stratum, no zeros
    ProgressCount.objects.all().delete()  # as if lost: rebuild recounts them
    counters.rebuild()
    assert counted_now() == before
    progress_both_ways(rd, rd.manager)


def test_counted_figures_follow_decisions_and_duplicates(rd: round_data.RoundData) -> None:
    """The figures a supervisor sees move with each write, read from the counters."""
    subs = [
        round_data.add(rd, round_data.answers(n, "KZ-ALA-BOS", **{"profile/sex": "female"}))
        for n in range(3)
    ]
    rows = Submission.objects.filter(pk__in=[s.pk for s in subs])
    derive_progress_fields(rows=rows, round_id=rd.round.pk)
    rows.update(needs_validation=False)

    def bos_women() -> tuple[int, int, int]:
        (row,) = [
            p
            for p in round_progress(scope=submission_rule(rd.sup_a), round_id=rd.round.pk)
            if p.location_code == "KZ-ALA-BOS" and p.sex == "female"
        ]
        return row.collected, row.counted, row.excluded

    assert bos_women() == (3, 3, 0)
    decisions.exclude(submission=subs[0], actor=rd.sup_a, reason="other", comment="why")
    assert bos_women() == (3, 2, 1)
    dup = Flag.objects.create(
        submission=subs[1], check_code="duplicate.respondent", severity="major", message="d"
    )
    assert bos_women() == (3, 1, 1)
    dup.status = Flag.Status.OKAYED
    dup.save()
    assert bos_women() == (3, 2, 1)
    Submission.objects.filter(pk=subs[2].pk).update(deleted_at=timezone.now())
    assert bos_women() == (2, 1, 1)
    assert round_progress(scope=Q(pk__in=[]), round_id=rd.round.pk)[0].collected == 0


def test_the_quota_task_folds_the_change_rows(rd: round_data.RoundData) -> None:
    sub = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"))
    rows = Submission.objects.filter(pk=sub.pk)
    derive_progress_fields(rows=rows, round_id=rd.round.pk)  # nothing left for the task to derive
    for status in ("flagged", "approved", "returned", "approved"):  # four statements
        rows.update(needs_validation=False, review_status=status)
    assert ProgressCount.objects.count() > 1
    check_quotas_task()
    assert list(ProgressCount.objects.values_list("review_status", "n")) == [("approved", 1)]


def test_the_rebuild_command_recounts_lost_counters(rd: round_data.RoundData) -> None:
    sub = round_data.add(rd, round_data.answers(1, "KZ-ALA-BOS"))
    Submission.objects.filter(pk=sub.pk).update(needs_validation=False)
    ProgressCount.objects.update(n=5)  # wrong, as after a restore of one table
    out = StringIO()
    call_command("rebuild_progress_counts", stdout=out)
    assert out.getvalue().strip() == "Rebuilt: 1 strata."
    assert counted_now() == counted_fresh() == Counter({next(iter(counted_fresh())): 1})
