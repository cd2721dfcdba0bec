"""Push review decisions back to KoBo as its native validation status (kobo-api.md §4.1)."""

import logging
from dataclasses import dataclass

from django.db import transaction

from surveys.connections import client_for
from surveys.kobo.client import KoboClient
from surveys.models import KoboForm, Submission

logger = logging.getLogger(__name__)

# Returned and on-hold interviews both wait for someone: KoBo has one status for that.
KOBO_STATUS_FOR_REVIEW = {
    Submission.ReviewStatus.APPROVED: "validation_status_approved",
    Submission.ReviewStatus.EXCLUDED: "validation_status_not_approved",
    Submission.ReviewStatus.RETURNED: "validation_status_on_hold",
    Submission.ReviewStatus.ON_HOLD: "validation_status_on_hold",
}


@dataclass(frozen=True)
class PushReport:
    asset: str
    pushed: int


def push_review_statuses(
    *, form: KoboForm, client: KoboClient | None = None, kobo_ids: list[int] | None = None
) -> PushReport:
    """Send every decision KoBo does not show yet, one bulk PATCH per status; idempotent."""
    client = client or client_for(form.server)
    rows = Submission.objects.active().filter(
        form=form, review_status__in=list(KOBO_STATUS_FOR_REVIEW)
    )
    if kobo_ids is not None:
        rows = rows.filter(kobo_id__in=kobo_ids)
    pending: dict[str, list[int]] = {}
    for kobo_id, review_status, kobo_status in rows.values_list(
        "kobo_id", "review_status", "kobo_status"
    ):
        wanted = KOBO_STATUS_FOR_REVIEW[Submission.ReviewStatus(review_status)]
        if kobo_status != wanted:
            pending.setdefault(wanted, []).append(kobo_id)
    pushed = 0
    for status_uid, ids in pending.items():
        client.set_validation_statuses(form.asset_uid, ids, status_uid)
        with transaction.atomic():
            Submission.objects.filter(form=form, kobo_id__in=ids).update(kobo_status=status_uid)
        pushed += len(ids)
        logger.info("pushed %s to %d submissions of %s", status_uid, len(ids), form.asset_uid)
    return PushReport(asset=form.asset_uid, pushed=pushed)
