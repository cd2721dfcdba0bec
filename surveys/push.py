"""Push review decisions back to KoBo as its native validation status (kobo-api.md §4.1).

A decision is sent until KoBo shows it. `kobo_status_pushed` records what we last set there,
so a status that differs from our decision means one of two things: we never managed to
send it (push it), or someone changed it in KoBo after we did (report it, don't overwrite).
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction

from surveys.connections import client_for
from surveys.kobo.client import MAX_PAGE_SIZE, KoboClient
from surveys.kobo.errors import KoboRejectedError
from surveys.models import KoboForm, Submission

logger = logging.getLogger(__name__)

# Returned and on-hold interviews both wait for someone: KoBo has one status for that.
KOBO_STATUS_FOR_REVIEW = {
    Submission.ReviewStatus.APPROVED: "validation_status_approved",
    Submission.ReviewStatus.EXCLUDED: "validation_status_not_approved",
    Submission.ReviewStatus.RETURNED: "validation_status_on_hold",
    Submission.ReviewStatus.ON_HOLD: "validation_status_on_hold",
}


@dataclass
class PushReport:
    asset: str
    pushed: int = 0
    refused: list[int] = field(default_factory=list)  # _ids KoBo would not take
    changed_in_kobo: list[int] = field(default_factory=list)  # someone else's status there


def push_review_statuses(
    *,
    form: KoboForm,
    client: KoboClient | None = None,
    kobo_ids: list[int] | None = None,
    refresh: bool = False,
) -> PushReport:
    """Send every decision KoBo does not show yet, one bulk PATCH per status; idempotent.

    `refresh` (the catch-up) first reads KoBo's current status of every decided row, so a
    change made there since our last sync is seen: reported, not overwritten.
    """
    client = client or client_for(form.server)
    rows = Submission.objects.active().filter(
        form=form, review_status__in=list(KOBO_STATUS_FOR_REVIEW)
    )
    if kobo_ids is not None:
        rows = rows.filter(kobo_id__in=kobo_ids)
    candidates = {
        kobo_id: (KOBO_STATUS_FOR_REVIEW[Submission.ReviewStatus(review)], kobo, pushed)
        for kobo_id, review, kobo, pushed in rows.values_list(
            "kobo_id", "review_status", "kobo_status", "kobo_status_pushed"
        )
    }
    if refresh and candidates:
        candidates = _refreshed(form, client, candidates)
    report = PushReport(asset=form.asset_uid)
    pending: dict[str, list[int]] = {}
    for kobo_id, (wanted, kobo, pushed) in sorted(candidates.items()):
        if kobo == wanted:
            continue
        if pushed == wanted:
            report.changed_in_kobo.append(kobo_id)
        else:
            pending.setdefault(wanted, []).append(kobo_id)
    for status_uid, ids in pending.items():
        for start in range(0, len(ids), MAX_PAGE_SIZE):
            _push(form, client, ids[start : start + MAX_PAGE_SIZE], status_uid, report)
    if report.changed_in_kobo:
        logger.warning(
            "%d submissions of %s show another status in KoBo than our decision "
            "(changed there after our push); left as KoBo has them",
            len(report.changed_in_kobo),
            form.asset_uid,
        )
    return report


def _refreshed(
    form: KoboForm, client: KoboClient, candidates: dict[int, tuple[str, str, str]]
) -> dict[int, tuple[str, str, str]]:
    """The candidates with KoBo's status as it is now (rows KoBo no longer has dropped)."""
    current = client.validation_statuses(form.asset_uid, list(candidates))
    fresh: dict[int, tuple[str, str, str]] = {}
    for kobo_id, (wanted, kobo, pushed) in candidates.items():
        if kobo_id not in current:
            continue  # deleted in KoBo: the next reconciliation tombstones it
        now = current[kobo_id] or ""
        if now != kobo:
            Submission.objects.filter(form=form, kobo_id=kobo_id).active().update(kobo_status=now)
        fresh[kobo_id] = (wanted, now, pushed)
    return fresh


def _push(
    form: KoboForm, client: KoboClient, ids: list[int], status_uid: str, report: PushReport
) -> None:
    """One bulk PATCH; a batch KoBo refuses is halved until the refused rows are found.

    KoBo rejects a whole batch for one id it does not hold for this asset.
    """
    try:
        client.set_validation_statuses(form.asset_uid, ids, status_uid)
    except KoboRejectedError as exc:
        if len(ids) == 1:
            report.refused.append(ids[0])
            logger.warning("KoBo refused %s for _id %s of %s: %s", status_uid, ids[0], form, exc)
            return
        middle = len(ids) // 2
        _push(form, client, ids[:middle], status_uid, report)
        _push(form, client, ids[middle:], status_uid, report)
        return
    with transaction.atomic():
        Submission.objects.filter(form=form, kobo_id__in=ids).active().update(
            kobo_status=status_uid, kobo_status_pushed=status_uid
        )
    report.pushed += len(ids)
    logger.info("pushed %s to %d submissions of %s", status_uid, len(ids), form.asset_uid)
