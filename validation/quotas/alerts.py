"""Quotas in the field: which interviews count, over-quota flags, alerts once, digest lines.

An interview counts toward its stratum (location x sex, optionally x citizenship) when it is
active, eligible, not excluded and not an open duplicate, and toward every quota above its
location: a district interview counts for its city's or region's quota too
(validation.quotas.progress.QuotaTree). Counted interviews are taken in interview-time order;
one that comes after any of its quotas is met is flagged `quota.over` for the supervisor to
decide on, rather than silently counted.
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
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from surveys.models import Enumerator, Quota, Sex, Submission, Team
from validation.models import Eligibility, Flag, QuotaAlert, Severity
from validation.quotas.progress import (
    QuotaTree,
    citizenship_answer,
    open_duplicates,
    quota_place,
    quota_tree,
)
from validation.selectors import question_path

logger = logging.getLogger(__name__)

OVER = "quota.over"
_SEX_WORDS = {Sex.FEMALE: "women", Sex.MALE: "men"}


def counted_rows(round_id: int, *, by_citizenship: bool = False) -> QuerySet[Submission]:
    """The round's counted interviews with their sex (and citizenship) annotated, unordered.

    As validation.quotas.progress.round_progress counts them: an interview checked since its
    last sync is read from its stored respondent_sex and is_eligible, the others from their
    answers and verdict. CASE reads the answers only for those few, so the JSON of the rest
    is never decoded; nor is it for the citizenship, read from respondent_citizenship likewise.
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
            # Stored by validation beside the sex; the answers only for the few not derived.
            cit=(
                Case(
                    When(derived, then=F("respondent_citizenship")),
                    default=citizenship_answer(round_id, by_citizenship=True),
                    output_field=CharField(),
                )
                if by_citizenship
                else Value("", output_field=CharField())
            ),
        )
        .filter(sex__in=Sex.values, eligible=True)
        .order_by()  # callers take ranks or their own order: no sort by the model's default
    )


def _interview_time() -> list[Any]:
    return [Coalesce("started_at", "ended_at", "submission_time").asc(), F("pk").asc()]


def counted_interviews(round_id: int) -> QuerySet[Submission]:
    """The round's counted interviews with their rank within their own location x sex."""
    return counted_rows(round_id).annotate(
        rank=Window(
            RowNumber(), partition_by=[F("location_id"), F("sex")], order_by=_interview_time()
        )
    )


@dataclass(frozen=True)
class RolledUp:
    counted: dict[int, int]  # quota pk -> counted interviews, its locations below included
    over: dict[int, list[Quota]]  # interview pk -> quotas already met when it was done


def rolled_up(tree: QuotaTree, round_id: int) -> RolledUp:
    """Count every quota over its location and those below, in interview-time order.

    One ordered read of the counted interviews; each adds one to every quota it falls under
    (location tree x sex x citizenship), so a city quota and its districts' quotas count the
    same interview, and a met quota is known at the interview that passed it.
    """
    counted: dict[int, int] = defaultdict(int)
    over: dict[int, list[Quota]] = {}
    rows: Any = counted_rows(round_id, by_citizenship=tree.by_citizenship).order_by(
        *_interview_time()
    )
    for pk, location_id, sex, citizenship in rows.values_list("pk", "location_id", "sex", "cit"):
        for quota in tree.quotas_for(location_id, sex, citizenship or ""):
            counted[quota.pk] += 1
            if counted[quota.pk] > quota.target:
                over.setdefault(pk, []).append(quota)
    return RolledUp(dict(counted), over)


@dataclass(frozen=True)
class QuotaCheck:
    counted: dict[int, int]  # quota pk -> counted interviews
    flagged: int
    resolved: int
    alerts: list[QuotaAlert]


def check_quotas(*, round_id: int) -> QuotaCheck:
    """Flag interviews beyond met quotas, resolve flags that no longer hold, alert once."""
    tree = quota_tree(round_id)
    if not tree.quotas:
        return QuotaCheck({}, 0, 0, [])
    result = rolled_up(tree, round_id)
    with transaction.atomic():
        flagged, resolved = _apply_over_flags(round_id, result.over)
    alerts = [
        alert
        for quota in tree.quotas
        for alert in _alerts_for(quota, result.counted.get(quota.pk, 0), tree)
    ]
    return QuotaCheck(result.counted, flagged, resolved, alerts)


def _over_message(quotas: list[Quota]) -> str:
    names = "; ".join(stratum_name(q) for q in quotas)
    return (
        f"The quota for {names} was already met when this interview was done: "
        "decide whether it counts."
    )


def _apply_over_flags(round_id: int, over: dict[int, list[Quota]]) -> tuple[int, int]:
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
            message=_over_message(quotas),
        )
        for pk, quotas in over.items()
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
    """'women, Almaty – Bostandyk', 'men from uz, Almaty' (a citizenship quota)."""
    who = _SEX_WORDS.get(Sex(quota.sex), quota.sex)
    if quota.citizenship:
        who = f"{who} from {quota.citizenship}"
    return f"{who}, {quota_place(quota)}"


def _alerts_for(quota: Quota, counted: int, tree: QuotaTree) -> list[QuotaAlert]:
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
        alert = _send_once(quota, kind, counted, tree)
        if alert is not None:
            sent.append(alert)
    return sent


def _send_once(quota: Quota, kind: str, counted: int, tree: QuotaTree) -> QuotaAlert | None:
    """Claim the (quota, kind) row first: a second run, or a racing worker, sends nothing.

    Alerted: supervisors of teams working in the quota's location, above it (a team of the
    whole city, for a district quota) or below it (district teams, for a city quota).
    """
    places = tree.related_locations([quota.location_id])
    supervisors = [
        team.supervisor
        for team in Team.objects.filter(locations__in=places)
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

    e.g. "women, Almaty – Bostandyk: quota met", "men, Almaty: 12 more needed" (a city quota
    the team's districts count toward).
    """
    if enumerator.team_id is None:
        return []
    team_locations = Team.objects.filter(pk=enumerator.team_id).values_list("locations", flat=True)
    tree = quota_tree(round_id)
    places = tree.related_locations(pk for pk in team_locations if pk is not None)
    quotas = [q for q in tree.quotas if q.location_id in places]
    if not quotas:
        return []
    counted = rolled_up(tree, round_id).counted
    lines = []
    for quota in sorted(quotas, key=lambda q: (q.location.code, q.sex, q.citizenship)):
        remaining = quota.target - counted.get(quota.pk, 0)
        status = "quota met" if remaining <= 0 else f"{remaining} more needed"
        lines.append(f"{stratum_name(quota)}: {status}")
    return lines
