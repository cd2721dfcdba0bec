"""Retention: remove what a round's policy no longer allows us to keep, and audit every removal.

Three steps per round, from its RetentionPolicy (or the defaults: the three-city study's seven
years, personal identifiers after 90 days, a KoBo-deleted interview's answers after 30):

1. an interview deleted in KoBo (a tombstone) loses its answers `deleted_answers_days` after the
   deletion: answers, flag values, the answers quoted in its correction tasks and messages. Its
   review history, flag codes and counts stay;
2. `personal_data_days` after fieldwork ends, personal identifiers leave every interview of the
   round: the questions the check configuration lists as `personal_data`, its phone, name and
   gps roles, and what the form itself marks as identifying (validation.exports.personal_data),
   inside repeat groups too; and from quarantined sync payloads;
3. `keep_years` after fieldwork ends the round's interviews are deleted whole, their counts by
   review status kept in the audit.

Only our copy is purged: the KoBo server keeps its own until the project deletes it there.
A stored interview keeps its content hash, so sync does not take a purged copy for an edit and
fetch the identifiers back. Each round is purged in one transaction with its PurgeRun row.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from surveys.models import KoboForm, PurgeRun, RetentionPolicy, Round, Submission, SyncIssue
from surveys.models.retention import (
    DEFAULT_DELETED_ANSWERS_DAYS,
    DEFAULT_KEEP_YEARS,
    DEFAULT_PERSONAL_DATA_DAYS,
)
from validation.exports.forms import round_questions
from validation.exports.personal_data import personal_data_paths
from validation.models import CheckConfig, CorrectionTask, Flag, Notification
from validation.quality import effective_config

_CHUNK = 1000
_IDENTITY_ROLES = ("phone", "name", "gps")


@dataclass(frozen=True)
class Policy:
    personal_data_days: int = DEFAULT_PERSONAL_DATA_DAYS
    deleted_answers_days: int = DEFAULT_DELETED_ANSWERS_DAYS
    keep_years: int = DEFAULT_KEEP_YEARS

    def as_dict(self) -> dict[str, int]:
        return {
            "personal_data_days": self.personal_data_days,
            "deleted_answers_days": self.deleted_answers_days,
            "keep_years": self.keep_years,
        }


@dataclass
class RoundPurge:
    """What a round's purge removes (or, in a dry run, would remove)."""

    round: Round
    policy: Policy
    paths: frozenset[str]
    personal_from: dt.date | None  # None: fieldwork has not ended
    delete_from: dt.date | None
    deleted_before: dt.datetime
    deleted_answers: int = 0
    personal_interviews: int = 0
    personal_answers: int = 0
    quarantined_payloads: int = 0
    interviews_deleted: int = 0
    deleted_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def removed_anything(self) -> bool:
        return bool(
            self.deleted_answers
            or self.personal_answers
            or self.quarantined_payloads
            or self.interviews_deleted
        )

    def describe(self) -> list[str]:
        """Plain lines for the command's output."""
        lines = [
            f"{self.round}: answers of interviews deleted in KoBo before "
            f"{self.deleted_before:%Y-%m-%d}: {self.deleted_answers} interview(s)"
        ]
        if self.personal_from is None:
            lines.append("  personal identifiers: kept while fieldwork has not ended")
        else:
            lines.append(
                f"  personal identifiers (from {self.personal_from}): {self.personal_answers} "
                f"answer(s) in {self.personal_interviews} interview(s), "
                f"{self.quarantined_payloads} quarantined payload(s); "
                f"questions: {', '.join(sorted(self.paths)) or 'none'}"
            )
        if self.delete_from is not None:
            by_status = ", ".join(f"{k} {v}" for k, v in sorted(self.deleted_by_status.items()))
            lines.append(
                f"  whole interviews (from {self.delete_from}): {self.interviews_deleted}"
                + (f" ({by_status})" if by_status else "")
            )
        return lines


def policy_for(round_: Round) -> Policy:
    row = RetentionPolicy.objects.filter(round=round_).first()
    if row is None:
        return Policy()
    return Policy(row.personal_data_days, row.deleted_answers_days, row.keep_years)


def personal_paths(round_: Round) -> frozenset[str]:
    """Answer paths that identify a respondent in this round's interviews."""
    paths: set[str] = set()
    for form in KoboForm.objects.filter(round=round_):
        mapping = effective_config(form).questions
        listed = mapping.get("personal_data") or []
        paths.update(p for p in listed if isinstance(p, str) and p)
        paths.update(mapping[r] for r in _IDENTITY_ROLES if isinstance(mapping.get(r), str))
    question_map = (
        CheckConfig.objects.filter(round=round_, is_active=True)
        .values_list("question_map", flat=True)
        .first()
    )
    paths |= personal_data_paths(
        round_questions(round_.pk), question_map if isinstance(question_map, dict) else None
    )
    paths.discard("")
    return frozenset(paths)


def scrub(data: Mapping[str, Any], paths: frozenset[str]) -> tuple[dict[str, Any], int]:
    """The answers without the given paths (inside repeat entries too), and how many went."""
    kept: dict[str, Any] = {}
    removed = 0
    for key, value in data.items():
        if key in paths:
            removed += 1
            continue
        if isinstance(value, list) and any(isinstance(entry, dict) for entry in value):
            entries = []
            for entry in value:
                if isinstance(entry, dict):
                    clean = {k: v for k, v in entry.items() if k not in paths}
                    removed += len(entry) - len(clean)
                    entries.append(clean)
                else:
                    entries.append(entry)
            value = entries
        kept[key] = value
    return kept, removed


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _chunks(pks: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pk in pks:
        chunk.append(pk)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _top_keys(paths: frozenset[str]) -> list[str]:
    # A repeat child's path starts with its repeat's key: every prefix may be a top-level key.
    keys = set(paths)
    for path in paths:
        parts = path.split("/")
        keys.update("/".join(parts[:n]) for n in range(1, len(parts)))
    return sorted(keys)


def purge_round(
    round_: Round, *, now: dt.datetime, dry_run: bool, actor: str, trigger: str
) -> RoundPurge:
    """Apply (or, with dry_run, count) the round's retention policy; audit what was removed."""
    policy = policy_for(round_)
    today = timezone.localdate(now)
    end = round_.fieldwork_end
    plan = RoundPurge(
        round=round_,
        policy=policy,
        paths=personal_paths(round_),
        personal_from=end + dt.timedelta(days=policy.personal_data_days) if end else None,
        delete_from=_add_years(end, policy.keep_years) if end else None,
        deleted_before=now - dt.timedelta(days=policy.deleted_answers_days),
    )
    interviews = Submission.objects.filter(form__round=round_)
    with transaction.atomic():
        if plan.delete_from is not None and today >= plan.delete_from:
            _delete_interviews(plan, interviews, dry_run=dry_run)
        else:
            _purge_tombstones(plan, interviews, dry_run=dry_run)
            if plan.personal_from is not None and today >= plan.personal_from and plan.paths:
                _purge_personal(plan, interviews, dry_run=dry_run)
        if not dry_run and plan.removed_anything:
            PurgeRun.objects.create(
                at=now,
                actor=actor,
                trigger=trigger,
                round_id_value=round_.pk,
                round_label=str(round_)[:200],
                policy=plan.policy.as_dict(),
                deleted_answers=plan.deleted_answers,
                personal_interviews=plan.personal_interviews,
                personal_answers=plan.personal_answers,
                interviews_deleted=plan.interviews_deleted,
                detail={
                    "paths": sorted(plan.paths),
                    "quarantined_payloads": plan.quarantined_payloads,
                    "deleted_by_status": plan.deleted_by_status,
                },
            )
    return plan


def _purge_tombstones(plan: RoundPurge, interviews: QuerySet[Submission], *, dry_run: bool) -> None:
    due = interviews.filter(deleted_at__lte=plan.deleted_before).exclude(data={})
    pks = list(due.values_list("pk", flat=True))
    plan.deleted_answers = len(pks)
    if dry_run or not pks:
        return
    for chunk in _chunks(pks):
        Submission.objects.filter(pk__in=chunk).update(data={})
        Flag.objects.filter(submission_id__in=chunk).update(values={}, expression="")
        tasks = CorrectionTask.objects.filter(submission_id__in=chunk)
        _blank_task_answers(tasks, paths=None)
        # Messages quoted the answers; what was sent stays logged, the text does not.
        Notification.objects.filter(task__in=tasks).update(body="")


def _purge_personal(plan: RoundPurge, interviews: QuerySet[Submission], *, dry_run: bool) -> None:
    # Tombstones past their period lose every answer in the step before (counted there).
    candidates = interviews.filter(data__has_any_keys=_top_keys(plan.paths)).exclude(
        deleted_at__lte=plan.deleted_before
    )
    changed: list[Submission] = []
    for row in candidates.only("pk", "data").iterator(chunk_size=_CHUNK):
        if not isinstance(row.data, dict):
            continue
        kept, removed = scrub(row.data, plan.paths)
        if not removed:
            continue
        plan.personal_interviews += 1
        plan.personal_answers += removed
        if not dry_run:
            row.data = kept
            changed.append(row)
            if len(changed) == _CHUNK:
                Submission.objects.bulk_update(changed, ["data"])
                changed = []
    if changed:
        Submission.objects.bulk_update(changed, ["data"])
    issues = SyncIssue.objects.filter(form__round=plan.round)
    for issue in issues.only("pk", "payload").iterator(chunk_size=_CHUNK):
        if not isinstance(issue.payload, dict):
            continue
        kept, removed = scrub(issue.payload, plan.paths)
        if removed:
            plan.quarantined_payloads += 1
            if not dry_run:
                SyncIssue.objects.filter(pk=issue.pk).update(payload=kept)
    if dry_run:
        return
    Flag.objects.filter(submission__in=interviews, path__in=plan.paths).exclude(values={}).update(
        values={}
    )
    _blank_task_answers(CorrectionTask.objects.filter(submission__in=interviews), plan.paths)


def _blank_task_answers(tasks: QuerySet[CorrectionTask], paths: frozenset[str] | None) -> None:
    """Blank the answers a correction task quotes (of `paths`, or all of them)."""
    for task in tasks.only("pk", "items").iterator(chunk_size=_CHUNK):
        items = task.items if isinstance(task.items, list) else []
        touched = False
        for item in items:
            if (
                isinstance(item, dict)
                and item.get("answer")
                and (paths is None or item.get("path") in paths)
            ):
                item["answer"] = ""
                touched = True
        if touched:
            CorrectionTask.objects.filter(pk=task.pk).update(items=items)


def _delete_interviews(
    plan: RoundPurge, interviews: QuerySet[Submission], *, dry_run: bool
) -> None:
    counts = Counter(interviews.values_list("review_status", flat=True))
    plan.deleted_by_status = dict(counts)
    plan.interviews_deleted = sum(counts.values())
    if dry_run:
        return
    pks = list(interviews.values_list("pk", flat=True))
    for chunk in _chunks(pks):
        Submission.objects.filter(pk__in=chunk).delete()  # flags, reviews, tasks go with them
    SyncIssue.objects.filter(form__round=plan.round).delete()


def purge_personal_data(
    *,
    actor: str,
    trigger: str,
    dry_run: bool = False,
    round_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> list[RoundPurge]:
    """Purge every round (or those named) by its policy; one transaction and audit row each."""
    now = now or timezone.now()
    rounds = Round.objects.order_by("country", "number")
    if round_ids is not None:
        rounds = rounds.filter(pk__in=list(round_ids))
    return [
        purge_round(round_, now=now, dry_run=dry_run, actor=actor, trigger=trigger)
        for round_ in rounds
    ]
