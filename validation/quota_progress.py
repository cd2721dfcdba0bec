"""Quota progress of a round per location x sex, in one aggregate query.

Counts toward the quota only what validation.quota_alerts counts: active, eligible, not
excluded, not an open duplicate. (The review screen's validation/progress.py, when it lands,
should share this definition; the API and dashboards call round_progress only.)
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT

from surveys.models import Quota, Sex, Submission
from validation.models import Eligibility, Flag, Severity
from validation.quota_alerts import sex_path

S = Submission.ReviewStatus
PENDING = (S.RECEIVED, S.CLEAN, S.FLAGGED, S.RETURNED, S.CORRECTED, S.ON_HOLD)


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


def round_progress(*, scope: QuerySet[Submission], round_id: int) -> list[StratumProgress]:
    """Every quota of the round with its figures over the interviews in the user's scope."""
    eligible = Q(eligibility__verdict=Eligibility.Verdict.ELIGIBLE)
    duplicate = Exists(
        Flag.objects.open().filter(
            submission=OuterRef("pk"),
            check_code__startswith="duplicate.",
            severity__in=(Severity.BLOCKER, Severity.MAJOR),
        )
    )
    rows = (
        scope.filter(form__round_id=round_id, deleted_at__isnull=True, location__isnull=False)
        .annotate(sex=KT(f"data__{sex_path(round_id)}"), duplicate=duplicate)
        .filter(sex__in=Sex.values)
        .values("location_id", "sex")
        .annotate(
            collected=Count("pk"),
            eligible=Count("pk", filter=eligible),
            approved=Count("pk", filter=eligible & Q(review_status=S.APPROVED)),
            pending=Count("pk", filter=eligible & Q(review_status__in=PENDING)),
            excluded=Count("pk", filter=Q(review_status=S.EXCLUDED)),
            counted=Count(
                "pk", filter=eligible & ~Q(review_status=S.EXCLUDED) & Q(duplicate=False)
            ),
        )
        .order_by()
    )
    figures = {(r["location_id"], r["sex"]): r for r in rows}
    out = []
    for quota in Quota.objects.filter(round_id=round_id).select_related("location__parent"):
        f = figures.get((quota.location_id, quota.sex), {})
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
                **{
                    k: int(f.get(k, 0))
                    for k in ("collected", "eligible", "approved", "pending", "excluded", "counted")
                },
            )
        )
    return sorted(out, key=lambda p: (p.location_code, p.sex))
