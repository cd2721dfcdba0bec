"""Quota progress of a round per location x sex, in one aggregate query.

Counts toward the quota only what validation.quota_alerts counts: active, eligible, not
excluded, not an open duplicate. (The review screen's validation/progress.py, when it lands,
should share this definition; the API and dashboards call round_progress only.)

Reading the sex answer out of every interview's JSON made the aggregate slow (about a second
at 100,000 interviews), so validation stores it with the eligibility verdict on the
submission (respondent_sex, is_eligible; derive_progress_fields) and the aggregate reads those
from an index. Interviews sync marked changed, or not yet derived, are read from their answers
and the verdict row as before, in the same statement: the figures never wait for validation.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields.json import KT

from surveys.models import Quota, Sex, Submission
from validation.models import Eligibility, Flag, Severity
from validation.selectors import question_path

S = Submission.ReviewStatus
PENDING = (S.RECEIVED, S.CLEAN, S.FLAGGED, S.RETURNED, S.CORRECTED, S.ON_HOLD)
OTHER = "other"  # respondent_sex of an answer that is neither; "" is not derived yet
FIGURES = ("collected", "eligible", "approved", "pending", "excluded", "counted")


@dataclass(frozen=True)
class StratumProgress:
    quota_id: int
    location_id: int
    location_code: str
    location_name: str
    sex: str
    target: int
    collected: int
    eligible: int
    approved: int
    pending: int
    excluded: int
    counted: int

    @property
    def remaining(self) -> int:
        return max(self.target - self.counted, 0)

    @property
    def over(self) -> int:
        return max(self.counted - self.target, 0)

    @property
    def percent(self) -> float:
        return round(100 * self.counted / self.target, 1) if self.target else 0.0


def sex_answer(path: str) -> Case:
    """The answer at `path` when it is one of the quota's sexes, else 'other'."""
    lookup = f"data__{path}"
    return Case(
        *(When(Q(**{lookup: sex}), then=Value(sex)) for sex in Sex.values), default=Value(OTHER)
    )


def _eligible_verdict() -> Exists:
    return Exists(
        Eligibility.objects.filter(submission=OuterRef("pk"), verdict=Eligibility.Verdict.ELIGIBLE)
    )


def derive_progress_fields(*, rows: QuerySet[Submission], round_id: int) -> int:
    """Store respondent_sex and is_eligible of `rows` (one round's) from answers and verdict."""
    return rows.update(
        respondent_sex=sex_answer(question_path(round_id, "sex")), is_eligible=_eligible_verdict()
    )


def refresh_progress_fields(*, round_id: int) -> int:
    """Re-derive the round's checked interviews whose stored fields are missing or differ.

    Validation derives each interview it checks; this catches what it cannot see: a changed
    sex question in the round's check configuration, rows checked before the fields existed.
    Rows already right are not written.
    """
    path = question_path(round_id, "sex")
    stale = (
        Submission.objects.filter(form__round_id=round_id, needs_validation=False)
        .annotate(want_sex=sex_answer(path), want_eligible=_eligible_verdict())
        .filter(~Q(respondent_sex=F("want_sex")) | ~Q(is_eligible=F("want_eligible")))
        .values("pk")
    )
    return Submission.objects.filter(pk__in=stale).update(
        respondent_sex=sex_answer(path), is_eligible=_eligible_verdict()
    )


def open_duplicates() -> QuerySet[Flag]:
    """Open duplicate flags that keep an interview from counting until a supervisor decides."""
    return Flag.objects.open().filter(
        check_code__startswith="duplicate.", severity__in=(Severity.BLOCKER, Severity.MAJOR)
    )


def _figures(eligible: Q) -> dict[str, Any]:
    return {
        "collected": Count("pk"),
        "eligible": Count("pk", filter=eligible),
        "approved": Count("pk", filter=eligible & Q(review_status=S.APPROVED)),
        "pending": Count("pk", filter=eligible & Q(review_status__in=PENDING)),
        "excluded": Count("pk", filter=Q(review_status=S.EXCLUDED)),
        # NOT IN (open duplicates) is hashed once; a correlated EXISTS ran per interview.
        "counted": Count(
            "pk",
            filter=eligible
            & ~Q(review_status=S.EXCLUDED)
            & ~Q(pk__in=open_duplicates().values("submission_id")),
        ),
    }


def round_progress(*, scope: QuerySet[Submission], round_id: int) -> list[StratumProgress]:
    """Every quota of the round with its figures over the interviews in the user's scope."""
    rows = scope.filter(form__round_id=round_id, deleted_at__isnull=True, location__isnull=False)
    derived = (
        rows.filter(needs_validation=False, respondent_sex__in=Sex.values)
        .annotate(sex=F("respondent_sex"))
        .values("location_id", "sex")
        .annotate(**_figures(Q(is_eligible=True)))
        .order_by()
    )
    path = question_path(round_id, "sex")
    from_answers = (
        # The JSON key's own `in` (KT's `in` quotes the values as JSON on SQLite).
        rows.filter(Q(needs_validation=True) | Q(respondent_sex=""))
        .filter(**{f"data__{path}__in": Sex.values})
        .annotate(sex=KT(f"data__{path}"))
        .values("location_id", "sex")
        .annotate(**_figures(Q(eligibility__verdict=Eligibility.Verdict.ELIGIBLE)))
        .order_by()
    )
    figures: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for r in derived.union(from_answers, all=True):
        stratum = figures[(r["location_id"], r["sex"])]
        for k in FIGURES:
            stratum[k] += int(r[k])
    out = []
    for quota in Quota.objects.filter(round_id=round_id).select_related("location__parent"):
        f = figures.get((quota.location_id, quota.sex), dict.fromkeys(FIGURES, 0))
        name = quota.location.name_en
        if quota.location.parent is not None:
            name = f"{quota.location.parent.name_en} – {name}"
        out.append(
            StratumProgress(
                quota_id=quota.pk,
                location_id=quota.location_id,
                location_code=quota.location.code,
                location_name=name,
                sex=quota.sex,
                target=quota.target,
                **f,
            )
        )
    return sorted(out, key=lambda p: (p.location_code, p.sex))
