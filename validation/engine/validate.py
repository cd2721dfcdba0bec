"""Validate submissions: skip logic of their own form version and the round's inclusion criteria.

Each run computes the desired set of findings and applies the difference to the Flag rows
(create new, keep and refresh existing, resolve vanished), so re-running is idempotent.
"""

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from surveys.models import FormVersion, Submission
from validation.engine.flag_diff import Finding, FlagDiff, diff_flags, write_flag_diff
from validation.flags.eligibility import answer_by_name, as_json, check_criterion, verdict
from validation.flags.priority import update_priority
from validation.flags.status import DECISIONS, transition
from validation.models import Eligibility, Flag, InclusionCriterion, Severity
from validation.privacy.masking import PersonalData, personal_data_for
from validation.quotas.progress import derive_progress_fields
from validation.xlsform import CompiledForm, compile_asset_content

logger = logging.getLogger(__name__)

# Flags in these families are owned by this engine; other checks manage their own families.
_FAMILIES = ("skip_logic.", "eligibility.")
# Review states a validation result moves (to clean or flagged); the others are decisions.
REVIEWABLE = (
    Submission.ReviewStatus.RECEIVED,
    Submission.ReviewStatus.CLEAN,
    Submission.ReviewStatus.FLAGGED,
    Submission.ReviewStatus.CORRECTED,
)


@dataclass(frozen=True)
class ValidationReport:
    submission_id: int
    opened: int
    resolved: int
    open_total: int
    eligibility: str


@functools.lru_cache(maxsize=64)
def _compile(version_pk: int, content_hash: str) -> CompiledForm:
    content = FormVersion.objects.values_list("content", flat=True).get(pk=version_pk)
    return compile_asset_content(content)


def compiled_form(version: FormVersion) -> CompiledForm:
    """Compile a form version once per process (keyed by its content hash)."""
    return _compile(version.pk, version.content_hash)


def interview_time(submission: Submission) -> dt.datetime:
    """When the interview happened: first-seen end, else start, else KoBo's receipt time."""
    return submission.ended_at or submission.started_at or submission.submission_time


def _skip_logic_findings(form: CompiledForm | None, submission: Submission) -> list[Finding]:
    if form is None:
        return [
            Finding(
                "skip_logic.cannot_check",
                "",
                Severity.INFO,
                f"Form version {submission.version_uid or '(none)'} is not available, "
                "so the skip logic cannot be checked.",
                {},
            )
        ]
    # A rule the compiler rejects is reported on each interview it could concern, as info:
    # the rest of the form is still checked, and the supervisor sees why that rule was not.
    unusable = [
        Finding(
            "skip_logic.unparseable",
            error.path,
            Severity.INFO,
            f"The {error.column.replace('_', ' ')} of {form.label(error.path)!r} cannot be "
            f"checked: {error.message}.",
            {},
            error.expression,
        )
        for error in form.errors
    ]
    return unusable + [
        Finding(f.code, f.path, f.severity, f.message, dict(f.values), f.expression or "")
        for f in form.check(submission.data, now=interview_time(submission))
    ]


def _eligibility(
    form: CompiledForm | None, submission: Submission, criteria: Iterable[InclusionCriterion]
) -> tuple[str, list[dict[str, str]], list[Finding]]:
    when = timezone.localtime(interview_time(submission)).date()
    now = interview_time(submission)

    def evaluate(expression: str) -> Any:
        if form is None:
            raise ValueError("the form version is not available")
        return form.evaluate(expression, submission.data, now=now)

    results = []
    for criterion in criteria:
        if criterion.question and form is not None:
            answer = _relevant_answer(form, submission, criterion.question)
        else:
            answer = answer_by_name(submission.data, criterion.question)
        results.append(
            check_criterion(
                criterion,
                answer=answer,
                interview_date=when,
                evaluate=evaluate if form is not None else None,
            )
        )
    findings = [
        Finding(
            f"eligibility.{r.code}",
            "",
            Severity.BLOCKER if r.result == "fail" else Severity.MINOR,
            f"Inclusion criterion '{r.label}' "
            + ("fails: " if r.result == "fail" else "cannot be judged: ")
            + r.reason,
            {"result": r.result},
        )
        for r in results
        if r.result != "pass"
    ]
    return verdict(results), as_json(results), findings


def _relevant_answer(form: CompiledForm, submission: Submission, name: str) -> str:
    """The answer as ODK sees it: empty when its question is not relevant."""
    try:
        value = form.evaluate("${" + name + "}", submission.data, now=interview_time(submission))
    except ValueError:
        return answer_by_name(submission.data, name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def validate_submission(*, submission: Submission) -> ValidationReport:
    """Run skip logic and inclusion criteria on one submission and store the outcome."""
    form = compiled_form(submission.version) if submission.version is not None else None
    findings = _skip_logic_findings(form, submission)
    criteria = (
        list(InclusionCriterion.objects.filter(round_id=submission.form.round_id, is_active=True))
        if submission.form.round_id
        else []
    )
    verdict_value, details, eligibility_findings = _eligibility(form, submission, criteria)
    findings += eligibility_findings
    with transaction.atomic():
        opened, resolved = apply_findings(
            submission=submission, findings=findings, families=_FAMILIES
        )
        if criteria:
            Eligibility.objects.update_or_create(
                submission=submission, defaults={"verdict": verdict_value, "criteria": details}
            )
        if submission.form.round_id:
            derive_progress_fields(
                rows=Submission.objects.filter(pk=submission.pk), round_id=submission.form.round_id
            )
        open_total = _settle_review_status(submission)
        update_priority(submission=submission, verdict=verdict_value if criteria else None)
    return ValidationReport(submission.pk, opened, resolved, open_total, verdict_value)


def redact_findings(
    findings: Iterable[Finding], submission: Submission, personal: PersonalData
) -> list[Finding]:
    """The findings with the round's personal answers masked in their messages and values.

    The XLSForm checker quotes answers ("'Phone' ('+77071234567') ..."); a flag is shown to
    supervisors, exported and served by the API, so it keeps only the masked form.
    """
    quoted = personal.quoted(submission.data)
    return [
        replace(
            f,
            message=personal.redact_text(f.message, quoted),
            values=personal.redact_values(f.values, quoted),
        )
        for f in findings
    ]


def apply_findings(
    *,
    submission: Submission,
    findings: Iterable[Finding],
    families: tuple[str, ...],
    personal: PersonalData | None = None,
) -> tuple[int, int]:
    """Make the flags of `families` equal the findings (engine.flag_diff's rules).

    Returns (opened, resolved). Personal answers are masked in what is stored (the round's
    question map unless given).
    """
    if personal is None:
        personal = personal_data_for(form_id=submission.form_id, round_id=submission.form.round_id)
    diff = FlagDiff()
    counts = diff_flags(
        diff,
        submission_id=submission.pk,
        findings=redact_findings(findings, submission, personal),
        existing=Flag.objects.filter(submission=submission),
        owns=lambda code: code.startswith(families),
        now=timezone.now(),
    )
    write_flag_diff(diff)
    return counts


def refresh_review_state(*, submission: Submission) -> int:
    """After other checks (validation.quality) changed flags: status and priority follow."""
    with transaction.atomic():
        open_total = _settle_review_status(submission)
        verdict = Eligibility.objects.filter(submission=submission).values_list(
            "verdict", flat=True
        )
        update_priority(submission=submission, verdict=verdict.first())
    return open_total


def _settle_review_status(submission: Submission) -> int:
    """Move the interview through checking; reopen decisions whose data changed in KoBo."""
    open_total = (
        Flag.objects.open().filter(submission=submission).exclude(severity=Severity.INFO).count()
    )
    checked = Submission.ReviewStatus.FLAGGED if open_total else Submission.ReviewStatus.CLEAN
    status = submission.review_status
    if status == Submission.ReviewStatus.RETURNED and submission.changed_since_review:
        transition(
            submission=submission,
            to=Submission.ReviewStatus.CORRECTED,
            comment="A corrected version arrived from KoBo.",
        )
        status = Submission.ReviewStatus.CORRECTED
    elif status in DECISIONS and submission.changed_since_review:
        transition(
            submission=submission,
            to=checked,
            comment="The data changed in KoBo after the decision.",
        )
        return open_total
    if status in REVIEWABLE and status != checked:
        transition(submission=submission, to=checked)
    return open_total


def validate_pending(*, limit: int = 200) -> int:
    """Validate up to `limit` submissions marked by sync; safe with several workers at once."""
    done = 0
    ids = list(
        Submission.objects.filter(needs_validation=True, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            # skip_locked: another worker holds it; a killed worker's claim dies with its tx.
            submission = (
                Submission.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("form", "version")
                .filter(pk=pk, needs_validation=True)
                .first()
            )
            if submission is None:
                continue
            validate_submission(submission=submission)
            Submission.objects.filter(pk=pk, content_hash=submission.content_hash).update(
                needs_validation=False
            )
            done += 1
    return done


def mark_for_validation(*, round_number: int | None = None) -> int:
    """Queue every active submission (optionally of one round) for re-validation."""
    rows = Submission.objects.active()
    if round_number is not None:
        rows = rows.filter(form__round__number=round_number)
    return rows.update(needs_validation=True, updated_at=timezone.now())


def stale_validation_count(*, older_than_s: int) -> int:
    """Active rows marked for validation more than `older_than_s` seconds ago."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_s)
    return Submission.objects.active().filter(needs_validation=True, updated_at__lt=cutoff).count()
