"""Correction workflow: open on return, remind, escalate, judge corrected versions, digests.

Every function takes `now` so schedules are testable with controlled time. Messages are
queued through the notification log (notifications.py) and sent after commit.
"""

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mtm.errors import DomainError
from surveys.kobo.client import edit_redirect_url
from surveys.models import Enumerator, Submission
from surveys.tasks import sync_form_task
from validation.corrections import items as correction_items
from validation.corrections import messages, states
from validation.corrections.notifications import Audience, queue_digest, queue_for_task
from validation.flags.status import IllegalTransitionError, transition
from validation.models import (
    ACTIVE_STATES,
    CorrectionEvent,
    CorrectionPolicy,
    CorrectionTask,
    Flag,
    ReviewEvent,
    Severity,
)
from validation.quotas.alerts import digest_lines

logger = logging.getLogger(__name__)
T = CorrectionTask.State
_DEFAULT_REMIND_H = 12
# States in which the enumerator still owes a fix (reminders and escalation apply).
_OWED = (T.OPEN, T.NOTIFIED, T.STILL_FAILING, T.SUBMITTED)


class CorrectionClosedError(DomainError):
    code = "correction_closed"
    http_status = 409


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")


def _policy(round_id: int | None) -> CorrectionPolicy | None:
    if round_id is None:
        return None
    return CorrectionPolicy.objects.filter(round_id=round_id).first()


def due_hours(round_id: int | None) -> int:
    policy = _policy(round_id)
    if policy is not None and policy.due_hours:
        return policy.due_hours
    return int(settings.MTM_CORRECTION_DEADLINE_H)


def edit_url_for(submission: Submission) -> str:
    """KoBo's stable redirect-edit URL (kobo-api.md §4.3): mints a fresh Enketo link on click.

    By `_id` (KPI keeps it across edits) unless the server is known to take a rootUuid.
    """
    form = submission.form
    server = form.server
    key = submission.root_uuid if server.edit_links_by_root_uuid else submission.kobo_id
    return edit_redirect_url(server.base_url, form.asset_uid, key)


def _submission(pk: int) -> Submission:
    return Submission.objects.select_related(
        "form__server", "version", "enumerator__team__supervisor", "enumerator__user"
    ).get(pk=pk)


def open_or_update_correction(
    *,
    review_event: ReviewEvent,
    flag_keys: Sequence[tuple[str, str]] = (),
    now: dt.datetime | None = None,
) -> CorrectionTask | None:
    """Open the interview's task (or renew its live one) and queue the enumerator's message.

    Called in the transaction of the return, so both happen or neither does.
    """
    now = now or timezone.now()
    submission = _submission(review_event.submission_id)
    enumerator = submission.enumerator
    if enumerator is None:
        logger.warning("submission %s returned without a known enumerator", submission.pk)
        return None
    found = correction_items.build_items(
        submission=submission, paths=review_event.questions, flag_keys=flag_keys
    )
    team = enumerator.team
    supervisor_id = team.supervisor_id if team is not None else None
    due_at = now + dt.timedelta(hours=due_hours(submission.form.round_id))
    with transaction.atomic():
        task = (
            CorrectionTask.objects.select_for_update()
            .filter(submission=submission, state__in=ACTIVE_STATES)
            .first()
        )
        if task is None:
            task = CorrectionTask.objects.create(
                submission=submission,
                enumerator=enumerator,
                supervisor_id=supervisor_id or review_event.actor_id,
                opened_by_id=review_event.actor_id,
                review_event=review_event,
                comment=review_event.comment,
                items=found,
                edit_url=edit_url_for(submission),
                instance_id=submission.instance_id,
                due_at=due_at,
            )
            states.move_created(task=task, actor_id=review_event.actor_id)
        else:
            # Returned again before it was fixed: the new questions and comment replace the old.
            states.move(
                task=task,
                to=T.OPEN,
                actor_id=review_event.actor_id,
                note="Returned again.",
                only_from=[s for s in ACTIVE_STATES if s != T.OPEN],
            )
            CorrectionTask.objects.filter(pk=task.pk).update(
                comment=review_event.comment,
                items=found,
                review_event=review_event,
                instance_id=submission.instance_id,
                due_at=due_at,
            )
            task.refresh_from_db()
        queue_for_task(task=task, kind=f"opened.{review_event.pk}", audience=Audience.ENUMERATOR)
    return task


def record_seen(*, task: CorrectionTask, actor: AbstractBaseUser) -> bool:
    """The enumerator opened the task: one event per attempt, so the supervisor sees it was read.

    The state does not move (opening is not fixing); the event's data marks it as a view.
    """
    if task.state in states.CLOSED:
        return False
    seen = {"seen": task.attempts}
    if CorrectionEvent.objects.filter(task=task, data=seen).exists():
        return False
    CorrectionEvent.objects.create(
        task=task,
        actor_id=actor.pk,
        from_state=task.state,
        to_state=task.state,
        data=seen,
    )
    return True


def mark_fixed(*, task: CorrectionTask, actor: AbstractBaseUser) -> CorrectionTask:
    """The enumerator says the fix is in KoBo: wait for it, and ask for a sync of the form now."""
    if task.state in states.CLOSED:
        raise CorrectionClosedError(_("This correction is already closed."))
    if task.state != T.SUBMITTED:
        states.move(task=task, to=T.SUBMITTED, actor_id=actor.pk, note="Fixed in KoBo, they say.")
        form = task.submission.form
        if form.is_active and form.server.is_active:
            transaction.on_commit(lambda: sync_form_task.delay(form.pk), robust=True)
    return task


def set_due(*, task: CorrectionTask, due_at: dt.datetime, actor: AbstractBaseUser) -> None:
    """A supervisor moves the due time; reminders and escalation re-arm for the new one."""
    if task.state in states.CLOSED:
        raise CorrectionClosedError(_("This correction is already closed."))
    with transaction.atomic():
        CorrectionTask.objects.filter(pk=task.pk).update(due_at=due_at)
        task.due_at = due_at
        if task.state == T.EXPIRED:
            states.move(task=task, to=T.NOTIFIED, actor_id=actor.pk, note="New due time.")


def cancel(*, task: CorrectionTask, actor_id: int | None, note: str) -> bool:
    return states.move(task=task, to=T.CANCELLED, actor_id=actor_id, note=note)


@dataclass(frozen=True)
class Judgement:
    task_id: int
    state: str


def judge_correction(*, task_id: int, now: dt.datetime | None = None) -> Judgement | None:
    """Judge a new version of the interview once validated: resolved, or still failing.

    None when there is nothing new to judge (same instanceID, not yet validated, closed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        task = (
            CorrectionTask.objects.select_for_update(of=("self",))
            .filter(pk=task_id, state__in=ACTIVE_STATES)
            .select_related("submission__form", "enumerator__user", "supervisor")
            .first()
        )
        if task is None:
            return None
        submission = task.submission
        if submission.deleted_at is not None:
            cancel(task=task, actor_id=None, note="The interview was deleted in KoBo.")
            return Judgement(task.pk, T.CANCELLED)
        if submission.needs_validation or submission.instance_id == task.instance_id:
            return None
        judged = correction_items.judge_items(submission=submission, items=task.items)
        passing = all(item["passing"] for item in judged)
        attempts = task.attempts + 1
        fields = {"items": judged, "instance_id": submission.instance_id, "attempts": attempts}
        data = {"instance_id": submission.instance_id, "attempt": attempts}
        if passing:
            states.move(
                task=task,
                to=T.RESOLVED,
                note="The corrected version passes.",
                data=data,
                fields=fields,
            )
            queue_for_task(task=task, kind="resolved", audience=Audience.SUPERVISOR)
        else:
            failing = [item["path"] for item in judged if not item["passing"]]
            states.move(
                task=task,
                to=T.STILL_FAILING,
                note="The corrected version still fails.",
                data={**data, "failing": failing},
                fields=fields,
            )
            queue_for_task(
                task=task, kind=f"still_failing.{attempts}", audience=Audience.ENUMERATOR
            )
    return Judgement(task.pk, task.state)


def judgeable_tasks() -> QuerySet[CorrectionTask]:
    """Live tasks whose interview has a validated version they have not judged yet."""
    return (
        CorrectionTask.objects.filter(state__in=ACTIVE_STATES)
        .filter(submission__needs_validation=False)
        .exclude(instance_id=F("submission__instance_id"))
    )


def settle_corrections(*, now: dt.datetime | None = None) -> list[Judgement]:
    """After validation: judge new versions, close decided ones, auto-open for blockers.

    Tasks whose interview a supervisor approved or excluded meanwhile are cancelled; tasks for
    blocker flags open where the round's policy asks for it.
    """
    now = now or timezone.now()
    judged = [
        j
        for pk in judgeable_tasks().values_list("pk", flat=True)
        if (j := judge_correction(task_id=pk, now=now)) is not None
    ]
    decided = CorrectionTask.objects.filter(
        state__in=ACTIVE_STATES,
        submission__review_status__in=(
            Submission.ReviewStatus.APPROVED,
            Submission.ReviewStatus.EXCLUDED,
        ),
    )
    judged.extend(
        Judgement(task.pk, T.CANCELLED)
        for task in decided
        if cancel(task=task, actor_id=None, note="The supervisor decided on the interview.")
    )
    open_for_blockers(now=now)
    return judged


def open_for_blockers(*, now: dt.datetime | None = None) -> int:
    """Send back flagged interviews with open blocker flags, in rounds whose policy says so."""
    rounds = list(
        CorrectionPolicy.objects.filter(auto_open_for_blockers=True).values_list(
            "round_id", flat=True
        )
    )
    if not rounds:
        return 0
    candidates = (
        Submission.objects.active()
        .filter(
            form__round_id__in=rounds,
            review_status=Submission.ReviewStatus.FLAGGED,
            enumerator__isnull=False,
            needs_validation=False,
            flags__status=Flag.Status.OPEN,
            flags__severity=Severity.BLOCKER,
        )
        .exclude(correction_tasks__state__in=(*ACTIVE_STATES, T.CANCELLED))
        .distinct()
        .values_list("pk", flat=True)
    )
    opened = 0
    for pk in list(candidates):
        blockers = list(
            Flag.objects.open()
            .filter(submission_id=pk, severity=Severity.BLOCKER)
            .values_list("check_code", "path")
        )
        with transaction.atomic():
            submission = Submission.objects.get(pk=pk)
            try:
                event = transition(
                    submission=submission,
                    to=Submission.ReviewStatus.RETURNED,
                    comment="These answers fail a blocking check.",
                    questions=sorted({path for _, path in blockers if path}),
                )
            except IllegalTransitionError:
                continue
            if open_or_update_correction(review_event=event, flag_keys=blockers, now=now):
                opened += 1
    return opened


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind enumerators of tasks due within their round's reminder window (once per due)."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=30)
    sent = 0
    tasks = (
        CorrectionTask.objects.filter(state__in=_OWED, due_at__gt=now, due_at__lte=horizon)
        .exclude(reminded_for=F("due_at"))
        .select_related("submission__form", "enumerator__user", "supervisor")
    )
    for task in tasks:
        policy = _policy(task.submission.form.round_id)
        before = policy.remind_before_hours if policy is not None else _DEFAULT_REMIND_H
        if task.due_at - dt.timedelta(hours=before) > now:
            continue
        with transaction.atomic():
            # The claim: one reminder per due time, however many beats overlap.
            if (
                not CorrectionTask.objects.filter(pk=task.pk)
                .exclude(reminded_for=F("due_at"))
                .update(reminded_for=F("due_at"))
            ):
                continue
            queue_for_task(
                task=task,
                kind=f"reminder.{_stamp(task.due_at)}",
                audience=Audience.ENUMERATOR,
            )
        sent += 1
    return sent


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell the supervisor about tasks past due (once per due time); the task is expired."""
    now = now or timezone.now()
    escalated = 0
    tasks = (
        CorrectionTask.objects.filter(state__in=_OWED, due_at__lte=now)
        .exclude(escalated_for=F("due_at"))
        .select_related("submission__form", "enumerator__user", "supervisor")
    )
    for task in tasks:
        with transaction.atomic():
            if (
                not CorrectionTask.objects.filter(pk=task.pk)
                .exclude(escalated_for=F("due_at"))
                .update(escalated_for=F("due_at"))
            ):
                continue
            states.move(task=task, to=T.EXPIRED, note="Past its due time.")
            queue_for_task(
                task=task,
                kind=f"escalated.{_stamp(task.due_at)}",
                audience=Audience.SUPERVISOR,
            )
        escalated += 1
    return escalated


def send_digests(*, now: dt.datetime | None = None) -> int:
    """One digest per enumerator with live tasks per local day, on each channel."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    queued = 0
    enumerators = Enumerator.objects.filter(
        correction_tasks__state__in=ACTIVE_STATES, is_active=True
    ).distinct()
    for enumerator in enumerators.select_related("user"):
        tasks = list(
            CorrectionTask.objects.filter(enumerator=enumerator, state__in=ACTIVE_STATES)
            .select_related("submission__form")
            .order_by("due_at")
        )
        language = messages.language_of(enumerator.user)
        lines = [
            f"#{task.submission.kobo_id}: {task.get_state_display()}, "
            f"{messages.local_time(task.due_at)}"
            for task in tasks
        ]
        for round_id in sorted(
            {t.submission.form.round_id for t in tasks if t.submission.form.round_id}
        ):
            lines += digest_lines(enumerator=enumerator, round_id=round_id)
        with transaction.atomic():
            queued += len(
                queue_digest(enumerator=enumerator, day=day, lines=lines, language=language)
            )
    return queued
