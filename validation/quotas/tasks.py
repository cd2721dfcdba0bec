"""Celery task of the quota alerts (listed in CELERY_IMPORTS; run by beat)."""

from celery import shared_task

from surveys.models import Round
from validation.quotas import counters
from validation.quotas.alerts import check_quotas
from validation.quotas.progress import refresh_progress_fields


@shared_task(name="validation.quota_tasks.check_quotas_task")  # the name beat stores
def check_quotas_task() -> None:
    """Flag over-quota interviews and send due alerts for every round in fieldwork (idempotent).

    First folds the progress counters' change rows (one row per stratum again).
    """
    counters.compact()
    for round_id in Round.objects.filter(status=Round.Status.FIELDWORK).values_list(
        "pk", flat=True
    ):
        refresh_progress_fields(round_id=round_id)
        check_quotas(round_id=round_id)
