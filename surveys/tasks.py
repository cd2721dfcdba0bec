"""Celery tasks of the surveys app: thin wrappers that load by id and call one service."""

import logging

from celery import shared_task

from surveys.kobo.errors import KoboError, KoboUnavailableError
from surveys.locks import SyncAlreadyRunningError
from surveys.models import KoboForm
from surveys.push import push_review_statuses
from surveys.sync import UnknownFormVersionError, sync_form

logger = logging.getLogger(__name__)

_RETRYABLE = (KoboUnavailableError, UnknownFormVersionError)


@shared_task(
    autoretry_for=_RETRYABLE,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def sync_form_task(form_id: int, full: bool = False) -> None:
    """Sync one form; a sync already running elsewhere makes this one a no-op."""
    form = KoboForm.objects.filter(pk=form_id, is_active=True).select_related("server").first()
    if form is None:
        logger.warning("sync_form_task: form %s is gone or inactive", form_id)
        return
    try:
        sync_form(form=form, full=full)
    except SyncAlreadyRunningError:
        logger.info("sync_form_task: form %s is already syncing", form_id)


@shared_task
def sync_all_forms_task() -> None:
    """Periodic (django-celery-beat): queue one sync per active form."""
    for form_id in KoboForm.objects.filter(is_active=True, server__is_active=True).values_list(
        "pk", flat=True
    ):
        sync_form_task.delay(form_id)


@shared_task(
    autoretry_for=(KoboUnavailableError,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def push_review_statuses_task(form_id: int, kobo_ids: list[int] | None = None) -> None:
    """Push decisions now; 429/5xx/timeouts retry with backoff, the catch-up covers the rest."""
    form = (
        KoboForm.objects.filter(pk=form_id, server__is_active=True).select_related("server").first()
    )
    if form is None:
        logger.warning("push_review_statuses_task: form %s is gone or its server inactive", form_id)
        return
    push_review_statuses(form=form, kobo_ids=kobo_ids)


@shared_task
def push_catch_up_task() -> None:
    """Periodic: re-push decisions KoBo does not show (a lost push), report others' changes.

    A form whose server is down is skipped until the next run; nothing is lost meanwhile.
    """
    forms = KoboForm.objects.filter(is_active=True, server__is_active=True).select_related("server")
    for form in forms:
        try:
            report = push_review_statuses(form=form, refresh=True)
        except KoboError as exc:
            logger.warning("push catch-up of %s skipped: %s", form.asset_uid, exc)
            continue
        if report.pushed or report.refused or report.changed_in_kobo:
            logger.info(
                "push catch-up of %s: %d pushed, %d refused by KoBo, %d changed in KoBo",
                form.asset_uid,
                report.pushed,
                len(report.refused),
                len(report.changed_in_kobo),
            )
