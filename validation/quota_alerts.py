"""Quotas in the field: which interviews count, over-quota flags, alerts once, digest lines.

An interview counts toward its stratum (location x sex) when it is active, eligible, not
excluded and not an open duplicate. Counted interviews are ranked by interview time; those
ranked beyond a met target are flagged `quota.over` for the supervisor to decide on, rather
than silently counted.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from surveys.models import Enumerator, Quota, Sex, Submission, Team
from validation.models import Eligibility, Flag, QuotaAlert, Severity
from validation.quota_progress import open_duplicates
from validation.selectors import question_path

logger = logging.getLogger(__name__)

OVER = "quota.over"
_SEX_WORDS = {Sex.FEMALE: "women", Sex.MALE: "men"}


def counted_interviews(round_id: int) -> QuerySet[Submission]:
    """The round's counted interviews with their stratum and rank within it (one query).

    As validation.quota_progress.round_progress counts them: an interview checked since its
    last sync is read from its stored respondent_sex and is_eligible, the others from their
    answers and verdict. CASE reads the answers only for those few, so the JSON of the rest
    is never decoded.
    """
    derived = Q(needs_validation=False) & ~Q(respondent_sex="")
    round_rows = Submission.objects.filter(form__round_id=round_id)
    # The few not derived, found by partial indexes: their verdicts, not the whole table's.
    eligible_underived = round_rows.filter(
        Q(needs_validation=True) | Q(respondent_sex=""),
        eligibility__verdict=Eligibility.Verdict.ELIGIBLE,
    )
    path = question_path(round_id, "sex")
    return (
        round_rows.filter(deleted_at__isnull=True, location__isnull=False)
        .exclude(review_status=Submission.ReviewStatus.EXCLUDED)
        .exclude(pk__in=open_duplicates().values("submission_id"))
        .annotate(
            sex=Case(
                When(derived, then=F("respondent_sex")),
                default=KT(f"data__{path}"),
                output_field=CharField(),
            ),
            # IN, not EXISTS: under CASE the planner costs EXISTS per interview (~860,000 at
            # 100,000 interviews) and so compiles the query with JIT: half a second more.
            eligible=Case(
                When(derived, then=F("is_eligible")),
                default=ExpressionWrapper(
                    Q(pk__in=eligible_underived.values("pk")),
                    output_field=BooleanField(),
                ),
                output_field=BooleanField(),
            ),
        )
        .filter(sex__in=Sex.values, eligible=True)
        .order_by()  # callers take ranks, not an order: no sort by the model's default
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("location_id"), F("sex")],
                order_by=[
                    Coalesce("started_at", "ended_at", "submission_time").asc(),
                    F("pk").asc(),
                ],
            )
        )
    )


@dataclass(frozen=True)
class QuotaCheck:
    counted: dict[int, int]  # quota pk -> counted interviews
    flagged: int
    resolved: int
    alerts: list[QuotaAlert]


def check_quotas(*, round_id: int) -> QuotaCheck:
    """Flag interviews beyond met quotas, resolve flags that no longer hold, alert once."""
    quotas = {
        (q.location_id, q.sex): q
        for q in Quota.objects.filter(round_id=round_id).select_related("location__parent")
    }
    counted: dict[int, int] = defaultdict(int)
    over: set[int] = set()
    ranked: Any = counted_interviews(round_id)  # annotated fields are unknown to the stubs
    for pk, location_id, sex, rank in ranked.values_list("pk", "location_id", "sex", "rank"):
        quota = quotas.get((location_id, sex))
        if quota is None:
            continue
        counted[quota.pk] = max(counted[quota.pk], rank)
        if rank > quota.target:
            over.add(pk)
    with transaction.atomic():
        flagged, resolved = _apply_over_flags(round_id, over)
    alerts = [
        alert for quota in quotas.values() for alert in _alerts_for(quota, counted.get(quota.pk, 0))
    ]
    return QuotaCheck(dict(counted), flagged, resolved, alerts)


def _apply_over_flags(round_id: int, over: set[int]) -> tuple[int, int]:
    existing = dict(
        Flag.objects.filter(submission__form__round_id=round_id, check_code=OVER).values_list(
            "submission_id", "status"
        )
    )
    new = [
        Flag(
            submission_id=pk,
            check_code=OVER,
            path="",
            severity=Severity.MINOR,
            message="The quota for this location and sex was already met when this interview "
            "was done: decide whether it counts.",
        )
        for pk in over
        if pk not in existing
    ]
    Flag.objects.bulk_create(new, ignore_conflicts=True)
    Flag.objects.filter(
        check_code=OVER, submission_id__in=over, status=Flag.Status.RESOLVED
    ).update(status=Flag.Status.OPEN, resolved_at=None)
    resolved = (
        Flag.objects.filter(
            submission__form__round_id=round_id, check_code=OVER, status=Flag.Status.OPEN
        )
        .exclude(submission_id__in=over)
        .update(status=Flag.Status.RESOLVED, resolved_at=timezone.now())
    )
    return len(new), resolved


def stratum_name(quota: Quota) -> str:
    place = quota.location.name_en
    if quota.location.parent is not None:
        place = f"{quota.location.parent.name_en} – {place}"
    return f"{_SEX_WORDS.get(Sex(quota.sex), quota.sex)}, {place}"


def _alerts_for(quota: Quota, counted: int) -> list[QuotaAlert]:
    near = float(settings.MTM_QUOTA_NEAR_FULL)
    kinds = []
    if quota.target and counted >= near * quota.target and counted < quota.target:
        kinds.append(QuotaAlert.Kind.NEAR_FULL)
    if quota.target and counted >= quota.target:
        kinds.append(QuotaAlert.Kind.MET)
    if counted > quota.target:
        kinds.append(QuotaAlert.Kind.OVER)
    sent = []
    for kind in kinds:
        alert = _send_once(quota, kind, counted)
        if alert is not None:
            sent.append(alert)
    return sent


def _send_once(quota: Quota, kind: str, counted: int) -> QuotaAlert | None:
    """Claim the (quota, kind) row first: a second run, or a racing worker, sends nothing."""
    supervisors = [
        team.supervisor
        for team in Team.objects.filter(
            Q(locations=quota.location) | Q(locations=quota.location.parent_id)
        )
        .exclude(supervisor=None)
        .select_related("supervisor")
        .distinct()
        if team.supervisor is not None
    ]
    with transaction.atomic():
        alert, created = QuotaAlert.objects.get_or_create(
            quota=quota,
            kind=kind,
            defaults={
                "counted": counted,
                "target": quota.target,
                "recipients": sorted(s.get_username() for s in supervisors),
            },
        )
    if not created:
        return None
    label = QuotaAlert.Kind(kind).label
    subject = f"{label}: {stratum_name(quota)} ({counted}/{quota.target})"
    emails = [s.email for s in supervisors if s.email]
    if emails:
        send_mail(
            subject,
            f"{subject}.\nInterviews beyond the target are flagged {OVER} for your decision.",
            None,
            emails,
        )
    logger.info("quota alert %s for quota %s sent to %s supervisors", kind, quota.pk, len(emails))
    return alert


def digest_lines(*, enumerator: Enumerator, round_id: int) -> list[str]:
    """Lines for the enumerator's daily digest: where interviews are needed, where quotas are met.

    e.g. "women, Almaty – Bostandyk: quota met", "men, Almaty – Medeu: 12 more needed".
    """
    if enumerator.team_id is None:
        return []
    team_locations = Team.objects.filter(pk=enumerator.team_id).values("locations")
    quotas = (
        Quota.objects.filter(round_id=round_id)
        .filter(Q(location__in=team_locations) | Q(location__parent__in=team_locations))
        .select_related("location__parent")
        .order_by("location__code", "sex")
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    ranked: Any = counted_interviews(round_id)
    for location_id, sex, rank in ranked.values_list("location_id", "sex", "rank"):
        counts[(location_id, sex)] = max(counts[(location_id, sex)], rank)
    lines = []
    for quota in quotas:
        remaining = quota.target - counts[(quota.location_id, quota.sex)]
        status = "quota met" if remaining <= 0 else f"{remaining} more needed"
        lines.append(f"{stratum_name(quota)}: {status}")
    return lines
