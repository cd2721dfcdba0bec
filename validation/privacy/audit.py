"""The access log's services and selectors: record who saw what, and read it back.

Every place that shows an interview, reveals a personal answer or hands out an export calls
one `record_*` function; admin changes (Django's LogEntry) are copied in before the log is
read, so the page and its export show them too. Only data managers read the log.
"""

from collections.abc import Iterator
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from surveys.models import Submission
from surveys.selectors import UserLike, is_data_manager
from validation.models import AccessLog

A = AccessLog.Action
_ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}
# LogEntry ids are handed out before commit, so a late commit may land below the highest id
# already copied: each copy looks back this far for rows it has not got yet.
_LOOK_BACK = 1000
COLUMNS = (
    "time",
    "user",
    "action",
    "object_type",
    "object_id",
    "object",
    "field",
    "channel",
    "detail",
    "ip",
)


def _client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: a forwarded header is whatever the client chose to send.
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def record(
    *,
    actor: Any,
    action: str,
    request: HttpRequest | None = None,
    submission: Submission | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    field: str = "",
    channel: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Append one row; the actor's name is kept as it is now, in case the user goes."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if submission is not None:
        object_type = object_type or "surveys.submission"
        object_id = object_id or str(submission.pk)
        object_repr = object_repr or f"Interview #{submission.kobo_id}"
    return AccessLog.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "",
        action=action,
        submission=submission,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        field=field,
        channel=channel,
        detail=detail or {},
        ip=_client_ip(request),
    )


def record_view(
    *,
    request: HttpRequest,
    submission: Submission,
    channel: str,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Someone opened an interview's answers (review screen, API detail, admin)."""
    return record(
        actor=request.user,
        action=A.VIEW,
        request=request,
        submission=submission,
        channel=channel,
        detail=detail,
    )


def record_reveal(
    *, request: HttpRequest, submission: Submission, path: str, channel: str
) -> AccessLog:
    """Someone asked to see a personal answer in clear."""
    return record(
        actor=request.user,
        action=A.REVEAL,
        request=request,
        submission=submission,
        field=path,
        channel=channel,
    )


def record_export(
    *,
    request: HttpRequest,
    kind: str,
    channel: str,
    round_id: int | None = None,
    fmt: str = "csv",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AccessLog:
    """Someone streamed or downloaded an export."""
    detail: dict[str, Any] = {"kind": kind, "format": fmt}
    if round_id is not None:
        detail["round"] = round_id
    return record(
        actor=request.user,
        action=A.EXPORT,
        request=request,
        object_type=object_type or "export",
        object_id=object_id or (str(round_id) if round_id is not None else ""),
        object_repr=object_repr or kind,
        channel=channel,
        detail=detail,
    )


def import_admin_changes() -> int:
    """Copy the admin's change log (LogEntry) into the access log; returns rows copied.

    Idempotent: each LogEntry is copied once (unique admin_log_id), whoever calls at once.
    """
    newest = AccessLog.objects.aggregate(top=Max("admin_log_id"))["top"] or 0
    copied = AccessLog.objects.filter(
        admin_log_id__gt=newest - _LOOK_BACK, admin_log_id__isnull=False
    ).values("admin_log_id")
    entries = (
        LogEntry.objects.filter(pk__gt=newest - _LOOK_BACK)
        .exclude(pk__in=copied)
        .select_related("user", "content_type")
        .order_by("pk")
    )
    rows = []
    for entry in entries.iterator(chunk_size=1000):
        content_type: Any = entry.content_type
        user: Any = entry.user
        label = f"{content_type.app_label}.{content_type.model}" if content_type else ""
        is_submission = label == "surveys.submission" and (entry.object_id or "").isdigit()
        rows.append(
            AccessLog(
                at=entry.action_time,
                actor_id=entry.user_id,
                actor_name=user.get_username() if user is not None else "",
                action=A.CHANGE,
                submission_id=int(entry.object_id or 0) if is_submission else None,
                object_type=label,
                object_id=(entry.object_id or "")[:64],
                object_repr=entry.object_repr[:200],
                channel="admin",
                detail={
                    "admin_action": _ADMIN_ACTIONS.get(entry.action_flag, str(entry.action_flag)),
                    "message": entry.get_change_message(),
                },
                admin_log_id=entry.pk,
            )
        )
    AccessLog.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def may_read_access_log(user: UserLike) -> bool:
    """Data managers (and superusers) only: the log itself says who looked at whom."""
    return bool(getattr(user, "is_staff", False)) and is_data_manager(user)


def visible_access_log(user: UserLike) -> QuerySet[AccessLog]:
    if not may_read_access_log(user):
        return AccessLog.objects.none()
    return AccessLog.objects.all()


def access_log_rows(rows: QuerySet[AccessLog]) -> Iterator[list[Any]]:
    """The CSV rows of the log, oldest first, read in chunks."""
    for row in rows.order_by("at", "pk").iterator(chunk_size=2000):
        yield [
            timezone.localtime(row.at).isoformat(timespec="seconds"),
            row.actor_name,
            row.action,
            row.object_type,
            row.object_id,
            row.object_repr,
            row.field,
            row.channel,
            _detail_text(row.detail),
            row.ip or "",
        ]


def _detail_text(detail: Any) -> str:
    if not isinstance(detail, dict):
        return ""
    return "; ".join(f"{key}: {value}" for key, value in detail.items())
