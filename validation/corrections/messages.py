"""Words of the correction messages, in the reader's language (templates/corrections/messages/)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from surveys.models import Enumerator
from validation.corrections.items import pick_label, reason
from validation.models import CorrectionTask, NotificationPreference


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    body: str
    payload: dict[str, Any]


def language_of(user: AbstractBaseUser | None) -> str:
    """The language the person chose on their pages, else the site default."""
    if user is not None:
        chosen = (
            NotificationPreference.objects.filter(user_id=user.pk)
            .values_list("language", flat=True)
            .first()
        )
        if chosen:
            return chosen
    return settings.LANGUAGE_CODE


def task_url(task: CorrectionTask) -> str:
    return f"{settings.MTM_PUBLIC_URL}{reverse('corrections:task', args=[task.pk])}"


def local_time(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def kind_base(kind: str) -> str:
    """'reminder.20260301T1200' -> 'reminder' (the suffix only keeps the key unique)."""
    return kind.split(".", 1)[0]


def _subject(base: str, task: CorrectionTask) -> str:
    number = task.submission.kobo_id
    enumerator = task.enumerator.full_name
    subjects = {
        "opened": _("Interview #%(number)s needs corrections"),
        "reminder": _("Reminder: interview #%(number)s is due %(due)s"),
        "escalated": _("Overdue: %(enumerator)s has not corrected interview #%(number)s"),
        "still_failing": _("Interview #%(number)s: some answers still need fixing"),
        "resolved": _("Corrected: interview #%(number)s by %(enumerator)s"),
    }
    return subjects[base] % {
        "number": number,
        "enumerator": enumerator,
        "due": local_time(task.due_at),
    }


def _items(task: CorrectionTask, language: str) -> list[dict[str, Any]]:
    return [
        {
            "label": pick_label(item["labels"], language),
            "path": item["path"],
            "passing": item.get("passing", False),
            "reasons": [reason(flag) for flag in item["flags"]],
            "checks": [flag["code"] for flag in item["flags"]],
        }
        for item in task.items
    ]


def render_for_task(*, task: CorrectionTask, kind: str, audience: str) -> Rendered:
    reader = task.enumerator.user if audience == "enumerator" else task.supervisor
    language = language_of(reader)
    base = kind_base(kind)
    with translation.override(language):
        items = _items(task, language)
        context = {
            "task": task,
            "items": items,
            "failing": [item for item in items if not item["passing"]],
            "url": task_url(task),
            "due": local_time(task.due_at),
            "number": task.submission.kobo_id,
            "enumerator": task.enumerator.full_name,
        }
        subject = _subject(base, task)
        body = render_to_string(f"corrections/messages/{base}.txt", context).strip() + "\n"
    payload = {
        "event": f"correction.{base}",
        "key": kind,
        "audience": audience,
        "task": task.pk,
        "state": task.state,
        "interview": task.submission.kobo_id,
        "form": task.submission.form.asset_uid,
        "enumerator": task.enumerator.kobo_username,
        "due_at": task.due_at.isoformat(),
        "url": task_url(task),
        "edit_url": task.edit_url,
        # Question labels and check codes only: the webhook never carries the answers.
        "questions": [
            {"path": i["path"], "label": i["label"], "checks": i["checks"], "passing": i["passing"]}
            for i in items
        ],
        "text": body,
    }
    return Rendered(language, subject, body, payload)


def render_digest(
    *, enumerator: Enumerator, lines: list[str], language: str, day: dt.date
) -> Rendered:
    with translation.override(language):
        subject = _("Your corrections for %(day)s") % {"day": day.isoformat()}
        body = (
            render_to_string(
                "corrections/messages/digest.txt",
                {"lines": lines, "url": f"{settings.MTM_PUBLIC_URL}{reverse('corrections:list')}"},
            ).strip()
            + "\n"
        )
    payload = {
        "event": "correction.digest",
        "enumerator": enumerator.kobo_username,
        "day": day.isoformat(),
        "lines": lines,
        "text": body,
    }
    return Rendered(language, subject, body, payload)
